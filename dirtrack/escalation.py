"""The escalation ladder as of a date: which alerts are due, recorded once in the outbox.

The open instances within reach of the ladder are read once per check into a
temporary table; every step is then one ``INSERT ... SELECT`` over it, guarded by the
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
    Date,
    Engine,
    Integer,
    String,
    Table,
    and_,
    delete,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement

from dirtrack.config import today
from dirtrack.errors import InvalidAction
from dirtrack.store.engine import BULK_ROWS, refresh_statistics
from dirtrack.store.occurrences import open_occurrences
from dirtrack.store.outbox import digest_mark, lock_outbox, waiting
from dirtrack.store.queries import current, short_of_share
from dirtrack.store.tables import (
    DependencyRow,
    DirectiveRow,
    EventRow,
    InstanceRow,
    JurisdictionRow,
    LadderRow,
    OutboxRow,
    StateRow,
    UnitChannelRow,
    UnitRow,
)
from dirtrack.store.temporary import analyze, temporary

I, S, O = InstanceRow.__table__, StateRow.__table__, OutboxRow.__table__  # type: ignore[attr-defined]
LAD, UC = LadderRow.__table__, UnitChannelRow.__table__  # type: ignore[attr-defined]
D, U, DEP = (DirectiveRow.__table__, UnitRow.__table__,  # type: ignore[attr-defined]
             DependencyRow.__table__)  # type: ignore[attr-defined]
E, J = EventRow.__table__, JurisdictionRow.__table__  # type: ignore[attr-defined]
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
    opened: int = 0  # occurrences of repeating tasks created


def _insert(conn: Connection, query: Any) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(O).from_select(OUTBOX_COLUMNS, query).on_conflict_do_nothing()
    return max(conn.execute(stmt.execution_options(preserve_rowcount=True)).rowcount, 0)


def _candidates(conn: Connection, as_of: date, horizon: date) -> Table:
    """Fill and return a temporary table of the open instances due by ``horizon``, with
    every recipient a ladder step can name: one pass over the states for the whole check."""
    lead = U.alias("lead_unit")
    query = (select(S.c.instance_pk, I.c.directive_id, S.c.due_on, S.c.opened_on, S.c.lead_id,
                    lead.c.parent_id, D.c.issued_by)
             .select_from(S.join(I, I.c.pk == S.c.instance_pk)
                          .join(D, D.c.id == I.c.directive_id)
                          .outerjoin(lead, lead.c.id == S.c.lead_id))
             .where(current(S, as_of), S.c.state == "open", S.c.due_on <= horizon))
    table = temporary(conn, "alert_candidate", query, Column("instance_pk", Integer),
                      Column("directive_id", String), Column("due_on", Date),
                      Column("opened_on", Date), Column("lead_id", String),
                      Column("parent_id", String), Column("issued_by", String),
                      index="instance_pk")
    _follow_successors(conn, as_of, table)
    analyze(conn, table)
    return table


def successors_on(conn: Connection, as_of: date) -> dict[str, str]:
    """Return, for every unit that has ended by ``as_of``, the unit that carries its work
    on that day: its successor's successor and so on, every hop (Ninh Bình city into Hoa Lư
    city, and Hoa Lư city again if it merges later)."""
    rows = conn.execute(select(U.c.id, U.c.ended_on, U.c.successor_id)
                        .where(U.c.ended_on <= as_of, U.c.successor_id.is_not(None))).all()
    step = {r.id: r.successor_id for r in rows}
    heirs: dict[str, str] = {}
    for unit in step:
        seen, current = {unit}, step[unit]
        while current in step and step[current] not in seen:
            seen.add(current)
            current = step[current]
        heirs[unit] = current
    return heirs


def _follow_successors(conn: Connection, as_of: date, candidates: Table) -> None:
    """Address each candidate's lead, supervisor and issuer as they stand on ``as_of``: an
    ended unit's alerts go to the unit that took its work over, never to a unit that is
    gone (before the next load has moved the task itself)."""
    heirs = successors_on(conn, as_of)
    if not heirs:
        return
    H = temporary(conn, "alert_heir", select(U.c.id, U.c.id).where(false()),
                  Column("unit_id", String), Column("heir_id", String), index="unit_id")
    conn.execute(H.insert(), [{"unit_id": u, "heir_id": h} for u, h in heirs.items()])
    C = candidates

    def heir_of(column: Any) -> Any:
        return select(H.c.heir_id).where(H.c.unit_id == column).scalar_subquery()

    ended = select(H.c.unit_id)
    conn.execute(update(C).where(C.c.lead_id.in_(ended)).values(
        parent_id=select(U.c.parent_id).where(H.c.unit_id == C.c.lead_id,
                                              U.c.id == H.c.heir_id).scalar_subquery()))
    for column in ("lead_id", "parent_id", "issued_by"):
        conn.execute(update(C).where(C.c[column].in_(ended))
                     .values({column: heir_of(C.c[column])}))
    H.drop(conn)
def _hold_requests(conn: Connection, as_of: date, candidates: Table) -> None:
    """Leave out of the check the instances whose unit asked for more time and waits for
    the answer, in the jurisdictions whose ``escalation.yaml`` says ``extension_requests:
    hold``; elsewhere the ladder goes on. One statement over the candidates."""
    from dirtrack.store.ledger import REQUEST_KINDS

    held = select(D.c.id).join(J, J.c.id == D.c.jurisdiction).where(
        J.c.extension_requests == "hold")
    if conn.execute(held.limit(1)).first() is None:
        return
    C = candidates
    latest = (select(func.max(E.c.id))
              .where(E.c.instance_pk.in_(select(C.c.instance_pk).where(
                  C.c.directive_id.in_(held))),
                  E.c.kind.in_(REQUEST_KINDS), E.c.effective_on <= as_of)
              .group_by(E.c.instance_pk))
    waiting_answer = select(E.c.instance_pk).where(E.c.id.in_(latest), E.c.kind == "requested")
    conn.execute(delete(C).where(C.c.instance_pk.in_(waiting_answer)))


def _blockers(conn: Connection, as_of: date, candidates: Table) -> Table:
    """Fill and return a temporary table: each candidate with its prerequisites that block
    it (their group is short of its share), are overdue and are led by another unit.

    Read from the overdue side: an overdue prerequisite is itself an open candidate, so
    only the dependencies of overdue instances are visited, not every candidate's."""
    X, P = candidates.alias("x"), candidates.alias("p")
    pairs = (select(DEP.c.instance_pk, DEP.c.prereq_pk, P.c.lead_id, DEP.c.prereq_task)
             .select_from(P.join(DEP, DEP.c.prereq_pk == P.c.instance_pk)
                          .join(X, X.c.instance_pk == DEP.c.instance_pk))
             .where(P.c.due_on < as_of, P.c.lead_id != X.c.lead_id))
    table = temporary(conn, "alert_blocker", pairs, Column("instance_pk", Integer),
                      Column("prereq_pk", Integer), Column("prereq_lead", String),
                      Column("prereq_task", String), index="instance_pk")
    Q = S.alias("q")
    short = (select(DEP.c.instance_pk, DEP.c.prereq_task)
             .select_from(DEP.join(Q, and_(Q.c.instance_pk == DEP.c.prereq_pk,
                                           current(Q, as_of))))
             .where(DEP.c.instance_pk.in_(select(table.c.instance_pk)))
             .group_by(DEP.c.instance_pk, DEP.c.prereq_task, DEP.c.at_least)
             .having(short_of_share(Q)))
    conn.execute(delete(table).where(
        tuple_(table.c.instance_pk, table.c.prereq_task).not_in(short)))
    analyze(conn, table)
    return table


def _timing(days: int, as_of: date, due_on: Any) -> ColumnElement[bool]:
    if days < 0:  # a reminder: from N days before the deadline until the deadline
        return and_(due_on >= as_of, due_on <= _shifted(as_of, -days))
    return due_on <= _shifted(as_of, -days)


def _recipients(recipient: str, candidates: Table, as_of: date) -> list[tuple[Any, Any]]:
    """Return (what to select from, the recipient's column) for a ladder step's ``to:``.

    ``locality`` is "to the commune": every body of the lead's locality existing on
    ``as_of`` (its Party committee, People's Committee and Front committee alike), and a
    lead with no locality itself. Two joins on equal columns (the locality is indexed),
    so that neither side is scanned once per row of the other."""
    C = candidates
    if recipient != "locality":
        who: Any = {"lead": C.c.lead_id, "parent": C.c.parent_id,
                    "issuer": C.c.issued_by}.get(recipient, literal(recipient))
        return [(C, who)]
    lead, body = U.alias("step_lead"), U.alias("step_body")
    alone = C.join(lead, and_(lead.c.id == C.c.lead_id, lead.c.locality.is_(None)))
    bodies = (C.join(lead, lead.c.id == C.c.lead_id)
              .join(body, and_(body.c.locality == lead.c.locality,
                               body.c.jurisdiction == lead.c.jurisdiction,
                               or_(body.c.ended_on.is_(None), body.c.ended_on > as_of),
                               or_(body.c.established_on.is_(None),
                                   body.c.established_on <= as_of))))
    return [(alone, C.c.lead_id), (bodies, body.c.id)]


def _step_queries(step: str, days: int, recipient: str, directives: list[str],
                  as_of: date, candidates: Table) -> list[Any]:
    C = candidates
    return [(select(C.c.instance_pk, literal(step), literal(days), who, UC.c.channel,
                    C.c.due_on, C.c.opened_on, literal(as_of), literal(None, Integer),
                    literal("pending"))
             .select_from(source.join(UC, UC.c.unit_id == who))
             .where(C.c.directive_id.in_(directives), _timing(days, as_of, C.c.due_on),
                    ~exists().where(O.c.instance_pk == C.c.instance_pk, O.c.step == step,
                                    O.c.recipient_id == who, O.c.channel == UC.c.channel,
                                    O.c.due_on == C.c.due_on,
                                    O.c.opened_on == C.c.opened_on)))
            for source, who in _recipients(recipient, C, as_of)]


def _root_cause_query(as_of: date, candidates: Table, blockers: Table) -> Any:
    """Alert the unit whose overdue task blocks another unit's overdue task."""
    B, C = blockers, candidates
    return (select(C.c.instance_pk, literal(ROOT_CAUSE), literal(ROOT_CAUSE_DAYS),
                   B.c.prereq_lead, UC.c.channel, C.c.due_on, C.c.opened_on, literal(as_of),
                   func.min(B.c.prereq_pk), literal("pending"))
            .select_from(B.join(C, C.c.instance_pk == B.c.instance_pk)
                         .join(UC, UC.c.unit_id == B.c.prereq_lead))
            .where(C.c.due_on < as_of)
            .group_by(C.c.instance_pk, B.c.prereq_lead, UC.c.channel, C.c.due_on,
                      C.c.opened_on))


def _name_causes(conn: Connection, as_of: date, blockers: Table, after_id: int) -> None:
    """Name a blocking prerequisite on each step alert this check recorded (ids past
    ``after_id``); alerts recorded before keep what they said when they were sent."""
    cause = (select(func.min(blockers.c.prereq_pk))
             .where(blockers.c.instance_pk == O.c.instance_pk).scalar_subquery())
    conn.execute(update(O).where(O.c.id > after_id, O.c.fired_on == as_of,
                                 O.c.cause_pk.is_(None), O.c.step != ROOT_CAUSE,
                                 O.c.instance_pk.in_(select(blockers.c.instance_pk)))
                 .values(cause_pk=cause))


def _shifted(day: date, days: int) -> date:
    """``day`` moved by ``days``, held within the dates there are (as of 31/12/9999, a
    reminder's horizon ends there)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def cancel_stale(conn: Connection, as_of: date) -> int:
    """Cancel alerts not yet handed to a channel whose task is done, extended or gone."""
    still_due = exists().where(S.c.instance_pk == O.c.instance_pk, current(S, as_of),
                               S.c.state == "open", S.c.due_on == O.c.due_on,
                               S.c.opened_on == O.c.opened_on)
    cause = S.alias("cause")
    still_blocking = exists().where(cause.c.instance_pk == O.c.cause_pk, current(cause, as_of),
                                    cause.c.state == "open", cause.c.due_on < as_of)
    stale = or_(~still_due, and_(O.c.step == ROOT_CAUSE, ~still_blocking))
    stmt = (update(O).where(waiting(digest_mark(conn)), stale)
            .values(status="cancelled"))
    return conn.execute(stmt).rowcount or 0


def check_order(engine: Engine, as_of: date) -> None:
    """Refuse a check dated before alerts already recorded: as of an earlier day, tasks
    overdue since would look on time and their pending alerts be withdrawn."""
    with engine.connect() as conn:  # checks run in date order: the newest alert is the latest
        latest = conn.execute(select(O.c.fired_on).order_by(O.c.id.desc()).limit(1)).scalar()
    if latest is not None and as_of < latest:
        raise InvalidAction(f"the outbox already holds alerts as of {latest}; run the deadline "
                            f"check as of {latest} or later")


def check_deadlines(engine: Engine, as_of: date) -> CheckResult:
    """Record every alert due as of ``as_of`` in the outbox; return what was recorded."""
    if as_of > (now := today()):
        raise InvalidAction(f"a deadline check cannot run ahead of today ({now}): alerts "
                            f"as of {as_of} would go out before they are due")
    by_step: dict[str, int] = defaultdict(int)
    check_order(engine, as_of)
    with engine.begin() as conn:  # first the occurrences whose day has come, in their own
        opened = open_occurrences(conn, as_of)  # transaction: the ladder then sees them
    with engine.begin() as conn:
        lock_outbox(conn)
        cancelled = cancel_stale(conn, as_of)
        groups: dict[tuple[str, int, str], list[str]] = defaultdict(list)
        for row in conn.execute(select(LAD.c.directive_id, LAD.c.step, LAD.c.days,
                                       LAD.c.recipient)):
            groups[(row.step, row.days, row.recipient)].append(row.directive_id)
        before = max([0, *(-days for _, days, _ in groups)])  # the earliest reminder
        candidates = _candidates(conn, as_of, _shifted(as_of, before))
        _hold_requests(conn, as_of, candidates)
        last_id = conn.execute(select(func.coalesce(func.max(O.c.id), 0))).scalar_one()
        for (step, days, recipient), directives in sorted(groups.items()):
            for query in _step_queries(step, days, recipient, directives, as_of, candidates):
                by_step[step] += _insert(conn, query)
        blockers = _blockers(conn, as_of, candidates)
        by_step[ROOT_CAUSE] += _insert(conn, _root_cause_query(as_of, candidates, blockers))
        if sum(by_step.values()):
            _name_causes(conn, as_of, blockers, last_id)
        blockers.drop(conn)
        candidates.drop(conn)
    counts = {k: v for k, v in by_step.items() if v}
    if sum(counts.values()) >= BULK_ROWS:
        refresh_statistics(engine, O.name)
    return CheckResult(as_of, sum(counts.values()), cancelled, counts, opened)
