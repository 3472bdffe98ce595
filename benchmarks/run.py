"""dirtrack at national scale: expand, load, reload, and status over a million instances.

``python -m benchmarks.run`` (or ``make bench``) runs the full benchmark: a
34-province registry (~4,500 units), directives of ~102,000 instances each,
built up to ~1,000,000 instances with ~600,000 ledger events, on SQLite and on
PostgreSQL. ``--quick`` runs the same steps on 4 provinces (10x smaller) as a
smoke check. Every figure is printed on its own line and the whole run is
written to ``bench-results/<timestamp>.json``; the exit status is 1 when a target
of the full run fails.

PostgreSQL is taken from ``DIRTRACK_BENCH_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/test``); the benchmark works in a fresh
schema it drops at the end. Pass ``--no-postgres`` to run SQLite only.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from benchmarks.generate import generate, write_directive

ROOT = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("DIRTRACK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
SEED = 2025
AS_OF = date(2025, 10, 15)  # the date status is asked for
DIRECTIVES = 10  # directives loaded in all: ~1,000,000 instances at full size

# Targets on a two-core machine (full run): seconds.
TARGET_FIRST_LOAD = 10.0  # validate + expand + first load of ~100,000 instances
TARGET_RELOAD = 3.0  # unchanged reload (read_plan(expand_all=False) + load_plan)
TARGET_STATUS = 2.0  # status_counts over ~1,000,000 instances

EVENT_COLUMNS = ("instance_pk", "kind", "effective_on", "recorded_at", "actor", "percent",
                 "note", "evidence", "new_due", "new_lead", "decision")


class Bench:
    """Collects figures, prints each as one labelled line, and judges the targets."""

    def __init__(self) -> None:
        self.figures: dict[str, Any] = {}
        self.targets: list[dict[str, Any]] = []

    def line(self, key: str, label: str, value: float | int, unit: str) -> None:
        self.figures[key] = {"label": label, "value": value, "unit": unit}
        shown = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
        print(f"  {label:<66} {shown:>12} {unit}", flush=True)

    def target(self, name: str, value: float | None, limit: float) -> None:
        verdict = "SKIP" if value is None else "PASS" if value <= limit else "FAIL"
        self.targets.append({"target": name, "value": value, "limit": limit,
                             "verdict": verdict})


@contextmanager
def timed() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


# --------------------------------------------------------------------------- databases


class Database:
    """One database under test: its name, URL and engine, and how to bulk-append events."""

    def __init__(self, name: str, url: str, cleanup: Callable[[], None] | None = None) -> None:
        from dirtrack.store.engine import make_engine

        self.name, self.url, self._cleanup = name, url, cleanup
        self.engine: Engine = make_engine(url)

    def fresh_engine(self) -> Engine:
        from dirtrack.store.engine import make_engine

        return make_engine(self.url, create=False)

    def close(self) -> None:
        self.engine.dispose()
        if self._cleanup:
            self._cleanup()


def sqlite_database(folder: Path) -> Database:
    return Database("sqlite", f"sqlite:///{folder / 'bench.db'}")


def postgres_database() -> Database | None:
    import psycopg

    try:
        with psycopg.connect(PG_BASE, autocommit=True, connect_timeout=3) as conn:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            conn.execute(f"CREATE SCHEMA {schema}")
    except psycopg.OperationalError as exc:
        print(f"  PostgreSQL not reachable at {PG_BASE}: {str(exc).splitlines()[0]}")
        return None

    def drop() -> None:
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")

    sep = "&" if "?" in PG_BASE else "?"
    return Database("postgresql", f"{PG_BASE}{sep}options=-csearch_path%3D{schema}", drop)


# --------------------------------------------------------------------------- ledger events


def make_events(rows: list[tuple[int, str, date, date, str]], rng: random.Random,
                now: datetime) -> tuple[list[tuple], set[int]]:
    """Return a realistic ledger up to AS_OF for instances (pk, key, created, due, lead).

    35% of the instances due by AS_OF (+20 days) are reported done, mostly around
    their deadline and a quarter of them late, and 5% of the later ones early: about
    30% of all instances. 40% of the completions are verified; 15% of the instances
    get a progress report first, 5% of the open ones a deadline extension, 0.5% are
    cancelled. ``rows`` come ordered by key, so both databases get the same ledger.
    """
    events: list[tuple] = []
    touched: set[int] = set()
    horizon = AS_OF + timedelta(days=20)

    def add(pk: int, kind: str, on: date, **kw: Any) -> None:
        events.append((pk, kind, on, now, kw.get("actor", "secretariat"), kw.get("percent"),
                       kw.get("note", ""), "", kw.get("new_due"), None,
                       kw.get("decision", "")))
        touched.add(pk)

    def between(first: date, last: date) -> date:
        return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))

    for pk, _key, created, due, lead in rows:
        if created > AS_OF:
            continue
        if rng.random() < 0.005:
            add(pk, "cancelled", between(created, AS_OF), decision="QĐ 12/QĐ-MTTW",
                note="no longer applicable")
            continue
        last = created
        if rng.random() < 0.15:  # a progress report
            last = between(created, min(due, AS_OF))
            add(pk, "progress", last, actor=lead, percent=rng.choice((25, 50, 75)))
        r = rng.random()
        if due <= horizon and r < 0.35:  # done around the deadline, a quarter late
            late = rng.random() < 0.25
            done = due + timedelta(days=rng.randint(1, 30) if late else rng.randint(-20, 0))
            done = min(max(done, last), AS_OF)
        elif due > horizon and r < 0.05:  # done early
            done = between(last, AS_OF)
        else:
            if r > 0.95 and due > last:  # an extension decided just before the deadline
                on = min(max(last, due - timedelta(days=rng.randint(1, 5))), AS_OF)
                add(pk, "extended", on, new_due=due + timedelta(days=30),
                    decision="CV 345/MTTW-BTT", note="gia hạn do sắp xếp tổ chức")
            continue
        add(pk, "done", done, actor=lead, note="báo cáo kết quả")
        if rng.random() < 0.4 and done < AS_OF:
            add(pk, "verified", between(done + timedelta(days=1), AS_OF))
    return events, touched


def _event_table_columns() -> tuple[list[str], list[Any]]:
    """Return the ledger's columns (but the key) and what to write in each by default.

    Taken from the table itself, so a column added to the ledger gets its model
    default; the benchmark names itself as the recorder where there is one.
    """
    from dirtrack.store.tables import EventRow

    names, fill = [], []
    for col in EventRow.__table__.columns:  # type: ignore[attr-defined]
        if col.primary_key:
            continue
        default = col.default
        names.append(col.name)
        fill.append(default.arg if default is not None and default.is_scalar else None)
    if "recorded_by" in names:
        fill[names.index("recorded_by")] = "benchmarks.run"
    return names, fill


def _sqlite_value(value: Any) -> Any:
    # SQLAlchemy stores SQLite dates and datetimes as ISO text.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def append_events(db: Database, events: list[tuple]) -> None:
    """Append events straight to the ledger table: SQLite executemany, PostgreSQL COPY."""
    names, fill = _event_table_columns()
    slots = [names.index(c) for c in EVENT_COLUMNS]

    def rows() -> Iterator[list[Any]]:
        for event in events:
            row = list(fill)
            for slot, value in zip(slots, event, strict=True):
                row[slot] = value
            yield row

    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cols = ", ".join(names)
        if db.name == "sqlite":
            cur.executemany(f"INSERT INTO event ({cols}) VALUES ({', '.join('?' * len(names))})",
                            [[_sqlite_value(v) for v in row] for row in rows()])
        else:
            with cur.copy(f"COPY event ({cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows():
                    copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


# --------------------------------------------------------------------------- the run


def count_instances(engine: Engine) -> int:
    from dirtrack.store.tables import InstanceRow

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(InstanceRow))
                   .scalar_one())


def run(quick: bool, use_postgres: bool, keep: bool) -> int:
    from dirtrack.plan import read_plan
    from dirtrack.store.queries import status_counts
    from dirtrack.store.spans import rebuild_spans
    from dirtrack.store.sync import load_plan
    from dirtrack.store.tables import EventRow, InstanceRow, StateRow

    started = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    provinces = 4 if quick else 34
    bench = Bench()
    work = Path(tempfile.mkdtemp(prefix="dirtrack-bench-"))
    mode = "quick (4 provinces, 10x smaller)" if quick else "full (34 provinces)"
    print(f"dirtrack benchmark, {mode}; {os.cpu_count()} CPUs; Python "
          f"{platform.python_version()}; load average {load_at_start:.2f}; "
          f"work folder {work}")
    dbs: list[Database] = []
    try:
        heading("Generate the national registry and the first directive")
        with timed() as t:
            folder, catalog, counts = generate(work, provinces=provinces, seed=SEED)
        bench.line("units", "units in the registry "
                   f"({counts['province']} province-level, {counts['district']} districts, "
                   f"{counts['commune']} communes)", sum(counts.values()), "units")
        bench.line("generate_s", "generate the workspace", t(), "s")

        dbs.append(sqlite_database(work))
        if use_postgres:
            pg = postgres_database()
            if pg is not None:
                dbs.append(pg)

        heading("Validate + expand, then first load (one directive)")
        gc.collect()
        with timed() as t:
            plan = read_plan(folder, catalog=catalog, expand_all=False)
        read_s = t()
        with timed() as t:
            instances = edges = 0
            for jur, spec in plan.directives():
                exp = plan.expansion(jur, spec)
                instances += len(exp.instances)
                edges += len(exp.edges())
        expand_s = t()
        if plan.warnings:
            print(f"  ({len(plan.warnings)} warnings, first: {plan.warnings[0]})")
        bench.line("instances_per_directive", "instances in one directive", instances,
                   "instances")
        bench.line("edges_per_directive", "dependency edges in one directive", edges, "edges")
        bench.line("validate_s", "validate (read_plan: registry, catalog, directive)", read_s,
                   "s")
        bench.line("expand_s", f"expand ({instances:,} instances)", expand_s, "s")
        for db in dbs:
            with timed() as t:
                summary = load_plan(db.engine, plan, on=AS_OF)
            load_s = t()
            assert [r.outcome for r in summary.results] == ["new"], summary.results
            bench.line(f"{db.name}.first_load_s", f"[{db.name}] first load (load_plan)", load_s,
                       "s")
            total = read_s + expand_s + load_s
            bench.line(f"{db.name}.validate_expand_load_s",
                       f"[{db.name}] validate + expand + first load", total, "s")
            bench.line(f"{db.name}.first_load_rate", f"[{db.name}] instances loaded per second",
                       round(instances / total), "instances/s")
            bench.target(f"[{db.name}] validate+expand+first load of {instances:,} instances",
                         total, TARGET_FIRST_LOAD)
        del plan, exp

        heading("Unchanged reload (read_plan(expand_all=False) + load_plan; skips by "
                "fingerprint)")
        for db in dbs:
            times = []
            for _ in range(3):
                with timed() as t:
                    plan = read_plan(folder, catalog=catalog, expand_all=False)
                    summary = load_plan(db.engine, plan, on=AS_OF)
                times.append(t())
                assert {r.outcome for r in summary.results} == {"unchanged"}, summary.results
            bench.line(f"{db.name}.reload_first_s", f"[{db.name}] unchanged reload, first run",
                       times[0], "s")
            bench.line(f"{db.name}.reload_best_s", f"[{db.name}] unchanged reload, best of 3",
                       min(times), "s")
            bench.target(f"[{db.name}] unchanged reload ({instances:,} instances)", times[0],
                         TARGET_RELOAD)

        heading(f"Build up to {DIRECTIVES} directives (one new directive file per load, "
                "through load_plan)")
        build = {db.name: 0.0 for db in dbs}
        expand_total = 0.0
        for index in range(2, DIRECTIVES + 1):
            write_directive(folder, index)
            with timed() as t:
                plan = read_plan(folder, catalog=catalog, expand_all=False)
                for jur, spec in plan.directives():
                    if spec.id.endswith(f"-{index:02d}"):
                        plan.expansion(jur, spec)
            expand_total += t()
            for db in dbs:
                with timed() as t:
                    summary = load_plan(db.engine, plan, on=AS_OF)
                build[db.name] += t()
                assert sorted({r.outcome for r in summary.results}) == ["new", "unchanged"]
            del plan
            gc.collect()
        bench.line("build_expand_s", f"read + expand {DIRECTIVES - 1} further directives",
                   expand_total, "s")
        for db in dbs:
            total_instances = count_instances(db.engine)
            bench.line(f"{db.name}.build_load_s",
                       f"[{db.name}] load_plan of {DIRECTIVES - 1} further directives",
                       build[db.name], "s")
            bench.line(f"{db.name}.build_rate",
                       f"[{db.name}] instances loaded per second (incremental loads)",
                       round((total_instances - instances) / build[db.name]), "instances/s")
            bench.line(f"{db.name}.instances", f"[{db.name}] instances in the database",
                       total_instances, "instances")

        heading("Unchanged reload with every directive loaded")
        for db in dbs:
            with timed() as t:
                plan = read_plan(folder, catalog=catalog, expand_all=False)
                summary = load_plan(db.engine, plan, on=AS_OF)
            assert {r.outcome for r in summary.results} == {"unchanged"}
            bench.line(f"{db.name}.reload_all_s",
                       f"[{db.name}] unchanged reload of {DIRECTIVES} directives", t(), "s")
        del plan

        heading("Ledger: bulk-append events, then rebuild instance_state for those instances")
        now = datetime(2025, 10, 15, 9, 0, tzinfo=UTC)
        I = InstanceRow.__table__  # type: ignore[attr-defined]  # noqa: N806
        for db in dbs:
            with timed() as t, db.engine.connect() as conn:
                rows = conn.execute(select(I.c.pk, I.c.key, I.c.created_on, I.c.due_on,
                                           I.c.lead_id).order_by(I.c.key)).tuples().all()
                events, touched = make_events(list(rows), random.Random(SEED), now)
            del rows
            bench.line(f"{db.name}.events_generate_s",
                       f"[{db.name}] read instances and draw the events", t(), "s")
            with timed() as t:
                append_events(db, events)
            bench.line(f"{db.name}.events", f"[{db.name}] events appended", len(events),
                       "events")
            bench.line(f"{db.name}.events_instances", f"[{db.name}] instances with events",
                       len(touched), "instances")
            bench.line(f"{db.name}.events_append_s",
                       f"[{db.name}] bulk append (executemany / COPY)", t(), "s")
            with timed() as t, db.engine.begin() as conn:
                written = rebuild_spans(conn, touched)
            bench.line(f"{db.name}.rebuild_spans_s",
                       f"[{db.name}] rebuild_spans for {len(touched):,} instances "
                       f"({written:,} spans)", t(), "s")
            bench.line(f"{db.name}.rebuild_rate",
                       f"[{db.name}] instances rebuilt per second", round(len(touched) / t()),
                       "instances/s")
            del events, touched
            gc.collect()

        heading(f"status_counts as of {AS_OF} over every instance")
        for db in dbs:
            with db.engine.connect() as conn:
                spans = conn.execute(select(func.count()).select_from(StateRow)
                                     ).scalar_one()
                n_events = conn.execute(select(func.count()).select_from(EventRow)
                                        ).scalar_one()
            total_instances = count_instances(db.engine)
            cold = db.fresh_engine()
            with timed() as t:
                counts_cold = status_counts(cold, AS_OF)
            cold.dispose()
            first = t()
            times = []
            for _ in range(3):
                with timed() as t:
                    counts_now = status_counts(db.engine, AS_OF)
                times.append(t())
            assert counts_now == counts_cold and sum(counts_now.values()) == total_instances
            bench.line(f"{db.name}.status_rows", f"[{db.name}] instance_state spans "
                       f"({total_instances:,} instances, {n_events:,} events)", spans, "rows")
            bench.line(f"{db.name}.status_cold_s",
                       f"[{db.name}] status_counts, first run (new engine)", first, "s")
            bench.line(f"{db.name}.status_best_s", f"[{db.name}] status_counts, best of 3",
                       min(times), "s")
            print("    " + ", ".join(f"{k} {v:,}" for k, v in counts_now.items()))
            bench.figures[f"{db.name}.status_counts"] = counts_now
            bench.target(f"[{db.name}] status_counts over {total_instances:,} instances "
                         "(best of 3)", min(times), TARGET_STATUS)
    finally:
        for db in dbs:
            db.close()
        if keep:
            print(f"\n  kept the work folder {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    heading("Totals")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    bench.line("peak_rss_mb", "peak memory of the process (ru_maxrss)", peak, "MB")
    bench.line("wall_s", "benchmark wall time", time.perf_counter() - started, "s")
    # Other work on the machine skews the figures: a load average near or above the
    # core count means the run shared the CPUs.
    bench.line("load_average", "1-minute load average at the end (2 cores = 2.00)",
               os.getloadavg()[0], "")

    cpus = os.cpu_count() or 1
    busy = max(load_at_start, os.getloadavg()[0]) > cpus
    if busy:
        print(f"\n  WARNING: the machine was busy (load average above {cpus}, the core count) "
              "during the run;\n  other processes shared the CPUs and the timings are "
              "inflated: rerun on a quiet machine.")

    heading("Targets" + (" (quick run: the targets are set for the full size)" if quick else ""))
    for tg in bench.targets:
        value = "n/a" if tg["value"] is None else f"{tg['value']:.2f} s"
        print(f"  {tg['verdict']:<5} {tg['target']}: {value} (target <= {tg['limit']:g} s)")
    if not use_postgres or not any(db.name == "postgresql" for db in dbs):
        print("  SKIP  PostgreSQL targets: PostgreSQL was not benchmarked")

    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    path = out / f"{stamp}{'-quick' if quick else ''}.json"
    path.write_text(json.dumps({
        "mode": "quick" if quick else "full", "timestamp": stamp, "as_of": AS_OF.isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "load_average": {"start": load_at_start, "end": os.getloadavg()[0]}, "busy": busy,
        "figures": bench.figures, "targets": bench.targets,
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\n  results written to {path.relative_to(ROOT)}")
    failed = any(tg["verdict"] == "FAIL" for tg in bench.targets)
    return 1 if failed and not quick else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="10x smaller run (4 provinces) as a smoke check")
    parser.add_argument("--no-postgres", action="store_true", help="benchmark SQLite only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    args = parser.parse_args(argv)
    return run(args.quick, not args.no_postgres, args.keep)


if __name__ == "__main__":
    sys.exit(main())
