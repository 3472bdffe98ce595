"""What day it is for the flows: today in ``DIRTRACK_TIMEZONE`` (Asia/Ho_Chi_Minh by
default), read from the pinned clock (tests/fixtures_clock.py).

The clock stands at 23:30 UTC on 1 June 2024: 06:30 on 2 June in Hanoi. The deadline
check and the quarterly review run without a date (a deployment's scheduled run, or the
command line without ``--as-of``) work as of 2024-06-02; with ``DIRTRACK_TIMEZONE=UTC``,
as of 2024-06-01.

The tiny jurisdiction of test_flows.py (issued 2024-04-01): tiny/plan (dept-a, due
10/05) and tiny/meeting@c1..c3 (due 15/05); its ladder is overdue after 1 day to the
lead, supervisor after 7 to the lead's parent (prov for the plan, d1 for the meetings),
on the log and file channels. On either day every one of the four instances has reached
both steps: 8 alerts on each channel, one digest per recipient (dept-a, prov, c1, c2,
c3, d1) and channel.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from ..fixtures_clock import HANOI_NEXT_DAY
from .test_flows import load, write_tiny

ZONES = [pytest.param(None, "2024-06-02", id="Asia/Ho_Chi_Minh"),
         pytest.param("UTC", "2024-06-01", id="UTC")]


@pytest.fixture
def tiny(database, tmp_path):
    load(database, write_tiny(tmp_path / "directives"), date(2024, 4, 1))
    return database


@pytest.mark.parametrize(("zone", "day"), ZONES)
def test_the_flows_run_without_a_date_work_as_of_today_in_the_configured_zone(
        tiny, tmp_path, clock, zone, day):
    from flows.deadline_check import deadline_check
    from flows.quarterly_review import quarterly_review

    clock.set(HANOI_NEXT_DAY, zone)
    alerts, out = tmp_path / "alerts", tmp_path / "reports"

    checked = deadline_check(alerts_dir=str(alerts))
    files = quarterly_review(quarter="2024-Q2", out=str(out), formats=("json",))

    assert (checked["as_of"], checked["recorded"], checked["by_step"],
            checked["digests_sent"]) == (day, 16, {"overdue": 8, "supervisor": 8}, 12)
    assert [p.name for p in (alerts / "tiny").iterdir()] == [day]
    assert files == [str(out / "review-tiny-2024-Q2.json")]
    figures = json.loads((out / "review-tiny-2024-Q2.json").read_text(encoding="utf-8"))
    assert (figures["quarter"], figures["as_of"], figures["totals"]["open_overdue"]) == (
        "2024-Q2", day, 4)


@pytest.mark.parametrize(("zone", "day"), ZONES)
def test_escalate_and_review_without_as_of_run_the_flows_as_of_today_in_the_configured_zone(
        cli, project, tmp_path, clock, zone, day):
    clock.set(HANOI_NEXT_DAY, zone)
    write_tiny(project / "extra")
    assert cli("load", "extra/tiny", "--on", "2024-04-01").exit_code == 0
    out = tmp_path / "reports"

    escalated = cli("escalate", "--alerts-dir", str(tmp_path / "alerts"))
    reviewed = cli("review", "2024-Q2", "--format", "json", "--out", str(out))

    assert (escalated.exit_code, escalated.stdout) == (0, (
        f"deadline check as of {day}: 16 alert(s) recorded (overdue 8, supervisor 8), "
        "0 cancelled; 12 digest(s) sent (16 alert(s)), 0 failed, 0 alert(s) waiting\n"))
    assert [p.name for p in (tmp_path / "alerts" / "tiny").iterdir()] == [day]
    assert (reviewed.exit_code, reviewed.stdout) == (0, f"{out / 'review-tiny-2024-Q2.json'}\n")
    figures = json.loads((out / "review-tiny-2024-Q2.json").read_text(encoding="utf-8"))
    assert figures["as_of"] == day


@pytest.mark.parametrize(("zone", "files", "as_of"), [
    pytest.param(None, ["review-tiny-2024-Q2.json"], "2024-07-01", id="Asia/Ho_Chi_Minh"),
    pytest.param("UTC", [], None, id="UTC"),
])
def test_the_scheduled_review_at_six_on_1_july_in_hanoi_reviews_the_second_quarter(
        tiny, tmp_path, clock, zone, files, as_of):
    """The deployment runs at 06:00 on the first day of a quarter in Hanoi, 23:00 UTC the
    day before: the quarter that has just ended is the one Hanoi's calendar says. (In
    UTC it is still 30 June, and the last quarter to have ended is 2024-Q1, before the
    tiny directive was issued: no jurisdiction has a review for it.)"""
    from flows.quarterly_review import quarterly_review

    clock.set("2024-06-30T23:00:00+00:00", zone)
    out = tmp_path / "reports"

    written = quarterly_review(out=str(out), formats=("json",))

    assert written == [str(out / name) for name in files]
    if as_of is not None:
        figures = json.loads((out / files[0]).read_text(encoding="utf-8"))
        assert (figures["quarter"], figures["as_of"]) == ("2024-Q2", as_of)
