"""Repeating reports at national scale: occurrences created, opened, and reviewed.

The national registry of ``benchmarks.generate`` (34 provinces, 3,298 communes, 918
province-level units) with one directive: a monthly report from every commune and
every province-level unit over three years (2025-01 to 2027-12, due on the 25th or
the working day before), 151,776 occurrences. Times, on SQLite and PostgreSQL:

1. the load on 2 January 2025 (validate, expand, write the 143,344 occurrences to
   come, create January's and February's 8,432);
2. the deadline check on 1 February 2025, which creates March's 4,216 reports and
   records no alert (the ladder is a reminder 3 days before and an alert 1 day after;
   the check of 31 January has recorded those), and the same check again, when
   nothing at all is due;
3. the review of 2025-Q1 as of 1 April 2025 with its reporting rates, built from the
   ledger (``build_review(fresh=True)``) and written as Markdown, HTML and JSON, after
   80% of the quarter's 12,648 reports are recorded done (three in four of them on
   time).

Targets on two cores: load <= 10 s, check creating the next period's <= 3 s, review
<= 10 s. Each is printed PASS or FAIL; exit 1 when one fails.

    .venv/bin/python -m benchmarks.recurring [--provinces 34] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from benchmarks.generate import write_registry
from benchmarks.run import Database, append_events, postgres_database, sqlite_database

ISSUED = date(2025, 1, 2)
TARGETS = {"load": 10.0, "check opening a month": 3.0, "check with nothing due": 3.0,
           "review": 10.0}
DIRECTIVE = """\
directive:
  id: vn-monthly-reports
  number: "05-HD/BDVTW"
  kind: plan
  title: "Chế độ báo cáo công tác dân vận hằng tháng, 2025-2027"
  issued_by: vn-central
  issued_on: 2025-01-02
tasks:
  - id: commune-report
    title: "Báo cáo công tác dân vận tháng của cấp xã"
    for_each: commune
    sector: political-system
    repeat: monthly
    from: 2025-01
    until: 2027-12
    due: day 25 of last month
    on_day_off: previous
  - id: province-report
    title: "Báo cáo công tác dân vận tháng của các cơ quan cấp tỉnh"
    for_each: province
    sector: political-system
    repeat: monthly
    from: 2025-01
    until: 2027-12
    due: day 25 of last month
    on_day_off: previous
"""
LADDER = """\
language: vi
ladder:
  - {step: reminder, before: 3, to: lead}
  - {step: overdue, after: 1, to: lead}
"""


def workspace(root: Path, provinces: int) -> Path:
    folder = root / "directives" / "vn"
    folder.mkdir(parents=True)
    write_registry(folder, provinces, 2025)
    (folder / "escalation.yaml").write_text(LADDER, encoding="utf-8")
    (folder / "reports.yaml").write_text(DIRECTIVE, encoding="utf-8")
    return folder


def timed(call):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def done_events(db: Database, share: float, on_time: float) -> int:
    """Record ``share`` of the quarter's reports done, ``on_time`` of those by their
    deadline, straight into the ledger; rebuild their spans; return how many."""
    from dirtrack.store.spans import rebuild_spans
    from dirtrack.store.tables import InstanceRow

    table = InstanceRow.__table__  # type: ignore[attr-defined]
    rng = random.Random(2025)
    now = datetime(2025, 4, 1, 9, tzinfo=UTC)
    with db.engine.connect() as conn:
        rows = conn.execute(select(table.c.pk, table.c.due_on, table.c.lead_id).where(
            table.c.due_on < date(2025, 4, 1)).order_by(table.c.pk)).tuples().all()
    events, touched = [], []
    for pk, due, lead in rows:
        if rng.random() >= share:
            continue
        day = due - timedelta(days=rng.randint(0, 5)) if rng.random() < on_time \
            else due + timedelta(days=rng.randint(1, 5))
        events.append((pk, "done", day, now, lead, None, "", "", None, None, ""))
        touched.append(pk)
    append_events(db, events)
    with db.engine.begin() as conn:
        rebuild_spans(conn, touched)
    return len(events)


def bench(db: Database, folder: Path, out: Path) -> dict[str, float]:
    from dirtrack.documents.render import write_review
    from dirtrack.escalation import check_deadlines
    from dirtrack.plan import read_plan
    from dirtrack.review import build_review
    from dirtrack.store.sync import load_plan

    seconds: dict[str, float] = {}
    seconds["load"], summary = timed(lambda: load_plan(
        db.engine, read_plan(folder.parent), on=ISSUED))
    result = summary.results[0]
    print(f"[{db.name}] load: {result.instances:,} occurrences, {summary.opened:,} created, "
          f"{result.waiting:,} to come: {seconds['load']:.2f} s")
    check_deadlines(db.engine, date(2025, 1, 31))
    seconds["check opening a month"], first = timed(
        lambda: check_deadlines(db.engine, date(2025, 2, 1)))
    seconds["check with nothing due"], again = timed(
        lambda: check_deadlines(db.engine, date(2025, 2, 1)))
    print(f"[{db.name}] check 2025-02-01: {first.opened:,} created, {first.recorded} alerts: "
          f"{seconds['check opening a month']:.2f} s; again: {again.opened} created, "
          f"{again.recorded} alerts: {seconds['check with nothing due']:.2f} s")
    check_deadlines(db.engine, date(2025, 3, 1))
    recorded = done_events(db, 0.8, 0.75)

    def review() -> int:
        built = build_review(db.engine, "vn", "2025-Q1", date(2025, 4, 1), fresh=True)
        write_review(built, out, ("md", "html", "json"))
        assert built.overall.reporting is not None
        return built.overall.reporting.total.expected

    seconds["review"], expected = timed(review)
    print(f"[{db.name}] review 2025-Q1 ({recorded:,} reports done of {expected:,} expected): "
          f"{seconds['review']:.2f} s")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    failed = False
    with tempfile.TemporaryDirectory(prefix="dirtrack-recurring-") as tmp:
        work = Path(tmp)
        folder = workspace(work, args.provinces)
        databases = [sqlite_database(work)]
        if not args.no_postgres and (pg := postgres_database()) is not None:
            databases.append(pg)
        for db in databases:
            try:
                seconds = bench(db, folder, work / f"reports-{db.name}")
            finally:
                db.close()
            for name, limit in TARGETS.items():
                verdict = "PASS" if seconds[name] <= limit else "FAIL"
                failed |= verdict == "FAIL" and args.provinces == 34
                print(f"  {verdict} [{db.name}] {name}: {seconds[name]:.2f} s (<= {limit:g} s)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
