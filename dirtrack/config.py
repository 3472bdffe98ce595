"""Settings from the environment (prefix ``DIRTRACK_``), built on demand, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dirtrack.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///dirtrack.db"
TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = TIMEZONE

    @classmethod
    def from_env(cls) -> Settings:
        timezone = os.environ.get("DIRTRACK_TIMEZONE") or TIMEZONE
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"DIRTRACK_TIMEZONE='{timezone}' is not a time zone; use one "
                              f"like {TIMEZONE}, or unset it") from None
        return cls(
            database_url=os.environ.get("DIRTRACK_DATABASE_URL") or DEFAULT_DATABASE_URL,
            timezone=timezone,
        )


def env_number(name: str, default: float, *, least: float = 0) -> float:
    """Return the number in environment variable ``name`` (``default`` if unset)."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= least:  # also refuses nan
        raise ConfigError(f"{name}='{text}' is not a number of at least {least:g}; fix or "
                          "unset it")
    return value


def today(timezone: str = TIMEZONE) -> date:
    """Return today's date in the given time zone: the one place that reads the clock."""
    return datetime.now(ZoneInfo(timezone)).date()
