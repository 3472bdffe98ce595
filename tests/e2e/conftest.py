"""Fixtures for the end-to-end tests: a real Prefect server in a subprocess, fresh
PostgreSQL schemas for dirtrack, and the venv's command-line programs."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PREFECT = BIN / "prefect"
DIRTRACK = BIN / "dirtrack"
PG_BASE = os.environ.get("DIRTRACK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
HEALTH_TIMEOUT = 120.0
# A Prefect database as the server leaves it right after its first start (migrated,
# block types registered), kept per Prefect version: a server starting on a copy of
# it skips the migrations (about 15 s of a cold start).
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dirtrack"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end tests against a real Prefect server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without any Prefect or dirtrack setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "DIRTRACK_"))}
    env.update(extra)
    return env


@dataclass
class Timings:
    """Wall time of each step, printed at the end of the test (see it with ``-s``)."""

    steps: list[tuple[str, float]] = field(default_factory=list)

    def add(self, name: str, seconds: float) -> None:
        self.steps.append((name, seconds))

    def report(self) -> str:
        return "\n".join(f"  {seconds:6.1f} s  {name}" for name, seconds in self.steps)


@pytest.fixture
def timings() -> Iterator[Timings]:
    found = Timings()
    start = time.monotonic()
    yield found
    found.add("whole test (set-up and tear-down included)", time.monotonic() - start)
    print("\nend-to-end timings:\n" + found.report())


class PrefectServer:
    """``prefect server start`` in a subprocess with its own home; stopped by its PID."""

    def __init__(self, home: Path, timings: Timings) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.timings = timings
        self.log = home / "server.log"
        self.cache = CACHE / f"prefect-{self._version()}-server.db"
        home.mkdir(parents=True, exist_ok=True)
        self.cached = self.cache.exists()
        if self.cached:
            shutil.copyfile(self.cache, home / "prefect.db")
        self.started = time.monotonic()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(PREFECT), "server", "start", "--host", "127.0.0.1",
                 "--port", str(self.port), "--no-ui"],
                cwd=home, env=self.env(), stdout=out, stderr=subprocess.STDOUT)

    @staticmethod
    def _version() -> str:
        from importlib.metadata import version

        return version("prefect")

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of every Prefect command: this server, this home, no telemetry."""
        return clean_env(PREFECT_HOME=str(self.home), PREFECT_API_URL=self.url,
                         PREFECT_SERVER_ANALYTICS_ENABLED="false", **extra)

    def wait_healthy(self, timeout: float = HEALTH_TIMEOUT) -> None:
        deadline = self.started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"prefect server exited with {self.process.returncode}:\n"
                            + self.log.read_text(errors="replace")[-4000:])
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        else:
            pytest.fail(f"prefect server not healthy after {timeout:.0f} s:\n"
                        + self.log.read_text(errors="replace")[-4000:])
        self.timings.add("prefect server start: healthy ("
                         + ("cached database" if self.cached else "fresh database") + ")",
                         time.monotonic() - self.started)
        if not self.cached:
            self._save_cache()

    def _save_cache(self) -> None:
        """Keep a consistent copy of the just-started server's database for next time."""
        partial = self.cache.with_name(f"{self.cache.name}.{uuid.uuid4().hex}")
        try:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            src, dst = sqlite3.connect(self.home / "prefect.db"), sqlite3.connect(partial)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
            os.replace(partial, self.cache)
        except (OSError, sqlite3.Error):
            partial.unlink(missing_ok=True)  # only a cache

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 180,
            label: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``prefect ARGS`` from the project folder; fail the test on a non-zero exit."""
        start = time.monotonic()
        done = subprocess.run([str(PREFECT), *args], cwd=ROOT, env=env or self.env(),
                              capture_output=True, text=True, timeout=timeout)
        self.timings.add(label or "prefect " + " ".join(args), time.monotonic() - start)
        if done.returncode != 0:
            pytest.fail(f"prefect {' '.join(args)} exited with {done.returncode}:\n"
                        f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
        return done

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the REST API; retry as Prefect's own client does when the server is busy
        (on SQLite a write waiting for the database lock answers 503)."""
        for attempt in range(10):
            response = httpx.request(method, f"{self.url}{path}", json=body, timeout=30)
            if response.status_code not in (429, 502, 503) or attempt == 9:
                break
            time.sleep(0.5 * (attempt + 1))
        response.raise_for_status()
        return response.json() if response.content else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def prefect_server(tmp_path: Path, timings: Timings) -> Iterator[PrefectServer]:
    """A Prefect server being started (call ``wait_healthy`` before using it)."""
    server = PrefectServer(tmp_path / "prefect-home", timings)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_schema() -> Iterator[Callable[[], str]]:
    """Make fresh PostgreSQL schemas; return each one's dirtrack URL; drop them afterwards."""
    import psycopg

    made: list[str] = []

    def make() -> str:
        schema = f"e2e_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_BASE, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        made.append(schema)
        return f"{PG_BASE}?options=-csearch_path%3D{schema}"

    yield make
    if made:
        with psycopg.connect(PG_BASE, autocommit=True, connect_timeout=5) as conn:
            for schema in made:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
