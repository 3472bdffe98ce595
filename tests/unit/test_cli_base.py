"""The command line's shared error handling, without a database or a command."""

from __future__ import annotations

import sqlite3

import pytest
import typer


def test_a_database_error_is_one_line_naming_the_setting(capsys):
    from sqlalchemy.exc import OperationalError

    from dirtrack.cli.base import user_errors

    with pytest.raises(typer.Exit) as stopped, user_errors():
        raise OperationalError("UPDATE outbox SET status = ?", ("sent",),
                               sqlite3.OperationalError("database is locked"))

    assert stopped.value.exit_code == 1
    assert capsys.readouterr().err == ("error: database error: database is locked; check "
                                       "DIRTRACK_DATABASE_URL\n")


def test_any_other_error_is_left_to_surface(capsys):
    from dirtrack.cli.base import user_errors

    with pytest.raises(KeyError), user_errors():
        raise KeyError("a bug, not a user's mistake")

    assert capsys.readouterr().err == ""
