"""``dirtrack config`` and the settings every entry point shares."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def clean_env(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith("DIRTRACK_") and name != "DIRTRACK_DATABASE_URL":
            monkeypatch.delenv(name)
    return monkeypatch


def test_config_prints_the_effective_settings_with_secrets_masked(cli, clean_env):
    clean_env.setenv("DIRTRACK_SECRET_KEY", "do-not-print-me")
    clean_env.setenv("DIRTRACK_REPORT_DAYS_BACK", "3")
    clean_env.setenv("DIRTRACK_COOKIE_SECURE", "Yes")

    run = cli("config", "--json")

    assert run.exit_code == 0
    shown = json.loads(run.stdout)
    assert "do-not-print-me" not in run.stdout
    assert shown["DIRTRACK_SECRET_KEY"] == "********"
    assert shown["DIRTRACK_REPORT_DAYS_BACK"] == "3"
    assert shown["DIRTRACK_COOKIE_SECURE"] == "True"
    assert shown["DIRTRACK_TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert shown["DIRTRACK_NOW"] == "-"


def test_config_masks_the_database_password(cli, clean_env):
    from typer.testing import CliRunner

    from dirtrack.cli import app

    run = CliRunner().invoke(app, ["config"], env={
        "DIRTRACK_DATABASE_URL": "postgresql://clerk:hunter22@db.example/dirtrack"})

    assert run.exit_code == 0
    assert "hunter22" not in run.stdout
    assert "postgresql://clerk:***@db.example/dirtrack" in run.stdout


@pytest.mark.parametrize(("name", "value", "message"), [
    ("DIRTRACK_COOKIE_SECURE", "maybe",
     "DIRTRACK_COOKIE_SECURE='maybe' is neither true nor false (write true or false, 1 or 0, "
     "yes or no, on or off); fix or unset it"),
    ("DIRTRACK_NOW", "2024-01-01",
     "DIRTRACK_NOW='2024-01-01' is not a moment with its offset; write it like "
     "2024-06-01T23:30:00+00:00, or unset it"),
    ("DIRTRACK_REPORT_DAYS_BACK", "-1",
     "DIRTRACK_REPORT_DAYS_BACK='-1' is not a whole number of at least 0; fix or unset it"),
])
def test_a_wrong_setting_is_one_line_for_any_command(cli, clean_env, name, value, message):
    clean_env.setenv(name, value)

    for command in (("validate", "directives"), ("config",)):
        run = cli(*command)
        assert (run.exit_code, run.stdout, run.stderr) == (1, "", f"error: {message}\n")


@pytest.mark.parametrize("spelling", ["1", "true", "TRUE", "yes", "On"])
def test_cookie_secure_reads_every_usual_spelling(clean_env, spelling):
    from dirtrack.config import settings

    clean_env.setenv("DIRTRACK_COOKIE_SECURE", spelling)
    assert settings().cookie_secure is True
    clean_env.setenv("DIRTRACK_COOKIE_SECURE", spelling.replace("1", "0").replace(
        "true", "false").replace("TRUE", "FALSE").replace("yes", "no").replace("On", "Off"))
    assert settings().cookie_secure is False
