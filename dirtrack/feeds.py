"""Per-user calendar feeds: an address a calendar app subscribes to, holding the
deadlines of the user's unit.

A calendar app cannot log in, so the address itself is the credential: a random token
in ``/calendar/<token>.ics``, shown once, kept only as its SHA-256 (like API tokens).
A user has at most one live feed: a new one ends the old. A feed ends when its user
revokes it, when the user's password changes and when the user is disabled
(``users.set_password`` and ``users.set_active`` call :func:`end_feeds`); a feed
is never revived by enabling the user again, who makes a new one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from dirtrack.errors import InvalidAction, NotFound
from dirtrack.store.tables import CalendarFeedRow, UserRow

FEEDS, USERS = CalendarFeedRow.__table__, UserRow.__table__  # type: ignore[attr-defined]
PREFIX = "cal_"


@dataclass(frozen=True)
class IssuedFeed:
    id: int
    token: str  # shown once; only its SHA-256 is kept
    unit_id: str

    def path(self) -> str:
        """The feed's address on the server, without the server's own part."""
        return f"/calendar/{self.token}.ics"


@dataclass(frozen=True)
class FeedState:
    """What the calendar page shows of a user's live feed (never its token)."""

    id: int
    created_at: datetime


def _digest(token: str) -> str:
    from dirtrack.users import digest

    return digest(token)


def _owner(conn: Connection, name: str) -> tuple[int, str | None]:
    row = conn.execute(select(USERS.c.id, USERS.c.unit_id).where(USERS.c.name == name)).first()
    if row is None:
        raise NotFound(f"no user '{name}'; add it with 'dirtrack user add'")
    return int(row.id), row.unit_id


def end_feeds(conn: Connection, user_id: int, now: datetime) -> int:
    """Revoke every live feed of a user inside the caller's transaction; return how many."""
    return int(conn.execute(update(FEEDS).where(FEEDS.c.user_id == user_id,
                                                FEEDS.c.revoked_at.is_(None))
                            .values(revoked_at=now)).rowcount)


def new_feed(engine: Engine, name: str, now: datetime | None = None) -> IssuedFeed:
    """Return a new feed of ``name``'s unit's deadlines; the user's previous one ends."""
    from dirtrack.users import utc_now

    at = utc_now(now)
    token = PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        user_id, unit = _owner(conn, name)
        if not unit:
            raise InvalidAction(f"user '{name}' belongs to no unit, and a calendar feed lists "
                                "a unit's deadlines; use a unit officer's login, or "
                                "'dirtrack ics --unit UNIT' for any unit")
        active = conn.execute(select(USERS.c.active).where(USERS.c.id == user_id)).scalar()
        if not active:
            raise InvalidAction(f"user '{name}' is disabled; enable them first with "
                                f"'dirtrack user enable {name}'")
        end_feeds(conn, user_id, at)
        feed_id = conn.execute(insert(FEEDS).values(
            user_id=user_id, token_hash=_digest(token), created_at=at)
            .returning(FEEDS.c.id)).scalar_one()
    return IssuedFeed(int(feed_id), token, unit)


def revoke_feed(engine: Engine, name: str, now: datetime | None = None) -> int:
    """Revoke ``name``'s live feed; return how many were revoked (0 or 1)."""
    from dirtrack.users import utc_now

    with engine.begin() as conn:
        user_id, _ = _owner(conn, name)
        return end_feeds(conn, user_id, utc_now(now))


def live_feed(engine: Engine, user_id: int) -> FeedState | None:
    """Return the user's live feed, if any."""
    with engine.connect() as conn:
        row = conn.execute(select(FEEDS.c.id, FEEDS.c.created_at).where(
            FEEDS.c.user_id == user_id, FEEDS.c.revoked_at.is_(None))
            .order_by(FEEDS.c.id.desc())).first()
    return FeedState(int(row.id), row.created_at) if row is not None else None


_FEED_UNIT = (select(USERS.c.unit_id).join(FEEDS, FEEDS.c.user_id == USERS.c.id).where(
    FEEDS.c.token_hash == bindparam("digest"), FEEDS.c.revoked_at.is_(None),
    USERS.c.active.is_(True)))


def feed_unit(engine: Engine, token: str) -> str | None:
    """Return the unit of the live feed ``token`` opens, else None (unknown, revoked,
    or its user disabled or without a unit)."""
    if not token.startswith(PREFIX):  # no feed has another token: no look-up needed
        return None
    with engine.connect() as conn:
        unit = conn.execute(_FEED_UNIT, {"digest": _digest(token)}).scalar()
    return str(unit) if unit else None
