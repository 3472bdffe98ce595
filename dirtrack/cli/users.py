"""Users of the web app and their API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dirtrack.cli.base import (
    app,
    fail,
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


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


@user_app.command("password")
def user_password(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Login name.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Set a user's password; every web session and API token of the user ends."""
    from dirtrack.users import set_password

    password = _read_password(password_stdin)
    with user_errors():
        ended = set_password(open_engine(), name, password)
    feeds = f", {_count(ended.feeds, 'calendar feed')}" if ended.feeds else ""
    typer.echo(f"password of {name} changed; {_count(ended.sessions, 'session')}{feeds} and "
               f"{_count(ended.tokens, 'token')} ended")


@user_app.command("token")
def user_token(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Login name.")],
    expires: Annotated[int | None, typer.Option(
        "--expires", metavar="DAYS", min=1,
        help="Days the new token lasts (default DIRTRACK_TOKEN_DAYS, 365).")] = None,
    revoke: Annotated[str | None, typer.Option(
        "--revoke", metavar="NUMBER|TOKEN|all",
        help="Instead of a new token, revoke one (by the number given when it was made, "
             "or the token itself) or all of the user's.")] = None,
) -> None:
    """Create an API token for a user (printed once, only its hash is kept), or revoke one."""
    from dirtrack.users import new_token, revoke_tokens

    if revoke is not None:
        if expires is not None:
            fail("give --expires for a new token or --revoke, not both")
        with user_errors():
            count = revoke_tokens(open_engine(), name, revoke)
        typer.echo(f"{_count(count, 'token')} of {name} revoked")
        return
    with user_errors():
        issued = new_token(open_engine(), name, expires)
    typer.echo(issued.token)
    typer.echo(f"token {issued.id} of {name}, valid until {issued.expires_at:%Y-%m-%d %H:%M} "
               f"UTC; revoke it with 'dirtrack user token {name} --revoke {issued.id}'",
               err=True)


@user_app.command("calendar")
def user_calendar(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Login name of a unit's user.")],
    revoke: Annotated[bool, typer.Option(
        "--revoke", help="Instead of a new feed, end the user's feed.")] = False,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", metavar="URL", help="The server's address as calendar apps reach it "
        "(https://dirtrack.example.vn); the feed's address is printed under it.")] = None,
) -> None:
    """Give a user a calendar feed of their unit's deadlines (its address printed once,
    only its hash is kept; a new one ends the old), or end it with --revoke."""
    from dirtrack.feeds import new_feed, revoke_feed

    if revoke:
        if base_url is not None:
            fail("give --base-url for a new feed or --revoke, not both")
        with user_errors():
            count = revoke_feed(open_engine(), name)
        typer.echo(f"{_count(count, 'calendar feed')} of {name} revoked")
        return
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        fail(f"--base-url '{base_url}' is not a web address; give it as https://host[:port]")
    with user_errors():
        feed = new_feed(open_engine(), name)
    typer.echo((base_url or "").rstrip("/") + feed.path())
    hint = "" if base_url else "; put the server's address before it (or give --base-url)"
    typer.echo(f"calendar feed of {name} ({feed.unit_id}){hint}; end it with "
               f"'dirtrack user calendar {name} --revoke'", err=True)


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument(metavar="NAME", help="Login name.")]
                 ) -> None:
    """Disable a user: their sessions end, their requests are refused until enabled."""
    from dirtrack.users import set_active

    with user_errors():
        ended = set_active(open_engine(), name, False)
    feeds = f" and {_count(ended.feeds, 'calendar feed')}" if ended.feeds else ""
    typer.echo(f"user {name} disabled; {_count(ended.sessions, 'session')}{feeds} ended, "
               "tokens refused until 'dirtrack user enable'")


@user_app.command("enable")
def user_enable(name: Annotated[str, typer.Argument(metavar="NAME", help="Login name.")]
                ) -> None:
    """Enable a disabled user again (tokens not revoked work again; they log in anew)."""
    from dirtrack.users import set_active

    with user_errors():
        set_active(open_engine(), name, True)
    typer.echo(f"user {name} enabled")


@user_app.command("list")
def user_list() -> None:
    """List the users: role, unit, whether enabled, valid tokens and open sessions."""
    from dirtrack.present import table
    from dirtrack.users import list_users

    with user_errors():
        users = list_users(open_engine())
    rows = [[u.user.name, u.user.role, u.user.unit_id or "",
             "active" if u.active else "disabled", str(u.tokens), str(u.sessions)]
            for u in users]
    typer.echo(table(["NAME", "ROLE", "UNIT", "STATE", "TOKENS", "SESSIONS"], rows)
               if users else "no users")
