"""The JSON API against every role: exact status codes and details, and the ledger after each.

The task written to is nb-2024-q2/admin-units-propaganda (tests/web/conftest.py): led
by the propaganda department, coordinated by the Fatherland Front, unrelated to Kim Sơn.
"""

from __future__ import annotations

import re
import threading
from html import unescape
from typing import Any

import pytest

from .conftest import LEAD_UNIT, NO_CREDENTIALS, SIGNED_IN, TASK, USERS

KIM_SON_TASKS = [  # as of 2024-05-20, most urgent first
    "nb-2024-q2/book-select-models@kim-son",
    "nb-2024-q2/workers-month/activities@kim-son",
    "nb-2024-q2/district-summary@kim-son",
    "nb-2024-q2/people-situation@kim-son",
    "nb-2024-q2/action-month-children/activities@kim-son",
    "nb-2024-q2/ff-congress/district@kim-son",
    "nb-2024-q2/q2-report/unit-report@kim-son",
    "nb-2024-q2/youth-congress/district@kim-son",
]
PROPAGANDA_LEADS = ["nb-2024-q2/dien-bien-phu/plan", "nb-2024-q2/dien-bien-phu/ceremony",
                    "nb-2024-q2/dien-bien-phu/propaganda", "nb-2024-q2/dien-bien-phu/summary",
                    TASK]
PROPAGANDA_COORDINATES = ["nb-2024-q2/planning-218", "nb-2024-q2/trang-an-promotion",
                          "nb-2024-q2/book-100-models"]
TOTALS_MAY_20 = {"done_on_time": 0, "done_late": 0, "open_on_time": 138, "open_overdue": 16,
                 "cancelled": 0, "total": 154, "on_time_rate": 0.0}

BODIES: dict[str, dict[str, Any]] = {
    "progress": {"percent": 40, "note": "Đã ban hành kế hoạch tuyên truyền", "on": "2024-05-20"},
    "done": {"note": "Hoàn thành", "evidence": "Báo cáo số 12-BC/BTG", "on": "2024-05-20"},
    "verify": {"note": "Đạt yêu cầu", "on": "2024-05-20"},
    "return": {"reason": "Thiếu báo cáo tình hình dư luận", "on": "2024-05-20"},
    "extend": {"to": "2024-09-30", "decision": "QĐ 123/QĐ-BTV", "on": "2024-05-20"},
}
WRITES = list(BODIES)
ENDPOINTS = [("GET", "/api/me"), ("GET", "/api/tasks"), ("GET", f"/api/tasks/{TASK}"),
             *[("POST", f"/api/tasks/{TASK}/{kind}") for kind in WRITES],
             ("GET", "/api/dashboard"), ("GET", "/api/reviews/2024-Q2?jurisdiction=ninh-binh")]

NOT_YOUR_UNIT = f"{TASK} is not a task of your unit (kim-son)"
NOT_THE_LEAD = (f"unit 'fatherland-front' is not the lead of {TASK} (lead: {LEAD_UNIT}); "
                "only the lead unit can report progress or done")
VIEWERS = "viewers cannot record anything"
REPORTERS = "only officers of the lead unit report progress or completion"
STEERING_ONLY = {"verify": "only the steering committee can verify completions",
                 "return": "only the steering committee can return completions",
                 "extend": "only the steering committee can extend deadlines"}

# Every refused (kind, role) on the open task, with the exact answer.
REFUSED: list[tuple[str, str, int, str]] = [
    *[(kind, role, 403, detail) for kind in ("progress", "done") for role, detail in [
        ("steering", REPORTERS), ("other", NOT_YOUR_UNIT), ("coordinating", NOT_THE_LEAD),
        ("viewer", VIEWERS), ("issuer", f"{TASK} is not a task of your unit (pc-standing)")]],
    *[(kind, role, 403, STEERING_ONLY[kind]) for kind in STEERING_ONLY
      for role in ("lead", "other", "coordinating")],
    *[(kind, "issuer", 403, STEERING_ONLY[kind]) for kind in ("verify", "return")],
    ("extend", "issuer", 403, "only the steering committee can extend deadlines by decision; "
                              "officers of the issuing unit grant a unit's waiting extension "
                              "request"),
    *[(kind, "viewer", 403, VIEWERS) for kind in STEERING_ONLY],
    # Steering may verify and return, but only a reported completion.
    *[(kind, "steering", 422, f"{TASK} is not reported done; only a completion can be "
                              "verified or returned") for kind in ("verify", "return")],
]


def _detail(response: Any) -> str:
    return response.json()["detail"]


# --- no credentials, or a token never issued -------------------------------------------------

@pytest.mark.parametrize("role", ["anonymous", "bad-token"])
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_without_valid_credentials_every_endpoint_answers_401(shared_site, method, path, role):
    before = shared_site.ledger()

    response = shared_site.api(role).request(
        method, path, json=BODIES[path.rsplit("/", 1)[1]] if method == "POST" else None)

    assert response.status_code == 401
    assert _detail(response) == NO_CREDENTIALS
    assert response.headers["www-authenticate"] == "Bearer"
    assert shared_site.ledger() == before


# --- reads ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", SIGNED_IN)
def test_me_names_the_token_s_user_role_and_unit(shared_site, role):
    name, kind, unit = USERS[role]

    response = shared_site.api(role).get("/api/me")

    assert response.status_code == 200
    assert response.json() == {"name": name, "role": kind, "unit": unit}


@pytest.mark.parametrize("role", ["steering", "viewer"])
def test_steering_and_viewers_list_every_task(shared_site, role):
    api = shared_site.api(role)

    everything = api.get("/api/tasks", params={"as_of": "2024-05-20"})
    kim_son = api.get("/api/tasks", params={"as_of": "2024-05-20", "unit": "kim-son"})

    assert everything.status_code == 200
    assert len(everything.json()) == 154
    assert len({t["id"] for t in everything.json()}) == 154
    assert [t["id"] for t in kim_son.json()] == KIM_SON_TASKS


def test_an_officer_lists_its_unit_s_tasks_then_those_it_coordinates(shared_site):
    response = shared_site.api("lead").get("/api/tasks", params={"as_of": "2024-05-20"})

    assert response.status_code == 200
    assert [t["id"] for t in response.json()] == PROPAGANDA_LEADS + PROPAGANDA_COORDINATES


def test_an_officer_of_a_district_sees_only_its_district_s_tasks(shared_site):
    response = shared_site.api("other").get("/api/tasks", params={"as_of": "2024-05-20"})

    assert [t["id"] for t in response.json()] == KIM_SON_TASKS
    assert {t["lead"] for t in response.json()} == {"kim-son"}


def test_an_officer_of_a_coordinating_unit_also_lists_the_tasks_it_coordinates(shared_site):
    response = shared_site.api("coordinating").get("/api/tasks", params={"as_of": "2024-05-20"})

    ids = [t["id"] for t in response.json()]
    assert ids[:2] == ["nb-2024-q2/supervision-programme", "nb-2024-q2/ff-congress/province"]
    assert TASK in ids and "nb-2024-q2/district-summary@kim-son" in ids
    assert len(ids) == 53


def test_an_officer_may_not_list_another_unit_s_tasks(shared_site):
    response = shared_site.api("lead").get("/api/tasks", params={"unit": "kim-son"})

    assert response.status_code == 403
    assert _detail(response) == f"an officer of {LEAD_UNIT} sees only its own unit's tasks"


def test_a_bad_status_filter_is_422_with_the_allowed_values(shared_site):
    response = shared_site.api("steering").get("/api/tasks", params={"status": "late"})

    assert response.status_code == 422
    assert _detail(response) == ("query.status: String should match pattern "
                                 "'^(done_on_time|done_late|open_on_time|open_overdue|cancelled)$'")


@pytest.mark.parametrize("role", ["steering", "viewer", "lead", "coordinating"])
def test_those_who_may_see_the_task_read_it_with_its_version(shared_site, role):
    response = shared_site.api(role).get(f"/api/tasks/{TASK}", params={"as_of": "2024-05-20"})

    assert response.status_code == 200
    body = response.json()
    assert (body["task"]["id"], body["task"]["lead"], body["task"]["due_on"],
            body["task"]["status"]) == (TASK, LEAD_UNIT, "2024-07-31", "open_on_time")
    assert body["support"] == ["mass-mobilization-commission", "home-affairs",
                               "fatherland-front", "information-communications"]
    assert (body["events"], body["version"]) == ([], 0)


def test_an_officer_of_an_unrelated_unit_may_not_read_the_task(shared_site):
    response = shared_site.api("other").get(f"/api/tasks/{TASK}")

    assert response.status_code == 403
    assert _detail(response) == NOT_YOUR_UNIT


def test_an_unknown_task_is_404_saying_how_to_find_ids(shared_site):
    response = shared_site.api("steering").get("/api/tasks/nb-2024-q2/no-such-task")

    assert response.status_code == 404
    assert _detail(response) == ("no task 'nb-2024-q2/no-such-task'; list task ids with "
                                 "'dirtrack tasks'")


@pytest.mark.parametrize("role", ["steering", "viewer"])
def test_steering_and_viewers_read_the_dashboard(shared_site, role):
    response = shared_site.api(role).get("/api/dashboard", params={"as_of": "2024-05-20"})

    assert response.status_code == 200
    assert response.json()["totals"] == TOTALS_MAY_20
    assert response.json()["overdue"][0]["id"] == "nb-2024-q2/dien-bien-phu/plan"


@pytest.mark.parametrize("role", ["lead", "other", "coordinating"])
def test_officers_may_not_read_the_dashboard(shared_site, role):
    response = shared_site.api(role).get("/api/dashboard")

    assert response.status_code == 403
    assert _detail(response) == "the dashboard is for the steering committee and viewers"


@pytest.mark.parametrize("role", ["steering", "viewer"])
def test_steering_and_viewers_read_the_quarterly_review(shared_site, role):
    response = shared_site.api(role).get("/api/reviews/2024-Q2", params={
        "jurisdiction": "ninh-binh", "as_of": "2024-07-15"})

    assert response.status_code == 200
    body = response.json()
    assert (body["jurisdiction_name"], body["quarter"], body["period"]) == (
        "Tỉnh Ninh Bình", "2024-Q2", ["2024-04-01", "2024-06-30"])
    # Every task in effect in the quarter, those due later too; overdue by 07-15: 143.
    assert (body["totals"]["total"], body["totals"]["open_overdue"]) == (154, 143)


@pytest.mark.parametrize("role", ["lead", "other", "coordinating"])
def test_officers_may_not_read_the_quarterly_review(shared_site, role):
    response = shared_site.api(role).get("/api/reviews/2024-Q2",
                                         params={"jurisdiction": "ninh-binh"})

    assert response.status_code == 403
    assert _detail(response) == "reviews are for the steering committee and viewers"


@pytest.mark.parametrize(("quarter", "jurisdiction", "status", "detail"), [
    ("2024-Q5", "ninh-binh", 422, "'2024-Q5' is not a quarter; write it like 2024-Q2"),
    ("2024-Q2", "ha-noi", 404, "no jurisdiction 'ha-noi'; loaded: ninh-binh"),
])
def test_a_review_of_a_bad_quarter_or_place_says_what_to_write(shared_site, quarter,
                                                                jurisdiction, status, detail):
    response = shared_site.api("steering").get(f"/api/reviews/{quarter}",
                                               params={"jurisdiction": jurisdiction})

    assert (response.status_code, _detail(response)) == (status, detail)


# --- refused writes ---------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "role", "status", "detail"), REFUSED)
def test_a_refused_write_answers_why_and_records_nothing(shared_site, kind, role, status,
                                                         detail):
    before = shared_site.ledger()

    response = shared_site.api(role).post(f"/api/tasks/{TASK}/{kind}", json=BODIES[kind])

    assert (response.status_code, _detail(response)) == (status, detail)
    assert shared_site.ledger() == before


@pytest.mark.parametrize(("kind", "role"), [("progress", "lead"), ("verify", "steering"),
                                           ("progress", "viewer"), ("done", "other")])
def test_a_write_on_an_unknown_task_is_404(shared_site, kind, role):
    before = shared_site.ledger()

    response = shared_site.api(role).post(f"/api/tasks/nb-2024-q2/no-such-task/{kind}",
                                          json=BODIES[kind])

    assert response.status_code == 404
    assert _detail(response) == ("no task 'nb-2024-q2/no-such-task'; list task ids with "
                                 "'dirtrack tasks'")
    assert shared_site.ledger() == before


@pytest.mark.parametrize(("kind", "body", "detail"), [
    ("progress", {"percent": 101}, "body.percent: Input should be less than or equal to 100"),
    ("return", {"reason": ""}, "body.reason: String should have at least 1 character"),
    ("extend", {"to": "2024-09-30"}, "body.decision: Field required"),
    ("extend", {"to": "2024-07-01", "decision": "QĐ 1", "on": "2024-05-20"},
     "the new deadline must be later than the current one (2024-07-31)"),
])
def test_an_invalid_write_is_422_and_records_nothing(shared_site, kind, body, detail):
    role = "lead" if kind == "progress" else "steering"
    before = shared_site.ledger()

    response = shared_site.api(role).post(f"/api/tasks/{TASK}/{kind}", json=body)

    assert (response.status_code, _detail(response)) == (422, detail)
    assert shared_site.ledger() == before


# --- accepted writes --------------------------------------------------------------------------

def _recorded(site, key: str) -> list[tuple[Any, ...]]:
    return [(e["kind"], e["effective_on"].isoformat(), e["actor"], e["recorded_by"])
            for e in site.events(key)]


def test_the_lead_unit_s_officer_reports_progress(site):
    api = site.api("lead")

    response = api.post(f"/api/tasks/{TASK}/progress", json={**BODIES["progress"], "version": 0})

    assert response.status_code == 201
    assert response.json() == {"event_id": 1, "task": TASK, "kind": "progress",
                               "effective_on": "2024-05-20", "version": 1}
    assert _recorded(site, TASK) == [("progress", "2024-05-20", LEAD_UNIT,
                                      "tuyengiao.chuyenvien")]
    shown = api.get(f"/api/tasks/{TASK}", params={"as_of": "2024-05-20"}).json()
    assert (shown["task"]["percent"], shown["version"]) == (40, 1)
    assert shown["events"][0]["recorded_by"] == "tuyengiao.chuyenvien"
    assert shown["events"][0]["note"] == "Đã ban hành kế hoạch tuyên truyền"


def test_the_lead_unit_s_officer_reports_done(site):
    response = site.api("lead").post(f"/api/tasks/{TASK}/done", json=BODIES["done"])

    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["version"]) == ("done", 1)
    [event] = site.events(TASK)
    assert (event["kind"], event["actor"], event["recorded_by"], event["evidence"]) == (
        "done", LEAD_UNIT, "tuyengiao.chuyenvien", "Báo cáo số 12-BC/BTG")
    task = site.api("viewer").get(f"/api/tasks/{TASK}", params={"as_of": "2024-05-20"}).json()
    assert (task["task"]["status"], task["task"]["completed_on"]) == ("done_on_time",
                                                                       "2024-05-20")


@pytest.fixture
def reported_done(site):
    response = site.api("lead").post(f"/api/tasks/{TASK}/done", json=BODIES["done"])
    assert response.status_code == 201
    return site


def test_steering_verifies_a_reported_completion(reported_done):
    site = reported_done

    response = site.api("steering").post(f"/api/tasks/{TASK}/verify",
                                         json={**BODIES["verify"], "version": 1})

    assert response.status_code == 201
    assert response.json()["version"] == 2
    assert _recorded(site, TASK)[-1] == ("verified", "2024-05-20", "secretariat",
                                         "bch.thuongtruc")
    assert site.api("viewer").get(f"/api/tasks/{TASK}").json()["task"]["verified"] is True


def test_steering_returns_a_reported_completion_and_the_task_reopens(reported_done):
    site = reported_done

    response = site.api("steering").post(f"/api/tasks/{TASK}/return", json=BODIES["return"])

    assert response.status_code == 201
    [*_, event] = site.events(TASK)
    assert (event["kind"], event["note"], event["recorded_by"]) == (
        "returned", "Thiếu báo cáo tình hình dư luận", "bch.thuongtruc")
    task = site.api("viewer").get(f"/api/tasks/{TASK}", params={"as_of": "2024-05-20"}).json()
    assert (task["task"]["status"], task["task"]["completed_on"]) == ("open_on_time", None)


def test_steering_extends_the_deadline_by_decision(site):
    response = site.api("steering").post(f"/api/tasks/{TASK}/extend", json=BODIES["extend"])

    assert response.status_code == 201
    [event] = site.events(TASK)
    assert (event["kind"], event["new_due"].isoformat(), event["decision"],
            event["recorded_by"]) == ("extended", "2024-09-30", "QĐ 123/QĐ-BTV",
                                      "bch.thuongtruc")
    task = site.api("lead").get(f"/api/tasks/{TASK}", params={"as_of": "2024-08-15"}).json()
    assert (task["task"]["due_on"], task["original_due_on"], task["task"]["status"]) == (
        "2024-09-30", "2024-07-31", "open_on_time")


def test_an_officer_reports_on_its_own_district_s_task(site):
    key = "nb-2024-q2/people-situation@kim-son"

    response = site.api("other").post(f"/api/tasks/{key}/progress",
                                      json={"percent": 25, "on": "2024-05-02"})

    assert response.status_code == 201
    assert _recorded(site, key) == [("progress", "2024-05-02", "kim-son", "kimson.chuyenvien")]


# The clock of these tests (tests/fixtures_clock.py): 23:30 UTC on 1 June 2024, which is
# already 2 June in Hanoi.

def test_a_report_dated_after_today_is_422_and_records_nothing(shared_site, clock):
    before = shared_site.ledger()

    response = shared_site.api("lead").post(f"/api/tasks/{TASK}/done", json={"on": "2024-06-03"})

    assert (response.status_code, response.json()["detail"]) == (
        422, "2024-06-03 is after today (2024-06-02); an event cannot be dated in the future")
    assert shared_site.ledger() == before


def test_a_unit_dates_its_report_at_most_a_week_back_by_default(site, monkeypatch, clock):
    monkeypatch.delenv("DIRTRACK_REPORT_DAYS_BACK")
    before = site.events(TASK)

    refused = site.api("lead").post(f"/api/tasks/{TASK}/done", json={"on": "2024-05-25"})
    viewer = site.api("viewer").post(f"/api/tasks/{TASK}/done", json={"on": "2024-05-25"})

    assert (refused.status_code, refused.json()["detail"]) == (
        422, "a unit's report can be dated at most 7 day(s) back, from 2024-05-26; ask the "
             "steering committee's secretariat to record older work")
    assert viewer.status_code == 403  # who may write is answered first
    assert site.events(TASK) == before
    accepted = site.api("lead").post(f"/api/tasks/{TASK}/done", json={"on": "2024-05-26"})
    assert accepted.status_code == 201, accepted.text


def test_a_task_page_shows_when_a_backdated_report_was_recorded(site, clock):
    site.api("lead").post(f"/api/tasks/{TASK}/done", json={"on": "2024-05-20"})

    page = site.browser("steering").get(f"/tasks/{TASK}")

    history = re.search(r'<ol class="history">(.*?)</ol>', page.text, flags=re.S)
    assert history
    assert " ".join(unescape(re.sub(r"<[^>]+>", " ", history.group(1))).split()) == (
        "20/05/2024 · báo cáo hoàn thành (ghi ngày 02/06/2024) — Ban Tuyên giáo Tỉnh ủy, "
        "tuyengiao.chuyenvien")


# --- concurrency: the version a writer saw ----------------------------------------------------

STALE = "nb-2024-q2/dien-bien-phu/plan"  # led by the propaganda department, like TASK


@pytest.fixture(scope="module")
def stale_task(shared_site):
    """A task with one event (version 1) in the module's database."""
    if not shared_site.events(STALE):
        with pytest.MonkeyPatch.context() as patch:  # set up before the function's settings
            patch.setenv("DIRTRACK_REPORT_DAYS_BACK", "100000")
            response = shared_site.api("lead").post(f"/api/tasks/{STALE}/progress",
                                                    json={"percent": 10, "on": "2024-04-18"})
        assert response.status_code == 201
    return shared_site


@pytest.mark.parametrize("kind", WRITES)
def test_a_write_with_a_stale_version_is_409_and_records_nothing(stale_task, kind):
    site = stale_task
    role = "lead" if kind in ("progress", "done") else "steering"
    before = site.ledger()

    response = site.api(role).post(f"/api/tasks/{STALE}/{kind}",
                                   json={**BODIES[kind], "version": 0})

    assert response.status_code == 409
    assert _detail(response) == (f"{STALE} has changed since you looked at it (1 event(s), "
                                 "you saw 0); reload it and try again")
    assert site.ledger() == before
    assert [e["kind"] for e in site.events(STALE)] == ["progress"]


@pytest.mark.parametrize(("kind", "role", "detail"), [
    ("progress", "viewer", VIEWERS), ("done", "steering", REPORTERS),
    ("verify", "lead", STEERING_ONLY["verify"])])
def test_a_refused_writer_with_a_stale_version_is_told_why_it_may_not_write(stale_task, kind,
                                                                            role, detail):
    site = stale_task
    before = site.ledger()

    response = site.api(role).post(f"/api/tasks/{STALE}/{kind}",
                                   json={**BODIES[kind], "version": 0})

    assert (response.status_code, _detail(response)) == (403, detail)
    assert site.ledger() == before


def test_of_two_writers_who_saw_the_same_version_one_wins_and_one_gets_409(site):
    api = site.api("lead")
    version = api.get(f"/api/tasks/{TASK}").json()["version"]
    start = threading.Barrier(4)
    answers: list[int] = []

    def write(percent: int) -> None:
        client = site.api("lead")
        start.wait()
        answers.append(client.post(f"/api/tasks/{TASK}/progress", json={
            "percent": percent, "on": "2024-05-20", "version": version}).status_code)

    threads = [threading.Thread(target=write, args=(p,)) for p in (10, 20, 30, 40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(answers) == [201, 409, 409, 409]
    assert len(site.events(TASK)) == 1
    assert api.get(f"/api/tasks/{TASK}").json()["version"] == 1



@pytest.mark.parametrize(("path", "params", "message"), [
    ("/api/tasks", {"directive": "nope"}, "no directive 'nope'; loaded directives: nb-2024-q2"),
    ("/api/tasks", {"unit": "nope"}, "no unit 'nope'; check the id in the jurisdiction's "
                                     "units.yaml"),
    ("/api/dashboard", {"directive": "nope"},
     "no directive 'nope'; loaded directives: nb-2024-q2"),
])
def test_a_filter_naming_nothing_is_404_not_an_empty_list(shared_site, path, params, message):
    response = shared_site.api("steering").get(path, params=params)

    assert (response.status_code, response.json()["detail"]) == (404, message)


# --- a reorganisation: the successor of a merged commune ---------------------------------------

def test_after_a_merger_the_successor_s_officer_reports_on_the_merged_commune_s_task(
        db_url, tmp_path, password_hash, clock):
    """Hưng Yên loaded before 1 July 2025, when hy-vuong merged into hy-hoang-hoa-tham: until
    the next load moves the task, the successor's officer finds it and reports on it (on
    10 July 2025, the reports dated that day)."""
    from fastapi.testclient import TestClient

    clock.set("2025-07-10T03:00:00+00:00")

    from dirtrack.store.engine import make_engine
    from dirtrack.users import add_user, issue_token
    from dirtrack.web.app import create_app

    from .conftest import Cli, _project

    project = _project(tmp_path / "project")
    assert Cli(db_url, project)("load", "directives/hung-yen", "--on", "2025-04-15").exit_code == 0
    engine = make_engine(db_url)
    add_user(engine, "hyvuong", "officer", "hy-vuong", None)
    add_user(engine, "hht", "officer", "hy-hoang-hoa-tham", None)
    app = create_app(db_url, evidence_dir=tmp_path / "evidence")
    clients = {}
    for name in ("hyvuong", "hht"):
        clients[name] = TestClient(app, raise_server_exceptions=False)
        clients[name].headers["Authorization"] = f"Bearer {issue_token(engine, name)}"
    task = "hy-2025-q2/skilled-models-new@hy-vuong"
    try:
        listed = [t["id"] for t in clients["hht"].get("/api/tasks").json()]
        read = clients["hht"].get(f"/api/tasks/{task}")
        reported = clients["hht"].post(f"/api/tasks/{task}/progress", json={"percent": 30})
        old = clients["hyvuong"].post(f"/api/tasks/{task}/progress", json={"percent": 40})
        finished = clients["hht"].post(f"/api/tasks/{task}/done", json={})
        still_listed = [t["id"] for t in clients["hht"].get(
            "/api/tasks", params={"status": "done_late"}).json()]
    finally:
        app.state.engine.dispose()
        engine.dispose()

    assert task in listed
    assert read.status_code == 200
    assert reported.status_code == 201, reported.text
    assert (old.status_code, old.json()["detail"]) == (
        403, f"{task} is not a task of your unit (hy-vuong)")  # the work has moved on
    assert finished.status_code == 201, finished.text
    assert still_listed == [task]  # what the successor finished stays in its list
