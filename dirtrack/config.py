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
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

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


class Settings(BaseModel):
    """Every setting of dirtrack, from ``DIRTRACK_*`` environment variables."""

    # Read from the environment by ``settings()``: pydantic-settings would do the same
    # for a tenth of a second more at every command's start (its import), against a
    # budget of half a second for a listing.
    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str = Field(DEFAULT_DATABASE_URL, description="the database: "
                              "sqlite:///path.db or postgresql://user@host/db")
    timezone: str = Field(TIMEZONE, description="the zone that decides what day it is")
    now: datetime | None = Field(None, description="a fixed moment the clock reads instead "
                                 "of the system's (ISO 8601 with offset; rehearsals, tests)")
    catalog: Path | None = Field(None, description="the catalog folder (default: "
                                 "tasks_catalog beside or above the directives path)")
    templates: Path | None = Field(None, description="a folder of replacement review and "
                                   "digest templates")
    alerts_dir: Path = Field(Path("reports/alerts"), description="folder of the file alert "
                             "channel")
    reports_dir: Path = Field(Path("reports"), description="folder of the quarterly review "
                              "files")
    retry_seconds: float = Field(300.0, description="first back-off of a failed alert "
                                 "delivery (doubling, at most 6 h)")
    secret_key: SecretStr | None = Field(None, description="key signing web sessions (else "
                                         "generated once, kept in the database)")
    evidence_dir: Path = Field(Path("evidence"), description="where evidence files go")
    evidence_max_bytes: int = Field(10 * MB, description="the largest evidence file")
    max_json_bytes: int = Field(256 * 1024, description="the largest request body other "
                                "than an evidence upload (JSON, forms), and the largest "
                                "from anyone not logged in")
    session_hours: float = Field(12.0, description="how long a web login lasts")
    token_days: int = Field(365, description="how long a new API token lasts unless "
                            "'dirtrack user token --expires' says")
    cookie_secure: bool = Field(False, description="session cookie over HTTPS only (also "
                                "whenever a request arrives over HTTPS)")
    report_days_back: int = Field(7, description="how many days back a unit may date its "
                                  "own report (web and API)")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"is not a time zone; use one like {TIMEZONE}, or unset it") \
                from None
        return value

    @field_validator("now", mode="before")
    @classmethod
    def _moment(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None:
                raise ValueError("is not a moment with its offset; write it like "
                                 "2024-06-01T23:30:00+00:00, or unset it")
            return moment
        return value

    @field_validator("cookie_secure", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            if text in ("1", "true", "yes", "on", "y", "t"):
                return True
            if text in ("0", "false", "no", "off", "n", "f"):
                return False
            raise ValueError("is neither true nor false (write true or false, 1 or 0, yes or "
                             "no, on or off)")
        return value

    @field_validator("retry_seconds", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> Any:
        return _number(value, least=0, whole=False)

    @field_validator("session_hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> Any:
        return _number(value, least=0.1, whole=False)

    @field_validator("evidence_max_bytes", "max_json_bytes", "token_days", mode="before")
    @classmethod
    def _bytes(cls, value: Any) -> Any:
        return _number(value, least=1, whole=True)

    @field_validator("report_days_back", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        return _number(value, least=0, whole=True)

    @classmethod
    def from_env(cls) -> Settings:
        """Return the settings of the current environment (see :func:`settings`)."""
        return settings()

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def described(self) -> list[tuple[str, str, str]]:
        """Return (variable, effective value, meaning) for every setting, secrets masked."""
        from sqlalchemy.engine import make_url

        rows = []
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown = "********"
            elif value is None:
                shown = "-"
            elif name == "database_url":
                try:
                    shown = make_url(value).render_as_string(hide_password=True)
                except Exception:  # noqa: BLE001 - shown as it is; make_engine says what's wrong
                    shown = value
            else:
                shown = str(value)
            rows.append((PREFIX + name.upper(), shown, info.description or ""))
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
        try:
            found = Settings.model_validate(from_environment())
        except ValidationError as exc:
            raise ConfigError(_one_line(exc)) from None
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = found
    return found


def from_environment() -> dict[str, str]:
    """Return the ``DIRTRACK_*`` variables that name a setting, by field name (an empty
    variable counts as unset)."""
    found = {}
    for name in Settings.model_fields:
        value = os.environ.get(PREFIX + name.upper(), "")
        if value != "":
            found[name] = value
    return found


def _one_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    name = PREFIX + str(error["loc"][0]).upper() if error["loc"] else PREFIX
    raw = os.environ.get(name, str(error.get("input", "")))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] != "value_error":
        message = f"is not valid ({message.lower()})"
    if "unset it" not in message:
        message += "; fix or unset it"
    return f"{name}='{raw}' {message}"


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
