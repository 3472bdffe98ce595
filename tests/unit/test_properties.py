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
