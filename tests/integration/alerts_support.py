"""A small jurisdiction with an escalation ladder, and real receivers for its alerts.

The jurisdiction ``esc`` (units.yaml, calendar.yaml, escalation.yaml, one directive):

    prov    Ban Thường vụ Tỉnh ủy   province  (root)         issues the directive
    dept-a  Sở Kế hoạch             province  parent prov
    dept-b  Sở Văn hóa              province  parent prov
    d1      Huyện Một               district  parent prov
    c1      Xã Một                  commune   parent d1

Directive ``esc`` (12-KH/BCĐ, issued Monday 2024-04-01 by prov):

    esc/prep   dept-a  due 2024-04-10
    esc/main   dept-b  due 2024-04-15  depends on prep (another unit: the root cause)
    esc/local  c1      due 2024-04-20

Ladder: reminder 3 days before (lead), overdue 1 day after (lead), supervisor 7
days after (parent), issuer 15 days after (issuer).

``WebhookReceiver`` is a real HTTP server (http.server in a thread) that records
every POST with its Idempotency-Key and dedupes by that key as a real consumer
would; ``SmtpReceiver`` is a real SMTP server (aiosmtpd) that records every
message with its Message-ID. Both can be told to fail the next N deliveries.
"""

from __future__ import annotations

import json
import textwrap
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from dirtrack.alerts import list_alerts
from dirtrack.plan import read_plan
from dirtrack.store.ledger import record_event
from dirtrack.store.sync import load_plan
from dirtrack.store.tables import DeliveryRow, JurisdictionRow, OutboxRow

JURISDICTION = "tinh-thu"

UNITS = """\
jurisdiction:
  name: "Tỉnh Thử Nghiệm"
units:
  - {id: prov, name: "Ban Thường vụ Tỉnh ủy", level: province, kind: party,
     email: btv@tinh.example}
  - {id: dept-a, name: "Sở Kế hoạch", level: province, kind: government, parent: prov,
     email: ske@tinh.example}
  - {id: dept-b, name: "Sở Văn hóa", level: province, kind: government, parent: prov,
     email: svh@tinh.example}
  - {id: d1, name: "Huyện Một", level: district, kind: government, parent: prov,
     email: h1@tinh.example}
  - {id: c1, name: "Xã Một", level: commune, kind: government, parent: d1,
     email: x1@tinh.example}
"""

CALENDAR = """\
country: VN
extra_days_off: []
extra_working_days: []
"""

LADDER = """\
ladder:
  - {step: reminder, before: 3, to: lead}
  - {step: overdue, after: 1, to: lead}
  - {step: supervisor, after: 7, to: parent}
  - {step: issuer, after: 15, to: issuer}
"""

DIRECTIVE = """\
directive:
  id: esc
  number: "12-KH/BCĐ"
  kind: plan
  title: "Kế hoạch thử nghiệm"
  issued_by: prov
  issued_on: 2024-04-01
tasks:
  - id: prep
    title: "Ban hành kế hoạch"
    lead: dept-a
    sector: political-system
    due: 2024-04-10
  - id: main
    title: "Tổ chức hội nghị"
    lead: dept-b
    sector: cultural-social
    depends_on: [prep]
    due: 2024-04-15
  - id: local
    title: "Họp dân"
    lead: c1
    sector: political-system
    due: 2024-04-20
"""

WEBHOOK_ENV = "DIRTRACK_TEST_WEBHOOK_URL"
SMTP_ENV = "DIRTRACK_TEST_SMTP_URL"
WEBHOOK_ALL = """\
channels:
  webhook: {url_env: DIRTRACK_TEST_WEBHOOK_URL}
routes:
  - {channel: webhook}
"""
EMAIL_ALL = """\
channels:
  email: {smtp_env: DIRTRACK_TEST_SMTP_URL, sender: "canhbao@tinh.example"}
routes:
  - {channel: email}
"""


def d(text: str) -> date:
    return date.fromisoformat(text)


def days(first: str, last: str) -> list[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    start, end = d(first), d(last)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def write_jurisdiction(root: Path, *, language: str = "en", channels: str = "",
                       ladder: str = LADDER, directive: str = DIRECTIVE,
                       units: str = UNITS) -> Path:
    """Write the ``esc`` jurisdiction under ``root``; return its folder."""
    folder = root / "directives" / JURISDICTION
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.yaml").write_text(units, encoding="utf-8")
    (folder / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    (folder / "escalation.yaml").write_text(
        f"language: {language}\n{ladder}{channels}", encoding="utf-8")
    (folder / "esc.yaml").write_text(textwrap.dedent(directive), encoding="utf-8")
    return folder


def load(engine: Engine, folder: Path, on: str = "2024-04-01") -> None:
    """Validate and load ``folder`` as the command line's ``load`` does."""
    load_plan(engine, read_plan(folder), on=d(on))


def setup(engine: Engine, root: Path, **kwargs: Any) -> Path:
    folder = write_jurisdiction(root, **kwargs)
    load(engine, folder)
    return folder


def record(engine: Engine, key: str, kind: str, on: str, **fields: Any) -> None:
    record_event(engine, key, kind, on=d(on), **fields)


def outbox(engine: Engine, status: str | None = None) -> set[tuple[str, str, str, str]]:
    """Return the outbox as {(task, step, recipient, fired_on)} (log channel only)."""
    return {(a.task, a.step, a.recipient, a.fired_on.isoformat())
            for a in list_alerts(engine, status) if a.channel == "log"}


def outbox_rows(engine: Engine) -> list[dict[str, Any]]:
    O = OutboxRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(O).order_by(O.c.id))]


def deliveries(engine: Engine) -> list[dict[str, Any]]:
    DL = DeliveryRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(DL).order_by(DL.c.id))]


def jurisdiction_row(engine: Engine) -> dict[str, Any]:
    J = JurisdictionRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return dict(conn.execute(select(J).where(J.c.id == JURISDICTION)).one()._mapping)


def alerts_in(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Return (recipient, task, step) for every alert a webhook payload carries."""
    return [(payload["recipient"]["id"], a["task"], a["step"]) for a in payload["alerts"]]


@dataclass
class Post:
    key: str
    path: str
    payload: dict[str, Any]


@dataclass
class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 that accepts alert digests.

    ``fail_next`` POSTs are answered ``fail_status`` and not accepted; ``delay`` slows
    every answer down; with ``stall_at`` the answer to the n-th accepted POST waits
    until ``release`` is set (for killing a sender while it waits).
    """

    fail_next: int = 0
    fail_status: int = 503
    delay: float = 0.0
    stall_at: int | None = None
    posts: list[Post] = field(default_factory=list)
    refused: int = 0
    paths: list[str] = field(default_factory=list)  # of every request, accepted or not
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)
    server: ThreadingHTTPServer = field(init=False)

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.paths.append(self.path)
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        receiver.refused += 1
                        status = receiver.fail_status
                        count = None
                    else:
                        receiver.posts.append(Post(self.headers.get("Idempotency-Key", ""),
                                                   self.path, json.loads(body)))
                        count = len(receiver.posts)
                        status = 200
                    receiver.arrived.notify_all()
                if count is not None and receiver.stall_at is not None \
                        and count >= receiver.stall_at:
                    receiver.release.wait(60)
                time.sleep(receiver.delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:  # the sender is gone (killed): a real server shrugs
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def wait_for(self, n: int, timeout: float = 60) -> None:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.posts) >= n, timeout):
                raise AssertionError(f"the webhook received {len(self.posts)} of {n} posts")

    def key_counts(self) -> Counter[str]:
        return Counter(p.key for p in self.posts)

    def unique(self) -> dict[str, Post]:
        """The digests a consumer that dedupes by Idempotency-Key has processed."""
        out: dict[str, Post] = {}
        for p in self.posts:
            out.setdefault(p.key, p)
        return out

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; ``fail_next`` messages get a 451."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.fail_next = 0
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                if receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    return "451 4.3.0 mailbox busy, try again later"
                receiver.messages.append(
                    message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
                receiver.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                return "250 OK"

        class AnyPort(Controller):  # type: ignore[misc]
            def _trigger_server(self) -> None:
                # bound to port 0: read the port the system chose before the first connect
                self.port = self.server.sockets[0].getsockname()[1]
                super()._trigger_server()

        self.controller = AnyPort(Handler(), hostname="127.0.0.1", port=0, ready_timeout=30)
        self.controller.start()

    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    def text(self, message: EmailMessage) -> str:
        """The body as the recipient reads it."""
        return str(message.get_content()).replace("\r\n", "\n")

    def close(self) -> None:
        self.controller.stop()

