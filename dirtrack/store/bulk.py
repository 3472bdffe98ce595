"""Bulk inserts straight through the driver: COPY on PostgreSQL, executemany on SQLite.

SQLAlchemy's per-row parameter processing costs more than the database's own work
for 100,000-row inserts; these bypass it inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table


def _sqlite_value(value: Any) -> Any:
    # The same text SQLAlchemy's SQLite dialect writes for these types.
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _sqlite_column(values: Sequence[Any]) -> Sequence[Any]:
    """Return one column's values as SQLite takes them: dates and booleans converted
    (each distinct value once), anything else as it is."""
    sample = next((v for v in values if v is not None), None)
    if not isinstance(sample, (bool, date)):
        return values
    memo: dict[Any, Any] = {}
    out = []
    for v in values:
        if v not in memo:
            memo[v] = _sqlite_value(v)
        out.append(memo[v])
    return out


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` within ``conn``'s transaction."""
    if not rows:
        return
    names = list(rows[0])
    bulk_insert_columns(conn, table, {c: [r[c] for r in rows] for c in names})


def bulk_insert_columns(conn: Connection, table: Table,
                        columns: Mapping[str, Sequence[Any]]) -> None:
    """Insert the rows given column by column (equal lengths) into ``table`` within
    ``conn``'s transaction: no dictionary per row for 100,000-row inserts."""
    names = list(columns)
    if not names or not len(columns[names[0]]):
        return
    raw: Any = conn.connection.dbapi_connection  # psycopg or sqlite3, used as such below
    assert raw is not None
    if conn.dialect.name == "postgresql":
        quoted = ", ".join(f'"{c}"' for c in names)
        with raw.cursor() as cursor, cursor.copy(
                f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in zip(*columns.values(), strict=True):
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in names)
    cursor = raw.cursor()
    try:
        cursor.executemany(
            f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({marks})',
            zip(*(_sqlite_column(v) for v in columns.values()), strict=True))
    finally:
        cursor.close()
