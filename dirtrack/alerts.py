"""Alert channels behind one interface, and delivery of the outbox as digests.

One digest per recipient and channel per run. A digest is stored (subject, body,
JSON payload) before it is sent, and its id is the idempotency key the receiver
sees (``Idempotency-Key`` header, e-mail ``Message-ID``): a run killed mid-way
resends the same digest with the same id, and a failed send stays pending and is
retried with back-off by a later run. Runs send one at a time (a scheduled and a
manual run never send the same digest twice). No alert is lost, and a receiver that
honours the key sees each once even after a killed run.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlparse

from sqlalchemy import Connection, Engine, and_, func, literal_column, or_, select, update
from sqlalchemy.sql import ColumnElement

from dirtrack.config import settings
from dirtrack.errors import ConfigError, DirtrackError
from dirtrack.spec.files import inside
from dirtrack.store.bulk import bulk_insert
from dirtrack.store.outbox import (
    ALERT_STATUS,
    CARRIED_BY,
    MARK,
    digest_mark,
    lock_outbox,
    sending_turn,
    waiting,
)
from dirtrack.store.spans import chunks
from dirtrack.store.tables import (
    DeliveryRow,
    DirectiveRow,
    InstanceRow,
    JurisdictionRow,
    OutboxRow,
    StateRow,
    TaskRow,
    UnitRow,
)
from dirtrack.templating import environment, step_label

log = logging.getLogger("dirtrack.alerts")
# httpx logs each request line at INFO, and a webhook URL may carry a token.
logging.getLogger("httpx").setLevel(logging.WARNING)
O, DL, I = (OutboxRow.__table__, DeliveryRow.__table__,  # type: ignore[attr-defined]
            InstanceRow.__table__)  # type: ignore[attr-defined]
T, D = TaskRow.__table__, DirectiveRow.__table__  # type: ignore[attr-defined]
U, J = UnitRow.__table__, JurisdictionRow.__table__  # type: ignore[attr-defined]
S = StateRow.__table__  # type: ignore[attr-defined]
# Digests on the log and file channels are marked delivered together, at most this many
# seconds apart (resending them after a crash is harmless); webhook and e-mail ones
# each as soon as they are sent.
MARK_EVERY_SECONDS = 2.0
DIGEST_DETAIL = 50  # tasks written out in a digest's text; the rest are counted by step


class DeliveryError(DirtrackError):
    """A channel could not deliver a digest; it will be retried."""


@dataclass
class Digest:
    id: str
    recipient_id: str
    recipient_name: str
    recipient_email: str
    channel: str
    as_of: date
    subject: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)


class Channel(Protocol):
    name: str

    def send(self, digest: Digest) -> None:
        """Deliver the digest or raise DeliveryError."""


class LogChannel:
    name = "log"

    def send(self, digest: Digest) -> None:
        log.info("alert digest %s to %s: %s", digest.id, digest.recipient_id, digest.subject)


class FileChannel:
    """Writes each digest to a file named by its id: resending rewrites the same file."""

    name = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, digest: Digest) -> None:
        target = self.folder / digest.as_of.isoformat() / f"{digest.recipient_id}-{digest.id}.txt"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"{digest.subject}\n\n{digest.body}", encoding="utf-8")
        except OSError as exc:
            raise DeliveryError(f"cannot write {target}: {exc.strerror}") from None


class WebhookChannel:
    """POSTs the digest as JSON; any answer but 2xx is a failure to retry."""

    name = "webhook"

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, digest: Digest) -> None:
        import httpx

        try:
            response = httpx.post(self.url, json=digest.payload, timeout=self.timeout,
                                  headers={"Idempotency-Key": digest.id})
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            # Only the kind of error: the URL may carry a token.
            raise DeliveryError(f"webhook unreachable: {type(exc).__name__}") from None
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook answered HTTP {response.status_code}")


class EmailChannel:
    """Sends the digest over SMTP: ``smtp://user:password@host:port`` in plain text (a relay
    nearby), ``smtps://`` in TLS from the first byte (port 465), ``smtp+starttls://`` in
    TLS after STARTTLS (port 587), never in plain text, even when the server does not
    offer STARTTLS. Over TLS the server's certificate is checked against the system's
    authorities, or only against ``?cafile=/path/ca.pem`` (a province's own authority)."""

    name = "email"
    PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}

    def __init__(self, url: str, sender: str, timeout: float = 10.0) -> None:
        self.url = urlparse(url)
        self.sender = sender
        self.timeout = timeout

    def _tls(self) -> ssl.SSLContext | None:
        """Return the TLS context the URL asks for (None for plain ``smtp://``)."""
        scheme = self.url.scheme
        if scheme not in self.PORTS:
            raise DeliveryError("the SMTP URL must start with smtp://, smtps:// or "
                                "smtp+starttls://; fix the environment variable it comes from")
        params = parse_qs(self.url.query, keep_blank_values=True)
        unknown = sorted(set(params) - {"cafile"})
        if unknown:
            raise DeliveryError(f"the SMTP URL has an unknown parameter {unknown[0]!r} "
                                f"(known: cafile)")
        cafile = params.get("cafile", [None])[-1]
        if scheme == "smtp":
            if cafile is not None:
                raise DeliveryError("cafile is for smtps:// and smtp+starttls:// URLs")
            return None
        try:
            return ssl.create_default_context(cafile=cafile or None)
        except (OSError, ValueError) as exc:
            raise DeliveryError(f"the SMTP URL's cafile {cafile} cannot be read as PEM "
                                f"certificates: {type(exc).__name__}") from None

    def send(self, digest: Digest) -> None:
        if not digest.recipient_email:
            raise DeliveryError(f"unit {digest.recipient_id} has no email in units.yaml")
        msg = EmailMessage()
        msg["Subject"] = digest.subject
        msg["From"] = self.sender
        msg["To"] = digest.recipient_email
        msg["Message-ID"] = f"<{digest.id}@dirtrack>"
        msg.set_content(digest.body)
        tls = self._tls()
        host = self.url.hostname or "127.0.0.1"
        try:
            port = self.url.port or self.PORTS[self.url.scheme]
        except ValueError:
            raise DeliveryError("the SMTP URL has a bad port; fix the environment variable "
                                "it comes from") from None
        try:
            if self.url.scheme == "smtps":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=self.timeout,
                                                      context=tls)
            else:
                smtp = smtplib.SMTP(host, port, timeout=self.timeout)
            with smtp:
                if self.url.scheme == "smtp+starttls":
                    smtp.ehlo()
                    if not smtp.has_extn("starttls"):
                        raise DeliveryError(f"SMTP server {host}:{port} does not offer "
                                            f"STARTTLS; nothing was sent")
                    smtp.starttls(context=tls)
                    smtp.ehlo()
                if self.url.username:
                    smtp.login(unquote(self.url.username), unquote(self.url.password or ""))
                smtp.send_message(msg)
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(f"SMTP server {host}:{port} has a certificate that cannot be "
                                f"trusted ({exc.verify_message}); if a local authority signed "
                                f"it, add ?cafile=/path/ca.pem to the URL") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP server {host}:{port} refused or unreachable: "
                                f"{type(exc).__name__}") from None
        except UnicodeEncodeError:  # SMTP logins are ASCII; never print the secret itself
            raise DeliveryError(f"the user name or password for SMTP server {host}:{port} "
                                "holds characters SMTP logins cannot carry; use ASCII ones "
                                "in the URL of the channel's secret") from None


def _secret(options: dict[str, str], env_key: str, block_key: str, what: str) -> str:
    if options.get(env_key):
        value = os.environ.get(options[env_key])
        if not value:
            raise DeliveryError(f"{what}: environment variable {options[env_key]} is not set")
        return value
    if options.get(block_key):
        from prefect.blocks.system import Secret  # only operators who use blocks pay for it

        try:
            block: Any = Secret.load(options[block_key])
            return str(block.get())
        except ValueError as exc:
            raise DeliveryError(f"{what}: Prefect Secret block {options[block_key]!r} "
                                f"not found") from exc
    raise DeliveryError(f"{what}: set {env_key} or {block_key} in escalation.yaml")


def build_channel(name: str, options: dict[str, str], alerts_dir: Path) -> Channel:
    """Return the channel called ``name`` configured with ``options`` (secrets resolved)."""
    if name == "log":
        return LogChannel()
    if name == "file":
        folder = alerts_dir / options.get("folder", "")
        if not inside(folder, alerts_dir):  # '..', an absolute path, or a link leading out
            raise DeliveryError(f"file channel: folder '{options['folder']}' leads out of "
                                f"the alerts folder {alerts_dir}; fix it in escalation.yaml")
        return FileChannel(folder)
    if name == "webhook":
        return WebhookChannel(_secret(options, "url_env", "url_block", "webhook channel"))
    if name == "email":
        url = _secret(options, "smtp_env", "smtp_block", "email channel")
        return EmailChannel(url, options.get("sender", "dirtrack@localhost"))
    raise ConfigError(f"unknown channel '{name}'")


def backoff(attempts: int) -> timedelta:
    """Return how long to wait before retry number ``attempts`` (doubling, capped at 6 h)."""
    base = settings().retry_seconds
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


@dataclass
class DeliveryReport:
    digests_sent: int = 0
    alerts_sent: int = 0
    digests_failed: int = 0
    alerts_waiting: int = 0
    digests_waiting: int = 0  # failed earlier, retried once their back-off is over
    errors: list[str] = field(default_factory=list)
    by_channel: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _heads(conn: Connection, gathered: ColumnElement[bool]) -> list[Any]:
    """Return one row per digest to prepare: recipient, channel, date, tasks, alerts and
    language. Every gathered alert is in one (the mark passes them all): an alert to a
    unit no longer known stops the run rather than being passed over."""
    query = (select(O.c.recipient_id, O.c.channel, func.max(O.c.fired_on).label("as_of"),
                    func.count(O.c.instance_pk.distinct()).label("tasks"),
                    func.count().label("alerts"),
                    U.c.name.label("recipient_name"), J.c.name.label("jurisdiction_name"),
                    J.c.language)
             .select_from(O.outerjoin(U, U.c.id == O.c.recipient_id)
                          .outerjoin(J, J.c.id == U.c.jurisdiction))
             .where(gathered)
             .group_by(O.c.recipient_id, O.c.channel, U.c.name, J.c.name, J.c.language))
    heads = list(conn.execute(query))
    unknown = sorted({h.recipient_id for h in heads if h.language is None})
    if unknown:
        raise DirtrackError(f"alerts are waiting for unknown unit(s) {', '.join(unknown)}; "
                            "load the jurisdiction that has them, then run the check again")
    return heads


def _pending_alerts(conn: Connection, gathered: ColumnElement[bool], channels: set[str]
                    ) -> list[Any]:
    """Return the alerts waiting on ``channels``, with what a digest says about each."""
    C, CU, LU = I.alias("c"), U.alias("cu"), U.alias("lu")
    CT, CS = T.alias("ct"), S.alias("cs")
    query = (select(O.c.step, O.c.days, O.c.recipient_id, O.c.channel, O.c.due_on, I.c.key,
                    T.c.title, D.c.number, LU.c.name.label("lead_name"),
                    C.c.key.label("cause_key"), CT.c.title.label("cause_title"),
                    CU.c.name.label("cause_lead"), CS.c.due_on.label("cause_due"))
             .select_from(
                 O.join(I, I.c.pk == O.c.instance_pk).join(T, T.c.pk == I.c.task_pk)
                 .join(D, D.c.id == I.c.directive_id)
                 .join(S, (S.c.instance_pk == I.c.pk) & S.c.valid_to.is_(None))
                 .join(LU, LU.c.id == S.c.lead_id)
                 .outerjoin(C, C.c.pk == O.c.cause_pk).outerjoin(CT, CT.c.pk == C.c.task_pk)
                 .outerjoin(CS, (CS.c.instance_pk == C.c.pk) & CS.c.valid_to.is_(None))
                 .outerjoin(CU, CU.c.id == CS.c.lead_id))
             .where(gathered, O.c.channel.in_(sorted(channels)))
             .order_by(O.c.recipient_id, O.c.channel, O.c.days, I.c.key))
    return list(conn.execute(query))


def _values(head: Any, alerts: list[dict[str, Any]], rest: dict[str, int]) -> dict[str, Any]:
    return {"jurisdiction": head.jurisdiction_name, "as_of": head.as_of, "alerts": alerts,
            "tasks": head.tasks, "rest": rest,
            "recipient": {"id": head.recipient_id, "name": head.recipient_name}}


def _subject(head: Any, env: Any) -> str | None:
    """Render only the template's ``subject`` block: all a log line shows. None when a
    replaced template has no such block (its subject is then its first paragraph)."""
    template = env.get_template(f"digest.{head.language}.txt.j2")
    block = template.blocks.get("subject")
    if block is None:
        return None
    return "".join(block(template.new_context(_values(head, [], {})))).strip()


def _render(head: Any, rows: list[Any], env: Any) -> tuple[str, str, dict[str, Any]]:
    as_of, language = head.as_of, head.language
    alerts = []
    for r in rows:
        cause = None
        if r.cause_key:
            cause = {"task": r.cause_key, "title": r.cause_title, "lead_name": r.cause_lead,
                     "days_overdue": (as_of - r.cause_due).days}
        alerts.append({"task": r.key, "title": r.title, "directive": r.number,
                       "lead_name": r.lead_name, "due_on": r.due_on,
                       "days_overdue": (as_of - r.due_on).days, "step": r.step,
                       "step_label": step_label(r.step, language),
                       "order": (r.days, r.step), "cause": cause})
    # The most pressing first: the highest step, then the longest overdue.
    ranked = sorted(alerts, key=lambda a: (-a["order"][0], -a["days_overdue"], a["task"]))
    shown = sorted(ranked[:DIGEST_DETAIL], key=lambda a: (a["order"], a["task"]))
    rest: dict[str, int] = {}
    for a in ranked[DIGEST_DETAIL:]:
        rest[a["step_label"]] = rest.get(a["step_label"], 0) + 1
    text = env.get_template(f"digest.{language}.txt.j2").render(_values(head, shown, rest))
    subject, _, body = text.partition("\n\n")
    payload = {
        "recipient": {"id": head.recipient_id, "name": head.recipient_name},
        "as_of": as_of.isoformat(), "language": language, "subject": subject,
        "alerts": [{**{k: v for k, v in a.items() if k not in ("order", "step_label")},
                    "due_on": a["due_on"].isoformat()} for a in alerts],
    }
    return subject, body, payload


def _prepare(engine: Engine, now: datetime) -> int:
    """Gather the alerts waiting into stored digests, one per recipient and channel.

    A log digest stores only its subject (the line the log shows); the others store
    their text and, for webhooks, the JSON. Each digest records the id range it took.
    """
    with engine.begin() as conn:
        lock_outbox(conn)
        mark = digest_mark(conn)
        newest = conn.execute(select(func.max(O.c.id)).where(waiting(mark))).scalar()
        if newest is None:
            return 0
        gathered = and_(waiting(mark), O.c.id <= newest)
        env = environment()  # compiled once: its templates are cached for every digest
        heads, subjects = _heads(conn, gathered), {}
        for head in heads:
            if head.channel == "log":
                subjects[(head.recipient_id, head.channel)] = _subject(head, env)
        detailed = {h.channel for h in heads if subjects.get((h.recipient_id, h.channel)) is None}
        rows: dict[tuple[str, str], list[Any]] = defaultdict(list)
        if detailed:
            for r in _pending_alerts(conn, gathered, detailed):
                rows[(r.recipient_id, r.channel)].append(r)
        deliveries = []
        for head in heads:
            group = (head.recipient_id, head.channel)
            digest_id = uuid.uuid4().hex
            subject, body, payload = subjects.get(group), "", "{}"
            if subject is None:
                subject, body, content = _render(head, rows[group], env)
                if head.channel == "webhook":
                    payload = json.dumps({**content, "delivery_id": digest_id},
                                         ensure_ascii=False)
            deliveries.append({"id": digest_id, "recipient_id": head.recipient_id,
                               "channel": head.channel, "as_of": head.as_of, "created_at": now,
                               "after_id": mark, "upto_id": newest, "alerts": head.alerts,
                               "status": "sending", "attempts": 0, "next_attempt_at": None,
                               "last_error": "", "delivered_at": None, "subject": subject,
                               "body": body, "payload": payload})
        bulk_insert(conn, DL, deliveries)
        return len(deliveries)


def check_delivery_settings() -> None:
    """Raise ConfigError for a setting delivery would trip over half-way: the retry
    back-off, or a replaced digest template that does not compile."""
    backoff(1)
    if os.environ.get("DIRTRACK_TEMPLATES"):  # the package's own templates are known good
        env = environment()
        for language in ("vi", "en"):
            env.get_template(f"digest.{language}.txt.j2")


def deliver(engine: Engine, now: datetime, alerts_dir: Path,
            channel_factory: Callable[[str, dict[str, str], Path], Channel] = build_channel,
            ) -> DeliveryReport:
    """Send every digest due now: interrupted ones, retries whose back-off is over, new ones.

    One run sends at a time: a second one started meanwhile waits for its turn."""
    check_delivery_settings()  # a bad setting stops the run before anything is sent
    with sending_turn(engine):
        return _deliver(engine, now, alerts_dir, channel_factory)


def _deliver(engine: Engine, now: datetime, alerts_dir: Path,
             channel_factory: Callable[[str, dict[str, str], Path], Channel]) -> DeliveryReport:
    report = DeliveryReport()
    _prepare(engine, now)
    with engine.connect() as conn:
        due = conn.execute(
            select(DL, U.c.name, U.c.email, J.c.channels)
            .join(U, U.c.id == DL.c.recipient_id).join(J, J.c.id == U.c.jurisdiction)
            .where(DL.c.status != literal_column("'delivered'"),  # as ix_delivery_open
                   or_(DL.c.next_attempt_at.is_(None), DL.c.next_attempt_at <= now))
            .order_by(DL.c.created_at, DL.c.id)).all()
        held_back = conn.execute(select(DL.c.id).where(DL.c.status == "failed",
                                                       DL.c.next_attempt_at > now)).all()
    channels: dict[tuple[str, str], Channel | DeliveryError] = {}
    carried = {row.id: row.alerts for row in due}
    done_ids: list[str] = []
    marked_at = time.monotonic()

    def flush() -> None:
        if not done_ids:
            return
        with engine.begin() as conn:
            for part in chunks(done_ids):
                conn.execute(update(DL).where(DL.c.id.in_(part))
                             .values(status="delivered", delivered_at=now,
                                     attempts=DL.c.attempts + 1))
        report.alerts_sent += sum(carried[i] for i in done_ids)
        done_ids.clear()
        nonlocal marked_at
        marked_at = time.monotonic()

    for row in due:
        key = (row.channel, row.channels)
        if key not in channels:
            options = json.loads(row.channels).get(row.channel, {})
            try:
                channels[key] = channel_factory(row.channel, options, alerts_dir)
            except DeliveryError as exc:
                channels[key] = exc
        digest = Digest(row.id, row.recipient_id, row.name, row.email, row.channel, row.as_of,
                        row.subject, row.body, json.loads(row.payload))
        channel = channels[key]
        try:
            if isinstance(channel, DeliveryError):
                raise channel
            channel.send(digest)
        except DeliveryError as exc:
            flush()
            attempts = row.attempts + 1
            with engine.begin() as conn:
                conn.execute(update(DL).where(DL.c.id == row.id).values(
                    status="failed", attempts=attempts, last_error=str(exc),
                    next_attempt_at=now + backoff(attempts)))
            report.digests_failed += 1
            report.errors.append(f"{row.channel} to {row.recipient_id}: {exc}")
            continue
        done_ids.append(row.id)
        report.digests_sent += 1
        report.by_channel[row.channel] += 1
        if row.channel in ("webhook", "email") \
                or time.monotonic() - marked_at > MARK_EVERY_SECONDS:
            flush()
    flush()
    in_digests = (select(func.coalesce(func.sum(DL.c.alerts), 0))
                  .where(DL.c.status != literal_column("'delivered'")).scalar_subquery())
    not_yet = select(func.count()).select_from(O).where(waiting(MARK)).scalar_subquery()
    with engine.connect() as conn:  # one statement: both counts from the same snapshot
        report.alerts_waiting = conn.execute(select(in_digests + not_yet)).scalar_one()
    report.digests_waiting = len(held_back)
    return report


@dataclass
class AlertLine:
    """One row of the outbox as ``dirtrack alerts`` lists it."""

    id: int
    recipient: str
    task: str
    step: str
    channel: str
    fired_on: date
    status: str
    attempts: int
    last_error: str
    cause: str | None

    def as_json(self) -> dict[str, Any]:
        out = self.__dict__.copy()
        out["fired_on"] = self.fired_on.isoformat()
        return out


def list_alerts(engine: Engine, status: str | None = None, recipient: str | None = None,
                limit: int | None = None) -> list[AlertLine]:
    """Return the outbox, newest first: who, which task, which step, and how delivery went."""
    C = I.alias("c")
    query = (select(O.c.id, O.c.recipient_id, I.c.key, O.c.step, O.c.channel, O.c.fired_on,
                    ALERT_STATUS.label("status"), DL.c.attempts, DL.c.last_error,
                    C.c.key.label("cause"))
             .select_from(O.join(I, I.c.pk == O.c.instance_pk)
                          .outerjoin(DL, CARRIED_BY)
                          .outerjoin(C, C.c.pk == O.c.cause_pk))
             .order_by(O.c.fired_on.desc(), O.c.recipient_id, I.c.key, O.c.step, O.c.channel))
    if status:
        query = query.where(status == ALERT_STATUS)
    if recipient:
        query = query.where(O.c.recipient_id == recipient)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [AlertLine(r.id, r.recipient_id, r.key, r.step, r.channel, r.fired_on, r.status,
                          r.attempts or 0, r.last_error or "", r.cause)
                for r in conn.execute(query)]
