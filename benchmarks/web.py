"""API write benchmark: 32 concurrent clients record progress and completions on PostgreSQL.

Starts a real ``dirtrack serve`` (uvicorn, 2 workers) on a fresh PostgreSQL schema
loaded with the Ninh Bình demo directive, gives each client its own commune
officer and API token, and lets them write for a fixed time. Prints throughput,
p50/p99 latency, and checks that the ledger holds exactly one event per accepted
request. Target on two cores: at least 300 writes/s with p99 at most 200 ms.

    .venv/bin/python -m benchmarks.web [--seconds 20] [--clients 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG = os.environ.get("DIRTRACK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
TARGET_RATE, TARGET_P99_MS = 300.0, 200.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dirtrack(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([str(BIN / "dirtrack"), *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"dirtrack {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


async def _client(base: str, token: str, tasks: list[str], until: float,
                  latencies: list[float], outcomes: dict[int, int]) -> None:
    rng = random.Random(token)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        open_tasks = list(tasks)
        while time.perf_counter() < until and open_tasks:
            task = rng.choice(open_tasks)
            if rng.random() < 0.1:  # now and then a completion; the rest progress reports
                path, body = f"/api/tasks/{task}/done", {"note": "hoàn thành"}
                open_tasks.remove(task)
            else:
                path, body = f"/api/tasks/{task}/progress", {"percent": rng.randint(1, 99),
                                                             "note": "tiến độ"}
            start = time.perf_counter()
            response = await client.post(path, json=body)
            latencies.append(time.perf_counter() - start)
            outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1


async def _run(base: str, clients: list[tuple[str, list[str]]], seconds: float
               ) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    outcomes: dict[int, int] = {}
    start = time.perf_counter()
    await asyncio.gather(*(_client(base, token, tasks, start + seconds, latencies, outcomes)
                           for token, tasks in clients))
    return latencies, outcomes, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    schema = f"bench_web_{uuid.uuid4().hex[:8]}"
    url = f"{PG}?options=-csearch_path%3D{schema}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    env = {**os.environ, "DIRTRACK_DATABASE_URL": url, "DIRTRACK_SECRET_KEY": "bench-only"}
    server = None
    try:
        _dirtrack(env, "load", "directives/ninh-binh", "--on", "2024-04-15")
        communes = _dirtrack(env, "tasks", "--json", "--as-of", "2024-04-16")
        import json

        by_unit: dict[str, list[str]] = {}
        for task in json.loads(communes):
            if task["status"].startswith("open") and "@" in task["id"]:
                by_unit.setdefault(task["lead"], []).append(task["id"])
        units = sorted(by_unit, key=lambda u: -len(by_unit[u]))[:args.clients]
        clients = []
        for n, unit in enumerate(units):
            name = f"bench{n:02d}"
            _dirtrack(env, "user", "add", name, "--role", "officer", "--unit", unit,
                      "--no-password")
            clients.append((_dirtrack(env, "user", "token", name), by_unit[unit]))
        port = _free_port()
        server = subprocess.Popen(
            [str(BIN / "uvicorn"), "dirtrack.web.main:app", "--host", "127.0.0.1", "--port",
             str(port), "--workers", str(args.workers), "--log-level", "warning"],
            cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        print(f"{len(clients)} clients ({sum(len(t) for _, t in clients)} open commune tasks), "
              f"{args.workers} server workers, PostgreSQL, {args.seconds:.0f} s")
        latencies, outcomes, elapsed = asyncio.run(_run(base, clients, args.seconds))
        accepted = outcomes.get(201, 0)
        with psycopg.connect(url) as conn:
            recorded = conn.execute("SELECT count(*) FROM event WHERE recorded_by LIKE 'bench%'"
                                    ).fetchone()[0]
        rate = accepted / elapsed
        ordered = sorted(latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[int(0.99 * (len(ordered) - 1))] * 1000
        print(f"requests: {len(latencies)} in {elapsed:.1f} s; answers: "
              + ", ".join(f"{code}: {n}" for code, n in sorted(outcomes.items())))
        print(f"accepted writes per second: {rate:.0f}")
        print(f"latency p50: {p50:.1f} ms, p99: {p99:.1f} ms")
        print(f"ledger: {recorded} events for {accepted} accepted requests "
              f"({'exactly one each' if recorded == accepted else 'MISMATCH'})")
        ok = rate >= TARGET_RATE and p99 <= TARGET_P99_MS and recorded == accepted
        print(f"target >= {TARGET_RATE:.0f} writes/s, p99 <= {TARGET_P99_MS:.0f} ms: "
              f"{'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    sys.exit(main())
