"""Which instances a quarter's review covers, read once into a temporary table.

A quarter covers every instance in effect during it: created (issued, or added by a
revision) on or before its last day, and neither finished nor cancelled before its
first day. Instances due after the quarter's end are in it too: open on the review's
date, they are "open within deadline". Each is counted in its category as of the
review's date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.sql import ColumnElement

from dirtrack.store.queries import category_of, current
from dirtrack.store.tables import EventRow, InstanceRow, StateRow, TaskRow
from dirtrack.store.temporary import analyze, temporary

I, S, T = InstanceRow.__table__, StateRow.__table__, TaskRow.__table__  # type: ignore[attr-defined]
E = EventRow.__table__  # type: ignore[attr-defined]
LEAD_CHANGES = ("reassigned", "revised")


def in_scope(first: date, last: date) -> ColumnElement[bool]:
    """The condition that the instance of ``S`` (its state as of the review's date) is in
    effect during the quarter from ``first`` to ``last``, but for the cancellations that
    ``cancelled_before`` catches: created by the quarter's end, not finished before it
    began, not cancelled by a state that began before it."""
    finished_before = and_(S.c.state == "done", S.c.completed_on < first)
    cancelled = and_(S.c.state == "cancelled", S.c.valid_from < first)
    return and_(I.c.created_on <= last, ~finished_before, ~cancelled)


def cancelled_before(span: Any, first: date, as_of: date) -> ColumnElement[bool]:
    """The condition that a cancelled instance (``span.instance_pk``) whose cancelled state
    began in the quarter was nonetheless cancelled before it: no state other than
    cancelled reaches into the quarter (a later event on a task already cancelled).

    Asked apart, of the few cancelled instances: a correlated subquery in the statement
    over every instance would keep PostgreSQL from scanning in parallel."""
    X = S.alias("x")
    return ~exists().where(X.c.instance_pk == span.c.instance_pk, X.c.state != "cancelled",
                           X.c.valid_from <= as_of,
                           or_(X.c.valid_to.is_(None), X.c.valid_to >= first))


def days_from(day: Any, as_of: date, dialect: str) -> ColumnElement[int]:
    """The SQL for the number of days from ``day`` to ``as_of``."""
    if dialect == "postgresql":
        return literal(as_of, Date) - day  # type: ignore[no-any-return]
    return cast(func.julianday(literal(as_of.isoformat())) - func.julianday(day), Integer)


def quarter_table(conn: Connection, directives: list[str], first: date, last: date,
                  as_of: date, next_first: date, next_last: date,
                  leads: list[str] | None = None) -> Table:
    """Fill and return a temporary table: the quarter's instances as of ``as_of`` with
    their category, and the open ones due next quarter (``category`` None unless in the
    quarter). One pass over the states; every figure and list is then read from it.

    ``quarter_lead`` is the unit that led the instance on the quarter's last day (the
    review's date, if earlier): the league table counts it there, so a review read after
    a reorganisation still shows the units as they were in the quarter. ``charged_days``
    are the days overdue charged to that unit: from the later of the deadline and the
    day it took the task over (a merger or a reassignment) until it handed the task on
    (or the review's date). ``carried_days`` are the days its predecessor (``carried_from``)
    had let pass before that takeover: shown apart as "carried over", never charged.

    With ``leads`` (the bodies of one locality), only the instances they led at the
    quarter's end are kept.
    """
    scope = in_scope(first, last)
    upcoming = and_(S.c.state == "open", S.c.due_on >= next_first, S.c.due_on <= next_last,
                    I.c.created_on <= as_of)
    charged = case((and_(S.c.state == "open", S.c.due_on < as_of),
                    days_from(S.c.due_on, as_of, conn.dialect.name)), else_=literal(0))
    awaiting = case((and_(S.c.state == "done", S.c.verified.is_(False)), 1), else_=0)
    # Only what the figures group by: the directive, sector, title... come from the task.
    query = (select(S.c.instance_pk, I.c.task_pk, S.c.lead_id, S.c.lead_id, I.c.lead_id,
                    S.c.due_on, S.c.completed_on,
                    case((scope, category_of(S, as_of)), else_=literal(None, String)),
                    awaiting, charged, literal(0), literal(None, String),
                    cast(literal(None), Date))
             .select_from(S.join(I, I.c.pk == S.c.instance_pk))
             .where(I.c.directive_id.in_(directives), current(S, as_of),
                    or_(scope, upcoming)))
    table = temporary(conn, "review_instance", query, Column("instance_pk", Integer),
                      Column("task_pk", Integer), Column("lead_id", String),
                      Column("quarter_lead", String), Column("first_lead", String),
                      Column("due_on", Date), Column("completed_on", Date),
                      Column("category", String), Column("awaiting", Integer),
                      Column("charged_days", Integer), Column("carried_days", Integer),
                      Column("carried_from", String), Column("taken_over", Date))
    Q = table
    conn.execute(delete(Q).where(Q.c.category == "cancelled",
                                 cancelled_before(Q, first, as_of)))
    _charge_quarter_leads(conn, Q, last, as_of)
    if leads is not None:
        conn.execute(delete(Q).where(Q.c.quarter_lead.not_in(leads)))
    analyze(conn, table)
    return table


def _charge_quarter_leads(conn: Connection, Q: Table, last: date, as_of: date) -> None:
    """Set, on the instances whose lead changed, who led them at the quarter's end, the
    days overdue charged to that unit and the days carried over from its predecessor."""
    dialect = conn.dialect.name
    end = min(last, as_of)
    if as_of > end:  # handed on after the quarter (a reorganisation on the 1st of the next)
        handed = exists().where(E.c.instance_pk == Q.c.instance_pk,
                                E.c.kind.in_(LEAD_CHANGES), E.c.effective_on > end,
                                E.c.effective_on <= as_of)
        then = S.alias("then")
        conn.execute(update(Q).where(handed).values(quarter_lead=(
            select(then.c.lead_id).where(then.c.instance_pk == Q.c.instance_pk,
                                         current(then, end)).scalar_subquery())))
    changed = or_(Q.c.quarter_lead != Q.c.first_lead, Q.c.quarter_lead != Q.c.lead_id)
    taken_over = (select(func.max(E.c.effective_on))
                  .where(E.c.instance_pk == Q.c.instance_pk, E.c.kind.in_(LEAD_CHANGES),
                         E.c.new_lead == Q.c.quarter_lead, E.c.effective_on <= end)
                  .scalar_subquery())
    handed_on = (select(func.min(E.c.effective_on))
                 .where(E.c.instance_pk == Q.c.instance_pk, E.c.kind.in_(LEAD_CHANGES),
                        E.c.effective_on > end, E.c.effective_on <= as_of)
                 .scalar_subquery())
    greatest = func.max if dialect == "sqlite" else func.greatest
    # Kept in a column: read inside a further subquery it would not correlate to Q.
    conn.execute(update(Q).where(changed).values(taken_over=taken_over))
    since = greatest(func.coalesce(Q.c.taken_over, Q.c.due_on), Q.c.due_on)
    until = func.coalesce(handed_on, literal(as_of, Date))
    overdue_days = days_from(since, as_of, dialect) - days_from(until, as_of, dialect)
    conn.execute(update(Q).where(changed, Q.c.charged_days > 0).values(
        charged_days=greatest(overdue_days, 0)))
    # What the predecessor let pass: from the deadline to the takeover, when it was due
    # before; the predecessor is who led the instance the day before the takeover.
    before = S.alias("before")
    carried = days_from(Q.c.due_on, as_of, dialect) - days_from(Q.c.taken_over, as_of, dialect)
    conn.execute(update(Q).where(changed, Q.c.category == "open_overdue")
                 .values(carried_days=greatest(func.coalesce(carried, 0), 0)))
    conn.execute(update(Q).where(Q.c.carried_days > 0).values(carried_from=(
        select(before.c.lead_id).where(
            before.c.instance_pk == Q.c.instance_pk,
            before.c.valid_from < Q.c.taken_over,
            or_(before.c.valid_to.is_(None), before.c.valid_to >= Q.c.taken_over))
        .order_by(before.c.valid_from.desc()).limit(1).scalar_subquery())))


def previous_counts(conn: Connection, directives: list[str], first: date, last: date,
                    as_of: date, leads: list[str] | None = None) -> list[Any]:
    """Return (directive, category, count) over the instances of the quarter from
    ``first`` to ``last`` read as of ``as_of`` (led by ``leads`` then, when given)."""
    cat = category_of(S, as_of).label("category")
    base = (S.join(I, I.c.pk == S.c.instance_pk), I.c.directive_id.in_(directives),
            current(S, as_of), in_scope(first, last),
            *([S.c.lead_id.in_(leads)] if leads is not None else []))
    counts = {(d, c): n for d, c, n in conn.execute(
        select(I.c.directive_id, cat, func.count()).select_from(base[0]).where(*base[1:])
        .group_by(I.c.directive_id, cat))}
    for directive, n in conn.execute(  # cancelled before the quarter after all: not in it
            select(I.c.directive_id, func.count()).select_from(base[0])
            .where(*base[1:], S.c.state == "cancelled", cancelled_before(S, first, as_of))
            .group_by(I.c.directive_id)):
        counts[(directive, "cancelled")] -= n
    return [(d, c, n) for (d, c), n in counts.items() if n]
