"""Sync: validate a directives path and load it. A failed validation fails the run,
leaves the error list as an artifact (in a Prefect run), and writes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from dirtrack.config import today
from dirtrack.errors import ValidationFailed
from dirtrack.plan import Plan, read_plan
from dirtrack.store.sync import load_plan
from flows.runtime import in_flow_run, run_logger, step, whole
from flows.steps import database


# A plan holds every expanded instance: it is passed whole (Prefect does not walk
# through it) and never hashed for a cache key; loading is never served from a cache.
@step("validate directives")
def validate(path: str) -> Plan:
    try:
        return read_plan(Path(path), expand_all=False)
    except ValidationFailed as exc:
        if in_flow_run():
            from prefect.artifacts import create_markdown_artifact

            lines = "\n".join(f"- `{p}`" for p in exc.problems)
            create_markdown_artifact(key="sync-errors",
                                     markdown=f"# Validation failed\n\n{lines}\n",
                                     description=str(exc))
        raise


@step("load into the database")
def load(plan: Plan, on: date) -> list[dict[str, Any]]:
    summary = load_plan(database(), plan, on=on)
    return [{"directive": r.directive_id, "outcome": r.outcome, "instances": r.instances,
             "added": r.added, "revised": r.revised, "cancelled": r.cancelled,
             "waiting": r.waiting}
            for r in summary.results] + (
        [{"occurrences_opened": summary.opened}] if summary.opened else []) + (
        [{"reorganisation": summary.reassigned}] if summary.reassigned else [])


@step("sync-directives", kind="flow", log_prints=False)
def sync_directives(path: str = "directives", on: date | None = None) -> list[dict[str, Any]]:
    """Validate and load the directives under ``path`` (changes dated ``on``, default today)."""
    plan = validate(path)
    results = load(whole(plan), on or today())
    logger = run_logger()
    for r in results:
        logger.info("%s", r)
    return results
