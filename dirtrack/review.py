"""The quarterly review: the four categories, sectors, units, overdue work, what carries over.

Which instances a quarter covers: those due by the quarter's last day and not
already finished before its first day, plus any completed during the quarter.
Their category is read as of the review's date, so a quarter re-read later with
the same ``as_of`` gives the same figures whatever was recorded since.

The on-time rate is the share done on time among the instances that were due:
done on time / (done on time + done late + open overdue).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Engine,
    Integer,
    String,
    Table,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)

from dirtrack.calendar import quarter_bounds
from dirtrack.status import CATEGORIES
from dirtrack.store.queries import blocking, category_of, current
from dirtrack.store.spans import chunks
from dirtrack.store.tables import (
    DirectiveRow,
    EventRow,
    InstanceRow,
    JurisdictionRow,
    OutboxRow,
    StateRow,
    TaskRow,
    UnitRow,
)
from dirtrack.store.temporary import analyze, temporary

I, S, T = InstanceRow.__table__, StateRow.__table__, TaskRow.__table__  # type: ignore[attr-defined]
D, U, O = (DirectiveRow.__table__, UnitRow.__table__,  # type: ignore[attr-defined]
           OutboxRow.__table__)  # type: ignore[attr-defined]
E, J = EventRow.__table__, JurisdictionRow.__table__  # type: ignore[attr-defined]
LIST_LIMIT = 200


@dataclass
class Totals:
    done_on_time: int = 0
    done_late: int = 0
    open_on_time: int = 0
    open_overdue: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, c) for c in CATEGORIES)

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


@dataclass
class UnitLine:
    unit: str
    name: str
    totals: Totals

    def as_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "name": self.name, **self.totals.as_json()}


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

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["due_on"] = self.due_on.isoformat()
        return out


@dataclass
class OverdueLine:
    task: str
    title: str
    lead: str
    lead_name: str
    due_on: date
    days_overdue: int
    escalation_step: str | None
    root_cause: dict[str, str] | None

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
    overdue_total: int = 0
    deliverables: list[TaskGroup] = field(default_factory=list)
    carried_over: list[TaskGroup] = field(default_factory=list)
    next_quarter: list[TaskGroup] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "directive": self.directive, "title": self.title,
            "totals": self.totals.as_json(), "previous": self.previous.as_json(),
            "by_sector": {k: v.as_json() for k, v in self.by_sector.items()},
            "by_unit": [u.as_json() for u in self.by_unit],
            "overdue": [o.as_json() for o in self.overdue], "overdue_total": self.overdue_total,
            "deliverables": [g.as_json() for g in self.deliverables],
            "carried_over": [g.as_json() for g in self.carried_over],
            "next_quarter": [g.as_json() for g in self.next_quarter],
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

    def as_json(self) -> dict[str, Any]:
        out = self.overall.as_json()
        out.pop("directive")
        return {"jurisdiction": self.jurisdiction, "jurisdiction_name": self.jurisdiction_name,
                "quarter": self.quarter, "as_of": self.as_of.isoformat(),
                "period": [self.first_day.isoformat(), self.last_day.isoformat()],
                "previous_quarter": self.previous_quarter, **out,
                "directives": [s.as_json() for s in self.directives]}


def league_order(line: UnitLine) -> tuple[float, int, str]:
    """Sort key of a league table: best on-time rate first (none due: last), then volume."""
    rate = line.totals.on_time_rate
    return (-(rate if rate is not None else -1.0), -line.totals.total, line.unit)


def shift_quarter(quarter: str, by: int) -> str:
    """Return the quarter ``by`` quarters later (earlier when negative).

    >>> shift_quarter("2024-Q1", -1), shift_quarter("2024-Q4", 1)
    ('2023-Q4', '2025-Q1')
    """
    first, _ = quarter_bounds(quarter)
    index = first.year * 4 + (first.month - 1) // 3 + by
    return f"{index // 4}-Q{index % 4 + 1}"


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _in_scope(first: date, last: date) -> Any:
    finished_before = and_(S.c.state == "done", S.c.completed_on < first)
    done_within = and_(S.c.state == "done", S.c.completed_on >= first, S.c.completed_on <= last)
    return and_(I.c.created_on <= last,
                or_(and_(S.c.due_on <= last, ~finished_before), done_within))


def _counts(conn: Connection, directives: list[str], first: date, last: date,
            as_of: date) -> list[Any]:
    """Return (directive, sector, lead, category, count) over the quarter's instances."""
    cat = category_of(S, as_of).label("category")
    query = (select(I.c.directive_id, T.c.sector, S.c.lead_id, cat, func.count())
             .select_from(S.join(I, I.c.pk == S.c.instance_pk).join(T, T.c.pk == I.c.task_pk))
             .where(I.c.directive_id.in_(directives), current(S, as_of),
                    _in_scope(first, last))
             .group_by(I.c.directive_id, T.c.sector, S.c.lead_id, cat))
    return list(conn.execute(query))


def _quarter(conn: Connection, directives: list[str], first: date, last: date, as_of: date,
             next_first: date, next_last: date) -> Table:
    """Fill and return a temporary table: the quarter's instances as of ``as_of`` with their
    category (``listed`` says in which task list each one is), and the open ones due next
    quarter. One pass over the states; every figure and list is then read from it."""
    in_scope = _in_scope(first, last)
    upcoming = and_(S.c.state == "open", S.c.due_on >= next_first, S.c.due_on <= next_last,
                    I.c.created_on <= as_of)
    listed = case((and_(in_scope, S.c.state == "done", S.c.completed_on >= first,
                        T.c.deliverable != ""), literal("deliverable")),
                  (and_(in_scope, S.c.state == "open"), literal("carried")),
                  (in_scope, literal(None, String)),
                  else_=literal("next"))
    query = (select(S.c.instance_pk, I.c.key, I.c.directive_id, I.c.task_pk, T.c.sector,
                    S.c.lead_id, S.c.due_on,
                    case((in_scope, category_of(S, as_of)), else_=literal(None)), listed)
             .select_from(S.join(I, I.c.pk == S.c.instance_pk).join(T, T.c.pk == I.c.task_pk))
             .where(I.c.directive_id.in_(directives), current(S, as_of),
                    or_(in_scope, upcoming)))
    table = temporary(conn, "review_instance", query, Column("instance_pk", Integer),
                      Column("key", String), Column("directive_id", String),
                      Column("task_pk", Integer), Column("sector", String),
                      Column("lead_id", String), Column("due_on", Date),
                      Column("category", String), Column("listed", String))
    analyze(conn, table)
    return table


def _groups(conn: Connection, quarter: Table, as_of: date, names: dict[str, str]
            ) -> dict[str, dict[str | None, list[TaskGroup]]]:
    """Return the task lists (deliverables, carried over, next quarter) by directive: each
    instance of a task in one group (a fanned-out task counts its units)."""
    Q = quarter
    evidence = (select(E.c.evidence).where(E.c.instance_pk == Q.c.instance_pk,
                                           E.c.kind == "done", E.c.effective_on <= as_of)
                .order_by(E.c.effective_on.desc(), E.c.id.desc()).limit(1).scalar_subquery())
    proof = func.max(case((Q.c.listed == "deliverable", evidence), else_=literal("")))
    query = (select(Q.c.listed, Q.c.directive_id, T.c.task_id, T.c.title, T.c.for_each,
                    T.c.deliverable, func.min(Q.c.lead_id), func.count(), func.min(Q.c.due_on),
                    proof)
             .select_from(Q.join(T, T.c.pk == Q.c.task_pk))
             .where(Q.c.listed.is_not(None))
             .group_by(Q.c.listed, Q.c.directive_id, T.c.task_id, T.c.title, T.c.for_each,
                       T.c.deliverable)
             .order_by(func.min(Q.c.due_on), Q.c.directive_id, T.c.task_id))
    out: dict[str, dict[str | None, list[TaskGroup]]] = defaultdict(lambda: defaultdict(list))
    for listed, directive, task, title, level, deliverable, lead, n, due, proof_ in \
            conn.execute(query):
        fanned = level is not None
        group = TaskGroup(f"{directive}/{task}", title, None if fanned else lead,
                          "" if fanned else names.get(lead, lead), level, n, due,
                          deliverable, proof_ or "")
        out[listed][directive].append(group)
        out[listed][None].append(group)
    return out


def _overdue(conn: Connection, quarter: Table, as_of: date, names: dict[str, str]
             ) -> dict[str | None, list[OverdueLine]]:
    """Return the quarter's open overdue instances, longest overdue first (at most
    ``LIST_LIMIT``), with the escalation step reached and the blocking task if any."""
    Q = quarter
    first = (select(Q.c.instance_pk, Q.c.directive_id, Q.c.lead_id, Q.c.due_on, Q.c.key,
                    Q.c.task_pk)
             .where(Q.c.category == "open_overdue")
             .order_by(Q.c.due_on, Q.c.key).limit(LIST_LIMIT).subquery("shown"))
    # The steps reached under the deadline and open period in force on the review's date;
    # a later check cancelling a pending alert does not rewrite the past.
    step = (select(O.c.step).where(O.c.instance_pk == first.c.instance_pk, O.c.fired_on <= as_of,
                                   O.c.due_on == S.c.due_on, O.c.opened_on == S.c.opened_on,
                                   O.c.step != "root-cause")
            .order_by(O.c.days.desc()).limit(1).scalar_subquery())
    query = (select(first.c.directive_id, first.c.key, T.c.title, first.c.lead_id,
                    first.c.due_on, step.label("step"))
             .select_from(first.join(T, T.c.pk == first.c.task_pk)
                          .join(S, and_(S.c.instance_pk == first.c.instance_pk,
                                        current(S, as_of))))
             .order_by(first.c.due_on, first.c.key))
    rows = conn.execute(query).all()
    keys = [r.key for r in rows]
    blockers = blocking(conn.engine, as_of, keys)
    leads = _leads(conn, as_of, sorted({k for found in blockers.values() for k in found}))
    out: dict[str | None, list[OverdueLine]] = defaultdict(list)
    for r in rows:
        cause = None
        for key in blockers.get(r.key, []):
            lead = leads.get(key)
            if lead and lead[0] != r.lead_id and lead[1] < as_of:
                cause = {"task": key, "unit": lead[0], "unit_name": names.get(lead[0], lead[0]),
                         "days_overdue": str((as_of - lead[1]).days)}
                break
        line = OverdueLine(r.key, r.title, r.lead_id, names.get(r.lead_id, r.lead_id),
                           r.due_on, (as_of - r.due_on).days, r.step, cause)
        out[r.directive_id].append(line)
        out[None].append(line)
    return out


def _leads(conn: Any, as_of: date, keys: list[str]) -> dict[str, tuple[str, date]]:
    """Return {instance key: (lead, deadline)} for those of ``keys`` open and overdue."""
    found: dict[str, tuple[str, date]] = {}
    for part in chunks(keys):
        query = (select(I.c.key, S.c.lead_id, S.c.due_on)
                 .select_from(S.join(I, I.c.pk == S.c.instance_pk))
                 .where(I.c.key.in_(part), current(S, as_of), S.c.state == "open",
                        S.c.due_on < as_of))
        found.update({k: (lead, due) for k, lead, due in conn.execute(query)})
    return found


def build_review(engine: Engine, jurisdiction: str, quarter: str, as_of: date) -> Review:
    """Return the review of ``quarter`` for a jurisdiction, read as of ``as_of``."""
    from dirtrack.errors import InvalidAction, NotFound

    try:
        first, last = quarter_bounds(quarter)
    except ValueError as exc:
        raise InvalidAction(str(exc)) from None
    try:
        prev_q, next_q = shift_quarter(quarter, -1), shift_quarter(quarter, 1)
        prev_first, prev_last = quarter_bounds(prev_q)
        next_first, next_last = quarter_bounds(next_q)
    except (ValueError, OverflowError):
        raise InvalidAction(f"the review compares {quarter} with the quarter before and "
                            "looks ahead to the one after; choose a quarter of a year "
                            "from 0002 to 9998") from None
    try:  # the previous quarter is read as far past its end as this one is
        prev_as_of = prev_last + (as_of - last)
    except OverflowError:
        prev_as_of = date.min
    with engine.connect() as conn:
        jur = conn.execute(select(J).where(J.c.id == jurisdiction)).first()
        if jur is None:
            known = ", ".join(conn.execute(select(J.c.id).order_by(J.c.id)).scalars())
            raise NotFound(f"no jurisdiction '{jurisdiction}'; loaded: {known or 'none'}")
        directives = {r.id: r for r in conn.execute(
            select(D).where(D.c.jurisdiction == jurisdiction, D.c.issued_on <= as_of)
            .order_by(D.c.issued_on, D.c.id))}
        names = dict(conn.execute(select(U.c.id, U.c.name)).tuples().all())
    sections: dict[str | None, Section] = {}
    for key, title in [(None, jur.name), *[(d, f"{r.number}: {r.title}")
                                           for d, r in directives.items()]]:
        sections[key] = Section(key, title, Totals(), Totals(), {}, [])
    units: dict[tuple[str | None, str], Totals] = defaultdict(Totals)
    ids = list(directives)
    with engine.connect() as conn:
        quarter_table = _quarter(conn, ids, first, last, as_of, next_first, next_last)
        Q = quarter_table
        counts = conn.execute(
            select(Q.c.directive_id, Q.c.sector, Q.c.lead_id, Q.c.category, func.count())
            .where(Q.c.category.is_not(None))
            .group_by(Q.c.directive_id, Q.c.sector, Q.c.lead_id, Q.c.category)).all()
        previous = _counts(conn, ids, prev_first, prev_last, prev_as_of)
        lists = _groups(conn, quarter_table, as_of, names)
        overdue = _overdue(conn, quarter_table, as_of, names)
        quarter_table.drop(conn)
    for directive, sector, lead, category, count in counts:
        for key in (None, directive):
            sec = sections[key]
            sec.totals.add(category, count)
            sec.by_sector.setdefault(sector, Totals()).add(category, count)
            units[(key, lead)].add(category, count)
    for directive, _sector, _lead, category, count in previous:
        for key in (None, directive):
            sections[key].previous.add(category, count)
    for (key, lead), totals in units.items():
        sections[key].by_unit.append(UnitLine(lead, names.get(lead, lead), totals))
    for key, sec in sections.items():
        sec.by_unit.sort(key=league_order)
        sec.by_sector = dict(sorted(sec.by_sector.items()))
        sec.overdue = overdue.get(key, [])
        sec.overdue_total = sec.totals.open_overdue
        sec.deliverables = lists["deliverable"].get(key, [])
        sec.carried_over = lists["carried"].get(key, [])
        sec.next_quarter = lists["next"].get(key, [])
    return Review(jurisdiction, jur.name, jur.language, quarter, prev_q, next_q, as_of, first,
                  last, sections[None], [sections[d] for d in directives])


def previous_quarter_end(today: date) -> tuple[str, date]:
    """Return the quarter that ended most recently before ``today``, and its last day."""
    try:
        last = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - timedelta(days=1)
    except OverflowError:
        from dirtrack.errors import InvalidAction

        raise InvalidAction(f"no quarter ended before {today}; choose the quarter") from None
    return quarter_of(last), last

