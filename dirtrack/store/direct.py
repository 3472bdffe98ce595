"""The database through its own driver (sqlite3, psycopg), for reads in plain SQL.

A command that only reads (``tasks``, ``status``, ``show``, ``overdue``) answers in
half a second: importing SQLAlchemy and the SQLModel tables alone took longer. It
opens the database with :func:`open_database`, which also checks that the schema is
at the newest revision; whatever it is not sure of (a URL with options, a database
that is not at the newest revision, one it cannot reach) it leaves to the full path
(``make_engine``), which says what is wrong in the same words as for any command.

The read functions (``dirtrack.store.reads``) take either such a database or an
SQLAlchemy engine: :func:`connection` gives both as one :class:`Reader`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from dirtrack.store.revisions import NEWEST_TABLES as MODEL_TABLES
from dirtrack.store.revisions import TABLE_COLUMNS, VERSION_TABLE, head, lacking

_PLACEHOLDER = re.compile(r"(?<![:\w]):(\w+)")
# sqlite:///relative/path.db or sqlite:////absolute/path.db, nothing to decode.
_SQLITE = re.compile(r"sqlite(?:\+pysqlite)?:///([^?#%]+)")
_POSTGRESQL = re.compile(r"postgres(?:ql)?(?:\+psycopg)?://")


@dataclass(frozen=True)
class Database:
    """A database opened through its driver: its kind and where it is."""

    dialect: str  # "sqlite" or "postgresql"
    target: str  # an SQLite file's path, or a libpq connection URI

    def connect(self) -> Any:
        """Return a new DB-API connection; the caller closes it."""
        if self.dialect == "sqlite":
            import sqlite3

            conn = sqlite3.connect(self.target, check_same_thread=False)
            # As make_engine's connections: wait for a writer's lock, a large page cache.
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA cache_size=-200000")
            return conn
        import psycopg

        # Each statement reads the latest committed data, as in READ COMMITTED.
        return psycopg.connect(self.target, autocommit=True)


class Reader:
    """One DB-API connection with its dialect: statements written once, with ``:name``
    parameters, for SQLite and PostgreSQL alike, and dates read back as dates."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self.sqlite = dialect == "sqlite"

    def rows(self, sql: str, params: dict[str, Any] | None = None, *,
             dates: Iterable[str] = (), moments: Iterable[str] = ()) -> list[dict[str, Any]]:
        """Return the rows of ``sql`` as dicts by column name; the columns named in
        ``dates`` become ``date`` values (SQLite keeps them as text), those in ``moments``
        ``datetime`` values in UTC, as the table models read them."""
        params = dict(params or {})
        if self.sqlite:
            params = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
        else:
            sql = _PLACEHOLDER.sub(r"%(\1)s", sql.replace("%", "%%"))
        cursor = self.conn.cursor()
        try:
            cursor.execute(sql, params)
            names = [d[0] for d in cursor.description]
            found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()
        if self.sqlite:
            for name in dates:
                for row in found:
                    if row[name] is not None:
                        row[name] = date.fromisoformat(row[name])
        for name in moments:
            for row in found:
                if row[name] is not None:
                    row[name] = _utc(row[name])
        return found

    def values(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Return the first column of the rows of ``sql``."""
        return [next(iter(row.values())) for row in self.rows(sql, params)]


def _utc(value: str | datetime) -> datetime:
    """Return a stored moment in UTC: SQLite keeps it as UTC text with no offset,
    PostgreSQL gives it in the session's time zone."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def in_list(name: str, values: Iterable[Any], params: dict[str, Any]) -> str:
    """Return ``(:name_0, :name_1, ...)`` for ``values``, added to ``params`` (an empty
    list matches nothing)."""
    names = []
    for n, value in enumerate(values):
        params[f"{name}_{n}"] = value
        names.append(f":{name}_{n}")
    return f"({', '.join(names)})" if names else "(NULL)"


@contextmanager
def connection(source: Any) -> Iterator[Reader]:
    """Yield a :class:`Reader` on ``source``: a :class:`Database`, or an SQLAlchemy engine
    (a connection from its pool, given back at the end)."""
    if isinstance(source, Database):
        conn, dialect = source.connect(), source.dialect
    else:
        conn, dialect = source.raw_connection(), source.dialect.name
    try:
        yield Reader(conn, dialect)
    finally:
        conn.close()


def locate(url: str) -> Database | None:
    """Return where ``url`` points when it is a plain SQLite file or PostgreSQL URL;
    None for anything else (left to SQLAlchemy, which reads every form)."""
    if found := _SQLITE.fullmatch(url):
        path = found.group(1)
        return None if path == ":memory:" else Database("sqlite", path)
    if found := _POSTGRESQL.match(url):
        return Database("postgresql", "postgresql://" + url[found.end():])
    return None


def is_current(reader: Reader) -> bool:
    """Return whether the database is at the newest revision with every table and column
    the models need (anything else is for ``check_schema`` to name)."""
    found: dict[str, set[str]] = {}
    for row in reader.rows(TABLE_COLUMNS[reader.dialect]):
        table, column = row.values()
        found.setdefault(table, set()).add(column)
    if VERSION_TABLE not in found:
        return False
    # The version table is in the first schema of the search path: the current one.
    stamped = reader.values(f"SELECT version_num FROM {VERSION_TABLE}")
    return stamped == [head()] and not lacking(found, MODEL_TABLES)


def open_database(url: str) -> Database | None:
    """Return the database of ``url`` opened through its driver, when it exists and is
    at the newest revision; None when the full path must open it (and say what is wrong,
    or create its schema)."""
    database = locate(url)
    if database is None:
        return None
    if database.dialect == "sqlite" and not Path(database.target).is_file():
        return None
    try:
        with connection(database) as reader:
            return database if is_current(reader) else None
    except Exception:  # noqa: BLE001 - unreachable, refused: make_engine says why in one line
        return None
