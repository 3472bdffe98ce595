"""Small inline SVG charts for the review: no scripts, no fonts or files from outside."""

from __future__ import annotations

from html import escape

COLOURS = {"done_on_time": "#2e7d32", "done_late": "#f9a825", "open_on_time": "#1e88e5",
           "open_overdue": "#c62828", "cancelled": "#9e9e9e"}
ORDER = ("done_on_time", "done_late", "open_on_time", "open_overdue", "cancelled")


def _lines(text: str, width: int = 16) -> list[str]:
    """Split a label into lines of about ``width`` characters, on spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _label(x: float, y: float, text: str, width: int = 16) -> str:
    spans = "".join(f'<tspan x="{x}" dy="{0 if i == 0 else 14}">{escape(line)}</tspan>'
                    for i, line in enumerate(_lines(text, width)))
    return f'<text x="{x}" y="{y}" text-anchor="middle" font-size="12">{spans}</text>'


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
    width, height, base = 130 * len(keys) + 40, 250, 180
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(current_name)}" class="chart">']
    for i, key in enumerate(keys):
        x = 30 + i * 130
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
        parts.append(_label(x + 40, base + 18, labels[key]))
    for n, (name, opacity) in enumerate(((previous_name, "0.35"), (current_name, "1"))):
        lx = width - 250 + n * 125
        parts.append(f'<rect x="{lx}" y="{height - 16}" width="10" height="10" fill="#555" '
                     f'fill-opacity="{opacity}"/>')
        parts.append(f'<text x="{lx + 14}" y="{height - 7}" font-size="11" fill="#333">'
                     f"{escape(name)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def stacked_rows(rows: list[tuple[str, dict[str, int]]], labels: dict[str, str]) -> str:
    """Return one horizontal bar per row, split by category, with a legend below."""
    width, bar_x, bar_w, row_h = 640, 180, 400, 26
    legend: list[tuple[float, int, str]] = []  # (x, row, category)
    lx, legend_row = 10.0, 0
    for key in ORDER:
        advance = 30 + 6.2 * len(labels[key])
        if lx + advance > width:
            lx, legend_row = 10.0, legend_row + 1
        legend.append((lx, legend_row, key))
        lx += advance
    top_of_legend = row_h * len(rows) + 22
    height = top_of_legend + 16 * (legend_row + 1)
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
    for x, row, key in legend:
        y = top_of_legend + 16 * row
        parts.append(f'<rect x="{x:.1f}" y="{y - 9}" width="10" height="10" '
                     f'fill="{COLOURS[key]}"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="{y}" font-size="11">'
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
