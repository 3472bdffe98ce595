"""Commands that record an event in the ledger."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dirtrack.cli.base import (
    Note,
    On,
    TaskArg,
    app,
    open_engine,
    parse_date,
    user_errors,
)
from dirtrack.config import today


def _record(task: str, kind: str, on: str | None, **fields: Any) -> None:
    from dirtrack.store.ledger import record_event

    day = parse_date(on, "--on") or today()
    with user_errors():
        done = record_event(open_engine(), task, kind, on=day, **fields)
        typer.echo(f"{done.task}: {done.kind} recorded on {done.effective_on.isoformat()} "
                   f"(event {done.event_id})")


UnitReq = Annotated[str, typer.Option("--unit", help="The unit reporting: the task's lead unit.")]
Values = Annotated[list[str] | None, typer.Option(
    "--value", help="An indicator's value, NAME=N (or NAME.PART=N for a breakdown), e.g. "
    "--value models=78; repeat for more.")]


@app.command()
def done(task: TaskArg, unit: UnitReq, on: On = None, note: Note = "",
         evidence: Annotated[str, typer.Option("--evidence", help="Reference to the evidence "
                                               "(document number, file, link).")] = "",
         value: Values = None) -> None:
    """Report a task done (only its lead unit can), with a note, evidence and the values
    its indicators reached."""
    _record(task, "done", on, unit=unit, note=note, evidence=evidence, values=value or [])


@app.command()
def progress(task: TaskArg, unit: UnitReq,
             percent: Annotated[int, typer.Option("--percent", min=0, max=100,
                                                  help="How far along, 0-100.")],
             on: On = None, note: Note = "", value: Values = None) -> None:
    """Report progress on a task (only its lead unit can), with its indicators' values."""
    _record(task, "progress", on, unit=unit, percent=percent, note=note, values=value or [])


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
           on: On = None, note: Note = "",
           grant: Annotated[bool, typer.Option("--grant", help="Grant the unit's waiting "
                                               "extension request (refused if it was "
                                               "withdrawn).")] = False) -> None:
    """Extend a task's deadline by decision; the original deadline is kept in the ledger."""
    _record(task, "extended", on, new_due=parse_date(to, "--to"), decision=decision, note=note,
            grants=grant)


@app.command()
def cancel(task: TaskArg,
           decision: Annotated[str, typer.Option("--decision", help="Reference of the decision "
                                                 "cancelling the task.")],
           on: On = None, note: Note = "") -> None:
    """Cancel a task by decision; it is counted apart from then on."""
    _record(task, "cancelled", on, decision=decision, note=note)



Reason = Annotated[str, typer.Option("--reason", help="Why: the reason, in a sentence or two.")]


@app.command("request-extension")
def request_extension(task: TaskArg, unit: UnitReq,
                      to: Annotated[str, typer.Option("--to", help="The deadline asked for "
                                                      "(YYYY-MM-DD).")],
                      reason: Reason, on: On = None) -> None:
    """Ask for a later deadline (only the lead unit can); the committee grants it with
    'extend' or refuses it with 'refuse-extension'."""
    _record(task, "requested", on, unit=unit, new_due=parse_date(to, "--to"), note=reason)


@app.command("refuse-extension")
def refuse_extension(task: TaskArg, reason: Reason, on: On = None,
                     decision: Annotated[str, typer.Option("--decision", help="Reference of "
                                                           "the answer, if one was "
                                                           "issued.")] = "") -> None:
    """Refuse a unit's waiting extension request, with the reason; the deadline stands."""
    _record(task, "refused", on, note=reason, decision=decision)


@app.command("withdraw-extension")
def withdraw_extension(task: TaskArg, unit: UnitReq, on: On = None, note: Note = "") -> None:
    """Withdraw a waiting extension request (only the lead unit that asked can), before it
    is answered; it can then no longer be granted or refused."""
    _record(task, "withdrawn", on, unit=unit, note=note)


@app.command()
def difficulty(task: TaskArg, unit: UnitReq,
               note: Annotated[str, typer.Option("--note", help="The difficulty or the "
                                                 "reason for delay (khó khăn, vướng "
                                                 "mắc).")],
               on: On = None) -> None:
    """Record a difficulty or a reason for delay on an open task (only its lead unit can)."""
    _record(task, "difficulty", on, unit=unit, note=note)
