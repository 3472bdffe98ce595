"""Commands that run a flow (deadline check, review, demo) or the web server."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from dirtrack.cli.base import (
    AsOf,
    Json,
    app,
    fail,
    open_engine,
    parse_date,
    print_json,
    user_errors,
    writable,
)
from dirtrack.config import settings, today

IN_PROCESS = ("ran in this process: no Prefect server configured (set PREFECT_API_URL to "
              "record the runs on one)")


def _run_flow(name: str, **parameters: Any) -> Any:
    """Return what the flow ``name`` returns, run on the Prefect server configured
    (recorded there), or in this process when there is none (one line says so)."""
    from flows.runtime import FLOW_LOG, server_url

    url = server_url()
    if url is None:
        # The flow's own log lines repeat what the command prints from the result.
        logging.getLogger(FLOW_LOG).addHandler(logging.NullHandler())
        steps = importlib.import_module(f"flows.steps.{name}")
        result = getattr(steps, name)(**parameters)
        typer.echo(IN_PROCESS, err=True)
        return result
    _check_reachable(url)
    from flows.runtime import quick_runs

    flow = getattr(importlib.import_module(f"flows.{name}"), name)
    try:
        with quick_runs():
            return flow(**parameters)
    except RuntimeError as exc:  # raised before the flow starts, after Prefect's retries
        if not str(exc).startswith("Failed to reach API"):
            raise
        _unreachable(url, str(exc))


def _check_reachable(url: str) -> None:
    """Fail in one line at once when nothing listens at the server's address (Prefect
    would retry for half a minute, then end in a traceback)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        socket.create_connection((parts.hostname or "", port), timeout=10).close()
    except (OSError, ValueError) as exc:
        _unreachable(url, getattr(exc, "strerror", None) or str(exc))


def _unreachable(url: str, reason: str) -> NoReturn:
    fail(f"cannot reach the Prefect server at {url} (PREFECT_API_URL): {reason}; start it, "
         "or unset PREFECT_API_URL to run in this process")


@app.command()
def escalate(
    as_of: AsOf = None,
    alerts_dir: Annotated[Path | None, typer.Option(
        "--alerts-dir", help="Folder of the file channel; default $DIRTRACK_ALERTS_DIR or "
        "reports/alerts.")] = None,
    pages: Annotated[bool | None, typer.Option(
        "--pages/--no-pages", help="Build and keep the day's dashboard and reviews after the "
        "check; default: when checking today.")] = None,
    json_: Json = False,
) -> None:
    """Run the deadline check: record the reminders and escalations due, send the digests,
    and (for today) keep the day's dashboard and reviews.

    A flow run on the Prefect server of PREFECT_API_URL when one is set, else in this
    process."""
    day = parse_date(as_of, "--as-of") or today()
    if day > today():  # the flow refuses it too; said here without Prefect's traceback
        raise typer.BadParameter(f"{day} is after today ({today()}); a deadline check "
                                 "cannot run ahead of the calendar", param_hint="--as-of")
    with user_errors():
        from dirtrack.alerts import check_delivery_settings
        from dirtrack.escalation import check_order

        check_order(open_engine(), day)  # what the flow would refuse, said before Prefect starts
        check_delivery_settings()
        # The pages kept are the ones users open on the day they are kept: a check of an
        # earlier day (catching up, a replay) leaves them to the check of today.
        result = _run_flow("deadline_check", as_of=day,
                           alerts_dir=str(alerts_dir) if alerts_dir else None,
                           pages=day == today() if pages is None else pages)
    if json_:
        print_json(result)
        return
    steps = ", ".join(f"{step} {n}" for step, n in sorted(result["by_step"].items()))
    typer.echo(f"deadline check as of {day}: {result['recorded']} alert(s) recorded"
               + (f" ({steps})" if steps else "")
               + f", {result['cancelled']} cancelled; {result['digests_sent']} digest(s) sent "
               f"({result['alerts_sent']} alert(s)), {result['digests_failed']} failed, "
               f"{result['alerts_waiting']} alert(s) waiting")
    if result.get("opened"):
        typer.echo(f"repeating tasks: {result['opened']:,} occurrence(s) opened")
    for error in result["errors"]:
        typer.echo(f"delivery failed, will be retried: {error}", err=True)



def _locality_owner(session: Any, locality: str, jurisdiction: str | None) -> str:
    """Return the jurisdiction whose units share ``locality``; fail in one line when none
    does (naming the localities loaded) or when it is not ``jurisdiction``."""
    from dirtrack.review.build import locality_owner

    return locality_owner(session.connection(), locality, jurisdiction)[0]


@app.command()
def review(
    quarter: Annotated[str, typer.Argument(metavar="QUARTER", help="The quarter, e.g. 2024-Q2.")],
    as_of: AsOf = None,
    format_: Annotated[str | None, typer.Option(
        "--format", help="md, html, json or docx (Word); default all four.")] = None,
    out: Annotated[str | None, typer.Option(
        "--out", help="Folder for the files (default $DIRTRACK_REPORTS_DIR or reports), or '-' "
        "to print one --format (md, html or json) to standard output.")] = None,
    jurisdiction: Annotated[str | None, typer.Option(
        "--jurisdiction", help="Only this jurisdiction; default every one loaded.")] = None,
    directive: Annotated[str | None, typer.Option(
        "--directive", help="The review of one directive's progress, e.g. nb-2024-q2.")] = None,
    locality: Annotated[str | None, typer.Option(
        "--locality", help="The review of the work one locality's bodies led (a commune's "
        "Party committee, People's Committee and Front committee together), e.g. "
        "hy-pho-hien.")] = None,
) -> None:
    """Write the quarterly review (Markdown, HTML with charts, JSON, Word) through the review
    flow.

    A flow run on the Prefect server of PREFECT_API_URL when one is set, else in this
    process."""
    from dirtrack.calendar import quarter_bounds
    from dirtrack.documents.render import FORMATS

    try:
        quarter_bounds(quarter)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="QUARTER") from None
    if format_ is not None and format_ not in FORMATS:
        raise typer.BadParameter("use md, html, json or docx", param_hint="--format")
    if out == "-" and format_ is None:
        raise typer.BadParameter("printing to standard output needs one --format",
                                 param_hint="--out")
    if out == "-" and format_ == "docx":
        raise typer.BadParameter("a Word file is not printed; give --out a folder",
                                 param_hint="--out")
    day = parse_date(as_of, "--as-of") or today()
    with user_errors():
        from sqlmodel import Session, select

        from dirtrack.store.tables import DirectiveRow, JurisdictionRow

        engine = open_engine()
        with Session(engine) as session:
            if directive is not None:
                from dirtrack.store.queries import check_known

                check_known(engine, directive)  # names the loaded ones
                owner = session.exec(select(DirectiveRow.jurisdiction)
                                     .where(DirectiveRow.id == directive)).one()
                if jurisdiction is not None and jurisdiction != owner:
                    fail(f"directive '{directive}' belongs to {owner}, not {jurisdiction}")
                jurisdiction = owner
            if locality is not None:
                jurisdiction = _locality_owner(session, locality, jurisdiction)
            names = [jurisdiction] if jurisdiction else list(
                session.exec(select(JurisdictionRow.id).order_by(JurisdictionRow.id)))
        if not names:
            fail("no jurisdiction is loaded; load the directives first (dirtrack load)")
        if out == "-":
            from dirtrack.documents.render import render
            from dirtrack.review import build_review

            for name in names:
                typer.echo(render(build_review(engine, name, quarter, day, directive,
                                               locality=locality), format_ or "md"))
            return
        writable(Path(out or settings().reports_dir))
        formats = (format_,) if format_ else FORMATS
        from dirtrack.templating import environment

        for fmt in formats:  # a broken replacement template is one line, before the flow
            if fmt in ("md", "html"):
                environment(autoescape=fmt == "html").get_template(f"review.{fmt}.j2")
        files = _run_flow("quarterly_review", quarter=quarter, as_of=day, out=out,
                          jurisdiction=jurisdiction, formats=formats, directive=directive,
                          **({"locality": locality} if locality else {}))
    for path in files:
        typer.echo(path)


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option("--workdir", help="Where the demo database "
                                          "goes.")] = Path(".demo"),
) -> None:
    """Load the demo directives, replay a quarter day by day with the deadline check, and
    write the quarterly reviews (as flow runs on the Prefect server of PREFECT_API_URL
    when one is set, else in this process)."""
    from flows.replay import run_demo
    from flows.runtime import server_url  # the CLI sits on top, beside the flows

    url = server_url()
    if url is not None:
        _check_reachable(url)
    with user_errors():
        run_demo(workdir, echo=typer.echo, on_server=url is not None)
    if url is None:
        typer.echo(IN_PROCESS, err=True)



@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535,
                                      help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the web app (units' inboxes, the dashboard, reviews) and the JSON API (/docs)."""
    import uvicorn

    with user_errors():
        open_engine()  # a bad database URL is one line here, not a traceback in every worker
    typer.echo(f"dirtrack on http://{host}:{port}/ (API description at /docs)")
    uvicorn.run("dirtrack.web.main:app", host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=True)

