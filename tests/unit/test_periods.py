"""Periods and deadlines relative to them, with answers counted by hand on the 2025-2027
Vietnamese calendar (Tết 2025: 27 Jan-1 Feb; Tết 2026: 16-20 Feb; 1 Jan 2027 a holiday)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dirtrack.calendar import WorkCalendar
from dirtrack.periods import (
    MONTHS,
    REPEATS,
    due_in,
    parse_due_rule,
    parse_period,
    period_of,
    periods_in,
)

VN = WorkCalendar("VN")


def _due(period: str, rule: str, calendar: WorkCalendar = VN, day_off: str = "keep") -> date:
    parsed = parse_due_rule(rule)
    assert parsed is not None
    return due_in(parse_period(period), parsed, calendar, day_off)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),  # leap year
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("2026-04", date(2026, 4, 1), date(2026, 4, 30)),
])
def test_period_ranges(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.id) == (start, end, text)


@pytest.mark.parametrize("text", ["2026-Q0", "2026-13", "2026-H3", "26-Q1", "Q1-2026", ""])
def test_a_bad_period_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match="write 2026, 2026-H1, 2026-Q2 or 2026-03"):
        parse_period(text)


def test_periods_cross_the_year_boundary() -> None:
    assert parse_period("2026-12").next().id == "2027-01"
    assert parse_period("2026-Q4").next().id == "2027-Q1"
    assert parse_period("2027-01").shift(-1).id == "2026-12"
    assert [p.id for p in periods_in("monthly", parse_period("2026-11"),
                                     parse_period("2027-02"))] == [
        "2026-11", "2026-12", "2027-01", "2027-02"]
    assert period_of("month", date(2027, 1, 1)).id == "2027-01"


def test_from_and_until_may_be_coarser_periods() -> None:
    months = periods_in("monthly", parse_period("2026-Q2"), parse_period("2026-H1"))
    assert [p.id for p in months] == ["2026-04", "2026-05", "2026-06"]
    assert [p.id for p in periods_in("half-yearly", parse_period("2026-03"),
                                     parse_period("2027"))] == ["2026-H1", "2026-H2",
                                                                 "2027-H1", "2027-H2"]
    assert periods_in("yearly", parse_period("2026-Q1"), parse_period("2026-Q4")) == [
        parse_period("2026")]
    assert periods_in("quarterly", parse_period("2026-Q3"), parse_period("2026-Q2")) == []


def test_containment_pairs_months_with_their_quarter() -> None:
    q2 = parse_period("2026-Q2")
    assert q2.contains(parse_period("2026-05")) and q2.contains(q2)
    assert not q2.contains(parse_period("2026-07"))
    assert parse_period("2026").contains(q2) and not q2.contains(parse_period("2026-H1"))


@pytest.mark.parametrize(("period", "rule", "expected"), [
    ("2026-Q2", "end", date(2026, 6, 30)),
    ("2026-Q2", "day 15 of last month", date(2026, 6, 15)),
    ("2026-Q2", "day 31 of last month", date(2026, 6, 30)),  # June has 30 days
    ("2024-02", "day 30 of last month", date(2024, 2, 29)),
    ("2026-Q3", "start + 10d", date(2026, 7, 11)),  # a Saturday, kept
    ("2026-03", "end + 5d", date(2026, 4, 5)),
    # Tết 2026 (16-20 Feb): the 15th working day after 1 Feb is the 27th, not the 20th.
    ("2026-02", "start + 15wd", date(2026, 2, 27)),
    # 28 Feb 2026 is a Saturday: 27, 26, 25 Feb are the three working days before it.
    ("2026-02", "end - 3wd", date(2026, 2, 25)),
    # After Thursday 31 Dec 2026: 1 Jan 2027 is a holiday, then 4-8 Jan.
    ("2026-Q4", "end + 5wd", date(2027, 1, 8)),
    ("2026", "day 15 of last month", date(2026, 12, 15)),
])
def test_due_rules(period: str, rule: str, expected: date) -> None:
    assert _due(period, rule) == expected


@pytest.mark.parametrize(("period", "rule", "day_off", "expected"), [
    ("2026-05", "end", "previous", date(2026, 5, 29)),  # Sunday 31 May -> Friday
    ("2026-05", "end", "next", date(2026, 6, 1)),
    ("2026-Q3", "start + 10d", "next", date(2026, 7, 13)),
    # Friday 31 Jan 2025 is Tết's third day; the whole week 27-31 Jan and 1 Feb are off.
    ("2025-01", "end", "previous", date(2025, 1, 24)),
    ("2025-01", "end", "next", date(2025, 2, 3)),
    ("2025-01", "end", "keep", date(2025, 1, 31)),
    ("2026-06", "end", "next", date(2026, 6, 30)),  # a working day stays
])
def test_a_deadline_on_a_day_off_moves_by_its_rule(period: str, rule: str, day_off: str,
                                                   expected: date) -> None:
    assert _due(period, rule, day_off=day_off) == expected


def test_make_up_saturdays_are_working_days() -> None:
    # 26 Apr 2025 was worked to bridge 30 Apr-2 May 2025; 22 Aug 2026 for 31 Aug 2026.
    cal = WorkCalendar("VN", extra_working_days=[date(2025, 4, 26), date(2026, 8, 22)])
    # Before Wednesday 30 Apr 2025 (a holiday): 29, 28 Apr, then Saturday the 26th.
    assert _due("2025-04", "end - 3wd", cal) == date(2025, 4, 26)
    assert _due("2025-04", "end - 3wd") == date(2025, 4, 25)
    assert _due("2026-08", "day 22 of last month", cal, "next") == date(2026, 8, 22)
    assert _due("2026-08", "day 22 of last month", VN, "next") == date(2026, 8, 24)


@pytest.mark.parametrize(("text", "message"), [
    ("start - 2d", "falls before its period"),
    ("end + 9999d", "more than 3,650 days"),
    ("day 32 of last month", "days 1 to 31"),
])
def test_bad_rules_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_due_rule(text)


def test_other_deadlines_are_no_period_rule() -> None:
    assert parse_due_rule("2026-05-31") is None
    assert parse_due_rule("issued + 5wd") is None


periods = st.builds(
    lambda kind, year, n: period_of(kind, date(year, n, 1)),
    st.sampled_from(["month", "quarter", "half", "year"]),
    st.integers(2024, 2027), st.integers(1, 12))
rules = st.one_of(
    st.just("end"),
    st.builds(lambda n: f"day {n} of last month", st.integers(1, 31)),
    st.builds(lambda b, n, u: f"{b} + {n}{u}", st.sampled_from(["start", "end"]),
              st.integers(0, 40), st.sampled_from(["d", "wd"])),
    st.builds(lambda n: f"end - {n}wd", st.integers(1, 40)),
)
saturdays = st.lists(st.dates(date(2024, 1, 1), date(2028, 12, 31))
                     .filter(lambda d: d.weekday() == 5), max_size=4)


@settings(max_examples=60, deadline=None)
@given(periods, rules, saturdays)
def test_day_off_rules_bracket_the_kept_deadline(period, rule: str, extra) -> None:  # type: ignore[no-untyped-def]
    cal = WorkCalendar("VN", extra_working_days=extra)
    parsed = parse_due_rule(rule)
    assert parsed is not None
    kept, before, after = (due_in(period, parsed, cal, r) for r in ("keep", "previous", "next"))
    assert before <= kept <= after
    assert cal.is_working_day(before) and cal.is_working_day(after)
    assert (before == kept == after) == cal.is_working_day(kept)
    if rule == "end":
        assert kept == period.end
    if rule.startswith("end - "):
        count = int(rule[6:-2])
        assert kept < period.end and cal.is_working_day(kept)
        assert cal.working_days_between(kept, period.end - timedelta(days=1)) == count - 1


@given(periods, st.sampled_from(sorted(REPEATS)))
def test_occurrences_tile_their_range(period, repeat: str) -> None:  # type: ignore[no-untyped-def]
    found = periods_in(repeat, period, period)
    assert parse_period(period.id) == period
    for a, b in zip(found, found[1:], strict=False):
        assert a.end + timedelta(days=1) == b.start
    if MONTHS[REPEATS[repeat]] <= MONTHS[period.kind]:  # no longer: they tile it exactly
        assert all(period.contains(p) for p in found)
        assert (found[0].start, found[-1].end) == (period.start, period.end)
    else:  # longer: the one holding its start, when it also ends inside
        assert found in ([], [period_of(REPEATS[repeat], period.start)])
