"""SQLModel tables. The ledger (``event``) is append-only; ``instance_state`` is derived.

``instance_state`` holds, per instance, the spans of dates over which its derived
state (open, done, cancelled; deadline; lead) held. It is rebuilt from the
ledger whenever an event is recorded, so status as of any date is one range
lookup per instance instead of a replay of the ledger.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class UnitRow(SQLModel, table=True):
    __tablename__ = "unit"

    id: str = Field(primary_key=True)
    jurisdiction: str = Field(index=True)
    name: str
    level: str
    kind: str
    parent_id: str | None = None
    established_on: date | None = None
    ended_on: date | None = None
    successor_id: str | None = None
    email: str = ""
    # The place whose bodies (Party committee, People's Committee, Front committee) share
    # it: alerts and the review can address the place rather than one of its bodies.
    locality: str | None = Field(default=None, index=True)


class DirectiveRow(SQLModel, table=True):
    __tablename__ = "directive"

    id: str = Field(primary_key=True)
    jurisdiction: str = Field(index=True)
    number: str
    kind: str
    title: str
    issued_by: str
    issued_on: date
    source: str = ""
    parent_id: str | None = None
    path: str = ""
    fingerprint: str = ""
    loaded_at: datetime


class TaskRow(SQLModel, table=True):
    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("directive_id", "task_id"),)

    pk: int | None = Field(default=None, primary_key=True)
    directive_id: str = Field(index=True)
    task_id: str
    title: str
    lead_id: str | None = None
    support: str = ""  # comma-separated unit ids
    sector: str
    deliverable: str = ""
    due_text: str
    for_each: str | None = None
    scope_id: str | None = None
    depends_on: str = ""  # "task:share" comma-separated, as written
    template: str | None = None
    position: int = 0
    removed: bool = False
    indicators: str = ""  # JSON list (see dirtrack.indicators.Indicator.as_json); "" none
    repeat: str | None = None  # monthly | quarterly | half-yearly | yearly


class InstanceRow(SQLModel, table=True):
    __tablename__ = "task_instance"

    pk: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    directive_id: str = Field(index=True)
    task_pk: int = Field(index=True)
    unit_id: str | None = None
    lead_id: str  # lead when created; later leads come from events
    due_on: date  # deadline when created; later deadlines come from events
    spec_lead_id: str  # what the directive file says now
    spec_due_on: date
    created_on: date
    lag_days: int = 0
    slack_days: int = 0
    critical: bool = False
    removed: bool = False
    period: str | None = None  # a repeating task's occurrence: 2026-Q2, 2026-05 ...


class OccurrenceRow(SQLModel, table=True):
    """An occurrence of a repeating task not yet in ``task_instance``: it opens on
    ``opens_on`` (its period, or the one before: as far ahead as the task says).

    The load writes every future occurrence here; the load and the daily check move
    the ones due to open into ``task_instance`` with one ``INSERT ... SELECT``.
    """

    __tablename__ = "occurrence"

    key: str = Field(primary_key=True)
    directive_id: str = Field(index=True)
    task_pk: int
    unit_id: str | None = None
    lead_id: str
    due_on: date
    period: str
    opens_on: date = Field(index=True)
    lag_days: int = 0
    slack_days: int = 0
    critical: bool = False


class OccurrenceDependencyRow(SQLModel, table=True):
    """A dependency with an occurrence at one end or both, by instance keys: it joins
    ``dependency`` once both ends exist."""

    __tablename__ = "occurrence_dependency"
    __table_args__ = (Index("ix_occurrence_dependency_prereq", "prereq_key"),)

    instance_key: str = Field(primary_key=True)
    prereq_key: str = Field(primary_key=True)
    directive_id: str = Field(index=True)
    prereq_task: str
    at_least: float = 1.0


class DependencyRow(SQLModel, table=True):
    __tablename__ = "dependency"
    __table_args__ = (Index("ix_dependency_prereq", "prereq_pk"),)

    instance_pk: int = Field(primary_key=True)
    prereq_pk: int = Field(primary_key=True)
    prereq_task: str
    at_least: float = 1.0


class PlanRow(SQLModel, table=True):
    """An instance's place in its directive's graph, from one load to the next revision.

    Kept by date, so a past date reads the slack and critical path it had then.
    """

    __tablename__ = "instance_plan"

    instance_pk: int = Field(primary_key=True)
    valid_from: date = Field(primary_key=True)
    valid_to: date | None = None
    lag_days: int = 0
    slack_days: int = 0
    critical: bool = False


class EventRow(SQLModel, table=True):
    __tablename__ = "event"

    id: int | None = Field(default=None, primary_key=True)
    instance_pk: int = Field(index=True)
    kind: str  # progress done verified returned extended revised reassigned cancelled restored
    effective_on: date
    recorded_at: datetime
    actor: str
    percent: int | None = None
    note: str = ""
    evidence: str = ""
    new_due: date | None = None
    new_lead: str | None = None
    decision: str = ""
    recorded_by: str = ""  # the user who recorded it (web or API), or the command line


class IndicatorValueRow(SQLModel, table=True):
    """A value of an indicator reported with a progress or done event; dated by its event.

    ``part`` is "" for an indicator reported as a whole, else one part of its breakdown.
    The value that counts as of a date is the one of the latest event up to it.
    """

    __tablename__ = "indicator_value"
    __table_args__ = (Index("ix_indicator_value_instance", "instance_pk", "indicator", "part"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(index=True)
    instance_pk: int
    effective_on: date
    indicator: str
    part: str = ""
    value: float


class StateRow(SQLModel, table=True):
    __tablename__ = "instance_state"

    instance_pk: int = Field(primary_key=True)
    valid_from: date = Field(primary_key=True)
    valid_to: date | None = None  # exclusive; None while current
    state: str  # open | done | cancelled
    due_on: date
    lead_id: str = Field(index=True)
    completed_on: date | None = None
    verified: bool = False
    percent: int = 0
    opened_on: date


class LoadRow(SQLModel, table=True):
    __tablename__ = "load_log"

    id: int | None = Field(default=None, primary_key=True)
    directive_id: str = Field(index=True)
    effective_on: date
    loaded_at: datetime
    fingerprint: str
    added: int = 0
    revised: int = 0
    cancelled: int = 0
    summary: str = ""


class JurisdictionRow(SQLModel, table=True):
    __tablename__ = "jurisdiction"

    id: str = Field(primary_key=True)
    name: str
    language: str = "vi"
    channels: str = "{}"  # JSON: channel -> options (names of secrets, never secrets)
    extension_requests: str = "escalate"  # escalate | hold (escalation.yaml)


class LadderRow(SQLModel, table=True):
    """A directive's escalation ladder, resolved from its jurisdiction or its own override."""

    __tablename__ = "ladder_step"

    directive_id: str = Field(primary_key=True)
    step: str = Field(primary_key=True)
    days: int  # negative: before the deadline
    recipient: str  # lead | parent | issuer | a unit id


class UnitChannelRow(SQLModel, table=True):
    __tablename__ = "unit_channel"

    unit_id: str = Field(primary_key=True)
    channel: str = Field(primary_key=True)


class OutboxRow(SQLModel, table=True):
    """One alert: a step of an instance's ladder for one recipient on one channel.

    Unique per deadline and open period, so a step fires once however often the
    check runs, and again only after an extension or a returned completion. A row is
    written once and never rewritten on delivery: the digest that carries it is the
    one for its recipient and channel whose id range holds it (see ``DeliveryRow``).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("instance_pk", "step", "recipient_id", "channel", "due_on",
                         "opened_on", name="uq_outbox_once"),
        # The cancelled alerts, counted by a kept dashboard to know whether it stands.
        Index("ix_outbox_cancelled", "id", sqlite_where=text("status = 'cancelled'"),
              postgresql_where=text("status = 'cancelled'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    instance_pk: int  # found through uq_outbox_once, which it leads
    step: str
    days: int  # the step's offset from the deadline
    recipient_id: str
    channel: str
    due_on: date
    opened_on: date
    fired_on: date  # the as-of date of the check that recorded it
    cause_pk: int | None = None  # root cause: a blocking overdue task of another unit
    status: str = "pending"  # pending | cancelled (cancelled only before it joins a digest)


class DeliveryRow(SQLModel, table=True):
    """One digest to one recipient on one channel; its id is the idempotency key.

    A run's digests take every pending alert with an id in ``(after_id, upto_id]``:
    the alerts of a digest are those of its recipient and channel in that range. The
    highest ``upto_id`` is the mark past which alerts still wait for a digest.
    """

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_open", "created_at",
                            sqlite_where=text("status <> 'delivered'"),
                            postgresql_where=text("status <> 'delivered'")),
                      Index("ix_delivery_alerts", "recipient_id", "channel", "upto_id"))

    id: str = Field(primary_key=True)
    recipient_id: str
    channel: str
    as_of: date
    created_at: datetime
    after_id: int = 0  # the outbox ids it carries: after this one ...
    upto_id: int = Field(default=0, index=True)  # ... up to and including this one
    alerts: int = 0  # how many alerts it carries
    status: str = "sending"  # sending | delivered | failed
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    delivered_at: datetime | None = None
    subject: str = ""
    body: str = ""
    payload: str = "{}"  # JSON sent to webhooks


class UserRow(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    role: str  # steering | officer | viewer
    unit_id: str | None = None  # an officer's own unit
    password_hash: str = ""  # argon2; empty: no password login (API tokens only)
    created_at: datetime
    active: bool = True


class ApiTokenRow(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(index=True)
    token_hash: str = Field(unique=True)  # sha256 of the token; the token itself is shown once
    created_at: datetime
    expires_at: datetime | None = None  # None: a token issued before tokens expired
    revoked_at: datetime | None = None


class CalendarFeedRow(SQLModel, table=True):
    """A user's calendar feed: the random token in its address is shown once, only its
    SHA-256 is kept. Revoked by the user, by a new feed, a new password or disabling."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(index=True)
    token_hash: str = Field(unique=True)
    created_at: datetime
    revoked_at: datetime | None = None


class WebSessionRow(SQLModel, table=True):
    """A login in a browser; the signed cookie carries its id, only the id's hash is kept.

    Ended at logout, when the password changes or the user is disabled: the cookie is
    then worth nothing, however long its signature would last.
    """

    __tablename__ = "web_session"

    id: str = Field(primary_key=True)  # sha256 of the random id in the cookie
    user_id: int = Field(index=True)
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None = None


class LoginAttemptRow(SQLModel, table=True):
    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_name_at", "name", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str
    address: str = ""
    at: datetime
    ok: bool = False


class EvidenceRow(SQLModel, table=True):
    """A file a unit attached to a completion, stored by its SHA-256."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    instance_pk: int = Field(index=True)
    event_id: int = Field(index=True)
    sha256: str
    filename: str
    content_type: str = "application/octet-stream"
    size: int
    uploaded_by: str
    uploaded_at: datetime


class SettingRow(SQLModel, table=True):
    """Server settings shared by every worker process (the session signing key)."""

    __tablename__ = "server_setting"

    key: str = Field(primary_key=True)
    value: str


class ReviewSettingRow(SQLModel, table=True):
    """How a jurisdiction's quarterly review is headed and signed (``review.yaml``)."""

    __tablename__ = "review_setting"

    jurisdiction: str = Field(primary_key=True)
    issuer: str = ""  # the issuing body, as its header writes it ("BAN DÂN VẬN")
    superior: str = ""  # the body above it ("TỈNH ỦY NINH BÌNH")
    kind: str = "government"  # party | government
    number: str = "{n}/BC"  # {n}: the number the office fills in
    place: str = ""
    subject: str = ""
    recipients: str = "[]"  # JSON list of lines ("Nơi nhận")
    signer_authority: str = ""  # "T/M BAN DÂN VẬN"
    signer_title: str = ""
    signer_name: str = ""
    sectors: str = ""  # comma-separated, in the order the review lists them
    path: str = ""


class ReviewNarrativeRow(SQLModel, table=True):
    """The secretariat's paragraphs for one quarter's review (``reviews/<quarter>.md``)."""

    __tablename__ = "review_narrative"

    jurisdiction: str = Field(primary_key=True)
    quarter: str = Field(primary_key=True)  # 2024-Q2
    opening: str = "[]"  # each part a JSON list of paragraphs
    results: str = "[]"
    shortcomings: str = "[]"
    directions: str = "[]"
    path: str = ""


class ReviewSnapshotRow(SQLModel, table=True):
    """A review as built, kept to answer the same question again at once.

    It stands while nothing it read has changed: no ledger event or alert dated on or
    before its date recorded since (the marks: the highest id and the number of rows
    then), no instance added, no load logged, and the same names, settings and narrative
    (``context``, a digest). See ``dirtrack.review.snapshot``.
    """

    __tablename__ = "review_snapshot"

    jurisdiction: str = Field(primary_key=True)
    quarter: str = Field(primary_key=True)
    as_of: date = Field(primary_key=True)
    directive: str = Field(primary_key=True)  # "" for the whole jurisdiction
    event_mark: int = 0
    event_count: int = 0
    outbox_mark: int = 0
    outbox_count: int = 0
    instance_mark: int = 0
    load_mark: int = 0
    context: str = ""
    built_at: datetime
    data: str  # the review, encoded by dirtrack.review.snapshot


class PageSnapshotRow(SQLModel, table=True):
    """What a page shows, as built (the dashboard's counts and lists, the review's figures
    beside them, the review's document), kept to answer the first request of the day at
    once: the daily deadline check builds them. It stands as a kept review does, by the
    same marks (see ``dirtrack.pages_kept``)."""

    __tablename__ = "page_snapshot"

    page: str = Field(primary_key=True)  # dashboard | review-figures | review-document
    question: str = Field(primary_key=True)  # the page's choices: jurisdiction, quarter...
    as_of: date = Field(primary_key=True)
    event_mark: int = 0
    event_count: int = 0
    outbox_mark: int = 0
    outbox_count: int = 0
    instance_mark: int = 0
    load_mark: int = 0
    context: str = ""
    built_at: datetime
    data: str  # JSON, encoded by dirtrack.review.snapshot's rules
