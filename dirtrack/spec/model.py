"""The validated shapes of units, calendars, directives, tasks and deadlines.

>>> d = parse_deadline("ff-congress/grassroots + 10wd")
>>> d.kind, d.ref, d.amount, d.unit
('task', 'ff-congress/grassroots', 10, 'wd')
>>> parse_deadline("2024-Q2").day
datetime.date(2024, 6, 30)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from dirtrack.calendar import MAX_DAYS, MAX_WORKING_DAYS, WorkCalendar, period_end
from dirtrack.indicators import Indicator
from dirtrack.periods import RULE_FORMS, DueRule, Period, parse_due_rule
from dirtrack.registry import Move, Reorganisation, Unit
from dirtrack.spec.fields import is_date_and_time
from dirtrack.spec.settings import AlertSettings, LadderStep

if TYPE_CHECKING:
    from dirtrack.spec.review_settings import Narrative, ReviewSettings

SECTORS = ("economic", "cultural-social", "defense-security", "political-system")
DIRECTIVE_KINDS = (
    "plan", "resolution", "directive", "decision", "circular", "conclusion", "notice",
)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_OFFSET = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9/_-]*)\s*\+\s*(\d+)\s*(wd|d)\s*$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Deadline:
    """A parsed ``due`` expression: a date, or an offset from the issue date or tasks."""

    kind: str  # "date" | "issued" | "task" | "deps" | "period" (a repeating task's)
    text: str
    day: date | None = None
    ref: str | None = None
    amount: int = 0
    unit: str = "d"  # "d" calendar days | "wd" working days
    rule: DueRule | None = None  # kind "period": counted from each occurrence's period


def parse_deadline(value: object, repeating: bool = False) -> Deadline:
    """Return the Deadline written in ``value``; raise ValueError saying how to write one.

    A repeating task's deadline may be counted from its period (``end``, ``start + 10d``,
    ``day 15 of last month``...).

    >>> parse_deadline("issued + 2500wd").amount
    2500
    >>> parse_deadline("issued + 99999999999wd")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: 'issued + 99999999999wd' counts more than 2,500 working days (about ten ...
    """
    if is_date_and_time(value):
        raise ValueError(f"'{value}' is a date and time; write a date (YYYY-MM-DD)")
    if isinstance(value, date):
        return Deadline("date", value.isoformat(), day=value)
    text = str(value).strip()
    if repeating and (rule := parse_due_rule(text)) is not None:
        return Deadline("period", rule.text, rule=rule)
    if _ISO.match(text):
        try:
            return Deadline("date", text, day=date.fromisoformat(text))
        except ValueError:
            raise ValueError(f"'{text}' is not a real date") from None
    end = period_end(text)
    if end is not None:
        return Deadline("date", text, day=end)
    m = _OFFSET.match(text)
    if m:
        ref, digits, unit = m.group(1), m.group(2), m.group(3)
        bound, what = (MAX_WORKING_DAYS, "working days") if unit == "wd" else (MAX_DAYS, "days")
        if len(digits) > 6 or int(digits) > bound:  # a long count would step for ages
            raise ValueError(f"'{text}' counts more than {bound:,} {what} (about ten years); "
                             "count from a later task or write the date")
        amount = int(digits)
        if ref == "issued":
            return Deadline("issued", text, amount=amount, unit=unit)
        if ref == "deps":
            return Deadline("deps", text, amount=amount, unit=unit)
        return Deadline("task", text, ref=ref, amount=amount, unit=unit)
    raise ValueError(
        f"bad deadline '{text}'; write a date (2024-05-31), a period (2024-Q2, 2024-H1, "
        "2024-06), or an offset (issued + 30d, issued + 15wd, TASK + 10wd, deps + 5d)"
        + (f"; a repeating task counts from its period: {RULE_FORMS}" if repeating else "")
    )


@dataclass(frozen=True)
class Dependency:
    """A prerequisite task, and the share of its instances that must be done."""

    task: str
    at_least: float = 1.0
    line: int = 0


@dataclass
class TaskSpec:
    """One task of a directive, after template expansion and id prefixing."""

    id: str
    title: str
    lead: str | None
    sector: str
    due: Deadline
    support: list[str] = field(default_factory=list)
    deliverable: str = ""
    depends_on: list[Dependency] = field(default_factory=list)
    # The fan-out as stored and shown: a level, or "unit" when it names several levels
    # or kinds (``for_each: {level: province, kind: [front, union]}``).
    for_each: str | None = None
    scope: str | None = None
    path: str = ""
    line: int = 0
    key_lines: dict[str, int] = field(default_factory=dict)
    template: str | None = None
    for_levels: tuple[str, ...] = ()  # empty: the level of ``for_each``
    for_kinds: tuple[str, ...] = ()  # empty: every kind
    indicators: list[Indicator] = field(default_factory=list)
    repeat: str | None = None  # monthly | quarterly | half-yearly | yearly
    periods: list[Period] = field(default_factory=list)  # one occurrence each, in order
    day_off: str | None = None  # keep | previous | next; None: the jurisdiction's rule
    ahead: int = 1  # occurrences exist this many periods before their own

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def fan_levels(self) -> tuple[str, ...]:
        """Return the levels the task fans out over (none for a single instance)."""
        return self.for_levels or ((self.for_each,) if self.for_each else ())

    def fan_words(self) -> str:
        """Return the fan-out in words: ``commune``, ``province units of kind front or union``.

        >>> TaskSpec("t", "T", None, "economic", parse_deadline("2024"), for_each="unit",
        ...          for_levels=("province",), for_kinds=("front", "union")).fan_words()
        'province unit of kind front or union'
        """
        levels = " or ".join(self.fan_levels())
        if not self.for_kinds:
            return levels if self.for_each != "unit" else f"{levels} unit"
        return f"{levels} unit of kind {' or '.join(self.for_kinds)}"


@dataclass
class DirectiveSpec:
    """A directive file: its header and its tasks in file order."""

    id: str
    number: str
    kind: str
    title: str
    issued_by: str
    issued_on: date
    jurisdiction: str
    path: str
    tasks: list[TaskSpec]
    source: str = ""
    parent: str | None = None
    line: int = 1
    key_lines: dict[str, int] = field(default_factory=dict)
    fingerprint: str = ""
    ladder: tuple[LadderStep, ...] | None = None  # overrides the jurisdiction's ladder

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


@dataclass
class Jurisdiction:
    """One folder of ``directives/``: its units, calendar and directives."""

    id: str
    name: str
    path: str
    units: list[Unit]
    reorganisations: list[Reorganisation]
    calendar: WorkCalendar
    directives: list[DirectiveSpec] = field(default_factory=list)
    fingerprint: str = ""
    settings: AlertSettings = field(default_factory=AlertSettings)
    review: ReviewSettings | None = None  # review.yaml, when the folder has one
    narratives: dict[str, Narrative] = field(default_factory=dict)  # reviews/<quarter>.md
    roles: dict[str, str] = field(default_factory=dict)  # units.yaml roles: role -> unit
    moves: list[Move] = field(default_factory=list)  # units that continue under a new parent

    def ladder_of(self, directive: DirectiveSpec) -> tuple[LadderStep, ...]:
        return directive.ladder if directive.ladder is not None else self.settings.ladder
