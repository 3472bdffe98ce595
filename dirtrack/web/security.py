"""Sessions: a signed HttpOnly SameSite cookie, a row per login on the server, CSRF tokens,
and the signing key.

The cookie alone proves nothing once its login has ended (logout, a new password, a
disabled user): every request looks the login up.

The key comes from ``DIRTRACK_SECRET_KEY``; without it, one is generated once and
kept in the database, so every worker process signs with the same key.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from dirtrack.config import settings
from dirtrack.store.tables import SettingRow
from dirtrack.users import (
    SESSIONS,
    USER_COLUMNS,
    USERS,
    User,
    as_user,
    digest,
    live_session,
    reading,
    session_lifetime,
    utc_now,
)

SETTINGS = SettingRow.__table__  # type: ignore[attr-defined]
COOKIE = "dirtrack_session"


def signing_key(engine: Engine) -> str:
    """Return the session signing key: from the environment, or kept in the database."""
    configured = settings().secret_key
    if configured is not None:
        return configured.get_secret_value()
    query = select(SETTINGS.c.value).where(SETTINGS.c.key == "secret")
    with engine.connect() as conn:
        value = conn.execute(query).scalar()
    if value:
        return str(value)
    try:
        with engine.begin() as conn:
            conn.execute(insert(SETTINGS).values(key="secret", value=secrets.token_urlsafe(48)))
    except IntegrityError:  # another worker created it first; read theirs
        pass
    with engine.connect() as conn:
        return str(conn.execute(select(SETTINGS.c.value).where(SETTINGS.c.key == "secret"))
                   .scalar_one())


@dataclass
class Session:
    """What the cookie carries: the CSRF token, the language, and once logged in the
    random id of the server-side session (``web_session``)."""

    csrf: str
    sid: str | None = None
    language: str = "vi"


class Sessions:
    def __init__(self, key: str) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="dirtrack-session")

    def load(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data: Any = self._serializer.loads(cookie, max_age=session_seconds())
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        sid = data.get("sid")
        return Session(data["csrf"], sid if isinstance(sid, str) else None,
                       data.get("lang", "vi"))

    def dump(self, session: Session) -> str:
        return self._serializer.dumps({"csrf": session.csrf, "sid": session.sid,
                                       "lang": session.language})


def session_seconds() -> int:
    """Return how long a login lasts (DIRTRACK_SESSION_HOURS), in seconds."""
    return int(session_lifetime().total_seconds())


def new_session(language: str = "vi") -> Session:
    return Session(secrets.token_urlsafe(32), None, language)


def csrf_ok(session: Session | None, token: str | None) -> bool:
    return bool(session and token and hmac.compare_digest(session.csrf, token))


# --- the server's side of a login ------------------------------------------------------------

SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is a write: kept to the nearest few minutes
_SESSION_USER = (select(*USER_COLUMNS, (SESSIONS.c.last_seen_at < bindparam("seen_before"))
                        .label("stale"))
                 .join(SESSIONS, SESSIONS.c.user_id == USERS.c.id)
                 .where(SESSIONS.c.id == bindparam("sid_hash"), USERS.c.active.is_(True),
                        live_session(bindparam("started_after"))))


def open_session(engine: Engine, user: User, now: datetime | None = None) -> str:
    """Start a login of ``user``; return the random id the cookie carries (only its hash
    is kept)."""
    sid, at = secrets.token_urlsafe(32), utc_now(now)
    with engine.begin() as conn:
        conn.execute(insert(SESSIONS).values(id=digest(sid), user_id=user.id, created_at=at,
                                             last_seen_at=at))
    return sid


def session_user(engine: Engine, sid: str, now: datetime | None = None) -> User | None:
    """Return the user of an open session (not ended, not past its lifetime, user enabled)."""
    at = utc_now(now)
    with reading(engine) as conn:
        row = conn.execute(_SESSION_USER, {"sid_hash": digest(sid),
                                           "started_after": at - session_lifetime(),
                                           "seen_before": at - SEEN_EVERY}).first()
        if row is not None and row.stale:
            conn.execute(update(SESSIONS).where(SESSIONS.c.id == digest(sid))
                         .values(last_seen_at=at))
    return as_user(row) if row is not None else None


def end_session(engine: Engine, sid: str, now: datetime | None = None) -> None:
    """End a login: its cookie no longer signs anyone in."""
    with engine.begin() as conn:
        conn.execute(update(SESSIONS).where(SESSIONS.c.id == digest(sid),
                                            SESSIONS.c.ended_at.is_(None))
                     .values(ended_at=utc_now(now)))
