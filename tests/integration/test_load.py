"""``dirtrack load``: first load, idempotent reload, revisions, removals, failures, mergers."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from dirtrack.store.tables import InstanceRow, StateRow

from .support import (
    DIRECTIVE,
    MINI,
    MINI_INSTANCES,
    UNITS,
    as_json,
    by_id,
    counts,
    events_of,
    instance_row,
    load_mini,
    write_mini,
)

REPORT_TASK = """\
  - id: report
    title: "Report to the province"
    lead: dept-a
    sector: political-system
    due: 2024-06-30
"""
EXTRA_TASK = """\
  - id: extra
    title: "Extra district task"
    for_each: district
    sector: economic
    due: 2024-06-01
"""


def _edit(project: Path, old: str, new: str) -> None:
    target = project / MINI / "mini.yaml"
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_first_load_prints_new_with_the_instance_count(cli, project, engine):
    write_mini(project)

    run = cli("load", MINI, "--on", "2024-04-01")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == "mini: new, 14 task instance(s)\n"
    # one instance row and one open state span per instance; loading records no event
    assert counts(engine) == (MINI_INSTANCES, 0, MINI_INSTANCES)


def test_first_load_of_the_demo_directives(cli, engine):
    run = cli("load", "--on", "2024-04-15")

    assert run.exit_code == 0, run.stderr
    # The communes' monthly reports: April's and May's of 34 communes exist on 15 April
    # (from 1 April), June's from 1 May.
    assert run.stdout.splitlines() == [
        "hy-2025-q1-models: new, 10 task instance(s)",
        "hy-2025-q2: new, 201 task instance(s)",
        "hy-2025-q3: new, 129 task instance(s)",
        "nb-2024-reports: new, 102 task instance(s) (34 occurrence(s) open later)",
        "nb-2024-q2: new, 154 task instance(s)",
        "repeating tasks: 68 occurrence(s) opened"]
    assert counts(engine) == (494 + 68, 0, 494 + 68)


def test_second_load_is_unchanged_and_adds_no_rows(cli, project, engine):
    load_mini(cli, project)
    before = counts(engine)

    run = cli("load", MINI, "--on", "2024-05-01")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == "mini: unchanged (14 task instance(s))\n"
    assert counts(engine) == before


def test_changed_due_date_is_a_revised_event_and_show_keeps_the_original(cli, project, engine):
    load_mini(cli, project)
    _edit(project, "due: 2024-06-30", "due: 2024-07-15")

    run = cli("load", MINI, "--on", "2024-04-20")

    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "mini: updated: 0 added, 1 revised, 0 cancelled, 0 restored",
        "  task report revised: due_text",
    ]
    [event] = events_of(engine, "mini/report")
    assert (event["kind"], event["effective_on"].isoformat(), event["new_due"].isoformat(),
            event["actor"]) == ("revised", "2024-04-20", "2024-07-15", "dirtrack load")
    shown = cli("show", "mini/report", "--as-of", "2024-05-01").stdout.splitlines()
    assert "  due         2024-07-15   (2024-07-15)   originally 2024-06-30" in shown
    assert "  2024-04-20  dirtrack load: revised to 2024-07-15; note: directive revised" in shown


def test_a_revised_anchor_revises_every_dependent_deadline(cli, project, engine):
    load_mini(cli, project)
    # ten grassroots instances move, and summary (grassroots + 5d) moves with them
    _edit(project, "due: 2024-05-15", "due: 2024-05-20")

    run = cli("load", MINI, "--on", "2024-04-20")

    assert run.stdout.splitlines()[0] == \
        "mini: updated: 0 added, 11 revised, 0 cancelled, 0 restored"
    [event] = events_of(engine, "mini/summary")
    assert (event["kind"], event["new_due"].isoformat()) == ("revised", "2024-05-25")
    rows = by_id(as_json(cli("tasks", "--as-of", "2024-04-20", "--json")))
    assert rows["mini/summary"]["due_on"] == "2024-05-25"
    assert rows["mini/grassroots@c07"]["due_on"] == "2024-05-20"
    # before the revision the old deadline held
    rows = by_id(as_json(cli("tasks", "--as-of", "2024-04-19", "--json")))
    assert rows["mini/summary"]["due_on"] == "2024-05-20"


def test_removed_task_is_cancelled_not_deleted(cli, project, engine):
    load_mini(cli, project)
    _edit(project, REPORT_TASK, "")

    run = cli("load", MINI, "--on", "2024-04-25")

    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "mini: updated: 0 added, 0 revised, 1 cancelled, 0 restored",
        "  task report removed",
    ]
    row = instance_row(engine, "mini/report")
    assert row is not None and row["removed"] is True
    assert counts(engine) == (MINI_INSTANCES, 1, MINI_INSTANCES + 1)
    [event] = events_of(engine, "mini/report")
    assert (event["kind"], event["effective_on"].isoformat()) == ("cancelled", "2024-04-25")
    rows = by_id(as_json(cli("tasks", "--as-of", "2024-05-01", "--json")))
    assert rows["mini/report"]["status"] == "cancelled"
    # the day before the removal it was an ordinary open task
    rows = by_id(as_json(cli("tasks", "--as-of", "2024-04-24", "--json")))
    assert rows["mini/report"]["status"] == "open_on_time"
    assert as_json(cli("status", "--as-of", "2024-05-01", "--json"))["cancelled"] == 1


def test_added_task_adds_its_instances(cli, project, engine):
    load_mini(cli, project)
    (project / MINI / "mini.yaml").write_text(DIRECTIVE + EXTRA_TASK, encoding="utf-8")

    run = cli("load", MINI, "--on", "2024-05-02")

    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "mini: updated: 2 added, 0 revised, 0 cancelled, 0 restored",
        "  task extra added",
    ]
    assert counts(engine)[0] == MINI_INSTANCES + 2
    added = [r["id"] for r in as_json(cli("tasks", "--as-of", "2024-05-02", "--json"))
             if r["id"].startswith("mini/extra")]
    assert sorted(added) == ["mini/extra@d1", "mini/extra@d2"]
    # they exist from the load's date, not from the directive's issue date
    earlier = [r["id"] for r in as_json(cli("tasks", "--as-of", "2024-05-01", "--json"))]
    assert not [k for k in earlier if k.startswith("mini/extra")]


def test_task_put_back_is_restored(cli, project, engine):
    load_mini(cli, project)
    _edit(project, REPORT_TASK, "")
    assert cli("load", MINI, "--on", "2024-04-25").exit_code == 0
    (project / MINI / "mini.yaml").write_text(DIRECTIVE, encoding="utf-8")

    run = cli("load", MINI, "--on", "2024-04-28")

    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines()[0] == \
        "mini: updated: 0 added, 0 revised, 0 cancelled, 1 restored"
    assert [e["kind"] for e in events_of(engine, "mini/report")] == ["cancelled", "restored"]
    assert instance_row(engine, "mini/report")["removed"] is False
    rows = by_id(as_json(cli("tasks", "--as-of", "2024-04-28", "--json")))
    assert rows["mini/report"]["status"] == "open_on_time"
    rows = by_id(as_json(cli("tasks", "--as-of", "2024-04-26", "--json")))
    assert rows["mini/report"]["status"] == "cancelled"


BROKEN = [
    ("lead: dept-b\n    sector: economic", "lead: dept-z\n    sector: economic"),
    ("depends_on: [plan]", "depends_on: [plann]"),
]
BROKEN_LINES = [
    "mini/tiny/mini.yaml:16: lead: unknown unit 'dept-z'; use an id from mini/tiny/units.yaml "
    "(did you mean 'dept-b'?)",
    "mini/tiny/mini.yaml:19: depends_on: task 'execute' depends on unknown task 'plann'; use "
    "the id of a task of this directive (did you mean 'plan'?)",
    "error: 2 error(s) found; nothing was written",
]


def test_a_file_that_fails_validation_writes_nothing(cli, project, engine):
    write_mini(project)
    for old, new in BROKEN:
        _edit(project, old, new)

    run = cli("load", MINI, "--on", "2024-04-01")

    assert run.exit_code == 1
    assert run.stdout == ""
    assert run.stderr.splitlines() == BROKEN_LINES
    assert counts(engine) == (0, 0, 0)


def test_a_failing_reload_leaves_the_database_unchanged(cli, project, engine):
    load_mini(cli, project)
    assert cli("done", "mini/plan", "--unit", "dept-a", "--on", "2024-04-05").exit_code == 0
    before = counts(engine)
    with engine.connect() as conn:
        states = conn.execute(select(StateRow.__table__)).all()
    for old, new in BROKEN:
        _edit(project, old, new)
    _edit(project, "due: 2024-06-30", "due: 2024-07-15")  # a valid change in the same file

    run = cli("load", MINI, "--on", "2024-04-20")

    assert run.exit_code == 1
    assert run.stderr.splitlines()[-1] == "error: 2 error(s) found; nothing was written"
    assert counts(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(StateRow.__table__)).all() == states
    assert cli("load", MINI, "--on", "2024-04-20").exit_code == 1  # still refused, still nothing
    assert counts(engine) == before


def test_an_impossible_date_is_a_validation_error(cli, project, engine):
    write_mini(project)
    _edit(project, "due: 2024-04-10", "due: 2024-04-31")

    run = cli("load", MINI, "--on", "2024-04-01")

    assert run.exit_code == 1
    lines = run.stderr.splitlines()
    assert lines[0].startswith("mini/tiny/mini.yaml:13: due: ")
    assert lines[-1] == "error: 1 error(s) found; nothing was written"
    assert counts(engine) == (0, 0, 0)


def test_every_problem_is_reported_at_once(cli, project, engine):
    write_mini(project)
    _edit(project, "due: 2024-04-10", "due: someday")          # task plan, line 13
    _edit(project, "lead: dept-b\n    sector: economic",      # task execute, line 16
          "lead: dept-z\n    sector: economic")

    run = cli("load", MINI, "--on", "2024-04-01")

    assert run.exit_code == 1
    lines = run.stderr.splitlines()
    assert lines[0].startswith("mini/tiny/mini.yaml:13: due: bad deadline 'someday'")
    assert lines[1].startswith("mini/tiny/mini.yaml:16: lead: unknown unit 'dept-z'")
    assert lines[-1] == "error: 2 error(s) found; nothing was written"
    assert counts(engine) == (0, 0, 0)


# --- reorganisation: the Hưng Yên communes merged on 2025-07-01 ---------------------------

PHO_HIEN = "hy-pho-hien"  # successor of hy-hien-nam, hy-an-tao and hy-trung-nghia
COMMUNE_TASKS = ["commune-dossier", "commune-handover", "constitution-opinions",
                 "grassroots-party-congress", "skilled-models-new"]


def test_merged_communes_open_tasks_move_to_the_successor(cli, engine):
    assert cli("load", "directives/hung-yen", "--on", "2025-04-20").exit_code == 0
    done = cli("done", "hy-2025-q2/commune-dossier@hy-hien-nam", "--unit", "hy-hien-nam",
               "--on", "2025-04-25")
    assert done.exit_code == 0, done.stderr

    run = cli("load", "directives/hung-yen", "--on", "2025-07-01")

    assert run.exit_code == 0, run.stderr
    # 16 merged communes x 5 fanned-out tasks, and the 10 districts' quarterly reports and
    # their 10 "Dân vận khéo" model tasks of Q1 (the district level ends), less the one
    # finished before the merger
    assert run.stdout.splitlines() == [
        "hy-2025-q1-models: unchanged (10 task instance(s))",
        "hy-2025-q2: unchanged (201 task instance(s))",
        "hy-2025-q3: unchanged (129 task instance(s))",
        "reorganisation: 99 open task(s) moved to successor units",
    ]
    led = as_json(cli("tasks", "--unit", PHO_HIEN, "--as-of", "2025-07-01", "--json"))
    expected = sorted(f"hy-2025-q2/{t}@{c}" for t in COMMUNE_TASKS
                      for c in ("hy-hien-nam", "hy-an-tao", "hy-trung-nghia"))
    expected.remove("hy-2025-q2/commune-dossier@hy-hien-nam")
    assert sorted(r["id"] for r in led) == expected
    assert {r["lead"] for r in led} == {PHO_HIEN}

    [event] = [e for e in events_of(engine, "hy-2025-q2/commune-handover@hy-hien-nam")]
    assert (event["kind"], event["effective_on"].isoformat(), event["new_lead"],
            event["decision"]) == ("reassigned", "2025-07-01", PHO_HIEN, "1666/NQ-UBTVQH15")

    # finished work and its history stay with the old unit
    kept = as_json(cli("tasks", "--unit", "hy-hien-nam", "--as-of", "2025-07-01", "--json"))
    assert [(r["id"], r["lead"], r["status"]) for r in kept] == [
        ("hy-2025-q2/commune-dossier@hy-hien-nam", "hy-hien-nam", "done_on_time")]
    assert [e["kind"] for e in events_of(engine, "hy-2025-q2/commune-dossier@hy-hien-nam")] \
        == ["done"]
    # the day before the merger the old commune still led its open tasks
    before = as_json(cli("tasks", "--unit", "hy-hien-nam", "--as-of", "2025-06-30", "--json"))
    assert len(before) == 5
    assert as_json(cli("tasks", "--unit", PHO_HIEN, "--as-of", "2025-06-30", "--json")) == []


def test_the_successor_reports_and_the_old_unit_no_longer_can(cli):
    assert cli("load", "directives/hung-yen", "--on", "2025-07-01").exit_code == 0
    task = "hy-2025-q2/commune-handover@hy-an-tao"

    refused = cli("done", task, "--unit", "hy-an-tao", "--on", "2025-07-10")
    accepted = cli("done", task, "--unit", PHO_HIEN, "--on", "2025-07-10")

    assert refused.exit_code == 1
    assert refused.stderr == (f"error: unit 'hy-an-tao' ended on 2025-07-01 (its work passed to "
                              f"{PHO_HIEN}); {PHO_HIEN} reports on its tasks\n")
    assert accepted.exit_code == 0, accepted.stderr


def test_a_second_load_does_not_move_them_again(cli, engine):
    first = cli("load", "directives/hung-yen", "--on", "2025-07-01")
    assert first.stdout.splitlines()[-1] == \
        "reorganisation: 100 open task(s) moved to successor units"
    before = counts(engine)

    run = cli("load", "directives/hung-yen", "--on", "2025-07-20")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == ("hy-2025-q1-models: unchanged (10 task instance(s))\n"
                          "hy-2025-q2: unchanged (201 task instance(s))\n"
                          "hy-2025-q3: unchanged (129 task instance(s))\n")
    assert counts(engine) == before
    events = events_of(engine, "hy-2025-q2/skilled-models-new@hy-vuong")
    assert [(e["kind"], e["new_lead"]) for e in events] == [("reassigned", "hy-hoang-hoa-tham")]


def test_no_move_before_the_reorganisation_date(cli, engine):
    run = cli("load", "directives/hung-yen", "--on", "2025-06-30")

    assert run.stdout == ("hy-2025-q1-models: new, 10 task instance(s)\n"
                          "hy-2025-q2: new, 201 task instance(s)\n"
                          "hy-2025-q3: new, 129 task instance(s)\n")
    assert counts(engine) == (340, 0, 340)  # 10 districts' models, 201 of Q2, 129 of Q3
    with engine.connect() as conn:
        leads = conn.execute(select(InstanceRow.__table__.c.lead_id).where(
            InstanceRow.__table__.c.key == "hy-2025-q2/skilled-models-new@hy-vuong")).scalar()
    assert leads == "hy-vuong"


def test_work_returned_after_a_merger_goes_to_the_successor(cli, engine):
    task = "hy-2025-q2/skilled-models-new@hy-hien-nam"
    assert cli("load", "directives/hung-yen", "--on", "2025-04-20").exit_code == 0
    assert cli("done", task, "--unit", "hy-hien-nam", "--on", "2025-06-20").exit_code == 0
    assert cli("load", "directives/hung-yen", "--on", "2025-07-01").exit_code == 0
    returned = cli("verify", task, "--return", "--reason", "model not registered",
                   "--on", "2025-07-05")
    assert returned.exit_code == 0, returned.stderr
    assert cli("load", "directives/hung-yen", "--on", "2025-07-06").exit_code == 0

    by_old_unit = cli("done", task, "--unit", "hy-hien-nam", "--on", "2025-07-10")
    by_successor = cli("done", task, "--unit", PHO_HIEN, "--on", "2025-07-10")

    assert by_old_unit.exit_code == 1
    assert by_successor.exit_code == 0, by_successor.stderr


DISSOLVED = UNITS + """\
reorganisations:
  - {unit: c09, on: 2024-05-02, decision: "98/NQ-HĐND"}
  - {unit: c10, on: 2024-05-02, decision: "99/NQ-HĐND"}
"""


def test_a_unit_dissolved_without_into_hands_its_open_work_to_its_parent(cli, project, engine):
    """c09 and c10 (communes of d1) are dissolved on 2024-05-02 with no successor named:
    d1 takes over c10's open meeting; c09's, finished before, stays c09's."""
    load_mini(cli, project)
    assert cli("done", "mini/grassroots@c09", "--unit", "c09", "--on", "2024-04-30").exit_code == 0
    write_mini(project, units=DISSOLVED)

    run = cli("load", MINI, "--on", "2024-05-02")

    assert (run.exit_code, run.stdout.splitlines()) == (0, [
        "mini: updated: 0 added, 0 revised, 0 cancelled, 0 restored",  # the units changed
        "reorganisation: 1 open task(s) moved to successor units"]), run.stderr
    [event] = events_of(engine, "mini/grassroots@c10")
    assert (event["kind"], event["effective_on"].isoformat(), event["new_lead"],
            event["decision"], event["note"]) == (
        "reassigned", "2024-05-02", "d1", "99/NQ-HĐND", "Xã 10 dissolved; Huyện Một takes over")
    led = as_json(cli("tasks", "--unit", "d1", "--as-of", "2024-05-02", "--json"))
    assert [(r["id"], r["lead"]) for r in led] == [("mini/grassroots@c10", "d1")]
    kept = as_json(cli("tasks", "--unit", "c09", "--as-of", "2024-05-02", "--json"))
    assert [(r["id"], r["lead"], r["status"]) for r in kept] == [
        ("mini/grassroots@c09", "c09", "done_on_time")]
    assert [e["kind"] for e in events_of(engine, "mini/grassroots@c09")] == ["done"]
    by_old_unit = cli("done", "mini/grassroots@c10", "--unit", "c10", "--on", "2024-05-03")
    by_parent = cli("done", "mini/grassroots@c10", "--unit", "d1", "--on", "2024-05-03")
    assert (by_old_unit.exit_code, by_old_unit.stderr) == (
        1, "error: unit 'c10' ended on 2024-05-02 (its work passed to d1); d1 reports on its "
           "tasks\n")
    assert by_parent.exit_code == 0, by_parent.stderr


def test_a_bulk_load_refreshes_postgresql_statistics_at_once(cli, project, engine,
                                                              monkeypatch):
    monkeypatch.setattr("dirtrack.store.sync.BULK_ROWS", MINI_INSTANCES)  # mini counts as bulk
    write_mini(project)

    assert cli("load", MINI, "--on", "2024-04-01").exit_code == 0

    if engine.dialect.name == "postgresql":  # the planner knows the new rows' number
        with engine.connect() as conn:
            planned = dict(conn.exec_driver_sql(
                "SELECT relname, reltuples FROM pg_class WHERE oid IN "
                "('task_instance'::regclass, 'instance_state'::regclass)").tuples().all())
        assert planned == {"task_instance": MINI_INSTANCES, "instance_state": MINI_INSTANCES}


def test_a_removal_dated_before_events_already_recorded_is_refused(cli, project, engine):
    load_mini(cli, project)
    assert cli("done", "mini/report", "--unit", "dept-a", "--on", "2024-05-10").exit_code == 0
    _edit(project, REPORT_TASK, "")
    before = counts(engine)

    run = cli("load", MINI, "--on", "2024-04-20")

    assert run.exit_code == 1
    assert run.stderr == ("error: mini/report has an event dated 2024-05-10, after 2024-04-20; "
                          "load this revision with --on 2024-05-10 or later, so that the "
                          "ledger stays in date order\n")
    assert counts(engine) == before
    assert by_id(as_json(cli("tasks", "--as-of", "2024-06-01", "--json")))[
        "mini/report"]["status"] == "done_on_time"
    later = cli("load", MINI, "--on", "2024-05-10")
    assert later.exit_code == 0, later.stderr
    assert [e["kind"] for e in events_of(engine, "mini/report")] == ["done", "cancelled"]


def _second_province(project: Path, directive_id: str = "mini", unit_prefix: str = "") -> str:
    """Copy the mini jurisdiction to a second province folder, its directive renamed
    and its unit ids prefixed as asked; return the folder."""
    source, target = project / MINI, project / "mini" / "other"
    target.mkdir(parents=True, exist_ok=True)

    def prefixed(text: str) -> str:
        return re.sub(r"\b(prov|dept-a|dept-b|d1|d2|c\d\d)\b", rf"{unit_prefix}\1", text)

    units = (source / "units.yaml").read_text(encoding="utf-8")
    (target / "units.yaml").write_text(prefixed(units), encoding="utf-8")
    directive = (source / "mini.yaml").read_text(encoding="utf-8")
    (target / "mini.yaml").write_text(
        prefixed(directive).replace("id: mini", f"id: {directive_id}", 1), encoding="utf-8")
    return "mini/other"


def test_a_province_loaded_later_cannot_take_over_another_s_unit_ids(cli, project, engine):
    load_mini(cli, project)
    other = _second_province(project, directive_id="other-plan")
    before = counts(engine)

    run = cli("load", other, "--on", "2024-04-02")

    assert run.exit_code == 1
    assert run.stderr.startswith("error: unit id '")
    assert run.stderr.endswith("' in other's units.yaml is already a unit of jurisdiction "
                               "'tiny' in this database; give it an id of its own (for "
                               "example with the province's prefix)\n")
    assert counts(engine) == before


def test_a_province_loaded_later_cannot_take_over_another_s_directive_id(cli, project, engine):
    load_mini(cli, project)
    assert cli("done", "mini/report", "--unit", "dept-a", "--on", "2024-04-10").exit_code == 0
    other = _second_province(project, unit_prefix="o-")
    before = counts(engine)

    run = cli("load", other, "--on", "2024-04-11")

    assert (run.exit_code, run.stderr) == (
        1, "error: directive id 'mini' of other is already loaded for jurisdiction 'tiny'; "
           "give this directive an id of its own\n")
    assert counts(engine) == before
    assert [e["kind"] for e in events_of(engine, "mini/report")] == ["done"]


def test_a_load_dated_after_today_is_refused(cli, project, engine, clock):
    load_mini(cli, project)
    _edit(project, "due: 2024-06-30", "due: 2024-07-15")
    before = counts(engine)  # the clock: 2024-06-02 in Hanoi, 2024-06-01 in UTC

    run = cli("load", MINI, "--on", "2024-06-03")

    assert (run.exit_code, run.stderr) == (
        1, "error: a load takes effect on 2024-06-03, after today (2024-06-02); load with "
           "--on 2024-06-02 or earlier\n")
    assert counts(engine) == before
