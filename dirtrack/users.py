"""Users, roles, passwords and API tokens; login attempts limited per name.

Roles: ``steering`` (everything), ``officer`` (its own unit's tasks; coordinating
tasks read-only), ``viewer`` (read-only). Passwords are hashed with argon2; API
tokens are random, shown once, stored as their SHA-256.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import Engine, func, insert, select, update

from dirtrack.errors import DirtrackError, InvalidAction, NotFound
from dirtrack.store.tables import ApiTokenRow, LoginAttemptRow, UnitRow, UserRow

ROLES = ("steering", "officer", "viewer")
USERS, TOKENS = UserRow.__table__, ApiTokenRow.__table__  # type: ignore[attr-defined]
ATTEMPTS, UNITS = LoginAttemptRow.__table__, UnitRow.__table__  # type: ignore[attr-defined]
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


def _user(row) -> User:  # type: ignore[no-untyped-def]
    return User(row.id, row.name, row.role, row.unit_id)


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
            created_at=now or datetime.now(UTC), active=True).returning(USERS.c.id)).scalar_one()
    return User(int(user_id), name, role, unit)


def set_password(engine: Engine, name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidAction(f"the password is too short; use at least {MIN_PASSWORD} characters")
    with engine.begin() as conn:
        done = conn.execute(update(USERS).where(USERS.c.name == name)
                            .values(password_hash=_hasher().hash(password))).rowcount
    if not done:
        raise NotFound(f"no user '{name}'")


def authenticate(engine: Engine, name: str, password: str, address: str = "",
                 now: datetime | None = None) -> User:
    """Return the user whose name and password match; every attempt is recorded."""
    from argon2.exceptions import InvalidHashError, VerificationError

    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        failures = conn.execute(select(func.count()).select_from(ATTEMPTS).where(
            ATTEMPTS.c.name == name, ATTEMPTS.c.ok.is_(False),
            ATTEMPTS.c.at > now - FAILURE_WINDOW)).scalar_one()
        if failures >= MAX_FAILURES:
            raise TooManyAttempts(f"too many failed logins for '{name}'; try again in "
                                  f"{int(FAILURE_WINDOW.total_seconds() // 60)} minutes")
        row = conn.execute(select(USERS).where(USERS.c.name == name,
                                               USERS.c.active.is_(True))).first()
        stored = row.password_hash if row is not None and row.password_hash else None
        known = stored is not None
        try:
            # An unknown name costs the same hash check: timing does not tell who exists.
            ok = _hasher().verify(stored or _dummy_hash(), password)
            ok = ok and known
        except (VerificationError, InvalidHashError):
            ok = False
        conn.execute(insert(ATTEMPTS).values(name=name, address=address[:64], at=now, ok=ok))
    if not ok or row is None:
        raise LoginRefused("wrong user name or password")
    return _user(row)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return str(_hasher().hash(secrets.token_urlsafe(16)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(engine: Engine, name: str, now: datetime | None = None) -> str:
    """Return a new API token for ``name``; only its hash is kept."""
    token = "dt_" + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        user_id = conn.execute(select(USERS.c.id).where(USERS.c.name == name)).scalar()
        if user_id is None:
            raise NotFound(f"no user '{name}'; add it with 'dirtrack user add'")
        conn.execute(insert(TOKENS).values(user_id=user_id, token_hash=_digest(token),
                                           created_at=now or datetime.now(UTC)))
    return token


TOKEN_CACHE_SECONDS = 30.0
_token_cache: dict[tuple[int, str], tuple[float, User | None]] = {}


def recent_token_user(engine: Engine, token: str) -> User | None:
    """Return the token's user if this process looked it up in the last 30 s, else None."""
    cached = _token_cache.get((id(engine), _digest(token)))
    if cached is not None and time.monotonic() - cached[0] < TOKEN_CACHE_SECONDS:
        return cached[1]
    return None


def user_for_token(engine: Engine, token: str) -> User | None:
    """Return the token's user; answers are kept 30 s in this process (API clients write often)."""
    digest = _digest(token)
    key = (id(engine), digest)
    cached = _token_cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < TOKEN_CACHE_SECONDS:
        return cached[1]
    with engine.connect() as conn:
        row = conn.execute(select(USERS).join(TOKENS, TOKENS.c.user_id == USERS.c.id).where(
            TOKENS.c.token_hash == digest, USERS.c.active.is_(True))).first()
    user = _user(row) if row is not None else None
    if len(_token_cache) > 10_000:
        _token_cache.clear()
    _token_cache[key] = (now, user)
    return user


def user_by_id(engine: Engine, user_id: int) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.id == user_id,
                                               USERS.c.active.is_(True))).first()
    return _user(row) if row is not None else None


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(USERS).order_by(USERS.c.name))]
