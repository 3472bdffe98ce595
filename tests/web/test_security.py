"""Login, sessions and CSRF; how passwords, tokens and the signing key are kept; the logs.

Tests that fail logins use a fresh database (``site``): five failures lock a name out
for fifteen minutes, and the module's shared database must stay usable.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import MetaData, func, select
from typer.testing import CliRunner

from dirtrack.store.tables import LoginAttemptRow, SettingRow
from dirtrack.users import authenticate, set_password
from dirtrack.web.app import create_app
from dirtrack.web.security import COOKIE, Session, Sessions

from .conftest import (
    PASSWORD,
    SECRET_KEY,
    TASK,
    csrf_of,
    error_message,
    login,
    version_of,
)

WRONG = "wrong user name or password"
FORM_EXPIRED = ("this form has expired or did not come from dirtrack; reload the page and "
                "submit it again")
ATTEMPTS = LoginAttemptRow.__table__  # type: ignore[attr-defined]
SETTINGS = SettingRow.__table__  # type: ignore[attr-defined]


def _cookie_flags(response: Any) -> list[str]:
    [header] = [v for k, v in response.headers.multi_items()
                if k == "set-cookie" and v.startswith(f"{COOKIE}=")]
    return [part.strip() for part in header.split(";")[1:]]


def _signed_in(client: Any) -> bool:
    """Whether the browser's session is a signed-in one (the inbox opens instead of login)."""
    return client.get("/inbox").status_code == 200


def _attempts(site, name: str) -> int:
    with site.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ATTEMPTS)
                                .where(ATTEMPTS.c.name == name)).scalar_one())


def _database_text(engine) -> str:  # type: ignore[no-untyped-def]
    """Every value in every table of the database, as text."""
    tables = MetaData()
    tables.reflect(engine)
    with engine.connect() as conn:
        return "\n".join(str(value) for table in tables.sorted_tables
                         for row in conn.execute(select(table)) for value in row)


def _cli(url: str, project: Path, *args: str, input: str | None = None) -> Any:
    """Run ``dirtrack`` in-process with standard input, as a script would."""
    import os

    from dirtrack.cli import app

    old = Path.cwd()
    os.chdir(project)
    try:
        return CliRunner().invoke(app, list(args), input=input,
                                  env={"DIRTRACK_DATABASE_URL": url})
    finally:
        os.chdir(old)


# --- the session cookie -----------------------------------------------------------------------

def test_the_login_page_sets_an_httponly_samesite_lax_session_cookie(shared_site):
    response = shared_site.browser().get("/login")

    assert response.status_code == 200
    flags = _cookie_flags(response)
    assert {"HttpOnly", "SameSite=lax", "Path=/", "Max-Age=43200"} <= set(flags)
    assert "Secure" not in flags


def test_logging_in_replaces_the_cookie_with_a_signed_in_one_of_the_same_kind(shared_site):
    browser = shared_site.browser()

    response = login(browser, shared_site.name("lead"), PASSWORD, next_="/tasks/" + TASK)

    assert (response.status_code, response.headers["location"]) == (303, f"/tasks/{TASK}")
    assert {"HttpOnly", "SameSite=lax", "Path=/"} <= set(_cookie_flags(response))
    assert _signed_in(browser)


def test_behind_https_the_cookie_is_secure(shared_site, monkeypatch):
    monkeypatch.setenv("DIRTRACK_COOKIE_SECURE", "1")
    app = create_app(shared_site.url, evidence_dir=shared_site.evidence_dir)
    from fastapi.testclient import TestClient

    response = TestClient(app, base_url="https://testserver").get("/login")

    assert "Secure" in _cookie_flags(response)


@pytest.mark.parametrize("next_", ["//evil.example/", "https://evil.example/"])
def test_login_never_redirects_off_site(shared_site, next_):
    response = login(shared_site.browser(), shared_site.name("lead"), PASSWORD, next_=next_)

    assert (response.status_code, response.headers["location"]) == (303, "/")


# --- login: CSRF, wrong passwords, too many attempts ------------------------------------------

def test_login_without_a_csrf_token_is_refused_and_does_not_log_in(shared_site):
    browser = shared_site.browser()
    attempts = _attempts(shared_site, shared_site.name("lead"))

    response = browser.post("/login", data={"name": shared_site.name("lead"),
                                            "password": PASSWORD})

    assert response.status_code == 403
    assert error_message(response.text) == FORM_EXPIRED
    assert not _signed_in(browser)
    assert _attempts(shared_site, shared_site.name("lead")) == attempts  # password not tried


@pytest.mark.parametrize("token", ["forged-token", "another-browser"])
def test_login_with_a_wrong_csrf_token_is_refused_and_does_not_log_in(shared_site, token):
    browser = shared_site.browser()
    browser.get("/login")
    if token == "another-browser":
        token = csrf_of(shared_site.browser().get("/login").text)

    response = browser.post("/login", data={"name": shared_site.name("lead"), "password": PASSWORD,
                                            "csrf": token})

    assert response.status_code == 403
    assert error_message(response.text) == FORM_EXPIRED
    assert not _signed_in(browser)


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(site):
    browser = site.browser()

    wrong = login(browser, site.name("lead"), "not-the-password")
    unknown = login(browser, "khong.co.ai", "not-the-password")

    assert (wrong.status_code, unknown.status_code) == (401, 401)
    assert error_message(wrong.text) == error_message(unknown.text) == WRONG

    def without_token(html: str) -> str:
        return re.sub(r'name="csrf" value="[^"]+"', "", html)

    assert without_token(wrong.text) == without_token(unknown.text)
    assert not _signed_in(browser)


def test_the_sixth_failed_login_within_15_minutes_is_429_even_with_the_right_password(site):
    browser = site.browser()
    name = site.name("lead")

    failures = [login(browser, name, f"wrong-{n}-password").status_code for n in range(5)]
    sixth = login(browser, name, PASSWORD)

    assert failures == [401] * 5
    assert sixth.status_code == 429
    assert error_message(sixth.text) == (f"too many failed logins for '{name}'; try again in "
                                         "15 minutes")
    assert not _signed_in(browser)
    assert login(site.browser(), site.name("viewer"), PASSWORD).status_code == 303  # per name


def test_failed_logins_older_than_15_minutes_no_longer_count(site):
    name = site.name("lead")
    earlier = datetime.now(UTC) - timedelta(minutes=16)
    for _ in range(5):
        with pytest.raises(Exception, match=WRONG):
            authenticate(site.engine, name, "wrong-password", now=earlier)

    response = login(site.browser(), name, PASSWORD)

    assert response.status_code == 303


def test_an_unknown_name_costs_the_same_argon2_check_as_a_known_one(site, monkeypatch):
    """Timing must not tell who exists: a failed login checks one password against a
    hash of the library's cost, whoever it names (benchmarks/login.py times them)."""
    from argon2 import PasswordHasher, extract_parameters

    from dirtrack.users import add_user, set_active

    set_password(site.engine, site.name("viewer"), PASSWORD)  # the library's full-cost hash
    set_password(site.engine, site.name("other"), PASSWORD)
    set_active(site.engine, site.name("other"), False)
    add_user(site.engine, "chi.co.token", "viewer", None, None)  # no password: tokens only
    checked: list[Any] = []
    verify = PasswordHasher.verify

    def counted(self: PasswordHasher, hash: str, password: str) -> bool:
        checked.append(extract_parameters(hash))
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    names = [site.name("viewer"), "khong.co.ai", site.name("other"), "chi.co.token"]

    answers = [login(site.browser(), name, "wrong-password").status_code for name in names]

    assert answers == [401] * 4
    assert checked == [extract_parameters(PasswordHasher().hash("x"))] * 4


def test_parallel_wrong_passwords_for_one_name_check_at_most_five(site, monkeypatch):
    """Twenty wrong passwords at once for one name: five are checked, fifteen get 429."""
    from argon2 import PasswordHasher
    from fastapi.testclient import TestClient

    checked, lock = [], threading.Lock()
    verify = PasswordHasher.verify

    def counted(self: PasswordHasher, hash: str, password: str) -> bool:
        with lock:
            checked.append(password)
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    name, parallel = site.name("lead"), 20
    browsers = [TestClient(site.app, follow_redirects=False) for _ in range(parallel)]
    forms = [{"name": name, "password": f"wrong-{n}", "csrf": csrf_of(b.get("/login").text)}
             for n, b in enumerate(browsers)]
    start = threading.Barrier(parallel)
    answers: list[int] = [0] * parallel

    def attempt(n: int) -> None:
        start.wait()
        answers[n] = browsers[n].post("/login", data=forms[n]).status_code

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [401] * 5 + [429] * 15
    assert len(checked) == 5
    assert _attempts(site, name) == 5
    assert login(site.browser(), name, PASSWORD).status_code == 429


# --- logout and the forms ---------------------------------------------------------------------

def test_logout_needs_the_csrf_token(shared_site):
    browser = shared_site.browser("lead")
    page = browser.get("/inbox")

    refused = browser.post("/logout", data={"csrf": "forged"})
    assert refused.status_code == 403
    assert _signed_in(browser)

    done = browser.post("/logout", data={"csrf": csrf_of(page.text)})
    assert (done.status_code, done.headers["location"]) == (303, "/login")
    assert f'{COOKIE}=""' in done.headers["set-cookie"]
    assert not _signed_in(browser)


FORMS = [  # (form, who may send it, what the user typed)
    ("progress", "lead", {"percent": "50", "note": "Đang triển khai"}),
    ("done", "lead", {"on": "20/05/2024", "note": "Xong"}),
    ("verify", "steering", {}),
    ("return", "steering", {"reason": "Thiếu biên bản"}),
    ("extend", "steering", {"to": "30/09/2024", "decision": "QĐ 9/QĐ-BTV"}),
]


@pytest.mark.parametrize("csrf", ["missing", "forged", "from before login"])
@pytest.mark.parametrize(("form", "role", "fields"), FORMS)
def test_a_form_without_a_valid_csrf_token_is_refused_and_changes_nothing(shared_site, form,
                                                                          role, fields, csrf):
    browser = shared_site.browser()
    before_login = csrf_of(browser.get("/login").text)
    response = login(browser, shared_site.name(role), PASSWORD)
    assert response.status_code == 303
    version = version_of(browser.get(f"/tasks/{TASK}").text)
    token = {"missing": None, "forged": "forged-token", "from before login": before_login}[csrf]
    before = shared_site.ledger()

    sent = browser.post(f"/tasks/{TASK}/{form}", data={
        "version": str(version), **fields, **({"csrf": token} if token else {})})

    assert sent.status_code == 403
    assert error_message(sent.text) == FORM_EXPIRED
    assert shared_site.ledger() == before


def test_the_api_takes_no_form_posts_so_a_browser_session_cannot_be_used_by_another_site(site):
    browser = site.browser("lead")  # signed in: the cookie alone identifies the user

    sent = browser.post(f"/api/tasks/{TASK}/progress", data={"percent": "50"})

    assert sent.status_code == 422
    assert site.ledger() == 0


def test_a_cookie_signed_with_another_key_or_altered_is_not_a_session(shared_site):
    from fastapi.testclient import TestClient

    genuine = shared_site.browser("lead").cookies[COOKIE]
    steering = Sessions(SECRET_KEY).load(shared_site.browser("steering").cookies[COOKIE])
    assert steering is not None and steering.sid is not None
    # Even with a real session's id, a cookie signed with another key is nothing.
    forged = Sessions("a-key-an-attacker-guessed").dump(Session("x" * 43, steering.sid))
    altered = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")

    def browser(cookie: str) -> TestClient:
        return TestClient(shared_site.app, follow_redirects=False, cookies={COOKIE: cookie})

    assert browser(genuine).get("/inbox").status_code == 200
    assert browser(genuine).get("/api/me").status_code == 200
    for cookie in (forged, altered):
        assert browser(cookie).get("/inbox").status_code == 303
        assert browser(cookie).get("/api/me").status_code == 401


def test_evidence_is_always_downloaded_never_shown_in_the_browser(site):
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")
    browser.post(f"/tasks/{TASK}/done", data={"csrf": csrf_of(page.text), "version": "0",
                                              "on": "20/05/2024"},
                 files={"evidence": ("report.html", b"<script>alert(1)</script>", "text/html")})
    link = re.search(r'href="(/evidence/\d+)"', browser.get(f"/tasks/{TASK}").text).group(1)

    response = site.browser("steering").get(link)

    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="report.html"'
    assert response.headers["content-type"] == "application/octet-stream"  # not text/html
    assert response.headers["x-content-type-options"] == "nosniff"


# --- the signing key --------------------------------------------------------------------------

def test_with_dirtrack_secret_key_the_cookie_is_signed_with_it_and_no_key_is_stored(site):
    cookie = site.browser("lead").cookies[COOKIE]

    data = URLSafeTimedSerializer(SECRET_KEY, salt="dirtrack-session").loads(cookie)

    assert len(data["sid"]) >= 43  # the login's random id; the server keeps its hash
    with site.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SETTINGS)).scalar_one() == 0


def test_without_dirtrack_secret_key_two_app_instances_on_one_database_share_the_key(
        site, monkeypatch, tmp_path):
    from fastapi.testclient import TestClient

    monkeypatch.delenv("DIRTRACK_SECRET_KEY")
    first = create_app(site.url, evidence_dir=site.evidence_dir)
    second = create_app(site.url, evidence_dir=site.evidence_dir)
    elsewhere = create_app(f"sqlite:///{tmp_path / 'other.db'}", evidence_dir=tmp_path)
    browser = TestClient(first, follow_redirects=False)
    assert login(browser, site.name("lead"), PASSWORD).status_code == 303
    cookie = browser.cookies[COOKIE]

    on_second = TestClient(second, follow_redirects=False, cookies={COOKIE: cookie})
    on_elsewhere = TestClient(elsewhere, follow_redirects=False, cookies={COOKIE: cookie})

    assert on_second.get("/inbox").status_code == 200
    assert on_second.get("/api/me").json()["name"] == site.name("lead")
    assert on_elsewhere.get("/inbox").status_code == 303  # another database, another key
    with site.engine.connect() as conn:
        [(key, value)] = conn.execute(select(SETTINGS.c.key, SETTINGS.c.value)).all()
    assert key == "secret" and len(value) >= 48
    with pytest.raises(Exception, match="does not match"):
        URLSafeTimedSerializer(SECRET_KEY, salt="dirtrack-session").loads(cookie)


# --- passwords, tokens and logs ---------------------------------------------------------------

def test_a_password_is_stored_as_an_argon2_hash_only(site, tmp_path):
    password = "Mật khẩu rất dài 2024!"

    run = _cli(site.url, tmp_path, "user", "add", "hoalu.chuyenvien", "--role", "officer",
               "--unit", "hoa-lu", "--password-stdin", input=password + "\n")

    assert (run.exit_code, run.stdout) == (0, "user hoalu.chuyenvien added: officer of hoa-lu\n")
    from dirtrack.store.tables import UserRow

    users = UserRow.__table__  # type: ignore[attr-defined]
    with site.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)
                              .where(users.c.name == "hoalu.chuyenvien")).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert password not in _database_text(site.engine)
    assert login(site.browser(), "hoalu.chuyenvien", password).status_code == 303


def test_a_short_password_is_refused_by_the_command_line(shared_site, tmp_path):
    run = _cli(shared_site.url, tmp_path, "user", "add", "hoalu.xem", "--role", "viewer",
               "--password-stdin", input="ngan\n")

    assert run.exit_code == 1
    assert run.stderr == "error: the password is too short; use at least 8 characters\n"


def test_an_api_token_is_stored_as_its_sha256_only(site, tmp_path):
    run = _cli(site.url, tmp_path, "user", "token", site.name("viewer"))
    token = run.stdout.strip()

    assert run.exit_code == 0 and token.startswith("dt_") and len(token) > 40
    everything = _database_text(site.engine)
    assert hashlib.sha256(token.encode()).hexdigest() in everything
    assert token not in everything and token[3:] not in everything
    for issued in site.tokens.values():
        assert issued[3:] not in everything
    answer = site.api("anonymous").get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.json()["name"] == site.name("viewer")


def test_no_password_token_or_signing_key_appears_in_the_logs(site, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    caplog.set_level(logging.DEBUG, logger="httpx")  # dirtrack.alerts quiets it to WARNING
    password = "Một mật khẩu bí mật 77"
    _cli(site.url, tmp_path, "user", "add", "yenmo.chuyenvien", "--role", "officer", "--unit",
         "yen-mo", "--password-stdin", input=password + "\n")
    token = _cli(site.url, tmp_path, "user", "token", "yenmo.chuyenvien").stdout.strip()
    browser = site.browser()
    assert login(browser, "yenmo.chuyenvien", password + "x").status_code == 401
    assert login(browser, "yenmo.chuyenvien", password).status_code == 303
    page = browser.get("/tasks/nb-2024-q2/people-situation@yen-mo")
    assert browser.post("/tasks/nb-2024-q2/people-situation@yen-mo/progress", data={
        "csrf": csrf_of(page.text), "version": "0", "percent": "30"}).status_code == 303
    assert site.api("anonymous").get("/api/me", headers={
        "Authorization": f"Bearer {token}"}).status_code == 200

    logged = caplog.text
    assert "HTTP Request: POST http://testserver/login" in logged  # the logs were captured
    assert "INSERT INTO event" in logged  # including the SQL
    for secret in (password, token, token[3:], SECRET_KEY, browser.cookies[COOKIE]):
        assert secret not in logged



def test_a_generated_signing_key_does_not_appear_in_the_logs(site, monkeypatch, caplog):
    monkeypatch.delenv("DIRTRACK_SECRET_KEY")
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # dirtrack.alerts quiets it to WARNING
    from fastapi.testclient import TestClient

    browser = TestClient(create_app(site.url, evidence_dir=site.evidence_dir),
                         follow_redirects=False)
    assert login(browser, site.name("lead"), PASSWORD).status_code == 303
    with site.engine.connect() as conn:
        key = conn.execute(select(SETTINGS.c.value)).scalar_one()

    assert "HTTP Request: POST http://testserver/login" in caplog.text
    assert key not in caplog.text

# --- malformed input is the client's error, never the server's --------------------------------

NUL_REQUESTS = [
    ("steering", "GET", "/api/tasks/nb-2024-q2/a%00b"),
    ("steering", "GET", "/api/tasks?directive=a%00b"),
    ("steering", "GET", "/api/dashboard?directive=a%00b"),
    ("steering", "GET", "/api/reviews/2024-Q2?jurisdiction=a%00b"),
    ("steering", "POST", "/api/tasks/nb-2024-q2/a%00b/verify"),
    ("steering", "GET", "/api/tasks?unit=a%00b"),
    ("steering", "GET", "/tasks/nb-2024-q2/a%00b"),
    ("steering", "GET", "/directives/a%00b"),
    (None, "POST", "/login"),
]


@pytest.mark.parametrize(("role", "method", "path"), NUL_REQUESTS)
def test_a_nul_character_in_a_request_is_not_a_server_error(shared_site, shared_db_url, request,
                                                            role, method, path):
    if path == "/login":
        browser = shared_site.browser()
        token = csrf_of(browser.get("/login").text)
        response = browser.post("/login", data={"name": "a\x00b", "password": "x" * 8,
                                                "csrf": token})
        assert response.status_code == 401
        assert "wrong user name or password" in response.text
        return
    client = shared_site.api(role) if path.startswith("/api/") else shared_site.browser(role)

    response = client.request(method, path, json={} if method == "POST" else None)

    assert response.status_code == 422
    message = "the address holds a NUL character (%00); remove it"
    if path.startswith("/api/"):
        assert response.json() == {"detail": message}
    else:
        assert message in response.text


def test_an_evidence_number_out_of_range_is_not_found(shared_site):
    response = shared_site.browser("steering").get("/evidence/99999999999999999999")

    assert response.status_code in (404, 422)


@pytest.mark.parametrize("path", ["/api/reviews/0001-Q1?jurisdiction=ninh-binh",
                                  "/api/reviews/9999-Q4?jurisdiction=ninh-binh",
                                  "/reviews/ninh-binh/9999-Q4.md"])
def test_a_review_of_a_quarter_at_the_end_of_the_calendar_is_422(shared_site, path):
    client = shared_site.api("steering") if path.startswith("/api/") else \
        shared_site.browser("steering")

    response = client.get(path)

    assert response.status_code == 422
