"""Units answer back through the JSON API, against every role: extension requests, their
refusal, difficulties, and indicator values with progress and done; exact status codes
and details, and the ledger after each.

The task is nb-2024-q2/admin-units-propaganda (tests/web/conftest.py): led by the
propaganda department, due 2024-07-31, coordinated by the Fatherland Front.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from tests.conftest import Cli

from .conftest import LEAD_UNIT, TASK

REQUEST = {"to": "2024-09-30", "reason": "Chờ hướng dẫn của Trung ương", "on": "2024-05-20"}
REFUSE = {"reason": "Thời hạn đủ để hoàn thành", "on": "2024-05-21"}
DIFFICULTY = {"note": "Thiếu kinh phí in tài liệu", "on": "2024-05-20"}
NOT_YOUR_UNIT = f"{TASK} is not a task of your unit (kim-son)"
ANSWER = "ask for an extension or record a difficulty"
NOT_THE_LEAD = (f"unit 'fatherland-front' is not the lead of {TASK} (lead: {LEAD_UNIT}); "
                f"only the lead unit can {ANSWER}")


def _detail(response: Any) -> str:
    return response.json()["detail"]


@pytest.mark.parametrize(("kind", "body"), [("request-extension", REQUEST),
                                            ("difficulty", DIFFICULTY)])
@pytest.mark.parametrize(("role", "detail"), [
    ("steering", f"only officers of the lead unit can {ANSWER}"),
    ("other", NOT_YOUR_UNIT), ("coordinating", NOT_THE_LEAD),
    ("viewer", "viewers cannot record anything")])
def test_only_the_lead_unit_asks_or_records_a_difficulty(shared_site, kind, body, role,
                                                         detail):
    before = shared_site.ledger()

    response = shared_site.api(role).post(f"/api/tasks/{TASK}/{kind}", json=body)

    assert (response.status_code, _detail(response)) == (403, detail)
    assert shared_site.ledger() == before


ANSWERERS = "only the steering committee or officers of the issuing unit (pc-standing) can "
GRANT = {"to": "2024-09-30", "decision": "QĐ 130/QĐ-BTV", "on": "2024-05-23", "grant": True}
WITHDRAW = {"note": "Đã nhận được hướng dẫn", "on": "2024-05-21"}


@pytest.mark.parametrize(("kind", "body", "what"), [
    ("refuse-extension", REFUSE, "refuse extensions"),
    ("extend", GRANT, "grant extension requests")])
@pytest.mark.parametrize(("role", "detail"), [
    ("lead", ANSWERERS), ("other", ANSWERERS), ("coordinating", ANSWERERS),
    ("viewer", "viewers cannot record anything")])
def test_only_the_committee_and_the_issuing_unit_answer(shared_site, kind, body, what, role,
                                                         detail):
    before = shared_site.ledger()

    response = shared_site.api(role).post(f"/api/tasks/{TASK}/{kind}", json=body)

    expected = detail + what if detail == ANSWERERS else detail
    assert (response.status_code, _detail(response)) == (403, expected)
    assert shared_site.ledger() == before


@pytest.mark.parametrize(("role", "detail"), [
    ("steering", "only officers of the lead unit can withdraw an extension request"),
    ("issuer", f"{TASK} is not a task of your unit (pc-standing)"),
    ("other", NOT_YOUR_UNIT),
    ("coordinating", f"unit 'fatherland-front' is not the lead of {TASK} (lead: {LEAD_UNIT}); "
                     "only the lead unit can withdraw an extension request"),
    ("viewer", "viewers cannot record anything")])
def test_only_the_lead_unit_withdraws(shared_site, role, detail):
    before = shared_site.ledger()

    response = shared_site.api(role).post(f"/api/tasks/{TASK}/withdraw-extension",
                                          json=WITHDRAW)

    assert (response.status_code, _detail(response)) == (403, detail)
    assert shared_site.ledger() == before


def test_the_issuing_unit_reads_refuses_and_grants_a_withdrawn_request_is_not_answered(site):
    lead, issuer, steering = site.api("lead"), site.api("issuer"), site.api("steering")

    read = issuer.get(f"/api/tasks/{TASK}")
    asked = lead.post(f"/api/tasks/{TASK}/request-extension", json=REQUEST)
    refused = issuer.post(f"/api/tasks/{TASK}/refuse-extension", json=REFUSE)
    again = lead.post(f"/api/tasks/{TASK}/request-extension", json={**REQUEST,
                                                                    "on": "2024-05-21"})
    withdrawn = lead.post(f"/api/tasks/{TASK}/withdraw-extension", json=WITHDRAW)
    twice = lead.post(f"/api/tasks/{TASK}/withdraw-extension", json=WITHDRAW)
    not_refused = issuer.post(f"/api/tasks/{TASK}/refuse-extension", json={
        **REFUSE, "on": "2024-05-22"})
    not_granted = steering.post(f"/api/tasks/{TASK}/extend", json=GRANT)
    third = lead.post(f"/api/tasks/{TASK}/request-extension", json={**REQUEST,
                                                                    "on": "2024-05-23"})
    granted = issuer.post(f"/api/tasks/{TASK}/extend", json=GRANT)

    gone = (f"the extension request on {TASK} was withdrawn by {LEAD_UNIT} on 2024-05-21; "
            "nothing to ")
    assert read.status_code == 200
    assert [r.status_code for r in (asked, refused, again, withdrawn, third, granted)] == [
        201] * 6
    assert [(r.status_code, _detail(r)) for r in (twice, not_refused, not_granted)] == [
        (409, gone + "withdraw"), (409, gone + "refuse"), (409, gone + "grant")]
    assert [(e["kind"], e["actor"], e["recorded_by"]) for e in site.events(TASK)] == [
        ("requested", LEAD_UNIT, "tuyengiao.chuyenvien"),
        ("refused", "pc-standing", "btv.vanphong"),
        ("requested", LEAD_UNIT, "tuyengiao.chuyenvien"),
        ("withdrawn", LEAD_UNIT, "tuyengiao.chuyenvien"),
        ("requested", LEAD_UNIT, "tuyengiao.chuyenvien"),
        ("extended", "pc-standing", "btv.vanphong")]
    shown = steering.get(f"/api/tasks/{TASK}", params={"as_of": "2024-05-23"}).json()
    assert shown["task"]["due_on"] == "2024-09-30"


def test_the_lead_asks_the_committee_refuses_then_grants(site):
    lead, steering = site.api("lead"), site.api("steering")

    nothing_to_refuse = steering.post(f"/api/tasks/{TASK}/refuse-extension", json=REFUSE)
    asked = lead.post(f"/api/tasks/{TASK}/request-extension", json=REQUEST)
    twice = lead.post(f"/api/tasks/{TASK}/request-extension", json=REQUEST)
    refused = steering.post(f"/api/tasks/{TASK}/refuse-extension", json=REFUSE)
    difficulty = lead.post(f"/api/tasks/{TASK}/difficulty", json={**DIFFICULTY,
                                                                  "on": "2024-05-22"})
    again = lead.post(f"/api/tasks/{TASK}/request-extension", json={**REQUEST,
                                                                    "on": "2024-05-22"})
    granted = steering.post(f"/api/tasks/{TASK}/extend", json={
        "to": "2024-09-30", "decision": "QĐ 130/QĐ-BTV", "on": "2024-05-23"})

    assert (nothing_to_refuse.status_code, _detail(nothing_to_refuse)) == (
        422, f"{TASK} has no extension request waiting for an answer; nothing to refuse")
    assert (twice.status_code, _detail(twice)) == (
        422, f"{TASK} already has an extension request of 2024-05-20 (to 2024-09-30) waiting "
             "for an answer; wait for it")
    assert [r.status_code for r in (asked, refused, difficulty, again, granted)] == [201] * 5
    assert [(e["kind"], e["actor"], e["recorded_by"], e["note"]) for e in site.events(TASK)] == [
        ("requested", LEAD_UNIT, "tuyengiao.chuyenvien", "Chờ hướng dẫn của Trung ương"),
        ("refused", "secretariat", "bch.thuongtruc", "Thời hạn đủ để hoàn thành"),
        ("difficulty", LEAD_UNIT, "tuyengiao.chuyenvien", "Thiếu kinh phí in tài liệu"),
        ("requested", LEAD_UNIT, "tuyengiao.chuyenvien", "Chờ hướng dẫn của Trung ương"),
        ("extended", "secretariat", "bch.thuongtruc", "")]
    shown = steering.get(f"/api/tasks/{TASK}", params={"as_of": "2024-05-23"}).json()
    assert shown["task"]["due_on"] == "2024-09-30"


MODELS = """\
directive:
  id: nb-models
  number: "50-KH/BDV"
  kind: plan
  title: "Xây dựng mô hình “Dân vận khéo”"
  issued_by: pc-standing
  issued_on: 2024-04-15
tasks:
  - id: models
    title: "Xây dựng mô hình"
    lead: propaganda-department
    sector: political-system
    due: 2024-06-30
    indicators:
      - {id: models, unit: "mô hình", target: 10, below_target: refuse}
"""


def test_values_come_with_progress_and_done(site, tmp_path):
    folder = tmp_path / "site" / "directives" / "ninh-binh"
    (folder / "nb-models.yaml").write_text(textwrap.dedent(MODELS), encoding="utf-8")
    assert Cli(site.url, tmp_path / "site")("load", "directives/ninh-binh", "--on",
                                            "2024-04-15").exit_code == 0
    lead, key = site.api("lead"), "nb-models/models"

    wrong = lead.post(f"/api/tasks/{key}/progress", json={
        "percent": 50, "values": {"models": 2.5}, "on": "2024-05-20"})
    none_here = lead.post(f"/api/tasks/{TASK}/progress", json={
        "percent": 50, "values": {"models": 2}, "on": "2024-05-20"})
    short = lead.post(f"/api/tasks/{key}/done", json={"values": {"models": 7},
                                                      "on": "2024-05-20"})
    progress = lead.post(f"/api/tasks/{key}/progress", json={
        "percent": 50, "values": {"models": 7}, "on": "2024-05-20"})
    done = lead.post(f"/api/tasks/{key}/done", json={"values": {"models": 11},
                                                     "on": "2024-05-25"})

    assert (wrong.status_code, _detail(wrong)) == (
        422, "models is a whole number; '2.5' is not one; nothing recorded")
    assert (none_here.status_code, _detail(none_here)) == (
        422, f"{TASK} has no indicators; report it without values")
    assert (short.status_code, _detail(short)) == (
        422, "nb-models/models cannot be done below its target: models is 7 of 10; report "
             "the value reached (--value models=N) or keep it open")
    assert (progress.status_code, done.status_code) == (201, 201)
    review = site.api("steering").get("/api/reviews/2024-Q2", params={
        "jurisdiction": "ninh-binh", "as_of": "2024-06-30"}).json()
    [line] = review["indicators"]
    assert (line["task"], line["actual"], line["target"], line["rate"]) == (
        "nb-models/models", 11, 10, 1.1)


def test_a_withdrawn_request_leaves_the_dashboard_from_its_date(site):
    lead, steering = site.api("lead"), site.api("steering")
    assert lead.post(f"/api/tasks/{TASK}/request-extension", json=REQUEST).status_code == 201
    assert lead.post(f"/api/tasks/{TASK}/withdraw-extension", json=WITHDRAW).status_code == 201

    def waiting(day: str) -> list[tuple[str, str]]:
        board = steering.get("/api/dashboard", params={"as_of": day}).json()
        return [(r["task"], r["asked_due"]) for r in board["extension_requests"]]

    assert waiting("2024-05-20") == [(TASK, "2024-09-30")]
    assert waiting("2024-05-21") == []
