"""Record events in the append-only ledger, after checking who may do what, and when."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update

from dirtrack.config import now, today
from dirtrack.errors import Conflict, InvalidAction, NotAllowed, NotFound
from dirtrack.status import NOTE_KINDS, Event, Span, apply
from dirtrack.store.tables import EventRow, InstanceRow, StateRow, TaskRow, UnitRow
from dirtrack.store.values import check_done, check_values, task_indicators, write_values

I, E, S, T, U = (InstanceRow.__table__, EventRow.__table__,  # type: ignore[attr-defined]
                 StateRow.__table__, TaskRow.__table__,  # type: ignore[attr-defined]
                 UnitRow.__table__)  # type: ignore[attr-defined]
SECRETARIAT = "secretariat"
UNIT_KINDS = ("progress", "done", "requested", "withdrawn", "difficulty")  # the lead unit's
# A request is waiting for an answer while it is the latest of these: an extension
# (granted), a refusal, or the unit's withdrawal ends the wait.
REQUEST_KINDS = ("requested", "extended", "refused", "withdrawn")

Authorise = Callable[[str, list[str]], None]
"""Called with a task's lead unit and coordinating units; raises a DirtrackError to refuse."""

# The statements of a write are built once: a write runs four or five of them, and
# building and compiling each anew cost more than running it.

# Taken before anything is read, so that concurrent writers of one task cannot both
# pass the checks, and each statement after it reads what the previous writer
# committed. PostgreSQL locks the task's row; SQLite has only a database-wide write
# lock, which its first write takes: there the lock is an UPDATE that changes nothing.
_LOCK_ROW = (select(I.c.pk, I.c.created_on).where(I.c.key == bindparam("task_key"))
             .with_for_update())
_LOCK_DATABASE = (update(I).where(I.c.key == bindparam("task_key")).values(pk=I.c.pk)
                  .returning(I.c.pk, I.c.created_on))

# What the checks need, in one round trip: the current span, how many events there
# are and the last one's date, the coordinating units, and the lead and acting units.
_mine = E.c.instance_pk == bindparam("pk")
_lead, _acting = U.alias("lead_unit"), U.alias("acting_unit")
_FACTS = (
    select(S, T.c.support, T.c.indicators,
           select(func.count(E.c.id)).where(_mine).scalar_subquery().label("version"),
           select(func.max(E.c.effective_on)).where(_mine).scalar_subquery().label("last"),
           _lead.c.ended_on.label("lead_ended_on"), _acting.c.id.label("acting_id"),
           _acting.c.ended_on.label("acting_ended_on"),
           _acting.c.successor_id.label("acting_successor_id"))
    .select_from(S.join(I, I.c.pk == S.c.instance_pk).join(T, T.c.pk == I.c.task_pk)
                 .outerjoin(_lead, _lead.c.id == S.c.lead_id)
                 .outerjoin(_acting, _acting.c.id == bindparam("unit")))
    .where(S.c.instance_pk == bindparam("pk"), S.c.valid_to.is_(None)))
_INSERT_EVENT = insert(E).returning(E.c.id)
_UPDATE_SPAN = update(S).where(S.c.instance_pk == bindparam("span_pk"),
                               S.c.valid_from == bindparam("span_from"))
_INSERT_SPAN = insert(S)
_UNIT = select(U.c.ended_on, U.c.successor_id).where(U.c.id == bindparam("unit"))
# The last request or answer: a request is pending while it is the latest of them
_LAST_REQUEST = (select(E.c.kind, E.c.effective_on, E.c.new_due, E.c.actor)
                 .where(E.c.instance_pk == bindparam("pk"), E.c.kind.in_(REQUEST_KINDS))
                 .order_by(E.c.effective_on.desc(), E.c.id.desc()).limit(1))
_LAST_PROGRESS = (select(E.c.percent).where(E.c.instance_pk == bindparam("pk"),
                                            E.c.kind == "progress")
                  .order_by(E.c.effective_on.desc(), E.c.id.desc()).limit(1))


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
    expected_version: int | None = None, authorise: Authorise | None = None,
    values: Sequence[str] = (), grants: bool = False,
) -> Recorded:
    """Append one event for task ``key`` after checking it; raise a DirtrackError if refused.

    ``unit`` is the acting unit for progress and done: only the lead unit may act.
    ``expected_version`` is the number of events the writer saw; if the task has
    changed since, the write is refused with Conflict and nothing is recorded.
    ``authorise``, when given, is called with the task's lead unit and coordinating
    units before any other check, and refuses by raising (the web app's roles).
    ``values`` are indicator values written ``name=N`` or ``name.part=N``, reported with
    progress or done and kept with the event. ``grants`` marks an extension as the
    answer to the unit's waiting request: refused (409) once the unit has withdrawn it.
    """
    with engine.begin() as conn:
        lock = _LOCK_DATABASE if conn.dialect.name == "sqlite" else _LOCK_ROW
        row = conn.execute(lock, {"task_key": key}).first()
        if row is None:
            raise NotFound(f"no task '{key}'; list task ids with 'dirtrack tasks'")
        pk, created_on = row
        facts = conn.execute(_FACTS, {"pk": pk, "unit": unit}).one()
        if authorise is not None:  # with the lead of the day, a merged unit's successor
            authorise(lead_on(conn, facts.lead_id, facts.lead_ended_on, on),
                      [s for s in facts.support.split(",") if s])
        version, last = facts.version, facts.last
        if expected_version is not None and expected_version != version:
            raise Conflict(f"{key} has changed since you looked at it ({version} event(s), "
                           f"you saw {expected_version}); reload it and try again")
        if on > (day := today()):
            raise InvalidAction(f"{on} is after today ({day}); an event cannot be dated in "
                                "the future")
        if on < created_on:
            raise InvalidAction(f"{key} exists from {created_on}; an event cannot be dated {on}")
        if last is not None and on < last:
            raise InvalidAction(f"the last event of {key} is dated {last}; record events in "
                                f"date order (date it {last} or later)")
        _check(conn, key, kind, facts, on=on, unit=unit, percent=percent, new_due=new_due,
               decision=decision, note=note)
        indicators = task_indicators(facts.indicators)
        parsed = check_values(key, kind, indicators, values)
        if kind in ("requested", "refused", "withdrawn") or grants:
            _check_request(conn, key, kind, pk)
        if kind == "done":
            check_done(conn, key, pk, indicators, parsed)
        if kind == "returned":  # the task goes back to the progress last reported
            percent = conn.execute(_LAST_PROGRESS, {"pk": pk}).scalar() or 0
        event_id = conn.execute(_INSERT_EVENT, {
            "instance_pk": pk, "kind": kind, "effective_on": on,
            "recorded_at": now(), "actor": unit or actor, "percent": percent,
            "note": note, "evidence": evidence, "new_due": new_due, "new_lead": None,
            "decision": decision, "recorded_by": recorded_by}).scalar_one()
        write_values(conn, event_id, pk, on, parsed)
        if kind not in NOTE_KINDS:
            _append_span(conn, pk, facts, Event(kind, on, percent, new_due, None))
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
    current = {"span_pk": pk, "span_from": span.valid_from}
    if nxt.valid_from <= span.valid_from:
        conn.execute(_UPDATE_SPAN, {**current, **values})
    else:
        conn.execute(_UPDATE_SPAN, {**current, "valid_to": nxt.valid_from})
        conn.execute(_INSERT_SPAN, {"instance_pk": pk, "valid_from": nxt.valid_from,
                                    "valid_to": None, **values})


def lead_on(conn: Connection, lead: str, lead_ended_on: date | None, on: date) -> str:
    """Return who leads on ``on``: ``lead``, or, once it has ended, its successor."""
    if lead_ended_on is None or lead_ended_on > on:
        return lead  # no query for the usual case
    return _effective_lead(conn, lead, on)


def _effective_lead(conn: Connection, lead: str, on: date) -> str:
    """Return who leads on ``on``: the recorded lead, or its successor once it has ended."""
    seen = {lead}
    row = conn.execute(_UNIT, {"unit": lead}).first()
    while row is not None and row.ended_on is not None and row.ended_on <= on \
            and row.successor_id and row.successor_id not in seen:
        lead = row.successor_id
        seen.add(lead)
        row = conn.execute(_UNIT, {"unit": lead}).first()
    return lead


def _check(conn: Connection, key: str, kind: str, state, *, on: date,  # type: ignore[no-untyped-def]
           unit: str | None,
           percent: int | None, new_due: date | None, decision: str, note: str) -> None:
    if kind in UNIT_KINDS:
        if unit is None:
            raise NotAllowed(f"say which unit reports on {key} (--unit); only its lead unit can")
        if state.acting_id is None:
            raise NotFound(f"no unit '{unit}'; check the id in the jurisdiction's units.yaml")
        if state.acting_ended_on is not None and state.acting_ended_on <= on:
            successor = state.acting_successor_id
            raise NotAllowed(f"unit '{unit}' ended on {state.acting_ended_on} (its work passed to "
                             f"{successor}); {successor} reports on its tasks")
        lead = lead_on(conn, state.lead_id, state.lead_ended_on, on)
        if unit != lead:
            what = ("report progress or done" if kind in ("progress", "done")
                    else "ask for an extension or record a difficulty")
            raise NotAllowed(f"unit '{unit}' is not the lead of {key} (lead: {lead}); "
                             f"only the lead unit can {what}")
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
            raise InvalidAction("say why the completion is returned")
    elif kind == "extended":
        if state.state == "done":
            raise InvalidAction(f"{key} is already done; only open tasks can be extended")
        if new_due is None or new_due <= state.due_on:
            raise InvalidAction(f"the new deadline must be later than the current one "
                                f"({state.due_on})")
        if not decision.strip():
            raise InvalidAction("a deadline extension needs the reference of the decision "
                                "that grants it")
    elif kind in ("requested", "difficulty"):
        if state.state == "done":
            raise InvalidAction(f"{key} is already reported done on {state.completed_on}; "
                                "nothing recorded")
        if not note.strip():
            raise InvalidAction("say why more time is needed (the reason)"
                                if kind == "requested" else "describe the difficulty")
        if kind == "requested" and (new_due is None or new_due <= state.due_on):
            raise InvalidAction(f"ask for a deadline later than the current one "
                                f"({state.due_on})")
    elif kind == "refused":
        if not note.strip():
            raise InvalidAction("say why the extension is refused (the reason)")
    elif kind == "withdrawn" and state.state == "done":
        raise InvalidAction(f"{key} is already reported done on {state.completed_on}; "
                            "nothing recorded")
    elif kind == "cancelled":
        if state.state == "done":
            raise InvalidAction(f"{key} is already reported done on {state.completed_on}; "
                                "a completed task is not cancelled (return the completion "
                                "first if it does not stand)")
        if not decision.strip():
            raise InvalidAction("a cancellation needs the reference of the decision that "
                                "orders it")


def _check_request(conn: Connection, key: str, kind: str, pk: int) -> None:
    """A unit asks once at a time and may withdraw its request until it is answered; a
    grant or a refusal answers a request that is waiting, not one withdrawn."""
    last = conn.execute(_LAST_REQUEST, {"pk": pk}).first()
    pending = last is not None and last.kind == "requested"
    if kind == "requested":
        if last is not None and pending:
            raise InvalidAction(f"{key} already has an extension request of "
                                f"{last.effective_on} (to {last.new_due}) waiting for an "
                                "answer; wait for it")
        return
    if pending:
        return
    what = {"refused": "refuse", "withdrawn": "withdraw"}.get(kind, "grant")
    if last is not None and last.kind == "withdrawn":
        raise Conflict(f"the extension request on {key} was withdrawn by {last.actor} on "
                       f"{last.effective_on}; nothing to {what}")
    if last is not None and kind == "withdrawn":
        answer = "granted" if last.kind == "extended" else "refused"
        raise Conflict(f"the extension request on {key} was {answer} on "
                       f"{last.effective_on}; nothing to withdraw")
    raise InvalidAction(f"{key} has no extension request waiting for an answer; "
                        f"nothing to {what}")
