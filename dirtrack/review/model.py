"""What a quarterly review holds: figures per assignment and per plan task, lists, the
document's head; and the two orders it is read in (a plan task's category, the league).

>>> plan_status(Totals(done_on_time=29, open_overdue=5), 0.9)
'open_overdue'
>>> plan_status(Totals(done_on_time=31, open_overdue=3), 0.9)
'done_on_time'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from dirtrack.review.reporting import Reporting
from dirtrack.review.targets import Answer, IndicatorLine, Note
from dirtrack.spec.review_settings import Narrative, ReviewSettings
from dirtrack.status import CATEGORIES

EPSILON = 1e-9


@dataclass(slots=True)
class Totals:
    """How many fall in each category; the on-time rate over those that were due."""

    done_on_time: int = 0
    done_late: int = 0
    open_on_time: int = 0
    open_overdue: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, c) for c in CATEGORIES)

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def on_time_rate(self) -> float | None:
        due = self.done_on_time + self.done_late + self.open_overdue
        return round(self.done_on_time / due, 4) if due else None

    def counts(self) -> dict[str, int]:
        return {c: getattr(self, c) for c in CATEGORIES}

    def add(self, category: str, count: int) -> None:
        setattr(self, category, getattr(self, category) + count)

    def as_json(self) -> dict[str, Any]:
        return {**self.counts(), "total": self.total, "on_time_rate": self.on_time_rate}


def plan_status(counts: Totals, threshold: float) -> str:
    """Return a plan task's category from its instances' and the share it must reach.

    Cancelled instances are left out of the share; with none left the task is
    cancelled. Done when the done ones reach ``threshold`` of the rest, on time when
    the ones done on time alone reach it; otherwise open, and overdue once those done
    and those still within their deadline together can no longer reach it.
    """
    counted = counts.total - counts.cancelled
    if counted == 0:
        return "cancelled"
    need = threshold * counted - EPSILON
    if counts.done >= need:
        return "done_on_time" if counts.done_on_time >= need else "done_late"
    return "open_on_time" if counts.done + counts.open_on_time >= need else "open_overdue"


@dataclass(slots=True)
class UnitLine:
    """A lead unit's line in the league table."""

    unit: str
    name: str
    totals: Totals
    overdue_days: int = 0  # days overdue charged to it (see docs/review.md)
    carried_days: int = 0  # days its predecessors let pass before it took their work over
    carried_from: list[str] = field(default_factory=list)  # those predecessors, by name

    def as_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "name": self.name, **self.totals.as_json(),
                "overdue_days": self.overdue_days,
                "carried_over": {"days": self.carried_days, "from": self.carried_from}}


@dataclass
class LocalityLine:
    """A locality's line: the work its bodies lead, summed."""

    locality: str
    name: str  # the place's name: its People's Committee's (the unit of kind government)
    units: list[str]
    totals: Totals
    overdue_days: int = 0
    names: list[str] = field(default_factory=list)  # its bodies' names, in ``units`` order

    def as_json(self) -> dict[str, Any]:
        return {"locality": self.locality, "name": self.name, "units": self.units,
                "unit_names": self.names, **self.totals.as_json(),
                "overdue_days": self.overdue_days}


def league_order(line: UnitLine) -> tuple[float, float, int, int, str, str]:
    """Sort key of a league table: best on-time rate first; then the larger share done of
    what was due (a unit that finished late above one that never finished); then fewer
    days overdue, more tasks, the name. Units with nothing due yet come last."""
    t = line.totals
    due = t.done + t.open_overdue
    rate = t.on_time_rate
    return (-(rate if rate is not None else -1.0), -(t.done / due if due else -1.0),
            line.overdue_days, -t.total, line.name, line.unit)


@dataclass
class PlanTask:
    """One task of a plan with its instances in the quarter (a fan-out counts its units)."""

    task: str  # directive/task
    title: str
    directive: str
    sector: str
    level: str | None  # the level it fans out over; None: one lead unit
    lead: str | None
    lead_name: str
    threshold: float  # the share of its instances the plan needs done (see plan_status)
    due_first: date
    due_last: date
    counts: Totals
    awaiting: int = 0  # reported done, not yet verified

    @property
    def status(self) -> str:
        return plan_status(self.counts, self.threshold)

    @property
    def instances(self) -> int:
        return self.counts.total

    def as_json(self) -> dict[str, Any]:
        return {"task": self.task, "title": self.title, "instances": self.instances,
                **self.counts.counts(), "status": self.status, "directive": self.directive,
                "sector": self.sector, "level": self.level, "lead": self.lead,
                "lead_name": self.lead_name, "threshold": self.threshold,
                "due_first": self.due_first.isoformat(), "due_last": self.due_last.isoformat(),
                "awaiting_verification": self.awaiting, "on_time_rate": self.counts.on_time_rate}


@dataclass
class TaskGroup:
    """A task's instances in one list (a fanned-out task counts its units)."""

    task: str
    title: str
    lead: str | None  # None for a fan-out: ``instances`` units of ``level`` lead it
    lead_name: str
    level: str | None
    instances: int
    due_on: date
    deliverable: str = ""
    evidence: str = ""
    overdue: int = 0  # of them, how many are overdue on the review's date

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["due_on"] = self.due_on.isoformat()
        return out


@dataclass
class AwaitingGroup:
    """Completions of one task reported, not yet verified by the issuer."""

    task: str
    title: str
    lead: str | None
    lead_name: str
    level: str | None
    instances: int
    completed_first: date
    completed_last: date
    prerequisite_open: int = 0  # of them, how many have a prerequisite short of its share

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["completed_first"] = self.completed_first.isoformat()
        out["completed_last"] = self.completed_last.isoformat()
        return out


@dataclass
class Change:
    """A deadline extended, or a task cancelled, by a decision (instances of one task
    changed alike on one day are one line)."""

    task: str  # the instance, or directive/task when several instances share the line
    title: str
    lead: str | None
    lead_name: str
    level: str | None
    instances: int
    decision: str
    old_due: date
    new_due: date | None  # None: cancelled
    date: date
    by_revision: bool = False  # cancelled because a revision of the directive removed it

    def as_json(self) -> dict[str, Any]:
        return {"task": self.task, "title": self.title, "lead": self.lead,
                "lead_name": self.lead_name, "level": self.level, "instances": self.instances,
                "decision": self.decision, "old_due": self.old_due.isoformat(),
                "new_due": self.new_due.isoformat() if self.new_due else None,
                "date": self.date.isoformat(), "by_revision": self.by_revision}


@dataclass
class OverdueLine:
    task: str
    title: str
    lead: str
    lead_name: str
    due_on: date
    days_overdue: int
    escalation_step: str | None
    root_cause: dict[str, Any] | None  # the prerequisite it waits for, only when blocked
    blocked: bool = False

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["due_on"] = self.due_on.isoformat()
        return out


@dataclass
class Section:
    """The review of one directive, or of the whole jurisdiction (``directive`` None)."""

    directive: str | None
    title: str
    totals: Totals
    previous: Totals
    by_sector: dict[str, Totals]
    by_unit: list[UnitLine]
    overdue: list[OverdueLine] = field(default_factory=list)
    # A commune's bodies summed as one place; places with work overdue, per level
    by_locality: list[LocalityLine] = field(default_factory=list)
    overdue_places: dict[str, int] = field(default_factory=dict)
    overdue_total: int = 0
    deliverables: list[TaskGroup] = field(default_factory=list)
    carried_over: list[TaskGroup] = field(default_factory=list)
    next_quarter: list[TaskGroup] = field(default_factory=list)
    plan_tasks: list[PlanTask] = field(default_factory=list)
    awaiting: list[AwaitingGroup] = field(default_factory=list)
    extensions: list[Change] = field(default_factory=list)
    cancellations: list[Change] = field(default_factory=list)
    indicators: list[IndicatorLine] = field(default_factory=list)
    difficulties: list[Note] = field(default_factory=list)
    requests: list[Note] = field(default_factory=list)  # extension requests not answered
    answered: list[Answer] = field(default_factory=list)  # requests answered or withdrawn
    # A directive's own section: what it is, as its heading and the report's opening name it
    kind: str = ""
    number: str = ""
    name: str = ""
    issued_on: date | None = None
    issued_by: str = ""  # the issuing unit's name
    reporting: Reporting | None = None  # repeating tasks' reports due in the quarter

    @property
    def plan_totals(self) -> Totals:
        out = Totals()
        for p in self.plan_tasks:
            out.add(p.status, 1)
        return out

    @property
    def awaiting_total(self) -> int:
        return sum(g.instances for g in self.awaiting)

    @property
    def has_previous(self) -> bool:
        """Whether the previous quarter had anything to compare with."""
        return self.previous.total > 0

    def as_json(self) -> dict[str, Any]:
        head = {} if self.directive is None else {
            "kind": self.kind, "number": self.number, "name": self.name,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "issued_by": self.issued_by}
        return {
            "directive": self.directive, "title": self.title, **head,
            "totals": self.totals.as_json(), "previous": self.previous.as_json(),
            "plan_totals": self.plan_totals.as_json(),
            "by_sector": {k: v.as_json() for k, v in self.by_sector.items()},
            "by_unit": [u.as_json() for u in self.by_unit],
            "by_locality": [p.as_json() for p in self.by_locality],
            "overdue_places": self.overdue_places,
            "overdue": [o.as_json() for o in self.overdue], "overdue_total": self.overdue_total,
            "deliverables": [g.as_json() for g in self.deliverables],
            "carried_over": [g.as_json() for g in self.carried_over],
            "next_quarter": [g.as_json() for g in self.next_quarter],
            "plan_tasks": [p.as_json() for p in self.plan_tasks],
            "awaiting_verification": {
                "count": self.awaiting_total,
                "prerequisite_open": sum(g.prerequisite_open for g in self.awaiting),
                "tasks": [g.as_json() for g in self.awaiting]},
            "extensions": [c.as_json() for c in self.extensions],
            "cancellations": [c.as_json() for c in self.cancellations],
            "indicators": [i.as_json() for i in self.indicators],
            "difficulties": [d.as_json() for d in self.difficulties],
            "extension_requests": [r.as_json() for r in self.requests],
            "extension_requests_answered": [a.as_json() for a in self.answered],
            "reporting": self.reporting.as_json() if self.reporting else None,
        }


@dataclass
class Review:
    jurisdiction: str
    jurisdiction_name: str
    language: str
    quarter: str
    previous_quarter: str
    next_quarter: str
    as_of: date
    first_day: date
    last_day: date
    overall: Section
    directives: list[Section]
    settings: ReviewSettings = field(default_factory=ReviewSettings)
    narrative: Narrative | None = None
    directive: str | None = None  # a review of one directive's progress
    folder: str = ""  # the jurisdiction's folder as loaded: where its narratives go
    locality: str | None = None  # a review of the work of one locality's bodies
    locality_name: str = ""
    locality_bodies: list[str] = field(default_factory=list)  # their names

    @property
    def mid_quarter(self) -> bool:
        """A review read before the quarter's last day is over."""
        return self.as_of <= self.last_day

    def as_json(self) -> dict[str, Any]:
        out = self.overall.as_json()
        out.pop("directive")
        s = self.settings
        return {"jurisdiction": self.jurisdiction, "jurisdiction_name": self.jurisdiction_name,
                "language": self.language,
                "quarter": self.quarter, "as_of": self.as_of.isoformat(),
                "period": [self.first_day.isoformat(), self.last_day.isoformat()],
                "previous_quarter": self.previous_quarter, "next_quarter": self.next_quarter,
                "mid_quarter": self.mid_quarter, "directive": self.directive,
                "locality": self.locality, **out,
                "directives": [sec.as_json() for sec in self.directives],
                "document": {"issuer": s.issuer, "superior": s.superior, "kind": s.kind,
                             "number": s.numbered(), "place": s.place, "subject": s.subject,
                             "recipients": list(s.recipients),
                             "signer": asdict(s.signer), "sectors": list(s.sectors)},
                "narrative": None if self.narrative is None else {
                    part: self.narrative.part(part)
                    for part in ("opening", "results", "shortcomings", "directions")}}
