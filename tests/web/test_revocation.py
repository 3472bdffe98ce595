"""Sessions and tokens end when they should: logout, a new password, a disabled user,
a revoked or expired token. What is ended stops at the next request, in every worker.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from dirtrack.web.app import create_app
from dirtrack.web.security import COOKIE

from .conftest import NO_CREDENTIALS, PASSWORD, csrf_of, error_message, login
from .support import run_cli

NEW_PASSWORD = "một mật khẩu mới 2025"


def _with_cookie(app, cookie: str) -> TestClient:
    return TestClient(app, follow_redirects=False, cookies={COOKIE: cookie})


def _session_works(app, cookie: str) -> bool:
    """Whether a browser holding ``cookie`` is signed in, for the pages and for the API."""
    client = _with_cookie(app, cookie)
    page, api = client.get("/inbox"), client.get("/api/me")
    assert (page.status_code == 200) == (api.status_code == 200), (page, api)
    if page.status_code != 200:
        assert page.headers["location"] == "/login?next=/inbox"
        assert (api.status_code, api.json()["detail"]) == (401, NO_CREDENTIALS)
    return page.status_code == 200


def _token_works(app, token: str) -> bool:
    answer = TestClient(app).get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code in (200, 401), answer.text
    if answer.status_code == 401:
        assert answer.json()["detail"] == NO_CREDENTIALS
    return answer.status_code == 200


# --- logout -----------------------------------------------------------------------------------

def test_logout_ends_the_session_on_the_server_so_a_copied_cookie_no_longer_works(site):
    browser = site.browser("lead")
    cookie = browser.cookies[COOKIE]
    assert _session_works(site.app, cookie)

    out = browser.post("/logout", data={"csrf": csrf_of(browser.get("/inbox").text)})

    assert out.status_code == 303
    assert not _session_works(site.app, cookie)
    from dirtrack.store.tables import WebSessionRow

    sessions = WebSessionRow.__table__  # type: ignore[attr-defined]
    with site.engine.connect() as conn:
        [ended] = conn.execute(select(sessions.c.ended_at)).scalars().all()
    assert ended is not None
    assert site.browser("lead") is not None  # logging in again opens a new session


def test_a_session_ends_after_dirtrack_session_hours_whatever_the_cookie_says(site,
                                                                             monkeypatch):
    monkeypatch.setenv("DIRTRACK_SESSION_HOURS", "2")
    cookie = site.browser("lead").cookies[COOKIE]
    later = datetime.now(UTC) + timedelta(hours=2, minutes=1)

    assert _session_works(site.app, cookie)
    monkeypatch.setenv("DIRTRACK_NOW", later.isoformat())
    assert not _session_works(site.app, cookie)


# --- a new password ---------------------------------------------------------------------------

def test_a_new_password_ends_every_session_and_token_of_the_user(site):
    name = site.name("lead")
    first, second = (site.browser("lead").cookies[COOKIE] for _ in range(2))
    others = site.browser("viewer").cookies[COOKIE]
    assert _session_works(site.app, first) and _token_works(site.app, site.tokens["lead"])

    run = run_cli(site.url, "user", "password", name, "--password-stdin",
                  input=NEW_PASSWORD + "\n")

    assert (run.exit_code, run.stdout) == (
        0, f"password of {name} changed; 2 sessions and 1 token ended\n")
    assert not _session_works(site.app, first)
    assert not _session_works(site.app, second)
    assert not _token_works(site.app, site.tokens["lead"])
    assert _session_works(site.app, others) and _token_works(site.app, site.tokens["viewer"])
    assert login(site.browser(), name, PASSWORD).status_code == 401
    assert login(site.browser(), name, NEW_PASSWORD).status_code == 303


# --- disabled users ---------------------------------------------------------------------------

def test_a_disabled_user_is_refused_at_once_by_every_worker_process(site):
    """Two apps on one database stand for two worker processes, each with what it has
    looked up before; both refuse the user's next request."""
    name, token = site.name("lead"), site.tokens["lead"]
    workers = [site.app, create_app(site.url, evidence_dir=site.evidence_dir)]
    cookie = site.browser("lead").cookies[COOKIE]
    for app in workers:
        assert _token_works(app, token) and _session_works(app, cookie)

    run = run_cli(site.url, "user", "disable", name)

    assert (run.exit_code, run.stdout) == (
        0, f"user {name} disabled; 1 session ended, tokens refused until "
           "'dirtrack user enable'\n")
    for app in workers:
        assert not _token_works(app, token)
        assert not _session_works(app, cookie)
    refused = login(site.browser(), name, PASSWORD)
    assert (refused.status_code, error_message(refused.text)) == (
        401, "wrong user name or password")

    run = run_cli(site.url, "user", "enable", name)

    assert (run.exit_code, run.stdout) == (0, f"user {name} enabled\n")
    assert all(_token_works(app, token) for app in workers)  # tokens were only suspended
    assert not _session_works(site.app, cookie)  # sessions ended: log in again
    assert login(site.browser(), name, PASSWORD).status_code == 303
    workers[1].state.engine.dispose()


def test_disabling_a_user_that_does_not_exist_is_one_line(site):
    run = run_cli(site.url, "user", "disable", "khong.co.ai")

    assert (run.exit_code, run.stdout, run.stderr) == (
        1, "", "error: no user 'khong.co.ai'; add it with 'dirtrack user add'\n")


# --- tokens: expiry and revocation ------------------------------------------------------------

def _new_token(site, *options: str) -> tuple[str, str]:
    run = run_cli(site.url, "user", "token", site.name("viewer"), *options)
    assert run.exit_code == 0, run.stderr
    return run.stdout.strip(), run.stderr


def test_a_token_lasts_the_days_given_with_expires(site, monkeypatch):
    start = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setenv("DIRTRACK_NOW", start.isoformat())
    token, note = _new_token(site, "--expires", "2")
    name = site.name("viewer")

    ends = start + timedelta(days=2)
    number = int(note.split()[1])
    assert note == (f"token {number} of {name}, valid until {ends:%Y-%m-%d %H:%M} UTC; revoke "
                    f"it with 'dirtrack user token {name} --revoke {number}'\n")
    assert _token_works(site.app, token)
    monkeypatch.setenv("DIRTRACK_NOW", (ends - timedelta(seconds=1)).isoformat())
    assert _token_works(site.app, token)
    monkeypatch.setenv("DIRTRACK_NOW", ends.isoformat())
    assert not _token_works(site.app, token)


def test_a_token_lasts_dirtrack_token_days_by_default(site, monkeypatch):
    start = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    monkeypatch.setenv("DIRTRACK_NOW", start.isoformat())

    _, default = _new_token(site)
    monkeypatch.setenv("DIRTRACK_TOKEN_DAYS", "30")
    _, configured = _new_token(site)

    assert "valid until 2027-03-02 08:30 UTC;" in default
    assert "valid until 2026-04-01 08:30 UTC;" in configured


def test_a_token_revoked_by_its_number_stops_and_the_others_go_on(site):
    name = site.name("viewer")
    first, note = _new_token(site)
    second, _ = _new_token(site)
    number = note.split()[1]

    run = run_cli(site.url, "user", "token", name, "--revoke", number)

    assert (run.exit_code, run.stdout) == (0, f"1 token of {name} revoked\n")
    assert not _token_works(site.app, first)
    assert _token_works(site.app, second) and _token_works(site.app, site.tokens["viewer"])
    again = run_cli(site.url, "user", "token", name, "--revoke", number)
    assert (again.exit_code, again.stderr) == (
        1, f"error: token {number} is not a valid token of '{name}'; 'dirtrack user list' "
           "counts their tokens, '--revoke all' ends every one\n")


def test_a_token_revoked_by_itself_or_all_at_once(site):
    name = site.name("viewer")
    leaked, _ = _new_token(site)
    kept, _ = _new_token(site)

    by_value = run_cli(site.url, "user", "token", name, "--revoke", leaked)
    assert (by_value.exit_code, by_value.stdout) == (0, f"1 token of {name} revoked\n")
    assert not _token_works(site.app, leaked) and _token_works(site.app, kept)

    everything = run_cli(site.url, "user", "token", name, "--revoke", "all")
    assert (everything.exit_code, everything.stdout) == (0, f"2 tokens of {name} revoked\n")
    assert not _token_works(site.app, kept)
    assert not _token_works(site.app, site.tokens["viewer"])
    assert _token_works(site.app, site.tokens["steering"])


def test_another_user_s_token_cannot_be_revoked_through_this_name(site):
    run = run_cli(site.url, "user", "token", site.name("viewer"), "--revoke",
                  site.tokens["steering"])

    assert (run.exit_code, run.stderr) == (
        1, f"error: the token given is not a valid token of '{site.name('viewer')}'; "
           "'dirtrack user list' counts their tokens, '--revoke all' ends every one\n")
    assert _token_works(site.app, site.tokens["steering"])


def test_the_user_list_shows_who_is_disabled_and_their_tokens_and_sessions(site):
    site.browser("lead"), site.browser("lead"), site.browser("viewer")
    _new_token(site)
    run_cli(site.url, "user", "disable", site.name("other"))

    run = run_cli(site.url, "user", "list")

    assert (run.exit_code, run.stdout) == (0, (
        "NAME                  ROLE      UNIT                   STATE     TOKENS  SESSIONS\n"
        "bch.thuongtruc        steering                         active    1       0\n"
        "btv.vanphong          officer   pc-standing            active    1       0\n"
        "kimson.chuyenvien     officer   kim-son                disabled  1       0\n"
        "mattran.chuyenvien    officer   fatherland-front       active    1       0\n"
        "thanhtra.xem          viewer                           active    2       1\n"
        "tuyengiao.chuyenvien  officer   propaganda-department  active    1       2\n"))


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("DIRTRACK_TOKEN_DAYS", "a year", "is not a whole number of at least 1"),
    ("DIRTRACK_SESSION_HOURS", "0", "is not a number of at least 0.1"),
    ("DIRTRACK_MAX_JSON_BYTES", "256k", "is not a whole number of at least 1"),
])
def test_a_wrong_lifetime_or_limit_setting_is_one_line(tmp_path, monkeypatch, variable, value,
                                                       message):
    monkeypatch.setenv(variable, value)

    run = run_cli(f"sqlite:///{tmp_path / 'dirtrack.db'}", "user", "list")

    assert (run.exit_code, run.stderr) == (
        1, f"error: {variable}='{value}' {message}; fix or unset it\n")
