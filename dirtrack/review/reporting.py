"""Reporting rates of repeating tasks, as DHIS2 gives them: reports expected, received,
received on time, per plan task, per level and per unit.

A report is expected when an occurrence of a repeating task falls due within the
quarter, on or before the review's date, and is not cancelled; it is received when
it is done by then, on time when done by its deadline. The reporting rate is received
over expected, the on-time reporting rate received on time over expected.

>>> Rate("c1", "Xã Một", expected=3, received=2, on_time=1).as_json()["rate"]
0.6667
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, func, select

from dirtrack.store.tables import TaskRow, UnitRow

T, U = TaskRow.__table__, UnitRow.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
class Rate:
    """Reports expected, received and received on time for one task, level or unit."""

    key: str
    name: str
    expected: int = 0
    received: int = 0
    on_time: int = 0
    repeat: str = ""  # a plan task's: monthly, quarterly ...

    @property
    def rate(self) -> float | None:
        return round(self.received / self.expected, 4) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.expected, 4) if self.expected else None

    def add(self, category: str, count: int) -> None:
        self.expected += count
        if category in ("done_on_time", "done_late"):
            self.received += count
        if category == "done_on_time":
            self.on_time += count

    def as_json(self) -> dict[str, Any]:
        out = {"key": self.key, "name": self.name, "expected": self.expected,
               "received": self.received, "on_time": self.on_time, "rate": self.rate,
               "on_time_rate": self.on_time_rate}
        return {**out, "repeat": self.repeat} if self.repeat else out


@dataclass
class Reporting:
    """A section's reporting rates: in total, per plan task, per level, per unit (the
    units worst first)."""

    total: Rate = field(default_factory=lambda: Rate("", ""))
    by_task: list[Rate] = field(default_factory=list)
    by_level: list[Rate] = field(default_factory=list)
    by_unit: list[Rate] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"total": self.total.as_json(), "by_task": [r.as_json() for r in self.by_task],
                "by_level": [r.as_json() for r in self.by_level],
                "by_unit": [r.as_json() for r in self.by_unit]}


LEVEL_ORDER = ("central", "province", "district", "commune")


def reporting_rates(conn: Connection, table: Table, first: date, last: date, as_of: date,
                    names: dict[str, str]) -> dict[str | None, Reporting]:
    """Return the reporting rates of the quarter's table (see ``scope``) per directive,
    and for all of them under None; directives with no report due are left out."""
    Q = table
    rows = conn.execute(
        select(T.c.directive_id, T.c.task_id, T.c.title, T.c.repeat, Q.c.lead_id, U.c.level,
               Q.c.category, func.count())
        .select_from(Q.join(T, T.c.pk == Q.c.task_pk).outerjoin(U, U.c.id == Q.c.lead_id))
        .where(T.c.repeat.is_not(None), Q.c.category.is_not(None),
               Q.c.category != "cancelled", Q.c.due_on >= first,
               Q.c.due_on <= min(last, as_of))
        .group_by(T.c.directive_id, T.c.task_id, T.c.title, T.c.repeat, Q.c.lead_id,
                  U.c.level, Q.c.category)).all()
    found: dict[str | None, tuple[Rate, dict[str, Rate], dict[str, Rate], dict[str, Rate]]] = {}
    for directive, task, title, repeat, lead, level, category, count in rows:
        for key in (None, directive):
            total, tasks, levels, units = found.setdefault(key, (Rate("", ""), {}, {}, {}))
            total.add(category, count)
            tasks.setdefault(f"{directive}/{task}", Rate(f"{directive}/{task}", title,
                                                          repeat=repeat)).add(category, count)
            levels.setdefault(level or "", Rate(level or "", level or "")).add(category, count)
            units.setdefault(lead, Rate(lead, names.get(lead, lead))).add(category, count)
    return {key: Reporting(
        total, sorted(tasks.values(), key=lambda r: r.key),
        sorted(levels.values(), key=lambda r: (
            LEVEL_ORDER.index(r.key) if r.key in LEVEL_ORDER else 9, r.key)),
        sorted(units.values(), key=lambda r: (r.rate or 0.0, r.on_time_rate or 0.0,
                                              -r.expected, r.name, r.key)))
        for key, (total, tasks, levels, units) in found.items()}
