"""Reading and loading directive files."""

from __future__ import annotations

from pathlib import Path

import typer

from dirtrack.cli.base import (
    On,
    PathArg,
    app,
    open_engine,
    parse_date,
    user_errors,
)
from dirtrack.config import today


@app.command()
def validate(path: PathArg = Path("directives")) -> None:
    """Check directive files and print every problem as path:line: key: message."""
    from dirtrack.plan import read_plan

    with user_errors():
        plan = read_plan(path)
        for warning in plan.warnings:
            typer.echo(str(warning), err=True)
        directives = plan.directives()
        instances = sum(len(plan.expansion(j, d).instances) for j, d in directives)
        typer.echo(f"ok: {len(plan.jurisdictions)} jurisdiction(s), {len(directives)} "
                   f"directive(s), {instances:,} task instance(s), "
                   f"{len(plan.warnings)} warning(s)")


@app.command()
def load(path: PathArg = Path("directives"), on: On = None) -> None:
    """Validate, then write directives to the database; unchanged ones are left as they are."""
    from dirtrack.plan import read_plan
    from dirtrack.store.sync import load_plan

    effective = parse_date(on, "--on") or today()
    with user_errors():
        plan = read_plan(path, expand_all=False)
        summary = load_plan(open_engine(new=True), plan, on=effective)
        for warning in plan.warnings:
            typer.echo(str(warning), err=True)
        for r in summary.results:
            if r.outcome == "new":
                typer.echo(f"{r.directive_id}: new, {r.instances:,} task instance(s)")
            elif r.outcome == "unchanged":
                typer.echo(f"{r.directive_id}: unchanged ({r.instances:,} task instance(s))")
            else:
                typer.echo(f"{r.directive_id}: updated: {r.added} added, {r.revised} revised, "
                           f"{r.cancelled} cancelled, {r.restored} restored")
                for note in r.notes:
                    typer.echo(f"  {note}")
        if summary.reassigned:
            typer.echo(f"reorganisation: {summary.reassigned} open task(s) moved to successor "
                       "units")

