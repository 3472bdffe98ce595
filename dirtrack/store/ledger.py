"""Record events in the append-only ledger, after checking who may do what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, Engine, func, insert, select, update

from dirtrack.errors import InvalidAction, NotAllowed, NotFound
from dirtrack.store.spans import rebuild_spans
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


def _lock_instance(conn: Connection, key: str) -> int:
    # An UPDATE takes the row lock on PostgreSQL and the write lock on SQLite before
    # anything is read, so two concurrent writers cannot both pass the checks below.
    pk = conn.execute(select(I.c.pk).where(I.c.key == key)).scalar()
    if pk is None:
        raise NotFound(f"no task '{key}'; list task ids with 'dirtrack tasks'")
    conn.execute(update(I).where(I.c.pk == pk).values(pk=pk))
    return pk


def record_event(
    engine: Engine, key: str, kind: str, *, on: date, actor: str = SECRETARIAT,
    unit: str | None = None, note: str = "", percent: int | None = None, evidence: str = "",
    new_due: date | None = None, decision: str = "",
) -> Recorded:
    """Append one event for task ``key`` after checking it; raise a DirtrackError if refused.

    ``unit`` is the acting unit for progress and done: only the lead unit may act.
    """
    with engine.begin() as conn:
        pk = _lock_instance(conn, key)
        created_on = conn.execute(select(I.c.created_on).where(I.c.pk == pk)).scalar_one()
        if on < created_on:
            raise InvalidAction(f"{key} exists from {created_on}; an event cannot be dated {on}")
        last = conn.execute(select(func.max(E.c.effective_on))
                            .where(E.c.instance_pk == pk)).scalar()
        if last is not None and on < last:
            raise InvalidAction(f"the last event of {key} is dated {last}; record events in "
                                f"date order (use --on {last} or later)")
        state = conn.execute(select(S).where(S.c.instance_pk == pk)
                             .order_by(S.c.valid_from.desc()).limit(1)).one()
        _check(conn, key, kind, state, on=on, unit=unit, percent=percent, new_due=new_due,
               decision=decision, note=note)
        event_id = conn.execute(insert(E).values(
            instance_pk=pk, kind=kind, effective_on=on, recorded_at=datetime.now(UTC),
            actor=unit or actor, percent=percent, note=note, evidence=evidence,
            new_due=new_due, new_lead=None, decision=decision,
        )).inserted_primary_key
        assert event_id is not None
        rebuild_spans(conn, [pk])
    return Recorded(int(event_id[0]), key, kind, on)


def _effective_lead(units: dict, lead: str, on: date) -> str:  # type: ignore[type-arg]
    """Return who leads on ``on``: the recorded lead, or its successor once it has ended."""
    seen = {lead}
    while lead in units and units[lead].ended_on is not None and units[lead].ended_on <= on \
            and units[lead].successor_id and units[lead].successor_id not in seen:
        lead = units[lead].successor_id
        seen.add(lead)
    return lead


def _check(conn: Connection, key: str, kind: str, state, *, on: date,  # type: ignore[no-untyped-def]
           unit: str | None,
           percent: int | None, new_due: date | None, decision: str, note: str) -> None:
    if kind in ("progress", "done"):
        if unit is None:
            raise NotAllowed(f"say which unit reports on {key} (--unit); only its lead unit can")
        units = {r.id: r for r in conn.execute(select(U.c.id, U.c.ended_on, U.c.successor_id))}
        if unit not in units:
            raise NotFound(f"no unit '{unit}'; check the id in the jurisdiction's units.yaml")
        ended = units[unit]
        if ended.ended_on is not None and ended.ended_on <= on:
            raise NotAllowed(f"unit '{unit}' ended on {ended.ended_on} (merged into "
                             f"{ended.successor_id}); {ended.successor_id} reports on its tasks")
        lead = _effective_lead(units, state.lead_id, on)
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
