"""Set-based reads as SQLAlchemy expressions, for the queries of other modules (the
escalation, the review, the dashboard), and a directive's graph.

The listings (tasks with their status, counts, one task, the overdue list) are in
``dirtrack.store.reads``, in plain SQL through the driver, and named here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, and_, case, func, literal, or_, select
from sqlalchemy.sql import ColumnElement

from dirtrack.errors import NotFound
from dirtrack.store.reads import (
    EPSILON,
    Filters,
    TaskDetail,
    TaskStatus,
    blocking,
    check_known,
    list_tasks,
    overdue,
    show_task,
    status_counts,
)
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

__all__ = ["Filters", "TaskDetail", "TaskStatus", "blocking", "category_of", "check_known",
           "current", "directive_graph", "directive_ids", "lead_and_support", "list_tasks",
           "overdue", "short_of_share", "show_task", "status_counts"]


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


def short_of_share(prereq: Any) -> ColumnElement[bool]:
    """The blocking rule, for a group of one task's prerequisite instances (aggregate SQL).

    Fewer of them are done than the dependency's share (``at_least``) of those not
    cancelled. Used by the escalation's root cause and anything else that asks "is this
    task still waiting for that one?"; the listings' flags state it in plain SQL
    (``reads.SHORT_OF_SHARE``).
    """
    done = func.sum(case((prereq.c.state == "done", 1), else_=0))
    counted = func.count() - func.sum(case((prereq.c.state == "cancelled", 1), else_=0))
    return and_(counted > 0, done < DEP.c.at_least * counted - EPSILON)


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
