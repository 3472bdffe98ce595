"""The command line on the demo database, each command cold in a new process.

``python -m benchmarks.commands`` (part of ``make bench``) builds the demo database
once (``dirtrack demo``, itself timed), then runs each command ``--runs`` times, every
time in a new process (the flows' commands on a fresh copy of the database, since
they write to it; ``escalate`` on one with the outbox emptied, since the demo has
checked its deadlines to 2025-09-30), and prints the best and the median wall time
and the best CPU time (user + system) against the targets:

* ``escalate`` and ``review`` <= 3 s, with no Prefect server configured (they run in
  the process) and with one (``PREFECT_API_URL``: the runs are recorded on it);
  ``escalate`` checks a day before today, so it keeps no pages; ``escalate --pages``
  also builds and keeps that day's dashboard and reviews, as the check of today does;
* ``tasks``, ``status``, ``show``, ``overdue``, ``validate``, ``--help`` <= 0.5 s.

For comparison it also runs the same two flows on Prefect's engine with no server,
as the command line did before: Prefect then starts its temporary server in the
process, first on an empty Prefect home (which it migrates: half a minute or more),
then on that home, and on it again with the migration check and the registration
of block types turned off (``PREFECT_API_DATABASE_MIGRATE_ON_START=false``,
``PREFECT_API_BLOCKS_REGISTER_ON_START=false``, as the flow tests do).

The server is ``prefect server start --host 127.0.0.1 --port <free port> --no-ui``
with a Prefect home of its own, started once and stopped at the end (``--no-server``
skips those rows). Every command runs from the project folder with no ``PREFECT_*``
or ``DIRTRACK_*`` setting inherited and a fresh, empty Prefect home of its own. Wall
times are only comparable on a quiet machine: the load average is printed at the
start and the end. Commands run with this environment's ``PYTHONDONTWRITEBYTECODE``:
with it set, only bytecode compiled beforehand (``make install`` compiles it) is
read; the first line says whether it is there. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FLOW_TARGET, QUERY_TARGET = 3.0, 0.5
CHECK_ON, REVIEW_QUARTER, REVIEW_ON = "2025-07-15", "2025-Q2", "2025-07-01"
# The demo checks deadlines every day of its quarters, to 2025-09-30: ``escalate`` runs
# on a copy with no alert recorded, so that the check as of CHECK_ON has its work to do.
NO_ALERTS = ("DELETE FROM delivery", "DELETE FROM outbox")
# The same two flows on Prefect's engine with no server, as the command line ran them
# before: Prefect starts its temporary server in the process.
ON_PREFECT_ENGINE = """\
import sys
from datetime import date
from flows.runtime import quick_runs
with quick_runs():
    if sys.argv[1] == "escalate":
        from flows.deadline_check import deadline_check
        deadline_check(as_of=date.fromisoformat(sys.argv[2]), alerts_dir=sys.argv[3])
    else:
        from flows.quarterly_review import quarterly_review
        quarterly_review(quarter=sys.argv[2], as_of=date.fromisoformat(sys.argv[3]),
                         out=sys.argv[4])
"""


@dataclass
class Row:
    """The timings of one command in one setting."""

    name: str
    setting: str
    target: float | None
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def line(self) -> str:
        best, median = min(self.wall), statistics.median(self.wall)
        verdict = "" if self.target is None else (
            f"<= {self.target:g} s  {'PASS' if best <= self.target else 'FAIL'}")
        return (f"  {self.name:<16} {self.setting:<34} {best:7.2f} {median:7.2f} "
                f"{min(self.cpu):7.2f}  {verdict}")


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any Prefect or dirtrack setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DIRTRACK_"))}
    env.update(extra)
    return env


def timed(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float]:
    """Run ``args`` in a new process; return its wall and CPU seconds (fail loudly)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited with {done.returncode}:\n"
                         f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def settled(source: Path) -> None:
    """Write the database's log into its file, so that copying the file copies it all."""
    with closing(sqlite3.connect(source)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def without_alerts(source: Path, target: Path) -> Path:
    """Copy the demo database to ``target`` with its outbox emptied; return ``target``."""
    shutil.copyfile(source, target)
    with closing(sqlite3.connect(target)) as conn, conn:  # committed, then closed
        for statement in NO_ALERTS:
            conn.execute(statement)
    settled(target)
    return target


def bytecode_note() -> str:
    """Say whether the installed packages are compiled (``make install`` compiles them):
    where Python may not write bytecode, commands otherwise compile from source each time."""
    import importlib.util

    import sqlalchemy

    compiled = Path(importlib.util.cache_from_source(sqlalchemy.__file__)).exists()
    flag = os.environ.get("PYTHONDONTWRITEBYTECODE") or "unset"
    return (f"bytecode of the installed packages: {'present' if compiled else 'ABSENT'} "
            f"(PYTHONDONTWRITEBYTECODE {flag})")


def fresh_copy(source: Path, target: Path) -> str:
    """Copy the demo database to ``target``; return its URL."""
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``prefect server start`` with a home of its own, stopped by its PID."""

    def __init__(self, home: Path) -> None:
        home.mkdir(parents=True)
        self.url = f"http://127.0.0.1:{free_port()}/api"
        self.started = time.perf_counter()
        self.log = (home / "server.log").open("wb")
        self.process = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
             "--port", self.url.split(":")[2].split("/")[0], "--no-ui"],
            cwd=home, stdout=self.log, stderr=subprocess.STDOUT,
            env=clean_env(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false"))

    def wait_healthy(self, timeout: float = 300) -> float:
        """Wait until the server answers; return the seconds since it was started."""
        import httpx

        while time.perf_counter() - self.started < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"prefect server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return time.perf_counter() - self.started
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise SystemExit(f"prefect server not healthy after {timeout:.0f} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.commands", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="new processes per command (5)")
    parser.add_argument("--no-server", action="store_true",
                        help="skip the rows with a Prefect server and on Prefect's engine")
    args = parser.parse_args(argv)
    print(f"load average at the start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    print(bytecode_note())
    work = Path(tempfile.mkdtemp(prefix="dirtrack-commands-"))
    count = iter(range(10**6))
    dirtrack = [str(BIN / "dirtrack")]
    python = [str(BIN / "python"), "-c", ON_PREFECT_ENGINE]
    warm = str(work / "warm-home")  # the temporary server's home, migrated once

    def env(**extra: str) -> dict[str, str]:  # an empty Prefect home for each process
        return clean_env(PREFECT_HOME=str(work / "homes" / str(next(count))), **extra)

    def database(name: str) -> str:  # a fresh copy of the demo database: the flows write to it
        source = unalerted if name.startswith("escalate") else demo
        return fresh_copy(source, work / f"copy{next(count)}.db")

    def folder(name: str) -> str:
        return str(work / f"{name}{next(count)}")

    def command(name: str) -> list[str]:
        if name.startswith("escalate"):  # "escalate --pages": the day's pages kept too
            return dirtrack + ["escalate", "--as-of", CHECK_ON, "--alerts-dir", folder("al"),
                               *name.split()[1:]]
        return dirtrack + ["review", REVIEW_QUARTER, "--as-of", REVIEW_ON, "--out",
                           folder("reports")]

    def on_engine(name: str) -> list[str]:
        if name == "escalate":
            return python + ["escalate", CHECK_ON, folder("al")]
        return python + ["review", REVIEW_QUARTER, REVIEW_ON, folder("reports")]

    queries = {"tasks": ["tasks"], "status": ["status"],
               "show": ["show", "nb-2024-q2/district-summary@kim-son", "--as-of", "2024-06-30"],
               "overdue": ["overdue"], "validate": ["validate", "directives"],
               "--help": ["--help"]}
    flows = ("escalate", "review")
    commands = ("escalate", "escalate --pages", "review")
    runs: list[tuple[Row, Callable[[str], tuple[list[str], dict[str, str]]]]] = [
        (Row(name, "no Prefect server: in the process", FLOW_TARGET),
         lambda name: (command(name), env(DIRTRACK_DATABASE_URL=database(name))))
        for name in commands]
    runs += [(Row(name, "", QUERY_TARGET),
              lambda name: (dirtrack + queries[name],
                            env(DIRTRACK_DATABASE_URL=f"sqlite:///{demo}")))
             for name in queries]
    server: Server | None = None
    try:
        wall, cpu = timed(dirtrack + ["demo", "--workdir", str(work / "demo")], env())
        print(f"dirtrack demo (builds the database): {wall:.1f} s wall, {cpu:.1f} s CPU")
        demo = work / "demo" / "demo.db"
        settled(demo)
        unalerted = without_alerts(demo, work / "unalerted.db")
        if not args.no_server:
            server = Server(work / "server-home")
            print(f"prefect server start: healthy after {server.wait_healthy():.1f} s")
            url = server.url
            runs[3:3] = [(Row(name, "Prefect server (PREFECT_API_URL)", FLOW_TARGET),
                          lambda name: (command(name), env(DIRTRACK_DATABASE_URL=database(name),
                                                           PREFECT_API_URL=url)))
                         for name in commands]
            runs[6:6] = [(Row(name, "Prefect engine, temporary server", None),
                          lambda name: (on_engine(name), clean_env(
                              PREFECT_HOME=warm, DIRTRACK_DATABASE_URL=database(name))))
                         for name in flows]
            # The same, told that its database is migrated and its block types registered
            # (the settings the flow tests use to start it faster).
            runs[8:8] = [(Row(name, "... no migration check, no blocks", None),
                          lambda name: (on_engine(name), clean_env(
                              PREFECT_HOME=warm, DIRTRACK_DATABASE_URL=database(name),
                              PREFECT_API_DATABASE_MIGRATE_ON_START="false",
                              PREFECT_API_BLOCKS_REGISTER_ON_START="false")))
                         for name in flows]
            wall, cpu = timed(*runs[6][1]("escalate"))
            print(f"first flow on Prefect's engine, empty home (migrates it): {wall:.1f} s "
                  f"wall, {cpu:.1f} s CPU")
        for _ in range(args.runs):
            for row, call in runs:
                wall, cpu = timed(*call(row.name))
                row.wall.append(wall)
                row.cpu.append(cpu)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n  {'command':<16} {'setting':<34} {'best':>7} {'median':>7} {'CPU':>7}  "
          f"target  (seconds; best and median wall time of {args.runs} new processes, "
          "best CPU time)")
    for row, _ in runs:
        print(row.line())
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    missed = [row for row, _ in runs if row.target is not None and min(row.wall) > row.target]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
