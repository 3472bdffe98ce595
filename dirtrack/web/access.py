"""Who may see and do what. Every write is checked here and again by the ledger."""

from __future__ import annotations

from dirtrack.errors import NotAllowed
from dirtrack.users import User


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


def require_report(user: User, key: str, lead: str) -> str:
    """Return the acting unit, or refuse."""
    if user.role == "viewer":
        raise NotAllowed("viewers cannot record anything")
    if user.role != "officer" or user.unit_id is None:
        raise NotAllowed("only officers of the lead unit report progress or completion")
    if user.unit_id != lead:
        raise NotAllowed(f"unit '{user.unit_id}' is not the lead of {key} (lead: {lead}); "
                         "only the lead unit can report progress or done")
    return user.unit_id


def require_steering(user: User, what: str) -> None:
    if user.role == "viewer":
        raise NotAllowed("viewers cannot record anything")
    if user.role != "steering":
        raise NotAllowed(f"only the steering committee can {what}")
