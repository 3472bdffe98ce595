"""One settings object (environment prefix ``DIRTRACK_``), read once per environment.

The command line, the flows, the web app and the API all ask :func:`settings`, so
they agree on the database, the time zone and what day it is. A wrong value is
one line naming the variable:

>>> import os
>>> os.environ["DIRTRACK_REPORT_DAYS_BACK"] = "a week"
>>> settings()  # doctest: +ELLIPSIS
Traceback (most recent call last):
dirtrack.errors.ConfigError: DIRTRACK_REPORT_DAYS_BACK='a week' is not a whole number ...
>>> del os.environ["DIRTRACK_REPORT_DAYS_BACK"]
>>> settings().report_days_back
7
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dirtrack.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///dirtrack.db"
TIMEZONE = "Asia/Ho_Chi_Minh"
PREFIX = "DIRTRACK_"
MB = 2**20


def _number(value: Any, *, least: float, whole: bool) -> Any:
    """Return ``value`` as a number of at least ``least``; the message names what is wanted."""
    what = f"{'a whole number' if whole else 'a number'} of at least {least:g}"
    if isinstance(value, str):
        try:
            value = int(value.strip()) if whole else float(value.strip())
        except ValueError:
            raise ValueError(f"is not {what}") from None
    if not value >= least:  # also refuses nan
        raise ValueError(f"is not {what}")
    return value


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"is not a time zone; use one like {TIMEZONE}, or unset it") from None
    return value


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError("is not a moment with its offset; write it like "
                         "2024-06-01T23:30:00+00:00, or unset it")
    return moment


def _flag(value: str) -> bool:
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on", "y", "t"):
        return True
    if text in ("0", "false", "no", "off", "n", "f"):
        return False
    raise ValueError("is neither true nor false (write true or false, 1 or 0, yes or no, on "
                     "or off)")


class Secret:
    """A secret setting: shown masked, its value given only when asked for by name."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _setting(default: Any, description: str, read: Callable[[str], Any] = str) -> Any:
    """A setting's default, what it means (``dirtrack config``) and how its variable's text
    becomes its value (raising ValueError with what is wanted)."""
    return field(default=default, metadata={"description": description, "read": read})


def _whole(least: float) -> Callable[[str], int]:
    return lambda text: int(_number(text, least=least, whole=True))


def _real(least: float) -> Callable[[str], float]:
    return lambda text: float(_number(text, least=least, whole=False))


# Plain Python rather than a pydantic model: building a model's validators cost a fifth
# of a second at every command's start, against a budget of half a second for a listing.
@dataclass(frozen=True)
class Settings:
    """Every setting of dirtrack, from ``DIRTRACK_*`` environment variables."""

    database_url: str = _setting(DEFAULT_DATABASE_URL, "the database: sqlite:///path.db or "
                                 "postgresql://user@host/db")
    timezone: str = _setting(TIMEZONE, "the zone that decides what day it is", _zone)
    now: datetime | None = _setting(None, "a fixed moment the clock reads instead of the "
                                    "system's (ISO 8601 with offset; rehearsals, tests)",
                                    _moment)
    catalog: Path | None = _setting(None, "the catalog folder (default: tasks_catalog beside "
                                    "or above the directives path)", Path)
    templates: Path | None = _setting(None, "a folder of replacement review and digest "
                                      "templates", Path)
    alerts_dir: Path = _setting(Path("reports/alerts"), "folder of the file alert channel", Path)
    reports_dir: Path = _setting(Path("reports"), "folder of the quarterly review files", Path)
    retry_seconds: float = _setting(300.0, "first back-off of a failed alert delivery "
                                    "(doubling, at most 6 h)", _real(0))
    secret_key: Secret | None = _setting(None, "key signing web sessions (else generated "
                                         "once, kept in the database)", Secret)
    evidence_dir: Path = _setting(Path("evidence"), "where evidence files go", Path)
    evidence_max_bytes: int = _setting(10 * MB, "the largest evidence file", _whole(1))
    max_json_bytes: int = _setting(256 * 1024, "the largest request body other than an "
                                   "evidence upload (JSON, forms), and the largest from "
                                   "anyone not logged in", _whole(1))
    session_hours: float = _setting(12.0, "how long a web login lasts", _real(0.1))
    token_days: int = _setting(365, "how long a new API token lasts unless 'dirtrack user "
                               "token --expires' says", _whole(1))
    cookie_secure: bool = _setting(False, "session cookie over HTTPS only (also whenever a "
                                   "request arrives over HTTPS)", _flag)
    report_days_back: int = _setting(7, "how many days back a unit may date its own report "
                                     "(web and API)", _whole(0))
    pages_rebuilt_in_request_below: int = _setting(
        20_000, "task instances: below as many, a kept page the ledger has moved past is "
        "built again in the request; from as many, shown labelled with the time it was "
        "counted while built in the background (0: always in the background)", _whole(0))

    @classmethod
    def from_env(cls) -> Settings:
        """Return the settings of the current environment (see :func:`settings`)."""
        return settings()

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def described(self) -> list[tuple[str, str, str]]:
        """Return (variable, effective value, meaning) for every setting, secrets masked."""
        rows = []
        for setting in fields(self):
            value = getattr(self, setting.name)
            if isinstance(value, Secret):
                shown = "********"
            elif value is None:
                shown = "-"
            elif setting.name == "database_url":
                from sqlalchemy.engine import make_url

                try:
                    shown = make_url(value).render_as_string(hide_password=True)
                except Exception:  # noqa: BLE001 - shown as it is; make_engine says what's wrong
                    shown = value
            else:
                shown = str(value)
            rows.append((PREFIX + setting.name.upper(), shown, setting.metadata["description"]))
        return rows


_cache: dict[tuple[tuple[str, str], ...], Settings] = {}


def settings() -> Settings:
    """Return the settings of the ``DIRTRACK_*`` environment as it is now.

    Read once per distinct environment: a process that never changes its environment
    reads it once; a test that changes a variable gets settings that follow it.
    """
    key = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(PREFIX)))
    found = _cache.get(key)
    if found is None:
        found = _read(from_environment())
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = found
    return found


def from_environment() -> dict[str, str]:
    """Return the ``DIRTRACK_*`` variables that name a setting, by field name (an empty
    variable counts as unset)."""
    found = {}
    for setting in fields(Settings):
        value = os.environ.get(PREFIX + setting.name.upper(), "")
        if value != "":
            found[setting.name] = value
    return found


def _read(texts: dict[str, str]) -> Settings:
    """Return the settings these variables' texts give; the first wrong one, in the order
    of the settings, is one line naming its variable."""
    values = {}
    for setting in fields(Settings):
        if setting.name not in texts:
            continue
        text = texts[setting.name]
        try:
            values[setting.name] = setting.metadata["read"](text)
        except ValueError as exc:
            message = str(exc)
            if "unset it" not in message:
                message += "; fix or unset it"
            raise ConfigError(f"{PREFIX}{setting.name.upper()}='{text}' {message}") from None
    return Settings(**values)


def now() -> datetime:
    """Return the current moment: the one place that reads the clock (``DIRTRACK_NOW``
    fixes it)."""
    fixed = settings().now
    return fixed if fixed is not None else datetime.now(UTC)


def today(timezone: str | None = None) -> date:
    """Return today's date in the configured time zone (or ``timezone``)."""
    zone = ZoneInfo(timezone) if timezone else settings().zone()
    return now().astimezone(zone).date()


def env_number(name: str, default: float, *, least: float = 0) -> float:
    """Return the number in environment variable ``name`` (``default`` if unset).

    For variables that are not dirtrack settings (a benchmark's, a test's).
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return float(_number(text, least=least, whole=False))
    except ValueError as exc:
        raise ConfigError(f"{name}='{text}' {exc}; fix or unset it") from None
