"""Reporting periods (month, quarter, half-year, year) and deadlines relative to them.

A repeating task has one occurrence per period; its deadline is a rule counted
from the period: its end, its start plus days or working days, a day of its
last month, working days before or after its end. A deadline that falls on a day
off is kept, or moved to the previous or the next working day.

>>> q2 = parse_period("2026-Q2")
>>> q2.start, q2.end, q2.next().id, q2.shift(-2).id
(datetime.date(2026, 4, 1), datetime.date(2026, 6, 30), '2026-Q3', '2025-Q4')
>>> [p.id for p in periods_in("monthly", parse_period("2026-Q1"), parse_period("2026-Q1"))]
['2026-01', '2026-02', '2026-03']
>>> due_in(q2, parse_due_rule("day 15 of last month"), WorkCalendar("VN"))
datetime.date(2026, 6, 15)
"""

from __future__ import annotations

import calendar as _stdcal
import re
from dataclasses import dataclass
from datetime import date, timedelta

from dirtrack.calendar import MAX_DAYS, MAX_WORKING_DAYS, WorkCalendar

# How a task repeats -> the kind of period each occurrence covers, and its months.
REPEATS = {"monthly": "month", "quarterly": "quarter", "half-yearly": "half", "yearly": "year"}
MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
DAY_OFF_RULES = ("keep", "previous", "next")
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(Q[1-4])|(H[12])|(0[1-9]|1[0-2])))?$")
_RULE = re.compile(r"^(start|end)\s*([+-])\s*(\d+)\s*(wd|d)$")
_DAY = re.compile(r"^day\s+(\d+)\s+of\s+(?:the\s+)?last\s+month$")
RULE_FORMS = ("end, start + 10d, start + 5wd, end + 5wd, end - 3wd, "
              "day 15 of last month")


@dataclass(frozen=True, order=True)
class Period:
    """One month, quarter, half-year or year, counted from month 1 of year 1."""

    first_month: int  # months since January of year 0: orders periods of any kind
    kind: str  # month | quarter | half | year

    @property
    def year(self) -> int:
        return self.first_month // 12

    @property
    def id(self) -> str:
        """Return the period as written: ``2026``, ``2026-H1``, ``2026-Q2``, ``2026-03``."""
        year, month = divmod(self.first_month, 12)
        if self.kind == "month":
            return f"{year}-{month + 1:02d}"
        if self.kind == "quarter":
            return f"{year}-Q{month // 3 + 1}"
        return f"{year}-H{month // 6 + 1}" if self.kind == "half" else f"{year}"

    @property
    def start(self) -> date:
        return date(self.year, self.first_month % 12 + 1, 1)

    @property
    def end(self) -> date:
        last = self.first_month + MONTHS[self.kind] - 1
        year, month = last // 12, last % 12 + 1
        return date(year, month, _stdcal.monthrange(year, month)[1])

    def shift(self, count: int) -> Period:
        """Return the period ``count`` periods of the same kind later (earlier if negative)."""
        return Period(self.first_month + count * MONTHS[self.kind], self.kind)

    def next(self) -> Period:
        return self.shift(1)

    def contains(self, other: Period) -> bool:
        """Return True when ``other`` lies wholly inside this period (or is it)."""
        return (self.first_month <= other.first_month and other.first_month
                + MONTHS[other.kind] <= self.first_month + MONTHS[self.kind])

    def __str__(self) -> str:
        return self.id


def parse_period(text: object) -> Period:
    """Return the period written ``2026``, ``2026-H1``, ``2026-Q2`` or ``2026-03``.

    >>> parse_period("2026-H2").start
    datetime.date(2026, 7, 1)
    >>> parse_period("2026-Q5")
    Traceback (most recent call last):
    ValueError: '2026-Q5' is not a period; write 2026, 2026-H1, 2026-Q2 or 2026-03
    """
    m = _PERIOD.match(str(text).strip())
    if not m or int(m.group(1)) < 1:
        raise ValueError(f"'{text}' is not a period; write 2026, 2026-H1, 2026-Q2 or 2026-03")
    year = int(m.group(1))
    if m.group(2):
        return Period(year * 12 + 3 * (int(m.group(2)[1]) - 1), "quarter")
    if m.group(3):
        return Period(year * 12 + 6 * (int(m.group(3)[1]) - 1), "half")
    if m.group(4):
        return Period(year * 12 + int(m.group(4)) - 1, "month")
    return Period(year * 12, "year")


def period_of(kind: str, day: date) -> Period:
    """Return the period of ``kind`` that holds ``day``.

    >>> period_of("quarter", date(2026, 12, 31)).id
    '2026-Q4'
    """
    months = day.year * 12 + day.month - 1
    return Period(months - months % MONTHS[kind], kind)


def periods_in(repeat: str, first: Period, last: Period) -> list[Period]:
    """Return the periods of a task repeating ``repeat`` from ``first`` until ``last``.

    The first occurrence is the first period starting within ``first`` (or holding
    its start); the last, the last one ending within ``last``.

    >>> [p.id for p in periods_in("quarterly", parse_period("2026-02"), parse_period("2026"))]
    ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']
    """
    kind = REPEATS[repeat]
    period = period_of(kind, first.start)
    found = []
    while period.end <= last.end:
        found.append(period)
        period = period.next()
    return found


@dataclass(frozen=True)
class DueRule:
    """A deadline counted from a period: ``end``, ``start + 10d``, ``day 15 of last month``."""

    text: str
    base: str  # start | end | day
    sign: int = 1
    amount: int = 0
    unit: str = "d"  # d | wd


def parse_due_rule(value: object) -> DueRule | None:
    """Return the period rule written in ``value``, or None when it is no period rule.

    Raise ValueError for a rule that counts too far.

    >>> parse_due_rule("end - 3wd")
    DueRule(text='end - 3wd', base='end', sign=-1, amount=3, unit='wd')
    >>> parse_due_rule("2026-05-31") is None
    True
    """
    text = " ".join(str(value).split())
    if text == "end":
        return DueRule(text, "end")
    if m := _DAY.match(text):
        day = int(m.group(1))
        if not 1 <= day <= 31:
            raise ValueError(f"'{text}': a month has days 1 to 31; write day 1 to day 31")
        return DueRule(text, "day", amount=day)
    m = _RULE.match(text)
    if m is None:
        return None
    base, sign, digits, unit = m.groups()
    bound, what = (MAX_WORKING_DAYS, "working days") if unit == "wd" else (MAX_DAYS, "days")
    if len(digits) > 6 or int(digits) > bound:
        raise ValueError(f"'{text}' counts more than {bound:,} {what} (about ten years)")
    if base == "start" and sign == "-":
        raise ValueError(f"'{text}' falls before its period; count from the start forward "
                         "(start + 5d) or from the end (end - 3wd)")
    return DueRule(text, base, -1 if sign == "-" else 1, int(digits), unit)


def due_in(period: Period, rule: DueRule, calendar: WorkCalendar, day_off: str = "keep"
           ) -> date:
    """Return the deadline ``rule`` gives in ``period``, moved off a day off by ``day_off``.

    ``start + N`` counts from the period's first day, ``end ± N`` from its last;
    ``day N of last month`` takes the month's last day when it has fewer days.

    >>> cal = WorkCalendar("VN")
    >>> due_in(parse_period("2026-02"), parse_due_rule("day 31 of last month"), cal)
    datetime.date(2026, 2, 28)
    >>> due_in(parse_period("2026-02"), parse_due_rule("end"), cal, "previous")  # Sat
    datetime.date(2026, 2, 27)
    """
    if rule.base == "day":
        end = period.end
        day = end.replace(day=min(rule.amount, end.day))
    else:
        anchor = period.start if rule.base == "start" else period.end
        if rule.unit == "wd" and rule.sign < 0:
            day = calendar.subtract_working_days(anchor, rule.amount)
        elif rule.unit == "wd":
            day = calendar.add_working_days(anchor, rule.amount)
        else:
            day = anchor + timedelta(days=rule.sign * rule.amount)
    return calendar.working_day_near(day, day_off)
