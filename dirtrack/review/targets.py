"""The review's targets against actuals, and what units answered back (difficulties and
extension requests), read from the quarter's instances and the ledger.

Indicators are read for every instance in the quarter at once: the tasks that carry
them, their instances, and the latest values as of the review's date (one windowed
query, see ``dirtrack.store.values``); then each plan task's indicators are combined in
one pass (``dirtrack.indicators.roll_up``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, select
from sqlalchemy.sql import FromClause

from dirtrack.indicators import Figure, Indicator, Leaf, below_target, by_unit, instance_value
from dirtrack.indicators import roll_up as combine
from dirtrack.status import NOTE_KINDS
from dirtrack.store.tables import EventRow, InstanceRow, TaskRow, UnitRow
from dirtrack.store.values import latest_values, task_indicators

I, T, E, U = (InstanceRow.__table__, TaskRow.__table__,  # type: ignore[attr-defined]
              EventRow.__table__, UnitRow.__table__)  # type: ignore[attr-defined]
UNIT_LINES = 30  # more units than this are shown by the unit above them
NOTES_LIMIT = 200


@dataclass
class UnitFigure:
    """An indicator for one unit: its actual against its target."""

    unit: str
    name: str
    actual: float | None
    target: float | None
    met: bool | None

    def as_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "name": self.name, "actual": self.actual,
                "target": self.target, "met": self.met}


@dataclass
class IndicatorLine:
    """One indicator of one plan task over the quarter's instances."""

    task: str  # directive/task
    title: str
    directive: str
    indicator: str
    name: str
    measure: str  # the unit of measure ("mô hình")
    type: str
    combine: str
    actual: float | None
    target: float | None
    instances: int
    reporting: int
    meeting: int | None  # instances reaching their own target (``each``)
    parts: dict[str, float] = field(default_factory=dict)
    units: list[UnitFigure] = field(default_factory=list)
    units_meeting: int = 0
    units_with_target: int = 0
    done_below_target: int = 0  # instances reported done short of their target

    @property
    def rate(self) -> float | None:
        return Figure(self.actual, self.target).rate

    @property
    def units_meeting_share(self) -> float | None:
        if not self.units_with_target:
            return None
        return round(self.units_meeting / self.units_with_target, 4)

    def as_json(self) -> dict[str, Any]:
        return {"task": self.task, "title": self.title, "directive": self.directive,
                "indicator": self.indicator, "name": self.name, "unit": self.measure,
                "type": self.type, "combine": self.combine, "actual": self.actual,
                "target": self.target, "rate": self.rate, "instances": self.instances,
                "reporting": self.reporting, "meeting_target": self.meeting,
                "breakdown": self.parts, "units": [u.as_json() for u in self.units],
                "units_meeting_target": self.units_meeting,
                "units_with_target": self.units_with_target,
                "units_meeting_share": self.units_meeting_share,
                "done_below_target": self.done_below_target}


@dataclass
class Note:
    """A difficulty a unit recorded, or its extension request still waiting for an answer."""

    task: str
    title: str
    unit: str
    unit_name: str
    on: date
    text: str
    asked_due: date | None = None  # a request: the deadline asked for
    due_on: date | None = None  # a request: the deadline in force

    def as_json(self) -> dict[str, Any]:
        return {"task": self.task, "title": self.title, "unit": self.unit,
                "unit_name": self.unit_name, "date": self.on.isoformat(), "text": self.text,
                **({"asked_due": self.asked_due.isoformat(),
                    "due_on": self.due_on.isoformat() if self.due_on else None}
                   if self.asked_due else {})}


def indicator_lines(conn: Connection, quarter: FromClause, as_of: date,
                    names: dict[str, str]) -> dict[str | None, list[IndicatorLine]]:
    """Return the quarter's indicators per directive (None: all), in plan order.

    ``quarter`` has a row per instance: ``instance_pk``, ``task_pk``, ``lead_id``,
    ``due_on`` and ``category`` (None: not counted), as the review's quarter table."""
    Q = quarter
    tasks = {r.pk: r for r in conn.execute(
        select(T.c.pk, T.c.directive_id, T.c.task_id, T.c.title, T.c.indicators, T.c.position)
        .where(T.c.pk.in_(select(Q.c.task_pk).where(Q.c.category.is_not(None))),
               T.c.indicators != ""))}
    if not tasks:
        return {}
    rows = conn.execute(select(Q.c.instance_pk, Q.c.task_pk, Q.c.lead_id, Q.c.category)
                        .where(Q.c.task_pk.in_(list(tasks)), Q.c.category.is_not(None))).all()
    ours = select(Q.c.instance_pk.label("pk")).where(Q.c.task_pk.in_(list(tasks))).subquery()
    values = latest_values(conn, ours, as_of)
    parents = dict(conn.execute(select(U.c.id, U.c.parent_id)).tuples().all())
    by_task: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_task[row.task_pk].append(row)
    out: dict[str | None, list[IndicatorLine]] = defaultdict(list)
    for pk, task in sorted(tasks.items(), key=lambda kv: (kv[1].directive_id, kv[1].position)):
        for ind in task_indicators(task.indicators):
            line = _line(task, ind, by_task[pk], values, parents, names)
            out[task.directive_id].append(line)
            out[None].append(line)
    return out


def _line(task: Any, ind: Indicator, rows: list[Any], values: dict[int, Any],
          parents: dict[str, str | None], names: dict[str, str]) -> IndicatorLine:
    leaves = [Leaf(r.lead_id, parents.get(r.lead_id), dict(values.get(r.instance_pk, {})
                                                             .get(ind.id, {})),
                   r.category == "cancelled") for r in rows]
    whole = combine(ind, leaves)
    up = 1 if len({leaf.unit for leaf in leaves}) > UNIT_LINES else 0
    units = [UnitFigure(u, names.get(u, u), f.actual, f.target, f.met)
             for u, f in sorted(by_unit(ind, leaves, up=up, parents=parents).items(),
                                key=lambda kv: names.get(kv[0], kv[0]))]
    below = sum(1 for r, leaf in zip(rows, leaves, strict=True)
                if r.category in ("done_on_time", "done_late")
                and below_target(ind, instance_value(ind, leaf.parts), len(rows)))
    with_target = [u for u in units if u.met is not None]
    if ind.type == "integer":  # counted in whole numbers: shown and sent without ".0"
        whole = Figure(_whole(whole.actual), _whole(whole.target), whole.instances,
                       whole.reporting, whole.meeting,
                       {p: int(v) for p, v in whole.parts.items()})
        for u in units:
            u.actual, u.target = _whole(u.actual), _whole(u.target)
    return IndicatorLine(
        f"{task.directive_id}/{task.task_id}", task.title, task.directive_id, ind.id,
        ind.name, ind.unit, ind.type, ind.combine, whole.actual, whole.target,
        whole.instances, whole.reporting, whole.meeting, whole.parts, units,
        sum(1 for u in with_target if u.met), len(with_target), below)


def _whole(value: float | None) -> float | None:
    return None if value is None else int(round(value))


def notes(conn: Connection, quarter: FromClause, first: date, as_of: date,
          names: dict[str, str]) -> tuple[dict[str | None, list[Note]],
                                          dict[str | None, list[Note]]]:
    """Return the difficulties recorded in the quarter (up to ``as_of``), and the extension
    requests still waiting for an answer on ``as_of``, per directive (None: all)."""
    Q = quarter
    found = conn.execute(
        select(E.c.id, E.c.instance_pk, E.c.kind, E.c.effective_on, E.c.actor, E.c.note,
               E.c.new_due, I.c.key, I.c.directive_id, T.c.title, Q.c.due_on, Q.c.category)
        .select_from(E.join(Q, Q.c.instance_pk == E.c.instance_pk)
                     .join(I, I.c.pk == E.c.instance_pk).join(T, T.c.pk == I.c.task_pk))
        .where(E.c.kind.in_((*NOTE_KINDS, "extended")), E.c.effective_on <= as_of,
               and_(Q.c.category.is_not(None)))
        .order_by(E.c.effective_on, E.c.id)).all()
    difficulties: dict[str | None, list[Note]] = defaultdict(list)
    waiting: dict[int, Note | None] = {}
    for r in found:
        if r.kind == "difficulty" and r.effective_on >= first:
            note = Note(r.key, r.title, r.actor, names.get(r.actor, r.actor), r.effective_on,
                        r.note)
            for key in (r.directive_id, None):
                if len(difficulties[key]) < NOTES_LIMIT:
                    difficulties[key].append(note)
        elif r.kind == "requested":
            waiting[r.instance_pk] = Note(r.key, r.title, r.actor, names.get(r.actor, r.actor),
                                          r.effective_on, r.note, r.new_due, r.due_on)
        else:  # granted or refused: answered
            waiting[r.instance_pk] = None
    pending: dict[str | None, list[Note]] = defaultdict(list)
    directive_of = {r.key: r.directive_id for r in found}
    still_open = {r.key for r in found if r.category in ("open_on_time", "open_overdue")}
    for request in waiting.values():
        if request is not None and request.task in still_open:
            pending[directive_of[request.task]].append(request)
            pending[None].append(request)
    return difficulties, pending


@dataclass
class Answer:
    """An extension request a unit made in the quarter and that was answered by the
    review's date: granted (an extension), refused with a reason, or withdrawn by the unit
    before an answer. ``by`` is who answered: an officer's unit (the issuing body), the
    steering committee's secretariat, or the unit itself for a withdrawal."""

    request: Note
    outcome: str  # granted | refused | withdrawn
    on: date
    by: str
    by_name: str  # "" for the secretariat: the document names the steering committee
    text: str = ""  # the refusal's reason, the withdrawal's note
    decision: str = ""
    new_due: date | None = None

    def as_json(self) -> dict[str, Any]:
        return {**self.request.as_json(), "outcome": self.outcome,
                "answered_on": self.on.isoformat(), "answered_by": self.by,
                "answered_by_name": self.by_name, "answer": self.text,
                "decision": self.decision,
                "new_due": self.new_due.isoformat() if self.new_due else None}


OUTCOMES = {"extended": "granted", "refused": "refused", "withdrawn": "withdrawn"}


def answered(conn: Connection, quarter: FromClause, first: date, as_of: date,
             names: dict[str, str]) -> dict[str | None, list[Answer]]:
    """Return the extension requests made in the quarter and answered or withdrawn by
    ``as_of``, per directive (None: all), in the order they were answered. An extension
    decided while no request waits is not an answer (the review lists it with the
    extensions)."""
    from dirtrack.store.ledger import SECRETARIAT

    Q = quarter
    found = conn.execute(
        select(E.c.instance_pk, E.c.kind, E.c.effective_on, E.c.actor, E.c.note,
               E.c.new_due, E.c.decision, I.c.key, I.c.directive_id, T.c.title)
        .select_from(E.join(Q, Q.c.instance_pk == E.c.instance_pk)
                     .join(I, I.c.pk == E.c.instance_pk).join(T, T.c.pk == I.c.task_pk))
        .where(E.c.kind.in_(("requested", *OUTCOMES)), E.c.effective_on <= as_of,
               Q.c.category.is_not(None))
        .order_by(E.c.effective_on, E.c.id)).all()
    waiting: dict[int, Note] = {}
    out: dict[str | None, list[Answer]] = defaultdict(list)
    for r in found:
        if r.kind == "requested":
            if r.effective_on >= first:
                waiting[r.instance_pk] = Note(
                    r.key, r.title, r.actor, names.get(r.actor, r.actor), r.effective_on,
                    r.note, r.new_due)
            else:
                waiting.pop(r.instance_pk, None)
            continue
        request = waiting.pop(r.instance_pk, None)
        if request is None:
            continue
        by_name = "" if r.actor == SECRETARIAT else names.get(r.actor, "")
        answer = Answer(request, OUTCOMES[r.kind], r.effective_on, r.actor, by_name,
                        r.note if r.kind != "extended" else "", r.decision or "",
                        r.new_due if r.kind == "extended" else None)
        for key in (r.directive_id, None):
            if len(out[key]) < NOTES_LIMIT:
                out[key].append(answer)
    return out
