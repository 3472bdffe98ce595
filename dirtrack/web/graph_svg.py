"""A directive's task graph drawn as SVG on the server: layers by longest path, left to right.

>>> from datetime import date
>>> from dirtrack.graphview import TaskNode
>>> a = TaskNode("a", "A", "u", "2024-05-01", date(2024, 5, 1), date(2024, 5, 1), 1, True)
>>> b = TaskNode("b", "B", "u", "a + 1d", date(2024, 5, 2), date(2024, 5, 2), 1, True, [("a", 1.0)])
>>> svg = graph_svg([a, b])
>>> svg.count("<rect"), "marker-end" in svg  # two tasks and the legend
(3, True)
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from dirtrack.graphview import TaskNode

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 210, 58, 60, 18, 16
# What fits in a box: the id in bold 12px and the lead in 11px, at their widest letters.
ID_CHARS, LEAD_CHARS = 24, 30


def _layers(nodes: list[TaskNode]) -> dict[str, int]:
    by_id = {n.task_id: n for n in nodes}
    layer: dict[str, int] = {}

    def depth(task_id: str, seen: frozenset[str] = frozenset()) -> int:
        if task_id in layer:
            return layer[task_id]
        prereqs = [p for p, _ in by_id[task_id].prerequisites if p in by_id and p not in seen]
        value = 1 + max((depth(p, seen | {task_id}) for p in prereqs), default=-1)
        layer[task_id] = value
        return value

    for n in nodes:
        depth(n.task_id)
    return layer


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def graph_svg(nodes: list[TaskNode], critical_label: str = "critical path",
              lead_name: Callable[[str], str] = str) -> str:
    """Return the graph as a standalone SVG element; ``lead_name`` names each lead."""
    layer = _layers(nodes)
    columns: dict[int, list[TaskNode]] = {}
    for n in nodes:
        columns.setdefault(layer[n.task_id], []).append(n)
    where: dict[str, tuple[float, float]] = {}
    for col, members in columns.items():
        for row, n in enumerate(members):
            where[n.task_id] = (PAD + col * (BOX_W + GAP_X), PAD + row * (BOX_H + GAP_Y))
    width = PAD * 2 + (max(columns, default=0) + 1) * (BOX_W + GAP_X) - GAP_X
    height = PAD * 2 + max((len(m) for m in columns.values()), default=1) * (BOX_H + GAP_Y) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" class="graph" role="img">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
             'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/>'
             '</marker><marker id="arrow-red" viewBox="0 0 10 10" refX="9" refY="5" '
             'markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
             'fill="#c62828"/></marker></defs>']
    critical = {n.task_id for n in nodes if n.critical}
    for n in nodes:
        x2, y2 = where[n.task_id]
        for prereq, share in n.prerequisites:
            if prereq not in where:
                continue
            x1, y1 = where[prereq]
            hot = prereq in critical and n.task_id in critical
            sx, sy, ex, ey = x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2
            mid = (sx + ex) / 2
            colour, marker = ("#c62828", "arrow-red") if hot else ("#8c959f", "arrow")
            parts.append(f'<path d="M{sx},{sy} C{mid},{sy} {mid},{ey} {ex},{ey}" fill="none" '
                         f'stroke="{colour}" stroke-width="{2.5 if hot else 1.2}" '
                         f'marker-end="url(#{marker})"/>')
            if share < 1:
                parts.append(f'<text x="{mid}" y="{(sy + ey) / 2 - 4}" font-size="11" '
                             f'text-anchor="middle" fill="#57606a">≥{share:.0%}</text>')
    for n in nodes:
        x, y = where[n.task_id]
        hot = n.task_id in critical
        count = f" ×{n.instances}" if n.instances != 1 else ""
        due = n.first_due.strftime("%d/%m/%Y") if n.first_due else "–"
        if n.last_due and n.last_due != n.first_due:
            due += "–" + n.last_due.strftime("%d/%m/%Y")
        parts.append(f'<g><title>{escape(n.title)}</title>'
                     f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
                     f'fill="{"#fdecea" if hot else "#ffffff"}" '
                     f'stroke="{"#c62828" if hot else "#8c959f"}" '
                     f'stroke-width="{2 if hot else 1}"/>'
                     f'<text x="{x + 8}" y="{y + 18}" font-size="12" font-weight="bold">'
                     f"{escape(_short(n.task_id, ID_CHARS - len(count)) + count)}</text>"
                     f'<text x="{x + 8}" y="{y + 34}" font-size="11">{escape(due)}</text>'
                     f'<text x="{x + 8}" y="{y + 49}" font-size="11" fill="#57606a">'
                     f"{escape(_short(lead_name(n.lead), LEAD_CHARS))}</text></g>")
    parts.append(f'<g><rect x="{PAD}" y="{height - 18}" width="14" height="4" fill="#c62828"/>'
                 f'<text x="{PAD + 20}" y="{height - 12}" font-size="11">'
                 f"{escape(critical_label)}</text></g>")
    parts.append("</svg>")
    return "".join(parts)
