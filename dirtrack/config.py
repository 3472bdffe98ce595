"""Settings from the environment (prefix ``DIRTRACK_``), built on demand, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_DATABASE_URL = "sqlite:///dirtrack.db"
TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = TIMEZONE

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("DIRTRACK_DATABASE_URL") or DEFAULT_DATABASE_URL,
            timezone=os.environ.get("DIRTRACK_TIMEZONE") or TIMEZONE,
        )


def today(timezone: str = TIMEZONE) -> date:
    """Return today's date in the given time zone: the one place that reads the clock."""
    return datetime.now(ZoneInfo(timezone)).date()
