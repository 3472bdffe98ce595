"""The database itself: its schema revision, upgrades, backups and restores."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from dirtrack.cli.base import Json, app, fail, open_engine, print_json, user_errors

db_app = typer.Typer(help="The database: its schema revision, upgrades, backups and restores.",
                     no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")

BackupPath = Annotated[Path, typer.Argument(metavar="PATH", help="The backup file, e.g. "
                                            "dirtrack-2025-07-01.jsonl.gz.")]

_VERDICT = {
    "current": "up to date",
    "behind": "upgrade due: run 'dirtrack db upgrade' (back it up first with 'dirtrack db "
              "backup')",
    "unversioned": "upgrade due (made by dirtrack's first release): run 'dirtrack db upgrade' "
                   "(back it up first with 'dirtrack db backup')",
    "empty": "empty: 'dirtrack load' (or 'dirtrack db upgrade') creates the newest schema",
    "ahead": "newer than this dirtrack: a later release upgraded it; use that release",
    "unknown": "not a schema this dirtrack knows",
}


@contextmanager
def _all_or_nothing() -> Iterator[None]:
    """Say in one line what the database refused (a privilege the user lacks, a statement
    of a revision): the transaction was rolled back."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as exc:
        fail(f"database error: {str(exc.orig).splitlines()[0]}; nothing was changed")


@db_app.command("status")
def db_status(json_: Json = False) -> None:
    """Print the database, its schema revision, the newest revision, and whether an upgrade
    is due (exit code 0 either way, and for an empty database)."""
    from dirtrack.store.migrate import read_state, shown_url

    with user_errors():
        engine = open_engine(check=False)
        with engine.connect() as conn:
            state = read_state(conn)
    verdict = _VERDICT[state.state] + (f" ({state.detail})" if state.detail else "")
    if json_:
        print_json({"database": shown_url(engine), "revision": state.revision,
                    "newest": state.head, "state": state.state,
                    "upgrade_due": state.upgrade_due, "detail": state.detail})
        return
    typer.echo(f"database: {shown_url(engine)}\nrevision: {state.shown_revision}\n"
               f"newest:   {state.head}\n{verdict}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to this dirtrack's schema, in one transaction where the database
    allows it (PostgreSQL and SQLite both do); every row is kept. Stop the web app and
    the flows first, and take a backup (dirtrack db backup)."""
    from dirtrack.store.migrate import shown_url, upgrade

    started = time.perf_counter()
    with user_errors():
        engine = open_engine(check=False)
        with _all_or_nothing():
            done = upgrade(engine)
    took = f"in {time.perf_counter() - started:.1f} s"
    before, url = done.before, shown_url(engine)
    if before.state == "current":
        typer.echo(f"database {url} is up to date at revision {done.revision}; nothing to do")
    elif before.state == "empty":
        typer.echo(f"database {url} was empty: created at revision {done.revision} {took}")
    else:
        typer.echo(f"database {url} upgraded from revision {before.shown_revision} to "
                   f"{done.revision} {took}")


@db_app.command("backup")
def db_backup(path: BackupPath) -> None:
    """Write every row and the schema revision to PATH (gzip-compressed JSON lines) from one
    consistent snapshot; the database may be in use meanwhile. PATH must not exist."""
    from dirtrack.present import table
    from dirtrack.store.backup import backup
    from dirtrack.store.migrate import shown_url

    started = time.perf_counter()
    with user_errors():
        engine = open_engine(check=False)
        summary = backup(engine, path)
    typer.echo(table(["TABLE", "ROWS"], [[name, f"{n:,}"] for name, n in summary.counts.items()]))
    typer.echo(f"backup of {shown_url(engine)} at revision {summary.revision} written to {path}: "
               f"{sum(summary.counts.values()):,} rows in {len(summary.counts)} tables, "
               f"{_size(summary.size)}, in {time.perf_counter() - started:.1f} s")


@db_app.command("restore")
def db_restore(path: BackupPath) -> None:
    """Fill a new, empty database (SQLite or PostgreSQL, whichever took the backup) from the
    backup at PATH, check each table's row count against it, and upgrade it if it is of
    an older revision; all in one transaction. A database holding rows is refused."""
    from dirtrack.present import table
    from dirtrack.store.backup import read_header, restore
    from dirtrack.store.migrate import shown_url

    started = time.perf_counter()
    with user_errors():
        read_header(path)  # a wrong file is said before any database is made
        engine = open_engine(new=True, check=False)
        with _all_or_nothing():
            done = restore(engine, path)
    typer.echo(table(["TABLE", "ROWS"], [[name, f"{n:,}"] for name, n in done.counts.items()]))
    upgraded = f", then upgraded to revision {done.upgraded_to}" if done.upgraded_to else ""
    typer.echo(f"restored {path} (revision {done.revision}, taken {done.taken_at}) into "
               f"{shown_url(engine)}: {sum(done.counts.values()):,} rows in {len(done.counts)} "
               f"tables, each as many as in the backup{upgraded}, in "
               f"{time.perf_counter() - started:.1f} s")


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
