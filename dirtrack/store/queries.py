"""Set-based reads: status as of a date, for one task or a million, in a few statements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, func, literal, or_, select
from sqlalchemy.sql import ColumnElement, Select

from dirtrack.errors import NotFound
from dirtrack.status import CATEGORIES
from dirtrack.store.tables import (
    DependencyRow,
    DirectiveRow,
    EventRow,
    InstanceRow,
    PlanRow,
    StateRow,
    TaskRow,
    UnitRow,
)

I, S, T = InstanceRow.__table__, StateRow.__table__, TaskRow.__table__  # type: ignore[attr-defined]
DEP, E = DependencyRow.__table__, EventRow.__table__  # type: ignore[attr-defined]
PL = PlanRow.__table__  # type: ignore[attr-defined]
D, U = DirectiveRow.__table__, UnitRow.__table__  # type: ignore[attr-defined]
EPSILON = 1e-9
FEW = 1000  # rows few enough to name in an IN list


def current(span: Any, as_of: date) -> ColumnElement[bool]:
    """Return the condition that ``span`` (a dated table or alias) holds on ``as_of``."""
    return and_(span.c.valid_from <= as_of,
                or_(span.c.valid_to.is_(None), span.c.valid_to > as_of))


def category_of(span: Any, as_of: date) -> ColumnElement[str]:
    """Return the SQL for the category of ``span`` as of ``as_of`` (see status.category)."""
    return case(
        (span.c.state == "cancelled", literal("cancelled")),
        (and_(span.c.state == "done", span.c.completed_on <= span.c.due_on),
         literal("done_on_time")),
        (span.c.state == "done", literal("done_late")),
        (span.c.due_on >= as_of, literal("open_on_time")),
        else_=literal("open_overdue"),
    )


@dataclass
class Filters:
    directive: str | None = None
    unit: str | None = None  # lead unit as of the date
    status: str | None = None  # a category
    support: str | None = None  # a coordinating unit
    keys: list[str] | None = None  # these instances only
    awaiting: bool = False  # reported done, not yet verified


def check_known(engine: Engine, directive: str | None = None, unit: str | None = None) -> None:
    """Refuse a directive or unit filter that names nothing: a typo would otherwise read
    as "no tasks"."""
    if not directive and not unit:
        return
    with engine.connect() as conn:
        if directive and conn.execute(select(D.c.id).where(D.c.id == directive)).first() is None:
            loaded = list(conn.execute(select(D.c.id).order_by(D.c.id).limit(11)).scalars())
            shown = ", ".join(loaded[:10]) + (", ..." if len(loaded) > 10 else "")
            raise NotFound(f"no directive '{directive}'; loaded directives: {shown or 'none'}")
        if unit and conn.execute(select(U.c.id).where(U.c.id == unit)).first() is None:
            raise NotFound(f"no unit '{unit}'; check the id in the jurisdiction's units.yaml")


def led_by(engine: Engine, unit: str, as_of: date) -> ColumnElement[bool]:
    """Instances ``unit`` leads as of ``as_of``: its own, and those of units merged into
    it by then that were still open on the merger's date (the next load moves the open
    ones over; work finished before the merger stays where it was).

    The merged units are looked up first (a handful, usually none), so the condition
    stays a lookup of ``ix_instance_state_lead_id`` per unit.
    """
    with engine.connect() as conn:
        merged = conn.execute(select(U.c.id, U.c.ended_on).where(
            U.c.successor_id == unit, U.c.ended_on <= as_of)).all()
    return or_(S.c.lead_id == unit, *(
        and_(S.c.lead_id == m.id, or_(S.c.state == "open", S.c.completed_on >= m.ended_on))
        for m in merged))


def _filtered(query: Select, as_of: date, f: Filters,
              lead: ColumnElement[bool] | None = None) -> Select:
    if f.directive:
        query = query.where(I.c.directive_id == f.directive)
    if lead is not None:
        query = query.where(lead)
    if f.status:
        query = query.where(category_of(S, as_of) == f.status)
    if f.support:
        query = query.where(literal(",").concat(T.c.support).concat(",")
                            .like(f"%,{f.support},%"))
    if f.keys is not None:
        query = query.where(I.c.key.in_(f.keys))
    if f.awaiting:
        query = query.where(S.c.state == "done", S.c.verified.is_(False))
    return query


def status_counts(engine: Engine, as_of: date, f: Filters | None = None) -> dict[str, int]:
    """Return how many instances fall in each category as of ``as_of``."""
    f = f or Filters()
    check_known(engine, f.directive, f.unit)
    lead = led_by(engine, f.unit, as_of) if f.unit else None
    cat = category_of(S, as_of).label("category")
    query = select(cat, func.count()).select_from(S)
    if f.directive:
        query = query.join(I, I.c.pk == S.c.instance_pk)
    query = _filtered(query.where(current(S, as_of)), as_of, f, lead).group_by(cat)
    with engine.connect() as conn:
        counts = dict(conn.execute(query).tuples().all())
    return {c: int(counts.get(c, 0)) for c in CATEGORIES}


@dataclass
class TaskStatus:
    """One instance's state as of a date, as listed and printed as JSON."""

    id: str
    directive: str
    task: str
    title: str
    lead: str
    unit: str | None
    sector: str
    deliverable: str
    due_on: date
    status: str
    blocked: bool = False
    at_risk: bool = False
    completed_on: date | None = None
    verified: bool = False
    percent: int = 0
    days_overdue: int = 0
    critical: bool = False
    slack_days: int = 0
    blocked_by: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("due_on", "completed_on"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def short_of_share(prereq: Any) -> ColumnElement[bool]:
    """The blocking rule, for a group of one task's prerequisite instances (aggregate SQL).

    Fewer of them are done than the dependency's share (``at_least``) of those not
    cancelled. Used by the flags, the escalation's root cause and anything else that
    asks "is this task still waiting for that one?".
    """
    done = func.sum(case((prereq.c.state == "done", 1), else_=0))
    counted = func.count() - func.sum(case((prereq.c.state == "cancelled", 1), else_=0))
    return and_(counted > 0, done < DEP.c.at_least * counted - EPSILON)


def _flags(conn: Connection, as_of: date, base_where: list[Any]) -> dict[int, tuple[bool, bool]]:
    """Return {instance pk: (has a group below its share done, has an overdue prerequisite)}."""
    P = S.alias("p")
    short = case((short_of_share(P), 1), else_=0)
    overdue = func.sum(case((and_(P.c.state == "open", P.c.due_on < as_of), 1), else_=0))
    query = (select(DEP.c.instance_pk, short, overdue)
             .select_from(DEP)
             .join(S, and_(S.c.instance_pk == DEP.c.instance_pk, current(S, as_of)))
             .join(I, I.c.pk == DEP.c.instance_pk)
             .join(P, and_(P.c.instance_pk == DEP.c.prereq_pk, current(P, as_of)))
             .where(S.c.state == "open", *base_where)
             .group_by(DEP.c.instance_pk, DEP.c.prereq_task, DEP.c.at_least))
    flags: dict[int, tuple[bool, bool]] = {}
    for pk, is_short, n_overdue in conn.execute(query):
        blocked, late = flags.get(pk, (False, False))
        flags[pk] = (blocked or bool(is_short), late or bool(n_overdue))
    return flags


def list_tasks(engine: Engine, as_of: date, f: Filters | None = None,
               limit: int | None = None) -> list[TaskStatus]:
    """Return instances with their category and flags as of ``as_of``, most urgent first."""
    f = f or Filters()
    check_known(engine, f.directive, f.unit)
    lead = led_by(engine, f.unit, as_of) if f.unit else None
    cat = category_of(S, as_of)
    query = (select(I.c.pk, I.c.key, I.c.directive_id, T.c.task_id, T.c.title, S.c.lead_id,
                    I.c.unit_id, T.c.sector, T.c.deliverable, S.c.due_on, cat.label("status"),
                    S.c.completed_on, S.c.verified, S.c.percent, PL.c.critical,
                    PL.c.slack_days, PL.c.lag_days)
             .select_from(S).join(I, I.c.pk == S.c.instance_pk).join(T, T.c.pk == I.c.task_pk)
             .join(PL, and_(PL.c.instance_pk == S.c.instance_pk, current(PL, as_of)))
             .where(current(S, as_of)))
    query = _filtered(query, as_of, f, lead)
    order = case((cat == "open_overdue", 0), (cat == "open_on_time", 1), else_=2)
    query = query.order_by(order, S.c.due_on, I.c.key)
    if limit:
        query = query.limit(limit)
    base_where = [current(S, as_of)]
    if f.directive:
        base_where.append(I.c.directive_id == f.directive)
    if lead is not None:
        base_where.append(lead)
    if f.keys is not None:
        base_where.append(I.c.key.in_(f.keys))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        if limit and len(rows) <= FEW:  # the flags of the rows shown, not of all that match
            base_where.append(I.c.pk.in_([r.pk for r in rows]))
        flags = _flags(conn, as_of, base_where) if rows else {}
    out = []
    for r in rows:
        blocked, late_prereq = flags.get(r.pk, (False, False))
        at_risk = r.status == "open_on_time" and (
            late_prereq or (blocked and as_of + timedelta(days=r.lag_days) > r.due_on))
        out.append(TaskStatus(
            id=r.key, directive=r.directive_id, task=r.task_id, title=r.title, lead=r.lead_id,
            unit=r.unit_id, sector=r.sector, deliverable=r.deliverable, due_on=r.due_on,
            status=r.status, blocked=blocked and r.status.startswith("open"), at_risk=at_risk,
            completed_on=r.completed_on, verified=bool(r.verified), percent=r.percent,
            days_overdue=(as_of - r.due_on).days if r.status == "open_overdue" else 0,
            critical=bool(r.critical), slack_days=r.slack_days))
    return out


def blocking(engine: Engine, as_of: date, keys: list[str]) -> dict[str, list[str]]:
    """Return, for each given instance, its prerequisites not done as of ``as_of``."""
    if not keys:
        return {}
    P, PI = S.alias("p"), I.alias("pi")
    query = (select(I.c.key, PI.c.key).select_from(DEP)
             .join(I, I.c.pk == DEP.c.instance_pk)
             .join(PI, PI.c.pk == DEP.c.prereq_pk)
             .join(P, and_(P.c.instance_pk == DEP.c.prereq_pk, current(P, as_of)))
             .where(I.c.key.in_(keys), P.c.state == "open").order_by(I.c.key, PI.c.key))
    out: dict[str, list[str]] = defaultdict(list)
    with engine.connect() as conn:
        for key, prereq in conn.execute(query):
            out[key].append(prereq)
    return out


def overdue(engine: Engine, as_of: date, f: Filters | None = None,
            limit: int | None = None) -> list[TaskStatus]:
    """Return open overdue instances as of ``as_of``, longest overdue first (the first
    ``limit`` of them: ``list_tasks`` lists overdue ones in this order too)."""
    f = f or Filters()
    rows = list_tasks(engine, as_of, Filters(f.directive, f.unit, "open_overdue"), limit)
    blockers = blocking(engine, as_of, [r.id for r in rows if r.blocked])
    for r in rows:
        r.blocked_by = blockers.get(r.id, [])
    rows.sort(key=lambda r: (-r.days_overdue, r.id))
    return rows


@dataclass
class TaskDetail:
    status: TaskStatus
    directive_title: str
    directive_number: str
    support: list[str]
    due_text: str
    original_due_on: date
    prerequisites: list[TaskStatus]
    dependents: list[str]
    events: list[dict[str, Any]]


def show_task(engine: Engine, key: str, as_of: date) -> TaskDetail:
    """Return one instance with its prerequisites, dependents and full ledger history."""
    with engine.connect() as conn:
        row = conn.execute(select(I, T.c.support, T.c.due_text, D.c.title, D.c.number)
                           .join(T, T.c.pk == I.c.task_pk).join(D, D.c.id == I.c.directive_id)
                           .where(I.c.key == key)).first()
        if row is None:
            raise NotFound(f"no task '{key}'; list task ids with 'dirtrack tasks'")
        PI = I.alias("pi")
        prereq_keys = conn.execute(select(PI.c.key).select_from(DEP)
                                   .join(PI, PI.c.pk == DEP.c.prereq_pk)
                                   .where(DEP.c.instance_pk == row.pk)).scalars().all()
        dependents = conn.execute(select(PI.c.key).select_from(DEP)
                                  .join(PI, PI.c.pk == DEP.c.instance_pk)
                                  .where(DEP.c.prereq_pk == row.pk).order_by(PI.c.key)
                                  ).scalars().all()
        events = [dict(r._mapping) for r in conn.execute(
            select(E.c.id, E.c.kind, E.c.effective_on, E.c.recorded_at, E.c.actor, E.c.percent,
                   E.c.note, E.c.evidence, E.c.new_due, E.c.new_lead, E.c.decision,
                   E.c.recorded_by)
            .where(E.c.instance_pk == row.pk).order_by(E.c.effective_on, E.c.id))]
    mine = list_tasks(engine, as_of, Filters(keys=[key, *prereq_keys]))
    status = next((t for t in mine if t.id == key), None)
    if status is None:
        raise NotFound(f"task '{key}' did not exist yet on {as_of}")
    return TaskDetail(status, row.title, row.number,
                      [s for s in row.support.split(",") if s], row.due_text, row.due_on,
                      [t for t in mine if t.id != key], list(dependents), events)


def directive_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(D.c.id).order_by(D.c.id)).scalars())


def directive_graph(engine: Engine, directive_id: str) -> tuple[Any, list[Any]]:
    """Return the directive row and its tasks as graph nodes (one query per table)."""
    from dirtrack.graphview import TaskNode

    with engine.connect() as conn:
        head = conn.execute(select(D).where(D.c.id == directive_id)).first()
        if head is None:
            raise NotFound(f"no directive '{directive_id}'; loaded directives: "
                           + (", ".join(conn.execute(select(D.c.id).order_by(D.c.id))
                                        .scalars()) or "none"))
        per_task = {r.task_pk: r for r in conn.execute(
            select(I.c.task_pk, func.min(I.c.due_on).label("first"),
                   func.max(I.c.due_on).label("last"), func.count().label("n"),
                   func.max(case((I.c.critical, 1), else_=0)).label("critical"))
            .where(I.c.directive_id == directive_id, I.c.removed.is_(False))
            .group_by(I.c.task_pk))}
        tasks = conn.execute(select(T).where(T.c.directive_id == directive_id,
                                             T.c.removed.is_(False)).order_by(T.c.position)).all()
    nodes = []
    for t in tasks:
        agg = per_task.get(t.pk)  # None: it fans out over no unit, drawn all the same
        prereqs = []
        for item in filter(None, t.depends_on.split(",")):
            task, _, share = item.rpartition(":")
            prereqs.append((task, float(share)))
        anchor = t.due_text.split("+")[0].strip()
        if anchor not in ("issued", "deps") and "+" in t.due_text and \
                anchor not in {p for p, _ in prereqs}:
            prereqs.append((anchor, 1.0))
        lead = t.lead_id or f"each {t.for_each}"
        nodes.append(TaskNode(t.task_id, t.title, lead, t.due_text,
                              agg.first if agg else None, agg.last if agg else None,
                              agg.n if agg else 0, bool(agg and agg.critical), prereqs))
    return head, nodes


def lead_and_support(engine: Engine, key: str, on: date | None = None) -> tuple[str, list[str]]:
    """Return who leads a task on ``on`` (default today) and its coordinating units.

    The lead is the recorded one, or, once that unit has ended in a reorganisation, the
    unit that took its work over (before the next load moves the task itself).
    """
    from dirtrack.config import today
    from dirtrack.store.ledger import lead_on

    with engine.connect() as conn:
        row = conn.execute(select(S.c.lead_id, T.c.support, U.c.ended_on)
                           .select_from(S.join(I, I.c.pk == S.c.instance_pk)
                                        .join(T, T.c.pk == I.c.task_pk)
                                        .outerjoin(U, U.c.id == S.c.lead_id))
                           .where(I.c.key == key, S.c.valid_to.is_(None))).first()
        if row is None:
            raise NotFound(f"no task '{key}'; list task ids with 'dirtrack tasks'")
        lead = lead_on(conn, row.lead_id, row.ended_on, on or today())
    return lead, [s for s in row.support.split(",") if s]


def issuer_of(engine: Engine, key: str, on: date | None = None) -> str:
    """Return the unit that issued the directive of task ``key`` (its successor on ``on``,
    default today, once it has ended): with the steering committee, it answers the
    units' extension requests."""
    from dirtrack.config import today
    from dirtrack.store.ledger import lead_on

    with engine.connect() as conn:
        row = conn.execute(select(D.c.issued_by, U.c.ended_on)
                           .select_from(I.join(D, D.c.id == I.c.directive_id)
                                        .outerjoin(U, U.c.id == D.c.issued_by))
                           .where(I.c.key == key)).first()
        if row is None:
            raise NotFound(f"no task '{key}'; list task ids with 'dirtrack tasks'")
        return lead_on(conn, row.issued_by, row.ended_on, on or today())


@dataclass(frozen=True)
class WaitingRequest:
    """A unit's extension request waiting for the issuing unit's (or the committee's) answer."""

    task: str
    title: str
    unit: str
    asked_on: date
    asked_due: date
    due_on: date


def requests_to_answer(engine: Engine, issuer: str, as_of: date) -> list[WaitingRequest]:
    """Return the extension requests waiting on ``as_of`` on open tasks of the directives
    ``issuer`` issued, the oldest first: one statement."""
    from dirtrack.store.ledger import REQUEST_KINDS

    latest = (select(func.max(E.c.id)).where(E.c.kind.in_(REQUEST_KINDS),
                                             E.c.effective_on <= as_of)
              .group_by(E.c.instance_pk))
    query = (select(I.c.key, T.c.title, E.c.actor, E.c.effective_on, E.c.new_due, S.c.due_on)
             .select_from(E.join(I, I.c.pk == E.c.instance_pk)
                          .join(D, D.c.id == I.c.directive_id)
                          .join(T, T.c.pk == I.c.task_pk)
                          .join(S, and_(S.c.instance_pk == I.c.pk, S.c.valid_from <= as_of,
                                        or_(S.c.valid_to.is_(None), S.c.valid_to > as_of))))
             .where(E.c.id.in_(latest), E.c.kind == "requested", D.c.issued_by == issuer,
                    S.c.state == "open")
             .order_by(E.c.effective_on, I.c.key))
    with engine.connect() as conn:
        return [WaitingRequest(*row) for row in conn.execute(query)]
