"""Working days and periods, checked against an outside list of Vietnamese public holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dirtrack.calendar import WorkCalendar, period_end, quarter_bounds
from tests.testdata import testdata_root

HOLIDAYS_FILE = testdata_root() / "holidays" / "vn_holidays_2024_2026.txt"
MAKE_UP_SATURDAYS = [date(2024, 5, 4), date(2025, 2, 8), date(2025, 4, 26), date(2026, 8, 22)]


def _en_us_holidays() -> list[tuple[date, str]]:
    """Return (date, name) of every line of the file's ``## en_US`` section."""
    rows: list[tuple[date, str]] = []
    section = ""
    for line in HOLIDAYS_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if section == "en_US" and line.strip() and not line.startswith("#"):
            day, _weekday, name = line.split(" ", 2)
            rows.append((date.fromisoformat(day), name))
    return rows


HOLIDAYS = _en_us_holidays()
WEEKDAY_HOLIDAYS = [(d, name) for d, name in HOLIDAYS if d.weekday() < 5]


def test_holiday_file_is_read() -> None:
    # 41 holidays in 2024-2026, 37 of them on Monday to Friday (12, 12 and 13).
    assert len(HOLIDAYS) == 41
    assert len(WEEKDAY_HOLIDAYS) == 37
    assert (date(2025, 1, 29), "Lunar New Year") in HOLIDAYS


@pytest.mark.parametrize(("day", "name"), WEEKDAY_HOLIDAYS,
                         ids=[f"{d}-{n}" for d, n in WEEKDAY_HOLIDAYS])
def test_public_holiday_on_a_weekday_is_not_a_working_day(day: date, name: str) -> None:
    assert not WorkCalendar("VN").is_working_day(day)


def test_every_other_weekday_of_2024_to_2026_is_a_working_day() -> None:
    cal = WorkCalendar("VN")
    off = {d for d, _ in HOLIDAYS}
    day, wrong = date(2024, 1, 1), []
    while day <= date(2026, 12, 31):
        expected = day.weekday() < 5 and day not in off
        if cal.is_working_day(day) != expected:
            wrong.append(day)
        day += timedelta(days=1)
    assert wrong == []


def test_working_days_in_2025_count_weekdays_minus_holidays() -> None:
    weekdays_2025 = 261
    holidays_on_weekdays_2025 = sum(1 for d, _ in WEEKDAY_HOLIDAYS if d.year == 2025)
    assert holidays_on_weekdays_2025 == 12
    assert WorkCalendar("VN").working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == (
        weekdays_2025 - holidays_on_weekdays_2025)


@pytest.mark.parametrize("saturday", MAKE_UP_SATURDAYS, ids=str)
def test_make_up_saturday_is_a_day_off_unless_listed(saturday: date) -> None:
    assert saturday.weekday() == 5
    assert not WorkCalendar("VN").is_working_day(saturday)
    assert WorkCalendar("VN", extra_working_days=MAKE_UP_SATURDAYS).is_working_day(saturday)


def test_extra_day_off_removes_a_working_day() -> None:
    cal = WorkCalendar("VN", extra_days_off=[date(2024, 9, 4)])
    assert WorkCalendar("VN").is_working_day(date(2024, 9, 4))
    assert not cal.is_working_day(date(2024, 9, 4))
    # Fri 30 Aug + 1 wd: Mon 2 and Tue 3 Sep are National Day, Wed 4 is the extra day off.
    assert WorkCalendar("VN").add_working_days(date(2024, 8, 30), 1) == date(2024, 9, 4)
    assert cal.add_working_days(date(2024, 8, 30), 1) == date(2024, 9, 5)


def test_add_working_days_across_tet_2025() -> None:
    cal = WorkCalendar("VN")
    # Fri 24 Jan, then the weekend, Tết from Mon 27 Jan to Sat 1 Feb, the weekend.
    assert cal.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)
    assert cal.add_working_days(date(2025, 1, 24), 5) == date(2025, 2, 7)
    assert cal.add_working_days(date(2025, 1, 24), 6) == date(2025, 2, 10)


def test_add_working_days_across_tet_2025_with_make_up_saturday() -> None:
    cal = WorkCalendar("VN", extra_working_days=[date(2025, 2, 8)])
    assert cal.add_working_days(date(2025, 1, 24), 6) == date(2025, 2, 8)
    assert cal.add_working_days(date(2025, 1, 24), 7) == date(2025, 2, 10)


def test_add_working_days_across_30_april_and_1_may_2024() -> None:
    plain = WorkCalendar("VN")
    with_saturday = WorkCalendar("VN", extra_working_days=[date(2024, 5, 4)])
    # Fri 26 Apr; Mon 29 Apr (substitute day), Tue 30 Apr and Wed 1 May are off.
    assert plain.add_working_days(date(2024, 4, 26), 1) == date(2024, 5, 2)
    assert plain.add_working_days(date(2024, 4, 26), 3) == date(2024, 5, 6)
    assert with_saturday.add_working_days(date(2024, 4, 26), 3) == date(2024, 5, 4)
    assert with_saturday.add_working_days(date(2024, 4, 26), 4) == date(2024, 5, 6)


def test_add_working_days_zero_is_the_start_day_even_on_a_holiday() -> None:
    assert WorkCalendar("VN").add_working_days(date(2025, 1, 29), 0) == date(2025, 1, 29)


def test_add_working_days_from_a_holiday_counts_from_the_next_working_day() -> None:
    assert WorkCalendar("VN").add_working_days(date(2025, 1, 29), 1) == date(2025, 2, 3)


def test_add_working_days_over_several_years() -> None:
    cal = WorkCalendar("VN")
    total = cal.working_days_between(date(2023, 12, 31), date(2026, 12, 31))
    # 262 + 261 + 261 weekdays in 2024-2026, minus 37 weekday holidays.
    assert total == 784 - 37
    assert cal.add_working_days(date(2023, 12, 31), total) == date(2026, 12, 31)


def test_add_working_days_earlier_start_after_a_later_one() -> None:
    cal = WorkCalendar("VN")
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert cal.add_working_days(date(2024, 2, 7), 1) == date(2024, 2, 15)


@pytest.mark.parametrize(("start", "end", "count"), [
    (date(2025, 1, 24), date(2025, 2, 3), 1),
    (date(2025, 1, 1), date(2025, 1, 31), 17),    # 22 weekdays after 1 Jan, 27-31 Jan off
    (date(2024, 4, 26), date(2024, 5, 6), 3),
    (date(2024, 5, 6), date(2024, 4, 26), 0),     # end before start
    (date(2024, 5, 6), date(2024, 5, 6), 0),
    (date(2024, 5, 3), date(2024, 5, 4), 0),      # Saturday, not a make-up day here
])
def test_working_days_between(start: date, end: date, count: int) -> None:
    assert WorkCalendar("VN").working_days_between(start, end) == count


def test_working_days_between_counts_a_make_up_saturday() -> None:
    cal = WorkCalendar("VN", extra_working_days=[date(2024, 5, 4)])
    assert cal.working_days_between(date(2024, 5, 3), date(2024, 5, 4)) == 1
    assert cal.working_days_between(date(2024, 4, 26), date(2024, 5, 6)) == 4


@pytest.mark.parametrize(("text", "end"), [
    ("2024-Q1", date(2024, 3, 31)),
    ("2024-Q2", date(2024, 6, 30)),
    ("2024-Q3", date(2024, 9, 30)),
    ("2024-Q4", date(2024, 12, 31)),
    ("2025-H1", date(2025, 6, 30)),
    ("2025-H2", date(2025, 12, 31)),
    ("2024-02", date(2024, 2, 29)),
    ("2025-02", date(2025, 2, 28)),
    ("2000-02", date(2000, 2, 29)),
    ("1900-02", date(1900, 2, 28)),
    ("2024-04", date(2024, 4, 30)),
    ("2024-12", date(2024, 12, 31)),
    ("2026", date(2026, 12, 31)),
    (" 2024-Q2 ", date(2024, 6, 30)),
])
def test_period_end(text: str, end: date) -> None:
    assert period_end(text) == end


@pytest.mark.parametrize("text", ["2024-Q5", "2024-H3", "2024-13", "2024-00", "2024-6",
                                  "24-Q1", "Q1-2024", "2024-05-31", ""])
def test_period_end_is_none_for_what_is_not_a_period(text: str) -> None:
    assert period_end(text) is None


@pytest.mark.parametrize(("text", "bounds"), [
    ("2024-Q1", (date(2024, 1, 1), date(2024, 3, 31))),
    ("2024-Q2", (date(2024, 4, 1), date(2024, 6, 30))),
    ("2024-Q3", (date(2024, 7, 1), date(2024, 9, 30))),
    ("2025-Q4", (date(2025, 10, 1), date(2025, 12, 31))),
])
def test_quarter_bounds(text: str, bounds: tuple[date, date]) -> None:
    assert quarter_bounds(text) == bounds


@pytest.mark.parametrize("text", ["2024-Q5", "2024-H1", "2024", "Q2", "2024-q2"])
def test_quarter_bounds_rejects_what_is_not_a_quarter(text: str) -> None:
    with pytest.raises(ValueError) as info:
        quarter_bounds(text)
    assert str(info.value) == f"'{text}' is not a quarter; write it like 2024-Q2"


def test_a_count_above_the_bound_is_refused_before_any_year_is_built() -> None:
    from dirtrack.calendar import MAX_WORKING_DAYS

    cal = WorkCalendar("VN")
    assert cal.add_working_days(date(2024, 1, 1), MAX_WORKING_DAYS) > date(2033, 1, 1)
    with pytest.raises(ValueError) as info:
        cal.add_working_days(date(2024, 1, 1), 99_999_999_999)
    assert str(info.value) == "99,999,999,999 working days is more than 2,500"


def test_counting_past_the_year_9999_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        WorkCalendar("VN").add_working_days(date(9999, 12, 1), 30)


def test_holiday_data_names_the_package_version_and_each_holiday() -> None:
    import holidays

    data = WorkCalendar("VN").holiday_data(2024, 2026)
    head, days = data.split(": ", 1)
    assert head == f"VN 2024-2026 holidays {holidays.__version__}"
    assert days.split(",") == [d.isoformat() for d, _ in HOLIDAYS]


def test_the_holidays_package_is_a_version_whose_vietnamese_data_was_checked() -> None:
    # 0.106 is the first release with the substitute days off of 2 May 2025 and
    # 31 August 2026 and with Vietnam Cultural Day (24 November, from 2026); its
    # Vietnamese calendar is the same up to 0.109. A newer one: compare its
    # VN 2024-2026 list with the shared file, then widen the range in pyproject.toml.
    import holidays

    version = tuple(int(part) for part in holidays.__version__.split(".")[:2])
    assert (0, 106) <= version < (0, 110)
