"""Office files in and out: a plan's Word or Excel appendix in, Word and calendars out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dirtrack.cli.base import AsOf, app, fail, open_engine, parse_date, user_errors
from dirtrack.config import today

Out = Annotated[Path | None, typer.Option("--out", help="Write to this file instead of the "
                                          "standard output.")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite the --out file if it exists.")]


def refuse_overwrite(out: Path | None, force: bool) -> None:
    """Stop before any work when ``out`` exists and ``--force`` was not given."""
    if out is not None and out.exists() and not force:
        fail(f"{out} exists; give --force to overwrite it, or choose another --out")


def write_output(data: bytes, out: Path | None, *, binary: bool) -> None:
    """Write ``data`` to ``out``, or to the standard output (a binary file only when the
    output is redirected, never onto a terminal)."""
    if out is not None:
        out.write_bytes(data)
        return
    if binary and sys.stdout.isatty():
        fail("this is a binary file; give --out FILE, or redirect the output (> FILE)")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _jurisdiction_folder(given: Path) -> Path:
    if (given / "units.yaml").exists() or given.is_absolute():
        return given
    under = Path("directives") / given
    return under if (under / "units.yaml").exists() else given


def _check_periods(first: str | None, last: str | None) -> None:
    """Refuse a --from or --until that is not a period, or a range that runs backwards."""
    from dirtrack.periods import parse_period

    read = {}
    for hint, text in (("--from", first), ("--until", last)):
        if text is not None:
            try:
                read[hint] = parse_period(text)
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint=hint) from None
    if len(read) == 2 and read["--until"].end < read["--from"].start:
        raise typer.BadParameter(f"{last} ends before {first} begins; give the later period "
                                 "to --until", param_hint="--until")


@app.command("import")
def import_(
    plan: Annotated[Path, typer.Argument(metavar="PLAN", help="The plan's Word (.docx) or "
                                         "Excel (.xlsx) file holding its appendix table.")],
    jurisdiction: Annotated[Path, typer.Option(
        "--jurisdiction", help="The jurisdiction folder whose units the plan names "
        "(directives/ninh-binh, or just ninh-binh).")],
    directive_id: Annotated[str | None, typer.Option(
        "--directive-id", help="The directive's id (default: from its number and year). "
        "Give the same id when importing a revised plan.")] = None,
    number: Annotated[str | None, typer.Option("--number", help="The plan's number, if the "
                                               "document does not say (15-KH/BDVTU).")] = None,
    title: Annotated[str | None, typer.Option("--title", help="The plan's title, if the "
                                              "document does not say.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="plan, resolution, directive, "
                                             "decision, circular, conclusion or notice, if "
                                             "the document does not say.")] = None,
    issued_by: Annotated[str | None, typer.Option(
        "--issued-by", help="The issuing unit (id or name), if the document does not say.")
    ] = None,
    issued_on: Annotated[str | None, typer.Option(
        "--issued-on", help="The date of issue (YYYY-MM-DD), if the document does not say.")
    ] = None,
    sector: Annotated[str | None, typer.Option(
        "--sector", help="Sector of rows under no group heading that names one: economic, "
        "cultural-social, defense-security or political-system.")] = None,
    repeat_from: Annotated[str | None, typer.Option(
        "--from", help="The first period repeating rows (Hằng tháng, Hằng quý) cover: 2026, "
        "2026-H1, 2026-Q1 or 2026-01 (default: the year or period the plan's title names).")
    ] = None,
    repeat_until: Annotated[str | None, typer.Option(
        "--until", help="The last period repeating rows cover (default: --from's).")] = None,
    out: Out = None, force: Force = False,
) -> None:
    """Read a plan's appendix table into a directive file; list every cell to fix.

    The YAML goes to the standard output (or --out); each problem goes to the error
    output as PLAN.xlsx:Sheet1!C14: chủ trì: message (Word: PLAN.docx:table 2, row 14),
    and is a FIX comment in the file. Exit code 1 when anything needs fixing.
    """
    from dirtrack.imports.plan import ImportOptions, import_plan
    from dirtrack.imports.yamlout import directive_yaml
    from dirtrack.spec.model import DIRECTIVE_KINDS, SECTORS

    if kind is not None and kind not in DIRECTIVE_KINDS:
        raise typer.BadParameter(f"use one of {', '.join(DIRECTIVE_KINDS)}", param_hint="--kind")
    if sector is not None and sector not in SECTORS:
        raise typer.BadParameter(f"use one of {', '.join(SECTORS)}", param_hint="--sector")
    _check_periods(repeat_from, repeat_until)
    options = ImportOptions(directive_id, number, title, kind, issued_by,
                            parse_date(issued_on, "--issued-on"), sector, repeat_from,
                            repeat_until)
    refuse_overwrite(out, force)
    with user_errors():
        imported = import_plan(plan, _jurisdiction_folder(jurisdiction), options, str(plan))
        write_output(directive_yaml(imported).encode("utf-8"), out, binary=False)
    for finding in imported.findings:
        typer.echo(str(finding), err=True)
    errors = len(imported.errors)
    rows = len([t for t in imported.tasks if t.title])
    typer.echo(f"{rows} task(s) read from {plan}; "
               + (f"{errors} problem(s) to fix (lines marked FIX)" if errors else
                  "nothing to fix"), err=True)
    if errors:
        raise typer.Exit(1)


@app.command()
def export(
    directive: Annotated[str, typer.Argument(metavar="DIRECTIVE", help="A directive file, or "
                                             "a directive's id under --path.")],
    path: Annotated[Path, typer.Option("--path", help="Where to look for a directive given "
                                       "by id.")] = Path("directives"),
    format_: Annotated[str, typer.Option("--format", help="docx: the appendix table as a "
                                         "Word document.")] = "docx",
    out: Out = None, force: Force = False,
) -> None:
    """Write a directive as the appendix table of a plan (Word), which import reads back."""
    from dirtrack.documents.plan_docx import plan_docx
    from dirtrack.plan import read_plan

    if format_ != "docx":
        raise typer.BadParameter("use docx", param_hint="--format")
    refuse_overwrite(out, force)
    given = Path(directive)
    with user_errors():
        plan = read_plan(given if given.is_file() else path, expand_all=False)
        found = [(j, d) for j, d in plan.directives() if given.is_file() or d.id == directive]
        if not found:
            fail(f"no directive '{directive}' under {path}; directives there: "
                 + (", ".join(d.id for _, d in plan.directives()) or "none"))
        jur, spec = found[0]
        write_output(plan_docx(spec, plan.registries[jur.id]), out, binary=True)


@app.command()
def ics(
    unit: Annotated[str, typer.Option("--unit", help="The unit whose deadlines to list.")],
    as_of: AsOf = None,
    language: Annotated[str | None, typer.Option(
        "--language", help="vi or en (default: the jurisdiction's).")] = None,
    out: Out = None, force: Force = False,
) -> None:
    """Print a unit's open deadlines as a calendar (.ics) with the ladder's reminders."""
    from dirtrack.documents.calendar_ics import unit_calendar

    if language not in (None, "vi", "en"):
        raise typer.BadParameter("use vi or en", param_hint="--language")
    day = parse_date(as_of, "--as-of") or today()
    refuse_overwrite(out, force)
    with user_errors():
        write_output(unit_calendar(open_engine(), unit, day, language), out, binary=False)
