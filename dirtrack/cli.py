"""The ``dirtrack`` command line: a thin layer over the library.

Exit codes: 0 success, 1 a user's error (one clear line, no traceback), 2 usage.
Commands that run no flow never import Prefect, so they answer at once.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from dirtrack.config import Settings, today
from dirtrack.errors import DirtrackError, ValidationFailed

app = typer.Typer(
    name="dirtrack",
    help="Turn directives into tracked task graphs: validate, load, report and record progress.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain one-line errors, and no Rich import at start-up
)


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn library errors into one line on stderr and exit code 1."""
    from sqlalchemy.exc import OperationalError

    try:
        yield
    except ValidationFailed as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        _fail(str(exc))
    except DirtrackError as exc:
        _fail(str(exc))
    except OperationalError as exc:
        _fail(f"database error: {str(exc.orig).splitlines()[0]}; check DIRTRACK_DATABASE_URL")
    except OSError as exc:  # a path the user gave: missing, a folder, not writable
        where = f" {exc.filename}" if exc.filename else ""
        _fail(f"cannot use{where}: {exc.strerror or exc}")


def _writable(folder: Path) -> None:
    """Make sure files can be written into ``folder`` (made if missing), or fail in one line."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        _fail(f"cannot write into {folder}: {exc.strerror or exc}; choose another --out folder")


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date; write it as YYYY-MM-DD",
                                 param_hint=option) from None


def _engine(new: bool = False) -> Any:
    """The database of DIRTRACK_DATABASE_URL; an SQLite file must exist unless ``new``
    (a load or a first user may create it; a mistyped path must not read as empty)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from dirtrack.store.engine import make_engine

    url = Settings.from_env().database_url
    try:
        target = make_url(url)
    except ArgumentError:
        target = None  # make_engine says what is wrong with it
    if target is not None and target.get_backend_name() == "sqlite":
        if target.database in (None, "", ":memory:"):
            _fail(f"DIRTRACK_DATABASE_URL={url} names no database file, and a database in "
                  "memory ends with the command; name a file, e.g. sqlite:///dirtrack.db")
        if not new and not Path(str(target.database)).exists():
            _fail(f"no database at {target.database}; load the directives first "
                  "(dirtrack load), or check DIRTRACK_DATABASE_URL")
    return make_engine(url)


def _today() -> date:
    return today(Settings.from_env().timezone)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


PathArg = Annotated[Path, typer.Argument(metavar="PATH", help="Directives root, a jurisdiction "
                                         "folder, or a directive file.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Report as of this date (YYYY-MM-DD); "
                                          "default today in Asia/Ho_Chi_Minh.")]
On = Annotated[str | None, typer.Option("--on", help="Date of the event (YYYY-MM-DD); default "
                                        "today in Asia/Ho_Chi_Minh.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
Note = Annotated[str, typer.Option("--note", help="A note for the ledger.")]
TaskArg = Annotated[str, typer.Argument(metavar="TASK",
                                        help="Task id, e.g. nb-2024-q2/book-100-models.")]
DirectiveOpt = Annotated[str | None, typer.Option("--directive", help="Only this directive.")]
UnitOpt = Annotated[str | None, typer.Option("--unit", help="Only tasks this unit leads.")]


@app.command()
def validate(path: PathArg = Path("directives")) -> None:
    """Check directive files and print every problem as path:line: key: message."""
    from dirtrack.plan import read_plan

    with _user_errors():
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

    effective = _parse_date(on, "--on") or _today()
    with _user_errors():
        plan = read_plan(path, expand_all=False)
        summary = load_plan(_engine(new=True), plan, on=effective)
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


@app.command()
def tasks(
    directive: DirectiveOpt = None, unit: UnitOpt = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="done_on_time, done_late, open_on_time, open_overdue or cancelled.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many.")
                     ] = None,
    as_of: AsOf = None, json_: Json = False,
) -> None:
    """List task instances with their status as of a date, most urgent first."""
    from dirtrack.present import task_table
    from dirtrack.status import CATEGORIES
    from dirtrack.store.queries import Filters, list_tasks

    if status is not None and status not in CATEGORIES:
        raise typer.BadParameter(f"'{status}' is not one of {', '.join(CATEGORIES)}",
                                 param_hint="--status")
    day = _parse_date(as_of, "--as-of") or _today()
    with _user_errors():
        found = list_tasks(_engine(), day, Filters(directive, unit, status), limit)
        if json_:
            _print_json([t.as_json() for t in found])
        else:
            typer.echo(task_table(found))


@app.command("status")
def status_(directive: DirectiveOpt = None, unit: UnitOpt = None, as_of: AsOf = None,
            json_: Json = False) -> None:
    """Count tasks in the four categories (and cancelled) as of a date."""
    from dirtrack.present import counts
    from dirtrack.store.queries import Filters, status_counts

    day = _parse_date(as_of, "--as-of") or _today()
    with _user_errors():
        found = status_counts(_engine(), day, Filters(directive, unit))
        if json_:
            _print_json({"as_of": day.isoformat(), **found})
        else:
            scope = directive or (f"tasks led by {unit}" if unit else "all directives")
            typer.echo(counts(found, day, scope))


@app.command()
def show(task: TaskArg, as_of: AsOf = None, json_: Json = False) -> None:
    """Show one task: details, prerequisites, dependents and its full ledger history."""
    from dataclasses import asdict

    from dirtrack.present import task_detail
    from dirtrack.store.queries import show_task

    day = _parse_date(as_of, "--as-of") or _today()
    with _user_errors():
        detail = show_task(_engine(), task, day)
        if json_:
            data = asdict(detail)
            data["status"] = detail.status.as_json()
            data["prerequisites"] = [p.as_json() for p in detail.prerequisites]
            _print_json(data)
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
    with _user_errors():
        head, nodes = directive_graph(_engine(), directive)
        title = f"{head.id}: {head.number} {head.title} (issued {head.issued_on.isoformat()})"
        typer.echo(text_tree(title, nodes) if format_ == "text" else dot(head.id, title, nodes))


def _record(task: str, kind: str, on: str | None, **fields: Any) -> None:
    from dirtrack.store.ledger import record_event

    day = _parse_date(on, "--on") or _today()
    with _user_errors():
        done = record_event(_engine(), task, kind, on=day, **fields)
        typer.echo(f"{done.task}: {done.kind} recorded on {done.effective_on.isoformat()} "
                   f"(event {done.event_id})")


UnitReq = Annotated[str, typer.Option("--unit", help="The unit reporting: the task's lead unit.")]


@app.command()
def done(task: TaskArg, unit: UnitReq, on: On = None, note: Note = "",
         evidence: Annotated[str, typer.Option("--evidence", help="Reference to the evidence "
                                               "(document number, file, link).")] = "") -> None:
    """Report a task done (only its lead unit can), with a note and evidence."""
    _record(task, "done", on, unit=unit, note=note, evidence=evidence)


@app.command()
def progress(task: TaskArg, unit: UnitReq,
             percent: Annotated[int, typer.Option("--percent", min=0, max=100,
                                                  help="How far along, 0-100.")],
             on: On = None, note: Note = "") -> None:
    """Report progress on a task (only its lead unit can)."""
    _record(task, "progress", on, unit=unit, percent=percent, note=note)


@app.command()
def verify(task: TaskArg, on: On = None, note: Note = "",
           return_: Annotated[bool, typer.Option("--return", help="Return the completion "
                                                 "instead: the task reopens.")] = False,
           reason: Annotated[str, typer.Option("--reason", help="Why it is returned.")] = "",
           ) -> None:
    """Verify a reported completion, or return it with a reason (the task reopens)."""
    if return_:
        _record(task, "returned", on, note=reason or note)
    else:
        _record(task, "verified", on, note=note)


@app.command()
def extend(task: TaskArg,
           to: Annotated[str, typer.Option("--to", help="The new deadline (YYYY-MM-DD).")],
           decision: Annotated[str, typer.Option("--decision", help="Reference of the decision "
                                                 "granting the extension.")],
           on: On = None, note: Note = "") -> None:
    """Extend a task's deadline by decision; the original deadline is kept in the ledger."""
    _record(task, "extended", on, new_due=_parse_date(to, "--to"), decision=decision, note=note)


@app.command()
def cancel(task: TaskArg,
           decision: Annotated[str, typer.Option("--decision", help="Reference of the decision "
                                                 "cancelling the task.")],
           on: On = None, note: Note = "") -> None:
    """Cancel a task by decision; it is counted apart from then on."""
    _record(task, "cancelled", on, decision=decision, note=note)


@app.command()
def overdue(directive: DirectiveOpt = None, unit: UnitOpt = None, as_of: AsOf = None,
            json_: Json = False) -> None:
    """List open overdue tasks, longest overdue first, with what blocks them."""
    from dirtrack.present import overdue_table
    from dirtrack.store.queries import Filters
    from dirtrack.store.queries import overdue as overdue_tasks

    day = _parse_date(as_of, "--as-of") or _today()
    with _user_errors():
        found = overdue_tasks(_engine(), day, Filters(directive, unit))
        if json_:
            _print_json([t.as_json() for t in found])
        else:
            typer.echo(overdue_table(found))


def _run_flow(call: Callable[[], Any]) -> Any:
    """Run a flow with Prefect's defaults prepared (no server needed) and no heartbeat."""
    from flows.runtime import quick_runs  # importing flows prepares Prefect's environment

    with quick_runs():
        return call()


@app.command()
def escalate(
    as_of: AsOf = None,
    alerts_dir: Annotated[Path | None, typer.Option(
        "--alerts-dir", help="Folder of the file channel; default $DIRTRACK_ALERTS_DIR or "
        "reports/alerts.")] = None,
    json_: Json = False,
) -> None:
    """Run the deadline check: record the reminders and escalations due, send the digests."""
    day = _parse_date(as_of, "--as-of") or _today()
    if day > _today():  # the flow refuses it too; said here without Prefect's traceback
        raise typer.BadParameter(f"{day} is after today ({_today()}); a deadline check "
                                 "cannot run ahead of the calendar", param_hint="--as-of")
    with _user_errors():
        from dirtrack.alerts import check_delivery_settings
        from dirtrack.escalation import check_order

        check_order(_engine(), day)  # what the flow would refuse, said before Prefect starts
        check_delivery_settings()
        from flows.deadline_check import deadline_check

        result = _run_flow(lambda: deadline_check(
            as_of=day, alerts_dir=str(alerts_dir) if alerts_dir else None))
    if json_:
        _print_json(result)
        return
    steps = ", ".join(f"{step} {n}" for step, n in sorted(result["by_step"].items()))
    typer.echo(f"deadline check as of {day}: {result['recorded']} alert(s) recorded"
               + (f" ({steps})" if steps else "")
               + f", {result['cancelled']} cancelled; {result['digests_sent']} digest(s) sent "
               f"({result['alerts_sent']} alert(s)), {result['digests_failed']} failed, "
               f"{result['alerts_waiting']} alert(s) waiting")
    for error in result["errors"]:
        typer.echo(f"delivery failed, will be retried: {error}", err=True)


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
    with _user_errors():
        from dirtrack.store.queries import check_known

        engine = _engine()
        check_known(engine, unit=unit)
        found = list_alerts(engine, status, unit, limit)
    if json_:
        _print_json([a.as_json() for a in found])
    elif not found:
        typer.echo("no alerts")
    else:
        typer.echo(table(["FIRED", "RECIPIENT", "TASK", "STEP", "CHANNEL", "STATUS", "ATTEMPTS"],
                         [[a.fired_on.isoformat(), a.recipient, a.task, a.step, a.channel,
                           a.status, str(a.attempts)] for a in found]))


@app.command()
def review(
    quarter: Annotated[str, typer.Argument(metavar="QUARTER", help="The quarter, e.g. 2024-Q2.")],
    as_of: AsOf = None,
    format_: Annotated[str | None, typer.Option(
        "--format", help="md, html or json; default all three.")] = None,
    out: Annotated[str | None, typer.Option(
        "--out", help="Folder for the files (default $DIRTRACK_REPORTS_DIR or reports), or '-' "
        "to print one --format to standard output.")] = None,
    jurisdiction: Annotated[str | None, typer.Option(
        "--jurisdiction", help="Only this jurisdiction; default every one loaded.")] = None,
) -> None:
    """Write the quarterly review (Markdown, HTML with charts, JSON) through the review flow."""
    from dirtrack.calendar import quarter_bounds

    try:
        quarter_bounds(quarter)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="QUARTER") from None
    if format_ is not None and format_ not in ("md", "html", "json"):
        raise typer.BadParameter("use md, html or json", param_hint="--format")
    if out == "-" and format_ is None:
        raise typer.BadParameter("printing to standard output needs one --format",
                                 param_hint="--out")
    day = _parse_date(as_of, "--as-of") or _today()
    with _user_errors():
        from sqlmodel import Session, select

        from dirtrack.store.tables import JurisdictionRow

        engine = _engine()
        with Session(engine) as session:
            names = [jurisdiction] if jurisdiction else list(
                session.exec(select(JurisdictionRow.id).order_by(JurisdictionRow.id)))
        if not names:
            _fail("no jurisdiction is loaded; load the directives first (dirtrack load)")
        if out == "-":
            from dirtrack.report import render
            from dirtrack.review import build_review

            for name in names:
                typer.echo(render(build_review(engine, name, quarter, day), format_ or "md"))
            return
        from flows.quarterly_review import quarterly_review

        _writable(Path(out or os.environ.get("DIRTRACK_REPORTS_DIR", "reports")))
        formats = (format_,) if format_ else ("md", "html", "json")
        from dirtrack.templating import environment

        for fmt in formats:  # a broken replacement template is one line, before the flow
            if fmt != "json":
                environment(autoescape=fmt == "html").get_template(f"review.{fmt}.j2")
        files = _run_flow(lambda: quarterly_review(quarter=quarter, as_of=day, out=out,
                                                   jurisdiction=jurisdiction, formats=formats))
    for path in files:
        typer.echo(path)


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option("--workdir", help="Where the demo database "
                                          "goes.")] = Path(".demo"),
) -> None:
    """Load the demo directives, replay a quarter day by day with the deadline check, and
    write the quarterly reviews (through the Prefect engine, with no server needed)."""
    from flows.runtime import prepare  # the CLI sits on top, beside the flows it runs

    prepare(home=str((workdir / "prefect").resolve()))
    from flows.replay import run_demo

    with _user_errors():
        run_demo(workdir, echo=typer.echo)


user_app = typer.Typer(help="Manage users of the web app and their API tokens.",
                       no_args_is_help=True, rich_markup_mode=None)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Login name, e.g. kimson.vanphong.")],
    role: Annotated[str, typer.Option("--role", help="steering, officer or viewer.")],
    unit: Annotated[str | None, typer.Option("--unit", help="The officer's unit.")] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input (for scripts).")] = False,
    no_password: Annotated[bool, typer.Option(
        "--no-password", help="No web login: the user works through API tokens only.")] = False,
) -> None:
    """Add a user; the password is asked for (never taken on the command line)."""
    from dirtrack.users import add_user, check_new_user

    with _user_errors():
        engine = _engine(new=True)
        check_new_user(engine, name, role, unit)
        password = None if no_password else _read_password(password_stdin)
        user = add_user(engine, name, role, unit, password)
    typer.echo(f"user {user.name} added: {user.role}" + (f" of {user.unit_id}"
                                                          if user.unit_id else ""))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("password")
def user_password(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Login name.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Set a user's password."""
    from dirtrack.users import set_password

    password = _read_password(password_stdin)
    with _user_errors():
        set_password(_engine(), name, password)
    typer.echo(f"password of {name} changed")


@user_app.command("token")
def user_token(name: Annotated[str, typer.Argument(metavar="NAME", help="Login name.")]) -> None:
    """Create an API token for a user; it is printed once and only its hash is kept."""
    from dirtrack.users import issue_token

    with _user_errors():
        token = issue_token(_engine(), name)
    typer.echo(token)


@user_app.command("list")
def user_list() -> None:
    """List the users with their roles and units."""
    from dirtrack.present import table
    from dirtrack.users import list_users

    with _user_errors():
        users = list_users(_engine())
    typer.echo(table(["NAME", "ROLE", "UNIT"], [[u.name, u.role, u.unit_id or ""]
                                                for u in users]) if users else "no users")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535,
                                      help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the web app (units' inboxes, the dashboard, reviews) and the JSON API (/docs)."""
    import uvicorn

    with _user_errors():
        from dirtrack.config import env_number

        _engine()  # a bad database URL is one line here, not a traceback in every worker
        env_number("DIRTRACK_EVIDENCE_MAX_BYTES", 0, least=1)  # and a bad limit
    typer.echo(f"dirtrack on http://{host}:{port}/ (API description at /docs)")
    uvicorn.run("dirtrack.web.main:app", host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=True)


def main() -> None:
    """Entry point of the ``dirtrack`` script."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
    except DirtrackError as exc:  # a setting read before a command's own error handling
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)

