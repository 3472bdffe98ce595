"""Shared fixtures: a real database of each kind, and the command line run in-process."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

# Before anything imports Prefect: a throw-away Prefect home per worker, with a
# database migrated once and cached (see tests/prefect_runtime.py).
from tests.prefect_runtime import prefect_runtime  # noqa: F401
from tests.requirements import in_ci, message, missing, need

ROOT = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("DIRTRACK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI, stop before the first test, with one message, when a tool the suite needs is
    missing (the xdist workers leave the check to the controller)."""
    if in_ci() and not hasattr(session.config, "workerinput"):
        lacking = missing()
        if lacking:
            pytest.exit(message(lacking), returncode=pytest.ExitCode.USAGE_ERROR)


def _settle() -> None:
    """Let the pages the web app asked to build anew in the background be built before
    their database goes."""
    from dirtrack.pages_kept import settle

    settle(120)


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database: an SQLite file, or a PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'dirtrack.db'}"
        _settle()
        return
    need("postgresql")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        _settle()
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, or a new schema in PostgreSQL."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    from dirtrack.store.engine import make_engine

    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


class Cli:
    """Runs ``dirtrack`` in-process against one database, from the project folder."""

    def __init__(self, db_url: str, cwd: Path) -> None:
        self.db_url = db_url
        self.cwd = cwd
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Run:
        from dirtrack.cli import app

        old = Path.cwd()
        os.chdir(self.cwd)
        try:
            result = self.runner.invoke(app, list(args),
                                        env={"DIRTRACK_DATABASE_URL": self.db_url})
        finally:
            os.chdir(old)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the shipped directives and catalog that a test may edit."""
    target = tmp_path / "project"
    target.mkdir()
    shutil.copytree(ROOT / "directives", target / "directives")
    shutil.copytree(ROOT / "tasks_catalog", target / "tasks_catalog")
    return target


@pytest.fixture
def cli(db_url: str, project: Path) -> Cli:
    return Cli(db_url, project)
