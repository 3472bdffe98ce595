"""Request bodies are bounded: past its limit a body is refused with 413 before the route
runs, and before it is read at all when its length is declared.

JSON and forms may carry DIRTRACK_MAX_JSON_BYTES (256 KB by default); the form that
uploads evidence the evidence limit and a margin of 64 KB, for a sender who is logged
in. Someone who is not logged in never gets past the small limit.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from .conftest import PASSWORD, TASK, csrf_of, error_message, version_of
from .support import raw_request, served

KB = 1024
JSON_LIMIT = 256 * KB
SEND_LESS = "the request is larger than 256 KB; send less"
LOG_IN_FIRST = "the request is larger than 256 KB; log in before sending a file"


def _evidence_files(site) -> list[str]:
    folder = site.evidence_dir
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) \
        if folder.exists() else []


def _multipart(fields: dict[str, str], file_size: int, boundary: str = "dirtrack-b0undary"
               ) -> tuple[bytes, str]:
    """A form with ``fields`` and an evidence file of ``file_size`` bytes, as a browser
    sends it; return the body and its content type."""
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields.items()]
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; '
            'filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n')
    body = ("".join(parts) + head).encode() + b"%PDF-" + b"x" * (file_size - 5) + \
        f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# --- JSON and forms ---------------------------------------------------------------------------

def test_a_json_body_over_the_limit_is_413_and_the_route_never_runs(shared_site):
    before = shared_site.ledger()
    body = json.dumps({"percent": 50, "note": "x" * JSON_LIMIT})

    response = shared_site.api("lead").post(f"/api/tasks/{TASK}/progress", content=body,
                                            headers={"Content-Type": "application/json"})

    assert (response.status_code, response.json()) == (413, {"detail": SEND_LESS})
    assert shared_site.ledger() == before


def test_a_body_sent_without_its_length_is_counted_and_refused_past_the_limit(shared_site):
    before = shared_site.ledger()

    def chunks() -> Any:
        yield b'{"percent": 50, "note": "'
        for _ in range(5):
            yield b"x" * (64 * KB)
        yield b'"}'

    response = shared_site.api("lead").post(f"/api/tasks/{TASK}/progress", content=chunks(),
                                            headers={"Content-Type": "application/json"})

    assert (response.status_code, response.json()) == (413, {"detail": SEND_LESS})
    assert shared_site.ledger() == before


def test_the_limit_is_dirtrack_max_json_bytes(shared_site, monkeypatch):
    from fastapi.testclient import TestClient

    from dirtrack.web.app import create_app

    monkeypatch.setenv("DIRTRACK_MAX_JSON_BYTES", "2048")
    app = create_app(shared_site.url, evidence_dir=shared_site.evidence_dir)
    viewer = TestClient(app, headers={"Authorization": f"Bearer {shared_site.tokens['viewer']}"})
    def sent(size: int) -> Any:
        body = b'{"percent": 50' + b" " * (size - 15) + b"}"  # JSON, however long
        assert len(body) == size
        return viewer.post(f"/api/tasks/{TASK}/progress", content=body,
                           headers={"Content-Type": "application/json"})

    at_limit, over = sent(2048), sent(2049)
    app.state.engine.dispose()

    assert at_limit.status_code == 403  # read, and refused for what it asks: a viewer
    assert (over.status_code, over.json()) == (
        413, {"detail": "the request is larger than 2 KB; send less"})


def test_a_form_over_the_limit_is_413_with_a_page_saying_so(shared_site):
    browser = shared_site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")
    before = shared_site.ledger()

    sent = browser.post(f"/tasks/{TASK}/progress", data={
        "csrf": csrf_of(page.text), "version": str(version_of(page.text)), "percent": "50",
        "note": "x" * JSON_LIMIT})

    assert sent.status_code == 413
    assert sent.headers["content-type"] == "text/html; charset=utf-8"
    assert error_message(sent.text) == SEND_LESS
    assert shared_site.ledger() == before


# --- uploads ----------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["anonymous", "bad-token", "logged-out"])
def test_an_upload_from_someone_not_logged_in_gets_only_the_small_limit(shared_site, who):
    client = shared_site.browser("lead") if who == "logged-out" else shared_site.api(who)
    if who == "logged-out":
        csrf = csrf_of(client.get("/inbox").text)
        assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    body, kind = _multipart({"csrf": "x", "version": "0"}, 300 * KB)

    sent = client.post(f"/tasks/{TASK}/done", content=body, headers={"Content-Type": kind})

    assert sent.status_code == 413
    assert error_message(sent.text) == LOG_IN_FIRST


def test_an_upload_over_the_evidence_limit_and_its_margin_is_413_and_records_nothing(site):
    site.app.state.evidence_max = 100 * KB
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")
    body, kind = _multipart({"csrf": csrf_of(page.text), "version": "0", "on": "20/05/2024"},
                            100 * KB + 64 * KB)

    sent = browser.post(f"/tasks/{TASK}/done", content=body, headers={"Content-Type": kind})

    assert sent.status_code == 413
    assert error_message(sent.text) == ("the evidence file is larger than 100 KB; attach a "
                                        "smaller file or a reference")
    assert (site.events(TASK), _evidence_files(site)) == ([], [])


def test_an_upload_within_the_evidence_limit_is_taken_from_someone_logged_in(site):
    site.app.state.evidence_max = 400 * KB
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")
    body, kind = _multipart({"csrf": csrf_of(page.text), "version": "0", "on": "20/05/2024"},
                            400 * KB)

    sent = browser.post(f"/tasks/{TASK}/done", content=body, headers={"Content-Type": kind})

    assert (sent.status_code, sent.headers["location"]) == (303, f"/tasks/{TASK}?ok=1")
    assert len(_evidence_files(site)) == 1


# --- against uvicorn: what the server reads ---------------------------------------------------

def _chunked(data: bytes, size: int = 16 * KB) -> list[bytes]:
    """``data`` in the frames of a chunked body, without the closing frame."""
    return [f"{len(data[i:i + size]):x}\r\n".encode() + data[i:i + size] + b"\r\n"
            for i in range(0, len(data), size)]


def _head(path: str, kind: str, cookie: str = "", length: int | None = None) -> str:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {kind}\r\n{framing}\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n")


def _signed_in(base: str, name: str) -> tuple[str, str, int]:
    """Log in through the served app; return the cookie header, the task page's CSRF token
    and version."""
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        csrf = csrf_of(client.get("/login").text)
        assert client.post("/login", data={"name": name, "password": PASSWORD,
                                           "csrf": csrf}).status_code == 303
        page = client.get(f"/tasks/{TASK}").text
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return cookie, csrf_of(page), version_of(page)


def test_uvicorn_answers_413_to_a_chunked_anonymous_upload_without_reading_the_rest(
        site, monkeypatch):
    import tempfile

    spooled: list[int] = []  # files the form parser moved from memory to disk
    rollover = tempfile.SpooledTemporaryFile.rollover
    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover",
                        lambda self: (spooled.append(1), rollover(self))[1])
    body, kind = _multipart({"csrf": "x", "version": "0"}, 3 * 2**20)

    with served(site.app) as base:
        # Just past the small limit is sent, and never the end of the body: an answer
        # proves the server stopped reading there.
        status, headers, answer = raw_request(base, _head(f"/tasks/{TASK}/done", kind),
                                              _chunked(body[:JSON_LIMIT + 4 * KB]))

    assert (status, headers["connection"]) == (413, "close")
    assert re.search(r'role="alert">(.*?)<', answer.decode()).group(1) == LOG_IN_FIRST
    assert spooled == []
    assert (site.ledger(), _evidence_files(site)) == (0, [])


def test_uvicorn_refuses_a_declared_length_over_the_limit_before_any_body(site):
    site.app.state.evidence_max = 2**20
    with served(site.app) as base:
        cookie, csrf, version = _signed_in(base, site.name("lead"))
        status, _, answer = raw_request(base, _head(f"/tasks/{TASK}/done",
                                                    "multipart/form-data; boundary=b", cookie,
                                                    length=50 * 2**20))
        api_status, _, api_answer = raw_request(base, _head(
            f"/api/tasks/{TASK}/progress", "application/json", length=10 * 2**20))

    assert status == 413
    assert re.search(r'role="alert">(.*?)<', answer.decode()).group(1) == (
        "the evidence file is larger than 1 MB; attach a smaller file or a reference")
    assert (api_status, json.loads(api_answer)) == (413, {"detail": SEND_LESS})
    assert site.ledger() == 0


def test_uvicorn_stops_a_chunked_upload_past_the_evidence_limit_before_the_route(site):
    site.app.state.evidence_max = 2**20
    with served(site.app) as base:
        cookie, csrf, version = _signed_in(base, site.name("lead"))
        body, kind = _multipart({"csrf": csrf, "version": str(version), "on": "20/05/2024"},
                                2**20 + 64 * KB + 4 * KB)
        status, _, answer = raw_request(base, _head(f"/tasks/{TASK}/done", kind, cookie),
                                        _chunked(body))

    assert status == 413
    assert re.search(r'role="alert">(.*?)<', answer.decode()).group(1) == (
        "the evidence file is larger than 1 MB; attach a smaller file or a reference")
    assert (site.ledger(), _evidence_files(site)) == (0, [])
