"""Deadline expressions: every form of docs/format.md, and what a bad one says."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dirtrack.spec.model import Deadline, parse_deadline

BAD_DEADLINE = (
    "bad deadline '{}'; write a date (2024-05-31), a period (2024-Q2, 2024-H1, 2024-06), "
    "or an offset (issued + 30d, issued + 15wd, TASK + 10wd, deps + 5d)"
)


@pytest.mark.parametrize(("value", "day"), [
    ("2024-05-31", date(2024, 5, 31)),
    (date(2024, 5, 31), date(2024, 5, 31)),      # what YAML gives for an unquoted date
    ("2024-02-29", date(2024, 2, 29)),
    ("2024-Q2", date(2024, 6, 30)),
    ("2024-Q4", date(2024, 12, 31)),
    ("2024-H1", date(2024, 6, 30)),
    ("2024-H2", date(2024, 12, 31)),
    ("2024-06", date(2024, 6, 30)),
    ("2024-02", date(2024, 2, 29)),
    ("2024", date(2024, 12, 31)),
    (2024, date(2024, 12, 31)),                  # what YAML gives for `due: 2024`
])
def test_date_and_period_deadlines(value: object, day: date) -> None:
    deadline = parse_deadline(value)
    assert (deadline.kind, deadline.day, deadline.ref) == ("date", day, None)


def test_date_deadline_keeps_its_text() -> None:
    assert parse_deadline(date(2024, 5, 31)).text == "2024-05-31"
    assert parse_deadline(" 2024-Q2 ").text == "2024-Q2"


@pytest.mark.parametrize(("text", "expected"), [
    ("issued + 30d", Deadline("issued", "issued + 30d", amount=30, unit="d")),
    ("issued + 15wd", Deadline("issued", "issued + 15wd", amount=15, unit="wd")),
    ("issued+15wd", Deadline("issued", "issued+15wd", amount=15, unit="wd")),
    ("issued + 0d", Deadline("issued", "issued + 0d", amount=0, unit="d")),
    ("deps + 5d", Deadline("deps", "deps + 5d", amount=5, unit="d")),
    ("deps + 5wd", Deadline("deps", "deps + 5wd", amount=5, unit="wd")),
    ("grassroots + 10wd",
     Deadline("task", "grassroots + 10wd", ref="grassroots", amount=10, unit="wd")),
    ("ff-congress/grassroots + 10wd",
     Deadline("task", "ff-congress/grassroots + 10wd", ref="ff-congress/grassroots",
              amount=10, unit="wd")),
    ("book-100-models + 3d",
     Deadline("task", "book-100-models + 3d", ref="book-100-models", amount=3, unit="d")),
])
def test_offset_deadlines(text: str, expected: Deadline) -> None:
    assert parse_deadline(text) == expected


@pytest.mark.parametrize("text", ["2024-13-01", "2024-02-30", "2025-02-29"])
def test_impossible_date_says_it_is_not_a_real_date(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_deadline(text)
    assert str(info.value) == f"'{text}' is not a real date"


@pytest.mark.parametrize("text", [
    "next week",
    "issued + 3w",
    "issued - 3d",
    "issued + d",
    "issued + 3",
    "2024-Q5",
    "31/05/2024",
    "",
])
def test_bad_deadline_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_deadline(text)
    assert str(info.value) == BAD_DEADLINE.format(text)


@pytest.mark.parametrize("value", [
    datetime(2024, 5, 31, 17, 0),        # what YAML gives for an unquoted date and time
    "2024-05-31T17:00:00",
    "2024-05-31 17:00",
])
def test_a_date_and_time_is_not_a_deadline(value: object) -> None:
    with pytest.raises(ValueError) as info:
        parse_deadline(value)
    assert str(info.value) == f"'{value}' is a date and time; write a date (YYYY-MM-DD)"


@pytest.mark.parametrize(("text", "amount"), [
    ("issued + 3650d", 3650), ("issued + 2500wd", 2500), ("deps + 000120wd", 120)])
def test_an_offset_up_to_ten_years_is_a_deadline(text: str, amount: int) -> None:
    assert parse_deadline(text).amount == amount


@pytest.mark.parametrize(("text", "bound"), [
    ("issued + 3651d", "3,650 days"),
    ("issued + 2501wd", "2,500 working days"),
    ("plan + 99999999999wd", "2,500 working days"),
    ("deps + " + "9" * 5000 + "d", "3,650 days"),    # past Python's 4,300-digit bound too
])
def test_an_absurd_count_is_refused_before_counting(text: str, bound: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_deadline(text)
    assert str(info.value) == (f"'{text}' counts more than {bound} (about ten years); count "
                               "from a later task or write the date")
