"""Who may see and do what. Every write is checked here and again by the ledger."""

from __future__ import annotations

from datetime import date, timedelta

from dirtrack.config import settings, today
from dirtrack.errors import InvalidAction, NotAllowed
from dirtrack.users import User

REPORT_DAYS_BACK = 7  # default of DIRTRACK_REPORT_DAYS_BACK


def can_read(user: User, lead: str, support: list[str]) -> bool:
    """Steering and viewers read everything; an officer its unit's and coordinating tasks."""
    if user.role in ("steering", "viewer"):
        return True
    return user.unit_id is not None and (lead == user.unit_id or user.unit_id in support)


def require_read(user: User, key: str, lead: str, support: list[str]) -> None:
    if not can_read(user, lead, support):
        raise NotAllowed(f"{key} is not a task of your unit ({user.unit_id})")


def can_report(user: User, lead: str) -> bool:
    """Only an officer of the lead unit reports progress or completion."""
    return user.role == "officer" and user.unit_id == lead


REPORT = "report progress or done"
ANSWER = "ask for an extension or record a difficulty"


def require_report(user: User, key: str, lead: str, what: str = REPORT) -> str:
    """Return the acting unit, or refuse: only an officer of the lead unit reports, asks
    for more time or records a difficulty."""
    if user.role == "viewer":
        raise NotAllowed("viewers cannot record anything")
    if user.role != "officer" or user.unit_id is None:
        raise NotAllowed("only officers of the lead unit report progress or completion"
                         if what == REPORT else f"only officers of the lead unit can {what}")
    if user.unit_id != lead:
        raise NotAllowed(f"unit '{user.unit_id}' is not the lead of {key} (lead: {lead}); "
                         f"only the lead unit can {what}")
    return user.unit_id


def require_recent(on: date) -> None:
    """Refuse a unit's report dated further back than DIRTRACK_REPORT_DAYS_BACK days.

    A unit dates its own progress and completion, and a completion dated on or before
    the deadline counts as on time: the window keeps a late report from being dated
    into a past quarter. Older work is recorded by the secretariat (``dirtrack done
    --on``), in the ledger like any other event.
    """
    days = settings().report_days_back
    first = today() - timedelta(days=days)
    if on < first:
        raise InvalidAction(f"a unit's report can be dated at most {days} day(s) back, from "
                            f"{first}; ask the steering committee's secretariat to record "
                            "older work")


def require_steering(user: User, what: str) -> None:
    if user.role == "viewer":
        raise NotAllowed("viewers cannot record anything")
    if user.role != "steering":
        raise NotAllowed(f"only the steering committee can {what}")
