"""Commands that read: task lists, counts, one task, a graph, the overdue list, the outbox."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dirtrack.cli.base import (
    AsOf,
    DirectiveOpt,
    Json,
    TaskArg,
    UnitOpt,
    app,
    open_engine,
    open_reader,
    parse_date,
    print_json,
    user_errors,
)
from dirtrack.config import today


@app.command()
def tasks(
    directive: DirectiveOpt = None, unit: UnitOpt = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="done_on_time, done_late, open_on_time, open_overdue or cancelled.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many.")
                     ] = None,
    as_of: AsOf = None, json_: Json = False,
    format_: Annotated[str, typer.Option(
        "--format", help="text, or xlsx: an Excel sheet in the office's column order (give "
        "--out FILE, or redirect the output).")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="With --format xlsx: write the "
                                             "sheet to this file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --out file.")] = False,
) -> None:
    """List task instances with their status as of a date, most urgent first."""
    from dirtrack.present import task_table
    from dirtrack.status import CATEGORIES
    from dirtrack.store.reads import Filters, list_tasks

    if status is not None and status not in CATEGORIES:
        raise typer.BadParameter(f"'{status}' is not one of {', '.join(CATEGORIES)}",
                                 param_hint="--status")
    if format_ not in ("text", "xlsx"):
        raise typer.BadParameter("use text or xlsx", param_hint="--format")
    day = parse_date(as_of, "--as-of") or today()
    if format_ == "xlsx":
        from dirtrack.cli.office import refuse_overwrite, write_output
        from dirtrack.documents.tasks_xlsx import tasks_xlsx

        refuse_overwrite(out, force)
        with user_errors():
            data = tasks_xlsx(open_engine(), day, Filters(directive, unit, status), limit=limit)
            write_output(data, out, binary=True)
        return
    with user_errors():
        found = list_tasks(open_reader(), day, Filters(directive, unit, status), limit)
        if json_:
            print_json([t.as_json() for t in found])
        else:
            typer.echo(task_table(found))


@app.command("status")
def status_(directive: DirectiveOpt = None, unit: UnitOpt = None, as_of: AsOf = None,
            json_: Json = False) -> None:
    """Count tasks in the four categories (and cancelled) as of a date."""
    from dirtrack.present import counts
    from dirtrack.store.reads import Filters, status_counts

    day = parse_date(as_of, "--as-of") or today()
    with user_errors():
        found = status_counts(open_reader(), day, Filters(directive, unit))
        if json_:
            print_json({"as_of": day.isoformat(), **found})
        else:
            scope = directive or (f"tasks led by {unit}" if unit else "all directives")
            typer.echo(counts(found, day, scope))


@app.command()
def show(task: TaskArg, as_of: AsOf = None, json_: Json = False) -> None:
    """Show one task: details, prerequisites, dependents and its full ledger history."""
    from dataclasses import asdict

    from dirtrack.present import task_detail
    from dirtrack.store.reads import show_task

    day = parse_date(as_of, "--as-of") or today()
    with user_errors():
        detail = show_task(open_reader(), task, day)
        if json_:
            data = asdict(detail)
            data["status"] = detail.status.as_json()
            data["prerequisites"] = [p.as_json() for p in detail.prerequisites]
            print_json(data)
        else:
            typer.echo(task_detail(detail))


@app.command()
def graph(
    directive: Annotated[str, typer.Argument(metavar="DIRECTIVE",
                                             help="Directive id, e.g. nb-2024-q2.")],
    format_: Annotated[str, typer.Option("--format", help="text or dot.")] = "text",
) -> None:
    """Print a directive's task graph as a text tree or Graphviz DOT, critical path marked."""
    from dirtrack.graphview import dot, text_tree
    from dirtrack.store.queries import directive_graph

    if format_ not in ("text", "dot"):
        raise typer.BadParameter("use text or dot", param_hint="--format")
    with user_errors():
        head, nodes = directive_graph(open_engine(), directive)
        title = f"{head.id}: {head.number} {head.title} (issued {head.issued_on.isoformat()})"
        typer.echo(text_tree(title, nodes) if format_ == "text" else dot(head.id, title, nodes))



@app.command()
def overdue(directive: DirectiveOpt = None, unit: UnitOpt = None, as_of: AsOf = None,
            json_: Json = False) -> None:
    """List open overdue tasks, longest overdue first, with what blocks them."""
    from dirtrack.present import overdue_table
    from dirtrack.store.reads import Filters
    from dirtrack.store.reads import overdue as overdue_tasks

    day = parse_date(as_of, "--as-of") or today()
    with user_errors():
        found = overdue_tasks(open_reader(), day, Filters(directive, unit))
        if json_:
            print_json([t.as_json() for t in found])
        else:
            typer.echo(overdue_table(found))



@app.command()
def alerts(
    status: Annotated[str | None, typer.Option(
        "--status", help="pending, delivered or cancelled.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Only alerts to this unit.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many.")
                     ] = None,
    json_: Json = False,
) -> None:
    """List the alert outbox: recipient, task, step, channel, status and delivery attempts."""
    from dirtrack.alerts import list_alerts
    from dirtrack.present import table

    if status is not None and status not in ("pending", "delivered", "cancelled"):
        raise typer.BadParameter("use pending, delivered or cancelled", param_hint="--status")
    with user_errors():
        from dirtrack.store.queries import check_known

        engine = open_engine()
        check_known(engine, unit=unit)
        found = list_alerts(engine, status, unit, limit)
    if json_:
        print_json([a.as_json() for a in found])
    elif not found:
        typer.echo("no alerts")
    else:
        typer.echo(table(["FIRED", "RECIPIENT", "TASK", "STEP", "CHANNEL", "STATUS", "ATTEMPTS"],
                         [[a.fired_on.isoformat(), a.recipient, a.task, a.step, a.channel,
                           a.status, str(a.attempts)] for a in found]))

