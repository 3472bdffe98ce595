"""The escalation ladder as of a date: which alerts are due, recorded once in the outbox.

Every step is one ``INSERT ... SELECT`` over all open instances, guarded by the
outbox's unique key (instance, step, recipient, channel, deadline, open period)
with ``ON CONFLICT DO NOTHING``: a step fires once however often, or however
concurrently, the check runs. An extension (new deadline) or a returned
completion (new open period) re-arms the ladder; a completion or an extension
cancels what was still waiting to be sent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement

from dirtrack.store.queries import current, short_of_share
from dirtrack.store.tables import (
    DependencyRow,
    DirectiveRow,
    InstanceRow,
    LadderRow,
    OutboxRow,
    StateRow,
    UnitChannelRow,
    UnitRow,
)

I, S, O = InstanceRow.__table__, StateRow.__table__, OutboxRow.__table__  # type: ignore[attr-defined]
LAD, UC = LadderRow.__table__, UnitChannelRow.__table__  # type: ignore[attr-defined]
D, U, DEP = (DirectiveRow.__table__, UnitRow.__table__,  # type: ignore[attr-defined]
             DependencyRow.__table__)  # type: ignore[attr-defined]
ROOT_CAUSE = "root-cause"
ROOT_CAUSE_DAYS = 1000  # sorts after every ladder step
OUTBOX_COLUMNS = ["instance_pk", "step", "days", "recipient_id", "channel", "due_on",
                  "opened_on", "fired_on", "cause_pk", "status"]


@dataclass
class CheckResult:
    """What one deadline check recorded."""

    as_of: date
    recorded: int
    cancelled: int
    by_step: dict[str, int]


def _insert(conn: Connection, query: Any) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(O).from_select(OUTBOX_COLUMNS, query).on_conflict_do_nothing()
    return max(conn.execute(stmt.execution_options(preserve_rowcount=True)).rowcount, 0)


def _blockers(conn: Connection, as_of: date, horizon: date) -> Table:
    """Fill and return a temporary table: open instances due by ``horizon``, each with its
    prerequisites that block it (the group is short of its share), are overdue and are led
    by another unit. Computed once per check; every step and the root cause read it."""
    table = Table("alert_blocker", MetaData(), Column("instance_pk", Integer),
                  Column("prereq_pk", Integer), Column("prereq_lead", String),
                  Index("ix_alert_blocker_instance", "instance_pk"), prefixes=["TEMPORARY"])
    table.create(conn)
    C, P, Q = S.alias("c"), S.alias("p"), S.alias("q")
    candidate = and_(C.c.instance_pk == DEP.c.instance_pk, current(C, as_of),
                     C.c.state == "open", C.c.due_on <= horizon)
    short = (select(DEP.c.instance_pk, DEP.c.prereq_task)
             .select_from(DEP.join(C, candidate)
                          .join(Q, and_(Q.c.instance_pk == DEP.c.prereq_pk, current(Q, as_of))))
             .group_by(DEP.c.instance_pk, DEP.c.prereq_task, DEP.c.at_least)
             .having(short_of_share(Q)))
    blocking = (select(DEP.c.instance_pk, DEP.c.prereq_pk, P.c.lead_id)
                .select_from(DEP.join(C, candidate)
                             .join(P, and_(P.c.instance_pk == DEP.c.prereq_pk,
                                           current(P, as_of))))
                .where(P.c.state == "open", P.c.due_on < as_of, P.c.lead_id != C.c.lead_id,
                       tuple_(DEP.c.instance_pk, DEP.c.prereq_task).in_(short)))
    conn.execute(insert(table).from_select(["instance_pk", "prereq_pk", "prereq_lead"],
                                           blocking))
    return table


def _cause(blockers: Table) -> Any:
    """A correlated lookup: one blocking prerequisite of the alert's instance, if any."""
    return (select(func.min(blockers.c.prereq_pk))
            .where(blockers.c.instance_pk == S.c.instance_pk).scalar_subquery())


def _timing(days: int, as_of: date) -> ColumnElement[bool]:
    if days < 0:  # a reminder: from N days before the deadline until the deadline
        return and_(S.c.due_on >= as_of, S.c.due_on <= as_of + timedelta(days=-days))
    return S.c.due_on <= as_of - timedelta(days=days)


def _step_query(step: str, days: int, recipient: str, directives: list[str],
                as_of: date, blockers: Table) -> Any:
    lead = U.alias("lead_unit")
    base = (S.join(I, I.c.pk == S.c.instance_pk))
    if recipient == "lead":
        who: Any = S.c.lead_id
    elif recipient == "parent":
        base = base.join(lead, lead.c.id == S.c.lead_id)
        who = lead.c.parent_id
    elif recipient == "issuer":
        base = base.join(D, D.c.id == I.c.directive_id)
        who = D.c.issued_by
    else:
        who = literal(recipient)
    base = base.join(UC, UC.c.unit_id == who)
    return (select(S.c.instance_pk, literal(step), literal(days), who, UC.c.channel,
                   S.c.due_on, S.c.opened_on, literal(as_of), _cause(blockers),
                   literal("pending"))
            .select_from(base)
            .where(current(S, as_of), S.c.state == "open", I.c.directive_id.in_(directives),
                   _timing(days, as_of)))


def _root_cause_query(as_of: date, blockers: Table) -> Any:
    """Alert the unit whose overdue task blocks another unit's overdue task."""
    B = blockers
    return (select(S.c.instance_pk, literal(ROOT_CAUSE), literal(ROOT_CAUSE_DAYS), B.c.prereq_lead,
                   UC.c.channel, S.c.due_on, S.c.opened_on, literal(as_of),
                   func.min(B.c.prereq_pk), literal("pending"))
            .select_from(B.join(S, and_(S.c.instance_pk == B.c.instance_pk, current(S, as_of)))
                         .join(UC, UC.c.unit_id == B.c.prereq_lead))
            .where(S.c.due_on < as_of)
            .group_by(S.c.instance_pk, B.c.prereq_lead, UC.c.channel, S.c.due_on,
                      S.c.opened_on))


def cancel_stale(conn: Connection, as_of: date) -> int:
    """Cancel alerts not yet handed to a channel whose task is done, extended or gone."""
    still_due = exists().where(S.c.instance_pk == O.c.instance_pk, current(S, as_of),
                               S.c.state == "open", S.c.due_on == O.c.due_on,
                               S.c.opened_on == O.c.opened_on)
    cause = S.alias("cause")
    still_blocking = exists().where(cause.c.instance_pk == O.c.cause_pk, current(cause, as_of),
                                    cause.c.state == "open", cause.c.due_on < as_of)
    stale = or_(~still_due, and_(O.c.step == ROOT_CAUSE, ~still_blocking))
    stmt = (update(O).where(O.c.status == "pending", O.c.delivery_id.is_(None), stale)
            .values(status="cancelled"))
    return conn.execute(stmt).rowcount or 0


def check_deadlines(engine: Engine, as_of: date) -> CheckResult:
    """Record every alert due as of ``as_of`` in the outbox; return what was recorded."""
    by_step: dict[str, int] = defaultdict(int)
    with engine.begin() as conn:
        cancelled = cancel_stale(conn, as_of)
        groups: dict[tuple[str, int, str], list[str]] = defaultdict(list)
        for row in conn.execute(select(LAD.c.directive_id, LAD.c.step, LAD.c.days,
                                       LAD.c.recipient)):
            groups[(row.step, row.days, row.recipient)].append(row.directive_id)
        before = max([0, *(-days for _, days, _ in groups)])  # the earliest reminder
        blockers = _blockers(conn, as_of, as_of + timedelta(days=before))
        for (step, days, recipient), directives in sorted(groups.items()):
            by_step[step] += _insert(conn, _step_query(step, days, recipient, directives,
                                                       as_of, blockers))
        by_step[ROOT_CAUSE] += _insert(conn, _root_cause_query(as_of, blockers))
        blockers.drop(conn)
    counts = {k: v for k, v in by_step.items() if v}
    return CheckResult(as_of, sum(counts.values()), cancelled, counts)
