"""Reading and loading directive files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dirtrack.cli.base import (
    Json,
    On,
    PathArg,
    app,
    fail,
    open_engine,
    parse_date,
    print_json,
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
                later = f" ({r.waiting:,} occurrence(s) open later)" if r.waiting else ""
                typer.echo(f"{r.directive_id}: new, {r.instances:,} task instance(s){later}")
            elif r.outcome == "unchanged":
                typer.echo(f"{r.directive_id}: unchanged ({r.instances:,} task instance(s))")
            else:
                typer.echo(f"{r.directive_id}: updated: {r.added} added, {r.revised} revised, "
                           f"{r.cancelled} cancelled, {r.restored} restored")
                for note in r.notes:
                    typer.echo(f"  {note}")
        if summary.opened:
            typer.echo(f"repeating tasks: {summary.opened:,} occurrence(s) opened")
        if summary.reassigned:
            typer.echo(f"reorganisation: {summary.reassigned} open task(s) moved to successor "
                       "units")



@app.command("plan")
def plan_(
    path: PathArg = Path("directives"),
    directive: Annotated[str | None, typer.Option(
        "--directive", help="Only this directive.")] = None,
    instances: Annotated[bool, typer.Option(
        "--instances", help="One line per task instance instead of one per task.")] = False,
    json_: Json = False,
) -> None:
    """Show the deadlines, leads and prerequisites load would write, without a database."""
    from dirtrack.plan import read_plan
    from dirtrack.planview import instance_rows, plan_json, plan_rows
    from dirtrack.present import table

    with user_errors():
        plan = read_plan(path)
        chosen = [(j, d) for j, d in plan.directives() if directive in (None, d.id)]
        if directive and not chosen:
            fail(f"no directive '{directive}' under {path}; directives there: "
                 + (", ".join(d.id for _, d in plan.directives()) or "none"))
        for warning in plan.warnings:
            typer.echo(str(warning), err=True)
        if json_:
            print_json([plan_json(plan.expansion(j, d), plan.registries[j.id], instances)
                        for j, d in chosen])
            return
        blocks = []
        for jur, spec in chosen:
            exp, registry = plan.expansion(jur, spec), plan.registries[jur.id]
            language = jur.settings.language
            head = (f"{spec.id}: {spec.number} {spec.title} (issued "
                    f"{spec.issued_on.isoformat()}): {len(spec.tasks)} task(s), "
                    f"{len(exp.instances):,} instance(s), finishing {exp.finish().isoformat()}")
            if instances:
                body = table(["INSTANCE", "DUE", "LEAD", "WAITS FOR"],
                             instance_rows(exp, registry, language))
            else:
                body = table(["TASK", "INSTANCES: DUE", "RULE", "LEAD", "AFTER"],
                             plan_rows(exp, registry, language))
            blocks.append(f"{head}\n{body}")
        typer.echo("\n\n".join(blocks))


@app.command()
def init(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The jurisdiction's folder "
                                        "name, e.g. quang-tri.")],
    directives: Annotated[Path, typer.Option(
        "--directives", help="The directives folder to write into.")] = Path("directives"),
    province: Annotated[str | None, typer.Option(
        "--province", help='The province\'s name, e.g. "Tỉnh Quảng Trị".')] = None,
) -> None:
    """Write a new two-tier province into DIRECTIVES/NAME: units, calendar, escalation, a plan."""
    from dirtrack.skeleton import write_skeleton
    from dirtrack.spec.loader import find_catalog

    with user_errors():
        written = write_skeleton(directives, name, province)
        for path in written:
            typer.echo(f"wrote {path}")
        folder = written[0].parent
        if find_catalog(folder) is None:
            typer.echo(f"warning: no tasks_catalog folder beside {directives}: the plan uses "
                       "the catalog; set DIRTRACK_CATALOG to it", err=True)
        typer.echo(f"next: list your communes and wards in {folder / 'units.yaml'}, then run "
                   f"dirtrack plan {folder}")
