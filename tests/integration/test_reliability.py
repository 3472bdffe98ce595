"""Reliability: a delivering process killed mid-way, and deadline checks running at once.

The fan-out jurisdiction: twelve communes c01..c12 under district d1 under prov.
meeting@cNN is led by each commune, due 10/04; summary (d1, due 15/04) needs all
twelve meetings. The webhook reaches the communes; every unit has the log channel.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import func, select, text

from dirtrack.alerts import deliver, list_alerts
from dirtrack.escalation import cancel_stale, check_deadlines
from dirtrack.store.engine import make_engine
from dirtrack.store.outbox import digest_mark, lock_outbox, sending_turn
from dirtrack.store.tables import InstanceRow, OutboxRow

from ..conftest import fresh_database
from .alerts_support import (
    WEBHOOK_ENV,
    WebhookReceiver,
    alerts_in,
    d,
    deliveries,
    outbox_rows,
    record,
    setup,
)

COMMUNES = [f"c{n:02d}" for n in range(1, 13)]
OUTBOX_LOCK_KEY = 0x6F757462  # "outb", dirtrack/store/outbox.py
UNITS = """\
jurisdiction:
  name: "Tỉnh Thử Nghiệm"
units:
  - {id: prov, name: "Ban Thường vụ Tỉnh ủy", level: province, kind: party}
  - {id: d1, name: "Huyện Một", level: district, kind: government, parent: prov}
""" + "".join(f'  - {{id: {c}, name: "Xã {c[1:]}", level: commune, kind: government, '
              f'parent: d1}}\n' for c in COMMUNES)
DIRECTIVE = """\
directive:
  id: esc
  number: "12-KH/BCĐ"
  kind: plan
  title: "Kế hoạch thử nghiệm"
  issued_by: prov
  issued_on: 2024-04-01
tasks:
  - id: meeting
    title: "Họp dân"
    for_each: commune
    sector: political-system
    due: 2024-04-10
  - id: summary
    title: "Tổng hợp"
    lead: d1
    sector: political-system
    depends_on: [meeting]
    due: 2024-04-15
"""
WEBHOOK_TO_COMMUNES = f"""\
channels:
  webhook: {{url_env: {WEBHOOK_ENV}}}
routes:
  - {{channel: webhook, levels: [commune]}}
"""

DELIVER = """\
import sys
from datetime import UTC, datetime
from pathlib import Path
from dirtrack.alerts import deliver
from dirtrack.store.engine import make_engine
deliver(make_engine(sys.argv[1]), datetime.now(UTC), Path(sys.argv[2]))
"""


def test_a_delivery_killed_mid_way_is_finished_by_the_next_run_exactly_once(
        db_url, engine, tmp_path, monkeypatch):
    monkeypatch.setenv("DIRTRACK_RETRY_SECONDS", "0")
    receiver = WebhookReceiver(delay=0.05, stall_at=4)  # slow; the 4th answer never comes
    monkeypatch.setenv(WEBHOOK_ENV, receiver.url())
    try:
        setup(engine, tmp_path, directive=DIRECTIVE, units=UNITS, channels=WEBHOOK_TO_COMMUNES)
        check_deadlines(engine, d("2024-04-11"))  # 12 overdue meetings: 24 alerts, 2 channels
        sender = subprocess.Popen([sys.executable, "-c", DELIVER, db_url,
                                   str(tmp_path / "alerts")], env=os.environ.copy(),
                                  stderr=subprocess.PIPE)
        try:
            receiver.wait_for(4)  # the 4th digest is in, its answer held back
        finally:
            sender.send_signal(signal.SIGKILL)
            sender.wait(10)
        receiver.stall_at = None
        receiver.release.set()
        assert sender.returncode == -signal.SIGKILL

        states: dict[tuple[str, bool], int] = defaultdict(int)
        for x in deliveries(engine):
            if x["channel"] == "webhook":
                states[(x["status"], x["id"] in receiver.key_counts())] += 1
        # three answered and recorded; the 4th received but not recorded; 8 not sent yet
        assert dict(states) == {("delivered", True): 3, ("sending", True): 1,
                                ("sending", False): 8}
        in_flight = next(x["id"] for x in deliveries(engine)
                         if x["status"] == "sending" and x["id"] in receiver.key_counts())

        again = deliver(engine, datetime.now(UTC), tmp_path / "alerts")
    finally:
        receiver.close()

    assert (again.digests_failed, again.alerts_waiting) == (0, 0)
    keys = receiver.key_counts()
    assert len(keys) == 12
    assert {k: n for k, n in keys.items() if n > 1} == {in_flight: 2}  # the consumer dedupes
    alert_keys: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for key, post in receiver.unique().items():
        for alert in alerts_in(post.payload):
            alert_keys[alert].add(key)
    expected = {(c, f"esc/meeting@{c}", "overdue") for c in COMMUNES}
    assert set(alert_keys) == expected                                # none missing
    assert all(len(found) == 1 for found in alert_keys.values())      # none under two keys
    assert {x["id"] for x in deliveries(engine) if x["channel"] == "webhook"} == set(keys)
    alerts = list_alerts(engine)
    assert len(alerts) == 24
    assert {a.status for a in alerts} == {"delivered"}


# What each round records with the ladder of alerts_support (reminder 3 days before to
# the lead, overdue 1 day after, supervisor 7 days after to the parent, issuer 15 days
# after), worked out by hand; no channel is configured, so each is one log alert:
ROUNDS = [
    ("2024-04-08", 12),  # 12 meeting reminders
    ("2024-04-11", 12),  # 12 meetings overdue
    ("2024-04-16", 13),  # summary overdue (d1) + 12 root-cause alerts, one per commune
    ("2024-04-17", 12),  # 12 meetings at supervisor (d1)
    ("2024-04-25", 13),  # 12 meetings at issuer (prov) + summary at supervisor (prov)
]


def _duplicates(engine) -> int:
    O = OutboxRow.__table__
    key = [O.c.instance_pk, O.c.step, O.c.recipient_id, O.c.channel, O.c.due_on, O.c.opened_on]
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(
            select(*key).group_by(*key).having(func.count() > 1).subquery())).scalar_one()


def _at_once(*calls: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``calls`` in threads released together; return what each returned, and any
    error raised."""
    start = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            start.wait(10)
            results.append(call())
        except BaseException as exc:  # reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def test_deadline_checks_running_at_once_record_each_alert_once(engine, tmp_path):
    setup(engine, tmp_path, directive=DIRECTIVE, units=UNITS)
    total = 0
    for day, expected in ROUNDS:
        results, errors = _at_once(*[partial(check_deadlines, engine, d(day))] * 4)

        assert errors == []
        recorded = [r.recorded for r in results]
        total += expected
        assert sum(recorded) == expected, (day, recorded)  # each alert counted by one check
        assert len(outbox_rows(engine)) == total
        assert _duplicates(engine) == 0
        assert check_deadlines(engine, d(day)).recorded == 0  # nothing left unrecorded
    assert total == 62


def test_checks_and_deliveries_running_at_once_send_each_alert_once(
        engine, tmp_path, monkeypatch):
    receiver = WebhookReceiver(delay=0.02)
    monkeypatch.setenv(WEBHOOK_ENV, receiver.url())
    send = partial(deliver, engine, datetime.now(UTC), tmp_path / "alerts")
    try:
        setup(engine, tmp_path, directive=DIRECTIVE, units=UNITS, channels=WEBHOOK_TO_COMMUNES)
        for day, _ in ROUNDS:
            _, errors = _at_once(*[partial(check_deadlines, engine, d(day))] * 2, send, send)
            assert errors == []
        last = send()
    finally:
        receiver.close()

    assert last.alerts_waiting == 0
    alerts = list_alerts(engine)
    assert {a.status for a in alerts} == {"delivered"}
    to_communes = {(a.recipient, a.task, a.step) for a in alerts if a.channel == "webhook"}
    # per commune: its meeting's reminder and overdue alerts, and the root cause alert
    # for the summary its overdue meeting holds up
    assert len(to_communes) == 36
    digests_of: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for key, post in receiver.unique().items():
        for alert in alerts_in(post.payload):
            digests_of[alert].add(key)
    assert set(digests_of) == to_communes                              # none missing
    assert all(len(keys) == 1 for keys in digests_of.values())          # none in two digests
    assert set(receiver.key_counts().values()) == {1}                  # no digest sent twice


def _waiting_for_the_outbox_lock(engine: Any) -> int:
    """How many PostgreSQL sessions wait for this database's outbox lock (an advisory
    lock on the outbox key and the schema's hash, see dirtrack/store/outbox.py)."""
    with engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND classid = :key AND objsubid = 2 "
            "AND objid = (hashtext(current_schema())::bigint & 4294967295)::oid"),
            {"key": OUTBOX_LOCK_KEY}).scalar_one())


def test_a_delivery_started_while_a_check_withdraws_alerts_never_sends_them(
        engine, tmp_path, monkeypatch):
    """c01 reports its meeting done; the next check withdraws c01's overdue alerts while a
    delivery starts. The delivery gathers its digests only once the check has finished,
    so an alert listed as cancelled was never sent, and one listed delivered was.

    The check pauses inside its transaction, having withdrawn the alerts, until the
    delivery has reached the outbox lock (and, on PostgreSQL, is seen waiting for it)."""
    receiver = WebhookReceiver()
    monkeypatch.setenv(WEBHOOK_ENV, receiver.url())
    withdrawn, at_the_lock, go_on = threading.Event(), threading.Event(), threading.Event()
    seen_when_gathering: list[str] = []  # c01's overdue webhook alert, as the delivery saw it

    def cancel_then_pause(conn: Any, as_of: Any) -> int:
        cancelled = cancel_stale(conn, as_of)
        withdrawn.set()
        go_on.wait(30)  # the check's transaction stays open meanwhile
        return cancelled

    def announce_then_lock(conn: Any) -> None:
        at_the_lock.set()
        lock_outbox(conn)

    def gather_mark(conn: Any) -> int:
        O, I = OutboxRow.__table__, InstanceRow.__table__
        seen_when_gathering.append(conn.execute(
            select(O.c.status).join(I, I.c.pk == O.c.instance_pk)
            .where(I.c.key == "esc/meeting@c01", O.c.channel == "webhook")).scalar_one())
        return digest_mark(conn)

    try:
        setup(engine, tmp_path, directive=DIRECTIVE, units=UNITS, channels=WEBHOOK_TO_COMMUNES)
        check_deadlines(engine, d("2024-04-11"))  # 12 overdue meetings: 24 alerts, 2 channels
        record(engine, "esc/meeting@c01", "done", "2024-04-11", unit="c01")
        monkeypatch.setattr("dirtrack.escalation.cancel_stale", cancel_then_pause)
        monkeypatch.setattr("dirtrack.alerts.lock_outbox", announce_then_lock)
        monkeypatch.setattr("dirtrack.alerts.digest_mark", gather_mark)

        checks: list[Any] = []
        checking = threading.Thread(target=lambda: checks.append(
            check_deadlines(engine, d("2024-04-11"))))
        checking.start()
        assert withdrawn.wait(30)
        sends: list[Any] = []
        delivery = threading.Thread(target=lambda: sends.append(
            deliver(engine, datetime.now(UTC), tmp_path / "alerts")))
        delivery.start()
        assert at_the_lock.wait(30)
        deadline = time.monotonic() + 30
        while engine.dialect.name == "postgresql" and not _waiting_for_the_outbox_lock(engine):
            assert time.monotonic() < deadline, "the delivery never waited for the outbox lock"
            time.sleep(0.05)
        go_on.set()
        checking.join(30)
        delivery.join(30)
    finally:
        go_on.set()
        receiver.close()

    assert seen_when_gathering == ["cancelled"]  # the check had committed its withdrawal
    assert checks[0].cancelled == 2 and sends[0].alerts_waiting == 0
    received = {alert for post in receiver.unique().values() for alert in alerts_in(post.payload)}
    assert received == {(c, f"esc/meeting@{c}", "overdue") for c in COMMUNES[1:]}
    listed = {(a.recipient, a.task, a.step, a.channel): a.status for a in list_alerts(engine)}
    assert listed[("c01", "esc/meeting@c01", "overdue", "webhook")] == "cancelled"
    assert {(r, t, s) for (r, t, s, channel), status in listed.items()
            if channel == "webhook" and status == "delivered"} == received


def test_databases_side_by_side_never_wait_on_each_others_turns(
        db_url, engine, tmp_path, monkeypatch):
    """Two dirtrack databases (two PostgreSQL schemas, or two SQLite files): one holding
    its outbox lock and its sending turn does not hold up a check or a delivery in the
    other."""
    receiver = WebhookReceiver()
    monkeypatch.setenv(WEBHOOK_ENV, receiver.url())
    kind = engine.dialect.name
    with fresh_database(kind, tmp_path / "other") as other_url:
        other = make_engine(other_url)
        try:
            setup(other, tmp_path / "repo", directive=DIRECTIVE, units=UNITS,
                  channels=WEBHOOK_TO_COMMUNES)
            setup(engine, tmp_path / "idle", directive=DIRECTIVE, units=UNITS)
            done: list[Any] = []

            def check_and_deliver() -> None:
                done.append(check_deadlines(other, d("2024-04-11")))
                done.append(deliver(other, datetime.now(UTC), tmp_path / "alerts"))

            with sending_turn(engine), engine.begin() as conn:
                lock_outbox(conn)
                elsewhere = threading.Thread(target=check_and_deliver)
                elsewhere.start()
                elsewhere.join(60)
                assert not elsewhere.is_alive()
        finally:
            receiver.close()
            other.dispose()

    assert done[0].recorded == 24 and done[1].alerts_sent == 24
