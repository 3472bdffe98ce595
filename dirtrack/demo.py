"""``make demo``: load the demo directives and replay a quarter of unit actions.

The replay is deterministic: named actions tell the stories a review conference
discusses (a book published and verified, a district summary returned, a
deadline extended by decision, a merger moving open work), and every other
instance gets an outcome from a stable hash of its id: most units finish on
time, some late, some never.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dirtrack.calendar import quarter_bounds
from dirtrack.errors import DirtrackError
from dirtrack.plan import Plan, read_plan
from dirtrack.present import counts, overdue_table, task_detail
from dirtrack.store.engine import make_engine
from dirtrack.store.ledger import record_event
from dirtrack.store.queries import Filters, list_tasks, overdue, show_task, status_counts
from dirtrack.store.sync import load_plan

PROJECT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Action:
    day: date
    kind: str  # progress | done | verified | returned | extended
    task: str
    unit: str | None = None
    note: str = ""
    evidence: str = ""
    percent: int | None = None
    new_due: date | None = None
    decision: str = ""


# The named stories; every other instance follows the hash rule below.
STORY = [
    Action(date(2024, 5, 15), "progress", "nb-2024-q2/book-100-models",
           "mass-mobilization-commission", "Manuscript of 100 models edited", percent=40),
    Action(date(2024, 6, 25), "done", "nb-2024-q2/book-100-models",
           "mass-mobilization-commission", "Book printed and distributed",
           evidence="Publishing licence 215/QĐ-NXB, 1,000 copies"),
    Action(date(2024, 6, 28), "verified", "nb-2024-q2/book-100-models",
           note="Checked against Plan No. 24-KH/BCĐ"),
    Action(date(2024, 6, 10), "done", "nb-2024-q2/district-summary@kim-son", "kim-son",
           "Summary of 10 grassroots congresses", evidence="Report 31/BC-MTTQ"),
    Action(date(2024, 6, 12), "returned", "nb-2024-q2/district-summary@kim-son",
           note="Figures for Xã Hùng Tiến are missing; complete and resubmit"),
    Action(date(2024, 6, 20), "done", "nb-2024-q2/district-summary@kim-son", "kim-son",
           "Resubmitted with Hùng Tiến figures", evidence="Report 35/BC-MTTQ"),
    Action(date(2024, 6, 10), "extended", "nb-2024-q2/trang-an-promotion",
           new_due=date(2024, 9, 30), decision="1025/QĐ-UBND",
           note="Aligned with the 10th anniversary ceremony in September"),
]
NEVER = {"nb-2024-q2/leadership-documents", "nb-2024-q2/ff-congress/grassroots@kim-dong"}


def _fraction(key: str) -> float:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def _planned(plan: Plan, quarter_end: date) -> list[Action]:
    """Return the hash-rule actions: 75% on time, 13% late, 12% never."""
    named = {a.task for a in STORY} | NEVER
    out = []
    for jur, spec in plan.directives():
        for inst in plan.expansion(jur, spec).instances:
            if inst.key in named:
                continue
            x = _fraction(inst.key)
            if x < 0.75:
                day = inst.due_on - timedelta(days=int(x * 12))
            elif x < 0.88:
                day = inst.due_on + timedelta(days=1 + int((x - 0.75) * 150))
            else:
                continue
            day = max(day, spec.issued_on)
            note = "Completed as planned" if day <= inst.due_on else "Completed after delays"
            out.append(Action(day, "done", inst.key, inst.lead, note))
    return out


def run_demo(workdir: Path, echo: Callable[[str], None] = print) -> Path:
    """Build the demo database in ``workdir`` and print the quarter's outcome; return its path."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{db}")
    plan = read_plan(PROJECT / "directives", catalog=PROJECT / "tasks_catalog")
    echo(f"Loaded files: {len(plan.jurisdictions)} jurisdictions, "
         f"{len(plan.directives())} directives")
    for jur, spec in sorted(plan.directives(), key=lambda js: js[1].issued_on):
        quarter = f"{spec.issued_on.year}-Q{(spec.issued_on.month - 1) // 3 + 1}"
        first, last = quarter_bounds(quarter)
        summary = load_plan(engine, plan, on=spec.issued_on)
        result = next(r for r in summary.results if r.directive_id == spec.id)
        echo("")
        echo(f"== {jur.name}: {spec.number} {spec.title}")
        echo(f"   issued {spec.issued_on}, {result.instances} task instances; replaying "
             f"{quarter} ({first} to {last})")
        registry = plan.registries[jur.id]
        actions = [a for a in STORY + _planned(plan, last) if a.task.startswith(spec.id + "/")]
        reorg_days = sorted({r.on for r in jur.reorganisations})
        recorded, refused = 0, 0
        day = spec.issued_on
        horizon = max([last, *[d for d in reorg_days if d <= last + timedelta(days=31)]])
        todays = sorted(actions, key=lambda a: (a.day, a.task))
        while day <= horizon:
            if day in reorg_days:
                moved = load_plan(engine, plan, on=day).reassigned
                echo(f"   {day}: reorganisation takes effect; {moved} open task(s) move to "
                     "the successor communes, for example:")
                heirs = sorted({r.into for r in jur.reorganisations if r.on == day and r.into})
                for heir in heirs:
                    moved_tasks = list_tasks(engine, day, Filters(spec.id, heir))
                    for t in moved_tasks[:2]:
                        echo(f"     {t.id} is now led by {heir} ({registry[heir].name})")
            for action in (a for a in todays if a.day == day):
                unit = registry.final_successor(action.unit, day) if action.unit else None
                try:
                    record_event(engine, action.task, action.kind, on=day, unit=unit,
                                 note=action.note, evidence=action.evidence,
                                 percent=action.percent, new_due=action.new_due,
                                 decision=action.decision)
                    recorded += 1
                except DirtrackError as exc:
                    refused += 1
                    echo(f"   {day}: refused: {exc}")
            if day == last:
                _report(engine, spec.id, last, echo)
                _stories(engine, spec.id, last, echo)
            day += timedelta(days=1)
        echo(f"   ({recorded} events recorded in the replay, {refused} refused)")
    echo("")
    echo(f"The replayed database is {db}. Explore it, for example:")
    echo(f"  DIRTRACK_DATABASE_URL=sqlite:///{db} dirtrack show "
         "nb-2024-q2/district-summary@kim-son --as-of 2024-06-30")
    return db


def _report(engine, directive_id: str, as_of: date, echo: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    echo("")
    for line in counts(status_counts(engine, as_of, Filters(directive_id)), as_of,
                       directive_id).splitlines():
        echo("   " + line)
    late = overdue(engine, as_of, Filters(directive_id))
    echo(f"   overdue on {as_of}: {len(late)} task(s); the longest overdue:")
    for line in overdue_table(late[:8]).splitlines():
        echo("     " + line)
    if len(late) > 8:
        echo(f"     ... {len(late) - 8} more: dirtrack overdue --directive {directive_id} "
             f"--as-of {as_of}")


def _stories(engine, directive_id: str, as_of: date, echo: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    for key in sorted({a.task for a in STORY if a.task.startswith(directive_id + "/")}):
        detail = show_task(engine, key, as_of)
        lines = task_detail(detail).split("\n")
        status = next(line for line in lines if line.strip().startswith("status"))
        echo("")
        echo(f"   {key}: {status.strip()[len('status'):].strip()}")
        for line in lines[lines.index("history:") + 1:]:
            echo("     " + line.strip())
