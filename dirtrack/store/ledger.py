"""Record events in the append-only ledger, after checking who may do what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from dirtrack.errors import Conflict, InvalidAction, NotAllowed, NotFound
from dirtrack.status import Event, Span, apply
from dirtrack.store.tables import EventRow, InstanceRow, StateRow, UnitRow

I, E, S, U = (InstanceRow.__table__, EventRow.__table__,  # type: ignore[attr-defined]
              StateRow.__table__, UnitRow.__table__)  # type: ignore[attr-defined]
SECRETARIAT = "secretariat"


@dataclass(frozen=True)
class Recorded:
    """The event that was recorded, as the user sees it confirmed."""

    event_id: int
    task: str
    kind: str
    effective_on: date
    version: int  # how many events the task has now; a client sends it back to write again


def record_event(
    engine: Engine, key: str, kind: str, *, on: date, actor: str = SECRETARIAT,
    unit: str | None = None, note: str = "", percent: int | None = None, evidence: str = "",
    new_due: date | None = None, decision: str = "", recorded_by: str = "",
    expected_version: int | None = None,
) -> Recorded:
    """Append one event for task ``key`` after checking it; raise a DirtrackError if refused.

    ``unit`` is the acting unit for progress and done: only the lead unit may act.
    ``expected_version`` is the number of events the writer saw; if the task has
    changed since, the write is refused with Conflict and nothing is recorded.
    """
    with engine.begin() as conn:
        # The UPDATE takes the row lock on PostgreSQL and the write lock on SQLite
        # before anything is read, so concurrent writers cannot both pass the checks.
        row = conn.execute(update(I).where(I.c.key == key).values(pk=I.c.pk)
                           .returning(I.c.pk, I.c.created_on)).first()
        if row is None:
            raise NotFound(f"no task '{key}'; list task ids with 'dirtrack tasks'")
        pk, created_on = row
        # One round trip: the current state, and how many events there are and the last date.
        mine = E.c.instance_pk == pk
        state = conn.execute(select(
            S, select(func.count(E.c.id)).where(mine).scalar_subquery().label("version"),
            select(func.max(E.c.effective_on)).where(mine).scalar_subquery().label("last"),
        ).where(S.c.instance_pk == pk, S.c.valid_to.is_(None))).one()
        version, last = state.version, state.last
        if expected_version is not None and expected_version != version:
            raise Conflict(f"{key} has changed since you looked at it ({version} event(s), "
                           f"you saw {expected_version}); reload it and try again")
        if on < created_on:
            raise InvalidAction(f"{key} exists from {created_on}; an event cannot be dated {on}")
        if last is not None and on < last:
            raise InvalidAction(f"the last event of {key} is dated {last}; record events in "
                                f"date order (use --on {last} or later)")
        _check(conn, key, kind, state, on=on, unit=unit, percent=percent, new_due=new_due,
               decision=decision, note=note)
        event_id = conn.execute(insert(E).values(
            instance_pk=pk, kind=kind, effective_on=on, recorded_at=datetime.now(UTC),
            actor=unit or actor, percent=percent, note=note, evidence=evidence,
            new_due=new_due, new_lead=None, decision=decision, recorded_by=recorded_by,
        ).returning(E.c.id)).scalar_one()
        _append_span(conn, pk, state, Event(kind, on, percent, new_due, None))
    return Recorded(int(event_id), key, kind, on, version + 1)


def _append_span(conn: Connection, pk: int, row: Any, event: Event) -> None:
    """Apply an event dated on or after the current span: extend the span list by one.

    Events are kept in date order, so only the current span changes; this is what
    ``rebuild_spans`` would compute, in two statements instead of a full rebuild.
    """
    span = Span(row.valid_from, None, row.state, row.due_on, row.lead_id, row.completed_on,
                row.verified, row.percent, row.opened_on)
    nxt = apply(span, event)
    values = {"state": nxt.state, "due_on": nxt.due_on, "lead_id": nxt.lead_id,
              "completed_on": nxt.completed_on, "verified": nxt.verified,
              "percent": nxt.percent, "opened_on": nxt.opened_on}
    current = (S.c.instance_pk == pk) & (S.c.valid_from == span.valid_from)
    if nxt.valid_from <= span.valid_from:
        conn.execute(update(S).where(current).values(**values))
    else:
        conn.execute(update(S).where(current).values(valid_to=nxt.valid_from))
        conn.execute(insert(S).values(instance_pk=pk, valid_from=nxt.valid_from,
                                      valid_to=None, **values))


def _unit(conn: Connection, unit_id: str) -> Any:
    return conn.execute(select(U.c.id, U.c.ended_on, U.c.successor_id)
                        .where(U.c.id == unit_id)).first()


def _effective_lead(conn: Connection, lead: str, on: date) -> str:
    """Return who leads on ``on``: the recorded lead, or its successor once it has ended."""
    seen = {lead}
    row = _unit(conn, lead)
    while row is not None and row.ended_on is not None and row.ended_on <= on \
            and row.successor_id and row.successor_id not in seen:
        lead = row.successor_id
        seen.add(lead)
        row = _unit(conn, lead)
    return lead


def _check(conn: Connection, key: str, kind: str, state, *, on: date,  # type: ignore[no-untyped-def]
           unit: str | None,
           percent: int | None, new_due: date | None, decision: str, note: str) -> None:
    if kind in ("progress", "done"):
        if unit is None:
            raise NotAllowed(f"say which unit reports on {key} (--unit); only its lead unit can")
        units = {r.id: r for r in conn.execute(
            select(U.c.id, U.c.ended_on, U.c.successor_id)
            .where(U.c.id.in_({unit, state.lead_id})))}
        acting = units.get(unit)
        if acting is None:
            raise NotFound(f"no unit '{unit}'; check the id in the jurisdiction's units.yaml")
        if acting.ended_on is not None and acting.ended_on <= on:
            raise NotAllowed(f"unit '{unit}' ended on {acting.ended_on} (merged into "
                             f"{acting.successor_id}); {acting.successor_id} reports on its "
                             "tasks")
        lead_row = units.get(state.lead_id)
        lead = state.lead_id if lead_row is None or lead_row.ended_on is None \
            or lead_row.ended_on > on else _effective_lead(conn, state.lead_id, on)
        if unit != lead:
            raise NotAllowed(f"unit '{unit}' is not the lead of {key} (lead: {lead}); "
                             "only the lead unit can report progress or done")
    if state.state == "cancelled" and kind != "restored":
        raise InvalidAction(f"{key} is cancelled; nothing can be recorded on it")
    if kind == "progress":
        if state.state == "done":
            raise InvalidAction(f"{key} is already reported done on {state.completed_on}")
        if percent is None or not 0 <= percent <= 100:
            raise InvalidAction("progress is a percentage from 0 to 100")
    elif kind == "done" and state.state == "done":
        raise InvalidAction(f"{key} is already reported done on {state.completed_on}; "
                            "nothing recorded")
    elif kind in ("verified", "returned"):
        if state.state != "done":
            raise InvalidAction(f"{key} is not reported done; only a completion can be "
                                "verified or returned")
        if state.verified:
            raise InvalidAction(f"{key} is already verified")
        if kind == "returned" and not note.strip():
            raise InvalidAction("say why the completion is returned (--reason)")
    elif kind == "extended":
        if state.state == "done":
            raise InvalidAction(f"{key} is already done; only open tasks can be extended")
        if new_due is None or new_due <= state.due_on:
            raise InvalidAction(f"the new deadline must be later than the current one "
                                f"({state.due_on})")
        if not decision.strip():
            raise InvalidAction("a deadline extension needs the decision's reference (--decision)")
    elif kind == "cancelled" and not decision.strip():
        raise InvalidAction("a cancellation needs the decision's reference (--decision)")
