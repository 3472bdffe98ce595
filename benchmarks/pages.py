"""The steering dashboard and the review page at national scale.

Builds ~1,000,000 instances (10 national directives from ``benchmarks.generate``, the
ledger of ``benchmarks.run``) on SQLite and PostgreSQL, signs a steering user in to
the web app (in-process, the app ``dirtrack serve`` runs) and times, as of 01/07/2025
for 2025-Q2:

* ``GET /dashboard`` (its own counts, overdue list, league table, and the quarterly
  review's figures: headline, overview, plan-task rows, verification, changes);
* ``GET /reviews`` (the review as its HTML document);

each the first time (the review built from the ledger, then kept) and again (the
review kept while nothing it read has changed: see ``dirtrack/review/snapshot.py``),
best of three. Target on two cores: each page asked again <= 1 s. The first request's
time is printed beside it.

    .venv/bin/python -m benchmarks.pages [--quick] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.escalation import build
from benchmarks.run import Database, postgres_database, sqlite_database

TARGET = 1.0  # seconds, a page asked again
PASSWORD = "benchmark-password-1"
PAGES = {"dashboard": "/dashboard?as_of=01/07/2025&jurisdiction=vn&quarter=2025-Q2",
         "review page": "/reviews?jurisdiction=vn&quarter=2025-Q2&as_of=01/07/2025"}


def _client(url: str) -> Any:
    """A browser signed in as the steering committee, on a fresh app."""
    import re

    from fastapi.testclient import TestClient

    from dirtrack.store.engine import make_engine
    from dirtrack.users import add_user
    from dirtrack.web.app import create_app

    engine = make_engine(url)
    add_user(engine, "bench.steering", "steering", None, PASSWORD)
    engine.dispose()
    client = TestClient(create_app(url), follow_redirects=False)
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    signed = client.post("/login", data={"name": "bench.steering", "password": PASSWORD,
                                         "csrf": csrf.group(1), "next": "/"})
    assert signed.status_code == 303, signed.text
    return client


def _get(client: Any, path: str) -> tuple[float, int]:
    start = time.perf_counter()
    answer = client.get(path)
    seconds = time.perf_counter() - start
    assert answer.status_code == 200, answer.text[:500]
    return seconds, len(answer.content)


def measure(db: Database) -> list[tuple[str, float, float]]:
    """Time each page first and again; return (name, first, again) per page."""
    client = _client(db.url)
    out = []
    for name, path in PAGES.items():
        first, size = _get(client, path)
        again = min(_get(client, path)[0] for _ in range(3))
        print(f"[{db.name}] {name}: first {first:.2f} s (review built), again {again:.2f} s "
              f"(best of 3), {size / 1024:.0f} KB")
        out.append((name, first, again))
    client.app.state.engine.dispose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 provinces, 10x smaller")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DIRTRACK_SECRET_KEY", "benchmark-signing-key")
    provinces = 4 if args.quick else 34
    work = Path(tempfile.mkdtemp(prefix="dirtrack-pages-"))
    print(f"load average at the start: {os.getloadavg()[0]:.2f} (2 cores)")
    verdicts: list[tuple[str, float]] = []
    try:
        databases = [lambda: sqlite_database(work)]
        if not args.no_postgres:
            databases.append(postgres_database)
        for make in databases:
            db = make()
            if db is None:
                continue
            try:
                start = time.perf_counter()
                instances = build(db, work / f"ws-{db.name}", 10, provinces)
                print(f"[{db.name}] built {instances:,} instances with their ledger in "
                      f"{time.perf_counter() - start:.0f} s")
                verdicts += [(f"[{db.name}] {name}, asked again", again)
                             for name, _, again in measure(db)]
            finally:
                db.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores)")
    failed = False
    for name, seconds in verdicts:
        ok = seconds <= TARGET
        failed |= not ok
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {seconds:.2f} s (target <= {TARGET:g} s)")
    return 1 if failed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
