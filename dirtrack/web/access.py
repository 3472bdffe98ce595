"""Who may see and do what. Every write is checked here and again by the ledger."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dirtrack.config import settings, today
from dirtrack.errors import InvalidAction, NotAllowed
from dirtrack.users import User

REPORT_DAYS_BACK = 7  # default of DIRTRACK_REPORT_DAYS_BACK


def can_read(user: User, lead: str, support: list[str], issuer: str | None = None) -> bool:
    """Steering and viewers read everything; an officer its unit's and coordinating tasks,
    and those of the directives its unit issued."""
    if user.role in ("steering", "viewer"):
        return True
    return user.unit_id is not None and user.unit_id in (lead, *support, issuer)


def require_read(user: User, key: str, lead: str, support: list[str],
                 issuer: str | None = None) -> None:
    if not can_read(user, lead, support, issuer):
        raise NotAllowed(f"{key} is not a task of your unit ({user.unit_id})")


def can_report(user: User, lead: str) -> bool:
    """Only an officer of the lead unit reports progress or completion."""
    return user.role == "officer" and user.unit_id == lead


REPORT = "report progress or done"
ANSWER = "ask for an extension or record a difficulty"
WITHDRAW = "withdraw an extension request"


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


def can_answer(user: User, issuer: str) -> bool:
    """The steering committee, and officers of the unit that issued the directive, answer
    a unit's extension request: grant it or refuse it."""
    return user.role == "steering" or (user.role == "officer" and user.unit_id == issuer)


def answering_body(user: User) -> str:
    """Return who answers in the ledger: the officer's unit, or the secretariat."""
    from dirtrack.store.ledger import SECRETARIAT

    return user.unit_id if user.role == "officer" and user.unit_id else SECRETARIAT


def require_answer(user: User, issuer: str, what: str) -> None:
    if user.role == "viewer":
        raise NotAllowed("viewers cannot record anything")
    if not can_answer(user, issuer):
        raise NotAllowed(f"only the steering committee or officers of the issuing unit "
                         f"({issuer}) can {what}")


def require_extend(user: User, issuer: str, grants: bool) -> None:
    """An extension by decision is the steering committee's; the issuing unit's officers
    extend a deadline only to grant the unit's waiting request."""
    if grants:
        require_answer(user, issuer, "grant extension requests")
    elif user.role == "officer" and user.unit_id == issuer:
        raise NotAllowed("only the steering committee can extend deadlines by decision; "
                         "officers of the issuing unit grant a unit's waiting extension "
                         "request")
    else:
        require_steering(user, "extend deadlines")


REVIEWS = "reviews are for the steering committee and viewers"


def require_locality_review(engine: Any, user: User, locality: str,
                            jurisdiction: str | None) -> str:
    """Return the jurisdiction of ``locality`` for its review, or refuse: NotFound (as the
    command line says it) for a locality not loaded or not the jurisdiction's; NotAllowed
    for an officer of a unit that is not one of its bodies. The steering committee and
    viewers read every locality's review; an officer of a commune's Party committee,
    People's Committee or Front committee reads the review of that commune."""
    from dirtrack.review.build import locality_owner

    with engine.connect() as conn:
        owner, bodies = locality_owner(conn, locality, jurisdiction,
                                       choose="the jurisdiction parameter")
    if user.role == "officer" and user.unit_id not in bodies:
        raise NotAllowed(f"{REVIEWS}; an officer reads the review of its own locality only, "
                         f"and unit '{user.unit_id}' is not one of the bodies of "
                         f"'{locality}'")
    return owner
