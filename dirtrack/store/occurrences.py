"""Occurrences of repeating tasks: written ahead by the load, opened as their day comes.

A load writes every occurrence of a repeating task that is not yet open into
``occurrence`` (and each dependency touching one into ``occurrence_dependency``, by
keys). :func:`open_occurrences`, run by the load and by the daily deadline check,
moves those whose day has come into ``task_instance``, ``instance_state``,
``instance_plan`` and ``dependency``: one ``INSERT ... SELECT ... ON CONFLICT DO
NOTHING`` per table, so an occurrence is created once however often, or however
concurrently, the check runs.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, delete, exists, false, literal, null, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from dirtrack.store.bulk import bulk_insert, bulk_insert_columns
from dirtrack.store.tables import (
    DependencyRow,
    InstanceRow,
    OccurrenceDependencyRow,
    OccurrenceRow,
    PlanRow,
    StateRow,
)

if TYPE_CHECKING:  # the deadline check opens occurrences without the plan's graph (networkx)
    from dirtrack.graph import Expansion, Instance

I, S, PL = InstanceRow.__table__, StateRow.__table__, PlanRow.__table__  # type: ignore[attr-defined]
DEP = DependencyRow.__table__  # type: ignore[attr-defined]
OC, OD = OccurrenceRow.__table__, OccurrenceDependencyRow.__table__  # type: ignore[attr-defined]


def waiting_columns(directive_id: str, instances: list[Instance], task_pks: dict[str, int]
                    ) -> dict[str, list[Any]]:
    """Return ``occurrence`` rows for occurrences not yet open, column by column."""
    return {"key": [i.key for i in instances],
            "directive_id": [directive_id] * len(instances),
            "task_pk": [task_pks[i.task.id] for i in instances],
            "unit_id": [i.unit for i in instances], "lead_id": [i.lead for i in instances],
            "due_on": [i.due_on for i in instances],
            "period": [i.period.id if i.period else "" for i in instances],
            "opens_on": [i.opens_on for i in instances],
            "lag_days": [i.lag_days for i in instances],
            "slack_days": [i.slack_days for i in instances],
            "critical": [i.critical for i in instances]}


def write_waiting(conn: Connection, exp: Expansion, waiting: list[Instance],
                  task_pks: dict[str, int]) -> None:
    """Replace the directive's waiting occurrences with ``waiting``, and its waiting
    dependencies with every edge that has one of them at an end."""
    directive_id = exp.directive.id
    conn.execute(delete(OC).where(OC.c.directive_id == directive_id))
    conn.execute(delete(OD).where(OD.c.directive_id == directive_id))
    bulk_insert_columns(conn, OC, waiting_columns(directive_id, waiting, task_pks))
    later = {i.key for i in waiting}
    rows, seen = [], set()
    for prereq, dependent, task, share in exp.edges():
        if (dependent, prereq) in seen or not (prereq in later or dependent in later):
            continue
        seen.add((dependent, prereq))
        rows.append({"instance_key": dependent, "prereq_key": prereq,
                     "directive_id": directive_id, "prereq_task": task, "at_least": share})
    bulk_insert(conn, OD, rows)


def _insert(conn: Connection, table: Any, columns: list[str], query: Any) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).from_select(columns, query).on_conflict_do_nothing()
    return max(conn.execute(stmt.execution_options(preserve_rowcount=True)).rowcount, 0)


def open_occurrences(conn: Connection, as_of: date) -> int:
    """Create the occurrences whose day has come by ``as_of``; return how many.

    Each occurrence starts open on its own opening day (its state and plan begin
    then), whatever day the check that creates it runs.
    """
    due = OC.c.opens_on <= as_of
    if conn.execute(select(literal(1)).where(exists().where(due))).first() is None:
        return 0  # the usual day: nothing opens, one index probe
    created = _insert(conn, I, [
        "key", "directive_id", "task_pk", "unit_id", "lead_id", "due_on", "spec_lead_id",
        "spec_due_on", "created_on", "lag_days", "slack_days", "critical", "removed",
        "period"], select(
            OC.c.key, OC.c.directive_id, OC.c.task_pk, OC.c.unit_id, OC.c.lead_id,
            OC.c.due_on, OC.c.lead_id, OC.c.due_on, OC.c.opens_on, OC.c.lag_days,
            OC.c.slack_days, OC.c.critical, false(), OC.c.period).where(due))
    opened = select(I.c.pk, OC).join(OC, OC.c.key == I.c.key).where(due).subquery()
    _insert(conn, S, ["instance_pk", "valid_from", "valid_to", "state", "due_on", "lead_id",
                      "completed_on", "verified", "percent", "opened_on"], select(
        opened.c.pk, opened.c.opens_on, null(), literal("open"), opened.c.due_on,
        opened.c.lead_id, null(), false(), literal(0), opened.c.opens_on)
        .where(opened.c.pk.is_not(None)))  # a WHERE: SQLite reads "ON CONFLICT" after a SELECT
    _insert(conn, PL, ["instance_pk", "valid_from", "valid_to", "lag_days", "slack_days",
                       "critical"], select(
        opened.c.pk, opened.c.opens_on, null(), opened.c.lag_days, opened.c.slack_days,
        opened.c.critical).where(opened.c.pk.is_not(None)))
    _open_dependencies(conn, due)
    conn.execute(delete(OC).where(due))
    return created


def _open_dependencies(conn: Connection, due: Any) -> None:
    """Add the waiting dependencies both of whose ends exist now that the occurrences
    due have opened, and forget them as waiting."""
    just = select(OC.c.key).where(due)
    touching = or_(OD.c.instance_key.in_(just), OD.c.prereq_key.in_(just))
    a, b = I.alias("dependent"), I.alias("prereq")
    _insert(conn, DEP, ["instance_pk", "prereq_pk", "prereq_task", "at_least"], select(
        a.c.pk, b.c.pk, OD.c.prereq_task, OD.c.at_least)
        .join(a, a.c.key == OD.c.instance_key).join(b, b.c.key == OD.c.prereq_key)
        .where(touching))
    both = and_(exists().where(I.c.key == OD.c.instance_key),
                exists().where(I.c.key == OD.c.prereq_key))
    conn.execute(delete(OD).where(touching, both))
