"""The flows run in the process when no Prefect server is configured.

The command line asks :func:`flows.runtime.server_url` where a flow runs: on
the Prefect server of ``PREFECT_API_URL`` (tests/e2e/test_cli_on_server.py), or,
with none, in the process, calling the same steps as plain functions. These tests
check that the work and the results are the same as on Prefect's engine, that the
command says where it ran, and that such a command never imports Prefect.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import ROOT, fresh_database
from tests.flows.test_flows import load, write_tiny

IN_PROCESS = ("ran in this process: no Prefect server configured (set PREFECT_API_URL to "
              "record the runs on one)")
DIRTRACK = Path(sys.executable).parent / "dirtrack"


def digests(folder: Path) -> list[tuple[str, str]]:
    """Return (recipient, text) of every digest file under ``folder`` (names end in an id)."""
    return sorted((f.name.rsplit("-", 1)[0], f.read_text(encoding="utf-8"))
                  for f in folder.rglob("*.txt"))


def run_dirtrack(*args: str, home: Path, **env: str) -> tuple[list[str], str, list[str]]:
    """Run the ``dirtrack`` script in a new process with no Prefect setting inherited;
    return its stdout lines, its stderr without Python's import timings, and the
    top-level packages it imported."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DIRTRACK_"))}
    done = subprocess.run([sys.executable, "-X", "importtime", str(DIRTRACK), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**clean, "PREFECT_HOME": str(home), **env})
    assert done.returncode == 0, done.stderr[-3000:]
    timings = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    stderr = "".join(line + "\n" for line in done.stderr.splitlines()
                     if not line.startswith("import time:"))
    packages = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in timings[1:]}
    return done.stdout.splitlines(), stderr, sorted(packages)


# Where the flows run


@pytest.mark.parametrize(("name", "text", "url"), [
    (None, None, None),
    ("profiles.toml", 'active = "local"\n[profiles.local]\n'
                      'PREFECT_API_URL = "http://127.0.0.1:4201/api"\n', "http://127.0.0.1:4201/api"),
    ("profiles.toml", 'active = "default"\n[profiles.default]\n[profiles.local]\n'
                      'PREFECT_API_URL = "http://127.0.0.1:4201/api"\n', None),
    (".env", "PREFECT_API_URL=http://127.0.0.1:4202/api\n", "http://127.0.0.1:4202/api"),
    ("prefect.toml", '[api]\nurl = "http://127.0.0.1:4203/api"\n', "http://127.0.0.1:4203/api"),
    ("pyproject.toml", '[tool.prefect.api]\nurl = "http://127.0.0.1:4204/api"\n',
     "http://127.0.0.1:4204/api"),
    ("pyproject.toml", '[project]\nname = "x"\n', None),
])
def test_the_server_is_found_wherever_prefect_would_read_its_url(
        name, text, url, tmp_path, monkeypatch):
    from flows.runtime import server_url

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PREFECT_HOME", str(home))
    monkeypatch.delenv("PREFECT_PROFILES_PATH", raising=False)
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    if name is not None:
        (home if name == "profiles.toml" else tmp_path).joinpath(name).write_text(text)

    assert server_url() == url

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")  # before every file
    assert server_url() == "http://127.0.0.1:4200/api"


# The same work as on Prefect's engine


@pytest.fixture
def database(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DIRTRACK_DATABASE_URL", db_url)
    return engine


def test_the_deadline_check_in_the_process_does_what_the_prefect_flow_does(
        db_url, engine, tmp_path, monkeypatch):
    from flows.deadline_check import deadline_check
    from flows.steps import deadline_check as steps

    kind = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    folder = write_tiny(tmp_path / "directives")
    with fresh_database(kind, tmp_path / "other") as other_url:
        from dirtrack.store.engine import make_engine

        other = make_engine(other_url)
        for target in (engine, other):
            load(target, folder, date(2024, 4, 1))
        monkeypatch.setenv("DIRTRACK_DATABASE_URL", db_url)
        on_prefect = deadline_check(as_of=date(2024, 5, 20), alerts_dir=str(tmp_path / "a"))
        monkeypatch.setenv("DIRTRACK_DATABASE_URL", other_url)
        in_process = steps.deadline_check(as_of=date(2024, 5, 20),
                                          alerts_dir=str(tmp_path / "b"))
        from flows.steps import close_database

        close_database()
        other.dispose()

    assert in_process == on_prefect
    assert (in_process["recorded"], in_process["digests_sent"]) == (10, 10)
    assert digests(tmp_path / "b") == digests(tmp_path / "a")
    assert len(digests(tmp_path / "a")) == 5


def test_the_review_in_the_process_writes_what_the_prefect_flow_writes(
        database: Engine, project, tmp_path):
    from flows.quarterly_review import quarterly_review
    from flows.steps import quarterly_review as steps

    load(database, project / "directives", date(2024, 4, 15))

    on_prefect = quarterly_review(quarter="2024-Q2", as_of=date(2024, 7, 1),
                                  out=str(tmp_path / "a"))
    in_process = steps.quarterly_review(quarter="2024-Q2", as_of=date(2024, 7, 1),
                                        out=str(tmp_path / "b"))

    assert [Path(f).name for f in in_process] == [Path(f).name for f in on_prefect] == [
        f"review-ninh-binh-2024-Q2.{fmt}" for fmt in ("md", "html", "json", "docx")]
    for a, b in zip(on_prefect, in_process, strict=True):
        if a.endswith(".docx"):  # a zip that carries the moment it was written
            assert docx_text(Path(b)) == docx_text(Path(a))
        else:
            assert Path(b).read_text(encoding="utf-8") == Path(a).read_text(encoding="utf-8")


def docx_text(path: Path) -> list[str]:
    """Return the paragraphs and table cells of a Word file, in order."""
    import docx

    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return [p.text for p in document.paragraphs] + cells


# The command line with no server


def test_escalate_with_no_server_runs_in_the_process_says_so_and_never_imports_prefect(
        db_url, engine, tmp_path):
    load(engine, write_tiny(tmp_path / "directives"), date(2024, 4, 1))
    alerts = tmp_path / "alerts"

    stdout, stderr, packages = run_dirtrack(
        "escalate", "--as-of", "2024-05-20", "--alerts-dir", str(alerts),
        home=tmp_path / "prefect-home", DIRTRACK_DATABASE_URL=db_url)

    assert stdout == ["deadline check as of 2024-05-20: 10 alert(s) recorded (overdue 8, "
                      "supervisor 2), 0 cancelled; 10 digest(s) sent (10 alert(s)), 0 failed, "
                      "0 alert(s) waiting"]
    assert stderr == IN_PROCESS + "\n"
    assert len(digests(alerts)) == 5
    assert "prefect" not in packages
    assert not (tmp_path / "prefect-home").exists()  # nothing of Prefect's was touched


def test_a_listing_imports_neither_prefect_nor_the_graph_and_template_libraries(
        db_url, engine, tmp_path):
    load(engine, write_tiny(tmp_path / "directives"), date(2024, 4, 1))

    stdout, stderr, packages = run_dirtrack("tasks", "--as-of", "2024-05-20",
                                            home=tmp_path / "prefect-home",
                                            DIRTRACK_DATABASE_URL=db_url)

    assert len(stdout) == 1 + 4 and stderr == ""  # the header and four task instances
    assert {"prefect", "networkx", "jinja2"}.isdisjoint(packages)


def test_validate_imports_neither_prefect_nor_the_database_libraries(tmp_path):
    stdout, stderr, packages = run_dirtrack("validate", "directives",
                                            home=tmp_path / "prefect-home")

    assert stdout == ["ok: 2 jurisdiction(s), 5 directive(s), 596 task instance(s), "
                      "0 warning(s)"]  # 154 + 201 + 129 + 102 reports + the 10 districts' models
    assert {"prefect", "sqlalchemy", "sqlmodel"}.isdisjoint(packages)


def test_escalate_with_a_server_that_does_not_answer_is_one_line_and_records_nothing(
        cli, project, tmp_path, monkeypatch):
    import socket

    write_tiny(project / "extra")
    assert cli("load", "extra/tiny", "--on", "2024-04-01").exit_code == 0
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    monkeypatch.setenv("PREFECT_API_URL", url)

    run = cli("escalate", "--as-of", "2024-05-20", "--alerts-dir", str(tmp_path / "alerts"))

    assert (run.exit_code, run.stdout) == (1, "")
    assert run.stderr == (f"error: cannot reach the Prefect server at {url} (PREFECT_API_URL): "
                          "Connection refused; start it, or unset PREFECT_API_URL to run in "
                          "this process\n")
    assert cli("alerts", "--json").stdout.strip() == "[]"
    assert not (tmp_path / "alerts").exists()
