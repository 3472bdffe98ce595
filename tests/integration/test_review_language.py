"""The demo's reviews read in Vietnamese only: no English word and no internal id in the
text of the Markdown, HTML and Word files (both provinces, their quarters replayed with
the demo's actions, without Prefect), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document as read_docx
from sqlalchemy import Engine, select

from dirtrack.calendar import quarter_bounds
from dirtrack.demo import actions_for, perform, quarter_of
from dirtrack.plan import read_plan
from dirtrack.report import render, render_docx
from dirtrack.review import build_review
from dirtrack.store.occurrences import open_occurrences
from dirtrack.store.sync import load_plan
from dirtrack.store.tables import DirectiveRow, InstanceRow, TaskRow, UnitRow

# English words that are no Vietnamese words too (not "in", "to", "tin"...).
ENGLISH = {
    "the", "and", "of", "for", "with", "by", "is", "on", "task", "tasks", "done",
    "overdue", "open", "late", "time", "cancelled", "unit", "units", "lead", "report",
    "review", "quarter", "deadline", "due", "sector", "evidence", "step", "total", "rate",
    "none", "previous", "next", "directive", "plan", "completed", "planned", "delays",
    "awaiting", "verification", "results", "economic", "political", "commune",
    "communes", "district", "districts", "province", "summary", "figures", "not",
}


def visible(html: str) -> str:
    """Return the text a reader sees in a page: no styles, no tags, entities decoded."""
    import html as entities

    html = re.sub(r"<style.*?</style>|<title>.*?</title>", " ", html, flags=re.S)
    return entities.unescape(re.sub(r"<[^>]+>", " ", html))


def word_text(data: bytes) -> str:
    doc = read_docx(BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    parts += [p.text for s in doc.sections for p in s.header.paragraphs]
    return "\n".join(parts)


@pytest.fixture
def replayed(engine: Engine, project: Path) -> list:
    """Both demo quarters replayed as the demo does; return their reviews."""
    plan = read_plan(project / "directives", catalog=project / "tasks_catalog")
    reviews = []
    quarters: dict[tuple[str, str], list] = {}  # the directives of a quarter replay together
    for jur, spec in sorted(plan.directives(), key=lambda js: js[1].issued_on):
        quarters.setdefault((jur.id, quarter_of(spec.issued_on)), []).append((jur, spec))
    for (_, quarter), members in quarters.items():
        jur = members[0][0]
        load_plan(engine, plan, on=members[0][1].issued_on)
        last = quarter_bounds(quarter)[1]
        with engine.begin() as conn:  # the monthly reports the daily check would create
            open_occurrences(conn, last)
        for _, spec in members:
            for action in actions_for(plan, spec.id):
                if action.day <= last:
                    perform(engine, plan.registries[jur.id], action)
        for reorg in {r.on for r in jur.reorganisations if r.on <= last + timedelta(days=1)}:
            load_plan(engine, plan, on=reorg)
        reviews.append(build_review(engine, jur.id, quarter, last + timedelta(days=1)))
    return reviews


def test_the_demo_reviews_hold_no_english_word_and_no_internal_id(replayed, engine):
    with engine.connect() as conn:
        ids = set(conn.execute(select(UnitRow.id)).scalars())
        ids |= set(conn.execute(select(DirectiveRow.id)).scalars())
        ids |= set(conn.execute(select(TaskRow.task_id)).scalars())
        ids |= set(conn.execute(select(InstanceRow.key)).scalars())
    # one review per demo quarter: Ninh Bình Q2 2024 (its plan and its monthly reports),
    # Hưng Yên Q1 (the models), Q2 and Q3 2025 (after the district level ends)
    assert [(r.jurisdiction, r.quarter) for r in replayed] == [
        ("ninh-binh", "2024-Q2"), ("hung-yen", "2025-Q1"), ("hung-yen", "2025-Q2"),
        ("hung-yen", "2025-Q3")]
    for review in replayed:
        assert review.narrative is not None and review.settings.path  # both provided
        texts = {"md": render(review, "md"), "html": visible(render(review, "html")),
                 "docx": word_text(render_docx(review))}
        for fmt, text in texts.items():
            words = {w.lower() for w in re.findall(r"\w+", text) if w.isascii()}
            assert words & ENGLISH == set(), (review.jurisdiction, fmt, words & ENGLISH)
            found = [i for i in ids
                     if re.search(rf"(?<![\w/-]){re.escape(i)}(?![\w/-])", text)]
            assert found == [], (review.jurisdiction, fmt, found)
        assert "BÁO CÁO" in texts["docx"] and "Nơi nhận:" in texts["docx"]
