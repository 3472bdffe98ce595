"""API write benchmark: 32 concurrent clients record progress and completions on PostgreSQL.

Starts ``dirtrack serve --workers 2`` on a fresh PostgreSQL schema loaded with
national Front plans from ``benchmarks/generate.py`` for one province (97
communes, 30 tasks each per plan), and gives each of the 32 clients the API token
of an officer of its own commune. The clients connect one after another, then all
write for a fixed time, each waiting for an answer before its next request: pick
one of the commune's open tasks, report it done one time in ten, otherwise report
progress. A completed task leaves the client's list. Enough plans are loaded for a
client to write 100 times a second to the end (seven, 210 tasks per commune, for
20 s); the run fails if a client runs out of open tasks all the same.

Prints throughput, p50/p99 latency, the CPU time per request taken by the server,
by PostgreSQL (all its processes: read it on a quiet machine) and by the clients
(Linux only), and checks that the ledger holds exactly one event per accepted
request. Target on two cores: at least 300 writes/s with p99 at most 200 ms.

    .venv/bin/python -m benchmarks.web [--seconds 20] [--clients 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import Engine, and_, select

from benchmarks.generate import generate, write_directive

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG = os.environ.get("DIRTRACK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
TARGET_RATE, TARGET_P99_MS = 300.0, 200.0
LOADED_ON = date(2025, 3, 3)
DONE_SHARE = 0.1  # one write in ten reports a task done; the rest report progress
TASKS_PER_PLAN = 30  # open tasks per commune in each national plan
# Clients are not served alike: the workers split the connections unevenly, and a
# client on the less busy one writes faster. Each gets open tasks enough to write
# this fast for the whole run.
MAX_CLIENT_RATE = 100.0  # writes per second


def plans_for(seconds: float) -> int:
    """Return how many plans to load for a run of ``seconds``.

    >>> plans_for(20)
    7
    """
    return math.ceil(seconds * MAX_CLIENT_RATE * DONE_SHARE / TASKS_PER_PLAN)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(engine: Engine, work: Path, clients: int, plans: int
          ) -> list[tuple[str, list[str]]]:
    """Load the plans and add one officer per commune; return (token, open tasks) per client."""
    from dirtrack.plan import read_plan
    from dirtrack.store.sync import load_plan
    from dirtrack.store.tables import InstanceRow, StateRow, UnitRow
    from dirtrack.users import add_user, issue_token

    folder, catalog, _ = generate(work, provinces=1)
    for index in range(1, plans + 1):
        write_directive(folder, index)
    load_plan(engine, read_plan(folder.parent, catalog=catalog), on=LOADED_ON)
    instances, states, units = (InstanceRow.__table__, StateRow.__table__,  # type: ignore[attr-defined]
                                UnitRow.__table__)  # type: ignore[attr-defined]
    by_unit: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for key, lead in conn.execute(
                select(instances.c.key, states.c.lead_id)
                .join(states, and_(states.c.instance_pk == instances.c.pk,
                                   states.c.valid_to.is_(None)))
                .join(units, units.c.id == states.c.lead_id)
                .where(states.c.state == "open", units.c.level == "commune")
                .order_by(instances.c.key)):
            by_unit.setdefault(lead, []).append(key)
    chosen = sorted(by_unit, key=lambda unit: (-len(by_unit[unit]), unit))[:clients]
    result = []
    for n, unit in enumerate(chosen):
        name = f"bench{n:02d}"
        add_user(engine, name, "officer", unit, None)
        result.append((issue_token(engine, name), by_unit[unit]))
    return result


class Tally:
    """What the clients saw: latencies, answers by status, who ran out of tasks, CPU used."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.answers: dict[int, int] = {}
        self.ran_out = 0
        self.first_refusal = ""
        self.cpu: dict[str, float] = {}


class Connection:
    """One client's keep-alive HTTP/1.1 connection, the plain protocol a load generator speaks.

    httpx took more CPU per request than the server's whole endpoint, on the same two
    cores; this sends the same requests and reads the whole answers for a tenth of that.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 token: str) -> None:
        self.reader, self.writer = reader, writer
        self.head = (f"Host: bench\r\nAuthorization: Bearer {token}\r\n"
                     "Content-Type: application/json\r\n").encode()

    @classmethod
    async def open(cls, port: int, token: str) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port), token)

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None
                      ) -> tuple[int, bytes]:
        """Return the status and body of the answer (a JSON body when one is given)."""
        data = json.dumps(body).encode() if body is not None else b""
        self.writer.write(b"%s %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s"
                          % (method.encode(), path.encode(), self.head, len(data), data))
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = _CONTENT_LENGTH.search(head)
        answer = await self.reader.readexactly(int(length[1])) if length else b""
        return int(head[9:12]), answer

    def close(self) -> None:
        self.writer.close()


_CONTENT_LENGTH = re.compile(rb"(?im)^content-length: *(\d+)")


async def _write(connection: Connection, tasks: list[str], until: float, tally: Tally) -> None:
    """Record progress and completions on ``tasks`` until the time is up."""
    rng = random.Random(tasks[0])
    open_tasks = list(tasks)
    while time.perf_counter() < until:
        if not open_tasks:
            tally.ran_out += 1
            break
        task = rng.choice(open_tasks)
        if rng.random() < DONE_SHARE:
            path, body = f"/api/tasks/{task}/done", {"note": "hoàn thành"}
            open_tasks.remove(task)
        else:
            path, body = f"/api/tasks/{task}/progress", {"percent": rng.randint(1, 99),
                                                         "note": "tiến độ"}
        start = time.perf_counter()
        status, answer = await connection.request("POST", path, body)
        tally.latencies.append(time.perf_counter() - start)
        tally.answers[status] = tally.answers.get(status, 0) + 1
        if status != 201 and not tally.first_refusal:
            tally.first_refusal = f"{status} {answer.decode()}"


def _run(port: int, server_pid: int, clients: list[tuple[str, list[str]]],
         seconds: float) -> tuple[Tally, float]:
    """Run every client for ``seconds``; return what they saw and how long it took.

    The clients connect one after another, each asking who it is (``/api/me``), as
    clients that start at different moments do; then all write at once.
    """
    tally = Tally()

    async def run_all() -> float:
        connections = []
        for token, _ in clients:
            connection = await Connection.open(port, token)
            status, answer = await connection.request("GET", "/api/me")
            if status != 200:
                raise SystemExit(f"/api/me answered {status}: {answer.decode()}")
            connections.append(connection)
        cpu = CpuUse(server_pid)
        start = time.perf_counter()
        await asyncio.gather(*(_write(connection, tasks, start + seconds, tally)
                               for connection, (_, tasks) in zip(connections, clients,
                                                                 strict=True)))
        elapsed = time.perf_counter() - start
        tally.cpu = cpu.spent()
        for connection in connections:
            connection.close()
        return elapsed

    import uvloop  # the server's event loop too (uvicorn[standard])

    return tally, uvloop.run(run_all())


class CpuUse:
    """CPU time taken by the server, PostgreSQL and the clients from now on (Linux /proc).

    On two cores the three share the machine: the split says which one a write waits for.
    """

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.start = self._times()

    def spent(self) -> dict[str, float]:
        """Return CPU seconds per part since the start; new processes count in full."""
        return {part: sum(t - self.start[part].get(pid, 0.0) for pid, t in now.items())
                for part, now in self._times().items()}

    def _times(self) -> dict[str, dict[int, float]]:
        children = Path(f"/proc/{self.server_pid}/task/{self.server_pid}/children")
        server = [self.server_pid, *map(int, children.read_text().split())]
        postgres = [int(p.name) for p in Path("/proc").iterdir()
                    if p.name.isdigit() and _read(p / "comm").strip() == "postgres"]
        return {"server": _cpu_seconds(server), "PostgreSQL": _cpu_seconds(postgres),
                "clients": {os.getpid(): time.process_time()}}


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """Return the CPU time (user + system) each process has used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        fields = _read(Path(f"/proc/{pid}/stat")).rsplit(")", 1)[-1].split()
        if len(fields) > 12:
            times[pid] = (int(fields[11]) + int(fields[12])) / tick
    return times


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:  # the process has just ended
        return ""


def _serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    """Start ``dirtrack serve`` and return once it answers."""
    server = subprocess.Popen([str(BIN / "dirtrack"), "serve", "--port", str(port),
                               "--workers", str(workers)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("dirtrack serve did not answer within 20 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from dirtrack.store.engine import make_engine

    schema = f"bench_web_{uuid.uuid4().hex[:8]}"
    url = f"{PG}?options=-csearch_path%3D{schema}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    env = {**os.environ, "DIRTRACK_DATABASE_URL": url, "DIRTRACK_SECRET_KEY": "bench-only"}
    server = None
    try:
        engine = make_engine(url)
        with tempfile.TemporaryDirectory(prefix="dirtrack-web-bench-") as work:
            clients = build(engine, Path(work), args.clients, plans_for(args.seconds))
        engine.dispose()
        port = _free_port()
        server = _serve(env, port, args.workers)
        print(f"{len(clients)} clients ({sum(len(t) for _, t in clients)} open commune tasks), "
              f"{args.workers} server workers, PostgreSQL, {args.seconds:.0f} s; "
              f"load average {os.getloadavg()[0]:.2f}")
        tally, elapsed = _run(port, server.pid, clients, args.seconds)
        accepted = tally.answers.get(201, 0)
        with psycopg.connect(url) as conn:
            recorded = conn.execute("SELECT count(*) FROM event WHERE recorded_by LIKE 'bench%'"
                                    ).fetchone()[0]
        rate = accepted / elapsed
        ordered = sorted(tally.latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[int(0.99 * (len(ordered) - 1))] * 1000
        print(f"requests: {len(ordered)} in {elapsed:.1f} s; answers: "
              + ", ".join(f"{code}: {n}" for code, n in sorted(tally.answers.items())))
        print(f"accepted writes per second: {rate:.0f}")
        print(f"latency p50: {p50:.1f} ms, p99: {p99:.1f} ms")
        print("CPU per request: " + ", ".join(
            f"{part} {seconds / len(ordered) * 1000:.2f} ms" for part, seconds in tally.cpu.items())
            + f" (of {2 * elapsed * 1000 / len(ordered):.2f} ms on two cores)")
        if tally.first_refusal:
            print(f"first refusal: {tally.first_refusal}")
        print(f"clients out of open tasks before the end: {tally.ran_out}")
        print(f"ledger: {recorded} events for {accepted} accepted requests "
              f"({'exactly one each' if recorded == accepted else 'MISMATCH'})")
        ok = (rate >= TARGET_RATE and p99 <= TARGET_P99_MS and recorded == accepted
              and tally.ran_out == 0)
        print(f"target >= {TARGET_RATE:.0f} writes/s, p99 <= {TARGET_P99_MS:.0f} ms, every "
              f"client busy to the end: {'PASS' if ok else 'FAIL'}; "
              f"load average {os.getloadavg()[0]:.2f}")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    sys.exit(main())
