"""Schema revisions: a database made by the first release upgrades with every row kept; the
revisions agree with the models and with ``create_all``; only ``db upgrade`` alters a
database, in one transaction; every other command refuses an out-of-date one in one line.

Adding a revision (a column in ``tables.py``, its file in ``migrations/versions``) needs
no change here: ``test_the_models_and_the_revisions_agree`` fails until the revision
exists, and the first release's database is upgraded through it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData
from typer.testing import CliRunner

from dirtrack.cli import app
from dirtrack.store import migrate
from dirtrack.store.engine import make_engine
from dirtrack.store.migrate import head, read_state, shown_url, upgrade

from ..conftest import PG_BASE, Cli, fresh_database
from .schema_support import (
    TEST_REVISION,
    build_first_release,
    columns_of,
    counts_of,
    every_row,
    first_release_schema,
    schema_of,
    unpack_first_release,
    write_revision,
)

HINT = "run 'dirtrack db upgrade' (back it up first with 'dirtrack db backup')"
EVENT_KINDS = {"progress", "done", "verified", "returned", "extended", "cancelled"}


@pytest.fixture(scope="module")
def first_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unpack_first_release(tmp_path_factory.mktemp("first-release"))


def _kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def _state(engine: Engine, extra: tuple[Path, ...] = ()) -> migrate.SchemaState:
    with engine.connect() as conn:
        return read_state(conn, extra)


def _load(cli: Cli) -> None:
    """The demo directives, an event of each kind, two users and a token."""
    for args in (("load", "directives", "--on", "2024-04-15"),
                 ("progress", "nb-2024-q2/supervision-programme", "--unit", "fatherland-front",
                  "--percent", "60", "--on", "2024-06-01"),
                 ("done", "nb-2024-q2/planning-218", "--unit", "planning-investment",
                  "--on", "2024-06-05"),
                 ("verify", "nb-2024-q2/planning-218", "--return", "--reason", "No list",
                  "--on", "2024-06-07"),
                 ("extend", "nb-2024-q2/circular-05", "--to", "2024-07-31", "--decision",
                  "1030/QĐ-UBND", "--on", "2024-06-10"),
                 ("user", "add", "chair", "--role", "steering", "--no-password"),
                 ("user", "add", "ban.doc", "--role", "viewer", "--no-password"),
                 ("user", "token", "chair")):
        assert cli(*args).exit_code == 0, args


# --------------------------------------------------------------- the first release's data


def test_a_first_release_database_upgrades_with_every_row_kept(
        first_release: Path, db_url: str, cli: Cli, tmp_path: Path):
    built = build_first_release(first_release, db_url, tmp_path / "built")
    old = make_engine(db_url, create=False)
    before = every_row(old)
    kinds = {row[before["event"]["columns"].index("kind")] for row in before["event"]["rows"]}
    assert kinds == EVENT_KINDS
    made = counts_of(before)
    assert (made["app_user"], made["api_token"], made["evidence"]) == (3, 2, 1)
    assert made["outbox"] > 0 and made["delivery"] > 0 and made["login_attempt"] == 1
    url = shown_url(old)

    refused = cli("tasks", "--as-of", "2024-06-30")
    assert (refused.exit_code, refused.stderr) == (1, (
        f"error: database {url} has no schema revision (it was made by dirtrack's first "
        f"release), this dirtrack needs {head()}; {HINT}\n"))
    assert every_row(old) == before and "alembic_version" not in migrate.table_columns(
        old.connect())
    status = json.loads(cli("db", "status", "--json").stdout)
    assert (status["state"], status["revision"], status["upgrade_due"]) == (
        "unversioned", None, True)
    assert cli("db", "backup", str(tmp_path / "before.jsonl.gz")).exit_code == 0

    upgraded = cli("db", "upgrade")

    assert upgraded.exit_code == 0, upgraded.stderr
    assert upgraded.stdout.startswith(f"database {url} upgraded from revision none (the first "
                                      f"release's schema) to {head()} in ")
    assert every_row(old, columns_of(before)) == before  # every row of every table
    assert json.loads(cli("db", "status", "--json").stdout)["state"] == "current"
    for day, counts in built["status"].items():
        assert json.loads(cli("status", "--json", "--as-of", day).stdout) == counts
    with fresh_database(_kind(db_url), tmp_path / "fresh") as fresh_url:
        fresh = make_engine(fresh_url)  # made at the newest revision
        assert schema_of(old) == schema_of(fresh)
        fresh.dispose()
    # The backup taken before the upgrade restores (and upgrades) to the same rows.
    with fresh_database(_kind(db_url), tmp_path / "restored") as restored_url:
        restored = Cli(restored_url, tmp_path)("db", "restore", str(tmp_path / "before.jsonl.gz"))
        assert restored.exit_code == 0, restored.stderr
        again = make_engine(restored_url)
        assert every_row(again) == every_row(old)
        again.dispose()
    # A revision on top, as the next ones will be: tables rebuilt and copied on SQLite.
    extra = (write_revision(tmp_path / "versions", head()),)
    upgrade(old, extra)
    after = every_row(old)
    assert every_row(old, columns_of(before)) == before
    users = after["app_user"]
    assert [r[users["columns"].index("display_name")] for r in users["rows"]] == [
        r[users["columns"].index("name")].upper() for r in users["rows"]]
    assert {r[after["event"]["columns"].index("checked")] for r in after["event"]["rows"]} == {
        False}
    with fresh_database(_kind(db_url), tmp_path / "fresh-on-top") as fresh_url:
        fresh = make_engine(fresh_url, create=False)
        upgrade(fresh, extra)  # the revisions from nothing, the one on top included
        assert schema_of(old) == schema_of(fresh)
        fresh.dispose()
    old.dispose()


# --------------------------------------------------------- revisions, models, create_all


def test_the_revisions_from_nothing_give_the_schema_create_all_gives(db_url: str,
                                                                       tmp_path: Path):
    created = make_engine(db_url)
    with fresh_database(_kind(db_url), tmp_path / "second") as second_url:
        migrated = make_engine(second_url, create=False)
        done = upgrade(migrated)
        assert (done.before.state, done.revision) == ("empty", head())
        assert _state(migrated).state == _state(created).state == "current"
        assert schema_of(migrated) == schema_of(created)
        migrated.dispose()
    created.dispose()


def test_the_models_and_the_revisions_agree(db_url: str):
    engine = make_engine(db_url, create=False)
    upgrade(engine)  # the revisions from nothing
    with engine.connect() as conn:
        assert migrate.model_differences(conn) == []
        # ... and a model the revisions lack is told apart.
        from sqlmodel import SQLModel

        models = MetaData()
        for table in SQLModel.metadata.tables.values():
            table.to_metadata(models)
        models.tables["event"].append_column(Column("not_in_the_revisions", Integer, nullable=True))
        found = migrate.model_differences(conn, models)
    assert [(d[0], d[3].table.name, d[3].name) for d in found] == [
        ("add_column", "event", "not_in_the_revisions")]
    engine.dispose()


def test_the_check_command_says_the_models_and_the_revisions_agree():
    run = subprocess.run([sys.executable, "-m", "dirtrack.store.migrate", "check"],
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout) == (0, "the models and the revisions agree\n")


def test_the_revision_files_read_as_alembic_reads_them(tmp_path: Path):
    extra = (write_revision(tmp_path / "versions", head()),)
    for folders in ((), extra):
        alembic = migrate.config(None, folders)
        from alembic.script import ScriptDirectory

        scripts = ScriptDirectory.from_config(alembic)
        assert migrate.revisions(folders) == {s.revision: s.down_revision
                                             for s in scripts.walk_revisions()}
        assert [head(folders)] == list(scripts.get_heads())
    assert head(extra) == TEST_REVISION
    assert migrate.revisions()[migrate.BASELINE] is None


# -------------------------------------------------------------- one transaction, one writer


def test_a_revision_that_fails_leaves_the_database_as_it_was(engine: Engine, cli: Cli,
                                                               tmp_path: Path):
    _load(cli)
    rows, schema = every_row(engine), schema_of(engine)

    with pytest.raises(RuntimeError, match="this revision fails half-way"):
        upgrade(engine, (write_revision(tmp_path / "failing", head(), fail=True),))

    assert every_row(engine) == rows
    assert schema_of(engine) == schema
    assert _state(engine).state == "current"


def test_an_upgrade_through_a_later_revision_keeps_every_row(engine: Engine, cli: Cli,
                                                             tmp_path: Path):
    _load(cli)
    rows = every_row(engine)
    extra = (write_revision(tmp_path / "versions", head()),)
    assert _state(engine, extra).state == "behind"

    done = upgrade(engine, extra)

    assert (done.before.state, done.before.revision, done.revision) == (
        "behind", head(), TEST_REVISION)
    assert every_row(engine, columns_of(rows)) == rows
    assert _state(engine, extra).state == "current"
    # To this dirtrack, which lacks the revision, the database is a later release's.
    refused = cli("tasks")
    assert (refused.exit_code, refused.stderr) == (1, (
        f"error: database {shown_url(engine)} is at revision {TEST_REVISION}, which this "
        f"dirtrack does not know (its newest is {head()}): a later dirtrack upgraded it; use "
        "that release\n"))


def test_databases_opened_at_once_are_created_once(db_url: str):
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            make_engine(db_url).dispose()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    engine = make_engine(db_url, create=False)
    with engine.connect() as conn:
        assert [r for (r,) in conn.exec_driver_sql("SELECT version_num FROM alembic_version")
                ] == [head()]
    engine.dispose()


# ------------------------------------------------------------------------ refusals and status


def test_a_database_without_its_version_table_is_refused_and_left_alone(db_url: str,
                                                                        cli: Cli):
    engine = make_engine(db_url, create=False)
    first_release_schema(engine)
    rows = every_row(engine)

    for args in (("tasks",), ("user", "list"), ("load", "directives", "--on", "2024-04-16")):
        refused = cli(*args)
        assert (refused.exit_code, refused.stderr) == (1, (
            f"error: database {shown_url(engine)} has no schema revision (it was made by "
            f"dirtrack's first release), this dirtrack needs {head()}; {HINT}\n")), args

    assert every_row(engine) == rows
    assert _state(engine).state == "unversioned"
    engine.dispose()


def test_a_database_of_a_later_release_is_refused_by_every_command(engine: Engine, cli: Cli):
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    line = (f"error: database {shown_url(engine)} is at revision 0999, which this dirtrack "
            f"does not know (its newest is {head()}): a later dirtrack upgraded it; use that "
            "release\n")

    assert (cli("tasks").exit_code, cli("tasks").stderr) == (1, line)
    assert (cli("db", "upgrade").exit_code, cli("db", "upgrade").stderr) == (1, line)
    status = cli("db", "status")
    assert (status.exit_code, status.stdout) == (0, (
        f"database: {shown_url(engine)}\nrevision: 0999\nnewest:   {head()}\n"
        "newer than this dirtrack: a later release upgraded it; use that release\n"))
    assert _state(engine).revision == "0999"


def test_tables_no_release_made_are_refused_even_by_upgrade(db_url: str, cli: Cli):
    engine = make_engine(db_url, create=False)
    first_release_schema(engine)
    with engine.begin() as conn:  # a development version's: no version table, a column less
        conn.exec_driver_sql("ALTER TABLE delivery DROP COLUMN alerts")
    line = (f"error: database {shown_url(engine)} has dirtrack's tables but not a schema this "
            "dirtrack knows (table delivery lacks alerts); it was not made by a release of "
            "dirtrack: load the directives into a new database\n")

    for args in (("tasks",), ("db", "upgrade")):
        refused = cli(*args)
        assert (refused.exit_code, refused.stderr) == (1, line), args
    assert _state(engine).state == "unknown"
    engine.dispose()


def test_a_database_behind_is_told_what_to_do(engine: Engine, tmp_path: Path):
    extra = (write_revision(tmp_path / "versions", head()),)

    state = _state(engine, extra)

    assert (state.state, state.upgrade_due) == ("behind", True)
    assert migrate.refusal(state, shown_url(engine)) == (
        f"database {shown_url(engine)} is at revision {head()}, this dirtrack needs "
        f"{TEST_REVISION}; {HINT}")


def test_status_and_upgrade_of_an_empty_database(db_url: str, cli: Cli):
    if db_url.startswith("sqlite"):  # an empty file, as a new volume might hold
        Path(db_url.removeprefix("sqlite:///")).touch()
    url = shown_url(make_engine(db_url, create=False))

    status = cli("db", "status")

    assert (status.exit_code, status.stdout) == (0, (
        f"database: {url}\nrevision: none\nnewest:   {head()}\n"
        "empty: 'dirtrack load' (or 'dirtrack db upgrade') creates the newest schema\n"))
    assert json.loads(cli("db", "status", "--json").stdout) == {
        "database": url, "revision": None, "newest": head(), "state": "empty",
        "upgrade_due": False, "detail": ""}
    assert cli("db", "status").stdout == status.stdout  # status changes nothing
    created = cli("db", "upgrade")
    assert created.stdout.startswith(f"database {url} was empty: created at revision {head()} ")
    assert cli("db", "upgrade").stdout == (f"database {url} is up to date at revision "
                                           f"{head()}; nothing to do\n")
    assert cli("db", "status").stdout.endswith(f"revision: {head()}\nnewest:   {head()}\n"
                                               "up to date\n")


def test_db_commands_on_a_missing_sqlite_file_create_nothing(project: Path, tmp_path: Path):
    target = tmp_path / "missing.db"
    for args in (("db", "status"), ("db", "upgrade"), ("db", "backup", str(tmp_path / "b"))):
        run = Cli(f"sqlite:///{target}", project)(*args)
        assert (run.exit_code, run.stderr) == (1, (
            f"error: no database at {target}; load the directives first (dirtrack load), or "
            "check DIRTRACK_DATABASE_URL\n")), args
    assert not target.exists()


def test_an_upgrade_the_database_refuses_is_one_line_and_changes_nothing(project: Path,
                                                                         tmp_path: Path):
    import psycopg

    with fresh_database("postgresql", tmp_path) as url:
        schema = url.rsplit("%3D", 1)[1]
        role = f"dirtrack_{uuid.uuid4().hex[:8]}"  # may use the schema, not create in it
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {role} LOGIN")
            conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        try:
            run = Cli(url.replace("://postgres@", f"://{role}@"), project)("db", "upgrade")

            assert (run.exit_code, run.stderr) == (1, (
                f"error: database error: permission denied for schema {schema}; nothing was "
                "changed\n"))
            assert _state(make_engine(url, create=False)).state == "empty"
        finally:
            with psycopg.connect(PG_BASE, autocommit=True) as conn:
                conn.execute(f"DROP OWNED BY {role}")
                conn.execute(f"DROP ROLE {role}")


@pytest.mark.parametrize("command", ["status", "upgrade", "backup", "restore"])
def test_every_db_command_has_help(command: str):
    run = CliRunner().invoke(app, ["db", command, "--help"])
    assert run.exit_code == 0
    summary = run.stdout.split("\n\n")[1].strip()
    assert len(summary) > 40, summary
