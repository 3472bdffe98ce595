"""The demo: load the demo directives, replay each directive's quarter day by day on a
simulated calendar, run the deadline check every day, then the quarterly review.

Each simulated day records that day's unit actions, then runs the deadline check's
own steps (record the alerts due, deliver the digests); after the quarter the
quarterly-review flow writes the reports. With a Prefect server configured the
replay is a flow run on it (each day's steps its task runs, each review a subflow
run); without one it runs in this process (see ``flows/runtime.py``). The work
itself is the library's, set-based.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dirtrack.calendar import quarter_bounds
from dirtrack.demo import PROJECT, actions_for, moved_examples, perform, quarter_of, quarter_report
from dirtrack.plan import Plan, read_plan
from flows.runtime import step, whole
from flows.steps import close_database, database
from flows.steps.deadline_check import deliver_digests, record_alerts
from flows.steps.quarterly_review import quarterly_review
from flows.steps.sync import load


@step("record the day's unit actions")
def record_day(day: date, actions: list[Any], jurisdiction: str, plan: Plan) -> list[str]:
    engine = database()
    refused = [perform(engine, plan.registries[jurisdiction], a) for a in actions]
    return [f"{day}: refused: {r}" for r in refused if r]


_echo: list[Callable[[str], None]] = [print]


def with_imported_plans(workdir: Path) -> Path:
    """Return the demo's copy of the shipped directives with the plans imported from Word
    (``directives/*/imported/``) beside the others; the shipped folder stays as it is."""
    target = workdir / "directives"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(PROJECT / "directives", target)
    for imported in sorted(target.glob("*/imported/*.yaml")):
        imported.rename(imported.parent.parent / imported.name)
    return target


def _by_quarter(plan: Plan) -> dict[tuple[str, str], list[tuple[Any, Any]]]:
    """Return the directives by jurisdiction and quarter of issue, in order of issue: the
    directives of one quarter are replayed together, on one calendar."""
    groups: dict[tuple[str, str], list[tuple[Any, Any]]] = {}
    for jur, spec in sorted(plan.directives(), key=lambda js: js[1].issued_on):
        groups.setdefault((jur.id, quarter_of(spec.issued_on)), []).append((jur, spec))
    return groups


@step("demo-replay", kind="flow")
def replay(workdir: str) -> list[str]:
    """Replay the demo quarters; return the review files written."""
    echo = _echo[0]
    engine = database()
    plan = read_plan(with_imported_plans(Path(workdir)), catalog=PROJECT / "tasks_catalog")
    alerts_dir = str(Path(workdir) / "alerts")
    files: list[str] = []
    echo(f"Loaded files: {len(plan.jurisdictions)} jurisdictions, "
         f"{len(plan.directives())} directives")
    for (_, quarter), members in _by_quarter(plan).items():
        jur, specs = members[0][0], [spec for _, spec in members]
        first, last = quarter_bounds(quarter)
        start = specs[0].issued_on
        loaded = load(whole(plan), start)
        for spec in specs:
            count = next(r["instances"] for r in loaded if r.get("directive") == spec.id)
            echo("")
            echo(f"== {jur.name}: {spec.number} {spec.title}")
            echo(f"   issued {spec.issued_on}, {count} task instances; replaying {quarter} "
                 f"({first} to {last}) with the deadline check every day")
        actions = sorted((a for spec in specs for a in actions_for(plan, spec.id)),
                         key=lambda a: (a.day, a.task))
        reorg_days = sorted({r.on for r in jur.reorganisations})
        review_day = last + timedelta(days=1)
        horizon = max([review_day, *[d for d in reorg_days if d <= last + timedelta(days=31)]])
        day, sent, recorded = start, 0, 0
        while day <= horizon:
            if day in reorg_days:
                moved = next((r["reorganisation"] for r in load(whole(plan), day)
                              if "reorganisation" in r), 0)
                echo(f"   {day}: reorganisation takes effect; {moved} open task(s) move to "
                     "the successor units, for example:")
                for spec in specs:
                    moved_examples(engine, jur, plan.registries[jur.id], day, spec.id, echo)
            for line in record_day(day, [a for a in actions if a.day == day], jur.id, whole(plan)):
                echo("   " + line)
            checked = record_alerts(day)
            delivered = deliver_digests(alerts_dir)
            recorded += checked["recorded"]
            sent += delivered["digests_sent"]
            if day == last:
                echo(f"   deadline checks {start} to {last}: {recorded} alerts "
                     f"recorded, {sent} digests delivered (log and files)")
                for spec in specs:
                    quarter_report(engine, spec.id, last, echo)
            day += timedelta(days=1)
        files += quarterly_review(quarter=quarter, as_of=review_day,
                                  out=str(Path(workdir) / "reports"), jurisdiction=jur.id)
    return files


def run_demo(workdir: Path, echo: Callable[[str], None] = print,
             on_server: bool = False) -> list[str]:
    """Build the demo in ``workdir`` (database, alerts, reports) and print the outcome:
    a flow run on the configured Prefect server when ``on_server``, else in this process."""
    workdir.mkdir(parents=True, exist_ok=True)
    for previous in ("alerts", "reports"):  # a replay starts from nothing
        shutil.rmtree(workdir / previous, ignore_errors=True)
    db = workdir / "demo.db"
    close_database()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DIRTRACK_DATABASE_URL"] = f"sqlite:///{db}"
    _echo[0] = echo
    (workdir / "alerts").mkdir(exist_ok=True)
    log_file = logging.FileHandler(workdir / "alerts" / "alerts.log", encoding="utf-8")
    log_file.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    alerts_log = logging.getLogger("dirtrack.alerts")
    alerts_log.addHandler(log_file)
    alerts_log.setLevel(logging.INFO)
    alerts_log.propagate = False  # the demo's log channel is alerts.log, not the console
    try:
        if on_server:
            from flows.runtime import quick_runs

            with quick_runs():
                files = replay.prefect(str(workdir))
        else:
            files = replay(str(workdir))
    finally:
        alerts_log.removeHandler(log_file)
        alerts_log.propagate = True
        log_file.close()
    echo("")
    echo("The quarterly reviews:")
    for path in files:
        echo(f"  {path}")
    echo(f"Alert digests: {workdir / 'alerts'} (one file per digest; the log channel in "
         "alerts.log)")
    echo(f"The replayed database: {db}; explore it, for example:")
    echo(f"  DIRTRACK_DATABASE_URL=sqlite:///{db} dirtrack show "
         "nb-2024-q2/district-summary@kim-son --as-of 2024-06-30")
    return files
