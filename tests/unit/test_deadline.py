"""Deadline expressions: every form of docs/format.md, and what a bad one says."""

from __future__ import annotations

from datetime import date

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
