"""Property: random acyclic directives get the deadlines their expressions say."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dirtrack.calendar import WorkCalendar
from dirtrack.plan import read_plan

MAKE_UP = [date(2024, 5, 4), date(2025, 2, 8), date(2025, 4, 26), date(2026, 8, 22)]
DAYS_OFF = [date(2024, 9, 4), date(2025, 12, 24)]
CALENDAR_YAML = (f"country: VN\nextra_days_off: [{', '.join(map(str, DAYS_OFF))}]\n"
                 f"extra_working_days: [{', '.join(map(str, MAKE_UP))}]\n")


@dataclass(frozen=True)
class Task:
    id: str
    depends_on: tuple[str, ...]
    kind: str               # "date" | "issued" | "deps" | "task"
    amount: int = 0
    unit: str = "d"
    day: date | None = None
    ref: str | None = None

    @property
    def due(self) -> str:
        if self.kind == "date":
            assert self.day is not None
            return self.day.isoformat()
        base = {"issued": "issued", "deps": "deps", "task": self.ref}[self.kind]
        return f"{base} + {self.amount}{self.unit}"


@st.composite
def directives(draw: st.DrawFn) -> tuple[date, bool, list[Task]]:
    issued = draw(st.dates(date(2024, 1, 1), date(2026, 6, 30)))
    with_calendar = draw(st.booleans())
    count = draw(st.integers(1, 25))
    tasks: list[Task] = []
    for i in range(count):
        earlier = [t.id for t in tasks]
        deps = tuple(sorted(draw(st.sets(st.sampled_from(earlier), max_size=4)))) \
            if earlier else ()
        kinds = ["date", "issued"] + (["deps"] if deps else []) + (["task"] if earlier else [])
        kind = draw(st.sampled_from(kinds))
        amount, unit = draw(st.integers(0, 40)), draw(st.sampled_from(["d", "wd"]))
        if kind == "date":
            day = issued + timedelta(days=draw(st.integers(-30, 300)))
            tasks.append(Task(f"t{i}", deps, kind, day=day))
        elif kind == "task":
            tasks.append(Task(f"t{i}", deps, kind, amount, unit,
                              ref=draw(st.sampled_from(earlier))))
        else:
            tasks.append(Task(f"t{i}", deps, kind, amount, unit))
    return issued, with_calendar, tasks


def directive_yaml(issued: date, tasks: list[Task]) -> str:
    lines = ["directive:", "  id: prop", '  number: "1/KH"', "  kind: plan",
             "  title: Random plan", "  issued_by: root", f"  issued_on: {issued}", "tasks:"]
    for t in tasks:
        lines += [f"  - id: {t.id}", f"    title: Task {t.id}", "    lead: root",
                  "    sector: economic", f"    due: {t.due}"]
        if t.depends_on:
            lines.append(f"    depends_on: [{', '.join(t.depends_on)}]")
    return "\n".join(lines) + "\n"


def shift(cal: WorkCalendar, start: date, amount: int, unit: str) -> date:
    return cal.add_working_days(start, amount) if unit == "wd" else start + timedelta(amount)


@settings(max_examples=60, deadline=None)
@given(directives())
def test_deadlines_follow_their_expressions(case: tuple[date, bool, list[Task]]) -> None:
    issued, with_calendar, tasks = case
    cal = WorkCalendar("VN", DAYS_OFF, MAKE_UP) if with_calendar else WorkCalendar("VN")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "prop"
        folder.mkdir()
        (folder / "units.yaml").write_text(
            "units:\n  - {id: root, name: Root, level: province, kind: other}\n")
        if with_calendar:
            (folder / "calendar.yaml").write_text(CALENDAR_YAML)
        (folder / "plan.yaml").write_text(directive_yaml(issued, tasks))
        plan = read_plan(folder, catalog=Path(tmp) / "no-catalog")
        ((jur, spec),) = plan.directives()
        due = {i.task.id: i.due_on for i in plan.expansion(jur, spec).instances}

    assert sorted(due) == sorted(t.id for t in tasks)
    for t in tasks:
        if t.kind == "date":
            assert due[t.id] == t.day
        elif t.kind == "issued":
            assert due[t.id] == shift(cal, issued, t.amount, t.unit)
        else:
            anchors = list(t.depends_on) if t.kind == "deps" else [str(t.ref)]
            for a in anchors:
                assert due[t.id] >= shift(cal, due[a], t.amount, t.unit), (t, a)
            latest = max(due[a] for a in anchors)
            assert due[t.id] == shift(cal, latest, t.amount, t.unit), t


@st.composite
def fanned_directives(draw: st.DrawFn) -> tuple[str, list[dict[str, object]]]:
    """A registry of two or three tiers (some districts without communes) and tasks that
    fan out over any level, depend on earlier tasks and count deadlines from them."""
    three_tier = draw(st.booleans())
    units = ["  - {id: root, name: Root, level: province, kind: party}"]
    if three_tier:
        for d in range(draw(st.integers(1, 3))):
            units.append(f"  - {{id: d{d}, name: D{d}, level: district, kind: government, "
                         "parent: root}")
            for c in range(draw(st.sampled_from([0, 2]))):  # districts without communes
                units.append(f"  - {{id: c{d}-{c}, name: C{d}-{c}, level: commune, "
                             f"kind: government, parent: d{d}}}")
    else:
        for c in range(draw(st.integers(1, 4))):
            units.append(f"  - {{id: c{c}, name: C{c}, level: commune, kind: government, "
                         "parent: root}")
    tasks: list[dict[str, object]] = []
    for i in range(draw(st.integers(1, 6))):
        earlier = [str(t["id"]) for t in tasks]
        deps = sorted(draw(st.sets(st.sampled_from(earlier), max_size=2))) if earlier else []
        kinds = ["date", "issued"] + (["deps"] if deps else []) + (["task"] if earlier else [])
        kind = draw(st.sampled_from(kinds))
        amount, unit = draw(st.integers(0, 30)), draw(st.sampled_from(["d", "wd"]))
        due = {"date": f"2024-0{draw(st.integers(5, 9))}-15", "issued": f"issued + {amount}{unit}",
               "deps": f"deps + {amount}{unit}"}.get(kind) or \
            f"{draw(st.sampled_from(earlier))} + {amount}{unit}"
        tasks.append({"id": f"t{i}", "for_each": draw(st.sampled_from(
            [None, "district", "commune"])), "depends_on": deps, "due": due,
            "kind": kind, "amount": amount, "unit": unit})
    return "units:\n" + "\n".join(units) + "\n", tasks


@settings(max_examples=80, deadline=None)
@given(fanned_directives())
def test_no_instance_is_due_before_what_it_counts_from(
        case: tuple[str, list[dict[str, object]]]) -> None:
    """A relative deadline is never earlier than its prerequisites plus its lag, in any
    registry shape; a dependency on a task with no instance is an error, never a
    deadline counted from the issue date."""
    from dirtrack.errors import ValidationFailed

    units_yaml, tasks = case
    lines = ["directive:", "  id: prop", '  number: "1/KH"', "  kind: plan", "  title: T",
             "  issued_by: root", "  issued_on: 2024-04-05", "tasks:"]
    for t in tasks:
        lines += [f"  - id: {t['id']}", "    title: T", "    sector: economic",
                  f"    due: {t['due']}"]
        lines.append(f"    for_each: {t['for_each']}" if t["for_each"] else "    lead: root")
        if t["depends_on"]:
            lines.append(f"    depends_on: [{', '.join(map(str, t['depends_on']))}]")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "prop"
        folder.mkdir()
        (folder / "units.yaml").write_text(units_yaml)
        (folder / "plan.yaml").write_text("\n".join(lines) + "\n")
        try:
            plan = read_plan(folder, catalog=Path(tmp) / "no-catalog")
        except ValidationFailed as exc:
            errors = [p for p in exc.problems if p.severity == "error"]
            assert errors and all("which has no instance" in p.message for p in errors)
            return
        ((jur, spec),) = plan.directives()
        instances = plan.expansion(jur, spec).instances
    cal = WorkCalendar("VN")
    due = {i.key: i.due_on for i in instances}
    by_task: dict[str, list[date]] = {}
    for i in instances:
        by_task.setdefault(i.task.id, []).append(i.due_on)
    spec_of = {str(t["id"]): t for t in tasks}
    for inst in instances:
        t = spec_of[inst.task.id]
        for _, _, keys in inst.prerequisites:
            assert keys, inst.key  # never a dependency on an empty set
        if t["kind"] not in ("deps", "task"):
            continue
        amount, unit = int(str(t["amount"])), str(t["unit"])
        if t["kind"] == "deps":
            waits = [k for _, _, keys in inst.prerequisites for k in keys]
            froms = [due[k] for k in waits] + [
                max(by_task[str(d)]) for d in t["depends_on"]  # type: ignore[attr-defined]
                if d not in {task for task, _, _ in inst.prerequisites}]
        else:
            ref = str(t["due"]).split(" + ")[0]
            froms = [due[k] for k in inst.anchors] or [max(by_task[ref])]
        assert inst.due_on == shift(cal, max(froms), amount, unit), inst.key
