"""Escalation and review at national scale, and what Prefect costs.

Builds ~1,000,000 instances (10 national directives from ``benchmarks.generate``)
with ~600,000 ledger events on SQLite and PostgreSQL, then times, as of
2025-06-01 (about a tenth of the instances overdue): the first deadline check (record
the alerts due, deliver the digests), a rerun with nothing new, and the
quarterly review. Prefect's overhead is the deadline-check flow's time over the
same library calls without Prefect (each on fresh copies of the SQLite database,
alternately, the best of two). A naive flow with one Prefect task per instance is
timed on 1,000 instances.
Targets on two cores: first check <= 10 s, rerun <= 3 s, review <= 10 s (the flow,
Markdown, HTML and JSON); the review page, ``build_review`` asked again, <= 1 s (the
time to build it from the ledger is printed beside it).

    .venv/bin/python -m benchmarks.escalation [--quick] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.generate import generate, write_directive
from benchmarks.run import (
    AS_OF,
    SEED,
    Database,
    append_events,
    make_events,
    postgres_database,
    sqlite_database,
)

QUARTER = "2025-Q2"
CHECK_ON = date(2025, 6, 1)  # about a tenth of the instances overdue
REVIEW_ON = date(2025, 7, 1)
TARGETS = {"first check": 10.0, "rerun": 3.0, "review": 10.0, "review page": 1.0}
NAIVE = 1000


def build(db: Database, work: Path, directives: int, provinces: int) -> int:
    from dirtrack.plan import read_plan
    from dirtrack.store.engine import refresh_statistics
    from dirtrack.store.spans import rebuild_spans
    from dirtrack.store.sync import load_plan
    from dirtrack.store.tables import InstanceRow

    folder, catalog, _ = generate(work, provinces=provinces, seed=SEED)
    for index in range(1, directives + 1):
        write_directive(folder, index)
        plan = read_plan(folder.parent, catalog=catalog, expand_all=False)
        load_plan(db.engine, plan, on=AS_OF)
    table = InstanceRow.__table__  # type: ignore[attr-defined]
    with db.engine.connect() as conn:
        rows = conn.execute(select(table.c.pk, table.c.key, table.c.created_on,
                                   table.c.due_on, table.c.lead_id).order_by(table.c.key)
                            ).tuples().all()
    events, touched = make_events(list(rows), random.Random(SEED),
                                  datetime(2025, 10, 15, 9, tzinfo=UTC))
    append_events(db, events)
    with db.engine.begin() as conn:
        rebuild_spans(conn, touched)
    # The ledger stands for months of events, by which time PostgreSQL's autovacuum
    # (turned off on some servers) would have refreshed the statistics.
    refresh_statistics(db.engine, "event", "instance_state")
    return len(rows)


def timed(call) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def library_check(url: str, alerts: Path) -> None:
    from dirtrack.alerts import deliver
    from dirtrack.escalation import check_deadlines
    from dirtrack.store.engine import make_engine

    engine = make_engine(url)
    check_deadlines(engine, CHECK_ON)
    deliver(engine, datetime.now(UTC), alerts)


def flow_check(url: str, alerts: Path, as_of: date = CHECK_ON) -> dict:
    os.environ["DIRTRACK_DATABASE_URL"] = url
    from flows.deadline_check import deadline_check

    # The check itself, as the targets and the library calls it is compared with have it:
    # the day's pages it then keeps are timed by benchmarks/pages.py.
    return deadline_check(as_of=as_of, alerts_dir=str(alerts), pages=False)


def flow_review(url: str, out: Path) -> list[str]:
    os.environ["DIRTRACK_DATABASE_URL"] = url
    from flows.quarterly_review import quarterly_review

    return quarterly_review(quarter=QUARTER, as_of=REVIEW_ON, out=str(out),
                            formats=("md", "html", "json"))


def library_review(name: str, url: str) -> float:
    """Time ``build_review`` alone: built from the ledger (best of two), then as the review
    page asks for it again (the review kept, best of three); return the latter."""
    from dirtrack.review import build_review
    from dirtrack.store.engine import make_engine

    engine = make_engine(url)
    cold = min(timed(lambda: build_review(engine, "vn", QUARTER, REVIEW_ON, fresh=True))[0]
               for _ in range(2))
    warm = min(timed(lambda: build_review(engine, "vn", QUARTER, REVIEW_ON))[0]
               for _ in range(3))
    engine.dispose()
    print(f"[{name}] build_review ({QUARTER}): built {cold:.2f} s, kept {warm:.2f} s")
    return warm


def naive(url: str, pks: list[int]) -> float:
    """One Prefect task per instance: read its state, record the alert if it is overdue."""
    from prefect import flow, task
    from sqlalchemy.dialects import postgresql, sqlite

    from dirtrack.store.engine import make_engine
    from dirtrack.store.tables import OutboxRow, StateRow

    engine = make_engine(url)
    S, O = StateRow.__table__, OutboxRow.__table__  # type: ignore[attr-defined]
    dialect = postgresql if url.startswith("postgresql") else sqlite

    @task
    def check_one(pk: int) -> bool:
        with engine.begin() as conn:
            row = conn.execute(select(S).where(S.c.instance_pk == pk,
                                               S.c.valid_to.is_(None))).first()
            if row is None or row.state != "open" or row.due_on >= CHECK_ON:
                return False
            conn.execute(dialect.insert(O).values(
                instance_pk=pk, step="naive", days=1, recipient_id=row.lead_id, channel="log",
                due_on=row.due_on, opened_on=row.opened_on, fired_on=CHECK_ON,
                status="cancelled").on_conflict_do_nothing())
            return True

    @flow(name="naive-check")
    def naive_check(ids: list[int]) -> int:
        return sum(check_one(pk) for pk in ids)

    seconds, _ = timed(lambda: naive_check(pks))
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 provinces, 10x smaller")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    from flows.runtime import prepare

    work = Path(tempfile.mkdtemp(prefix="dirtrack-esc-"))
    prepare(home=str(work / "prefect"))
    from flows.runtime import quick_runs

    provinces = 4 if args.quick else 34
    verdicts: list[tuple[str, float, float]] = []
    try:
        sqlite_db = sqlite_database(work)
        with quick_runs():
            seconds, instances = timed(lambda: build(sqlite_db, work / "ws-sqlite", 10,
                                                     provinces))
            print(f"[sqlite] built {instances:,} instances with their ledger in {seconds:.0f} s")
            from dirtrack.store.queries import status_counts

            counts = status_counts(sqlite_db.engine, CHECK_ON)
            print(f"  as of {CHECK_ON}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
            sqlite_db.engine.dispose()

            def copy_of(source: str, name: str) -> str:
                target = work / name
                for suffix in ("", "-wal", "-shm"):
                    if Path(f"{work / source}{suffix}").exists():
                        shutil.copy(f"{work / source}{suffix}", f"{target}{suffix}")
                return f"sqlite:///{target}"

            copy_of("bench.db", "built.db")  # as built, before any check

            flow_check(f"sqlite:///{work / 'warm.db'}", work / "alerts-warm")  # start Prefect
            first_s, result = timed(lambda: flow_check(sqlite_db.url, work / "alerts"))
            print(f"[sqlite] deadline check flow, first run: {first_s:.2f} s "
                  f"({result['recorded']:,} alerts, {result['digests_sent']:,} digests)")
            # Prefect's overhead: the same first check with and without Prefect, each on
            # a fresh copy of the database, alternately, the best of two each.
            lib_s = flow_s = float("inf")
            for n in range(2):
                url = copy_of("built.db", f"lib{n}.db")
                lib_s = min(lib_s, timed(partial(library_check, url, work / f"al-lib{n}"))[0])
                url = copy_of("built.db", f"flow{n}.db")
                flow_s = min(flow_s, timed(partial(flow_check, url, work / f"al-flow{n}"))[0])
                for name in (f"lib{n}.db", f"flow{n}.db"):
                    for suffix in ("", "-wal", "-shm", ".sending"):
                        Path(f"{work / name}{suffix}").unlink(missing_ok=True)
            print(f"  Prefect overhead: flow {flow_s:.2f} s / library calls {lib_s:.2f} s "
                  f"= {flow_s / lib_s:.2f}")
            rerun_s, result = timed(lambda: flow_check(sqlite_db.url, work / "alerts"))
            print(f"[sqlite] deadline check flow, rerun with nothing new: {rerun_s:.2f} s "
                  f"({result['recorded']} alerts)")
            review_s, files = timed(lambda: flow_review(sqlite_db.url, work / "reports"))
            print(f"[sqlite] quarterly review flow ({QUARTER}, 3 formats): {review_s:.2f} s")
            page_s = library_review("sqlite", sqlite_db.url)
            verdicts += [("[sqlite] first check", first_s, TARGETS["first check"]),
                         ("[sqlite] rerun", rerun_s, TARGETS["rerun"]),
                         ("[sqlite] review", review_s, TARGETS["review"]),
                         ("[sqlite] review page", page_s, TARGETS["review page"])]
            with sqlite_db.engine.connect() as conn:
                from dirtrack.store.tables import InstanceRow

                table = InstanceRow.__table__  # type: ignore[attr-defined]
                pks = list(conn.execute(select(table.c.pk).order_by(table.c.pk).limit(NAIVE))
                           .scalars())
            naive_s = naive(sqlite_db.url, pks)
            print(f"[sqlite] naive flow, one Prefect task per instance: {naive_s:.1f} s for "
                  f"{len(pks):,} instances ({1000 * naive_s / len(pks):.1f} ms each; "
                  f"{naive_s / len(pks) * instances / 3600:.1f} h for {instances:,})")
            sqlite_db.close()
            if not args.no_postgres:
                pg = postgres_database()
                if pg is not None:
                    try:
                        seconds, instances = timed(lambda: build(pg, work / "ws-pg", 10,
                                                                 provinces))
                        print(f"[postgresql] built {instances:,} instances in {seconds:.0f} s")
                        first_s, result = timed(lambda: flow_check(pg.url, work / "alerts-pg"))
                        print(f"[postgresql] deadline check flow, first run: {first_s:.2f} s "
                              f"({result['recorded']:,} alerts)")
                        rerun_s, _ = timed(lambda: flow_check(pg.url, work / "alerts-pg"))
                        print(f"[postgresql] deadline check flow, rerun: {rerun_s:.2f} s")
                        review_s, _ = timed(lambda: flow_review(pg.url, work / "reports-pg"))
                        print(f"[postgresql] quarterly review flow: {review_s:.2f} s")
                        page_s = library_review("postgresql", pg.url)
                        verdicts += [("[postgresql] first check", first_s,
                                      TARGETS["first check"]),
                                     ("[postgresql] rerun", rerun_s, TARGETS["rerun"]),
                                     ("[postgresql] review", review_s, TARGETS["review"]),
                                     ("[postgresql] review page", page_s,
                                      TARGETS["review page"])]
                    finally:
                        pg.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores)")
    failed = False
    for name, value, limit in verdicts:
        ok = value <= limit
        failed |= not ok
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {value:.2f} s (target <= {limit:g} s)")
    return 1 if failed and not args.quick else 0


_ = (timedelta, func)

if __name__ == "__main__":
    sys.exit(main())
