"""Render a review as Markdown, self-contained HTML (inline CSS and SVG), JSON or Word.

Markdown and HTML come from the templates ``review.md.j2`` and ``review.html.j2``
(replaceable through ``DIRTRACK_TEMPLATES``), given the review's outline (``doc``),
the review itself (``review``) and helpers; Word is drawn from the same outline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dirtrack.documents.charts import COLOURS, grouped_bars, rate_bar, stacked_rows
from dirtrack.documents.outline import outline
from dirtrack.documents.words import LABELS, language_of, number, percent, quarter_name
from dirtrack.review.model import Review
from dirtrack.status import CATEGORIES
from dirtrack.templating import environment

FORMATS = ("md", "html", "json", "docx")
TEXT_FORMATS = ("md", "html", "json")


def _context(review: Review) -> dict[str, Any]:
    lang = language_of(review.language)
    labels = LABELS[lang]
    doc = outline(review)
    q, nq = quarter_name(review.quarter, lang), quarter_name(review.next_quarter, lang)
    pq = quarter_name(review.previous_quarter, lang)
    cats = {c: labels[c] for c in CATEGORIES}
    overall = review.overall
    previous = overall.previous.counts() if overall.has_previous else {}
    charts = {
        "overview": grouped_bars(cats, overall.totals.counts(), previous, q[:1].upper() + q[1:],
                                 pq[:1].upper() + pq[1:]),
        "sectors": stacked_rows([(labels.get(s, s), t.counts())
                                 for s, t in overall.by_sector.items()], cats),
    }
    return {
        "review": review, "doc": doc, "L": labels, "lang": lang, "q": q, "nq": nq, "pq": pq,
        "cats": cats, "colours": COLOURS, "title": doc.title, "charts": charts,
        "percent": lambda r: percent(r, lang), "number": lambda n: number(n, lang),
        "rate_bar": rate_bar,
    }


def render(review: Review, fmt: str) -> str:
    """Return the review in ``fmt`` (md, html or json; Word is ``render_docx``)."""
    if fmt == "json":
        # Compact: a national review's league tables run to millions of values, and
        # only the compact form is encoded at C speed.
        return json.dumps(review.as_json(), ensure_ascii=False, separators=(",", ":"))
    if fmt not in TEXT_FORMATS:
        raise ValueError(f"no text rendering for '{fmt}'")
    env = environment(autoescape=fmt == "html")
    return env.get_template(f"review.{fmt}.j2").render(**_context(review))


def render_docx(review: Review) -> bytes:
    """Return the review as a Word document (.docx), the file the office edits and signs."""
    from dirtrack.documents.word import write_docx

    return write_docx(outline(review))


def file_name(review: Review, fmt: str) -> str:
    """Return the review's file name:
    ``review-<jurisdiction>-<quarter>[-<directive>][-<locality>].<fmt>``."""
    one = f"-{review.directive}" if review.directive else ""
    one += f"-{review.locality}" if review.locality else ""
    return f"review-{review.jurisdiction}-{review.quarter}{one}.{fmt}"


def write_review(review: Review, folder: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the review files into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = folder / file_name(review, fmt)
        if fmt == "docx":
            path.write_bytes(render_docx(review))
        else:
            path.write_text(render(review, fmt), encoding="utf-8")
        paths.append(path)
    return paths
