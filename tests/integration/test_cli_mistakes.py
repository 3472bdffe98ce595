"""A user's mistakes on the command line: one line, a non-zero exit, nothing changed.

Files that are not what they should be, dates past the calendar, report folders that
cannot be written, settings in the environment that are wrong.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .support import MINI, counts, load_mini, run_without_db, write_mini

DIRTRACK = Path(sys.executable).parent / "dirtrack"


def _run(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``dirtrack`` in a process of its own, as a user does."""
    return subprocess.run([str(DIRTRACK), *args], cwd=project, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_a_directive_saved_as_utf16_is_named_with_what_to_do(project):
    target = write_mini(project)
    target.write_bytes(target.read_text(encoding="utf-8").encode("utf-16"))

    run = run_without_db(project, "validate", MINI)

    assert run.exit_code == 1
    assert run.stderr.splitlines() == [
        "mini/tiny/mini.yaml:1: file: this is not UTF-8 text; save the file as UTF-8",
        "error: 1 error(s) found; nothing was written"]


def test_a_folder_named_like_a_directive_file_is_one_line(project):
    write_mini(project)
    (project / MINI / "old.yaml").mkdir()

    run = run_without_db(project, "validate", MINI)

    assert (run.exit_code, run.stderr) == (
        1, f"{MINI}/old.yaml:0: file: this is a folder, not a file; rename it so that its name "
           "does not end in .yaml\nerror: 1 error(s) found; nothing was written\n")


def test_a_deadline_past_the_year_9999_is_a_validation_error(project):
    target = write_mini(project)
    target.write_text(target.read_text(encoding="utf-8").replace(
        "due: 2024-05-15", "due: 9999-12-30"), encoding="utf-8")  # summary: 5 days after

    run = run_without_db(project, "validate", MINI)

    assert run.exit_code == 1
    assert run.stderr.splitlines() == [
        "mini/tiny/mini.yaml:37: due: task 'summary' would fall due after the year 9999; "
        "check the deadline",
        "error: 1 error(s) found; nothing was written"]


def test_a_date_in_another_iso_form_is_a_usage_error(cli):
    run = cli("status", "--as-of", "20240501")

    assert run.exit_code == 2
    assert "'20240501' is not a date; write it as YYYY-MM-DD" in " ".join(run.stderr.split())


def test_a_deadline_check_ahead_of_today_is_refused_and_records_nothing(cli, project, engine,
                                                                        clock):
    load_mini(cli, project)
    before = counts(engine)  # the clock: 2024-06-02 in Hanoi, 2024-06-01 in UTC

    run = cli("escalate", "--as-of", "2024-06-03")

    assert run.exit_code == 2
    assert ("2024-06-03 is after today (2024-06-02); a deadline check cannot run ahead of the "
            "calendar") in " ".join(run.stderr.replace("│", " ").split())
    assert counts(engine) == before
    assert cli("alerts").stdout == "no alerts\n"


def test_a_review_of_an_empty_database_says_to_load_first(cli, engine, project):
    run = cli("review", "2024-Q2", "--out", "reports")

    assert (run.exit_code, run.stderr) == (
        1, "error: no jurisdiction is loaded; load the directives first (dirtrack load)\n")
    assert not (project / "reports").exists()


def test_a_command_on_an_sqlite_file_that_is_not_there_says_so_and_creates_nothing(project,
                                                                                   tmp_path):
    missing = tmp_path / "typo" / "dirtrak.db"
    url = f"sqlite:///{missing}"

    runs = [_run(project, *args, DIRTRACK_DATABASE_URL=url)
            for args in (("tasks",), ("status",), ("alerts",), ("review", "2024-Q2"))]

    assert {(r.returncode, r.stderr) for r in runs} == {(
        1, f"error: no database at {missing}; load the directives first (dirtrack load), or "
           "check DIRTRACK_DATABASE_URL\n")}
    assert not missing.parent.exists()
    assert _run(project, "load", "--on", "2024-04-15", DIRTRACK_DATABASE_URL=url).returncode == 0
    assert missing.exists()


def test_a_review_into_a_path_that_is_a_file_is_one_line(cli, project):
    load_mini(cli, project)
    (project / "taken").write_text("not a folder", encoding="utf-8")

    run = cli("review", "2024-Q2", "--as-of", "2024-07-01", "--out", "taken")

    assert (run.exit_code, run.stderr) == (
        1, "error: cannot write into taken: File exists; choose another --out folder\n")
    assert (project / "taken").read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize(("setting", "value", "args", "message"), [
    ("DIRTRACK_TIMEZONE", "Mars/Base", ("status",),
     "DIRTRACK_TIMEZONE='Mars/Base' is not a time zone; use one like Asia/Ho_Chi_Minh, or "
     "unset it"),
    ("DIRTRACK_EVIDENCE_MAX_BYTES", "ten", ("serve", "--port", "1"),
     "DIRTRACK_EVIDENCE_MAX_BYTES='ten' is not a whole number of at least 1; fix or unset it"),
    ("DIRTRACK_CATALOG", "no-such-catalog", ("validate",),
     "DIRTRACK_CATALOG='no-such-catalog' is not a folder; point it at the task catalog, or "
     "unset it to use tasks_catalog beside the directives"),
    ("DIRTRACK_TEMPLATES", "no-such-folder", ("review", "2024-Q2", "--out", "-", "--format",
                                              "md", "--as-of", "2024-07-01"),
     "DIRTRACK_TEMPLATES='no-such-folder' is not a folder; point it at the folder of your "
     "templates, or unset it"),
])
def test_a_wrong_setting_in_the_environment_is_one_line(project, tmp_path, setting, value,
                                                         args, message):
    url = f"sqlite:///{tmp_path / 'settings.db'}"
    assert _run(project, "load", "--on", "2024-04-15", DIRTRACK_DATABASE_URL=url).returncode == 0

    run = _run(project, *args, DIRTRACK_DATABASE_URL=url, **{setting: value})

    assert (run.returncode, run.stderr) == (1, f"error: {message}\n")


def test_a_replaced_review_template_with_a_syntax_error_names_its_file_and_line(project,
                                                                                tmp_path):
    url = f"sqlite:///{tmp_path / 'templates.db'}"
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "review.md.j2").write_text("# {{ quarter\n", encoding="utf-8")
    assert _run(project, "load", "--on", "2024-04-15", DIRTRACK_DATABASE_URL=url).returncode == 0

    run = _run(project, "review", "2024-Q2", "--as-of", "2024-07-01", "--format", "md",
               "--out", "reports", DIRTRACK_DATABASE_URL=url, DIRTRACK_TEMPLATES=str(templates))

    assert run.returncode == 1
    assert run.stderr == (f"error: template error: {templates}/review.md.j2:1: unexpected end "
                          "of template, expected 'end of print statement'.; check the "
                          f"templates in DIRTRACK_TEMPLATES ({templates})\n")
    assert not (project / "reports").exists() or not any((project / "reports").iterdir())


@pytest.mark.parametrize(("args", "message"), [
    (("tasks", "--limit", "0"), "Invalid value for '--limit': 0 is not in the range x>=1."),
    (("alerts", "--limit", "-1"), "Invalid value for '--limit': -1 is not in the range x>=1."),
    (("serve", "--port", "99999"), "Invalid value for '--port': 99999 is not in the range "
                                   "1<=x<=65535."),
])
def test_a_number_out_of_range_is_a_usage_error(project, args, message):
    run = run_without_db(project, *args)

    assert run.exit_code == 2
    assert message in " ".join(run.stderr.replace("│", " ").split())


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://", "sqlite:///:memory:"])
def test_an_sqlite_url_without_a_file_is_refused_before_anything_is_loaded(project, url):
    run = _run(project, "load", "--on", "2024-04-15", DIRTRACK_DATABASE_URL=url)

    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == (f"error: DIRTRACK_DATABASE_URL={url} names no database file, and a "
                          "database in memory ends with the command; name a file, e.g. "
                          "sqlite:///dirtrack.db\n")


def test_alerts_for_a_unit_that_does_not_exist_is_an_error(cli, project):
    load_mini(cli, project)

    run = cli("alerts", "--unit", "dept-x")

    assert (run.exit_code, run.stderr) == (
        1, "error: no unit 'dept-x'; check the id in the jurisdiction's units.yaml\n")
