"""A pinned clock for tests: ``DIRTRACK_NOW`` (and ``DIRTRACK_TIMEZONE``) set for one test.

Every entry point (the command line, the web app and API, the flows) reads the day from
``dirtrack.config.today()``, which follows these variables, so a test that pins the
clock states its expected dates as literals instead of asking the code what day it is.

The moments used most sit on either side of a day boundary in Hanoi (UTC+7, no
daylight saving): at 23:30 UTC on 1 June 2024 it is already 06:30 on 2 June there.

Subfolder conftests bring the fixture in with ``from tests.fixtures_clock import clock``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

HANOI_NEXT_DAY = "2024-06-01T23:30:00+00:00"  # 2024-06-02 in Asia/Ho_Chi_Minh, 2024-06-01 in UTC
HANOI_LAST_MINUTE = "2024-06-01T16:59:00+00:00"  # 23:59 on 2024-06-01 in Hanoi
HANOI_MIDNIGHT = "2024-06-01T17:00:00+00:00"  # 00:00 on 2024-06-02 in Hanoi


@dataclass
class Clock:
    """Sets the moment dirtrack reads as now, and the zone that decides the day."""

    patch: pytest.MonkeyPatch

    def set(self, moment: str, timezone: str | None = None) -> None:
        """Pin now to ``moment`` (ISO 8601 with offset); ``timezone`` None is the default zone."""
        self.patch.setenv("DIRTRACK_NOW", moment)
        if timezone is None:
            self.patch.delenv("DIRTRACK_TIMEZONE", raising=False)
        else:
            self.patch.setenv("DIRTRACK_TIMEZONE", timezone)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A clock pinned to HANOI_NEXT_DAY in the default zone; ``clock.set`` moves it."""
    pinned = Clock(monkeypatch)
    pinned.set(HANOI_NEXT_DAY)
    return pinned
