"""``tasks``, ``overdue`` and ``status``: categories, flags, filters and as-of dates.

The mini directive (tests/integration/support.py), issued 2024-04-01:
  plan        dept-a  due 2024-04-10
  execute     dept-b  due 2024-05-31  depends on plan
  report      dept-a  due 2024-06-30
  grassroots  c01..c10 due 2024-05-15
  summary     dept-b  due grassroots + 5d = 2024-05-20, needs 90% of grassroots
"""

from __future__ import annotations

import pytest

from .support import MINI, as_json, by_id, load_mini

GRASSROOTS = [f"mini/grassroots@c{n:02d}" for n in range(1, 11)]
TASK_KEYS = {"id", "directive", "title", "lead", "due_on", "status", "blocked", "at_risk",
             "completed_on"}
ALL_KEYS = ["id", "directive", "task", "title", "lead", "unit", "sector", "deliverable",
            "due_on", "status", "blocked", "at_risk", "completed_on", "verified", "percent",
            "days_overdue", "critical", "slack_days", "blocked_by"]


@pytest.fixture
def loaded(cli, project):
    load_mini(cli, project)
    return cli


def _tasks(cli, as_of: str, *args: str) -> dict[str, dict]:
    return by_id(as_json(cli("tasks", "--as-of", as_of, "--json", *args)))


def _pick(row: dict) -> dict:
    return {k: row[k] for k in TASK_KEYS}


def test_tasks_json_has_the_documented_keys_and_right_values(loaded):
    rows = as_json(loaded("tasks", "--as-of", "2024-04-20", "--json"))

    assert isinstance(rows, list) and len(rows) == 14
    assert {tuple(r) for r in rows} == {tuple(ALL_KEYS)}  # every row, these keys in this order
    found = by_id(rows)
    assert _pick(found["mini/plan"]) == {  # overdue
        "id": "mini/plan", "directive": "mini", "title": "Issue the plan", "lead": "dept-a",
        "due_on": "2024-04-10", "status": "open_overdue", "blocked": False, "at_risk": False,
        "completed_on": None}
    assert _pick(found["mini/execute"]) == {  # blocked, and at risk: its prerequisite is overdue
        "id": "mini/execute", "directive": "mini", "title": "Carry out the plan",
        "lead": "dept-b", "due_on": "2024-05-31", "status": "open_on_time", "blocked": True,
        "at_risk": True, "completed_on": None}
    assert _pick(found["mini/summary"]) == {  # blocked, with time left after its 5 days
        "id": "mini/summary", "directive": "mini", "title": "Summary of the grassroots meetings",
        "lead": "dept-b", "due_on": "2024-05-20", "status": "open_on_time", "blocked": True,
        "at_risk": False, "completed_on": None}
    assert _pick(found["mini/report"]) == {
        "id": "mini/report", "directive": "mini", "title": "Report to the province",
        "lead": "dept-a", "due_on": "2024-06-30", "status": "open_on_time", "blocked": False,
        "at_risk": False, "completed_on": None}
    assert found["mini/plan"]["days_overdue"] == 10


def test_tasks_text_lists_the_most_urgent_first(loaded):
    run = loaded("tasks", "--as-of", "2024-04-20")

    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "TASK                 LEAD    DUE         STATUS        FLAGS"
    assert lines[1] == "mini/plan            dept-a  2024-04-10  open_overdue  10d overdue"
    assert lines[2] == "mini/grassroots@c01  c01     2024-05-15  open_on_time"
    assert lines[-3] == "mini/summary         dept-b  2024-05-20  open_on_time  blocked"
    assert lines[-2] == "mini/execute         dept-b  2024-05-31  open_on_time  blocked, at risk"
    assert lines[-1] == "mini/report          dept-a  2024-06-30  open_on_time"
    assert len(lines) == 15


def test_done_prerequisite_unblocks_and_clears_the_risk(loaded):
    loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-22")

    row = _tasks(loaded, "2024-04-22")["mini/execute"]
    earlier = _tasks(loaded, "2024-04-21")["mini/execute"]

    assert (row["blocked"], row["at_risk"]) == (False, False)
    assert (earlier["blocked"], earlier["at_risk"]) == (True, True)


def test_slack_gone_makes_a_blocked_task_at_risk(loaded):
    # summary needs 5 days after the grassroots deadline: on 2024-05-15 it still has them
    assert _tasks(loaded, "2024-05-15")["mini/summary"]["at_risk"] is False
    # on 2024-05-16 the grassroots meetings are overdue and only 4 days remain
    assert _tasks(loaded, "2024-05-16")["mini/summary"]["at_risk"] is True


def test_blocked_with_time_to_spare_is_not_at_risk(loaded):
    # 2024-04-05: plan (due 2024-04-10) is on time; execute is due 2024-05-31, 30 days of slack
    row = _tasks(loaded, "2024-04-05")["mini/execute"]

    assert (row["status"], row["blocked"], row["slack_days"]) == ("open_on_time", True, 30)
    assert row["at_risk"] is False


def test_overdue_json_has_days_overdue_and_blocked_by(loaded):
    rows = as_json(loaded("overdue", "--as-of", "2024-06-05", "--json"))

    assert [(r["id"], r["days_overdue"], r["blocked_by"]) for r in rows] == [
        ("mini/plan", 56, []),
        *[(k, 21, []) for k in GRASSROOTS],
        ("mini/summary", 16, GRASSROOTS),
        ("mini/execute", 5, ["mini/plan"]),
    ]
    assert {r["status"] for r in rows} == {"open_overdue"}


def test_overdue_text(loaded):
    loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-06-01")

    run = loaded("overdue", "--as-of", "2024-06-05", "--unit", "dept-b")

    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "TASK          LEAD    DUE         DAYS OVERDUE  BLOCKED BY",
        "mini/summary  dept-b  2024-05-20  16            " + ", ".join(GRASSROOTS[:2])
        + f" and {len(GRASSROOTS) - 2} more",
        "mini/execute  dept-b  2024-05-31  5",
    ]
    assert loaded("overdue", "--as-of", "2024-04-09").stdout == "no overdue tasks\n"


def test_status_json_counts(loaded):
    loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-08")
    loaded("done", "mini/execute", "--unit", "dept-b", "--on", "2024-06-02")
    loaded("cancel", "mini/report", "--decision", "9/QD", "--on", "2024-05-02")
    for key in GRASSROOTS[:3]:
        loaded("done", key, "--unit", key.rsplit("@", 1)[1], "--on", "2024-05-14")

    counted = as_json(loaded("status", "--as-of", "2024-06-10", "--json"))

    assert counted == {"as_of": "2024-06-10", "done_on_time": 4, "done_late": 1,
                       "open_on_time": 0, "open_overdue": 8, "cancelled": 1}


def test_status_text(loaded):
    loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-08")
    loaded("done", "mini/execute", "--unit", "dept-b", "--on", "2024-06-02")

    run = loaded("status", "--as-of", "2024-06-10", "--directive", "mini")

    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "Status of mini as of 2024-06-10",
        "CATEGORY       TASKS",
        "done on time   1",
        "done late      1",
        "open, on time  1",
        "open, overdue  11",
        "cancelled      0",
        "total          14",
        "on-time rate (done on time of those done or overdue): 7.7%",  # 1 of 1 + 1 + 11
    ]


def test_the_past_reads_the_same_after_later_events(loaded, project):
    before_counts = as_json(loaded("status", "--as-of", "2024-04-20", "--json"))
    before_tasks = as_json(loaded("tasks", "--as-of", "2024-04-20", "--json"))

    loaded("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-25")
    loaded("extend", "mini/execute", "--to", "2024-06-15", "--decision", "3/QD", "--on",
           "2024-05-01")
    loaded("cancel", "mini/report", "--decision", "4/QD", "--on", "2024-05-02")
    loaded("done", "mini/grassroots@c01", "--unit", "c01", "--on", "2024-04-21")
    loaded("progress", "mini/grassroots@c02", "--unit", "c02", "--percent", "30",
           "--on", "2024-04-21")

    assert as_json(loaded("status", "--as-of", "2024-04-20", "--json")) == before_counts
    assert as_json(loaded("tasks", "--as-of", "2024-04-20", "--json")) == before_tasks
    assert _tasks(loaded, "2024-04-21")["mini/grassroots@c02"]["percent"] == 30
    assert as_json(loaded("status", "--as-of", "2024-06-01", "--json")) == {
        "as_of": "2024-06-01", "done_on_time": 1, "done_late": 1, "open_on_time": 1,
        "open_overdue": 10, "cancelled": 1}


def test_counts_of_the_past_survive_a_later_revision(loaded, project):
    before = as_json(loaded("status", "--as-of", "2024-04-20", "--json"))
    target = project / MINI / "mini.yaml"
    target.write_text(target.read_text().replace("due: 2024-05-31", "due: 2024-04-15"))

    assert loaded("load", MINI, "--on", "2024-05-03").exit_code == 0

    assert as_json(loaded("status", "--as-of", "2024-04-20", "--json")) == before
    assert _tasks(loaded, "2024-04-20")["mini/execute"]["due_on"] == "2024-05-31"
    assert _tasks(loaded, "2024-05-03")["mini/execute"]["status"] == "open_overdue"


def test_the_task_list_of_the_past_survives_a_later_revision(loaded, project):
    before = as_json(loaded("tasks", "--as-of", "2024-04-20", "--json"))
    target = project / MINI / "mini.yaml"
    target.write_text(target.read_text().replace("due: 2024-06-30", "due: 2024-07-15"))

    assert loaded("load", MINI, "--on", "2024-05-03").exit_code == 0

    assert as_json(loaded("tasks", "--as-of", "2024-04-20", "--json")) == before


def test_filters(loaded, cli):
    assert cli("load", "directives/ninh-binh", "--on", "2024-04-15").exit_code == 0

    mini = as_json(cli("tasks", "--directive", "mini", "--as-of", "2024-04-20", "--json"))
    nb = as_json(cli("status", "--directive", "nb-2024-q2", "--as-of", "2024-04-20", "--json"))
    dept_a = as_json(cli("tasks", "--unit", "dept-a", "--as-of", "2024-04-20", "--json"))
    overdue = as_json(cli("tasks", "--status", "open_overdue", "--as-of", "2024-04-20",
                          "--json"))
    both = as_json(cli("tasks", "--unit", "mass-mobilization-commission", "--directive",
                       "nb-2024-q2", "--status", "open_on_time", "--as-of", "2024-04-20",
                       "--json"))

    assert len(mini) == 14 and {r["directive"] for r in mini} == {"mini"}
    assert sum(v for k, v in nb.items() if k != "as_of") == 154
    assert nb["open_on_time"] == 154
    assert [r["id"] for r in dept_a] == ["mini/plan", "mini/report"]
    assert [r["id"] for r in overdue] == ["mini/plan"]
    assert [r["id"] for r in both] == ["nb-2024-q2/leadership-documents",
                                       "nb-2024-q2/book-100-models"]
    nobody = cli("tasks", "--unit", "nobody", "--as-of", "2024-04-20")  # a typo, not "no tasks"
    assert (nobody.exit_code, nobody.stderr) == (
        1, "error: no unit 'nobody'; check the id in the jurisdiction's units.yaml\n")
    for command in ("tasks", "status", "overdue"):
        typo = cli(command, "--directive", "nb-2024-Q2", "--as-of", "2024-04-20")
        assert (typo.exit_code, typo.stderr) == (
            1, "error: no directive 'nb-2024-Q2'; loaded directives: mini, nb-2024-q2, "
               "nb-2024-reports\n")
    led = as_json(cli("status", "--unit", "dept-a", "--as-of", "2024-04-20", "--json"))
    assert led == {"as_of": "2024-04-20", "done_on_time": 0, "done_late": 0, "open_on_time": 1,
                   "open_overdue": 1, "cancelled": 0}
    text = cli("status", "--unit", "dept-a", "--as-of", "2024-04-20").stdout.splitlines()
    assert text[0] == "Status of tasks led by dept-a as of 2024-04-20"


def test_unknown_status_filter_is_a_usage_error(loaded):
    run = loaded("tasks", "--status", "late")

    assert run.exit_code == 2
    assert "--status" in run.stderr
    assert "'late' is not one of done_on_time, done_late, open_on_time, open_overdue, " \
           "cancelled" in " ".join(run.stderr.replace("│", " ").split())


def test_threshold_unblocks_at_nine_of_ten(loaded):
    for key in GRASSROOTS[:8]:
        run = loaded("done", key, "--unit", key.rsplit("@", 1)[1], "--on", "2024-05-10")
        assert run.exit_code == 0, run.stderr

    eight = _tasks(loaded, "2024-05-10")["mini/summary"]
    assert eight["blocked"] is True

    loaded("done", GRASSROOTS[8], "--unit", "c09", "--on", "2024-05-11")

    nine = _tasks(loaded, "2024-05-11")["mini/summary"]
    assert (nine["blocked"], nine["at_risk"]) == (False, False)
    assert _tasks(loaded, "2024-05-10")["mini/summary"]["blocked"] is True
    # the 100% dependency of execute stays blocked while plan is open
    assert _tasks(loaded, "2024-05-11")["mini/execute"]["blocked"] is True


def test_cancelled_prerequisites_do_not_count_toward_a_threshold(loaded):
    """summary needs 90% of the grassroots meetings. With two of the ten cancelled, the
    share is taken of the other eight: 90% of 8 is 7.2, so seven done still block it and
    eight unblock it. (Counted among the ten, eight would still be short of nine;
    counted as done, seven and the two cancelled would already make nine.)"""
    for key in GRASSROOTS[8:]:
        run = loaded("cancel", key, "--decision", "15/QĐ-UBND", "--on", "2024-05-01")
        assert run.exit_code == 0, run.stderr
    for key in GRASSROOTS[:7]:
        run = loaded("done", key, "--unit", key.rsplit("@", 1)[1], "--on", "2024-05-10")
        assert run.exit_code == 0, run.stderr

    seven = _tasks(loaded, "2024-05-10")["mini/summary"]
    assert loaded("done", GRASSROOTS[7], "--unit", "c08", "--on", "2024-05-11").exit_code == 0
    eight = _tasks(loaded, "2024-05-11")["mini/summary"]

    assert (seven["blocked"], seven["at_risk"]) == (True, False)
    assert (eight["blocked"], eight["at_risk"]) == (False, False)
    assert [_tasks(loaded, "2024-05-11")[k]["status"] for k in GRASSROOTS[8:]] == [
        "cancelled", "cancelled"]
