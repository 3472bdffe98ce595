"""Working days and periods on a jurisdiction's calendar.

Working days are Monday to Friday, minus the country's public holidays (the
``holidays`` package: Tết included), minus a jurisdiction's extra days off,
plus its make-up working days (Saturdays the package does not carry).

>>> cal = WorkCalendar("VN", extra_working_days=[date(2024, 5, 4)])
>>> cal.add_working_days(date(2024, 4, 26), 2)   # 29, 30 Apr and 1 May are days off
datetime.date(2024, 5, 3)
>>> cal.add_working_days(date(2024, 4, 26), 3)   # Saturday 4 May is a make-up working day
datetime.date(2024, 5, 4)
>>> period_end("2024-Q2"), period_end("2024-H1"), period_end("2024-02")
(datetime.date(2024, 6, 30), datetime.date(2024, 6, 30), datetime.date(2024, 2, 29))
"""

from __future__ import annotations

import bisect
import calendar as _stdcal
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$")
# The most one deadline counts forward: about ten years. Counting is done day by day
# over the years it crosses, so a count is refused before any year is built for it.
MAX_DAYS = 3_650
MAX_WORKING_DAYS = 2_500


def period_end(text: str) -> date | None:
    """Return the last day of a period written ``2024``, ``2024-Q2``, ``2024-H1`` or ``2024-06``.

    Returns None when ``text`` is not a period.
    """
    m = _PERIOD.match(text.strip())
    if not m:
        return None
    year, part = int(m.group(1)), m.group(2)
    if part is None:
        month = 12
    elif part.startswith("Q"):
        month = 3 * int(part[1])
    elif part.startswith("H"):
        month = 6 * int(part[1])
    else:
        month = int(part)
    return date(year, month, _stdcal.monthrange(year, month)[1])


def quarter_bounds(text: str) -> tuple[date, date]:
    """Return the first and last day of a quarter written ``2024-Q2``.

    >>> quarter_bounds("2024-Q2")
    (datetime.date(2024, 4, 1), datetime.date(2024, 6, 30))
    """
    m = re.match(r"^(\d{4})-Q([1-4])$", text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a quarter; write it like 2024-Q2")
    year, q = int(m.group(1)), int(m.group(2))
    first = date(year, 3 * q - 2, 1)
    end = period_end(text)
    assert end is not None
    return first, end


@lru_cache(maxsize=64)
def _public_holidays(country: str, first_year: int, last_year: int) -> frozenset[date]:
    import holidays  # imported here: building the table costs time only when used

    table = holidays.country_holidays(country, years=range(first_year, last_year + 1))
    return frozenset(table.keys())


def _holidays_version() -> str:
    import holidays

    return str(holidays.__version__)


class WorkCalendar:
    """Answers which days are working days, and counts working days forward."""

    def __init__(
        self,
        country: str = "VN",
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        self.country = country
        self.extra_days_off = frozenset(extra_days_off)
        self.extra_working_days = frozenset(extra_working_days)
        self.day_off_rule = "keep"  # a period deadline on a day off: keep | previous | next
        self._years: tuple[int, int] | None = None
        self._ordinals: list[int] = []

    def holiday_data(self, first_year: int, last_year: int) -> str:
        """Return the public holidays of those years, with the version of the package giving
        them, as text: what deadlines read from outside the jurisdiction's files.

        A directive's fingerprint includes it, so that a new holiday (a newer ``holidays``
        package) re-computes the deadlines on the next load.

        >>> WorkCalendar("VN").holiday_data(2025, 2025)[-32:]
        '2025-05-02,2025-09-01,2025-09-02'
        """
        first_year, last_year = max(first_year, 1), min(last_year, 9999)
        days = sorted(_public_holidays(self.country, first_year, last_year))
        return (f"{self.country} {first_year}-{last_year} holidays {_holidays_version()}: "
                + ",".join(d.isoformat() for d in days))

    def is_working_day(self, day: date) -> bool:
        """Return True when ``day`` is a working day."""
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off or day.weekday() >= 5:
            return False
        return day not in _public_holidays(self.country, day.year, day.year)

    def _ensure(self, first_year: int, last_year: int) -> None:
        if self._years and self._years[0] <= first_year and last_year <= self._years[1]:
            return
        if self._years:
            first_year = min(first_year, self._years[0])
            last_year = max(last_year, self._years[1])
        first, end = date(first_year, 1, 1), date(last_year, 12, 31)  # ValueError past 9999
        off = _public_holidays(self.country, first_year, last_year)
        ordinals = []
        for ordinal in range(first.toordinal(), end.toordinal() + 1):
            day = date.fromordinal(ordinal)
            if day in self.extra_working_days or (
                day.weekday() < 5 and day not in off and day not in self.extra_days_off
            ):
                ordinals.append(ordinal)
        self._years, self._ordinals = (first_year, last_year), ordinals

    def add_working_days(self, start: date, count: int) -> date:
        """Return the ``count``-th working day after ``start`` (``start`` itself for 0).

        Raises ValueError for a count above MAX_WORKING_DAYS, or a day past the year 9999.
        """
        if count <= 0:
            return start
        if count > MAX_WORKING_DAYS:
            raise ValueError(f"{count:,} working days is more than {MAX_WORKING_DAYS:,}")
        # Generous horizon: 260 working days a year, and a year of margin.
        self._ensure(start.year, min(start.year + count // 200 + 1, 9999))
        i = bisect.bisect_right(self._ordinals, start.toordinal()) + count - 1
        while i >= len(self._ordinals):
            assert self._years is not None
            self._ensure(self._years[0], self._years[1] + 2)
        return date.fromordinal(self._ordinals[i])

    def subtract_working_days(self, start: date, count: int) -> date:
        """Return the ``count``-th working day before ``start`` (``start`` itself for 0).

        >>> WorkCalendar("VN").subtract_working_days(date(2024, 5, 2), 1)  # 29 Apr-1 May off
        datetime.date(2024, 4, 26)
        """
        if count <= 0:
            return start
        if count > MAX_WORKING_DAYS:
            raise ValueError(f"{count:,} working days is more than {MAX_WORKING_DAYS:,}")
        self._ensure(max(start.year - count // 200 - 1, 1), start.year)
        i = bisect.bisect_left(self._ordinals, start.toordinal()) - count
        while i < 0:
            assert self._years is not None
            if self._years[0] <= 1:
                raise ValueError("no working day before the year 1")
            before = len(self._ordinals)
            self._ensure(max(self._years[0] - 2, 1), self._years[1])
            i += len(self._ordinals) - before
        return date.fromordinal(self._ordinals[i])

    def working_day_near(self, day: date, rule: str) -> date:
        """Return ``day`` moved off a day off by ``rule``: ``keep``, ``previous`` or ``next``.

        >>> cal = WorkCalendar("VN")
        >>> [cal.working_day_near(date(2024, 4, 30), r) for r in ("keep", "previous", "next")]
        [datetime.date(2024, 4, 30), datetime.date(2024, 4, 26), datetime.date(2024, 5, 2)]
        """
        if rule == "keep" or self.is_working_day(day):
            return day
        if rule == "previous":
            return self.subtract_working_days(day, 1)
        return self.add_working_days(day, 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Return how many working days lie after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        self._ensure(start.year, end.year)
        lo = bisect.bisect_right(self._ordinals, start.toordinal())
        hi = bisect.bisect_right(self._ordinals, end.toordinal())
        return hi - lo
