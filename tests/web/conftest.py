"""The web app and JSON API in-process, over a real database loaded with the Ninh Bình demo.

One ``Site`` is the Ninh Bình directive nb-2024-q2 (issued 2024-04-15, 154 task
instances) loaded with ``dirtrack load --on 2024-04-15``, six users, one API token each, and
the app from ``create_app(url, evidence_dir=...)``. (The commands ``dirtrack user add``
and ``dirtrack user token`` are run in test_security.py.)

The task most tests act on, nb-2024-q2/admin-units-propaganda, is led by the
propaganda department, coordinated by (among others) the Fatherland Front, and has
nothing to do with the Kim Sơn district; that gives the six signed-in roles:

    steering      the steering committee
    lead          an officer of the lead unit (propaganda-department)
    other         an officer of an unrelated unit (kim-son)
    coordinating  an officer of a coordinating unit (fatherland-front)
    viewer        read-only
    issuer        an officer of the unit that issued the directive (pc-standing), which
                  answers extension requests with the steering committee

``site`` is a fresh database per test (for tests that write); ``shared_site`` is one
database per module (for tests that read, or whose writes must be refused, and which
check that nothing was recorded).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update

from dirtrack.store.tables import EventRow, InstanceRow, UserRow
from tests.conftest import ROOT, Cli, fresh_database
from tests.fixtures_clock import clock  # noqa: F401  (the pinned clock)

SECRET_KEY = "test-signing-key-7d1f0c2a9b4e"
PASSWORD = "mật-khẩu-đủ-dài-42"
TASK = "nb-2024-q2/admin-units-propaganda"  # lead propaganda-department, due 2024-07-31
LEAD_UNIT = "propaganda-department"
BAD_TOKEN = "dt_this-token-was-never-issued-0000000000000"
NO_CREDENTIALS = ("log in or send 'Authorization: Bearer <token>' "
                  "(get a token with 'dirtrack user token NAME')")

# role -> (user name, role, unit)
USERS: dict[str, tuple[str, str, str | None]] = {
    "steering": ("bch.thuongtruc", "steering", None),
    "lead": ("tuyengiao.chuyenvien", "officer", LEAD_UNIT),
    "other": ("kimson.chuyenvien", "officer", "kim-son"),
    "coordinating": ("mattran.chuyenvien", "officer", "fatherland-front"),
    "viewer": ("thanhtra.xem", "viewer", None),
    "issuer": ("btv.vanphong", "officer", "pc-standing"),
}
SIGNED_IN = list(USERS)
EVERYONE = [*SIGNED_IN, "anonymous", "bad-token"]

EVENTS = EventRow.__table__  # type: ignore[attr-defined]
INSTANCES = InstanceRow.__table__  # type: ignore[attr-defined]
APP_USERS = UserRow.__table__  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _deterministic_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed signing key, and none of the web settings a developer may have exported.

    The tests replay the second quarter of 2024, so units may date their reports that far
    back; the default window of a week is tested on its own.
    """
    monkeypatch.setenv("DIRTRACK_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("DIRTRACK_REPORT_DAYS_BACK", "100000")
    for name in ("DIRTRACK_EVIDENCE_MAX_BYTES", "DIRTRACK_COOKIE_SECURE",
                 "DIRTRACK_EVIDENCE_DIR", "DIRTRACK_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def password_hash() -> str:
    """An argon2id hash of PASSWORD, at low cost, for the users of every test database.

    The library's hash costs about half a second per login on a busy machine, and
    tests log in hundreds of times. argon2 verifies a password against the cost
    parameters written into the hash itself, so login goes through the same code
    either way. Users added with ``dirtrack user add`` and the library's own cost
    are tested in test_security.py.
    """
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)


@dataclass
class Site:
    """One loaded database, its users and tokens, and the app serving it."""

    url: str
    engine: Engine
    app: FastAPI
    evidence_dir: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def name(self, role: str) -> str:
        return USERS[role][0]

    def api(self, role: str) -> TestClient:
        """A client that sends ``role``'s API token (or none, or one never issued)."""
        client = TestClient(self.app, raise_server_exceptions=False)
        if role == "bad-token":
            client.headers["Authorization"] = f"Bearer {BAD_TOKEN}"
        elif role != "anonymous":
            client.headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return client

    def browser(self, role: str | None = None) -> TestClient:
        """A client like a browser: a session cookie, signed in as ``role`` through the form."""
        client = TestClient(self.app, follow_redirects=False, raise_server_exceptions=False)
        if role is not None:
            response = login(client, self.name(role), PASSWORD)
            assert response.status_code == 303, response.text
        return client

    def ledger(self) -> int:
        """How many events the ledger holds."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(EVENTS)).scalar_one())

    def events(self, key: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(
                select(EVENTS).join(INSTANCES, INSTANCES.c.pk == EVENTS.c.instance_pk)
                .where(INSTANCES.c.key == key).order_by(EVENTS.c.id))]


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def version_of(html: str) -> int:
    """The version a task page's forms send back."""
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "the page has no form with a version"
    return int(match.group(1))


def login(client: TestClient, name: str, password: str, next_: str = "/") -> Any:
    """Open the login page and submit its form, as a browser would."""
    page = client.get("/login")
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf": csrf_of(page.text), "next": next_},
                       follow_redirects=False)


def visible_text(html: str) -> str:
    """What a reader sees: the page without tags, entities decoded, spaces collapsed."""
    html = re.sub(r"<(head|script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def error_message(html: str) -> str:
    """The message of dirtrack's error page (or the login page's error line)."""
    match = re.search(r'role="alert">(.*?)</', html, flags=re.S)
    assert match, "the page shows no error message"
    return unescape(match.group(1)).strip()


def _build_site(url: str, project: Path, evidence_dir: Path, password_hash: str) -> Site:
    cli = Cli(url, project)
    run = cli("load", "directives/ninh-binh", "--on", "2024-04-15")
    assert (run.exit_code, run.stdout) == (0, "nb-2024-q2: new, 154 task instance(s)\n"), \
        run.stderr
    from dirtrack.store.engine import make_engine
    from dirtrack.users import add_user, issue_token
    from dirtrack.web.app import create_app

    engine = make_engine(url)
    tokens = {}
    for role, (name, kind, unit) in USERS.items():  # what 'dirtrack user add/token' call
        add_user(engine, name, kind, unit, None)
        tokens[role] = issue_token(engine, name)
    with engine.begin() as conn:
        conn.execute(update(APP_USERS).values(password_hash=password_hash))
    app = create_app(url, evidence_dir=evidence_dir)
    return Site(url, engine, app, evidence_dir, tokens)


def _project(folder: Path) -> Path:
    folder.mkdir()
    shutil.copytree(ROOT / "directives", folder / "directives")
    shutil.copytree(ROOT / "tasks_catalog", folder / "tasks_catalog")
    # The pages are read against Q2 2024's directive alone: the communes' monthly reports
    # (tests/integration/test_recurring.py) would fill every commune's inbox.
    (folder / "directives" / "ninh-binh" / "2024-monthly-reports.yaml").unlink()
    return folder


@pytest.fixture
def site(db_url: str, tmp_path: Path, password_hash: str) -> Iterator[Site]:
    """A fresh database of each kind, loaded, with users, tokens and the app."""
    built = _build_site(db_url, _project(tmp_path / "site"), tmp_path / "evidence",
                        password_hash)
    yield built
    built.app.state.engine.dispose()
    built.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_db_url(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like ``db_url``, but one database per test module."""
    with fresh_database(request.param, tmp_path_factory.mktemp("shared")) as url:
        yield url


@pytest.fixture(scope="module")
def shared_site(shared_db_url: str, tmp_path_factory: pytest.TempPathFactory,
                password_hash: str) -> Iterator[Site]:
    """One loaded database per module, for tests that must leave it as they found it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIRTRACK_SECRET_KEY", SECRET_KEY)
        folder = tmp_path_factory.mktemp("shared-site")
        built = _build_site(shared_db_url, _project(folder / "project"), folder / "evidence",
                            password_hash)
    yield built
    built.app.state.engine.dispose()
    built.engine.dispose()
