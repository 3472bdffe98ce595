"""Quarterly review: Markdown, HTML, JSON and Word files per jurisdiction, and Prefect
artifacts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE
from sqlalchemy import select

import flows.runtime  # noqa: F401  (the worker loads this file by path: prepare Prefect)
from dirtrack.calendar import quarter_bounds
from dirtrack.config import settings, today
from dirtrack.documents.render import FORMATS, render, write_review
from dirtrack.documents.words import percent
from dirtrack.review import Review, build_review, previous_quarter_end
from dirtrack.store.engine import make_engine
from dirtrack.store.tables import DirectiveRow
from flows.runtime import whole


def _engine() -> Any:
    return make_engine(settings().database_url)


# The review is large (a league table of every unit): no task hashes it for a cache key,
# and it is passed whole (Prefect does not walk through it looking for futures).
@task(name="build the review", cache_policy=NONE)
def build(jurisdiction: str, quarter: str, as_of: date, directive: str | None = None) -> Review:
    return build_review(_engine(), jurisdiction, quarter, as_of, directive)


@task(name="write the review files", cache_policy=NONE)
def write(review: Review, out: str, formats: tuple[str, ...]) -> list[str]:
    return [str(p) for p in write_review(review, Path(out), formats)]


@task(name="publish artifacts", cache_policy=NONE)
def publish(review: Review, files: list[str]) -> None:
    one = f"-{review.directive}" if review.directive else ""
    key = f"review-{review.jurisdiction}-{review.quarter}{one}".lower()
    written = [Path(f) for f in files if f.endswith(".md")]  # rendered once, not twice
    markdown = written[0].read_text(encoding="utf-8") if written else render(review, "md")
    create_markdown_artifact(key=key, markdown=markdown,
                             description=f"{review.jurisdiction_name} {review.quarter}")
    rows = [{"rank": n, "unit": u.name, "tasks": u.totals.total,
             "done_on_time": u.totals.done_on_time, "done_late": u.totals.done_late,
             "open_overdue": u.totals.open_overdue,
             "on_time_rate": percent(u.totals.on_time_rate)}
            for n, u in enumerate(review.overall.by_unit, 1)]
    create_table_artifact(key=f"{key}-units", table=rows,
                          description=f"League table of lead units, {review.quarter}")


@flow(name="quarterly-review")
def quarterly_review(quarter: str | None = None, as_of: date | None = None,
                     out: str | None = None, jurisdiction: str | None = None,
                     formats: tuple[str, ...] = FORMATS,
                     directive: str | None = None) -> list[str]:
    """Write the review of ``quarter`` (default: the one that just ended), as of ``as_of``
    (default today), for each jurisdiction, or of one ``directive`` of ``jurisdiction``;
    return the files written."""
    day = as_of or today()
    quarter = quarter or previous_quarter_end(day)[0]
    folder = out or str(settings().reports_dir)
    directive_table: Any = DirectiveRow.__table__  # type: ignore[attr-defined]
    if jurisdiction:
        jurisdictions = [jurisdiction]
    elif directive:  # one directive: its own jurisdiction
        with _engine().connect() as conn:
            jurisdictions = list(conn.execute(select(directive_table.c.jurisdiction).where(
                directive_table.c.id == directive)).scalars())
    else:  # every jurisdiction with a directive issued by the quarter's end
        last = quarter_bounds(quarter)[1]
        with _engine().connect() as conn:
            jurisdictions = list(conn.execute(
                select(directive_table.c.jurisdiction)
                .where(directive_table.c.issued_on <= last)
                .distinct().order_by(directive_table.c.jurisdiction)).scalars())
    files: list[str] = []
    for jur in jurisdictions:
        review = build(jur, quarter, day, directive)
        written = write(whole(review), folder, formats)
        publish(whole(review), written)
        files += written
    return files
