"""The ledger's events become dated states; a state and a date become a category.

>>> from datetime import date as d
>>> evs = [Event("done", d(2024, 5, 10)), Event("returned", d(2024, 5, 12)),
...        Event("done", d(2024, 6, 3))]
>>> [(s.valid_from.isoformat(), s.state) for s in spans(d(2024, 4, 1), d(2024, 5, 31), "u", evs)]
[('2024-04-01', 'open'), ('2024-05-10', 'done'), ('2024-05-12', 'open'), ('2024-06-03', 'done')]
>>> category("done", d(2024, 5, 31), d(2024, 6, 3), d(2024, 6, 30))
'done_late'
>>> category("open", d(2024, 5, 31), None, d(2024, 5, 31))
'open_on_time'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

OPEN, DONE, CANCELLED = "open", "done", "cancelled"
CATEGORIES = ("done_on_time", "done_late", "open_on_time", "open_overdue", "cancelled")
EVENT_KINDS = ("progress", "done", "verified", "returned", "extended", "revised",
               "reassigned", "cancelled", "restored", "requested", "refused", "withdrawn",
               "difficulty")
# Events that say something about a task without changing its state: a unit's request
# for more time, its withdrawal by the unit, the committee's refusal, a difficulty the
# unit records.
NOTE_KINDS = ("requested", "refused", "withdrawn", "difficulty")


@dataclass(frozen=True)
class Event:
    """The part of a ledger event that shapes an instance's state."""

    kind: str
    effective_on: date
    percent: int | None = None
    new_due: date | None = None
    new_lead: str | None = None


@dataclass(frozen=True)
class Span:
    """The state of an instance from ``valid_from`` until ``valid_to`` (exclusive)."""

    valid_from: date
    valid_to: date | None
    state: str
    due_on: date
    lead_id: str
    completed_on: date | None = None
    verified: bool = False
    percent: int = 0
    # When the current open period began: creation, a return or a restore. Escalation
    # steps fire once per open period and deadline.
    opened_on: date | None = None


def apply(span: Span, event: Event) -> Span:
    """Return the state after ``event``, starting on the event's date."""
    s = replace(span, valid_from=event.effective_on, valid_to=None)
    kind = event.kind
    if kind == "progress" and event.percent is not None:
        return replace(s, percent=event.percent)
    if kind == "done":
        return replace(s, state=DONE, completed_on=event.effective_on, percent=100)
    if kind == "verified":
        return replace(s, verified=True)
    if kind == "returned":  # back to the progress reported before the completion
        return replace(s, state=OPEN, completed_on=None, verified=False,
                       opened_on=event.effective_on, percent=event.percent or 0)
    if kind in ("extended", "revised") and event.new_due is not None:
        s = replace(s, due_on=event.new_due)
    if kind in ("reassigned", "revised") and event.new_lead is not None:
        s = replace(s, lead_id=event.new_lead)
    if kind == "cancelled":
        return replace(s, state=CANCELLED)
    if kind == "restored":
        return replace(s, state=DONE if s.completed_on else OPEN, opened_on=event.effective_on)
    return s


def spans(created_on: date, due_on: date, lead_id: str, events: Iterable[Event]) -> list[Span]:
    """Return the state spans of an instance; ``events`` in ledger order (date, then id)."""
    out = [Span(created_on, None, OPEN, due_on, lead_id, opened_on=created_on)]
    for ev in events:
        if ev.kind in NOTE_KINDS:
            continue
        nxt = apply(out[-1], ev)
        if nxt.valid_from <= out[-1].valid_from:
            # Several events on one day: the day ends in the last one's state.
            out[-1] = replace(nxt, valid_from=out[-1].valid_from)
        else:
            out[-1] = replace(out[-1], valid_to=nxt.valid_from)
            out.append(nxt)
    return out


def category(state: str, due_on: date, completed_on: date | None, as_of: date) -> str:
    """Return the government category of a state as of a date."""
    if state == CANCELLED:
        return "cancelled"
    if state == DONE and completed_on is not None:
        return "done_on_time" if completed_on <= due_on else "done_late"
    return "open_on_time" if as_of <= due_on else "open_overdue"
