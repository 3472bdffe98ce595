"""Directive specs become instance graphs: fan-out, dependencies, deadlines, slack.

One pass over the task graph in topological order computes every instance's
deadline; one backward pass computes slack (critical path method, with each
instance's lag as its duration). Instances of a fanned-out task are handled as
a set, so 100,000 instances cost one linear pass, not a graph search each.

>>> from dirtrack.registry import Registry, Unit
>>> from dirtrack.calendar import WorkCalendar
>>> from dirtrack.spec.model import DirectiveSpec, TaskSpec, Dependency, parse_deadline
>>> reg = Registry([Unit("p", "P", "province", "party"),
...                 Unit("d1", "D1", "district", "government", "p"),
...                 Unit("c1", "C1", "commune", "government", "d1"),
...                 Unit("c2", "C2", "commune", "government", "d1")])
>>> spec = DirectiveSpec("dv", "1", "plan", "T", "p", date(2024, 4, 1), "j", "f.yaml", [
...     TaskSpec("grassroots", "G", None, "political-system", parse_deadline("2024-05-31"),
...              for_each="commune"),
...     TaskSpec("district", "D", None, "political-system", parse_deadline("deps + 10d"),
...              depends_on=[Dependency("grassroots", 0.9)], for_each="district")])
>>> exp = expand(spec, reg, WorkCalendar())
>>> for i in exp.instances: print(i.key, i.due_on)
dv/grassroots@c1 2024-05-31
dv/grassroots@c2 2024-05-31
dv/district@d1 2024-06-10
>>> exp.critical_path()
['dv/grassroots@c1', 'dv/district@d1']
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import networkx as nx

from dirtrack.calendar import WorkCalendar
from dirtrack.errors import Problem, ValidationFailed
from dirtrack.periods import Period, due_in, parse_period  # noqa: F401 (doctest)
from dirtrack.registry import Registry
from dirtrack.spec.model import Deadline, DirectiveSpec, TaskSpec


@dataclass(slots=True)
class Instance:
    """One tracked piece of work: a task, or a task at one unit of its fan-out."""

    key: str
    task: TaskSpec
    unit: str | None
    lead: str
    due_on: date
    lag_days: int = 0
    slack_days: int = 0
    critical: bool = False
    # (prerequisite task id, share required, prerequisite instance keys)
    prerequisites: list[tuple[str, float, list[str]]] = field(default_factory=list)
    # Instances whose deadline this one's is computed from (``TASK + N``, ``deps + N``).
    anchors: list[str] = field(default_factory=list)
    period: Period | None = None  # a repeating task's occurrence: the period it covers
    opens_on: date | None = None  # ... and the day it comes into existence


@dataclass
class Expansion:
    """A directive's instances in topological order, with its warnings."""

    directive: DirectiveSpec
    instances: list[Instance]
    warnings: list[Problem]
    task_order: list[str]

    @property
    def by_key(self) -> dict[str, Instance]:
        return {i.key: i for i in self.instances}

    def edges(self) -> list[tuple[str, str, str, float]]:
        """Return (prerequisite key, dependent key, prerequisite task, share) for all deps."""
        return [(p, inst.key, task, share)
                for inst in self.instances
                for task, share, keys in inst.prerequisites for p in keys]

    def finish(self) -> date:
        """Return the latest deadline: when the whole directive is due."""
        return max((i.due_on for i in self.instances), default=self.directive.issued_on)

    def critical_path(self) -> list[str]:
        """Return one chain of zero-slack instances ending at the latest deadline."""
        if not self.instances:
            return []
        by_key = self.by_key
        end = max(self.instances, key=lambda i: (i.due_on, i.key))
        chain = [end.key]
        current = end
        while True:
            prior = [by_key[k] for k in current.anchors]
            prior = [p for p in prior if p.critical and
                     (current.due_on - p.due_on).days == current.lag_days]
            if not prior:
                break
            current = min(prior, key=lambda p: p.key)
            chain.append(current.key)
        return chain[::-1]


def instance_key(directive_id: str, task_id: str, unit: str | None,
                 period: Period | None = None) -> str:
    """Return the stable readable id ``<directive>/<task>[~<period>][@<unit>]``.

    >>> instance_key("nb", "report", "kim-son", parse_period("2026-Q2"))
    'nb/report~2026-Q2@kim-son'
    """
    base = f"{directive_id}/{task_id}" + (f"~{period.id}" if period else "")
    return f"{base}@{unit}" if unit else base


def opens_on(task: TaskSpec, period: Period, issued: date) -> date:
    """Return the day an occurrence comes into existence: ``ahead`` periods before its
    own starts (the current and the next period's exist, by default), never before the
    directive's issue date."""
    return max(issued, period.shift(-task.ahead).start)


def _pool(by_task: dict[str, list[Instance]], ref: str, period: Period | None,
          tasks: dict[str, TaskSpec]) -> tuple[list[Instance], str]:
    """Return the instances of task ``ref`` a dependent of ``period`` may wait for, and
    the resolver's key for that set: a repeating task waiting on a repeating task pairs
    the same period, the periods inside it, or the one holding it."""
    if period is None or tasks[ref].repeat is None:
        return by_task[ref], ref
    return ([i for i in by_task[ref] if i.period is not None and (
        period.contains(i.period) or i.period.contains(period))], f"{ref}~{period.id}")


def task_graph(spec: DirectiveSpec) -> nx.DiGraph:
    """Return the task-level graph: an edge for each dependency and each deadline anchor."""
    graph = nx.DiGraph()
    for task in spec.tasks:
        graph.add_node(task.id)
        for dep in task.depends_on:
            graph.add_edge(dep.task, task.id)
        if task.due.kind == "task" and task.due.ref:
            graph.add_edge(task.due.ref, task.id)
    return graph


class _Resolver:
    """Finds, for a dependent instance, the prerequisite task's instances that apply."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._within: dict[str, dict[str, list[Instance]]] = {}
        self._at: dict[str, dict[str | None, Instance]] = {}

    def resolve(self, prereq: list[Instance], task_id: str, unit: str | None) -> list[Instance]:
        if not prereq:
            return []
        if prereq[0].unit is None or unit is None:
            return prereq
        within = self._within.get(task_id)
        if within is None:
            within = defaultdict(list)
            for inst in prereq:
                assert inst.unit is not None
                within[inst.unit].append(inst)
                for ancestor in self.registry.ancestors(inst.unit):
                    within[ancestor].append(inst)
            self._within[task_id] = within
        found = within.get(unit)
        if found:
            return found
        by_unit = self._at.get(task_id)
        if by_unit is None:
            by_unit = self._at[task_id] = {i.unit: i for i in prereq}
        for ancestor in self.registry.ancestors(unit):
            if ancestor in by_unit:
                return [by_unit[ancestor]]
        return []


def _shift(start: date, deadline: Deadline, calendar: WorkCalendar, task: TaskSpec) -> date:
    try:
        if deadline.unit == "wd":
            return calendar.add_working_days(start, deadline.amount)
        return start + timedelta(days=deadline.amount)
    except (OverflowError, ValueError):  # past 31/12/9999
        raise ValidationFailed([Problem(
            task.path, task.line_of("due"), "due",
            f"task '{task.id}' would fall due after the year 9999; check the deadline")]
        ) from None


def _in_period(period: Period, deadline: Deadline, calendar: WorkCalendar,
               task: TaskSpec) -> date:
    assert deadline.rule is not None
    try:
        return due_in(period, deadline.rule, calendar, task.day_off or calendar.day_off_rule)
    except (OverflowError, ValueError):  # past 31/12/9999
        raise ValidationFailed([Problem(
            task.path, task.line_of("due"), "due",
            f"task '{task.id}' would fall due after the year 9999; check the deadline")]
        ) from None


def expand(spec: DirectiveSpec, registry: Registry, calendar: WorkCalendar) -> Expansion:
    """Return the directive's instances with deadlines, lags, slack and critical flags.

    The spec must have passed the loader's checks (no cycle, no unknown reference).
    Raise ValidationFailed when a dependency or deadline refers to a task that has no
    instance at all: a deadline counted from nothing would be silently wrong.

    How a dependency on a fanned-out task resolves, for each dependent instance: the
    prerequisite's instances inside the dependent's subtree; if none lies inside, the
    instance at its nearest ancestor; a dependent that is not fanned out takes them
    all. An instance that finds none (a district with no commune in the registry)
    does not wait for that task, and a deadline it counts from that task counts from
    the task's latest deadline; a warning lists those instances.
    """
    tasks = {t.id: t for t in spec.tasks}
    order = list(nx.lexicographical_topological_sort(task_graph(spec)))
    registry = registry.as_of(spec.issued_on)  # the tree of the issue date (moves applied)
    resolver = _Resolver(registry)
    by_task: dict[str, list[Instance]] = {}
    warnings: list[Problem] = []
    errors: list[Problem] = []
    failed: set[str] = set()
    issued = spec.issued_on
    for task_id in order:
        task = tasks[task_id]
        units: list[str | None]
        if task.for_each:
            units = [u.id for u in registry.units_matching(task.fan_levels(), task.for_kinds,
                                                           task.scope, issued)]
            if not units:
                warnings.append(Problem(task.path, task.line_of("for_each"), "for_each",
                                        f"task '{task.id}' fans out over no unit: "
                                        f"{_nothing(task, issued)}", "warning"))
        else:
            units = [None]
        refs = [(d.task, d.line or task.line_of("depends_on"), "depends_on")
                for d in task.depends_on]
        if task.due.kind == "task" and task.due.ref:
            refs.append((task.due.ref, task.line_of("due"), "due"))
        empty = [(ref, line, key) for ref, line, key in refs if not by_task[ref]]
        periods: list[Period | None] = list(task.periods) or [None]
        for ref, line, key in empty:
            if ref in failed:  # said once, at the task that has no instance
                continue
            how = "depends on" if key == "depends_on" else "counts its deadline from"
            errors.append(Problem(task.path, line, key, (
                f"task '{task.id}' {how} '{ref}', which has no instance: "
                f"{_nothing(tasks[ref], issued)}; remove '{ref}' from '{key}', or make it "
                "fan out over units that exist")))
        if empty:
            by_task[task_id] = []
            failed.add(task_id)
            continue
        instances = []
        early = 0
        unmatched: dict[str, list[str]] = defaultdict(list)
        # What depends on the period alone is worked out once per period, not per unit.
        base = {p: (instance_key(spec.id, task.id, None, p), opens_on(task, p, issued),
                    _in_period(p, task.due, calendar, task) if task.due.kind == "period"
                    else None) for p in task.periods}
        for period, unit in ((p, u) for p in periods for u in units):
            lead = task.lead or unit
            assert lead is not None
            key, opens, period_due = base[period] if period else (
                instance_key(spec.id, task.id, None), None, None)
            inst = Instance(f"{key}@{unit}" if unit else key, task, unit, lead, issued,
                            period=period, opens_on=opens)
            latest_prereq: date | None = None
            for dep in task.depends_on:
                found = resolver.resolve(*_pool(by_task, dep.task, period, tasks), unit)
                if found:
                    inst.prerequisites.append((dep.task, dep.at_least, [p.key for p in found]))
                    latest = max(p.due_on for p in found)
                else:
                    unmatched[dep.task].append(str(unit))
                    latest = max(p.due_on for p in by_task[dep.task])
                if latest_prereq is None or latest > latest_prereq:
                    latest_prereq = latest
            due = task.due
            if due.kind == "period":
                assert period_due is not None
                inst.due_on = anchor = period_due
            elif due.kind == "date":
                assert due.day is not None
                inst.due_on, anchor = due.day, issued
            elif due.kind == "issued":
                anchor = issued
                inst.due_on = _shift(anchor, due, calendar, task)
            else:
                if due.kind == "task":
                    assert due.ref is not None
                    found = resolver.resolve(*_pool(by_task, due.ref, period, tasks), unit)
                    if not found and str(unit) not in unmatched[due.ref]:
                        unmatched[due.ref].append(str(unit))
                    inst.anchors = [p.key for p in found]
                    anchor = max(p.due_on for p in (found or by_task[due.ref]))
                else:
                    inst.anchors = [k for _, _, keys in inst.prerequisites for k in keys]
                    anchor = latest_prereq or issued
                inst.due_on = _shift(anchor, due, calendar, task)
            # The lag is the time the deadline leaves after what it is anchored to: its
            # prerequisites, or the issue date for a first task. A fixed date, or a task
            # due from the issue date yet waiting on prerequisites, promises none.
            anchored = due.kind in ("task", "deps") or (due.kind == "issued"
                                                          and not task.depends_on)
            inst.lag_days = (inst.due_on - anchor).days if anchored else 0
            if latest_prereq is not None and inst.due_on < latest_prereq:
                early += 1
            instances.append(inst)
        for ref, lonely in unmatched.items():
            shown = ", ".join(lonely[:10]) + (f" and {len(lonely) - 10} more"
                                              if len(lonely) > 10 else "")
            warnings.append(Problem(task.path, task.line_of("depends_on"), "depends_on",
                                    f"task '{task.id}': {len(lonely)} instance(s) find no "
                                    f"'{ref}' instance in their subtree or above ({shown}); "
                                    f"they do not wait for it, and count their deadline from "
                                    f"its latest deadline", "warning"))
        if early:
            warnings.append(Problem(task.path, task.line_of("due"), "due",
                                    f"task '{task.id}' is due before its prerequisites in "
                                    f"{early} instance(s); check the deadline", "warning"))
        by_task[task_id] = instances
    if errors:
        raise ValidationFailed(sorted(errors) + sorted(warnings))
    ordered = [inst for task_id in order for inst in by_task[task_id]]
    _slack(ordered)
    return Expansion(spec, ordered, warnings, order)


def _nothing(task: TaskSpec, on: date) -> str:
    """Say why a fanned-out task has no instance."""
    scope = f" inside '{task.scope}'" if task.scope else ""
    return f"no {task.fan_words()}{scope} exists on {on.isoformat()}"


def _slack(ordered: list[Instance]) -> None:
    """Backward pass: latest finish from the directive's end; slack = latest - deadline.

    An anchored deadline (``deps + 5d``) needs its lag after its anchors, so the
    anchors must finish ``lag`` days earlier; any other prerequisite only has to be
    done by the dependent's own latest finish.
    """
    if not ordered:
        return
    finish = max(i.due_on for i in ordered)
    latest = {i.key: finish for i in ordered}
    for inst in reversed(ordered):
        own = latest[inst.key]
        for key in inst.anchors:
            bound = own - timedelta(days=inst.lag_days)
            if bound < latest[key]:
                latest[key] = bound
        for _, _, keys in inst.prerequisites:
            for key in keys:
                if own < latest[key]:
                    latest[key] = own
    for inst in ordered:
        inst.slack_days = max((latest[inst.key] - inst.due_on).days, 0)
        inst.critical = inst.slack_days == 0
