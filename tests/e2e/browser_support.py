"""Support for the real-browser test: a ``dirtrack serve`` subprocess on a fresh database
loaded with the demo directives, Debian's Chromium driven by Playwright, screenshots.

The browser is the system one (``/usr/bin/chromium``); no browser is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.requirements import need

ROOT = Path(__file__).resolve().parents[2]
DIRTRACK = Path(sys.executable).parent / "dirtrack"
CHROMIUM = Path(os.environ.get("DIRTRACK_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PG_BASE = os.environ.get("DIRTRACK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DEMO_DAY = "2024-04-15"
# The app's clock: 17:30 UTC on 31 July 2024, already 1 August in Hanoi (the day after
# the last Q2 deadline of 31/07), so every demo task but two is overdue.
NOW, TODAY = "2024-07-31T17:30:00+00:00", "01/08/2024"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

OFFICER = ("kimson.vanphong", "officer-pass-1")  # officer of kim-son
STEERING = ("bcd.thuongtruc", "steering-pass-1")  # the steering committee
ISSUER = ("btv.vanphong", "issuer-pass-1")  # officer of pc-standing, which issued nb-2024-q2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Steps:
    """Wall time of each step; printed at the end (see it with ``-s`` or on failure)."""

    started: float = field(default_factory=time.monotonic)
    last: float = field(default_factory=time.monotonic)
    lines: list[str] = field(default_factory=list)

    def mark(self, name: str) -> None:
        now = time.monotonic()
        self.lines.append(f"  {now - self.last:6.2f} s  {name}")
        self.last = now

    def report(self) -> str:
        total = time.monotonic() - self.started
        return "\n".join([*self.lines, f"  {total:6.2f} s  total"])


class DirtrackServer:
    """``dirtrack serve`` in a subprocess on its own port; stopped by its own PID."""

    def __init__(self, db_url: str, workdir: Path) -> None:
        self.db_url = db_url
        self.workdir = workdir
        self.evidence = workdir / "evidence"
        self.log = workdir / "serve.log"
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIRTRACK_")}
        env.update(DIRTRACK_DATABASE_URL=self.db_url, DIRTRACK_EVIDENCE_DIR=str(self.evidence),
                   DIRTRACK_SECRET_KEY=uuid.uuid4().hex + uuid.uuid4().hex, DIRTRACK_NOW=NOW,
                   # pages built anew in the background after a report, labelled meanwhile,
                   # as a large province has them: the browser tests read that label
                   DIRTRACK_PAGES_REBUILT_IN_REQUEST_BELOW="0")
        return env

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run ``dirtrack ARGS`` from the project folder; fail the test on a non-zero exit."""
        done = subprocess.run([str(DIRTRACK), *args], cwd=ROOT, env=self.env(), input=stdin,
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            pytest.fail(f"dirtrack {' '.join(args)} exited with {done.returncode}:\n"
                        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def prepare(self) -> None:
        self.cli("load", "directives", "--on", DEMO_DAY)
        name, password = OFFICER
        self.cli("user", "add", name, "--role", "officer", "--unit", "kim-son",
                 "--password-stdin", stdin=password + "\n")
        name, password = STEERING
        self.cli("user", "add", name, "--role", "steering", "--password-stdin",
                 stdin=password + "\n")
        name, password = ISSUER
        self.cli("user", "add", name, "--role", "officer", "--unit", "pc-standing",
                 "--password-stdin", stdin=password + "\n")

    def start(self, timeout: float = 60.0) -> None:
        self.evidence.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(DIRTRACK), "serve", "--port", str(self.port)], cwd=ROOT, env=self.env(),
                stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"dirtrack serve exited with {self.process.returncode}:\n"
                            + self.log_tail())
            try:
                if httpx.get(f"{self.base}/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail(f"dirtrack serve did not answer within {timeout:.0f} s:\n" + self.log_tail())

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(params=["sqlite", "postgresql"])
def browser_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database for the server: an SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dirtrack.db'}"
        return
    need("postgresql")
    import psycopg

    schema = f"web_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_BASE, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_BASE, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def web_server(browser_db_url: str, tmp_path: Path) -> Iterator[DirtrackServer]:
    """A running ``dirtrack serve`` over the demo directives, with an officer and a
    steering user; stopped in a ``finally``."""
    server = DirtrackServer(browser_db_url, tmp_path / "web")
    server.workdir.mkdir(parents=True, exist_ok=True)
    server.prepare()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, launched through Playwright (never downloaded)."""
    need("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Shots:
    """Screenshots named ``<db>-<nn>-<step>-<desktop|phone>.png`` in test-artifacts/."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.count = 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob(f"{prefix}-*.png"):
            old.unlink()

    def _path(self, step: str, form: str) -> Path:
        self.count += 1
        return SCREENSHOTS / f"{self.prefix}-{self.count:02d}-{step}-{form}.png"

    def take(self, page: Any, step: str, form: str) -> Path:
        """The whole page; for a very long one (the dashboard), its first 2.5 screens."""
        path = self._path(step, form)
        height: int = page.evaluate("document.documentElement.scrollHeight")
        limit = int(page.viewport_size["height"] * 2.5)
        if height <= limit:
            page.screenshot(path=str(path), full_page=True)
        else:
            page.screenshot(path=str(path), full_page=True, clip={
                "x": 0, "y": 0, "width": page.viewport_size["width"], "height": limit})
        return path

    def part(self, locator: Any, step: str, form: str) -> Path:
        """One element of a page, e.g. the table of completions waiting for verification."""
        path = self._path(step, form)
        locator.scroll_into_view_if_needed()
        locator.screenshot(path=str(path))
        return path


class PageWatch:
    """Collects what should not happen on a page: script errors, failed responses."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attach(self, page: Any) -> Any:
        page.on("pageerror", self._script_error)
        page.on("response", self._response)
        return page

    def _script_error(self, exc: Any) -> None:
        self.problems.append(f"script error: {exc}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status} for {response.request.method} "
                                 f"{response.url}")


def login(page: Any, base: str, who: tuple[str, str]) -> None:
    page.goto(f"{base}/login")
    page.fill("#name", who[0])
    page.fill("#password", who[1])
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")


def until_current(page: Any, timeout: float = 120.0) -> int:
    """Reload the page until it no longer shows figures kept from before the last report
    (labelled "Số liệu tính đến …; đang cập nhật" while the server counts them anew);
    return how many times it was labelled."""
    end, labelled = time.monotonic() + timeout, 0
    while page.locator("#counted-at").count():
        labelled += 1
        assert time.monotonic() < end, "the page was not counted anew"
        time.sleep(0.5)
        page.reload()
    return labelled


def counts(page: Any) -> dict[str, int]:
    """The dashboard's category cards, as numbers."""
    found = {}
    for card in page.locator("#categories [data-category]").all():
        found[card.get_attribute("data-category")] = int(card.locator(".n").inner_text())
    return found


def horizontal_overflow(page: Any) -> int:
    """By how many CSS pixels the document is wider than the viewport (0 if it fits)."""
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return max(0, width - page.viewport_size["width"])


def wider_than_viewport(page: Any) -> list[str]:
    """Elements whose right edge passes the viewport, to explain an overflow."""
    found: list[str] = page.evaluate("""() => {
        const out = [], w = document.documentElement.clientWidth;
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width && r.right > w + 0.5) out.push(
                el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && typeof el.className === 'string' ? '.' +
                 el.className.trim().replace(/\\s+/g, '.') : '') + ' right=' + Math.round(r.right));
        }
        return out.slice(0, 15);
    }""")
    return found


def tiny_pdf() -> bytes:
    """A small valid one-page PDF saying 'Bien ban nghiem thu'."""
    text = b"BT /F1 18 Tf 40 100 Td (Bien ban nghiem thu) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def keep_log(server: DirtrackServer, prefix: str) -> None:
    """Copy the server's log next to the screenshots (useful when a step fails)."""
    if server.log.exists():
        shutil.copyfile(server.log, SCREENSHOTS / f"{prefix}-serve.log")
