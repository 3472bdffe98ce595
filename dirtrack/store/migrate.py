"""The schema's revisions (Alembic): which one a database is at, a new database made at
the newest, and an older one upgraded in one transaction.

Revision ``0001`` is the schema of dirtrack's first release, which kept no version
table: a database with dirtrack's tables and no ``alembic_version`` was made by it (its
tables are checked against that revision) and is stamped ``0001`` before the later
revisions run. The version table lives beside the tables, in the first schema of the
search path, so dirtrack databases kept as schemas of one PostgreSQL each have theirs.

Only :func:`upgrade` alters an existing database; opening one at another revision
(:func:`check_schema`, called by ``make_engine``) is refused with one line saying what
to do. An empty database is created by ``create_all`` and stamped with the newest
revision, which is quick; a test proves the revisions from nothing give the same
schema.

To add a revision: change ``tables.py``, then ``python -m dirtrack.store.migrate draft
"what changes"`` writes ``migrations/versions/NNNN_*.py`` from the difference. Review
it: Alembic cannot tell a rename from a drop and an add, and a new NOT NULL column
needs a ``server_default`` to fill the rows already there (drop it afterwards with
``alter_column(..., server_default=None)`` unless the model declares it too).
``python -m dirtrack.store.migrate check`` prints what the models and the revisions
still disagree on, and ``python -m dirtrack.store.migrate columns >
dirtrack/store/columns.py`` writes out the new tables and columns (what every command
checks a database against without importing the models). The tests then upgrade a
database made by the first release through the new revision and compare its schema
with a new database's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, func, select

from dirtrack.errors import ConfigError
from dirtrack.store.revisions import (
    BASELINE,
    MIGRATIONS,
    TABLE_COLUMNS,
    VERSION_TABLE,
    head,
    lacking,
    revisions,
)

if TYPE_CHECKING:
    from alembic.config import Config

_LOCK_KEY = 0x736368  # "sch": the advisory lock of creating or upgrading the schema
UPGRADE_HINT = "run 'dirtrack db upgrade' (back it up first with 'dirtrack db backup')"


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against the revisions this dirtrack knows.

    ``state`` is one of ``empty`` (no dirtrack table), ``current`` (at the newest
    revision), ``behind`` (at an older one), ``unversioned`` (made by the first
    release: its tables, no version table), ``ahead`` (a revision this dirtrack does
    not know, so a later dirtrack's) and ``unknown`` (dirtrack's tables, no version
    table, and not the first release's schema: ``detail`` says what differs).
    """

    state: str
    revision: str | None
    head: str
    detail: str = ""

    @property
    def upgrade_due(self) -> bool:
        return self.state in ("behind", "unversioned")

    @property
    def shown_revision(self) -> str:
        """Return the revision as people read it (the first release kept none)."""
        if self.state == "unversioned":
            return "none (the first release's schema)"
        return self.revision or "none"


def config(connection: Connection | None = None, extra_versions: Sequence[Path] = ()) -> Config:
    """Return Alembic's configuration of dirtrack's revisions, bound to ``connection``.

    ``extra_versions`` adds folders of revisions (the tests add one on top of the newest).
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    folders = [MIGRATIONS / "versions", *extra_versions]
    cfg.set_main_option("version_locations", os.pathsep.join(str(f) for f in folders))
    cfg.attributes["connection"] = connection
    return cfg


def shown_url(engine: Engine) -> str:
    """Return the database's URL with its password hidden."""
    return engine.url.render_as_string(hide_password=True)


def current_schema(conn: Connection) -> str | None:
    """Return the PostgreSQL schema dirtrack's tables live in (None on SQLite)."""
    if conn.dialect.name != "postgresql":
        return None
    return str(conn.execute(select(func.current_schema())).scalar_one())


def table_columns(conn: Connection) -> dict[str, set[str]]:
    """Return the tables of the database (of its current schema) with their columns."""
    found: dict[str, set[str]] = {}
    query = TABLE_COLUMNS["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]
    for table, column in conn.exec_driver_sql(query):
        found.setdefault(table, set()).add(column)
    return found


@lru_cache(maxsize=1)
def baseline_tables() -> dict[str, set[str]]:
    """Return the first release's tables and columns, from revision 0001 run into an
    SQLite database in memory."""
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        _alembic(conn, "upgrade", BASELINE)
        tables = table_columns(conn)
    engine.dispose()
    tables.pop(VERSION_TABLE, None)
    return tables


@lru_cache(maxsize=1)
def _model_tables() -> dict[str, set[str]]:
    from sqlmodel import SQLModel

    from dirtrack.store import tables  # noqa: F401  (registers the tables)

    return {name: {c.name for c in table.columns}
            for name, table in SQLModel.metadata.tables.items()}


def _differences(found: dict[str, set[str]], expected: dict[str, set[str]]) -> list[str]:
    out = lacking(found, expected)
    for table, columns in sorted(expected.items()):
        if extra := sorted(found.get(table, columns) - columns):
            out.append(f"table {table} has {', '.join(extra)} besides")
    return out


def read_state(conn: Connection, extra_versions: tuple[Path, ...] = ()) -> SchemaState:
    """Return where the database on ``conn`` stands against the revisions."""
    newest = head(extra_versions)
    found = table_columns(conn)
    ours = set(_model_tables()) & set(found)
    stamped: list[str] = []
    if VERSION_TABLE in found:
        schema = current_schema(conn)
        qualified = f'"{schema}".{VERSION_TABLE}' if schema else VERSION_TABLE
        stamped = [r for (r,) in conn.exec_driver_sql(f"SELECT version_num FROM {qualified}")]
    if len(stamped) > 1:
        return SchemaState("unknown", ", ".join(sorted(stamped)), newest,
                           f"its version table holds {len(stamped)} revisions")
    if stamped:
        [revision] = stamped
        if revision == newest:
            # The tables as the models need them: a column dropped by hand would otherwise
            # surface as an SQL error in the middle of some command.
            if missing := lacking(found, _model_tables()):
                return SchemaState("unknown", revision, newest, "; ".join(missing))
            return SchemaState("current", revision, newest)
        known = revisions(extra_versions)
        return SchemaState("behind" if revision in known else "ahead", revision, newest)
    if not ours:
        return SchemaState("empty", None, newest)
    differences = _differences(found, baseline_tables())
    if differences:
        return SchemaState("unknown", None, newest, "; ".join(differences))
    return SchemaState("unversioned", None, newest)


def refusal(state: SchemaState, url: str) -> str:
    """Return the one line that refuses a database at ``state`` and says what to do."""
    if state.state == "behind":
        return (f"database {url} is at revision {state.revision}, this dirtrack needs "
                f"{state.head}; {UPGRADE_HINT}")
    if state.state == "unversioned":
        return (f"database {url} has no schema revision (it was made by dirtrack's first "
                f"release), this dirtrack needs {state.head}; {UPGRADE_HINT}")
    if state.state == "ahead":
        return (f"database {url} is at revision {state.revision}, which this dirtrack does not "
                f"know (its newest is {state.head}): a later dirtrack upgraded it; use that "
                "release")
    if state.state == "unknown" and state.revision:
        return (f"database {url} is at revision {state.revision} but its tables differ from "
                f"it ({state.detail}); it was altered outside dirtrack: restore a backup into "
                "a new database (dirtrack db restore)")
    if state.state == "unknown":
        return (f"database {url} has dirtrack's tables but not a schema this dirtrack knows "
                f"({state.detail}); it was not made by a release of dirtrack: load the "
                "directives into a new database")
    if state.state == "empty":
        return f"database {url} is empty; load the directives first (dirtrack load)"
    return f"database {url} is at revision {state.revision}, as this dirtrack needs"


@contextmanager
def schema_lock(engine: Engine) -> Iterator[Connection]:
    """Yield a connection in a transaction that alone may create or alter the schema.

    PostgreSQL takes an advisory lock of this schema to the end of the transaction (its
    DDL is transactional); SQLite takes its write lock at once (``BEGIN IMMEDIATE``), so
    its DDL too is rolled back with the rest if anything fails. Committed on success.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY,
                                                           func.hashtext(func.current_schema()))))
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _alembic(conn: Connection, command_name: str, revision: str,
             extra_versions: Sequence[Path] = ()) -> None:
    """Run Alembic's ``upgrade`` or ``stamp`` to ``revision`` on ``conn``, in its transaction."""
    from alembic import command

    getattr(command, command_name)(config(conn, extra_versions), revision)


def create_schema(conn: Connection, revision: str | None = None) -> None:
    """Create the schema at ``revision`` (default the newest) in an empty database.

    The newest is made by ``create_all`` and stamped, which is quick (a test holds it to
    the revisions run from nothing); an older one by its revisions from nothing.
    """
    from sqlmodel import SQLModel

    from dirtrack.store import tables  # noqa: F401  (registers the tables)

    if revision not in (None, head()):
        _alembic(conn, "upgrade", str(revision))
        return
    SQLModel.metadata.create_all(conn)
    _alembic(conn, "stamp", "head")


def check_schema(engine: Engine) -> None:
    """Create the schema in an empty database; refuse one at another revision (one line).

    Nothing but :func:`upgrade` alters a database that has dirtrack's tables.
    """
    with engine.connect() as conn:
        state = read_state(conn)
    if state.state == "empty":
        with schema_lock(engine) as conn:  # another process may be creating it too
            state = read_state(conn)
            if state.state == "empty":
                create_schema(conn)
                state = read_state(conn)
    if state.state != "current":
        raise ConfigError(refusal(state, shown_url(engine)))


@dataclass(frozen=True)
class Upgraded:
    """What ``upgrade`` did: where the database was, and the revision it is at now."""

    before: SchemaState
    revision: str


def upgrade(engine: Engine, extra_versions: tuple[Path, ...] = ()) -> Upgraded:
    """Bring the database to the newest revision in one transaction; return what was done.

    A first release's database is stamped with the baseline first; an empty one is
    built by the revisions from nothing. A database a later dirtrack upgraded, or one
    whose tables no release made, is refused and left as it is.
    """
    with schema_lock(engine) as conn:
        before = upgrade_on(conn, extra_versions)
    return Upgraded(before, head(extra_versions))


def upgrade_on(conn: Connection, extra_versions: tuple[Path, ...] = ()) -> SchemaState:
    """Bring the database on ``conn`` to the newest revision inside the caller's
    transaction (which holds :func:`schema_lock`); return where it stood before."""
    url = conn.engine.url.render_as_string(hide_password=True)
    before = read_state(conn, extra_versions)
    if before.state in ("ahead", "unknown"):
        raise ConfigError(refusal(before, url))
    if before.state == "unversioned":
        _alembic(conn, "stamp", BASELINE, extra_versions)
    if before.state != "current":
        _alembic(conn, "upgrade", "head", extra_versions)
    after = read_state(conn, extra_versions)
    if after.state != "current":  # a revision that does not end where it claims to
        raise ConfigError(f"the upgrade of {url} ended at revision {after.revision} "
                          f"({after.state}), not {after.head}; nothing was changed")
    return before


def model_differences(conn: Connection, models: MetaData | None = None) -> list[Any]:
    """Return what the models (``tables.py``, or ``models``) have that the database on
    ``conn`` lacks, or the other way round, as Alembic's autogenerate sees it; empty when
    they agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from dirtrack.store import tables  # noqa: F401  (registers the tables)

    context = MigrationContext.configure(conn, opts=environment_options(conn))
    return list(compare_metadata(context, models if models is not None else SQLModel.metadata))


def environment_options(conn: Connection) -> dict[str, Any]:
    """Return the options of Alembic's migration context for dirtrack's database."""
    return {
        "version_table_schema": current_schema(conn),
        "render_as_batch": True,  # SQLite alters a table by copying it
        "compare_type": True,
        "include_object": _ours,
        "render_item": _render_item,
        "transaction_per_migration": False,
    }


def _ours(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    return not (kind == "table" and name == VERSION_TABLE)


def _render_item(kind: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render SQLModel's types as the SQLAlchemy types they stand for (the same DDL), so a
    revision never imports sqlmodel and never changes when it does."""
    from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

    if kind == "type" and isinstance(obj, AutoString):
        return "sa.String()"
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _draft(message: str) -> Path:
    """Write a revision file for what the models changed since the newest revision; return it."""
    import tempfile

    from alembic import command

    number = f"{int(head()) + 1:04d}"
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/draft.db")
        with engine.connect() as conn:
            _alembic(conn, "upgrade", "head")
            conn.commit()
            script = command.revision(config(conn), message=message, autogenerate=True,
                                      rev_id=number)
        engine.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


def columns_module() -> str:
    """Return the text of ``dirtrack/store/columns.py`` for the models as they are."""
    lines = ['"""The tables and columns of the newest schema, as ``dirtrack/store/tables.py`` '
             'declares',
             'them, written out so that checking a database needs no import of the models.',
             '',
             '``tests/integration/test_read_path.py`` holds this to the models; after a change '
             'to',
             'them, ``python -m dirtrack.store.migrate columns`` prints the new listing.',
             '"""', '', 'NEWEST_TABLES: dict[str, set[str]] = {']
    for name, columns in sorted(_model_tables().items()):
        quoted = [f'"{c}",' for c in sorted(columns)]
        line = f'    "{name}": {{' + " ".join(quoted)[:-1] + "},"
        if len(line) <= 100:
            lines.append(line)
            continue
        lines.append(f'    "{name}": {{')
        row = ""
        for item in quoted:
            if row and len(row) + 1 + len(item) > 92:
                lines.append("        " + row)
                row = ""
            row = f"{row} {item}" if row else item
        lines += ["        " + row, "    },"]
    return "\n".join([*lines, "}"]) + "\n"


def _main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        engine = create_engine("sqlite://")
        with engine.connect() as conn:
            _alembic(conn, "upgrade", "head")
            found = model_differences(conn)
        for difference in found:
            print(difference)
        print("the models and the revisions agree" if not found else
              f"{len(found)} difference(s): write a revision (draft \"what changes\")")
        return 1 if found else 0
    if argv[:1] == ["columns"]:
        print(columns_module(), end="")
        return 0
    if argv[:1] == ["draft"] and len(argv) == 2:
        print(f"written {_draft(argv[1])}; review it before you commit it")
        return 0
    print('usage: python -m dirtrack.store.migrate check | columns | draft "what changes"')
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
