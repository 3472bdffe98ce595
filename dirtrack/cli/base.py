"""What every command shares: the application, one-line errors, dates, the database.

Exit codes: 0 success, 1 a user's error (one clear line, no traceback), 2 usage.
Commands that run no flow never import Prefect, and the listings (tasks, status, show,
overdue) read through the database's driver without SQLAlchemy (:func:`open_reader`), so
they answer at once.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from dirtrack.config import settings
from dirtrack.errors import DirtrackError, ValidationFailed

app = typer.Typer(
    name="dirtrack",
    help="Turn directives into tracked task graphs: validate, load, report and record progress.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain one-line errors, and no Rich import at start-up
)


@app.callback()
def _settings_first() -> None:
    """Read the settings before any command: a wrong one is one line, whatever the command."""
    try:
        settings()
    except DirtrackError as exc:
        fail(str(exc))


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn library errors into one line on stderr and exit code 1."""
    try:
        yield
    except ValidationFailed as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        fail(str(exc))
    except DirtrackError as exc:
        fail(str(exc))
    except OSError as exc:  # a path the user gave: missing, a folder, not writable
        where = f" {exc.filename}" if exc.filename else ""
        fail(f"cannot use{where}: {exc.strerror or exc}")
    except Exception as exc:
        # Only a command that opened a database has SQLAlchemy or a driver loaded; the
        # others (validate, graph) do not pay for importing them here.
        database = sys.modules.get("sqlalchemy.exc")
        if database is not None and isinstance(exc, database.OperationalError):
            exc = exc.orig
        elif not isinstance(exc, _driver_errors()):
            raise
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        fail(f"database error: {first}; check DIRTRACK_DATABASE_URL")


def _driver_errors() -> tuple[type[BaseException], ...]:
    """Return the operational errors of the database drivers loaded (a read through the
    driver, ``dirtrack.store.direct``, raises them as they are)."""
    loaded = (sys.modules.get("sqlite3"), sys.modules.get("psycopg"))
    return tuple(module.OperationalError for module in loaded if module is not None)


def writable(folder: Path) -> None:
    """Make sure files can be written into ``folder`` (made if missing), or fail in one line."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        fail(f"cannot write into {folder}: {exc.strerror or exc}; choose another --out folder")


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date; write it as YYYY-MM-DD",
                                 param_hint=option) from None


def open_engine(new: bool = False, *, check: bool = True) -> Any:
    """The database of DIRTRACK_DATABASE_URL; an SQLite file must exist unless ``new``
    (a load or a first user may create it; a mistyped path must not read as empty).
    Without ``check`` its schema revision is left unchecked (the ``db`` commands)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from dirtrack.store.engine import make_engine

    url = settings().database_url
    try:
        target = make_url(url)
    except ArgumentError:
        target = None  # make_engine says what is wrong with it
    if target is not None and target.get_backend_name() == "sqlite":
        if target.database in (None, "", ":memory:"):
            fail(f"DIRTRACK_DATABASE_URL={url} names no database file, and a database in "
                  "memory ends with the command; name a file, e.g. sqlite:///dirtrack.db")
        if not new and not Path(str(target.database)).exists():
            fail(f"no database at {target.database}; load the directives first "
                  "(dirtrack load), or check DIRTRACK_DATABASE_URL")
    return make_engine(url, create=check)


def open_reader() -> Any:
    """The database for a command that only reads: through its driver when
    DIRTRACK_DATABASE_URL names a plain SQLite file or PostgreSQL database at the newest
    schema revision (no SQLAlchemy to import), else as :func:`open_engine` opens it,
    which says in one line what is wrong."""
    from dirtrack.store.direct import open_database

    return open_database(settings().database_url) or open_engine()


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


PathArg = Annotated[Path, typer.Argument(metavar="PATH", help="Directives root, a jurisdiction "
                                         "folder, or a directive file.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Report as of this date (YYYY-MM-DD); "
                                          "default today (DIRTRACK_TIMEZONE).")]
On = Annotated[str | None, typer.Option("--on", help="Date of the event (YYYY-MM-DD); default "
                                        "today (DIRTRACK_TIMEZONE).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
Note = Annotated[str, typer.Option("--note", help="A note for the ledger.")]
TaskArg = Annotated[str, typer.Argument(metavar="TASK",
                                        help="Task id, e.g. nb-2024-q2/book-100-models.")]
DirectiveOpt = Annotated[str | None, typer.Option("--directive", help="Only this directive.")]
UnitOpt = Annotated[str | None, typer.Option("--unit", help="Only tasks this unit leads.")]
