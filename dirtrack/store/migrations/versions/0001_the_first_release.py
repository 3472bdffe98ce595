"""The first release's schema (dirtrack at commit 141b923), exactly as it created it.

A database made by that release has these tables and no version table;
``dirtrack db upgrade`` recognises it by its tables and stamps it with this revision.
Never edit this file: a change of the schema is a new revision.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"], unique=False)
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("unit_id", sa.String(), nullable=True),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("recipient_id", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("after_id", sa.Integer(), nullable=False),
        sa.Column("upto_id", sa.Integer(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("payload", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_delivery_alerts", "delivery", ["recipient_id", "channel", "upto_id"], unique=False
    )
    op.create_index(
        "ix_delivery_open",
        "delivery",
        ["created_at"],
        unique=False,
        sqlite_where=sa.text("status <> 'delivered'"),
        postgresql_where=sa.text("status <> 'delivered'"),
    )
    op.create_index("ix_delivery_upto_id", "delivery", ["upto_id"], unique=False)
    op.create_table(
        "dependency",
        sa.Column("instance_pk", sa.Integer(), nullable=False),
        sa.Column("prereq_pk", sa.Integer(), nullable=False),
        sa.Column("prereq_task", sa.String(), nullable=False),
        sa.Column("at_least", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("instance_pk", "prereq_pk"),
    )
    op.create_index("ix_dependency_prereq", "dependency", ["prereq_pk"], unique=False)
    op.create_table(
        "directive",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("jurisdiction", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("issued_by", sa.String(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_directive_jurisdiction", "directive", ["jurisdiction"], unique=False)
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("evidence", sa.String(), nullable=False),
        sa.Column("new_due", sa.Date(), nullable=True),
        sa.Column("new_lead", sa.String(), nullable=True),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_instance_pk", "event", ["instance_pk"], unique=False)
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_pk", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("content_type", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_event_id", "evidence", ["event_id"], unique=False)
    op.create_index("ix_evidence_instance_pk", "evidence", ["instance_pk"], unique=False)
    op.create_table(
        "instance_plan",
        sa.Column("instance_pk", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("lag_days", sa.Integer(), nullable=False),
        sa.Column("slack_days", sa.Integer(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("instance_pk", "valid_from"),
    )
    op.create_table(
        "instance_state",
        sa.Column("instance_pk", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("lead_id", sa.String(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("instance_pk", "valid_from"),
    )
    op.create_index("ix_instance_state_lead_id", "instance_state", ["lead_id"], unique=False)
    op.create_table(
        "jurisdiction",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("channels", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "ladder_step",
        sa.Column("directive_id", sa.String(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("directive_id", "step"),
    )
    op.create_table(
        "load_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.String(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("revised", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_load_log_directive_id", "load_log", ["directive_id"], unique=False)
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempt_name_at", "login_attempt", ["name", "at"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_pk", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("fired_on", sa.Date(), nullable=False),
        sa.Column("cause_pk", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "instance_pk",
            "step",
            "recipient_id",
            "channel",
            "due_on",
            "opened_on",
            name="uq_outbox_once",
        ),
    )
    op.create_table(
        "server_setting",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "task",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.String(), nullable=False),
        sa.Column("task_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("lead_id", sa.String(), nullable=True),
        sa.Column("support", sa.String(), nullable=False),
        sa.Column("sector", sa.String(), nullable=False),
        sa.Column("deliverable", sa.String(), nullable=False),
        sa.Column("due_text", sa.String(), nullable=False),
        sa.Column("for_each", sa.String(), nullable=True),
        sa.Column("scope_id", sa.String(), nullable=True),
        sa.Column("depends_on", sa.String(), nullable=False),
        sa.Column("template", sa.String(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("directive_id", "task_id"),
    )
    op.create_index("ix_task_directive_id", "task", ["directive_id"], unique=False)
    op.create_table(
        "task_instance",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("directive_id", sa.String(), nullable=False),
        sa.Column("task_pk", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(), nullable=True),
        sa.Column("lead_id", sa.String(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("spec_lead_id", sa.String(), nullable=False),
        sa.Column("spec_due_on", sa.Date(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("lag_days", sa.Integer(), nullable=False),
        sa.Column("slack_days", sa.Integer(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(
        "ix_task_instance_directive_id", "task_instance", ["directive_id"], unique=False
    )
    op.create_index("ix_task_instance_task_pk", "task_instance", ["task_pk"], unique=False)
    op.create_table(
        "unit",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("jurisdiction", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.Column("established_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("successor_id", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_unit_jurisdiction", "unit", ["jurisdiction"], unique=False)
    op.create_table(
        "unit_channel",
        sa.Column("unit_id", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "channel"),
    )


def downgrade() -> None:
    raise NotImplementedError(
        "dirtrack never downgrades a database: restore the backup "
        "taken before the upgrade (dirtrack db restore)"
    )
