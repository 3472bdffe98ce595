"""Recording progress, completion, verification, extension and cancellation in the ledger.

The mini directive (tests/integration/support.py): mini/plan is led by dept-a and due
2024-04-10; mini/report is led by dept-a and due 2024-06-30.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dirtrack.errors import NotAllowed, NotFound
from dirtrack.store.ledger import record_event
from dirtrack.store.spans import rebuild_spans
from dirtrack.store.tables import InstanceRow

from ..fixtures_clock import HANOI_LAST_MINUTE, HANOI_MIDNIGHT
from .support import as_json, by_id, counts, events_of, load_mini

INSTANCES = InstanceRow.__table__  # type: ignore[attr-defined]


@pytest.fixture
def loaded(cli, project):
    load_mini(cli, project)
    return cli


def _status(cli, key: str, as_of: str) -> dict:
    return by_id(as_json(cli("tasks", "--as-of", as_of, "--json", "--directive", "mini")))[key]


def test_done_by_the_lead_unit_is_recorded(loaded, engine):
    run = loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-08",
                 "--note", "plan issued", "--evidence", "12-KH/SA")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == "mini/plan: done recorded on 2024-04-08 (event 1)\n"
    [event] = events_of(engine, "mini/plan")
    assert (event["id"], event["kind"], event["actor"], event["effective_on"].isoformat(),
            event["note"], event["evidence"]) == (1, "done", "dept-a", "2024-04-08",
                                                  "plan issued", "12-KH/SA")
    row = _status(loaded, "mini/plan", "2024-04-08")
    assert (row["status"], row["completed_on"]) == ("done_on_time", "2024-04-08")
    shown = loaded("show", "mini/plan", "--as-of", "2024-04-08").stdout.splitlines()
    assert "  status      done_on_time (reported 2024-04-08, awaiting verification)" in shown
    assert "  2024-04-08  dept-a: done; note: plan issued; evidence: 12-KH/SA" in shown


def test_done_by_another_unit_is_refused_and_nothing_is_recorded(loaded, engine):
    before = counts(engine)

    run = loaded("done", "mini/plan", "--unit", "dept-b", "--on", "2024-04-08")

    assert run.exit_code == 1
    assert run.stdout == ""
    assert run.stderr == ("error: unit 'dept-b' is not the lead of mini/plan (lead: dept-a); "
                          "only the lead unit can report progress or done\n")
    assert counts(engine) == before
    assert _status(loaded, "mini/plan", "2024-04-08")["status"] == "open_on_time"


def test_progress_by_another_unit_is_refused(loaded, engine):
    before = counts(engine)

    run = loaded("progress", "mini/plan", "--unit", "c01", "--percent", "40", "--on", "2024-04-03")

    assert run.exit_code == 1
    assert run.stderr == ("error: unit 'c01' is not the lead of mini/plan (lead: dept-a); "
                          "only the lead unit can report progress or done\n")
    assert counts(engine) == before


def test_unknown_unit_is_one_line(loaded, engine):
    before = counts(engine)

    run = loaded("done", "mini/plan", "--unit", "dept-q", "--on", "2024-04-08")

    assert run.exit_code == 1
    assert run.stderr == "error: no unit 'dept-q'; check the id in the jurisdiction's units.yaml\n"
    assert counts(engine) == before


def test_unknown_task_is_one_line(loaded, engine):
    before = counts(engine)

    run = loaded("done", "mini/plan-b", "--unit", "dept-a", "--on", "2024-04-08")

    assert run.exit_code == 1
    assert run.stderr == "error: no task 'mini/plan-b'; list task ids with 'dirtrack tasks'\n"
    assert "Traceback" not in run.stdout + run.stderr
    assert counts(engine) == before


def test_done_twice_is_refused(loaded, engine):
    assert loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-08").exit_code == 0
    before = counts(engine)

    run = loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-09")

    assert run.exit_code == 1
    assert run.stderr == ("error: mini/plan is already reported done on 2024-04-08; "
                          "nothing recorded\n")
    assert counts(engine) == before
    assert _status(loaded, "mini/plan", "2024-04-20")["completed_on"] == "2024-04-08"


def test_progress_with_percent(loaded, engine):
    run = loaded("progress", "mini/report", "--unit", "dept-a", "--percent", "40",
                 "--on", "2024-05-02", "--note", "drafting")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == "mini/report: progress recorded on 2024-05-02 (event 1)\n"
    assert _status(loaded, "mini/report", "2024-05-02")["percent"] == 40
    assert _status(loaded, "mini/report", "2024-05-01")["percent"] == 0
    shown = loaded("show", "mini/report", "--as-of", "2024-05-03").stdout.splitlines()
    assert "  status      open_on_time (40% reported)" in shown
    assert "  2024-05-02  dept-a: progress 40%; note: drafting" in shown


def test_progress_above_100_is_a_usage_error(loaded, engine):
    run = loaded("progress", "mini/report", "--unit", "dept-a", "--percent", "150",
                 "--on", "2024-05-02")

    assert run.exit_code == 2
    assert "--percent" in run.stderr
    assert counts(engine)[1] == 0


def test_verify_a_completion(loaded, engine):
    loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-08")

    run = loaded("verify", "mini/plan", "--on", "2024-04-09")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == "mini/plan: verified recorded on 2024-04-09 (event 2)\n"
    assert _status(loaded, "mini/plan", "2024-04-09")["verified"] is True
    assert _status(loaded, "mini/plan", "2024-04-08")["verified"] is False
    assert events_of(engine, "mini/plan")[-1]["actor"] == "secretariat"


def test_verify_an_open_task_is_refused(loaded, engine):
    run = loaded("verify", "mini/plan", "--on", "2024-04-09")

    assert run.exit_code == 1
    assert run.stderr == ("error: mini/plan is not reported done; only a completion can be "
                          "verified or returned\n")
    assert counts(engine)[1] == 0


def test_a_returned_completion_goes_back_to_the_progress_reported_before_it(loaded, engine):
    loaded("progress", "mini/plan", "--unit", "dept-a", "--percent", "60", "--on", "2024-04-05")
    loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-08")
    assert _status(loaded, "mini/plan", "2024-04-08")["percent"] == 100

    loaded("verify", "mini/plan", "--return", "--reason", "annex missing", "--on", "2024-04-09")

    assert _status(loaded, "mini/plan", "2024-04-09")["percent"] == 60
    assert _status(loaded, "mini/plan", "2024-04-08")["percent"] == 100  # as it stood then
    with engine.begin() as conn:  # a rebuild from the ledger gives the same
        pk = conn.execute(select(INSTANCES.c.pk).where(INSTANCES.c.key == "mini/plan")).scalar()
        rebuild_spans(conn, [pk])
    assert _status(loaded, "mini/plan", "2024-04-09")["percent"] == 60


def test_returned_completion_reopens_and_a_later_done_is_late(loaded, engine):
    loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-08")

    no_reason = loaded("verify", "mini/plan", "--return", "--on", "2024-04-09")
    returned = loaded("verify", "mini/plan", "--return", "--reason", "annex missing",
                      "--on", "2024-04-09")

    assert no_reason.exit_code == 1
    assert no_reason.stderr == "error: say why the completion is returned\n"
    assert returned.exit_code == 0, returned.stderr
    assert returned.stdout == "mini/plan: returned recorded on 2024-04-09 (event 2)\n"
    assert _status(loaded, "mini/plan", "2024-04-09")["status"] == "open_on_time"
    assert _status(loaded, "mini/plan", "2024-04-11")["status"] == "open_overdue"
    # the first report still stands as of the day it was made
    assert _status(loaded, "mini/plan", "2024-04-08")["status"] == "done_on_time"

    again = loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-12")

    assert again.exit_code == 0, again.stderr
    row = _status(loaded, "mini/plan", "2024-04-20")
    assert (row["status"], row["completed_on"]) == ("done_late", "2024-04-12")
    assert [e["kind"] for e in events_of(engine, "mini/plan")] == ["done", "returned", "done"]


def test_extension_moves_the_deadline_and_keeps_the_original(loaded, engine):
    run = loaded("extend", "mini/report", "--to", "2024-07-31", "--decision", "5/QD-BTV",
                 "--on", "2024-05-01")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == "mini/report: extended recorded on 2024-05-01 (event 1)\n"
    row = _status(loaded, "mini/report", "2024-07-15")  # between old and new deadline
    assert (row["status"], row["due_on"]) == ("open_on_time", "2024-07-31")
    late = _status(loaded, "mini/report", "2024-08-03")
    assert (late["status"], late["days_overdue"]) == ("open_overdue", 3)
    shown = loaded("show", "mini/report", "--as-of", "2024-07-15").stdout.splitlines()
    assert "  due         2024-07-31   (2024-06-30)   originally 2024-06-30" in shown
    assert "  2024-05-01  secretariat: extended to 2024-07-31 by decision 5/QD-BTV" in shown
    [event] = events_of(engine, "mini/report")
    assert (event["new_due"].isoformat(), event["decision"]) == ("2024-07-31", "5/QD-BTV")


def test_extension_decided_after_the_deadline_does_not_rewrite_the_past(loaded):
    run = loaded("extend", "mini/plan", "--to", "2024-04-30", "--decision", "6/QD",
                 "--on", "2024-04-20")

    assert run.exit_code == 0, run.stderr
    assert _status(loaded, "mini/plan", "2024-04-15")["status"] == "open_overdue"
    assert _status(loaded, "mini/plan", "2024-04-25")["status"] == "open_on_time"


@pytest.mark.parametrize("to", ["2024-06-30", "2024-06-01"])
def test_extension_to_an_earlier_or_the_same_date_is_refused(loaded, engine, to):
    run = loaded("extend", "mini/report", "--to", to, "--decision", "5/QD", "--on", "2024-05-01")

    assert run.exit_code == 1
    assert run.stderr == ("error: the new deadline must be later than the current one "
                          "(2024-06-30)\n")
    assert counts(engine)[1] == 0


def test_extension_needs_a_decision(loaded, engine):
    missing = loaded("extend", "mini/report", "--to", "2024-07-31", "--on", "2024-05-01")
    empty = loaded("extend", "mini/report", "--to", "2024-07-31", "--decision", " ",
                   "--on", "2024-05-01")

    assert missing.exit_code == 2
    assert "Missing option '--decision'" in missing.stderr
    assert empty.exit_code == 1
    assert empty.stderr == ("error: a deadline extension needs the reference of the decision "
                            "that grants it\n")
    assert counts(engine)[1] == 0


def test_cancel_needs_a_decision_and_then_counts_apart(loaded, engine):
    missing = loaded("cancel", "mini/report", "--on", "2024-05-01")
    empty = loaded("cancel", "mini/report", "--decision", "", "--on", "2024-05-01")

    assert missing.exit_code == 2
    assert "Missing option '--decision'" in missing.stderr
    assert empty.exit_code == 1
    assert empty.stderr == ("error: a cancellation needs the reference of the decision that "
                            "orders it\n")
    assert counts(engine)[1] == 0

    run = loaded("cancel", "mini/report", "--decision", "7/QD", "--on", "2024-05-01")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == "mini/report: cancelled recorded on 2024-05-01 (event 1)\n"
    assert _status(loaded, "mini/report", "2024-05-01")["status"] == "cancelled"
    assert _status(loaded, "mini/report", "2024-04-30")["status"] == "open_on_time"
    counted = as_json(loaded("status", "--as-of", "2024-07-01", "--json"))
    assert counted["cancelled"] == 1
    assert counted["open_overdue"] == 13  # every other mini task, none of them done
    after = loaded("done", "mini/report", "--unit", "dept-a", "--on", "2024-05-02")
    assert after.exit_code == 1
    assert after.stderr == "error: mini/report is cancelled; nothing can be recorded on it\n"


def test_a_completed_task_is_not_cancelled(loaded, engine):
    loaded("done", "mini/report", "--unit", "dept-a", "--on", "2024-05-10")
    loaded("verify", "mini/report", "--on", "2024-05-11")
    before = counts(engine)

    run = loaded("cancel", "mini/report", "--decision", "7/QD", "--on", "2024-05-12")

    assert run.exit_code == 1
    assert run.stderr == ("error: mini/report is already reported done on 2024-05-10; a "
                          "completed task is not cancelled (return the completion first if "
                          "it does not stand)\n")
    assert counts(engine) == before
    assert _status(loaded, "mini/report", "2024-05-12")["status"] == "done_on_time"


def test_an_event_dated_before_the_last_one_is_refused(loaded, engine):
    loaded("progress", "mini/report", "--unit", "dept-a", "--percent", "50", "--on", "2024-05-10")
    before = counts(engine)

    run = loaded("done", "mini/report", "--unit", "dept-a", "--on", "2024-05-09")

    assert run.exit_code == 1
    assert run.stderr == ("error: the last event of mini/report is dated 2024-05-10; record "
                          "events in date order (date it 2024-05-10 or later)\n")
    assert counts(engine) == before
    same_day = loaded("done", "mini/report", "--unit", "dept-a", "--on", "2024-05-10")
    assert same_day.exit_code == 0, same_day.stderr


def test_an_event_dated_after_today_is_refused(loaded, engine, clock):
    # 23:30 UTC on 1 June is 06:30 on 2 June in Hanoi: today is 2024-06-02
    before = counts(engine)

    run = loaded("done", "mini/report", "--unit", "dept-a", "--on", "2024-06-03")

    assert run.exit_code == 1
    assert run.stderr == ("error: 2024-06-03 is after today (2024-06-02); an event cannot be "
                          "dated in the future\n")
    assert counts(engine) == before
    assert loaded("done", "mini/report", "--unit", "dept-a", "--on", "2024-06-02").exit_code == 0


@pytest.mark.parametrize(("moment", "accepted"), [(HANOI_LAST_MINUTE, False),
                                                  (HANOI_MIDNIGHT, True)])
def test_hanoi_s_tomorrow_is_refused_until_midnight_there(loaded, engine, clock, moment,
                                                          accepted):
    """2 June is refused at 16:59 UTC (23:59 on 1 June in Hanoi), accepted at 17:00 UTC."""
    clock.set(moment)
    before = counts(engine)

    run = loaded("done", "mini/report", "--unit", "dept-a", "--on", "2024-06-02")

    if accepted:
        assert (run.exit_code, run.stdout, run.stderr) == (
            0, "mini/report: done recorded on 2024-06-02 (event 1)\n", "")
        assert [(e["kind"], e["effective_on"]) for e in events_of(engine, "mini/report")] == [
            ("done", date(2024, 6, 2))]
    else:
        assert (run.exit_code, run.stderr) == (
            1, "error: 2024-06-02 is after today (2024-06-01); an event cannot be dated in "
               "the future\n")
        assert counts(engine) == before


def test_an_event_before_the_task_existed_is_refused(loaded, engine):
    run = loaded("done", "mini/report", "--unit", "dept-a", "--on", "2024-03-31")

    assert run.exit_code == 1
    assert run.stderr == ("error: mini/report exists from 2024-04-01; an event cannot be "
                          "dated 2024-03-31\n")
    assert counts(engine)[1] == 0


@pytest.mark.parametrize(("on", "category"), [("2024-04-10", "done_on_time"),
                                              ("2024-04-11", "done_late")])
def test_completion_counts_from_the_reported_date(loaded, on, category):
    run = loaded("done", "mini/plan", "--unit", "dept-a", "--on", on)

    assert run.exit_code == 0, run.stderr
    row = _status(loaded, "mini/plan", "2024-06-01")
    assert (row["status"], row["completed_on"]) == (category, on)
    counted = as_json(loaded("status", "--directive", "mini", "--as-of", "2024-06-01", "--json"))
    assert counted[category] == 1


def test_a_caller_s_check_sees_the_lead_and_refuses_before_the_ledger_s_own_checks(loaded,
                                                                                   engine):
    seen = []

    def refuse(lead: str, support: list[str]) -> None:
        seen.append((lead, support))
        raise NotAllowed("only the web app's roles may say this")

    before = counts(engine)

    with pytest.raises(NotAllowed, match="^only the web app's roles may say this$"):
        record_event(engine, "mini/plan", "progress", on=date(2024, 3, 1), unit="dept-b",
                     percent=10, expected_version=3, authorise=refuse)

    assert seen == [("dept-a", [])]
    assert counts(engine) == before


def test_a_caller_s_check_that_passes_lets_the_event_be_recorded(loaded, engine):
    recorded = record_event(engine, "mini/plan", "progress", on=date(2024, 4, 3), unit="dept-a",
                            percent=10, expected_version=0, authorise=lambda lead, support: None)

    assert (recorded.kind, recorded.version) == ("progress", 1)
    assert [e["kind"] for e in events_of(engine, "mini/plan")] == ["progress"]


def test_an_unknown_task_is_not_found_before_the_caller_s_check(loaded, engine):
    def never(lead: str, support: list[str]) -> None:
        raise AssertionError("the check ran for a task that does not exist")

    with pytest.raises(NotFound, match="^no task 'mini/nope'; list task ids with "
                                       "'dirtrack tasks'$"):
        record_event(engine, "mini/nope", "progress", on=date(2024, 4, 3), unit="dept-a",
                     percent=10, authorise=never)


def test_show_lines_up_the_prerequisites_in_columns(cli):
    assert cli("load", "directives/ninh-binh", "--on", "2024-04-15").exit_code == 0

    shown = cli("show", "nb-2024-q2/district-summary@kim-son",
                "--as-of", "2024-06-30").stdout.splitlines()

    start = shown.index("prerequisites:") + 1
    rows = shown[start:shown.index("history:")]
    assert rows[:2] == [
        "  nb-2024-q2/ff-congress/grassroots@con-thoi   open_overdue  due 2024-05-31",
        "  nb-2024-q2/ff-congress/grassroots@hung-tien  open_overdue  due 2024-05-31"]
    assert len({line.index(" due ") for line in rows if " due " in line}) == 1
