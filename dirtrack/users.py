"""Users, roles, passwords and API tokens; login attempts limited per name.

Roles: ``steering`` (everything), ``officer`` (its own unit's tasks; coordinating
tasks read-only), ``viewer`` (read-only). Passwords are hashed with argon2; API
tokens are random, shown once, stored as their SHA-256, and expire. Changing a
password ends every web session and revokes every token of the user; disabling a
user ends their sessions and stops their tokens until they are enabled again.
Every request looks its token or session up anew, so what is ended stops at once,
in every worker process.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, false, func, insert, or_, select, update

from dirtrack.config import now as clock
from dirtrack.config import settings
from dirtrack.errors import DirtrackError, InvalidAction, NotFound
from dirtrack.feeds import end_feeds
from dirtrack.store.tables import (
    ApiTokenRow,
    LoginAttemptRow,
    UnitRow,
    UserRow,
    WebSessionRow,
)

ROLES = ("steering", "officer", "viewer")
USERS, TOKENS = UserRow.__table__, ApiTokenRow.__table__  # type: ignore[attr-defined]
ATTEMPTS, UNITS = LoginAttemptRow.__table__, UnitRow.__table__  # type: ignore[attr-defined]
SESSIONS = WebSessionRow.__table__  # type: ignore[attr-defined]
MAX_FAILURES, FAILURE_WINDOW = 5, timedelta(minutes=15)
MIN_PASSWORD = 8
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class LoginRefused(DirtrackError):
    """Wrong name or password (the message never says which)."""


class TooManyAttempts(DirtrackError):
    """Too many failed logins for this name recently."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    unit_id: str | None

    @property
    def can_write_any(self) -> bool:
        return self.role == "steering"


def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


def as_user(row: Any) -> User:
    """Return the User of an ``app_user`` row."""
    return User(row.id, row.name, row.role, row.unit_id)


def utc_now(moment: datetime | None = None) -> datetime:
    """Return ``moment`` (default: the clock, ``DIRTRACK_NOW`` if set) in UTC."""
    return (moment or clock()).astimezone(UTC)


def digest(secret: str) -> str:
    """Return the SHA-256 by which a token or session id is kept."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_new_user(engine: Engine, name: str, role: str, unit: str | None) -> None:
    """Raise a DirtrackError saying what to change if such a user cannot be added."""
    if not _NAME.match(name):
        raise InvalidAction(f"'{name}' is not a valid user name; use 2-64 lower-case letters, "
                            "digits, '.', '_' or '-'")
    if role not in ROLES:
        raise InvalidAction(f"'{role}' is not a role; use one of {', '.join(ROLES)}")
    if role == "officer" and not unit:
        raise InvalidAction("an officer belongs to a unit; give --unit")
    with engine.connect() as conn:
        if unit and conn.execute(select(UNITS.c.id).where(UNITS.c.id == unit)).first() is None:
            raise NotFound(f"no unit '{unit}'; load the directives first or check the id")
        if conn.execute(select(USERS.c.id).where(USERS.c.name == name)).first() is not None:
            raise InvalidAction(f"user '{name}' exists already")


def add_user(engine: Engine, name: str, role: str, unit: str | None, password: str | None,
             now: datetime | None = None) -> User:
    """Create a user; raise a DirtrackError saying what to change when the input is wrong."""
    check_new_user(engine, name, role, unit)
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidAction(f"the password is too short; use at least {MIN_PASSWORD} characters")
    with engine.begin() as conn:
        user_id = conn.execute(insert(USERS).values(
            name=name, role=role, unit_id=unit,
            password_hash=_hasher().hash(password) if password else "",
            created_at=utc_now(now), active=True).returning(USERS.c.id)).scalar_one()
    return User(int(user_id), name, role, unit)


def _user_id(conn: Connection, name: str) -> int:
    user_id = conn.execute(select(USERS.c.id).where(USERS.c.name == name)).scalar()
    if user_id is None:
        raise NotFound(f"no user '{name}'; add it with 'dirtrack user add'")
    return int(user_id)


def live_session(started_after: Any) -> Any:
    """The condition that a web session is open: not ended, started after ``started_after``
    (a moment, or a bound parameter standing for one)."""
    return and_(SESSIONS.c.ended_at.is_(None), SESSIONS.c.created_at > started_after)


def session_lifetime() -> timedelta:
    """How long a web login lasts (DIRTRACK_SESSION_HOURS)."""
    return timedelta(hours=settings().session_hours)


def _end_sessions(conn: Connection, user_id: int, now: datetime) -> int:
    return int(conn.execute(update(SESSIONS).where(SESSIONS.c.user_id == user_id,
                                                   live_session(now - session_lifetime()))
                            .values(ended_at=now)).rowcount)


def _revoke(conn: Connection, *where: Any, now: datetime) -> int:
    return int(conn.execute(update(TOKENS).where(
        TOKENS.c.revoked_at.is_(None), or_(TOKENS.c.expires_at.is_(None),
                                           TOKENS.c.expires_at > now), *where)
        .values(revoked_at=now)).rowcount)


@dataclass(frozen=True)
class Ended:
    """What a change of password or of state ended: open sessions, valid tokens."""

    sessions: int
    tokens: int
    feeds: int = 0  # calendar feeds (see dirtrack.feeds)


def set_password(engine: Engine, name: str, password: str,
                 now: datetime | None = None) -> Ended:
    """Set a user's password; every session, token and calendar feed of the user ends
    with the old one."""
    if len(password) < MIN_PASSWORD:
        raise InvalidAction(f"the password is too short; use at least {MIN_PASSWORD} characters")
    at, hashed = utc_now(now), _hasher().hash(password)
    with engine.begin() as conn:
        user_id = _user_id(conn, name)
        conn.execute(update(USERS).where(USERS.c.id == user_id).values(password_hash=hashed))
        return Ended(_end_sessions(conn, user_id, at),
                     _revoke(conn, TOKENS.c.user_id == user_id, now=at),
                     end_feeds(conn, user_id, at))


def set_active(engine: Engine, name: str, active: bool, now: datetime | None = None) -> Ended:
    """Enable or disable a user; disabling ends their sessions and calendar feeds and
    stops their tokens.

    The tokens are not revoked: they work again once the user is enabled (revoke them
    with :func:`revoke_tokens` to end them for good).
    """
    at = utc_now(now)
    with engine.begin() as conn:
        user_id = _user_id(conn, name)
        conn.execute(update(USERS).where(USERS.c.id == user_id).values(active=active))
        if active:
            return Ended(0, 0)
        return Ended(_end_sessions(conn, user_id, at), 0, end_feeds(conn, user_id, at))


# --- login -----------------------------------------------------------------------------------

def _take_turn(conn: Connection, name: str) -> None:
    """Make the logins of one name take turns until the transaction ends.

    Without it, parallel attempts would all count the failures before any recorded
    theirs, and each would try a password. PostgreSQL takes an advisory lock on the
    name (and the schema: dirtrack databases sharing one PostgreSQL never wait on
    each other); SQLite takes its write lock (an update of no row does).
    """
    if conn.dialect.name == "postgresql":
        key = func.hashtextextended(func.concat("login ", func.current_schema(), " ", name), 0)
        conn.execute(select(func.pg_advisory_xact_lock(key)))
    else:
        conn.execute(update(ATTEMPTS).where(false()).values(ok=ATTEMPTS.c.ok))


def _claim_attempt(engine: Engine, name: str, address: str, now: datetime) -> int:
    """Record an attempt as failed before the password is checked; return its id.

    An attempt in progress counts as a failure, so at most MAX_FAILURES passwords are
    ever checked for a name within the window, however many arrive at once.
    """
    with engine.begin() as conn:
        _take_turn(conn, name)
        failures = conn.execute(select(func.count()).select_from(ATTEMPTS).where(
            ATTEMPTS.c.name == name, ATTEMPTS.c.ok.is_(False),
            ATTEMPTS.c.at > now - FAILURE_WINDOW)).scalar_one()
        if failures >= MAX_FAILURES:
            raise TooManyAttempts(f"too many failed logins for '{name}'; try again in "
                                  f"{int(FAILURE_WINDOW.total_seconds() // 60)} minutes")
        return int(conn.execute(insert(ATTEMPTS).values(
            name=name, address=address[:64], at=now, ok=False)
            .returning(ATTEMPTS.c.id)).scalar_one())


def authenticate(engine: Engine, name: str, password: str, address: str = "",
                 now: datetime | None = None) -> User:
    """Return the user whose name and password match; every attempt is recorded."""
    from argon2.exceptions import InvalidHashError, VerificationError

    if not _NAME.match(name):  # no user has such a name (nor a NUL the database refuses)
        raise LoginRefused("wrong user name or password")
    attempt = _claim_attempt(engine, name, address, utc_now(now))
    with engine.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.name == name,
                                               USERS.c.active.is_(True))).first()
    stored = row.password_hash if row is not None and row.password_hash else None
    try:
        # An unknown name costs the same hash check: timing does not tell who exists.
        ok = bool(_hasher().verify(stored or _dummy_hash(), password)) and stored is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None:
        raise LoginRefused("wrong user name or password")
    with engine.begin() as conn:
        conn.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == attempt).values(ok=True))
    return as_user(row)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return str(_hasher().hash(secrets.token_urlsafe(16)))


def reading(engine: Engine) -> Connection:
    """Return a connection for one look-up outside any transaction.

    A request's look-up of its token or session is one statement: in a transaction
    PostgreSQL would also be sent BEGIN and ROLLBACK, which cost it three times the
    statement itself.
    """
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


# --- API tokens ------------------------------------------------------------------------------

@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str  # shown once; only its SHA-256 is kept
    expires_at: datetime


def new_token(engine: Engine, name: str, days: int | None = None,
              now: datetime | None = None) -> IssuedToken:
    """Return a new API token for ``name``, valid ``days`` (default DIRTRACK_TOKEN_DAYS)."""
    lifetime = settings().token_days if days is None else days
    if lifetime < 1:
        raise InvalidAction("a token lasts at least 1 day; give --expires 1 or more")
    token, at = "dt_" + secrets.token_urlsafe(32), utc_now(now)
    expires = at + timedelta(days=lifetime)
    with engine.begin() as conn:
        user_id = _user_id(conn, name)
        token_id = conn.execute(insert(TOKENS).values(
            user_id=user_id, token_hash=digest(token), created_at=at, expires_at=expires)
            .returning(TOKENS.c.id)).scalar_one()
    return IssuedToken(int(token_id), token, expires)


def issue_token(engine: Engine, name: str, now: datetime | None = None) -> str:
    """Return a new API token for ``name`` of the default lifetime; only its hash is kept."""
    return new_token(engine, name, now=now).token


def revoke_tokens(engine: Engine, name: str, which: str, now: datetime | None = None) -> int:
    """Revoke ``name``'s valid tokens: ``all``, one by its number, or one given itself.

    Return how many were revoked; raise NotFound when the one named is not a valid
    token of the user.
    """
    at = utc_now(now)
    with engine.begin() as conn:
        user_id = _user_id(conn, name)
        if which == "all":
            return _revoke(conn, TOKENS.c.user_id == user_id, now=at)
        if which.isdigit():
            chosen, shown = TOKENS.c.id == int(which), f"token {which}"
        else:
            chosen, shown = TOKENS.c.token_hash == digest(which.strip()), "the token given"
        if not _revoke(conn, TOKENS.c.user_id == user_id, chosen, now=at):
            raise NotFound(f"{shown} is not a valid token of '{name}'; 'dirtrack user list' "
                           "counts their tokens, '--revoke all' ends every one")
        return 1


# Only what a User holds: every API request runs it.
USER_COLUMNS = (USERS.c.id, USERS.c.name, USERS.c.role, USERS.c.unit_id)
_TOKEN_USER = (select(*USER_COLUMNS).join(TOKENS, TOKENS.c.user_id == USERS.c.id).where(
    TOKENS.c.token_hash == bindparam("digest"), USERS.c.active.is_(True),
    TOKENS.c.revoked_at.is_(None),
    or_(TOKENS.c.expires_at.is_(None), TOKENS.c.expires_at > bindparam("now"))))


def user_for_token(engine: Engine, token: str, now: datetime | None = None) -> User | None:
    """Return the user of a valid token (not revoked, not expired, user enabled), else None.

    Looked up on every request, not kept: a revoked token or a disabled user stops at
    once in every worker process, for one indexed query (benchmarks/auth.py).
    """
    with reading(engine) as conn:
        row = conn.execute(_TOKEN_USER, {"digest": digest(token),
                                         "now": utc_now(now)}).first()
    return as_user(row) if row is not None else None


# --- listing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class UserSummary:
    user: User
    active: bool
    tokens: int  # valid API tokens
    sessions: int  # open web sessions


def list_users(engine: Engine, now: datetime | None = None) -> list[UserSummary]:
    """Return every user with their state and how many tokens and sessions are valid."""
    at = utc_now(now)
    tokens = (select(func.count()).where(
        TOKENS.c.user_id == USERS.c.id, TOKENS.c.revoked_at.is_(None),
        or_(TOKENS.c.expires_at.is_(None), TOKENS.c.expires_at > at))
        .scalar_subquery())
    sessions = (select(func.count()).where(SESSIONS.c.user_id == USERS.c.id,
                                           live_session(at - session_lifetime()))
                .scalar_subquery())
    with engine.connect() as conn:
        return [UserSummary(as_user(r), bool(r.active), int(r.tokens), int(r.sessions))
                for r in conn.execute(select(USERS, tokens.label("tokens"),
                                             sessions.label("sessions"))
                                      .order_by(USERS.c.name))]
