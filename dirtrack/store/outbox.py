"""What the outbox's rows do not say themselves: which alerts still wait for a digest,
which digest carries an alert, and so whether it was delivered.

An alert row is written once. A delivery run gathers every pending alert with an id
past the mark (the highest ``upto_id`` of the digests) into digests, one per recipient
and channel, each holding the id range it took; nothing is written back to the
alerts, so a run over 300,000 alerts writes a few thousand digest rows and no more.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, false, func, select, update
from sqlalchemy.sql import ColumnElement

from dirtrack.store.tables import DeliveryRow, OutboxRow

O, DL = OutboxRow.__table__, DeliveryRow.__table__  # type: ignore[attr-defined]
_LOCK_KEY = 0x6F757462  # "outb": the advisory lock the check and delivery take
_SEND_KEY = 0x73656E64  # "send": the advisory lock a delivery run holds while it sends


def _advisory(key: int) -> tuple[Any, Any]:
    """An advisory lock's two keys: what it guards and whose tables (the schema), so
    dirtrack databases kept in different schemas of one PostgreSQL never wait on each
    other."""
    return key, func.hashtext(func.current_schema())


def lock_outbox(conn: Connection) -> None:
    """Make recording alerts and gathering them into digests take turns.

    Ids are then taken in commit order: no alert can commit below a mark a digest run
    has already passed, and two runs never gather the same alerts. PostgreSQL takes an
    advisory lock held to the end of the transaction; SQLite takes its write lock (an
    update of no row does).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(*_advisory(_LOCK_KEY))))
    else:
        conn.execute(update(DL).where(false()).values(status=DL.c.status))


# The highest outbox id already gathered into a digest (0 before any), as SQL.
MARK: Any = select(func.coalesce(func.max(DL.c.upto_id), 0)).scalar_subquery()


def digest_mark(conn: Connection) -> int:
    """Return the mark: the highest outbox id already gathered into a digest."""
    return int(conn.execute(select(MARK)).scalar_one())


def waiting(mark: Any) -> ColumnElement[bool]:
    """Alerts not yet in a digest: pending, past the mark (a range of the primary key)."""
    return and_(O.c.id > mark, O.c.status == "pending")


def _first_digest_from() -> Any:
    """The id of the recipient's first digest on the channel whose range ends at or
    after the alert: one step down ``ix_delivery_alerts``, however many digests follow."""
    later = DL.alias("later")
    return (select(later.c.id)
            .where(later.c.recipient_id == O.c.recipient_id, later.c.channel == O.c.channel,
                   later.c.upto_id >= O.c.id)
            .order_by(later.c.upto_id).limit(1).scalar_subquery())


# The digest that carries an alert: that first digest, if its range also starts below it.
CARRIED_BY: Any = and_(DL.c.id == _first_digest_from(), DL.c.after_id < O.c.id,
                       O.c.status == "pending")

# An alert's status for people: cancelled, delivered (its digest was), or pending.
ALERT_STATUS: Any = case((O.c.status == "cancelled", "cancelled"),
                         (DL.c.status == "delivered", "delivered"), else_="pending")


@contextmanager
def sending_turn(engine: Engine) -> Iterator[None]:
    """Hold the database's one turn to send digests until the block ends.

    Two delivery runs started together (a scheduled run and a manual one) would
    otherwise both send the digests still marked sending; the second now waits and
    finds them delivered. A run killed mid-way holds nothing: the turn is a PostgreSQL
    session lock, released when its connection closes, or on SQLite a lock on a file
    beside the database, released when its process ends.
    """
    if engine.dialect.name == "postgresql":
        conn = engine.connect()
        try:
            conn.execute(select(func.pg_advisory_lock(*_advisory(_SEND_KEY))))
            conn.commit()  # the session lock outlives the transaction; none stays open
            yield
        finally:
            try:
                conn.execute(select(func.pg_advisory_unlock(*_advisory(_SEND_KEY))))
                conn.commit()
            except Exception:
                conn.invalidate()  # closing the session releases its locks
            conn.close()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # a private database: no other run can reach it
        return
    with open(f"{database}.sending", "a") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(turn, fcntl.LOCK_UN)
