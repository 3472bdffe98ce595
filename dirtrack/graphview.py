"""A directive's task graph as an indented text tree or Graphviz DOT, critical path marked.

Fanned-out tasks are drawn once, with the number of their instances; a task that fans
out over no unit is drawn too, with none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class TaskNode:
    task_id: str
    title: str
    lead: str  # a unit id, or "each <level>" for a fan-out
    due_text: str
    first_due: date | None  # None: the task has no instance
    last_due: date | None
    instances: int
    critical: bool
    prerequisites: list[tuple[str, float]] = field(default_factory=list)


def _due(node: TaskNode) -> str:
    if node.first_due is None or node.last_due is None:
        return "no instance"
    if node.first_due == node.last_due:
        return node.first_due.isoformat()
    return f"{node.first_due.isoformat()}..{node.last_due.isoformat()}"


def _label(node: TaskNode) -> str:
    count = f" x{node.instances}" if node.instances != 1 else ""
    return f"{node.task_id}{count}  due {_due(node)}  lead {node.lead}"


def text_tree(title: str, nodes: list[TaskNode]) -> str:
    """Return the graph as a tree from the tasks with no prerequisites; '*' marks critical."""
    by_id = {n.task_id: n for n in nodes}
    children: dict[str, list[str]] = {n.task_id: [] for n in nodes}
    for n in nodes:
        for prereq, _share in n.prerequisites:
            if prereq in children:
                children[prereq].append(n.task_id)
    lines = [title, "(* on the critical path; a task with several prerequisites is drawn "
                    "under the first and referred to under the others)"]
    shown: set[str] = set()

    def walk(task_id: str, depth: int, via: tuple[str, float] | None) -> None:
        node = by_id[task_id]
        mark = "*" if node.critical else "-"
        share = f" [needs {via[1]:.0%} of {via[0]}]" if via and via[1] < 1 else ""
        if task_id in shown:
            lines.append(f"{'  ' * depth}{mark} {task_id} (see above){share}")
            return
        shown.add(task_id)
        lines.append(f"{'  ' * depth}{mark} {_label(node)}{share}")
        for child in children[task_id]:
            share_of = next(s for p, s in by_id[child].prerequisites if p == task_id)
            walk(child, depth + 1, (task_id, share_of))

    for node in nodes:
        if not node.prerequisites:
            walk(node.task_id, 0, None)
    return "\n".join(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(name: str, title: str, nodes: list[TaskNode]) -> str:
    """Return the graph in Graphviz DOT; critical tasks and links drawn red and bold."""
    lines = [f"digraph {_quote(name)} {{", f"  label={_quote(title)};", "  labelloc=t;",
             "  rankdir=LR;", '  node [shape=box, style=rounded, fontname="Helvetica"];']
    critical = {n.task_id for n in nodes if n.critical}
    for n in nodes:
        count = f" (x{n.instances})" if n.instances != 1 else ""
        label = f"{n.task_id}{count}\\n{_due(n)}\\n{n.lead}"
        style = ", color=red, penwidth=2" if n.critical else ""
        lines.append(f"  {_quote(n.task_id)} [label=\"{label}\"{style}];")
    for n in nodes:
        for prereq, share in n.prerequisites:
            attrs = []
            if share < 1:
                attrs.append(f'label="{share:.0%}"')
            if prereq in critical and n.task_id in critical:
                attrs += ["color=red", "penwidth=2"]
            suffix = f" [{', '.join(attrs)}]" if attrs else ""
            lines.append(f"  {_quote(prereq)} -> {_quote(n.task_id)}{suffix};")
    lines.append("}")
    return "\n".join(lines)
