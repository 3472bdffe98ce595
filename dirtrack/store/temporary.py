"""Temporary tables: a set computed once and read by several statements on one connection."""

from __future__ import annotations

from sqlalchemy import Connection, Index, MetaData, Table
from sqlalchemy.schema import SchemaItem


def temporary(conn: Connection, name: str, *columns: SchemaItem, index: str | None = None
              ) -> Table:
    """Create and return the empty temporary table ``name`` on ``conn``.

    One left on this pooled connection by an earlier run that failed half-way is
    dropped first (SQLite creates tables outside the transaction it rolls back).
    """
    schema = "pg_temp" if conn.dialect.name == "postgresql" else "temp"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {schema}.{name}")
    indexes = [Index(f"ix_{name}", index)] if index else []
    table = Table(name, MetaData(), *columns, *indexes, prefixes=["TEMPORARY"])
    table.create(conn)
    return table


def analyze(conn: Connection, table: Table) -> None:
    """Give PostgreSQL's planner the size of a filled temporary table.

    Autovacuum never analyses temporary tables: without statistics the planner
    guesses, and guessing "a few rows" for 100,000 chooses slow plans.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {table.name}")
