"""Commands for the operator: the effective settings."""

from __future__ import annotations

import typer

from dirtrack.cli.base import Json, app, print_json
from dirtrack.config import settings


@app.command("config")
def config_(json_: Json = False) -> None:
    """Print the effective settings (DIRTRACK_* variables and defaults), secrets masked."""
    from dirtrack.present import table

    rows = settings().described()
    if json_:
        print_json({name: value for name, value, _ in rows})
    else:
        typer.echo(table(["VARIABLE", "VALUE", "MEANING"], [list(r) for r in rows]))
