"""Indicator values in the database: write them with their event, read the latest as of a date.

A value counts from its event's date until a later event of the same instance reports
the same indicator (and part) again; the latest one as of a date is found for every
instance at once with a window over the values, never one query per instance.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.sql import FromClause

from dirtrack.errors import InvalidAction
from dirtrack.indicators import Indicator, below_target, instance_value, parse_values
from dirtrack.store.tables import IndicatorValueRow

V = IndicatorValueRow.__table__  # type: ignore[attr-defined]
Parts = dict[str, dict[str, float]]  # indicator -> part ("" when whole) -> value


def task_indicators(text: str) -> list[Indicator]:
    """Return the indicators stored with a task (``task.indicators``)."""
    return [Indicator.from_json(d) for d in json.loads(text)] if text else []


def check_values(key: str, kind: str, indicators: list[Indicator],
                 texts: Sequence[str]) -> dict[tuple[str, str], float]:
    """Return the values a unit reports with ``kind``, parsed; raise InvalidAction if wrong."""
    if texts and kind not in ("progress", "done"):
        raise InvalidAction("values are reported with progress or done")
    if texts and not indicators:
        raise InvalidAction(f"{key} has no indicators; report it without values")
    try:
        return parse_values(texts, indicators)
    except ValueError as exc:
        raise InvalidAction(f"{exc}; nothing recorded") from None


def check_done(conn: Connection, key: str, pk: int, indicators: list[Indicator],
               values: dict[tuple[str, str], float]) -> None:
    """Refuse a completion below an indicator's target where its directive says so."""
    latest = latest_parts(conn, pk)
    for (name, part), value in values.items():
        latest.setdefault(name, {})[part] = value
    for ind in indicators:
        if ind.below_target != "refuse":
            continue
        reached = instance_value(ind, latest.get(ind.id, {}))
        if below_target(ind, reached):
            target = ind.each if ind.each is not None else ind.target or 0
            got = "none reported" if reached is None else f"{reached:g}"
            raise InvalidAction(
                f"{key} cannot be done below its target: {ind.id} is {got} of {target:g}; "
                f"report the value reached (--value {ind.id}=N) or keep it open")


def latest_parts(conn: Connection, pk: int) -> Parts:
    """Return one instance's latest value of every indicator and part."""
    out: Parts = defaultdict(dict)
    for row in conn.execute(select(V.c.indicator, V.c.part, V.c.value)
                            .where(V.c.instance_pk == pk)
                            .order_by(V.c.effective_on, V.c.event_id)):
        out[row.indicator][row.part] = row.value
    return out


def write_values(conn: Connection, event_id: int, pk: int, on: date,
                 values: dict[tuple[str, str], float]) -> None:
    if values:
        conn.execute(insert(V), [{"event_id": event_id, "instance_pk": pk, "effective_on": on,
                                  "indicator": name, "part": part, "value": value}
                                 for (name, part), value in values.items()])


def latest_values(conn: Connection, instances: FromClause, as_of: date
                  ) -> dict[int, Parts]:
    """Return the latest values as of ``as_of`` of the instances in ``instances``
    (a table or subquery with a ``pk`` column), per instance, indicator and part."""
    ranked = (select(V.c.instance_pk, V.c.indicator, V.c.part, V.c.value,
                     func.row_number().over(
                         partition_by=(V.c.instance_pk, V.c.indicator, V.c.part),
                         order_by=(V.c.effective_on.desc(), V.c.event_id.desc())).label("n"))
              .where(V.c.instance_pk.in_(select(instances.c.pk)), V.c.effective_on <= as_of)
              .subquery())
    out: dict[int, Parts] = defaultdict(lambda: defaultdict(dict))
    for row in conn.execute(select(ranked.c.instance_pk, ranked.c.indicator, ranked.c.part,
                                   ranked.c.value).where(ranked.c.n == 1)):
        out[row.instance_pk][row.indicator][row.part] = row.value
    return out
