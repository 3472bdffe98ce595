"""The pages people use: inbox, task page and its forms, evidence, dashboard, reviews, language.

Forms are filled in the way a browser does: open the page, take its hidden CSRF token
and version, submit. Events recorded through the API are dated 2024-05-20; those
recorded through the page forms are dated today, as the forms do. Today is pinned for
every test here to 17:30 UTC on 31 July 2024, which in Hanoi is already 1 August, the
day after TASK's deadline.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from dirtrack.store.tables import EvidenceRow

from .conftest import TASK, csrf_of, error_message, version_of, visible_text

EVIDENCE = EvidenceRow.__table__  # type: ignore[attr-defined]
TODAY = "01/08/2024"
NOT_YOUR_UNIT = f"{TASK} is not a task of your unit (kim-son)"
OFFICERS_KEEP_OUT = ("this page is for the steering committee and viewers; your unit's tasks "
                     "are under 'My tasks'")


@pytest.fixture(autouse=True)
def _today_is_the_first_of_august(clock) -> None:
    clock.set("2024-07-31T17:30:00+00:00")


def _main(html: str) -> str:
    """The visible text of the page's main part (without the header and menu)."""
    return visible_text(html[html.index("<main>"):])


def _groups(html: str) -> list[tuple[str, str, list[str]]]:
    """The inbox's groups in page order: (heading, group, visible text of each task)."""
    found = re.findall(r'<h2>([^<]+)</h2>\s*<ul class="tasklist" data-group="(\w+)">(.*?)</ul>',
                       html, flags=re.S)
    return [(heading, group, [visible_text(li) for li in re.findall(r"<li\b.*?</li>", body,
                                                                    flags=re.S)])
            for heading, group, body in found]


def _history(html: str) -> list[str]:
    body = re.search(r'<ol class="history">(.*?)</ol>', html, flags=re.S)
    assert body, "the task page shows no history"
    return [visible_text(li) for li in re.findall(r"<li>.*?</li>", body.group(1), flags=re.S)]


def _cards(html: str) -> dict[str, tuple[int, str]]:
    """The dashboard's category cards: category -> (number, label)."""
    return {key: (int(n), label) for key, n, label in re.findall(
        r'data-category="(\w+)"><div class="n">(\d+)</div><div class="small muted">([^<]+)</div>',
        html)}


def _form(page: Any, action: str, **fields: Any) -> dict[str, Any]:
    """The hidden fields of the task page's form for ``action``, plus what the user types."""
    form = re.search(rf'<form[^>]+action="/tasks/{re.escape(TASK)}/{action}".*?</form>',
                     page.text, flags=re.S)
    assert form, f"the page has no {action} form"
    return {"csrf": csrf_of(form.group(0)), "version": version_of(form.group(0)), **fields}


def _evidence_rows(site) -> int:
    with site.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(EVIDENCE)).scalar_one())


def _stored_files(site) -> list[str]:
    folder = site.evidence_dir
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --- the inbox --------------------------------------------------------------------------------

def test_an_officer_s_inbox_lists_overdue_then_due_soon_and_names_the_blocking_task(shared_site):
    browser = shared_site.browser("other")

    page = browser.get("/inbox", params={"as_of": "20/05/2024"})

    assert page.status_code == 200
    assert re.search(r"<h1>([^<]+)</h1>", page.text).group(1) == \
        "Nhiệm vụ của đơn vị: Huyện Kim Sơn"
    groups = _groups(page.text)
    assert [(heading, group) for heading, group, _ in groups] == [
        ("Quá hạn (1)", "overdue"), ("Đến hạn trong 14 ngày (1)", "due_soon"),
        ("Thời hạn sau (6)", "later")]
    [overdue], [due_soon] = groups[0][2], groups[1][2]
    assert "Hạn 10/05/2024 · Chưa hoàn thành, quá hạn · 10 ngày quá hạn" in overdue
    assert "nb-2024-q2/book-select-models@kim-son" in overdue
    assert ("Hạn 31/05/2024 · Đang thực hiện, trong hạn đang bị chặn có nguy cơ chậm "
            "Chờ nhiệm vụ: nb-2024-q2/workers-month/launch") in due_soon
    assert "đang bị chặn" not in overdue and "có nguy cơ chậm" not in overdue


def test_an_officer_cannot_open_another_unit_s_inbox(shared_site):
    page = shared_site.browser("other").get("/inbox", params={"unit": "propaganda-department",
                                                              "as_of": "20/05/2024"})

    assert "Nhiệm vụ của đơn vị: Huyện Kim Sơn" in _main(page.text)
    assert TASK not in page.text


def test_a_coordinating_unit_sees_the_task_read_only(shared_site):
    browser = shared_site.browser("coordinating")

    inbox = browser.get("/inbox", params={"as_of": "20/05/2024"})
    task = browser.get(f"/tasks/{TASK}", params={"as_of": "20/05/2024"})

    assert re.search(r"<h2>Phối hợp \(chỉ xem\) \(\d+\)</h2>", inbox.text)
    assert f'href="/tasks/{TASK}"' in inbox.text
    assert task.status_code == 200
    assert "<form" not in task.text.split("<main>")[1]  # no progress, done or decision form
    lead = shared_site.browser("lead").get(f"/tasks/{TASK}").text
    assert f'action="/tasks/{TASK}/progress"' in lead and f'action="/tasks/{TASK}/done"' in lead


def test_an_officer_of_an_unrelated_unit_gets_403_on_the_task_page(shared_site):
    page = shared_site.browser("other").get(f"/tasks/{TASK}")

    assert page.status_code == 403
    assert error_message(page.text) == NOT_YOUR_UNIT


def test_pages_send_a_visitor_to_the_login_page_and_back(shared_site):
    browser = shared_site.browser()

    page = browser.get("/dashboard")

    assert (page.status_code, page.headers["location"]) == (303, "/login?next=/dashboard")
    form = browser.get(page.headers["location"]).text
    assert 'name="next" value="/dashboard"' in form


@pytest.mark.parametrize(("role", "home"), [("steering", "/dashboard"), ("viewer", "/dashboard"),
                                            ("lead", "/inbox")])
def test_the_home_page_is_the_dashboard_or_the_inbox(shared_site, role, home):
    page = shared_site.browser(role).get("/")

    assert (page.status_code, page.headers["location"]) == (303, home)


# --- the task page and its forms --------------------------------------------------------------

def test_the_task_page_shows_the_history_with_who_recorded_it(site):
    site.api("lead").post(f"/api/tasks/{TASK}/progress", json={
        "percent": 40, "note": "Đã ban hành kế hoạch tuyên truyền", "on": "2024-05-20"})
    site.api("lead").post(f"/api/tasks/{TASK}/done", json={
        "note": "Hoàn thành", "evidence": "Báo cáo số 12-BC/BTG", "on": "2024-06-28"})

    page = site.browser("steering").get(f"/tasks/{TASK}", params={"as_of": "01/07/2024"})

    assert _history(page.text) == [
        f"20/05/2024 · báo cáo tiến độ 40% (ghi ngày {TODAY}) — Ban Tuyên giáo Tỉnh ủy, "
        "tuyengiao.chuyenvien Đã ban hành kế hoạch tuyên truyền",
        f"28/06/2024 · báo cáo hoàn thành (ghi ngày {TODAY}) — Ban Tuyên giáo Tỉnh ủy, "
        "tuyengiao.chuyenvien "
        "Hoàn thành "
        "Tệp minh chứng: Báo cáo số 12-BC/BTG",
    ]
    assert "Tình trạng Hoàn thành đúng hạn 28/06/2024 chờ xác nhận" in _main(page.text)


def test_the_lead_unit_reports_progress_through_the_form(site):
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")

    sent = browser.post(f"/tasks/{TASK}/progress",
                        data=_form(page, "progress", percent="60", note="Đã tổ chức 3 hội nghị"))

    assert (sent.status_code, sent.headers["location"]) == (303, f"/tasks/{TASK}?ok=1")
    after = browser.get(sent.headers["location"])
    assert "Đã ghi nhận." in _main(after.text)
    assert _history(after.text) == [f"{TODAY} · báo cáo tiến độ 60% — Ban Tuyên giáo Tỉnh ủy, "
                                    "tuyengiao.chuyenvien Đã tổ chức 3 hội nghị"]
    assert version_of(after.text) == 1
    [event] = site.events(TASK)
    assert (event["kind"], event["percent"], event["recorded_by"]) == (
        "progress", 60, "tuyengiao.chuyenvien")


def test_a_form_sent_with_a_stale_version_is_409_and_records_nothing(site):
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")  # the form carries version 0
    assert site.api("lead").post(f"/api/tasks/{TASK}/progress", json={
        "percent": 20, "on": "2024-05-20"}).status_code == 201  # someone else wrote meanwhile

    sent = browser.post(f"/tasks/{TASK}/progress", data=_form(page, "progress", percent="90"))

    assert sent.status_code == 409
    assert error_message(sent.text) == (f"{TASK} has changed since you looked at it "
                                        "(1 event(s), you saw 0); reload it and try again")
    assert [e["percent"] for e in site.events(TASK)] == [20]


def test_done_with_an_evidence_file_stores_it_and_shows_its_sha256(site):
    content = ("Biên bản hội nghị tuyên truyền, 20/05/2024\n" * 60).encode()[:2048]
    digest = hashlib.sha256(content).hexdigest()
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")

    sent = browser.post(f"/tasks/{TASK}/done",
                        data=_form(page, "done", on="20/05/2024", note="Đã hoàn thành"),
                        files={"evidence": ("Biên bản.pdf", content, "application/pdf")})

    assert (sent.status_code, sent.headers["location"]) == (303, f"/tasks/{TASK}?ok=1")
    [event] = site.events(TASK)
    assert (event["kind"], event["effective_on"].isoformat(), event["evidence"]) == (
        "done", "2024-05-20", f"Biên bản.pdf (sha256 {digest[:12]})")
    assert (site.evidence_dir / digest[:2] / digest).read_bytes() == content
    shown = _history(browser.get(sent.headers["location"]).text)
    assert shown == [f"20/05/2024 · báo cáo hoàn thành (ghi ngày {TODAY}) — Ban Tuyên giáo "
                     f"Tỉnh ủy, tuyengiao.chuyenvien Đã hoàn thành Biên bản.pdf "
                     f"(2.0 KB, sha256 {digest[:12]})"]


@pytest.fixture
def evidence(site):
    """A completion of TASK with a file attached; return (site, download path, content)."""
    content = b"%PDF-1.4 bao cao ket qua tuyen truyen"
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")
    sent = browser.post(f"/tasks/{TASK}/done", data=_form(page, "done", on="20/05/2024"),
                        files={"evidence": ("Báo cáo.pdf", content, "application/pdf")})
    assert sent.status_code == 303
    link = re.search(r'<a href="(/evidence/\d+)">Báo cáo.pdf</a>',
                     browser.get(f"/tasks/{TASK}").text)
    assert link, "the task page does not link the evidence file"
    return site, link.group(1), content


def test_the_evidence_downloads_for_those_who_may_see_the_task(evidence):
    site, path, content = evidence

    for role in ("lead", "steering", "coordinating", "viewer"):
        response = site.browser(role).get(path)
        assert response.status_code == 200, role
        assert response.content == content, role
        assert response.headers["content-type"] == "application/pdf", role
        assert response.headers["content-disposition"] == \
            "attachment; filename*=utf-8''B%C3%A1o%20c%C3%A1o.pdf", role


def test_the_evidence_is_403_for_an_officer_of_an_unrelated_unit(evidence):
    site, path, _ = evidence

    response = site.browser("other").get(path)

    assert response.status_code == 403
    assert error_message(response.text) == NOT_YOUR_UNIT
    assert "PDF" not in response.text


def test_the_evidence_asks_a_visitor_to_log_in(evidence):
    site, path, _ = evidence

    response = site.browser().get(path)

    assert (response.status_code, response.headers["location"]) == (303, f"/login?next={path}")


def test_an_evidence_file_over_the_limit_is_422_and_nothing_is_recorded(site):
    site.app.state.evidence_max = 2**20
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")

    sent = browser.post(f"/tasks/{TASK}/done", data=_form(page, "done", on="20/05/2024"),
                        files={"evidence": ("video.mp4", b"x" * (2**20 + 1), "video/mp4")})

    assert sent.status_code == 422
    assert error_message(sent.text) == ("the evidence file is larger than 1 MB; attach a "
                                        "smaller file or a reference")
    assert (site.events(TASK), _evidence_rows(site), _stored_files(site)) == ([], 0, [])
    # A file of exactly the limit is taken.
    retry = browser.post(f"/tasks/{TASK}/done", data=_form(page, "done", on="20/05/2024"),
                         files={"evidence": ("video.mp4", b"x" * 2**20, "video/mp4")})
    assert retry.status_code == 303
    assert (len(site.events(TASK)), _evidence_rows(site)) == (1, 1)


def test_the_size_limit_message_states_a_limit_under_one_megabyte(site):
    site.app.state.evidence_max = 100 * 1024
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")

    sent = browser.post(f"/tasks/{TASK}/done", data=_form(page, "done", on="20/05/2024"),
                        files={"evidence": ("scan.pdf", b"x" * (100 * 1024 + 1),
                                            "application/pdf")})

    assert sent.status_code == 422
    assert error_message(sent.text) == ("the evidence file is larger than 100 KB; attach a "
                                        "smaller file or a reference")


def test_a_stale_done_with_a_file_is_409_and_records_nothing_in_the_database(site):
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")
    site.api("lead").post(f"/api/tasks/{TASK}/progress", json={"percent": 20, "on": "2024-05-20"})

    sent = browser.post(f"/tasks/{TASK}/done", data=_form(page, "done", on="21/05/2024"),
                        files={"evidence": ("scan.pdf", b"%PDF scan", "application/pdf")})

    assert sent.status_code == 409
    assert [e["kind"] for e in site.events(TASK)] == ["progress"]
    assert _evidence_rows(site) == 0


def test_a_refused_done_leaves_no_file_in_the_evidence_folder(site):
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")
    site.api("lead").post(f"/api/tasks/{TASK}/progress", json={"percent": 20, "on": "2024-05-20"})

    sent = browser.post(f"/tasks/{TASK}/done", data=_form(page, "done", on="21/05/2024"),
                        files={"evidence": ("scan.pdf", b"%PDF scan", "application/pdf")})

    assert sent.status_code == 409
    assert _stored_files(site) == []


# --- decisions of the steering committee ------------------------------------------------------

@pytest.fixture
def reported_done(site):
    response = site.api("lead").post(f"/api/tasks/{TASK}/done", json={
        "note": "Hoàn thành", "on": "2024-05-20"})
    assert response.status_code == 201
    return site


def test_steering_verifies_a_completion_from_the_task_page(reported_done):
    site = reported_done
    browser = site.browser("steering")
    page = browser.get(f"/tasks/{TASK}")

    sent = browser.post(f"/tasks/{TASK}/verify", data=_form(page, "verify"))

    assert (sent.status_code, sent.headers["location"]) == (303, f"/tasks/{TASK}?ok=1")
    event = site.events(TASK)[-1]
    assert (event["kind"], event["effective_on"].strftime("%d/%m/%Y"), event["recorded_by"]) == (
        "verified", TODAY, "bch.thuongtruc")
    after = browser.get(sent.headers["location"]).text
    assert "Hoàn thành đúng hạn 20/05/2024 ✓ đã xác nhận" in _main(after)
    assert f'action="/tasks/{TASK}/verify"' not in after


def test_steering_returns_a_completion_with_a_reason_and_the_task_reopens(reported_done):
    site = reported_done
    browser = site.browser("steering")
    page = browser.get(f"/tasks/{TASK}")

    sent = browser.post(f"/tasks/{TASK}/return",
                        data=_form(page, "return", reason="Chưa có báo cáo dư luận xã hội"))

    assert sent.status_code == 303
    event = site.events(TASK)[-1]
    assert (event["kind"], event["note"], event["recorded_by"]) == (
        "returned", "Chưa có báo cáo dư luận xã hội", "bch.thuongtruc")
    after = browser.get(f"/tasks/{TASK}").text
    assert "Tình trạng Chưa hoàn thành, quá hạn" in _main(after)
    assert _history(after)[-1] == (f"{TODAY} · trả lại — Văn phòng Ban chỉ đạo, bch.thuongtruc "
                                   "Chưa có báo cáo dư luận xã hội")


def test_a_return_without_a_reason_is_422_and_records_nothing(reported_done):
    site = reported_done
    browser = site.browser("steering")
    page = browser.get(f"/tasks/{TASK}")

    sent = browser.post(f"/tasks/{TASK}/return", data=_form(page, "return", reason=""))

    assert sent.status_code == 422
    assert error_message(sent.text) == "body.reason: Field required"
    assert [e["kind"] for e in site.events(TASK)] == ["done"]


@pytest.mark.parametrize(("back", "location"), [
    ("/dashboard", "/dashboard"), ("//evil.example/", "/")])
def test_a_decision_from_the_dashboard_goes_back_there_and_nowhere_else(reported_done, back,
                                                                        location):
    browser = reported_done.browser("steering")
    page = browser.get(f"/tasks/{TASK}")

    sent = browser.post(f"/tasks/{TASK}/verify", data=_form(page, "verify", back=back))

    assert (sent.status_code, sent.headers["location"]) == (303, location)


def test_steering_extends_a_deadline_by_decision(site):
    browser = site.browser("steering")
    page = browser.get(f"/tasks/{TASK}")

    sent = browser.post(f"/tasks/{TASK}/extend",
                        data=_form(page, "extend", to="30/09/2024", decision="QĐ 123/QĐ-BTV"))

    assert sent.status_code == 303
    [event] = site.events(TASK)
    assert (event["kind"], event["new_due"].isoformat(), event["decision"],
            event["recorded_by"]) == ("extended", "2024-09-30", "QĐ 123/QĐ-BTV",
                                      "bch.thuongtruc")
    after = browser.get(f"/tasks/{TASK}").text  # the decision takes effect on the day it is made
    assert "Hạn 30/09/2024 (31/07/2024)" in _main(after)
    assert _history(after) == [f"{TODAY} · gia hạn → 30/09/2024 (QĐ 123/QĐ-BTV) — "
                               "Văn phòng Ban chỉ đạo, bch.thuongtruc"]


@pytest.mark.parametrize(("fields", "message"), [
    ({"to": "31/02/2024", "decision": "QĐ 1"}, "'31/02/2024' is not a date; write it as "
                                               "dd/mm/yyyy"),
    ({"to": "30/09/2024", "decision": ""}, "body.decision: Field required"),
    ({"to": "30/06/2024", "decision": "QĐ 1"}, "the new deadline must be later than the "
                                               "current one (2024-07-31)"),
])
def test_a_bad_extension_is_422_and_records_nothing(shared_site, fields, message):
    browser = shared_site.browser("steering")
    page = browser.get(f"/tasks/{TASK}")
    before = shared_site.ledger()

    sent = browser.post(f"/tasks/{TASK}/extend", data=_form(page, "extend", **fields))

    assert sent.status_code == 422
    assert error_message(sent.text) == message
    assert shared_site.ledger() == before


# --- dashboard --------------------------------------------------------------------------------

CATEGORY_LABELS = {"done_on_time": "Hoàn thành đúng hạn", "done_late": "Hoàn thành quá hạn",
                   "open_on_time": "Đang thực hiện, trong hạn",
                   "open_overdue": "Chưa hoàn thành, quá hạn", "cancelled": "Đã hủy"}


def _numbers(cards: dict[str, tuple[int, str]]) -> dict[str, int]:
    assert {key: label for key, (_, label) in cards.items()} == CATEGORY_LABELS
    return {key: n for key, (n, _) in cards.items()}


def test_the_dashboard_shows_the_categories_and_changes_after_completions(site):
    browser = site.browser("steering")
    before = browser.get("/dashboard", params={"as_of": "20/05/2024"})
    assert _numbers(_cards(before.text)) == {"done_on_time": 0, "done_late": 0,
                                             "open_on_time": 138, "open_overdue": 16,
                                             "cancelled": 0}
    assert "Kết quả chờ xác nhận (0)" in _main(before.text)

    for key in (TASK, "nb-2024-q2/dien-bien-phu/plan"):  # due 31/07 and 22/04/2024
        assert site.api("lead").post(f"/api/tasks/{key}/done",
                                     json={"on": "2024-05-20"}).status_code == 201
    # a province of this size (154 instances) has its pages built anew in the request:
    # the completions show at once, with no label of figures counted earlier
    after = browser.get("/dashboard", params={"as_of": "20/05/2024"})

    assert 'id="counted-at"' not in after.text
    assert _numbers(_cards(after.text)) == {"done_on_time": 1, "done_late": 1,
                                            "open_on_time": 137, "open_overdue": 15,
                                            "cancelled": 0}
    assert "Kết quả chờ xác nhận (2)" in _main(after.text)
    awaiting = re.search(r'<table id="awaiting"[^>]*>.*?</table>', after.text, flags=re.S).group(0)
    assert re.findall(r'<tr data-task="([^"]+)"', awaiting) == [
        "nb-2024-q2/dien-bien-phu/plan", TASK]
    assert awaiting.count(">Xác nhận / Trả lại</a>") == 2
    viewer = site.browser("viewer").get("/dashboard", params={"as_of": "20/05/2024"}).text
    assert "Xác nhận / Trả lại" not in viewer  # a viewer sees, but does not decide


@pytest.mark.parametrize("path", ["/dashboard", "/reviews",
                                  "/reviews/ninh-binh/2024-Q2.md"])
def test_an_officer_gets_403_on_the_steering_pages(shared_site, path):
    page = shared_site.browser("lead").get(path)

    assert page.status_code == 403
    assert error_message(page.text) == OFFICERS_KEEP_OUT


# --- directives and reviews -------------------------------------------------------------------

def test_the_directives_page_lists_the_loaded_directive(shared_site):
    page = shared_site.browser("viewer").get("/directives")

    assert ("45-KL/TU: Nhiệm vụ trọng tâm công tác dân vận quý II năm 2024 "
            "15/04/2024 · Ban Thường vụ Tỉnh ủy Ninh Bình · ninh-binh") in _main(page.text)
    graph = shared_site.browser("viewer").get("/directives/nb-2024-q2")
    assert graph.status_code == 200
    assert "<svg" in graph.text
    # leads by name, fan-outs in the page's language, in the table and the drawing alike
    main = _main(graph.text)
    assert "Ban Tuyên giáo Tỉnh ủy" in main and "từng huyện" in main
    assert "each " not in graph.text and "propaganda-department" not in main
    assert ">từng huyện</text>" in graph.text
    missing = shared_site.browser("viewer").get("/directives/nb-2099")
    assert missing.status_code == 404
    assert error_message(missing.text) == "no directive 'nb-2099'; loaded directives: nb-2024-q2"


def test_the_review_page_offers_three_downloads(shared_site):
    page = shared_site.browser("viewer").get("/reviews", params={
        "jurisdiction": "ninh-binh", "quarter": "2024-Q2", "as_of": "15/07/2024"})

    assert page.status_code == 200
    assert re.findall(r'href="(/reviews/[^"]+)"', page.text) == [
        f"/reviews/ninh-binh/2024-Q2.{fmt}?as_of=2024-07-15" for fmt in ("md", "html", "json")]
    assert "kết quả công tác dân vận quý II" in page.text  # the preview


@pytest.mark.parametrize(("fmt", "kind", "starts"), [
    ("md", "text/markdown; charset=utf-8", "| TỈNH ỦY NINH BÌNH<br>**BAN DÂN VẬN**"),
    ("html", "text/html; charset=utf-8", "<!doctype html>"),
    ("json", "application/json; charset=utf-8", "{"),
])
def test_a_review_downloads_as_a_named_attachment(shared_site, fmt, kind, starts):
    response = shared_site.browser("steering").get(f"/reviews/ninh-binh/2024-Q2.{fmt}",
                                                   params={"as_of": "2024-07-15"})

    assert response.status_code == 200
    assert response.headers["content-type"] == kind
    assert response.headers["content-disposition"] == \
        f'attachment; filename="review-ninh-binh-2024-Q2.{fmt}"'
    assert response.text.startswith(starts)
    if fmt == "md":
        assert "| Chưa hoàn thành, quá hạn | 28 | 143 | – |" in response.text
    if fmt == "json":
        assert json.loads(response.text)["totals"]["open_overdue"] == 143


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/reviews/ninh-binh/2024-Q2.pdf", 404, "reviews come as .md, .html or .json"),
    ("/reviews/ninh-binh/2024-Q9.md", 422, "'2024-Q9' is not a quarter; write it like 2024-Q2"),
    ("/reviews/ha-noi/2024-Q2.md", 404, "no jurisdiction 'ha-noi'; loaded: ninh-binh"),
])
def test_a_review_that_cannot_be_made_says_why(shared_site, path, status, message):
    response = shared_site.browser("steering").get(path)

    assert (response.status_code, error_message(response.text)) == (status, message)


# --- language, dates and Vietnamese names -----------------------------------------------------

def test_pages_are_in_vietnamese_by_default_and_in_english_after_choosing_it(shared_site):
    browser = shared_site.browser("steering")
    vietnamese = browser.get(f"/tasks/{TASK}", params={"as_of": "20/05/2024"})

    switched = browser.get("/lang/en", params={"next": f"/tasks/{TASK}"})
    english = browser.get(f"/tasks/{TASK}", params={"as_of": "20/05/2024"})

    assert '<html lang="vi">' in vietnamese.text
    assert ("Tình trạng Đang thực hiện, trong hạn Văn bản 45-KL/TU") in _main(vietnamese.text)
    assert "Chủ trì Ban Tuyên giáo Tỉnh ủy" in _main(vietnamese.text)
    assert "Hạn 31/07/2024" in _main(vietnamese.text)
    assert (switched.status_code, switched.headers["location"]) == (303, f"/tasks/{TASK}")
    assert '<html lang="en">' in english.text
    assert "Status Open, within deadline Directive 45-KL/TU" in _main(english.text)
    assert "Lead Ban Tuyên giáo Tỉnh ủy" in _main(english.text)
    assert "Due 31/07/2024" in _main(english.text)
    assert ">Tiếng Việt</a>" in english.text
    browser.get("/lang/vi", params={"next": "/"})
    assert '<html lang="vi">' in browser.get(f"/tasks/{TASK}").text


def test_the_language_switch_keeps_the_page_s_date_and_filters(shared_site):
    browser = shared_site.browser("steering")
    page = browser.get("/dashboard", params={"as_of": "01/06/2024", "directive": "nb-2024-q2"})
    link = re.search(r'<a href="(/lang/en\?next=[^"]+)"', page.text)
    assert link, "the page has no language switch"

    switched = browser.get(unescape(link.group(1)))

    assert (switched.status_code, switched.headers["location"]) == (
        303, "/dashboard?as_of=01%2F06%2F2024&directive=nb-2024-q2")
    english = browser.get(switched.headers["location"])
    assert '<html lang="en">' in english.text
    assert 'value="01/06/2024"' in english.text
    assert '<option value="nb-2024-q2" selected>' in english.text


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_the_language_switch_does_not_redirect_off_site(shared_site, target):
    response = shared_site.browser().get("/lang/en", params={"next": target})

    assert (response.status_code, response.headers["location"]) == (303, "/")


def test_names_with_diacritics_are_sent_as_utf8_text(shared_site):
    page = shared_site.browser("other").get("/inbox", params={"as_of": "20/05/2024"})

    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Nhiệm vụ của đơn vị: Huyện Kim Sơn</h1>".encode() in page.content
    assert "&#" not in page.text.split("<h1>")[1].split("</h1>")[0]


# --- escaping ---------------------------------------------------------------------------------

def test_a_note_with_html_is_shown_as_text(site):
    note = "<script>alert('x')</script> & <b>đậm</b>"
    site.api("lead").post(f"/api/tasks/{TASK}/progress", json={"percent": 5, "note": note,
                                                               "on": "2024-05-20"})

    page = site.browser("steering").get(f"/tasks/{TASK}")

    assert "<script>alert" not in page.text and "<b>đậm" not in page.text
    assert ("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;đậm&lt;/b&gt;"
            in page.text)
    assert _history(page.text)[0].endswith(note)


def test_evidence_with_html_is_escaped_in_the_downloaded_review(site):
    evidence = '<img src=x onerror="alert(1)">'
    site.api("lead").post(f"/api/tasks/{TASK}/done", json={"evidence": evidence,
                                                           "on": "2024-05-20"})

    review = site.browser("steering").get("/reviews/ninh-binh/2024-Q2.html",
                                          params={"as_of": "2024-07-15"})

    assert review.status_code == 200
    assert "<img src=x" not in review.text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in review.text


@pytest.mark.parametrize("path", ["/tasks/<script>alert(1)</script>",
                                  "/login?next=/%22%3E%3Cscript%3Ealert(1)%3C/script%3E"])
def test_user_input_in_urls_is_escaped(shared_site, path):
    page = shared_site.browser("steering").get(path)

    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


# --- odd dates and quarters in the address --------------------------------------------------

ODD_DATES = ["01/01/0001", "31/12/9999", "01/01/99999999999999999999", "0001-01-01",
             "9999-12-31"]
DATED_PAGES = [("steering", "/dashboard"), ("other", "/inbox"), ("steering", f"/tasks/{TASK}"),
               ("steering", "/reviews"), ("steering", "/reviews/ninh-binh/2024-Q2.md")]


def _odd_date_answer(path: str, day: str) -> tuple[int, str | None]:
    """What a page read as of ``day`` answers: the status, and the error it shows."""
    if day == "01/01/99999999999999999999":
        return 422, f"'{day}' is not a date; write it as dd/mm/yyyy"
    first_day = day in ("01/01/0001", "0001-01-01")
    if first_day and path == f"/tasks/{TASK}":
        return 404, f"task '{TASK}' did not exist yet on 0001-01-01"
    if first_day and path == "/reviews":
        return 422, "no quarter ended before 0001-01-01; choose the quarter"
    return 200, None


@pytest.mark.parametrize("day", ODD_DATES)
@pytest.mark.parametrize(("role", "path"), DATED_PAGES)
def test_a_page_read_as_of_any_date_answers_or_says_the_date_is_wrong(shared_site, role, path,
                                                                      day):
    response = shared_site.browser(role).get(path, params={"as_of": day})

    status, message = _odd_date_answer(path, day)
    assert response.status_code == status, response.text
    if message is not None:
        assert error_message(response.text) == message
    elif day in ("31/12/9999", "9999-12-31") and path in ("/dashboard", "/inbox", "/reviews"):
        assert 'name="as_of" value="31/12/9999"' in response.text  # the date it was read as of


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("path", ["/api/tasks", f"/api/tasks/{TASK}", "/api/dashboard",
                                  "/api/reviews/2024-Q2"])
def test_the_api_read_as_of_the_first_or_last_day_there_is_answers(shared_site, path, day):
    response = shared_site.api("steering").get(path, params={"as_of": day,
                                                             "jurisdiction": "ninh-binh"})

    if path == f"/api/tasks/{TASK}" and day == "0001-01-01":
        assert (response.status_code, response.json()["detail"]) == (
            404, f"task '{TASK}' did not exist yet on 0001-01-01")
    else:
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(("quarter", "message"), [
    ("abc", "'abc' is not a quarter; write it like 2024-Q2"),
    ("2024-Q9", "'2024-Q9' is not a quarter; write it like 2024-Q2"),
    ("0001-Q1", "the review compares 0001-Q1 with the quarter before and looks ahead to the "
                "one after; choose a quarter of a year from 0002 to 9998"),
])
def test_the_review_page_for_a_wrong_quarter_says_what_to_write(shared_site, quarter, message):
    page = shared_site.browser("steering").get("/reviews", params={"quarter": quarter})
    api = shared_site.api("steering").get(f"/api/reviews/{quarter}",
                                          params={"jurisdiction": "ninh-binh"})

    assert (page.status_code, error_message(page.text)) == (422, message)
    assert (api.status_code, api.json()["detail"]) == (422, message)


def test_the_api_description_page_loads_its_script_and_style_from_the_app(shared_site):
    import fastapi_offline

    client = shared_site.api("anonymous")
    page = client.get("/docs")
    assets = re.findall(r'(?:src|href)="(/static/swagger/[^"]+)"', page.text)

    assert page.status_code == 200
    assert sorted(assets) == ["/static/swagger/swagger-ui-bundle.js",
                              "/static/swagger/swagger-ui.css"]
    bundled = Path(fastapi_offline.__file__).parent / "static"  # what the app mounts
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert served.content == (bundled / asset.rsplit("/", 1)[1]).read_bytes(), asset


def test_escalation_steps_read_in_the_page_s_language(site, clock):
    """As of 20/05/2024 the Ninh Bình ladder (overdue after 1 day, supervisor after 7,
    issuer after 15, standing committee after 30) has reached, for the 16 overdue tasks
    of the dashboard, the step their days overdue call for."""
    from dirtrack.escalation import check_deadlines

    clock.set("2024-05-20T01:00:00+00:00")
    check_deadlines(site.engine, date(2024, 5, 20))
    browser = site.browser("steering")
    late = "nb-2024-q2/dien-bien-phu/plan"  # due 22/04, the longest overdue

    dashboard = browser.get("/dashboard", params={"as_of": "20/05/2024"})
    task = browser.get(f"/tasks/{late}", params={"as_of": "20/05/2024"})

    table = re.search(r'<table id="overdue".*?</table>', dashboard.text, flags=re.S)
    assert table, "the dashboard shows no overdue list"
    rows = [(re.search(r'class="id">([^<]+)', row).group(1),  # type: ignore[union-attr]
             *re.findall(r'<td class="(?:n|keep)">([^<]*)</td>', row)[:2])
            for row in re.findall(r"<tr><td>.*?</tr>", table.group(0), flags=re.S)]
    issuer, supervisor, overdue = ("đã báo cơ quan ban hành", "đã báo đơn vị cấp trên",
                                   "quá hạn")
    assert rows == [
        (late, "28", issuer),                                    # due 22/04
        ("nb-2024-q2/workers-month/launch", "20", issuer),        # due 30/04
        *[(f"nb-2024-q2/dien-bien-phu/{t}", "13", supervisor)    # due 07/05
          for t in ("ceremony", "gratitude-visits", "propaganda")],
        ("nb-2024-q2/leadership-documents", "11", supervisor),    # due 09/05
        *[(f"nb-2024-q2/book-select-models@{d}", "10", supervisor)  # due 10/05
          for d in ("gia-vien", "hoa-lu", "kim-son", "nho-quan", "ninh-binh-city",
                    "tam-diep-city", "yen-khanh", "yen-mo")],
        ("nb-2024-q2/action-month-children/plan", "5", overdue),  # due 15/05
        ("nb-2024-q2/trang-an-programme", "5", overdue),
    ]
    steps = re.search(r"<h2>Các mức cảnh báo đã gửi</h2>(.*?)</div>", task.text, flags=re.S)
    assert steps, "the task page shows no escalation steps"
    standing = "Ban Thường vụ Tỉnh ủy Ninh Bình"  # the lead's parent and the issuer
    shown = [visible_text(li) for li in re.findall(r"<li\b.*?</li>", steps.group(1), flags=re.S)]
    assert sorted(shown) == sorted(  # each step on both channels, in either order
        f"20/05/2024 · {step} → {unit} ({channel}, chờ gửi)"
        for step, unit in [(overdue, "Ban Tuyên giáo Tỉnh ủy"), (supervisor, standing),
                           (issuer, standing)]
        for channel in ("tệp", "nhật ký"))
    assert "overdue" not in steps.group(1) and "pending" not in steps.group(1)
