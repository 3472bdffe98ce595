"""Backups: every table's rows and the schema revision in one portable file, taken in one
consistent snapshot, restored into a new database of either engine with its counts checked.

The file is gzip-compressed JSON lines. The first line is the header::

    {"format": "dirtrack-backup", "format_version": 1, "revision": "0001",
     "taken_at": "...", "engine": "postgresql", "source": "postgresql+psycopg://...",
     "tables": {"event": 1234, ...}}

then, for each table, a line ``{"table": NAME, "columns": [...]}`` followed by one JSON
array per row, in primary-key order. Dates are ``YYYY-MM-DD``, times ISO 8601 in UTC.
Nothing is tied to an engine, so an SQLite backup restores into PostgreSQL and back.

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

from sqlalchemy import Connection, Engine, MetaData, Table, func, insert, select, text
from sqlalchemy.types import Date, DateTime

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


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()  # naive: UTC, as dirtrack stores every time
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} into a backup")


def _line(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"),
                      default=_encode).encode() + b"\n"


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
    columns = [c.name for c in table.columns]
    out.write(_line({"table": table.name, "columns": columns}))
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execute(select(table).order_by(*order).execution_options(yield_per=BATCH))
    written = 0
    for rows in result.partitions():
        out.write(b"".join(_line(list(row)) for row in rows))
        written += len(rows)
    return written


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
    """Insert the rows of every table of the backup, a batch at a time."""
    table: Table | None = None
    decoders: list[Any] = []
    names: list[str] = []
    batch: list[dict[str, Any]] = []
    number = 1
    try:
        with gzip.open(path, "rb") as stream:
            stream.readline()  # the header
            for number, raw in enumerate(stream, start=2):  # noqa: B007 (named on error)
                item = json.loads(raw)
                if isinstance(item, list):
                    if table is None or len(item) != len(names):
                        raise ValueError("a row that fits no table")
                    batch.append({n: d(v) if v is not None else None
                                  for n, d, v in zip(names, decoders, item, strict=True)})
                    if len(batch) >= BATCH:
                        conn.execute(insert(table), batch)
                        batch = []
                    continue
                if table is not None and batch:
                    conn.execute(insert(table), batch)
                    batch = []
                table, names = _target(targets, item, path)
                decoders = [_decoder(table.c[n].type) for n in names]
            if table is not None and batch:
                conn.execute(insert(table), batch)
    except (gzip.BadGzipFile, EOFError, zlib.error, ValueError, TypeError) as exc:
        raise InvalidAction(f"{path} is damaged at line {number} ({exc}); nothing was "
                            "restored") from None


def _target(targets: dict[str, Table], item: Any, path: Path) -> tuple[Table, list[str]]:
    """Return the table a backup's table line names and its columns, checked."""
    if not isinstance(item, dict) or "table" not in item or "columns" not in item:
        raise ValueError("a line that is neither a row nor a table")
    name, columns = str(item["table"]), [str(c) for c in item["columns"]]
    if name not in targets:
        raise InvalidAction(f"{path} holds table {name}, which its schema revision does not "
                            "have; nothing was restored")
    if unknown := [c for c in columns if c not in targets[name].c]:
        raise InvalidAction(f"{path} holds columns {', '.join(unknown)} of table {name}, "
                            "which its schema revision does not have; nothing was restored")
    return targets[name], columns


def _decoder(kind: Any) -> Any:
    """Return the function turning a JSON value back into a value of column type ``kind``."""
    if isinstance(kind, DateTime):
        return _datetime
    if isinstance(kind, Date):
        return date.fromisoformat
    return _same


def _datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _same(value: Any) -> Any:
    return value


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
