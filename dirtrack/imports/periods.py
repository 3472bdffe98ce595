"""The periods a plan covers, as its title says them, and a repeating row's range in them.

A plan's title usually names the time it covers: "Kế hoạch công tác dân vận năm 2026",
"... quý III năm 2024", "... 6 tháng đầu năm 2026", "... giai đoạn 2025 - 2027". A row
that repeats (Hằng tháng, Hằng quý, Thường xuyên) is then written with ``from:`` and
``until:`` inside that time, from the period of the issue date on.

>>> span = plan_span("Kế hoạch thực hiện nhiệm vụ công tác dân vận năm 2026")
>>> span.first.id, span.last.id
('2026', '2026')
>>> plan_span("Nhiệm vụ công tác dân vận quý III năm 2024").first.id
'2024-Q3'
>>> plan_span("Chương trình công tác giai đoạn 2025 - 2027").last.id
'2027'
>>> plan_span("Danh mục nhiệm vụ trọng tâm") is None
True
>>> repeat_range("monthly", span, date(2026, 2, 10))
('2026-02', '2026-12')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dirtrack.imports.deadlines import HALF, MONTH, QUARTER, YEAR, _flat
from dirtrack.imports.text import roman
from dirtrack.periods import REPEATS, Period, parse_period, period_of, periods_in

_RANGE = re.compile(r"(?:giai doan|nam|tu nam)\s+(\d{4})\s*(?:-|den)\s*(?:nam\s+)?(\d{4})")


@dataclass(frozen=True)
class PlanSpan:
    """The first and last period a plan covers."""

    first: Period
    last: Period

    def __str__(self) -> str:
        return self.first.id if self.first == self.last else f"{self.first} - {self.last}"


def plan_span(title: str) -> PlanSpan | None:
    """Return the periods ``title`` names (a range of years, a month, a quarter, a half
    or a year, the most precise first), or None when it names none."""
    text = _flat(title)
    m = _RANGE.search(text)
    if m and int(m.group(1)) <= int(m.group(2)):
        return PlanSpan(parse_period(m.group(1)), parse_period(m.group(2)))
    for pattern, period in ((MONTH, lambda g: f"{g[1]}-{int(g[0]):02d}"),
                            (QUARTER, lambda g: f"{g[1]}-Q{roman(g[0]) or int(g[0])}"),
                            (HALF, lambda g: f"{g[1]}-H{1 if g[0] == 'dau' else 2}"),
                            (YEAR, lambda g: g[0])):
        found = re.search(r"(?<![a-z0-9])" + pattern.pattern, text)
        if found:
            try:
                shown = parse_period(period(found.groups()))
                return PlanSpan(shown, shown)
            except ValueError:
                continue
    return None


def repeat_range(repeat: str, span: PlanSpan, issued_on: date | None
                 ) -> tuple[str, str] | None:
    """Return ``(from, until)`` of a task repeating ``repeat`` within ``span``, from the
    period holding ``issued_on`` on; None when no whole period of it fits."""
    kind = REPEATS[repeat]
    first = span.first
    if issued_on is not None and period_of(kind, issued_on).start > first.start:
        first = period_of(kind, issued_on)
    if first.start > span.last.end:
        return None
    found = periods_in(repeat, first, span.last)
    return (found[0].id, found[-1].id) if found else None
