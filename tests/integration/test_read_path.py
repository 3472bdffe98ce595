"""The commands that only read (tasks, status, show, overdue) go through the database's
driver: they load neither SQLAlchemy, the table models, pydantic nor Prefect, read the
same rows as through SQLAlchemy, and still refuse a database at another revision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import asdict
from datetime import date

import pytest

from dirtrack.store import migrate
from dirtrack.store.columns import NEWEST_TABLES
from dirtrack.store.direct import open_database
from dirtrack.store.engine import make_engine
from dirtrack.store.migrate import create_schema, head, revisions, shown_url
from dirtrack.store.reads import Filters, list_tasks, overdue, show_task, status_counts

KEY = "nb-2024-q2/district-summary@kim-son"
READS = [("tasks", "--as-of", "2024-06-30"), ("tasks", "--status", "open_overdue", "--json"),
         ("status", "--as-of", "2024-06-30"), ("status", "--unit", "kim-son", "--json"),
         ("show", KEY, "--as-of", "2024-06-30"), ("show", KEY, "--json"),
         ("overdue", "--as-of", "2024-07-15"), ("overdue", "--directive", "nb-2024-q2")]
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "prefect", "jinja2", "alembic")
# Runs one command as the ``dirtrack`` script does, then names the heavy packages loaded.
RUN_AND_LIST = textwrap.dedent("""\
    import sys
    from dirtrack.cli import main
    sys.argv = ["dirtrack", *sys.argv[1:]]
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
    print("loaded:", ", ".join(heavy) or "none", file=sys.stderr)
    sys.exit(code)
""").replace("HEAVY", repr(HEAVY))


def _loaded(cli) -> None:  # type: ignore[no-untyped-def]
    for args in (("load", "directives/ninh-binh", "--on", "2024-04-15"),
                 ("progress", KEY, "--unit", "kim-son", "--percent", "40", "--on", "2024-06-01"),
                 ("done", "nb-2024-q2/planning-218", "--unit", "planning-investment",
                  "--on", "2024-06-05")):
        assert cli(*args).exit_code == 0, args


def test_the_written_out_tables_are_the_models():
    # Checking a database's revision compares its columns with this listing; after a
    # change to the models: python -m dirtrack.store.migrate columns > dirtrack/store/columns.py
    assert migrate._model_tables() == NEWEST_TABLES, (
        "dirtrack/store/columns.py is not the models' tables: python -m "
        "dirtrack.store.migrate columns > dirtrack/store/columns.py")


def test_read_commands_load_no_sqlalchemy_models_pydantic_or_prefect(cli, db_url, project,
                                                                    monkeypatch):
    _loaded(cli)
    monkeypatch.setenv("DIRTRACK_NOW", "2024-07-20T03:00:00+00:00")  # here and in the child
    env = {**os.environ, "DIRTRACK_DATABASE_URL": db_url}

    for args in [*READS, ("--help",)]:
        run = subprocess.run([sys.executable, "-c", RUN_AND_LIST, *args], cwd=project,
                             env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, (args, run.stderr)
        assert run.stderr.splitlines()[-1] == "loaded: none", args
        if args != ("--help",):  # the same output as the command run in this process
            assert run.stdout == cli(*args).stdout, args


def test_a_database_of_the_previous_revision_is_refused_by_every_read_command(db_url, cli):
    engine = make_engine(db_url, create=False)
    previous = revisions()[head()]
    with engine.begin() as conn:
        create_schema(conn, previous)
    line = (f"error: database {shown_url(engine)} is at revision {previous}, this dirtrack "
            f"needs {head()}; run 'dirtrack db upgrade' (back it up first with 'dirtrack db "
            "backup')\n")

    for args in READS:
        run = cli(*args)
        assert (run.exit_code, run.stdout, run.stderr) == (1, "", line), args

    with engine.connect() as conn:
        assert [r for (r,) in conn.exec_driver_sql("SELECT version_num FROM alembic_version")
                ] == [previous]
    engine.dispose()


def test_a_column_dropped_by_hand_is_refused_by_every_read_command(cli, engine):
    _loaded(cli)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE event DROP COLUMN decision")
    line = (f"error: database {shown_url(engine)} is at revision {head()} but its tables "
            "differ from it (table event lacks decision); it was altered outside dirtrack: "
            "restore a backup into a new database (dirtrack db restore)\n")

    for args in READS:
        run = cli(*args)
        assert (run.exit_code, run.stdout, run.stderr) == (1, "", line), args


def test_the_listings_read_the_same_through_the_driver_and_through_sqlalchemy(cli, engine,
                                                                               db_url):
    _loaded(cli)
    database = open_database(db_url)
    assert database is not None
    day = date(2024, 7, 15)

    for filters in (Filters(), Filters(unit="kim-son"), Filters(directive="nb-2024-q2"),
                    Filters(status="open_overdue"), Filters(support="fatherland-front"),
                    Filters(keys=[KEY, "nb-2024-q2/planning-218"]), Filters(awaiting=True)):
        through_driver = [asdict(t) for t in list_tasks(database, day, filters)]
        assert through_driver == [asdict(t) for t in list_tasks(engine, day, filters)]
    assert status_counts(database, day) == status_counts(engine, day)
    assert overdue(database, day, limit=5) == overdue(engine, day, limit=5)
    shown = show_task(database, KEY, day)
    assert shown == show_task(engine, KEY, day)
    assert [(e["kind"], e["effective_on"], e["percent"]) for e in shown.events] == [
        ("progress", date(2024, 6, 1), 40)]
    assert shown.events[0]["recorded_at"].utcoffset().total_seconds() == 0


@pytest.mark.parametrize("url", ["sqlite:///x.db?mode=ro", "sqlite://", "mysql://h/db"])
def test_a_url_the_driver_path_does_not_read_is_left_to_sqlalchemy(url):
    assert open_database(url) is None


def test_show_as_json_through_the_driver_gives_dates_and_times_as_text(cli):
    _loaded(cli)

    shown = json.loads(cli("show", KEY, "--as-of", "2024-06-30", "--json").stdout)

    assert (shown["status"]["due_on"], shown["status"]["status"]) == ("2024-06-14",
                                                                       "open_overdue")
    [event] = shown["events"]
    assert (event["kind"], event["effective_on"], event["percent"]) == ("progress",
                                                                        "2024-06-01", 40)
    assert event["recorded_at"].endswith("+00:00")
