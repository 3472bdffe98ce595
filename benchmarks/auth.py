"""Authentication benchmark: what a failed login costs by name, and what a request's
token or session look-up costs.

1. A failed login for a known name, an unknown name, a disabled user and a user
   without a password (API tokens only), each through ``authenticate`` with the
   library's argon2 cost: the median of several. The unknown names must cost what
   a known one does, or the time of a refusal tells who exists. Target: every
   median within 20% of the known name's.
2. Every request looks its token or session up in the database (nothing is kept
   between requests, so that a revoked token or a disabled user stops at once in
   every worker process): the median time of ``user_for_token`` and
   ``session_user``, on SQLite and PostgreSQL, next to the time of a look-up in a
   dictionary (what a per-process cache would cost on a hit).

    .venv/bin/python -m benchmarks.auth [--logins 5] [--lookups 2000] [--no-postgres]

PostgreSQL is taken from ``DIRTRACK_BENCH_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/test``), in a fresh schema dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

PG = os.environ.get("DIRTRACK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "a long enough password"
TARGET_SPREAD = 0.2  # an unknown name's login within 20% of a known one's


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """Yield the URL of an empty database: an SQLite file or a new PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'auth.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def median_seconds(work: Callable[[], object], times: int) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        work()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def logins(url: str, times: int) -> bool:
    """Print the median time of a failed login by kind of name; return whether they agree."""
    from dirtrack.errors import DirtrackError
    from dirtrack.store.engine import make_engine
    from dirtrack.users import ATTEMPTS, add_user, authenticate, set_active

    engine = make_engine(url)
    add_user(engine, "known", "viewer", None, PASSWORD)
    add_user(engine, "disabled", "viewer", None, PASSWORD)
    set_active(engine, "disabled", False)
    add_user(engine, "tokens-only", "viewer", None, None)
    names = {"known name": "known", "unknown name": "nobody", "disabled user": "disabled",
             "no password": "tokens-only"}

    def fail(name: str) -> None:
        with engine.begin() as conn:  # five failures would lock the name out
            conn.execute(ATTEMPTS.delete())
        try:
            authenticate(engine, name, "wrong password")
        except DirtrackError:
            return
        raise AssertionError("a wrong password was taken")

    seconds = {}
    for label, name in names.items():
        fail(name)  # the first builds the hasher and the unknown names' hash
        seconds[label] = median_seconds(lambda name=name: fail(name), times)
    engine.dispose()
    known = seconds["known name"]
    for label, value in seconds.items():
        print(f"failed login, {label}: {value * 1000:.0f} ms ({value / known:.2f} x known)")
    return all(abs(value / known - 1) <= TARGET_SPREAD for value in seconds.values())


def lookups(kind: str, url: str, times: int) -> None:
    """Print the median time of a token's and a session's look-up."""
    from dirtrack.store.engine import make_engine
    from dirtrack.users import add_user, issue_token, user_for_token
    from dirtrack.web.security import open_session, session_user

    engine = make_engine(url)
    user = add_user(engine, "api", "viewer", None, None)
    token, sid = issue_token(engine, "api"), open_session(engine, user)
    cache = {token: user}
    for label, work in (("token", lambda: user_for_token(engine, token)),
                        ("session", lambda: session_user(engine, sid)),
                        ("dictionary (a cache hit)", lambda: cache.get(token))):
        work()
        print(f"{kind}: look-up of a {label}: "
              f"{median_seconds(work, times) * 1e6:.0f} µs (median of {times})")
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.auth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=5, help="failed logins of each kind")
    parser.add_argument("--lookups", type=int, default=2000, help="look-ups of each kind")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        with database("sqlite", Path(folder)) as url:
            agree = logins(url, args.logins)
        for kind in ("sqlite",) if args.no_postgres else ("sqlite", "postgresql"):
            with database(kind, Path(folder)) as url:
                lookups(kind, url, args.lookups)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    print(f"target: every failed login within {TARGET_SPREAD:.0%} of a known name's: "
          + ("PASS" if agree else "FAIL"))
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
