"""What day it is for the command line: today in ``DIRTRACK_TIMEZONE`` (Asia/Ho_Chi_Minh
by default), read from the pinned clock (tests/fixtures_clock.py).

The clock stands at 23:30 UTC on 1 June 2024: 06:30 on 2 June in Hanoi. Every command
that records an event without ``--on`` dates it 2024-06-02, and every command that
reads without ``--as-of`` reads as of 2024-06-02; with ``DIRTRACK_TIMEZONE=UTC`` both
say 2024-06-01.

The jurisdiction is the mini one of support.py with its own directive: ``due-today``
(dept-a, due 2024-06-01: overdue by one day in Hanoi, due today in UTC) and ``report``
(dept-a, due 2024-06-30).
"""

from __future__ import annotations

import pytest

from ..fixtures_clock import HANOI_NEXT_DAY
from .support import MINI, as_json, by_id, events_of, write_mini

DIRECTIVE = """\
directive:
  id: mini
  number: "1-KH/BTV"
  kind: plan
  title: "Mini plan"
  issued_by: prov
  issued_on: 2024-04-01
tasks:
  - {id: due-today, title: "Due on 1 June", lead: dept-a, sector: political-system,
     due: 2024-06-01}
  - {id: report, title: "Report to the province", lead: dept-a, sector: political-system,
     due: 2024-06-30}
"""
ZONES = [pytest.param(None, "2024-06-02", id="Asia/Ho_Chi_Minh"),
         pytest.param("UTC", "2024-06-01", id="UTC")]


@pytest.fixture
def loaded(cli, project):
    write_mini(project, directive=DIRECTIVE)
    run = cli("load", MINI, "--on", "2024-04-01")
    assert (run.exit_code, run.stdout) == (0, "mini: new, 2 task instance(s)\n"), run.stderr
    return cli


@pytest.mark.parametrize(("zone", "day"), ZONES)
def test_an_event_recorded_without_on_is_dated_today_in_the_configured_zone(
        loaded, engine, clock, zone, day):
    clock.set(HANOI_NEXT_DAY, zone)

    run = loaded("progress", "mini/report", "--unit", "dept-a", "--percent", "50")

    assert (run.exit_code, run.stdout, run.stderr) == (
        0, f"mini/report: progress recorded on {day} (event 1)\n", "")
    assert [(e["kind"], e["effective_on"].isoformat(), e["percent"])
            for e in events_of(engine, "mini/report")] == [("progress", day, 50)]


@pytest.mark.parametrize(("zone", "day", "status", "days_overdue"), [
    pytest.param(None, "2024-06-02", "open_overdue", 1, id="Asia/Ho_Chi_Minh"),
    pytest.param("UTC", "2024-06-01", "open_on_time", 0, id="UTC"),
])
def test_reading_without_as_of_reads_today_in_the_configured_zone(loaded, clock, zone, day,
                                                                  status, days_overdue):
    clock.set(HANOI_NEXT_DAY, zone)

    rows = by_id(as_json(loaded("tasks", "--json")))
    counts = as_json(loaded("status", "--json"))
    overdue = as_json(loaded("overdue", "--json"))

    assert (rows["mini/due-today"]["status"], rows["mini/due-today"]["days_overdue"]) == (
        status, days_overdue)
    assert rows["mini/report"]["status"] == "open_on_time"
    assert (counts["as_of"], counts["open_overdue"], counts["open_on_time"]) == (
        day, days_overdue, 2 - days_overdue)
    assert [r["id"] for r in overdue] == ["mini/due-today"] * days_overdue
