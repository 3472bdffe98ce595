"""What the browser is told: security headers on every answer, pages without inline
script, cookies over HTTPS only when they should be, evidence served as a download of
the type its content shows under a name that reads as it is.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from dirtrack.store.tables import EvidenceRow
from dirtrack.web.app import create_app
from dirtrack.web.security import COOKIE

from .conftest import PASSWORD, TASK, csrf_of, login

EVIDENCE = EvidenceRow.__table__  # type: ignore[attr-defined]
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
          "frame-ancestors 'none'")
PAGES = [  # (who, path, status)
    (None, "/login", 200), ("lead", "/inbox", 200), ("lead", f"/tasks/{TASK}", 200),
    ("steering", "/dashboard", 200), ("steering", "/directives", 200),
    ("steering", "/directives/nb-2024-q2", 200), ("steering", "/reviews", 200),
    ("lead", "/dashboard", 403), ("steering", "/tasks/nb-2024-q2/khong-co", 404),
    (None, "/docs", 200), (None, "/static/style.css", 200), (None, "/static/docs.js", 200),
    ("steering", "/api/me", 200), (None, "/api/me", 401),
]


@pytest.mark.parametrize(("who", "path", "status"), PAGES)
def test_every_answer_carries_the_security_headers(shared_site, who, path, status):
    client = shared_site.browser(who)

    response = client.get(path)

    assert response.status_code == status
    assert response.headers["content-security-policy"] == POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize(("who", "path", "status"),
                         [p for p in PAGES if not p[1].startswith(("/static", "/api"))])
def test_no_page_runs_inline_script(shared_site, who, path, status):
    html = shared_site.browser(who).get(path).text

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.findall(r"\son[a-z]+\s*=", html) == []
    assert "javascript:" not in html


def test_the_error_page_links_back_to_the_page_of_this_site_the_user_came_from(shared_site):
    browser = shared_site.browser("steering")
    here = "http://testserver/dashboard?as_of=20/05/2024"

    from_here = browser.get("/tasks/nb-2024-q2/khong-co", headers={"Referer": here})
    from_elsewhere = browser.get("/tasks/nb-2024-q2/khong-co",
                                 headers={"Referer": "https://evil.example/x"})

    assert '<a href="/dashboard?as_of=20/05/2024">←</a>' in from_here.text
    assert '<a href="/">←</a>' in from_elsewhere.text


# --- cookies ----------------------------------------------------------------------------------

def _flags(response: Any, name: str = COOKIE) -> set[str]:
    [header] = [v for k, v in response.headers.multi_items()
                if k == "set-cookie" and v.startswith(f"{name}=")]
    return {part.strip() for part in header.split(";")[1:]}


def test_over_https_every_cookie_is_secure_without_any_setting(shared_site):
    browser = TestClient(shared_site.app, base_url="https://testserver", follow_redirects=False)

    visitor = browser.get("/login")
    signed_in = login(browser, shared_site.name("lead"), PASSWORD)
    language = browser.get("/lang/en")
    out = browser.post("/logout", data={"csrf": csrf_of(browser.get("/inbox").text)})

    assert "Secure" in _flags(visitor)
    assert {"Secure", "HttpOnly", "SameSite=lax"} <= _flags(signed_in)
    assert "Secure" in _flags(language, "dirtrack_lang")
    assert "Secure" in _flags(out)


@pytest.mark.parametrize(("spelling", "secure"), [
    ("1", True), ("true", True), ("True", True), ("YES", True), ("on", True), (" y ", True),
    ("0", False), ("false", False), ("No", False), ("off", False)])
def test_over_http_cookies_are_secure_when_dirtrack_cookie_secure_says_so(
        shared_site, monkeypatch, spelling, secure):
    monkeypatch.setenv("DIRTRACK_COOKIE_SECURE", spelling)
    app = create_app(shared_site.url, evidence_dir=shared_site.evidence_dir)

    response = TestClient(app).get("/login")

    assert ("Secure" in _flags(response)) is secure
    app.state.engine.dispose()


# --- evidence ---------------------------------------------------------------------------------

def _office(part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOADS = [  # (name, content, type claimed by the sender, type served)
    ("bien-ban.pdf", b"%PDF-1.7 bien ban", "application/pdf", "application/pdf"),
    ("anh.pdf", PNG, "application/pdf", "image/png"),
    ("anh.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg", "image/jpeg"),
    ("bao-cao.docx", _office("word/document.xml"), "application/zip", DOCX),
    ("so-lieu.xlsx", _office("xl/workbook.xml"), "application/octet-stream", XLSX),
    ("trang.html", b"<script>alert(document.cookie)</script>", "text/html",
     "application/octet-stream"),
    ("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
     "image/svg+xml", "application/octet-stream"),
    ("hong.docx", b"PK\x03\x04 not really a zip", DOCX, "application/octet-stream"),
]


def _upload(site, name: str, content: bytes, claimed: str) -> str:
    """Report TASK done with a file; return the download's path."""
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")
    sent = browser.post(f"/tasks/{TASK}/done", data={
        "csrf": csrf_of(page.text), "version": "0", "on": "20/05/2024"},
        files={"evidence": (name, content, claimed)})
    assert sent.status_code == 303, sent.text
    return re.search(r'href="(/evidence/\d+)"', browser.get(f"/tasks/{TASK}").text).group(1)


@pytest.mark.parametrize(("name", "content", "claimed", "served"), UPLOADS)
def test_a_file_s_type_is_what_its_content_shows_never_what_the_sender_claimed(
        name, content, claimed, served):
    from dirtrack.web.evidence import detected_type

    assert detected_type(io.BytesIO(content)) == served


def test_evidence_is_kept_and_served_as_the_type_its_content_shows(site):
    link = _upload(site, "anh.pdf", PNG, "application/pdf")

    response = site.browser("steering").get(link)

    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == 'attachment; filename="anh.pdf"'
    with site.engine.connect() as conn:
        assert conn.execute(select(EVIDENCE.c.content_type)).scalar_one() == "image/png"


def test_bidirectional_controls_are_stripped_from_a_stored_file_name(site):
    # U+202E turns the rest around: it would read "report_exe.pdf" in the page.
    link = _upload(site, "report_\u202efdp.exe", b"MZ\x90\x00", "application/pdf")

    response = site.browser("steering").get(link)

    with site.engine.connect() as conn:
        assert conn.execute(select(EVIDENCE.c.filename)).scalar_one() == "report_fdp.exe"
    assert response.headers["content-disposition"] == 'attachment; filename="report_fdp.exe"'
    assert "\u202e" not in site.browser("lead").get(f"/tasks/{TASK}").text


def test_evidence_recorded_before_is_served_safely_too(site):
    """A row kept by an earlier version: the type its uploader claimed, a name with a
    bidirectional override and a line break; the file is HTML."""
    link = _upload(site, "scan.pdf", b"%PDF-1.4", "application/pdf")
    folder = site.evidence_dir
    [kept] = [p for p in folder.rglob("*") if p.is_file()]
    kept.write_bytes(b"<html><script>alert(1)</script></html>")
    with site.engine.begin() as conn:
        conn.execute(EVIDENCE.update().values(content_type="text/html",
                                              filename="a\u202eLMTH.pdf\r\n"))

    response = site.browser("steering").get(link)

    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == 'attachment; filename="aLMTH.pdf"'
    assert f'<a href="{link}">aLMTH.pdf</a>' in site.browser("lead").get(f"/tasks/{TASK}").text
