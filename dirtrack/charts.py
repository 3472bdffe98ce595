"""Small inline SVG charts for the review: no scripts, no fonts or files from outside."""

from __future__ import annotations

from html import escape

COLOURS = {"done_on_time": "#2e7d32", "done_late": "#f9a825", "open_on_time": "#1e88e5",
           "open_overdue": "#c62828", "cancelled": "#9e9e9e"}
ORDER = ("done_on_time", "done_late", "open_on_time", "open_overdue", "cancelled")


def grouped_bars(labels: dict[str, str], current: dict[str, int], previous: dict[str, int],
                 current_name: str, previous_name: str) -> str:
    """Return bars per category, this quarter beside the previous one.

    >>> svg = grouped_bars({"done_on_time": "On time"}, {"done_on_time": 3},
    ...                    {"done_on_time": 1}, "Q2", "Q1")
    >>> svg.startswith("<svg") and "On time" in svg
    True
    """
    keys = [k for k in ORDER if k in labels]
    top = max([1, *current.values(), *previous.values()])
    width, height, base = 120 * len(keys) + 40, 230, 180
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(current_name)}" class="chart">']
    for i, key in enumerate(keys):
        x = 30 + i * 120
        for j, (values, name, opacity) in enumerate(((previous, previous_name, "0.35"),
                                                     (current, current_name, "1"))):
            value = values.get(key, 0)
            h = round(150 * value / top)
            bx = x + j * 42
            parts.append(f'<rect x="{bx}" y="{base - h}" width="38" height="{h}" '
                         f'fill="{COLOURS[key]}" fill-opacity="{opacity}">'
                         f"<title>{escape(name)}: {value}</title></rect>")
            parts.append(f'<text x="{bx + 19}" y="{base - h - 4}" text-anchor="middle" '
                         f'font-size="12">{value}</text>')
        parts.append(f'<text x="{x + 40}" y="{base + 18}" text-anchor="middle" '
                     f'font-size="12">{escape(labels[key])}</text>')
    parts.append(f'<text x="{width - 10}" y="{height - 6}" text-anchor="end" font-size="11" '
                 f'fill="#555">{escape(previous_name)} (light) / {escape(current_name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_rows(rows: list[tuple[str, dict[str, int]]], labels: dict[str, str]) -> str:
    """Return one horizontal bar per row, split by category, with a legend."""
    width, bar_x, bar_w, row_h = 640, 180, 400, 26
    height = row_h * len(rows) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" class="chart">']
    for i, (name, counts) in enumerate(rows):
        y = 8 + i * row_h
        total = sum(counts.values()) or 1
        parts.append(f'<text x="{bar_x - 8}" y="{y + 15}" text-anchor="end" '
                     f'font-size="12">{escape(name)}</text>')
        x = float(bar_x)
        for key in ORDER:
            value = counts.get(key, 0)
            if not value:
                continue
            w = bar_w * value / total
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" '
                         f'fill="{COLOURS[key]}"><title>{escape(labels[key])}: {value}'
                         f"</title></rect>")
            x += w
        parts.append(f'<text x="{bar_x + bar_w + 6}" y="{y + 14}" font-size="12">'
                     f"{sum(counts.values())}</text>")
    legend_y = height - 12
    for i, key in enumerate(ORDER):
        lx = 10 + i * 126
        parts.append(f'<rect x="{lx}" y="{legend_y - 9}" width="10" height="10" '
                     f'fill="{COLOURS[key]}"/>')
        parts.append(f'<text x="{lx + 14}" y="{legend_y}" font-size="11">'
                     f"{escape(labels[key])}</text>")
    parts.append("</svg>")
    return "".join(parts)


def rate_bar(rate: float | None) -> str:
    """Return a small bar for an on-time rate between 0 and 1."""
    if rate is None:
        return ""
    w = round(80 * rate)
    colour = "#2e7d32" if rate >= 0.9 else "#f9a825" if rate >= 0.7 else "#c62828"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="84" height="10" class="rate">'
            f'<rect width="80" height="8" y="1" fill="#eee"/>'
            f'<rect width="{w}" height="8" y="1" fill="{colour}"/></svg>')
