"""Rebuild the derived ``instance_state`` spans from the ledger, for a set of instances."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, delete, select

from dirtrack.status import Event, spans
from dirtrack.store.bulk import bulk_insert
from dirtrack.store.tables import EventRow, InstanceRow, StateRow

CHUNK = 5000
I, E, S = InstanceRow.__table__, EventRow.__table__, StateRow.__table__  # type: ignore[attr-defined]


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def rebuild_spans(conn: Connection, instance_pks: Iterable[int]) -> int:
    """Recompute the spans of the given instances from their events; return rows written."""
    written = 0
    for part in chunks(sorted(set(instance_pks))):
        base = conn.execute(select(I.c.pk, I.c.created_on, I.c.due_on, I.c.lead_id)
                            .where(I.c.pk.in_(part))).all()
        events: dict[int, list[Event]] = defaultdict(list)
        for row in conn.execute(
            select(E.c.instance_pk, E.c.kind, E.c.effective_on, E.c.percent, E.c.new_due,
                   E.c.new_lead).where(E.c.instance_pk.in_(part))
            .order_by(E.c.instance_pk, E.c.effective_on, E.c.id)
        ):
            events[row.instance_pk].append(
                Event(row.kind, row.effective_on, row.percent, row.new_due, row.new_lead))
        rows = []
        for pk, created_on, due_on, lead_id in base:
            for span in spans(created_on, due_on, lead_id, events.get(pk, [])):
                rows.append({
                    "instance_pk": pk, "valid_from": span.valid_from, "valid_to": span.valid_to,
                    "state": span.state, "due_on": span.due_on, "lead_id": span.lead_id,
                    "completed_on": span.completed_on, "verified": span.verified,
                    "percent": span.percent, "opened_on": span.opened_on,
                })
        conn.execute(delete(S).where(S.c.instance_pk.in_(part)))
        bulk_insert(conn, S, rows)
        written += len(rows)
    return written
