"""Bulk inserts straight through the driver: COPY on PostgreSQL, executemany on SQLite.

SQLAlchemy's per-row parameter processing costs more than the database's own work
for 100,000-row inserts; these bypass it inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def _sqlite_columns(rows: Sequence[dict[str, Any]], columns: list[str]) -> list[list[Any]]:
    """Return the rows as lists, converting only the columns that hold dates or booleans."""
    converted = []
    for c in columns:
        sample = next((r[c] for r in rows if r[c] is not None), None)
        if isinstance(sample, (bool, date)):
            memo: dict[Any, Any] = {}
            values = []
            for r in rows:
                v = r[c]
                if v not in memo:
                    memo[v] = _sqlite_value(v)
                values.append(memo[v])
            converted.append(values)
        else:
            converted.append([r[c] for r in rows])
    return [list(row) for row in zip(*converted, strict=True)]


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` within ``conn``'s transaction."""
    if not rows:
        return
    columns = list(rows[0])
    raw: Any = conn.connection.dbapi_connection  # psycopg or sqlite3, used as such below
    assert raw is not None
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor, cursor.copy(
                f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    marks = ", ".join("?" for _ in columns)
    cursor = raw.cursor()
    try:
        cursor.executemany(
            f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({marks})',
            _sqlite_columns(rows, columns))
    finally:
        cursor.close()
