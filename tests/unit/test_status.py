"""The ledger's events as dated states, and the government's four categories as of a date."""

from __future__ import annotations

from datetime import date

import pytest

from dirtrack.status import Event, Span, category, spans

CREATED, DUE = date(2024, 4, 5), date(2024, 5, 31)


def states(result: list[Span]) -> list[tuple[str, str | None, str]]:
    return [(s.valid_from.isoformat(), s.valid_to.isoformat() if s.valid_to else None, s.state)
            for s in result]


def category_as_of(result: list[Span], as_of: date) -> str:
    """Return the category of the span in force on ``as_of``."""
    span = next(s for s in reversed(result) if s.valid_from <= as_of)
    return category(span.state, span.due_on, span.completed_on, as_of)


def test_no_event_is_one_open_span() -> None:
    result = spans(CREATED, DUE, "kim-son", [])
    assert [(s.valid_from, s.valid_to, s.state, s.due_on, s.lead_id, s.completed_on, s.percent)
            for s in result] == [(CREATED, None, "open", DUE, "kim-son", None, 0)]
    assert category_as_of(result, date(2024, 5, 31)) == "open_on_time"
    assert category_as_of(result, date(2024, 6, 1)) == "open_overdue"


def test_done_then_returned_then_done() -> None:
    result = spans(CREATED, DUE, "kim-son", [
        Event("done", date(2024, 5, 10)),
        Event("returned", date(2024, 5, 12)),
        Event("done", date(2024, 6, 3)),
    ])
    assert states(result) == [
        ("2024-04-05", "2024-05-10", "open"),
        ("2024-05-10", "2024-05-12", "done"),
        ("2024-05-12", "2024-06-03", "open"),
        ("2024-06-03", None, "done"),
    ]
    assert [s.completed_on for s in result] == [None, date(2024, 5, 10), None, date(2024, 6, 3)]
    # a return carries the progress reported before the completion: none here
    assert [s.percent for s in result] == [0, 100, 0, 100]
    # The open period restarts on the return: escalation counts from there.
    assert [s.opened_on for s in result] == [CREATED, CREATED, date(2024, 5, 12),
                                             date(2024, 5, 12)]
    assert category_as_of(result, date(2024, 5, 11)) == "done_on_time"
    assert category_as_of(result, date(2024, 5, 20)) == "open_on_time"
    assert category_as_of(result, date(2024, 6, 1)) == "open_overdue"
    assert category_as_of(result, date(2024, 6, 30)) == "done_late"


def test_verified_keeps_done_and_returned_clears_it() -> None:
    result = spans(CREATED, DUE, "kim-son", [
        Event("done", date(2024, 5, 10)),
        Event("verified", date(2024, 5, 14)),
    ])
    assert [(s.state, s.verified) for s in result] == [
        ("open", False), ("done", False), ("done", True)]
    assert result[-1].completed_on == date(2024, 5, 10)
    returned = spans(CREATED, DUE, "kim-son", [
        Event("done", date(2024, 5, 10)), Event("verified", date(2024, 5, 14)),
        Event("returned", date(2024, 5, 20))])
    assert (returned[-1].state, returned[-1].verified, returned[-1].completed_on) == (
        "open", False, None)


def test_extension_moves_the_deadline_and_keeps_the_history() -> None:
    result = spans(CREATED, DUE, "kim-son", [
        Event("extended", date(2024, 5, 28), new_due=date(2024, 6, 15)),
        Event("done", date(2024, 6, 10)),
    ])
    assert [(s.valid_from.isoformat(), s.due_on.isoformat(), s.state) for s in result] == [
        ("2024-04-05", "2024-05-31", "open"),
        ("2024-05-28", "2024-06-15", "open"),
        ("2024-06-10", "2024-06-15", "done"),
    ]
    assert category_as_of(result, date(2024, 6, 5)) == "open_on_time"
    assert category_as_of(result, date(2024, 6, 30)) == "done_on_time"


def test_without_the_extension_the_same_completion_is_late() -> None:
    result = spans(CREATED, DUE, "kim-son", [Event("done", date(2024, 6, 10))])
    assert category_as_of(result, date(2024, 6, 5)) == "open_overdue"
    assert category_as_of(result, date(2024, 6, 30)) == "done_late"


def test_extension_after_completion_makes_it_on_time() -> None:
    result = spans(CREATED, DUE, "kim-son", [
        Event("done", date(2024, 6, 10)),
        Event("extended", date(2024, 6, 12), new_due=date(2024, 6, 15)),
    ])
    assert category_as_of(result, date(2024, 6, 11)) == "done_late"
    assert category_as_of(result, date(2024, 6, 30)) == "done_on_time"


def test_events_on_the_same_day_collapse_to_one_span() -> None:
    result = spans(CREATED, DUE, "kim-son", [
        Event("progress", date(2024, 5, 2), percent=40),
        Event("done", date(2024, 5, 10)),
        Event("returned", date(2024, 5, 10)),
        Event("progress", date(2024, 5, 10), percent=80),
    ])
    assert states(result) == [
        ("2024-04-05", "2024-05-02", "open"),
        ("2024-05-02", "2024-05-10", "open"),
        ("2024-05-10", None, "open"),
    ]
    assert [s.percent for s in result] == [0, 40, 80]
    assert result[-1].completed_on is None


def test_event_on_the_creation_day_replaces_the_first_span() -> None:
    result = spans(CREATED, DUE, "kim-son", [Event("done", CREATED)])
    assert states(result) == [("2024-04-05", None, "done")]
    assert category_as_of(result, CREATED) == "done_on_time"


def test_cancelled_is_counted_apart_and_restored_reopens() -> None:
    result = spans(CREATED, DUE, "kim-son", [
        Event("cancelled", date(2024, 5, 1)),
        Event("restored", date(2024, 6, 5)),
    ])
    assert states(result) == [
        ("2024-04-05", "2024-05-01", "open"),
        ("2024-05-01", "2024-06-05", "cancelled"),
        ("2024-06-05", None, "open"),
    ]
    assert category_as_of(result, date(2024, 6, 1)) == "cancelled"
    assert category_as_of(result, date(2024, 6, 5)) == "open_overdue"


def test_restored_after_cancelling_a_done_task_is_done_again() -> None:
    result = spans(CREATED, DUE, "kim-son", [
        Event("done", date(2024, 5, 10)),
        Event("cancelled", date(2024, 5, 20)),
        Event("restored", date(2024, 6, 5)),
    ])
    assert [s.state for s in result] == ["open", "done", "cancelled", "done"]
    assert category_as_of(result, date(2024, 6, 30)) == "done_on_time"


def test_reassigned_changes_the_lead_from_that_day() -> None:
    result = spans(CREATED, DUE, "hung-tien", [
        Event("progress", date(2024, 6, 1), percent=50),
        Event("reassigned", date(2025, 7, 1), new_lead="kim-son-town"),
    ])
    assert [(s.valid_from.isoformat(), s.lead_id, s.percent) for s in result] == [
        ("2024-04-05", "hung-tien", 0),
        ("2024-06-01", "hung-tien", 50),
        ("2025-07-01", "kim-son-town", 50),
    ]
    assert result[-1].due_on == DUE


def test_revised_changes_deadline_and_lead() -> None:
    result = spans(CREATED, DUE, "kim-son", [
        Event("revised", date(2024, 5, 15), new_due=date(2024, 6, 30), new_lead="yen-mo"),
        Event("revised", date(2024, 5, 20), new_due=date(2024, 7, 15)),
    ])
    assert [(s.valid_from.isoformat(), s.due_on.isoformat(), s.lead_id) for s in result] == [
        ("2024-04-05", "2024-05-31", "kim-son"),
        ("2024-05-15", "2024-06-30", "yen-mo"),
        ("2024-05-20", "2024-07-15", "yen-mo"),
    ]
    assert category_as_of(result, date(2024, 7, 1)) == "open_on_time"
    assert category_as_of(result, date(2024, 7, 16)) == "open_overdue"


@pytest.mark.parametrize(("state", "completed_on", "as_of", "expected"), [
    ("done", date(2024, 5, 31), date(2024, 6, 30), "done_on_time"),
    ("done", date(2024, 6, 1), date(2024, 6, 30), "done_late"),
    ("open", None, date(2024, 5, 31), "open_on_time"),
    ("open", None, date(2024, 6, 1), "open_overdue"),
    ("cancelled", None, date(2024, 6, 1), "cancelled"),
    ("cancelled", date(2024, 5, 1), date(2024, 6, 1), "cancelled"),
])
def test_category(state: str, completed_on: date | None, as_of: date, expected: str) -> None:
    assert category(state, DUE, completed_on, as_of) == expected
