"""Text the command line prints: tables, task details, graphs. No I/O, no database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from dirtrack.status import CATEGORIES

LABELS = {
    "done_on_time": "done on time", "done_late": "done late", "open_on_time": "open, on time",
    "open_overdue": "open, overdue", "cancelled": "cancelled",
}


def table(headers: list[str], rows: Iterable[list[str]]) -> str:
    """Return rows as a left-aligned text table under ``headers``."""
    rows = list(rows)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    return "\n".join(lines)


def flags(task: Any) -> str:
    marks = []
    if task.blocked:
        marks.append("blocked")
    if task.at_risk:
        marks.append("at risk")
    if task.status == "open_overdue":
        marks.append(f"{task.days_overdue}d overdue")
    return ", ".join(marks)


def task_table(tasks: list[Any]) -> str:
    if not tasks:
        return "no tasks"
    rows = [[t.id, t.lead, t.due_on.isoformat(), t.status, flags(t)] for t in tasks]
    return table(["TASK", "LEAD", "DUE", "STATUS", "FLAGS"], rows)


def counts(counts_by_category: dict[str, int], as_of: date, scope: str) -> str:
    total = sum(counts_by_category.values())
    due = (counts_by_category["done_on_time"] + counts_by_category["done_late"]
           + counts_by_category["open_overdue"])  # as the review and the dashboard count it
    rate = (f"{100 * counts_by_category['done_on_time'] / due:.1f}%" if due else "n/a")
    rows = [[LABELS[c], f"{counts_by_category[c]:,}"] for c in CATEGORIES]
    rows.append(["total", f"{total:,}"])
    return (f"Status of {scope} as of {as_of.isoformat()}\n"
            + table(["CATEGORY", "TASKS"], rows)
            + f"\non-time rate (done on time of those done or overdue): {rate}")


def _blockers(keys: list[str]) -> str:
    if len(keys) <= 2:
        return ", ".join(keys)
    return f"{', '.join(keys[:2])} and {len(keys) - 2} more"


def overdue_table(tasks: list[Any]) -> str:
    if not tasks:
        return "no overdue tasks"
    rows = [[t.id, t.lead, t.due_on.isoformat(), str(t.days_overdue),
             _blockers(t.blocked_by)] for t in tasks]
    return table(["TASK", "LEAD", "DUE", "DAYS OVERDUE", "BLOCKED BY"], rows)


def task_detail(detail: Any) -> str:
    t = detail.status
    lines = [
        f"{t.id}",
        f"  {t.title}",
        f"  directive   {t.directive} ({detail.directive_number}: {detail.directive_title})",
        f"  lead        {t.lead}" + (f"   support: {', '.join(detail.support)}"
                                     if detail.support else ""),
        f"  sector      {t.sector}",
    ]
    if t.deliverable:
        lines.append(f"  deliverable {t.deliverable}")
    due = f"  due         {t.due_on.isoformat()}   ({detail.due_text})"
    if detail.original_due_on != t.due_on:
        due += f"   originally {detail.original_due_on.isoformat()}"
    lines.append(due)
    status = f"  status      {t.status}"
    if t.completed_on:
        status += f" (reported {t.completed_on.isoformat()}" + (
            ", verified)" if t.verified else ", awaiting verification)")
    elif t.percent:
        status += f" ({t.percent}% reported)"
    extra = flags(t)
    lines.append(status + (f"   [{extra}]" if extra else ""))
    if t.status.startswith("open"):
        lines.append(f"  slack       {t.slack_days} day(s)" + ("   on the critical path"
                                                              if t.critical else ""))
    if detail.prerequisites:
        lines.append("prerequisites:")
        id_w = max(len(p.id) for p in detail.prerequisites)
        status_w = max(len(p.status) for p in detail.prerequisites)
        lines += [f"  {p.id:<{id_w}}  {p.status:<{status_w}}  due {p.due_on.isoformat()}"
                  for p in detail.prerequisites]
    if detail.dependents:
        lines.append(f"dependents: {len(detail.dependents)}")
        lines += [f"  {k}" for k in detail.dependents[:20]]
        if len(detail.dependents) > 20:
            lines.append(f"  ... and {len(detail.dependents) - 20} more")
    lines.append("history:")
    if not detail.events:
        lines.append("  (no events)")
    for e in detail.events:
        what = e["kind"]
        if e["percent"] is not None and e["kind"] == "progress":
            what += f" {e['percent']}%"
        if e["new_due"]:
            what += f" to {e['new_due'].isoformat()}"
        if e["new_lead"]:
            what += f" to {e['new_lead']}"
        if e["decision"]:
            what += f" by decision {e['decision']}"
        for key in ("note", "evidence"):
            if e[key]:
                what += f"; {key}: {e[key]}"
        lines.append(f"  {e['effective_on'].isoformat()}  {e['actor']}: {what}")
    return "\n".join(lines)
