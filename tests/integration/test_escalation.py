"""The escalation ladder: which alerts the deadline check records, once, and when it cancels them.

The jurisdiction is in alerts_support.py: prep (dept-a, due 10/04), main (dept-b,
due 15/04, depends on prep) and local (c1, due 20/04); ladder reminder -3 (lead),
overdue +1 (lead), supervisor +7 (parent), issuer +15 (issuer). With no channel
configured every unit is reached on the log channel only, so each outbox row here
is one alert.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dirtrack.alerts import deliver, list_alerts
from dirtrack.errors import InvalidAction
from dirtrack.escalation import check_deadlines
from dirtrack.store.queries import Filters, list_tasks

from .alerts_support import (
    DIRECTIVE,
    UNITS,
    d,
    days,
    outbox,
    outbox_rows,
    record,
    setup,
)

NOW = datetime(2024, 4, 16, 8, 0, tzinfo=UTC)

# Every alert of the ladder when the check runs every day from 06/04 to 06/05:
# (task, step, recipient, the day the check recorded it).
FULL_LADDER = {
    ("esc/prep", "reminder", "dept-a", "2024-04-07"),    # 3 days before 10/04
    ("esc/prep", "overdue", "dept-a", "2024-04-11"),
    ("esc/prep", "supervisor", "prov", "2024-04-17"),    # dept-a's parent
    ("esc/prep", "issuer", "prov", "2024-04-25"),
    ("esc/main", "reminder", "dept-b", "2024-04-12"),
    ("esc/main", "overdue", "dept-b", "2024-04-16"),
    ("esc/main", "root-cause", "dept-a", "2024-04-16"),  # prep (dept-a) blocks it, overdue
    ("esc/main", "supervisor", "prov", "2024-04-22"),
    ("esc/main", "issuer", "prov", "2024-04-30"),
    ("esc/local", "reminder", "c1", "2024-04-17"),
    ("esc/local", "overdue", "c1", "2024-04-21"),
    ("esc/local", "supervisor", "d1", "2024-04-27"),     # c1's parent
    ("esc/local", "issuer", "prov", "2024-05-05"),
}


def _check_every_day(engine, first: str, last: str, times: int = 1) -> dict[str, int]:
    """Run the check ``times`` a day; return what each day recorded in total."""
    recorded = {}
    for day in days(first, last):
        recorded[day.isoformat()] = sum(check_deadlines(engine, day).recorded
                                        for _ in range(times))
    return recorded


def test_each_step_fires_once_per_task_and_recipient_however_often_the_check_runs(
        engine, tmp_path):
    setup(engine, tmp_path)

    recorded = _check_every_day(engine, "2024-04-06", "2024-05-06", times=2)

    assert outbox(engine) == FULL_LADDER
    assert len(outbox_rows(engine)) == 13
    assert {day: n for day, n in recorded.items() if n} == {
        "2024-04-07": 1, "2024-04-11": 1, "2024-04-12": 1, "2024-04-16": 2,
        "2024-04-17": 2, "2024-04-21": 1, "2024-04-22": 1, "2024-04-25": 1,
        "2024-04-27": 1, "2024-04-30": 1, "2024-05-05": 1}
    # a later check records nothing new; one dated before it is refused
    assert check_deadlines(engine, d("2024-06-30")).recorded == 0
    with pytest.raises(InvalidAction):
        check_deadlines(engine, d("2024-04-16"))
    assert len(outbox_rows(engine)) == 13


def test_a_first_check_long_after_the_deadlines_fires_every_step_reached(engine, tmp_path):
    setup(engine, tmp_path)

    first = check_deadlines(engine, d("2024-04-25"))
    again = check_deadlines(engine, d("2024-04-25"))

    assert (first.recorded, first.cancelled) == (7, 0)
    assert first.by_step == {"overdue": 3, "supervisor": 2, "issuer": 1, "root-cause": 1}
    assert (again.recorded, again.by_step) == (0, {})
    assert outbox(engine) == {
        ("esc/prep", "overdue", "dept-a", "2024-04-25"),
        ("esc/prep", "supervisor", "prov", "2024-04-25"),
        ("esc/prep", "issuer", "prov", "2024-04-25"),
        ("esc/main", "overdue", "dept-b", "2024-04-25"),
        ("esc/main", "root-cause", "dept-a", "2024-04-25"),
        ("esc/main", "supervisor", "prov", "2024-04-25"),
        ("esc/local", "overdue", "c1", "2024-04-25"),
    }


def test_a_completion_cancels_pending_steps_and_a_returned_completion_restarts_them(
        engine, tmp_path):
    setup(engine, tmp_path)
    _check_every_day(engine, "2024-04-12", "2024-04-16")  # nothing delivered: all pending

    record(engine, "esc/main", "done", "2024-04-17", unit="dept-b")
    on_17 = check_deadlines(engine, d("2024-04-17"))
    _check_every_day(engine, "2024-04-18", "2024-04-19")

    # main's reminder, overdue and the root-cause alert it raised are withdrawn
    assert on_17.cancelled == 3
    assert outbox(engine, "cancelled") == {
        ("esc/main", "reminder", "dept-b", "2024-04-12"),
        ("esc/main", "overdue", "dept-b", "2024-04-16"),
        ("esc/main", "root-cause", "dept-a", "2024-04-16"),
    }
    assert {a for a in outbox(engine, "pending") if a[0] == "esc/main"} == set()

    record(engine, "esc/main", "returned", "2024-04-20", note="thiếu biên bản")
    _check_every_day(engine, "2024-04-20", "2024-04-23")

    assert {a for a in outbox(engine, "pending") if a[0] == "esc/main"} == {
        ("esc/main", "overdue", "dept-b", "2024-04-20"),      # the ladder starts again
        ("esc/main", "root-cause", "dept-a", "2024-04-20"),   # prep is still overdue
        ("esc/main", "supervisor", "prov", "2024-04-22"),     # 7 days after 15/04
    }
    reopened = [r for r in outbox_rows(engine) if r["fired_on"] == d("2024-04-20")]
    assert {r["opened_on"] for r in reopened} == {d("2024-04-20")}
    assert len(outbox(engine, "cancelled")) == 3


def test_a_delivered_step_is_neither_cancelled_nor_sent_again(engine, tmp_path):
    setup(engine, tmp_path)
    check_deadlines(engine, d("2024-04-11"))
    deliver(engine, NOW, tmp_path / "alerts")

    record(engine, "esc/prep", "done", "2024-04-12", unit="dept-a")
    later = check_deadlines(engine, d("2024-04-12"))
    report = deliver(engine, NOW.replace(day=17), tmp_path / "alerts")

    assert later.cancelled == 0
    assert (report.digests_sent, report.alerts_sent) == (1, 1)  # only main's new reminder
    assert outbox(engine, "pending") == set()
    assert outbox(engine, "delivered") == {("esc/prep", "overdue", "dept-a", "2024-04-11"),
                                           ("esc/main", "reminder", "dept-b", "2024-04-12")}


def test_an_extension_cancels_pending_steps_and_rearms_the_ladder_against_the_new_deadline(
        engine, tmp_path):
    setup(engine, tmp_path)
    _check_every_day(engine, "2024-04-07", "2024-04-11")

    record(engine, "esc/prep", "extended", "2024-04-12", new_due=d("2024-04-30"),
           decision="QĐ 55/QĐ-BCĐ")
    on_12 = check_deadlines(engine, d("2024-04-12"))
    _check_every_day(engine, "2024-04-13", "2024-05-02")

    assert on_12.cancelled == 2
    assert outbox(engine, "cancelled") == {
        ("esc/prep", "reminder", "dept-a", "2024-04-07"),
        ("esc/prep", "overdue", "dept-a", "2024-04-11"),
    }
    assert {a for a in outbox(engine, "pending") if a[0] == "esc/prep"} == {
        ("esc/prep", "reminder", "dept-a", "2024-04-27"),  # 3 days before 30/04
        ("esc/prep", "overdue", "dept-a", "2024-05-01"),
    }
    new_prep = [r for r in outbox_rows(engine)
                if r["status"] == "pending" and r["step"] in ("reminder", "overdue")
                and r["fired_on"] >= d("2024-04-27") and r["recipient_id"] == "dept-a"]
    assert [r["due_on"] for r in new_prep] == [d("2024-04-30"), d("2024-04-30")]
    # no supervisor step for prep: 7 days after the new deadline is not reached yet, and
    # main is blocked by an overdue prep again only from 01/05
    assert ("esc/main", "root-cause", "dept-a", "2024-05-01") in outbox(engine, "pending")
    assert not any(a[0] == "esc/prep" and a[1] in ("supervisor", "issuer")
                   for a in outbox(engine))


def test_an_extension_rearms_steps_that_were_already_delivered(engine, tmp_path):
    setup(engine, tmp_path)
    check_deadlines(engine, d("2024-04-11"))
    deliver(engine, NOW, tmp_path / "alerts")
    record(engine, "esc/prep", "extended", "2024-04-12", new_due=d("2024-04-20"),
           decision="QĐ 56/QĐ-BCĐ")

    _check_every_day(engine, "2024-04-12", "2024-04-21")

    prep = {a for a in outbox(engine) if a[0] == "esc/prep"}
    assert prep == {
        ("esc/prep", "overdue", "dept-a", "2024-04-11"),   # delivered, stays delivered
        ("esc/prep", "reminder", "dept-a", "2024-04-17"),  # against 20/04
        ("esc/prep", "overdue", "dept-a", "2024-04-21"),
    }
    assert ("esc/prep", "overdue", "dept-a", "2024-04-11") in outbox(engine, "delivered")


def test_root_cause_names_the_blocking_task_and_alerts_its_unit(engine, tmp_path):
    setup(engine, tmp_path)

    result = check_deadlines(engine, d("2024-04-16"))

    assert result.by_step == {"overdue": 2, "root-cause": 1}
    found = {(a.recipient, a.task, a.step): a.cause for a in list_alerts(engine)}
    assert found == {
        ("dept-a", "esc/prep", "overdue"): None,
        ("dept-b", "esc/main", "overdue"): "esc/prep",     # the symptom names its cause
        ("dept-a", "esc/main", "root-cause"): "esc/prep",  # and the cause's unit hears of it
    }


def test_no_root_cause_when_the_prerequisite_is_led_by_the_same_unit(engine, tmp_path):
    same_unit = DIRECTIVE.replace("lead: dept-b", "lead: dept-a")
    setup(engine, tmp_path, directive=same_unit)
    check_deadlines(engine, d("2024-04-16"))

    assert {(a.recipient, a.task, a.step, a.cause) for a in list_alerts(engine)} == {
        ("dept-a", "esc/prep", "overdue", None), ("dept-a", "esc/main", "overdue", None)}


def test_no_root_cause_once_the_prerequisite_is_done_late(engine, tmp_path):
    setup(engine, tmp_path)
    record(engine, "esc/prep", "done", "2024-04-14", unit="dept-a")

    check_deadlines(engine, d("2024-04-16"))

    assert {(a.recipient, a.task, a.step, a.cause) for a in list_alerts(engine)} == {
        ("dept-b", "esc/main", "overdue", None)}


FAN_OUT_UNITS = UNITS + """\
  - {id: c2, name: "Xã Hai", level: commune, kind: government, parent: d1, email: x2@tinh.example}
"""
FAN_OUT = """\
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
    depends_on: [{task: meeting, at_least: 50%}]
    due: 2024-04-15
"""


def test_root_cause_follows_the_dependency_threshold(engine, tmp_path):
    """summary needs half of the two meetings: c1's is done, so c2's overdue one blocks nothing."""
    setup(engine, tmp_path, directive=FAN_OUT, units=FAN_OUT_UNITS)
    record(engine, "esc/meeting@c1", "done", "2024-04-09", unit="c1")
    summary = next(t for t in list_tasks(engine, d("2024-04-16"), Filters(directive="esc"))
                   if t.id == "esc/summary")
    assert (summary.status, summary.blocked) == ("open_overdue", False)

    check_deadlines(engine, d("2024-04-16"))

    assert {(a.recipient, a.task, a.step, a.cause) for a in list_alerts(engine)} == {
        ("c2", "esc/meeting@c2", "overdue", None),
        ("d1", "esc/summary", "overdue", None),
    }


def test_root_cause_while_below_the_threshold(engine, tmp_path):
    """With neither meeting done, summary is blocked: both communes hear of it."""
    setup(engine, tmp_path, directive=FAN_OUT, units=FAN_OUT_UNITS)

    check_deadlines(engine, d("2024-04-16"))

    assert {(a.recipient, a.task, a.step, a.cause) for a in list_alerts(engine)} == {
        ("c1", "esc/meeting@c1", "overdue", None),
        ("c2", "esc/meeting@c2", "overdue", None),
        ("d1", "esc/summary", "overdue", "esc/meeting@c1"),
        ("c1", "esc/summary", "root-cause", "esc/meeting@c1"),
        ("c2", "esc/summary", "root-cause", "esc/meeting@c2"),
    }


def test_a_pending_root_cause_alert_is_cancelled_when_the_blocking_task_is_done(
        engine, tmp_path):
    setup(engine, tmp_path)
    check_deadlines(engine, d("2024-04-16"))  # recorded, not yet delivered

    record(engine, "esc/prep", "done", "2024-04-17", unit="dept-a")
    check_deadlines(engine, d("2024-04-17"))

    # dept-a must not be told on 17/04 that its finished task is blocking dept-b
    assert ("esc/main", "root-cause", "dept-a", "2024-04-16") in outbox(engine, "cancelled")


# --- the command line ------------------------------------------------------------------


def test_escalate_prints_the_summary_line_and_records_nothing_twice(cli, project, tmp_path):
    from .alerts_support import write_jurisdiction

    write_jurisdiction(project)
    assert cli("load", "directives/tinh-thu", "--on", "2024-04-01").exit_code == 0
    alerts_dir = str(tmp_path / "alerts")

    first = cli("escalate", "--as-of", "2024-04-16", "--alerts-dir", alerts_dir)
    again = cli("escalate", "--as-of", "2024-04-16", "--alerts-dir", alerts_dir)
    record_done = cli("done", "esc/main", "--unit", "dept-b", "--on", "2024-04-17")
    after_done = cli("escalate", "--as-of", "2024-04-17", "--alerts-dir", alerts_dir)

    assert first.exit_code == 0
    assert "delivery failed" not in first.stderr  # (Prefect may add its own warnings there)
    assert first.stdout == (
        "deadline check as of 2024-04-16: 3 alert(s) recorded (overdue 2, root-cause 1), "
        "0 cancelled; 2 digest(s) sent (3 alert(s)), 0 failed, 0 alert(s) waiting\n")
    assert again.stdout == (
        "deadline check as of 2024-04-16: 0 alert(s) recorded, 0 cancelled; 0 digest(s) "
        "sent (0 alert(s)), 0 failed, 0 alert(s) waiting\n")
    assert record_done.exit_code == 0
    # 17/04: prep reaches its supervisor (prov), local its reminder (c1); main is done
    assert after_done.stdout == (
        "deadline check as of 2024-04-17: 2 alert(s) recorded (reminder 1, supervisor 1), "
        "0 cancelled; 2 digest(s) sent (2 alert(s)), 0 failed, 0 alert(s) waiting\n")


def test_escalate_rejects_a_bad_date(cli):
    run = cli("escalate", "--as-of", "16/04/2024")

    assert run.exit_code == 2
    assert "'16/04/2024' is not a date; write it as YYYY-MM-DD" in run.stderr


def test_a_bulk_check_refreshes_postgresql_statistics_of_the_outbox(engine, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setattr("dirtrack.escalation.BULK_ROWS", 7)  # this check counts as bulk
    setup(engine, tmp_path)

    assert check_deadlines(engine, d("2024-04-25")).recorded == 7

    if engine.dialect.name == "postgresql":  # the planner knows the outbox's new size
        with engine.connect() as conn:
            planned = conn.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE oid = 'outbox'::regclass").scalar_one()
        assert planned == 7


def test_a_check_dated_before_alerts_already_recorded_is_refused_and_withdraws_nothing(
        cli, project, engine, tmp_path):
    from .alerts_support import write_jurisdiction

    write_jurisdiction(project)
    assert cli("load", "directives/tinh-thu", "--on", "2024-04-01").exit_code == 0
    check_deadlines(engine, d("2024-04-16"))  # overdue and root-cause alerts, all pending
    before = outbox_rows(engine)

    run = cli("escalate", "--as-of", "2024-04-10", "--alerts-dir", str(tmp_path / "alerts"))

    assert (run.exit_code, run.stderr) == (
        1, "error: the outbox already holds alerts as of 2024-04-16; run the deadline check "
           "as of 2024-04-16 or later\n")
    assert outbox_rows(engine) == before
    assert {r["status"] for r in before} == {"pending"}


def test_a_bad_delivery_setting_stops_the_check_before_it_records_anything(
        cli, project, engine, tmp_path, monkeypatch):
    from .alerts_support import write_jurisdiction

    write_jurisdiction(project)
    assert cli("load", "directives/tinh-thu", "--on", "2024-04-01").exit_code == 0
    monkeypatch.setenv("DIRTRACK_RETRY_SECONDS", "soon")

    run = cli("escalate", "--as-of", "2024-04-16", "--alerts-dir", str(tmp_path / "alerts"))

    assert (run.exit_code, run.stderr) == (
        1, "error: DIRTRACK_RETRY_SECONDS='soon' is not a number of at least 0; fix or unset "
           "it\n")
    assert outbox_rows(engine) == []
