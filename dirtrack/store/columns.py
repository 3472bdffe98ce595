"""The tables and columns of the newest schema, as ``dirtrack/store/tables.py`` declares
them, written out so that checking a database needs no import of the models.

``tests/integration/test_read_path.py`` holds this to the models; after a change to
them, ``python -m dirtrack.store.migrate columns`` prints the new listing.
"""

NEWEST_TABLES: dict[str, set[str]] = {
    "api_token": {"created_at", "expires_at", "id", "revoked_at", "token_hash", "user_id"},
    "app_user": {"active", "created_at", "id", "name", "password_hash", "role", "unit_id"},
    "calendar_feed": {"created_at", "id", "revoked_at", "token_hash", "user_id"},
    "delivery": {
        "after_id", "alerts", "as_of", "attempts", "body", "channel", "created_at", "delivered_at",
        "id", "last_error", "next_attempt_at", "payload", "recipient_id", "status", "subject",
        "upto_id",
    },
    "dependency": {"at_least", "instance_pk", "prereq_pk", "prereq_task"},
    "directive": {
        "fingerprint", "id", "issued_by", "issued_on", "jurisdiction", "kind", "loaded_at",
        "number", "parent_id", "path", "source", "title",
    },
    "event": {
        "actor", "decision", "effective_on", "evidence", "id", "instance_pk", "kind", "new_due",
        "new_lead", "note", "percent", "recorded_at", "recorded_by",
    },
    "evidence": {
        "content_type", "event_id", "filename", "id", "instance_pk", "sha256", "size",
        "uploaded_at", "uploaded_by",
    },
    "indicator_value": {
        "effective_on", "event_id", "id", "indicator", "instance_pk", "part", "value",
    },
    "instance_plan": {
        "critical", "instance_pk", "lag_days", "slack_days", "valid_from", "valid_to",
    },
    "instance_state": {
        "completed_on", "due_on", "instance_pk", "lead_id", "opened_on", "percent", "state",
        "valid_from", "valid_to", "verified",
    },
    "jurisdiction": {"channels", "extension_requests", "id", "language", "name"},
    "ladder_step": {"days", "directive_id", "recipient", "step"},
    "load_log": {
        "added", "cancelled", "directive_id", "effective_on", "fingerprint", "id", "loaded_at",
        "revised", "summary",
    },
    "login_attempt": {"address", "at", "id", "name", "ok"},
    "occurrence": {
        "critical", "directive_id", "due_on", "key", "lag_days", "lead_id", "opens_on", "period",
        "slack_days", "task_pk", "unit_id",
    },
    "occurrence_dependency": {
        "at_least", "directive_id", "instance_key", "prereq_key", "prereq_task",
    },
    "outbox": {
        "cause_pk", "channel", "days", "due_on", "fired_on", "id", "instance_pk", "opened_on",
        "recipient_id", "status", "step",
    },
    "page_snapshot": {
        "as_of", "built_at", "context", "data", "event_count", "event_mark", "instance_mark",
        "load_mark", "outbox_count", "outbox_mark", "page", "question",
    },
    "review_narrative": {
        "directions", "jurisdiction", "opening", "path", "quarter", "results", "shortcomings",
    },
    "review_setting": {
        "issuer", "jurisdiction", "kind", "number", "path", "place", "recipients", "sectors",
        "signer_authority", "signer_name", "signer_title", "subject", "superior",
    },
    "review_snapshot": {
        "as_of", "built_at", "context", "data", "directive", "event_count", "event_mark",
        "instance_mark", "jurisdiction", "load_mark", "outbox_count", "outbox_mark", "quarter",
    },
    "server_setting": {"key", "value"},
    "task": {
        "deliverable", "depends_on", "directive_id", "due_text", "for_each", "indicators",
        "lead_id", "pk", "position", "removed", "repeat", "scope_id", "sector", "support",
        "task_id", "template", "title",
    },
    "task_instance": {
        "created_on", "critical", "directive_id", "due_on", "key", "lag_days", "lead_id", "period",
        "pk", "removed", "slack_days", "spec_due_on", "spec_lead_id", "task_pk", "unit_id",
    },
    "unit": {
        "email", "ended_on", "established_on", "id", "jurisdiction", "kind", "level", "locality",
        "name", "parent_id", "successor_id",
    },
    "unit_channel": {"channel", "unit_id"},
    "web_session": {"created_at", "ended_at", "id", "last_seen_at", "user_id"},
}
