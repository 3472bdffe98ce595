"""Sessions in a signed HttpOnly SameSite cookie, CSRF tokens, and the signing key.

The key comes from ``DIRTRACK_SECRET_KEY``; without it, one is generated once and
kept in the database, so every worker process signs with the same key.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from dirtrack.config import settings
from dirtrack.store.tables import SettingRow

SETTINGS = SettingRow.__table__  # type: ignore[attr-defined]
COOKIE = "dirtrack_session"
SESSION_SECONDS = 12 * 3600


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
    """What the cookie carries: the user (once logged in) and the CSRF token."""

    csrf: str
    user_id: int | None = None
    language: str = "vi"


class Sessions:
    def __init__(self, key: str) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="dirtrack-session")

    def load(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data: Any = self._serializer.loads(cookie, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        return Session(data["csrf"], data.get("uid"), data.get("lang", "vi"))

    def dump(self, session: Session) -> str:
        return self._serializer.dumps({"csrf": session.csrf, "uid": session.user_id,
                                       "lang": session.language})


def new_session(language: str = "vi") -> Session:
    return Session(secrets.token_urlsafe(32), None, language)


def csrf_ok(session: Session | None, token: str | None) -> bool:
    return bool(session and token and hmac.compare_digest(session.csrf, token))
