"""Engines for SQLite (the default) and PostgreSQL, from ``DIRTRACK_DATABASE_URL``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import create_engine

from dirtrack.errors import ConfigError


def normalise_url(url: str) -> str:
    """Return ``url`` with the driver dirtrack uses (psycopg 3 for PostgreSQL).

    >>> normalise_url("postgresql://localhost/test")
    'postgresql+psycopg://localhost/test'
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"DIRTRACK_DATABASE_URL '{url}' is not a database URL; "
            "use sqlite:///path/to/file.db or postgresql://host/dbname") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"unsupported database '{parsed.drivername}'; use SQLite or PostgreSQL")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # Wait for a lock first: switching a new file to WAL needs one, and another process
    # may hold it (creating the schema, say).
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-200000")
    cursor.close()


def make_engine(url: str, *, create: bool = True) -> Engine:
    """Return an engine for ``url``; with ``create``, an empty database is created at the
    newest schema revision and one at another revision is refused in one line (only
    ``dirtrack db upgrade`` alters a database; see ``dirtrack.store.migrate``)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        target = make_url(url).database
        if target and target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False},
                               hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        # Up to 40 connections at once (the web app's threads use 8 per worker), all
        # kept once opened: an overflow connection is closed when it is given back, so
        # past the pool size every checkout paid for a new PostgreSQL backend.
        # Connections are recycled every half hour rather than pinged before every use
        # (a ping is a round trip per checkout, one per API write).
        engine = create_engine(url, pool_recycle=1800, hide_parameters=True, pool_size=40,
                               max_overflow=0)
    if create:
        from dirtrack.store.migrate import check_schema

        try:
            check_schema(engine)
        except ConfigError:
            raise
        except Exception as exc:  # the database is unreachable or refuses us
            raise ConfigError(f"cannot open database {make_url(url).render_as_string()}: "
                              f"{str(exc).splitlines()[0]}") from None
    return engine


BULK_ROWS = 10_000  # a write this large refreshes PostgreSQL's statistics at once


def refresh_statistics(engine: Engine, *tables: str) -> None:
    """Refresh PostgreSQL's statistics of ``tables`` after a bulk write (``ANALYZE``).

    Autovacuum would, but only on its next round (a minute later by default) and never
    where it is turned off; until then the planner takes a table that has grown by
    a national plan for the size it was, and a deadline check run right after the load
    picks slow plans. SQLite plans without statistics: nothing to do.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in tables:
            conn.exec_driver_sql(f"ANALYZE {table}")
