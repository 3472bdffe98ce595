"""Users of the web app and their API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dirtrack.cli.base import (
    app,
    open_engine,
    user_errors,
)

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

    with user_errors():
        engine = open_engine(new=True)
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
    with user_errors():
        set_password(open_engine(), name, password)
    typer.echo(f"password of {name} changed")


@user_app.command("token")
def user_token(name: Annotated[str, typer.Argument(metavar="NAME", help="Login name.")]) -> None:
    """Create an API token for a user; it is printed once and only its hash is kept."""
    from dirtrack.users import issue_token

    with user_errors():
        token = issue_token(open_engine(), name)
    typer.echo(token)


@user_app.command("list")
def user_list() -> None:
    """List the users with their roles and units."""
    from dirtrack.present import table
    from dirtrack.users import list_users

    with user_errors():
        users = list_users(open_engine())
    typer.echo(table(["NAME", "ROLE", "UNIT"], [[u.name, u.role, u.unit_id or ""]
                                                for u in users]) if users else "no users")

