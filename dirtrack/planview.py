"""What ``dirtrack plan`` shows: a directive's computed deadlines, leads and prerequisites
before anything is written, collapsed per fan-out or per instance. No I/O.

>>> from dirtrack.registry import Registry, Unit
>>> from dirtrack.calendar import WorkCalendar
>>> from dirtrack.graph import expand
>>> from dirtrack.spec.model import DirectiveSpec, TaskSpec, Dependency, parse_deadline
>>> reg = Registry([Unit("p", "Tỉnh ủy", "province", "party"),
...                 Unit("c1", "Xã Một", "commune", "government", "p"),
...                 Unit("c2", "Xã Hai", "commune", "government", "p")])
>>> spec = DirectiveSpec("dv", "1", "plan", "T", "p", date(2026, 4, 1), "j", "f.yaml", [
...     TaskSpec("grassroots", "G", None, "political-system", parse_deadline("2026-05-31"),
...              for_each="commune"),
...     TaskSpec("province", "P", "p", "political-system", parse_deadline("deps + 10d"),
...              depends_on=[Dependency("grassroots", 0.9)])])
>>> for row in plan_rows(expand(spec, reg, WorkCalendar()), reg, "vi"):
...     print(row)
['grassroots', '2 xã: 31/05/2026', '2026-05-31', 'từng xã', '']
['province', '1: 10/06/2026', 'deps + 10d', 'Tỉnh ủy', 'grassroots (90%)']
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dirtrack.graph import Expansion, Instance
from dirtrack.registry import Registry

LEVEL_WORDS = {
    "vi": {"central": "trung ương", "province": "tỉnh", "district": "huyện", "commune": "xã",
           "unit": "đơn vị"},
    "en": {"central": "central bodies", "province": "provincial units",
           "district": "districts", "commune": "communes", "unit": "units"},
}
EACH = {"vi": "từng {}", "en": "each {}"}
SINGULAR_EN = {"central bodies": "central body", "provincial units": "provincial unit",
               "districts": "district", "communes": "commune", "units": "unit"}


def day_text(day: date, language: str) -> str:
    return day.strftime("%d/%m/%Y") if language == "vi" else day.isoformat()


def _dues(instances: list[Instance], language: str) -> str:
    first, last = min(i.due_on for i in instances), max(i.due_on for i in instances)
    text = day_text(first, language)
    return text if first == last else f"{text}–{day_text(last, language)}"


def _grouped(expansion: Expansion) -> list[tuple[str, list[Instance]]]:
    by_task: dict[str, list[Instance]] = {t: [] for t in expansion.task_order}
    for inst in expansion.instances:
        by_task[inst.task.id].append(inst)
    spec_order = [t.id for t in expansion.directive.tasks]
    return [(t, by_task[t]) for t in spec_order]


def plan_rows(expansion: Expansion, registry: Registry, language: str) -> list[list[str]]:
    """Return one row per task: id, instances and deadlines, rule, lead, prerequisites."""
    words = LEVEL_WORDS.get(language, LEVEL_WORDS["en"])
    rows = []
    for task_id, instances in _grouped(expansion):
        task = next(t for t in expansion.directive.tasks if t.id == task_id)
        if task.for_each:
            level = words.get(task.for_each, task.for_each)
            count = f"{len(instances)} {level}"
            each = level if language == "vi" else SINGULAR_EN.get(level, level)
            lead = (registry[task.lead].name if task.lead and task.lead in registry
                    else EACH.get(language, EACH["en"]).format(each))
        else:
            count = "1"
            lead = registry[task.lead].name if task.lead and task.lead in registry else ""
        dues = _dues(instances, language) if instances else "–"
        after = ", ".join(d.task + (f" ({d.at_least:.0%})" if d.at_least < 1 else "")
                          for d in task.depends_on)
        rows.append([task_id, f"{count}: {dues}" if instances else f"0 {count[2:]}",
                     task.due.text, lead, after])
    return rows


def instance_rows(expansion: Expansion, registry: Registry, language: str) -> list[list[str]]:
    """Return one row per instance: key, deadline, lead, and what it waits for."""
    rows = []
    for inst in expansion.instances:
        lead = registry[inst.lead].name if inst.lead in registry else inst.lead
        waits = "; ".join(f"{task} {len(keys)}" + (f" ({share:.0%})" if share < 1 else "")
                          for task, share, keys in inst.prerequisites)
        rows.append([inst.key, day_text(inst.due_on, language), lead, waits])
    return rows


def plan_json(expansion: Expansion, registry: Registry, instances: bool) -> dict[str, Any]:
    """Return the computed plan of one directive as JSON-ready data."""
    spec = expansion.directive
    tasks = []
    for task_id, found in _grouped(expansion):
        task = next(t for t in spec.tasks if t.id == task_id)
        entry: dict[str, Any] = {
            "task": task_id, "title": task.title, "for_each": task.for_each,
            "lead": task.lead, "due": task.due.text, "instances": len(found),
            "first_due": min(i.due_on for i in found).isoformat() if found else None,
            "last_due": max(i.due_on for i in found).isoformat() if found else None,
            "depends_on": [{"task": d.task, "at_least": d.at_least} for d in task.depends_on],
        }
        if instances:
            entry["instances_detail"] = [
                {"id": i.key, "unit": i.unit, "lead": i.lead, "due_on": i.due_on.isoformat(),
                 "slack_days": i.slack_days, "critical": i.critical,
                 "prerequisites": [{"task": t, "at_least": s, "instances": keys}
                                   for t, s, keys in i.prerequisites]}
                for i in found]
        tasks.append(entry)
    return {"directive": spec.id, "number": spec.number, "title": spec.title,
            "issued_on": spec.issued_on.isoformat(), "finish": expansion.finish().isoformat(),
            "tasks": tasks}
