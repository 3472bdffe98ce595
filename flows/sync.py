"""Sync: validate a directives path and load it. A failed validation fails the run,
leaves the error list as an artifact, and writes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

import flows.runtime  # noqa: F401  (the worker loads this file by path: prepare Prefect)
from dirtrack.config import settings, today
from dirtrack.errors import ValidationFailed
from dirtrack.plan import Plan, read_plan
from dirtrack.store.engine import make_engine
from dirtrack.store.sync import load_plan
from flows.runtime import whole


# A plan holds every expanded instance: it is passed whole (Prefect does not walk
# through it) and never hashed for a cache key; loading is never served from a cache.
@task(name="validate directives", cache_policy=NONE)
def validate(path: str) -> Plan:
    try:
        return read_plan(Path(path), expand_all=False)
    except ValidationFailed as exc:
        lines = "\n".join(f"- `{p}`" for p in exc.problems)
        create_markdown_artifact(key="sync-errors", markdown=f"# Validation failed\n\n{lines}\n",
                                 description=str(exc))
        raise


@task(name="load into the database", cache_policy=NONE)
def load(plan: Plan, on: date) -> list[dict[str, Any]]:
    summary = load_plan(make_engine(settings().database_url), plan, on=on)
    return [{"directive": r.directive_id, "outcome": r.outcome, "instances": r.instances,
             "added": r.added, "revised": r.revised, "cancelled": r.cancelled}
            for r in summary.results] + (
        [{"reorganisation": summary.reassigned}] if summary.reassigned else [])


@flow(name="sync-directives", log_prints=False)
def sync_directives(path: str = "directives", on: date | None = None) -> list[dict[str, Any]]:
    """Validate and load the directives under ``path`` (changes dated ``on``, default today)."""
    plan = validate(path)
    results = load(whole(plan), on or today())
    logger = get_run_logger()
    for r in results:
        logger.info("%s", r)
    return results
