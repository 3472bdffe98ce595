"""The command line as a whole: help on every command, usage errors, validate, no Prefect."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dirtrack.cli import app

from .support import MINI, run_without_db, write_mini

DIRTRACK = Path(sys.executable).parent / "dirtrack"
COMMANDS = sorted(
    (c.name or c.callback.__name__.replace("_", "-"), c.callback)
    for c in app.registered_commands
)


def _flat(text: str) -> str:
    """Return help text with Rich's wrapping and box borders folded into single spaces."""
    return " ".join(text.replace("│", " ").split())


def test_the_documented_commands_are_registered():
    names = {name for name, _ in COMMANDS}
    assert {"validate", "load", "tasks", "status", "show", "graph", "done", "progress",
            "verify", "extend", "cancel", "overdue"} <= names


@pytest.mark.parametrize(("name", "callback"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help(project, name, callback):
    doc = inspect.getdoc(callback)
    assert doc, f"'dirtrack {name}' has no docstring, so no help text"

    run = run_without_db(project, name, "--help")

    assert run.exit_code == 0, run.output
    assert f"Usage: dirtrack {name} [OPTIONS]" in run.stdout
    assert _flat(doc.splitlines()[0]) in _flat(run.stdout)


def test_top_level_help_lists_every_command(project):
    run = run_without_db(project, "--help")

    assert run.exit_code == 0
    listed = _flat(run.stdout)
    for name, _callback in COMMANDS:
        assert f" {name} " in listed, name


BAD_DATES = [
    (("tasks", "--as-of", "2024-13-01"), "--as-of"),
    (("status", "--as-of", "2024-13-01"), "--as-of"),
    (("overdue", "--as-of", "2024-13-01"), "--as-of"),
    (("show", "nb-2024-q2/book-100-models", "--as-of", "2024-13-01"), "--as-of"),
    (("done", "nb-2024-q2/book-100-models", "--unit", "x", "--on", "2024-13-01"), "--on"),
    (("extend", "nb-2024-q2/book-100-models", "--to", "2024-13-01", "--decision", "1/QD"),
     "--to"),
]


@pytest.mark.parametrize(("args", "option"), BAD_DATES, ids=[a[0] for a, _ in BAD_DATES])
def test_a_bad_date_is_a_usage_error(project, args, option):
    run = run_without_db(project, *args)

    assert run.exit_code == 2
    assert "'2024-13-01' is not a date; write it as YYYY-MM-DD" in _flat(run.stderr)
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(("args", "option"), BAD_DATES, ids=[a[0] for a, _ in BAD_DATES])
def test_a_bad_date_names_the_option(project, args, option):
    run = run_without_db(project, *args)

    assert run.exit_code == 2
    assert f"Error: Invalid value for {option}: '2024-13-01' is not a date" in _flat(run.stderr)


def test_validate_the_shipped_directives(project):
    run = run_without_db(project, "validate")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == ("ok: 2 jurisdiction(s), 5 directive(s), 596 task instance(s), "
                          "0 warning(s)\n")  # 154 + 201 + 129 + 102 reports + 10 models
    assert run.stderr == ""


def test_validate_one_file_and_one_jurisdiction(project):
    one_file = run_without_db(project, "validate",
                              "directives/ninh-binh/2024-q2-mass-mobilization.yaml")
    one_folder = run_without_db(project, "validate", "directives/hung-yen")

    assert one_file.stdout == ("ok: 1 jurisdiction(s), 1 directive(s), 154 task instance(s), "
                               "0 warning(s)\n")
    assert one_folder.stdout == ("ok: 1 jurisdiction(s), 3 directive(s), 340 task instance(s), "
                                 "0 warning(s)\n")  # 201 + 129 + the 10 districts' models


def test_validate_prints_every_problem_and_exits_1(project):
    target = write_mini(project)
    target.write_text(target.read_text().replace("lead: dept-a", "lead: dept-aa"))

    run = run_without_db(project, "validate", MINI)

    assert run.exit_code == 1
    assert run.stdout == ""
    hint = "use an id from mini/tiny/units.yaml (did you mean 'dept-a'?)"
    assert run.stderr.splitlines() == [
        f"mini/tiny/mini.yaml:11: lead: unknown unit 'dept-aa'; {hint}",
        f"mini/tiny/mini.yaml:23: lead: unknown unit 'dept-aa'; {hint}",
        "error: 2 error(s) found; nothing was written",
    ]


def test_a_missing_path_is_one_line(project):
    run = run_without_db(project, "validate", "directivez")

    assert run.exit_code == 1
    assert run.stderr.splitlines() == [
        "directivez:0: path: no such file or folder; give a directives path",
        "error: 1 error(s) found; nothing was written",
    ]


NO_PREFECT = textwrap.dedent("""\
    import sys
    from typer.testing import CliRunner
    from dirtrack.cli import app

    runner = CliRunner()
    validated = runner.invoke(app, ["validate"])
    assert validated.exit_code == 0, validated.output
    helped = runner.invoke(app, ["tasks", "--help"])
    assert helped.exit_code == 0, helped.output
    loaded = sorted(m for m in sys.modules if m == "prefect" or m.startswith("prefect."))
    print("prefect modules:", loaded)
""")


def test_commands_that_run_no_flow_do_not_import_prefect(project, tmp_path):
    env = {**os.environ, "DIRTRACK_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}

    run = subprocess.run([sys.executable, "-c", NO_PREFECT], cwd=project, env=env,
                         capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stderr
    assert run.stdout == "prefect modules: []\n"


def test_a_refused_done_in_a_real_process_shows_no_traceback(cli, db_url, project):
    assert cli("load", "directives/ninh-binh", "--on", "2024-04-15").exit_code == 0
    env = {**os.environ, "DIRTRACK_DATABASE_URL": db_url}
    task = "nb-2024-q2/book-100-models"

    refused = subprocess.run(
        [str(DIRTRACK), "done", task, "--unit", "propaganda-department", "--on", "2024-05-01"],
        cwd=project, env=env, capture_output=True, text=True, timeout=120)
    unknown = subprocess.run(
        [str(DIRTRACK), "done", "nb-2024-q2/book-99-models", "--unit", "propaganda-department",
         "--on", "2024-05-01"], cwd=project, env=env, capture_output=True, text=True, timeout=120)

    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert refused.stderr == (
        f"error: unit 'propaganda-department' is not the lead of {task} (lead: "
        "mass-mobilization-commission); only the lead unit can report progress or done\n")
    assert refused.stdout == ""
    assert unknown.returncode == 1
    assert unknown.stderr == ("error: no task 'nb-2024-q2/book-99-models'; list task ids with "
                              "'dirtrack tasks'\n")


def test_an_unreachable_database_is_one_line(project):
    bad = "postgresql://nobody@127.0.0.1:1/none"
    run = subprocess.run([str(DIRTRACK), "tasks", "--as-of", "2024-05-01"], cwd=project,
                         env={**os.environ, "DIRTRACK_DATABASE_URL": bad},
                         capture_output=True, text=True, timeout=120)

    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert len(run.stderr.splitlines()) == 1
    assert run.stderr.startswith("error: cannot open database postgresql+psycopg://nobody@"
                                 "127.0.0.1:1/none: ")


def test_a_database_of_an_earlier_schema_is_one_line_and_left_alone(cli, engine):
    with engine.begin() as conn:  # a column dropped outside dirtrack
        conn.exec_driver_sql("ALTER TABLE delivery DROP COLUMN alerts")

    run = cli("alerts")

    assert run.exit_code == 1
    assert run.stderr.startswith("error: database ")
    from dirtrack.store.migrate import head

    assert run.stderr.endswith(
        f" is at revision {head()} but its tables differ from it (table delivery lacks alerts); it "
        "was altered outside dirtrack: restore a backup into a new database (dirtrack db "
        "restore)\n")
    assert len(run.stderr.splitlines()) == 1
    with engine.connect() as conn:
        columns = conn.exec_driver_sql("SELECT * FROM delivery").keys()
    assert "alerts" not in columns
