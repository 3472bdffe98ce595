"""The task page's forms for what units answer back: indicator values with progress, an
extension request and its withdrawal, a difficulty, the answer of the committee or of
the issuing unit (grant or refusal); CSRF and roles checked on the server. The clock is
1 August 2024 in Hanoi, as in test_pages.py."""

from __future__ import annotations

import re
import textwrap
from typing import Any

import pytest

from tests.conftest import Cli

from .conftest import TASK, csrf_of, error_message, version_of, visible_text
from .test_api_answers import MODELS

MODEL_TASK = "nb-models/models"


@pytest.fixture(autouse=True)
def _today_is_the_first_of_august(clock) -> None:
    clock.set("2024-07-31T17:30:00+00:00")


def _form(page: Any, key: str, action: str, **fields: Any) -> dict[str, Any]:
    form = re.search(rf'<form[^>]+action="/tasks/{re.escape(key)}/{action}".*?</form>',
                     page.text, flags=re.S)
    assert form, f"the page has no {action} form"
    return {"csrf": csrf_of(form.group(0)), "version": version_of(form.group(0)), **fields}


def test_values_come_with_the_progress_form(site, tmp_path):
    folder = tmp_path / "site" / "directives" / "ninh-binh"
    (folder / "nb-models.yaml").write_text(textwrap.dedent(MODELS), encoding="utf-8")
    assert Cli(site.url, tmp_path / "site")("load", "directives/ninh-binh", "--on",
                                            "2024-04-15").exit_code == 0
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{MODEL_TASK}")
    assert 'name="value:models"' in page.text
    before = site.ledger()

    wrong = browser.post(f"/tasks/{MODEL_TASK}/progress", data=_form(
        page, MODEL_TASK, "progress", percent="40", **{"value:models": "2.5"}))
    assert (wrong.status_code, error_message(wrong.text)) == (
        422, "models is a whole number; '2.5' is not one; nothing recorded")
    assert site.ledger() == before
    sent = browser.post(f"/tasks/{MODEL_TASK}/progress", data=_form(
        page, MODEL_TASK, "progress", percent="40", **{"value:models": "7"}))

    assert sent.status_code == 303
    review = site.api("steering").get("/api/reviews/2024-Q3", params={
        "jurisdiction": "ninh-binh", "as_of": "2024-08-01"}).json()
    [line] = review["indicators"]
    assert (line["actual"], line["target"]) == (7, 10)


def test_a_request_a_difficulty_and_a_refusal_through_the_forms(site):
    lead, boss = site.browser("lead"), site.browser("steering")
    page = lead.get(f"/tasks/{TASK}")
    assert f'action="/tasks/{TASK}/refuse-extension"' not in boss.get(f"/tasks/{TASK}").text

    asked = lead.post(f"/tasks/{TASK}/request-extension", data=_form(
        page, TASK, "request-extension", to="30/09/2024", reason="Chờ hướng dẫn"))
    page = lead.get(f"/tasks/{TASK}")
    hard = lead.post(f"/tasks/{TASK}/difficulty", data=_form(
        page, TASK, "difficulty", note="Thiếu kinh phí"))
    forged = boss.post(f"/tasks/{TASK}/refuse-extension", data={
        "csrf": "forged", "version": "2", "reason": "Không"})
    by_lead = lead.post(f"/tasks/{TASK}/refuse-extension", data={
        **_form(lead.get(f"/tasks/{TASK}"), TASK, "difficulty"), "reason": "Không"})
    refused = boss.post(f"/tasks/{TASK}/refuse-extension", data=_form(
        boss.get(f"/tasks/{TASK}"), TASK, "refuse-extension", reason="Đủ thời gian"))

    assert [r.status_code for r in (asked, hard, refused)] == [303, 303, 303]
    assert forged.status_code == 403
    assert (by_lead.status_code, error_message(by_lead.text)) == (
        403, "only the steering committee or officers of the issuing unit (pc-standing) can "
             "refuse extensions")
    assert [(e["kind"], e["note"], e["recorded_by"]) for e in site.events(TASK)] == [
        ("requested", "Chờ hướng dẫn", "tuyengiao.chuyenvien"),
        ("difficulty", "Thiếu kinh phí", "tuyengiao.chuyenvien"),
        ("refused", "Đủ thời gian", "bch.thuongtruc")]


def test_the_unit_withdraws_then_the_issuing_unit_grants_through_the_forms(site):
    lead, issuer, boss = site.browser("lead"), site.browser("issuer"), site.browser("steering")
    assert f'action="/tasks/{TASK}/withdraw-extension"' not in lead.get(f"/tasks/{TASK}").text

    asked = lead.post(f"/tasks/{TASK}/request-extension", data=_form(
        lead.get(f"/tasks/{TASK}"), TASK, "request-extension", to="30/09/2024",
        reason="Chờ hướng dẫn"))
    stale = boss.get(f"/tasks/{TASK}")
    withdrawn = lead.post(f"/tasks/{TASK}/withdraw-extension", data=_form(
        lead.get(f"/tasks/{TASK}"), TASK, "withdraw-extension", note="Đã có hướng dẫn"))
    late = boss.post(f"/tasks/{TASK}/refuse-extension", data=_form(
        stale, TASK, "refuse-extension", reason="Đủ thời gian"))
    unanswerable = issuer.get(f"/tasks/{TASK}")
    again = lead.post(f"/tasks/{TASK}/request-extension", data=_form(
        lead.get(f"/tasks/{TASK}"), TASK, "request-extension", to="15/09/2024",
        reason="Chờ số liệu"))
    inbox = issuer.get("/inbox")
    page = issuer.get(f"/tasks/{TASK}")
    by_decision = issuer.post(f"/tasks/{TASK}/extend", data={
        **_form(page, TASK, "extend"), "to": "15/09/2024", "decision": "QĐ 1"})
    granted = issuer.post(f"/tasks/{TASK}/extend", data=_form(
        page, TASK, "extend", to="15/09/2024", decision="QĐ 131/QĐ-BTV", grant="1"))

    assert [r.status_code for r in (asked, withdrawn, again, granted)] == [303] * 4
    assert late.status_code == 409
    assert unanswerable.status_code == 200
    assert f'action="/tasks/{TASK}/refuse-extension"' not in unanswerable.text
    assert 'name="grant" value="1"' in page.text and "Chấp thuận gia hạn" in page.text
    assert (by_decision.status_code, error_message(by_decision.text)) == (
        403, "only the steering committee can extend deadlines by decision; officers of the "
             "issuing unit grant a unit's waiting extension request")
    assert [(e["kind"], e["actor"], e["recorded_by"]) for e in site.events(TASK)] == [
        ("requested", "propaganda-department", "tuyengiao.chuyenvien"),
        ("withdrawn", "propaganda-department", "tuyengiao.chuyenvien"),
        ("requested", "propaganda-department", "tuyengiao.chuyenvien"),
        ("extended", "pc-standing", "btv.vanphong")]
    history = issuer.get(f"/tasks/{TASK}").text
    assert "rút đề nghị gia hạn" in history
    # The issuing unit finds the waiting request in its inbox, until it is answered
    listed = re.search(r'<ul class="tasklist" id="requests-to-answer">(.*?)</ul>', inbox.text,
                       flags=re.S)
    assert listed and visible_text(listed.group(1)) == (
        "Tuyên truyền, tạo sự đồng thuận trong cán bộ, công chức và nhân dân về sắp xếp đơn "
        "vị hành chính cấp huyện, cấp xã giai đoạn 2023 - 2025 Ban Tuyên giáo Tỉnh ủy · "
        f"Hạn 31/07/2024 → Thời hạn đề nghị 15/09/2024 (01/08/2024) {TASK}")
    assert 'id="requests-to-answer"' not in issuer.get("/inbox").text
