"""Quarterly review: Markdown, HTML, JSON and Word files per jurisdiction, and Prefect
artifacts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from dirtrack.config import settings, today
from dirtrack.documents.render import FORMATS, render, write_review
from dirtrack.documents.words import percent
from dirtrack.review import Review, build_review, previous_quarter_end
from flows.runtime import in_flow_run, step, whole
from flows.steps import database


def jurisdictions_issuing_by(quarter: str) -> list[str]:
    """Return the jurisdictions with a directive issued by the end of ``quarter``."""
    from sqlalchemy import select

    from dirtrack.calendar import quarter_bounds
    from dirtrack.store.tables import DirectiveRow

    last = quarter_bounds(quarter)[1]
    directive: Any = DirectiveRow.__table__  # type: ignore[attr-defined]
    with database().connect() as conn:
        return list(conn.execute(
            select(directive.c.jurisdiction).where(directive.c.issued_on <= last)
            .distinct().order_by(directive.c.jurisdiction)).scalars())


def jurisdiction_of(directive_id: str) -> list[str]:
    """Return the jurisdiction of one directive (none when it is not loaded)."""
    from sqlalchemy import select

    from dirtrack.store.tables import DirectiveRow

    directive: Any = DirectiveRow.__table__  # type: ignore[attr-defined]
    with database().connect() as conn:
        return list(conn.execute(select(directive.c.jurisdiction).where(
            directive.c.id == directive_id)).scalars())


# The review is large (a league table of every unit): it is passed whole (Prefect
# does not walk through it looking for futures).
@step("build the review")
def build(jurisdiction: str, quarter: str, as_of: date, directive: str | None = None,
          locality: str | None = None) -> Review:
    return build_review(database(), jurisdiction, quarter, as_of, directive,
                        locality=locality)


@step("write the review files")
def write(review: Review, out: str, formats: tuple[str, ...]) -> list[str]:
    return [str(p) for p in write_review(review, Path(out), formats)]


@step("publish artifacts")
def publish(review: Review, files: list[str]) -> None:
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    one = f"-{review.directive}" if review.directive else ""
    one += f"-{review.locality}" if review.locality else ""
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


@step("quarterly-review", kind="flow")
def quarterly_review(quarter: str | None = None, as_of: date | None = None,
                     out: str | None = None, jurisdiction: str | None = None,
                     formats: tuple[str, ...] = FORMATS,
                     directive: str | None = None,
                     locality: str | None = None) -> list[str]:
    """Write the review of ``quarter`` (default: the one that just ended), as of ``as_of``
    (default today), for each jurisdiction, or of one ``directive``, or of the work of one
    ``locality``'s bodies (in ``jurisdiction``); return the files written."""
    day = as_of or today()
    quarter = quarter or previous_quarter_end(day)[0]
    folder = out or str(settings().reports_dir)
    files: list[str] = []
    if jurisdiction:
        chosen = [jurisdiction]
    elif directive:
        chosen = jurisdiction_of(directive)
    else:
        chosen = jurisdictions_issuing_by(quarter)
    for jur in chosen:
        review = build(jur, quarter, day, directive, locality)
        written = write(whole(review), folder, formats)
        if in_flow_run():  # artifacts are kept by the Prefect server of the run
            publish(whole(review), written)
        files += written
    return files
