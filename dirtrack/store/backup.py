"""Backups: every table's rows and the schema revision in one portable file, taken in one
consistent snapshot, restored into a new database of either engine with its counts checked.

The file is gzip-compressed JSON lines. The first line is the header::

    {"format": "dirtrack-backup", "format_version": 1, "revision": "0001",
     "taken_at": "...", "engine": "postgresql", "source": "postgresql+psycopg://...",
     "tables": {"event": 1234, ...}}

then, for each table, a line ``{"table": NAME, "columns": [...]}`` followed by one JSON
array per row, in primary-key order. Dates are ``YYYY-MM-DD``, times
``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC, booleans ``true``/``false``. Nothing is tied to an
engine, so an SQLite backup restores into PostgreSQL and back.

A restore fills a new database only: the schema is built at the backup's revision, the
rows go in, the counts are checked against the header, PostgreSQL's sequences are set
past the highest ids, and a backup of an older revision is then upgraded to the newest,
all in one transaction (a failure leaves the target as it was). A backup from a newer
revision than this dirtrack knows is refused: restore it with the release that took it.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, func, select, text
from sqlalchemy.types import Boolean, Date, DateTime, Float

from dirtrack.errors import InvalidAction
from dirtrack.store.migrate import (
    BASELINE,
    VERSION_TABLE,
    create_schema,
    head,
    read_state,
    refusal,
    revisions,
    schema_lock,
    shown_url,
    upgrade_on,
)

FORMAT = "dirtrack-backup"
FORMAT_VERSION = 1
BATCH = 5_000  # rows read, or inserted, at a time


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds: the schema revision and each table's row count."""

    path: Path
    revision: str
    counts: dict[str, int]
    size: int  # bytes of the file


@dataclass(frozen=True)
class Restored:
    """What a restore did: the backup's revision, the revision now, each table's rows."""

    revision: str
    upgraded_to: str | None  # the newest revision, when the backup was of an older one
    counts: dict[str, int]
    taken_at: str


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """Yield a connection whose reads all see the database as it was at their first.

    PostgreSQL: one REPEATABLE READ, READ ONLY transaction. SQLite: one read transaction
    (in WAL mode writers go on meanwhile; this reader keeps its snapshot).
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        else:
            conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def _tables(conn: Connection) -> list[Table]:
    """Return the database's tables (in its current schema), the version table aside."""
    meta = MetaData()
    meta.reflect(conn)
    return [t for name, t in sorted(meta.tables.items()) if name != VERSION_TABLE]


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _line(data: Any) -> bytes:
    return _ENCODE(data).encode() + b"\n"


def backup(engine: Engine, path: Path) -> BackupSummary:
    """Write every row of the database and its revision to ``path``; return what it holds.

    ``path`` must not exist (a backup never overwrites one); the file appears only once
    complete. A database of an older revision (or the first release's) is backed up as
    it is, so it can be kept before an upgrade.
    """
    if path.exists():
        raise InvalidAction(f"{path} exists; a backup never overwrites a file: "
                            "choose a new name")
    partial = path.with_name(path.name + ".part")
    with _snapshot(engine) as conn:
        state = read_state(conn)
        if state.state == "empty":
            raise InvalidAction(f"database {shown_url(engine)} is empty: nothing to back up")
        if state.state == "unknown":
            raise InvalidAction(refusal(state, shown_url(engine)))
        revision = BASELINE if state.state == "unversioned" else str(state.revision)
        tables = _tables(conn)
        counts = {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                  for t in tables}
        try:
            with gzip.open(partial, "wb", compresslevel=5) as out:
                out.write(_line({
                    "format": FORMAT, "format_version": FORMAT_VERSION, "revision": revision,
                    "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "engine": conn.dialect.name, "source": shown_url(engine),
                    "tables": counts}))
                for table in tables:
                    written = _write_table(conn, table, out)
                    if written != counts[table.name]:  # the snapshot did not hold
                        raise InvalidAction(f"table {table.name} changed while it was read "
                                            f"({counts[table.name]} rows, then {written}); "
                                            "take the backup again")
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return BackupSummary(path, revision, counts, path.stat().st_size)


def _write_table(conn: Connection, table: Table, out: gzip.GzipFile) -> int:
    """Write a table's line and its rows, in primary-key order; return how many.

    The database writes each row's JSON itself (``json_build_array``, ``json_array``),
    times formatted as SQLite stores them: no value passes through Python's types, which
    took most of the time.
    """
    out.write(_line({"table": table.name, "columns": [c.name for c in table.columns]}))
    quote = conn.dialect.identifier_preparer.quote
    order = list(table.primary_key.columns) or list(table.columns)
    values = ", ".join(_as_json(conn, c) for c in table.columns)
    array = ("json_build_array({})::text" if conn.dialect.name == "postgresql" else
             "json_array({})").format(values)
    result = conn.exec_driver_sql(
        f"SELECT {array} FROM {quote(table.name)} ORDER BY "
        f"{', '.join(quote(c.name) for c in order)}",
        execution_options={"stream_results": True, "max_row_buffer": BATCH})
    written = 0
    for rows in result.partitions(BATCH):
        out.write("".join(f"{line}\n" for (line,) in rows).encode())
        written += len(rows)
    return written


def _as_json(conn: Connection, column: Any) -> str:
    """Return the SQL giving ``column``'s value as the backup writes it."""
    name = conn.dialect.identifier_preparer.quote(column.name)
    kind = column.type
    if conn.dialect.name == "postgresql":
        if isinstance(kind, DateTime):
            utc = f"{name} AT TIME ZONE 'UTC'" if kind.timezone else name
            return f"to_char({utc}, 'YYYY-MM-DD HH24:MI:SS.US')"
        if isinstance(kind, Date):
            return f"to_char({name}, 'YYYY-MM-DD')"
        return name  # float8 as the shortest text that reads back exactly
    if isinstance(kind, Boolean):  # kept as 0 and 1
        return (f"CASE WHEN {name} IS NULL THEN NULL WHEN {name} THEN json('true') "
                "ELSE json('false') END")
    if isinstance(kind, Float):  # json_array writes 15 digits, which can lose a bit
        return f"CASE WHEN {name} IS NULL THEN NULL ELSE json(printf('%!.17g', {name})) END"
    return name


def read_header(path: Path) -> dict[str, Any]:
    """Return a backup's header, or raise InvalidAction if ``path`` is not a backup."""
    try:
        with gzip.open(path, "rb") as stream:
            first = stream.readline()
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        reason = "not gzip-compressed" if isinstance(exc, gzip.BadGzipFile) else str(exc)
        raise InvalidAction(f"{path} is not a dirtrack backup ({reason})") from None
    try:
        header = json.loads(first)
    except ValueError:
        raise InvalidAction(f"{path} is not a dirtrack backup (its first line is not "
                            "JSON)") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InvalidAction(f"{path} is not a dirtrack backup (it has no dirtrack-backup "
                            "header)")
    if header.get("format_version") != FORMAT_VERSION:
        raise InvalidAction(f"{path} is a backup of format {header.get('format_version')}, "
                            f"this dirtrack reads format {FORMAT_VERSION}; restore it with "
                            "the release that took it")
    return header


def restore(engine: Engine, path: Path, extra_versions: tuple[Path, ...] = ()) -> Restored:
    """Fill a new database from the backup at ``path``; return what it holds.

    Refused, with nothing changed, for a target that already holds rows (or another
    schema), a backup of a revision this dirtrack does not know, a damaged file, or
    counts that differ from the backup's header. ``extra_versions`` as for ``upgrade``.
    """
    header = read_header(path)
    revision, newest = str(header["revision"]), head(extra_versions)
    if revision not in revisions(extra_versions):
        raise InvalidAction(f"{path} is a backup of schema revision {revision}, which this "
                            f"dirtrack does not know (its newest is {newest}); restore it with "
                            "the release that took it")
    expected: dict[str, int] = header["tables"]
    with schema_lock(engine) as conn:
        _check_empty(conn, engine, revision)
        if read_state(conn).state == "empty":
            create_schema(conn, revision)
        targets = {t.name: t for t in _tables(conn)}
        _load_rows(conn, path, targets)
        _reset_sequences(conn, list(targets.values()))
        counts = {name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                  for name, t in sorted(targets.items())}
        wrong = [f"{name}: {expected.get(name, 0):,} in the backup, {counts.get(name, 0):,} "
                 "restored" for name in sorted(set(expected) | set(counts))
                 if expected.get(name, 0) != counts.get(name, 0)]
        if wrong:
            raise InvalidAction(f"the restored rows differ from the backup ({'; '.join(wrong)}); "
                                "nothing was restored")
        if revision != newest:
            upgrade_on(conn, extra_versions)
    return Restored(revision, newest if revision != newest else None, counts,
                    str(header.get("taken_at", "")))


def _check_empty(conn: Connection, engine: Engine, revision: str) -> None:
    """Refuse a target that holds rows or a schema the backup's rows cannot go into."""
    state = read_state(conn)
    if state.state == "empty":
        return
    if state.state in ("current", "behind", "unversioned"):
        rows = sum(int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                   for t in _tables(conn))
        if rows:
            detail = f"it holds {rows:,} rows"
        elif state.revision != revision:
            detail = f"its schema is at revision {state.shown_revision}, the backup's at {revision}"
        else:
            return  # made at the backup's revision by another command, and still empty
    else:
        detail = "its tables are not a schema this dirtrack knows"
    raise InvalidAction(f"database {shown_url(engine)} is not empty ({detail}); restore into a "
                        "new database: a new SQLite file, or an empty PostgreSQL database or "
                        "schema")


def _load_rows(conn: Connection, path: Path, targets: dict[str, Table]) -> None:
    """Insert the rows of every table of the backup, a batch at a time (PostgreSQL: COPY)."""
    table: Table | None = None
    names: list[str] = []
    times: list[tuple[int, Any]] = []
    pending: list[bytes] = []  # rows not yet decoded: a batch is decoded in one call
    first = number = 1

    def flush() -> None:
        if not pending:
            return
        rows = _decode(pending, first)
        if table is None or any(len(row) != len(names) for row in rows):
            raise _Damaged(first, "a row that fits no table")
        for row in rows:
            for i, canonical in times:
                if row[i] is not None:
                    row[i] = canonical(row[i])
        _insert(conn, table, names, rows)
        pending.clear()

    if conn.dialect.name == "postgresql":  # the times in the file are UTC
        conn.exec_driver_sql("SET LOCAL TimeZone = 'UTC'")
    try:
        with gzip.open(path, "rb") as stream:
            stream.readline()  # the header
            for number, raw in enumerate(stream, start=2):
                if raw.startswith(b"["):
                    if not pending:
                        first = number
                    pending.append(raw)
                    if len(pending) >= BATCH:
                        flush()
                    continue
                flush()
                table, names = _target(targets, _decode([raw], number)[0], path)
                times = _time_columns(conn, table, names)
            flush()
    except _Damaged as exc:
        raise InvalidAction(f"{path} is damaged at line {exc.line} ({exc.reason}); nothing "
                            "was restored") from None
    except (gzip.BadGzipFile, EOFError, zlib.error, ValueError, TypeError) as exc:
        raise InvalidAction(f"{path} is damaged at line {number} ({exc}); nothing was "
                            "restored") from None


class _Damaged(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


def _decode(lines: list[bytes], first: int) -> list[Any]:
    """Return the JSON values of ``lines`` (numbered from ``first``), decoded in one call."""
    try:
        return list(json.loads(b"[" + b",".join(lines) + b"]"))
    except ValueError:
        for number, line in enumerate(lines, start=first):  # which line it is
            try:
                json.loads(line)
            except ValueError as exc:
                raise _Damaged(number, str(exc)) from None
        raise


def _insert(conn: Connection, table: Table, names: list[str], rows: list[list[Any]]) -> None:
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.close()
        return
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})",
                         [tuple(row) for row in rows])


def _time_columns(conn: Connection, table: Table, names: list[str]) -> list[tuple[int, Any]]:
    """Return the columns whose values SQLite needs in its own text form, with the function
    giving it (PostgreSQL reads any ISO 8601 form itself)."""
    if conn.dialect.name == "postgresql":
        return []
    found = []
    for i, name in enumerate(names):
        kind = table.c[name].type
        if isinstance(kind, DateTime):
            found.append((i, _sqlite_time))
        elif isinstance(kind, Date):
            found.append((i, _sqlite_date))
    return found


def _sqlite_time(value: str) -> str:
    """Return a time as SQLite keeps it: ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC."""
    if len(value) == 26 and value[10] == " ":
        return value
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_date(value: str) -> str:
    return value if len(value) == 10 else date.fromisoformat(value).isoformat()


def _target(targets: dict[str, Table], item: Any, path: Path) -> tuple[Table, list[str]]:
    """Return the table a backup's table line names and its columns, checked."""
    if not isinstance(item, dict) or "table" not in item or "columns" not in item:
        raise ValueError("a line that is neither a row nor a table")  # numbered by the caller
    name, columns = str(item["table"]), [str(c) for c in item["columns"]]
    if name not in targets:
        raise InvalidAction(f"{path} holds table {name}, which its schema revision does not "
                            "have; nothing was restored")
    if unknown := [c for c in columns if c not in targets[name].c]:
        raise InvalidAction(f"{path} holds columns {', '.join(unknown)} of table {name}, "
                            "which its schema revision does not have; nothing was restored")
    return targets[name], columns


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Set PostgreSQL's id sequences past the highest id restored (SQLite needs nothing:
    a new row's id follows the highest in its table)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": table.name, "c": column.name}).scalar()
            if sequence:
                conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") '
                                  f'FROM "{table.name}"), 0) + 1, false)'), {"s": sequence})
