"""Units answer back: extension requests, refusals and difficulties through the command
line, and the escalation ladder while a request waits, on SQLite and PostgreSQL.

The mini directive (tests/integration/support.py): mini/plan is led by dept-a and due
2024-04-10; the esc jurisdiction is in alerts_support.py (esc/prep: dept-a, due
2024-04-10, ladder: overdue one day after the deadline to the lead).
"""

from __future__ import annotations

import pytest

from dirtrack.escalation import check_deadlines

from .alerts_support import d, outbox, record, setup
from .support import counts, events_of, load_mini


@pytest.fixture
def loaded(cli, project):
    load_mini(cli, project)
    return cli


def _refused(cli, engine, *args: str) -> str:
    before = counts(engine)
    run = cli(*args)
    assert (run.exit_code, run.stdout) == (1, "")
    assert counts(engine) == before
    return run.stderr


def test_a_unit_asks_the_committee_refuses_then_grants(loaded, engine):
    asked = loaded("request-extension", "mini/plan", "--unit", "dept-a", "--to", "2024-04-30",
                   "--reason", "Chờ ý kiến của Sở Tài chính", "--on", "2024-04-08")
    refused = loaded("refuse-extension", "mini/plan", "--reason", "Không đủ căn cứ",
                     "--on", "2024-04-09")
    again = loaded("request-extension", "mini/plan", "--unit", "dept-a", "--to", "2024-04-20",
                   "--reason", "Đã có ý kiến, cần thêm 10 ngày", "--on", "2024-04-09")
    granted = loaded("extend", "mini/plan", "--to", "2024-04-20", "--decision", "QĐ-12",
                     "--on", "2024-04-10")

    assert [r.exit_code for r in (asked, refused, again, granted)] == [0, 0, 0, 0]
    assert asked.stdout == "mini/plan: requested recorded on 2024-04-08 (event 1)\n"
    assert [(e["kind"], e["actor"], e["new_due"] and e["new_due"].isoformat(), e["note"],
             e["decision"]) for e in events_of(engine, "mini/plan")] == [
        ("requested", "dept-a", "2024-04-30", "Chờ ý kiến của Sở Tài chính", ""),
        ("refused", "secretariat", None, "Không đủ căn cứ", ""),
        ("requested", "dept-a", "2024-04-20", "Đã có ý kiến, cần thêm 10 ngày", ""),
        ("extended", "secretariat", "2024-04-20", "", "QĐ-12")]
    shown = loaded("tasks", "--as-of", "2024-04-15", "--json", "--directive", "mini")
    assert '"due_on": "2024-04-20"' in shown.stdout


def test_requests_out_of_turn_are_refused_and_nothing_changes(loaded, engine):
    assert _refused(loaded, engine, "request-extension", "mini/plan", "--unit", "dept-b",
                    "--to", "2024-04-30", "--reason", "x", "--on", "2024-04-08") == (
        "error: unit 'dept-b' is not the lead of mini/plan (lead: dept-a); only the lead "
        "unit can ask for an extension or record a difficulty\n")
    assert _refused(loaded, engine, "request-extension", "mini/plan", "--unit", "dept-a",
                    "--to", "2024-04-05", "--reason", "x", "--on", "2024-04-08") == (
        "error: ask for a deadline later than the current one (2024-04-10)\n")
    assert _refused(loaded, engine, "request-extension", "mini/plan", "--unit", "dept-a",
                    "--to", "2024-04-30", "--reason", " ", "--on", "2024-04-08") == (
        "error: say why more time is needed (the reason)\n")
    assert _refused(loaded, engine, "refuse-extension", "mini/plan", "--reason", "x",
                    "--on", "2024-04-08") == (
        "error: mini/plan has no extension request waiting for an answer; nothing to "
        "refuse\n")
    assert loaded("request-extension", "mini/plan", "--unit", "dept-a", "--to", "2024-04-30",
                  "--reason", "x", "--on", "2024-04-08").exit_code == 0
    assert _refused(loaded, engine, "request-extension", "mini/plan", "--unit", "dept-a",
                    "--to", "2024-05-30", "--reason", "y", "--on", "2024-04-09") == (
        "error: mini/plan already has an extension request of 2024-04-08 (to 2024-04-30) "
        "waiting for an answer; wait for it\n")
    assert _refused(loaded, engine, "refuse-extension", "mini/plan", "--reason", "",
                    "--on", "2024-04-09") == (
        "error: say why the extension is refused (the reason)\n")


def test_a_difficulty_is_recorded_on_an_open_task_only(loaded, engine):
    ok = loaded("difficulty", "mini/plan", "--unit", "dept-a", "--note",
                "Thiếu kinh phí tổ chức hội nghị", "--on", "2024-04-05")
    assert (ok.exit_code, ok.stdout) == (0, "mini/plan: difficulty recorded on 2024-04-05 "
                                            "(event 1)\n")
    status = loaded("tasks", "--as-of", "2024-04-05", "--json", "--directive", "mini")
    assert '"status": "open_on_time"' in status.stdout
    assert loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-06").exit_code == 0
    assert _refused(loaded, engine, "difficulty", "mini/plan", "--unit", "dept-a", "--note",
                    "late", "--on", "2024-04-07") == (
        "error: mini/plan is already reported done on 2024-04-06; nothing recorded\n")


@pytest.mark.parametrize(("rule", "held"), [("", False), ("extension_requests: escalate\n", False),
                                            ("extension_requests: hold\n", True)])
def test_the_ladder_holds_a_step_while_a_request_waits_only_when_told(engine, tmp_path,
                                                                      rule, held):
    setup(engine, tmp_path, channels=rule)
    record(engine, "esc/prep", "requested", "2024-04-09", unit="dept-a",
           new_due=d("2024-04-30"), note="Chờ ý kiến")

    check_deadlines(engine, d("2024-04-12"))

    prep_overdue = ("esc/prep", "overdue", "dept-a", "2024-04-12")
    assert (prep_overdue in outbox(engine)) is not held
    record(engine, "esc/prep", "refused", "2024-04-13", note="Không đủ căn cứ")
    check_deadlines(engine, d("2024-04-13"))
    fired = {a for a in outbox(engine) if a[:3] == ("esc/prep", "overdue", "dept-a")}
    assert fired == {("esc/prep", "overdue", "dept-a",
                      "2024-04-13" if held else "2024-04-12")}


def test_a_unit_withdraws_its_request_which_can_then_be_neither_granted_nor_refused(
        loaded, engine):
    asked = loaded("request-extension", "mini/plan", "--unit", "dept-a", "--to", "2024-04-30",
                   "--reason", "Chờ ý kiến của Sở Tài chính", "--on", "2024-04-08")
    withdrawn = loaded("withdraw-extension", "mini/plan", "--unit", "dept-a",
                       "--note", "Đã có ý kiến, hoàn thành đúng hạn", "--on", "2024-04-09")

    assert [r.exit_code for r in (asked, withdrawn)] == [0, 0]
    assert withdrawn.stdout == "mini/plan: withdrawn recorded on 2024-04-09 (event 2)\n"
    assert _refused(loaded, engine, "refuse-extension", "mini/plan", "--reason", "x",
                    "--on", "2024-04-09") == (
        "error: the extension request on mini/plan was withdrawn by dept-a on 2024-04-09; "
        "nothing to refuse\n")
    assert _refused(loaded, engine, "extend", "mini/plan", "--to", "2024-04-30",
                    "--decision", "QĐ-12", "--grant", "--on", "2024-04-10") == (
        "error: the extension request on mini/plan was withdrawn by dept-a on 2024-04-09; "
        "nothing to grant\n")
    assert _refused(loaded, engine, "withdraw-extension", "mini/plan", "--unit", "dept-a",
                    "--on", "2024-04-10") == (
        "error: the extension request on mini/plan was withdrawn by dept-a on 2024-04-09; "
        "nothing to withdraw\n")
    assert [(e["kind"], e["actor"], e["note"]) for e in events_of(engine, "mini/plan")] == [
        ("requested", "dept-a", "Chờ ý kiến của Sở Tài chính"),
        ("withdrawn", "dept-a", "Đã có ý kiến, hoàn thành đúng hạn")]
    shown = loaded("tasks", "--as-of", "2024-04-10", "--json", "--directive", "mini")
    assert '"due_on": "2024-04-10"' in shown.stdout
    again = loaded("request-extension", "mini/plan", "--unit", "dept-a", "--to", "2024-04-25",
                   "--reason", "Cần thêm thời gian", "--on", "2024-04-10")
    granted = loaded("extend", "mini/plan", "--to", "2024-04-25", "--decision", "QĐ-13",
                     "--grant", "--on", "2024-04-10")
    assert [r.exit_code for r in (again, granted)] == [0, 0]


def test_only_the_lead_withdraws_and_only_a_waiting_request(loaded, engine):
    assert _refused(loaded, engine, "withdraw-extension", "mini/plan", "--unit", "dept-a",
                    "--on", "2024-04-08") == (
        "error: mini/plan has no extension request waiting for an answer; nothing to "
        "withdraw\n")
    assert _refused(loaded, engine, "extend", "mini/plan", "--to", "2024-04-30",
                    "--decision", "QĐ-12", "--grant", "--on", "2024-04-08") == (
        "error: mini/plan has no extension request waiting for an answer; nothing to "
        "grant\n")
    assert loaded("request-extension", "mini/plan", "--unit", "dept-a", "--to", "2024-04-30",
                  "--reason", "x", "--on", "2024-04-08").exit_code == 0
    assert _refused(loaded, engine, "withdraw-extension", "mini/plan", "--unit", "dept-b",
                    "--on", "2024-04-09") == (
        "error: unit 'dept-b' is not the lead of mini/plan (lead: dept-a); only the lead "
        "unit can ask for an extension or record a difficulty\n")
    assert loaded("refuse-extension", "mini/plan", "--reason", "Không đủ căn cứ",
                  "--on", "2024-04-09").exit_code == 0
    assert _refused(loaded, engine, "withdraw-extension", "mini/plan", "--unit", "dept-a",
                    "--on", "2024-04-09") == (
        "error: the extension request on mini/plan was refused on 2024-04-09; nothing to "
        "withdraw\n")


def test_withdrawing_a_request_ends_the_ladder_s_hold(engine, tmp_path):
    setup(engine, tmp_path, channels="extension_requests: hold\n")
    record(engine, "esc/prep", "requested", "2024-04-09", unit="dept-a",
           new_due=d("2024-04-30"), note="Chờ ý kiến")
    check_deadlines(engine, d("2024-04-12"))
    held = [a for a in outbox(engine) if a[:2] == ("esc/prep", "overdue")]

    record(engine, "esc/prep", "withdrawn", "2024-04-13", unit="dept-a")
    check_deadlines(engine, d("2024-04-13"))

    assert held == []
    assert [a for a in outbox(engine) if a[:2] == ("esc/prep", "overdue")] == [
        ("esc/prep", "overdue", "dept-a", "2024-04-13")]
