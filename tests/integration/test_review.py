"""The quarterly review's figures, on SQLite and PostgreSQL (no Prefect): the hand-built
quarter of ``review_support`` (its docstring tabulates every task and where it lands)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dirtrack.errors import NotFound
from dirtrack.escalation import check_deadlines
from dirtrack.report import render
from dirtrack.review import build_review, scope
from dirtrack.store.tables import ReviewSnapshotRow
from tests.integration.review_support import (
    AS_OF,
    JURISDICTION,
    LATER_DIRECTIVE,
    NAMES,
    Q2,
    load,
    record,
    record_later_events,
    record_quarter,
    review_json,
    totals,
    write_jurisdiction,
)


@pytest.fixture
def recorded(engine: Engine, tmp_path: Path) -> Engine:
    """The directive loaded and its quarter recorded as in review_support's table."""
    record_quarter(engine, write_jurisdiction(tmp_path))
    return engine


# What is counted


def test_every_task_in_effect_during_the_quarter_is_counted_in_its_category(recorded):
    review = review_json(recorded)

    assert (review["jurisdiction"], review["jurisdiction_name"], review["quarter"],
            review["as_of"], review["period"], review["previous_quarter"],
            review["mid_quarter"]) == (
        JURISDICTION, "Tỉnh Kiểm Thử", Q2, "2024-07-01", ["2024-04-01", "2024-06-30"],
        "2024-Q1", False)
    # On time: survey, grassroots@c1, prep, security (extended), culture, early (due in
    # Q3). Late: q1-late, grassroots@c2. Within deadline: bridge (extended past the
    # quarter's end), next-q (due in Q3). Overdue: guidance, grassroots@c3, congress,
    # summary. Cancelled: dropped. q1-done was finished before the quarter began.
    assert review["totals"] == totals(dot=6, late=2, open_=2, overdue=4, cancelled=1,
                                      rate=0.5)
    # Q1 read as of 2024-04-01: every task of the directive was in effect; q1-done done
    # on time, q1-late overdue, the other fourteen instances within their deadline.
    assert review["previous"] == totals(dot=1, open_=14, overdue=1, rate=0.5)
    [directive] = review["directives"]
    assert (directive["directive"], directive["title"], directive["number"],
            directive["issued_on"], directive["issued_by"]) == (
        "rv", "7-KH/BTV: Kế hoạch kiểm thử báo cáo quý", "7-KH/BTV", "2024-03-01",
        "Ban Thường vụ Tỉnh ủy")
    assert directive["totals"] == review["totals"]


def test_a_task_extended_past_the_quarters_end_stays_in_it_within_its_deadline(recorded):
    review = review_json(recorded)

    bridge = next(p for p in review["plan_tasks"] if p["task"] == "rv/bridge")
    assert (bridge["status"], bridge["open_on_time"], bridge["due_first"]) == (
        "open_on_time", 1, "2024-07-20")
    assert [(c["task"], c["decision"], c["old_due"], c["new_due"], c["date"])
            for c in review["extensions"]] == [
        ("rv/security", "QĐ-15", "2024-06-15", "2024-06-25", "2024-06-10"),
        ("rv/bridge", "QĐ-18", "2024-06-20", "2024-07-20", "2024-06-15")]
    assert [(c["task"], c["decision"], c["old_due"], c["new_due"], c["date"],
             c["lead_name"]) for c in review["cancellations"]] == [
        ("rv/dropped", "QĐ-20", "2024-05-20", None, "2024-05-02", NAMES["dept-a"])]


def test_a_task_cancelled_before_the_quarter_stays_out_after_a_later_revision(recorded,
                                                                            tmp_path):
    folder = tmp_path / "directives" / JURISDICTION
    record(recorded, "next-q", "cancelled", date(2024, 3, 10), decision="QĐ-05")
    text = (folder / "rv.yaml").read_text(encoding="utf-8")
    (folder / "rv.yaml").write_text(text.replace("due: 2024-08-15", "due: 2024-08-20"),
                                    encoding="utf-8")
    load(recorded, folder, AS_OF)  # a revised event on the cancelled task, dated 07-01

    review = review_json(recorded)

    # next-q was cancelled in Q1: not in Q2, though its cancelled state now begins 07-01.
    assert review["totals"] == totals(dot=6, late=2, open_=1, overdue=4, cancelled=1,
                                      rate=0.5)
    assert [c["task"] for c in review["cancellations"]] == ["rv/dropped"]
    assert review_json(recorded, as_of=date(2024, 10, 1), quarter="2024-Q3")["previous"][
        "cancelled"] == 1  # Q2 again, read as far past its end: dropped only


def test_a_review_within_the_quarter_counts_open_tasks_within_their_deadline(recorded):
    review = review_json(recorded, as_of=date(2024, 6, 12))

    # On 06-12: security (extended to 06-25), bridge (06-20), culture (06-30), early
    # (07-31), next-q (08-15) are within their deadline; prep is done.
    assert review["mid_quarter"] is True
    assert review["totals"] == totals(dot=3, late=2, open_=5, overdue=4, cancelled=1,
                                      rate=0.3333)
    assert [line["task"] for line in review["overdue"]] == [
        "rv/guidance", "rv/grassroots@c3", "rv/congress", "rv/summary"]
    # Only the extension granted by then.
    assert [c["task"] for c in review["extensions"]] == ["rv/security"]


def test_plan_tasks_one_row_each_a_fan_out_reaching_its_threshold_late(recorded):
    review = review_json(recorded)

    def row(task: str) -> dict:
        return next(p for p in review["plan_tasks"] if p["task"] == f"rv/{task}")

    # summary needs 60% of the grassroots congresses: 2 of 3 done reaches it, but only
    # one was on time (1 < 60% of 3): the plan task is done late.
    assert {k: row("grassroots")[k] for k in (
        "title", "instances", "done_on_time", "done_late", "open_on_time", "open_overdue",
        "cancelled", "status", "threshold", "level", "awaiting_verification")} == {
        "title": "Đại hội cơ sở", "instances": 3, "done_on_time": 1, "done_late": 1,
        "open_on_time": 0, "open_overdue": 1, "cancelled": 0, "status": "done_late",
        "threshold": 0.6, "level": "commune", "awaiting_verification": 2}
    assert [(p["task"], p["status"]) for p in review["plan_tasks"]] == [
        ("rv/q1-late", "done_late"), ("rv/survey", "done_on_time"), ("rv/dropped", "cancelled"),
        ("rv/guidance", "open_overdue"), ("rv/grassroots", "done_late"),
        ("rv/congress", "open_overdue"), ("rv/summary", "open_overdue"),
        ("rv/prep", "done_on_time"), ("rv/security", "done_on_time"),
        ("rv/bridge", "open_on_time"), ("rv/culture", "done_on_time"),
        ("rv/early", "done_on_time"), ("rv/next-q", "open_on_time")]
    assert review["plan_totals"] == totals(dot=5, late=2, open_=2, overdue=3, cancelled=1,
                                           rate=0.5)


def test_completions_awaiting_verification_and_one_reported_before_its_prerequisite(recorded):
    waiting = review_json(recorded)["awaiting_verification"]

    # Every completion in the quarter but survey's (verified); prep was reported while
    # guidance, its prerequisite, is still open.
    assert (waiting["count"], waiting["prerequisite_open"]) == (7, 1)
    assert [(t["task"], t["instances"], t["completed_first"], t["completed_last"],
             t["prerequisite_open"]) for t in waiting["tasks"]] == [
        ("rv/q1-late", 1, "2024-04-05", "2024-04-05", 0),
        ("rv/grassroots", 2, "2024-05-10", "2024-05-20", 0),
        ("rv/prep", 1, "2024-06-05", "2024-06-05", 1),
        ("rv/early", 1, "2024-06-20", "2024-06-20", 0),
        ("rv/security", 1, "2024-06-24", "2024-06-24", 0),
        ("rv/culture", 1, "2024-06-29", "2024-06-29", 0)]


def test_results_by_sector_in_the_order_reports_use(recorded):
    by_sector = review_json(recorded)["by_sector"]

    assert list(by_sector) == ["economic", "cultural-social", "defense-security",
                               "political-system"]
    assert by_sector == {
        "economic": totals(dot=2, open_=1, cancelled=1, rate=1.0),
        "cultural-social": totals(dot=2, open_=1, rate=1.0),
        "defense-security": totals(dot=1, rate=1.0),
        "political-system": totals(dot=1, late=2, overdue=4, rate=0.1429),
    }


def test_league_table_late_finisher_above_never_finisher_and_a_merged_successor(recorded):
    by_unit = review_json(recorded)["by_unit"]

    # Rate first; then the share done of what was due (c2 finished late, c4 and front
    # never did); then fewer days overdue: c4 took grassroots@c3 over on 06-01 and is
    # charged 30 days from then, not the 47 since its deadline.
    assert [(u["unit"], u["name"], u["total"], u["on_time_rate"], u["overdue_days"])
            for u in by_unit] == [
        ("dept-a", NAMES["dept-a"], 5, 1.0, 0),
        ("c1", NAMES["c1"], 1, 1.0, 0),
        ("d1", NAMES["d1"], 2, 0.5, 31),
        ("dept-b", NAMES["dept-b"], 3, 0.3333, 52),
        ("c2", NAMES["c2"], 1, 0.0, 0),
        ("c4", NAMES["c4"], 1, 0.0, 30),
        ("front", NAMES["front"], 2, 0.0, 37),
    ]
    # the 17 days Xã Ba let pass (15/05 to 01/06) are shown apart, not charged
    assert [(u["unit"], u["carried_over"]) for u in by_unit if u["carried_over"]["days"]] == [
        ("c4", {"days": 17, "from": [NAMES["c3"]]})]


def test_league_table_puts_units_with_nothing_due_below_units_at_zero_percent(recorded):
    by_unit = review_json(recorded, as_of=date(2024, 5, 12))["by_unit"]

    # On 05-12 dept-b has q1-late done late and guidance overdue: 0%, above the units
    # with nothing due yet (no rate), which follow by number of tasks, then by name.
    assert [(u["unit"], u["on_time_rate"]) for u in by_unit] == [
        ("dept-a", 1.0), ("c1", 1.0), ("dept-b", 0.0), ("d1", None), ("front", None),
        ("c3", None), ("c2", None)]


def test_overdue_list_names_a_root_cause_only_for_a_blocked_task(recorded):
    overdue = review_json(recorded)["overdue"]

    assert overdue == [
        {"task": "rv/guidance", "title": "Hướng dẫn tổ chức đại hội", "lead": "dept-b",
         "lead_name": NAMES["dept-b"], "due_on": "2024-05-10", "days_overdue": 52,
         "escalation_step": "issuer", "root_cause": None, "blocked": False},
        {"task": "rv/grassroots@c3", "title": "Đại hội cơ sở", "lead": "c4",
         "lead_name": NAMES["c4"], "due_on": "2024-05-15", "days_overdue": 47,
         "escalation_step": "supervisor", "root_cause": None, "blocked": False},
        {"task": "rv/congress", "title": "Đại hội cấp tỉnh", "lead": "front",
         "lead_name": NAMES["front"], "due_on": "2024-05-25", "days_overdue": 37,
         "escalation_step": "overdue", "blocked": True,
         "root_cause": {"task": "rv/guidance", "title": "Hướng dẫn tổ chức đại hội",
                        "unit": "dept-b", "unit_name": NAMES["dept-b"],
                        "due_on": "2024-05-10", "days_overdue": 52}},
        # Its prerequisite grassroots@c3 is open and overdue, but 2 of 3 done meets the
        # 60% it needs: not blocked, no cause named.
        {"task": "rv/summary", "title": "Tổng kết đại hội cơ sở", "lead": "d1",
         "lead_name": NAMES["d1"], "due_on": "2024-05-31", "days_overdue": 31,
         "escalation_step": None, "root_cause": None, "blocked": False},
    ]
    assert review_json(recorded)["overdue_total"] == 4


def test_the_escalation_step_is_the_one_reached_by_the_review_date(recorded):
    review = review_json(recorded, as_of=date(2024, 5, 22))

    assert [(o["task"], o["days_overdue"], o["escalation_step"], o["root_cause"])
            for o in review["overdue"]] == [
        ("rv/guidance", 12, "supervisor", None),
        ("rv/grassroots@c3", 7, "overdue", None)]


def test_deliverables_carried_over_and_due_next_quarter(recorded):
    review = review_json(recorded)

    assert [(g["task"], g["instances"], g["lead_name"], g["evidence"])
            for g in review["deliverables"]] == [
        ("rv/q1-late", 1, NAMES["dept-b"], "BC-01"),
        ("rv/survey", 1, NAMES["dept-a"], "BC-12/SKH"),
        ("rv/grassroots", 2, "", ""),  # a fan-out: no one commune's evidence for all
        ("rv/security", 1, NAMES["d1"], "PA-07"),
        ("rv/early", 1, NAMES["dept-b"], "")]
    assert [(g["task"], g["instances"], g["overdue"]) for g in review["carried_over"]] == [
        ("rv/guidance", 1, 1), ("rv/grassroots", 1, 1), ("rv/congress", 1, 1),
        ("rv/summary", 1, 1)]
    # early is due in Q3 too, but already done.
    assert [(g["task"], g["due_on"]) for g in review["next_quarter"]] == [
        ("rv/bridge", "2024-07-20"), ("rv/next-q", "2024-08-15")]


def test_days_overdue_are_numbers_everywhere_in_the_json(recorded):
    text = render(build_review(recorded, JURISDICTION, Q2, AS_OF), "json")

    def numbers(value: object) -> list[object]:
        if isinstance(value, dict):
            return [v for k, x in value.items() for v in (
                [x] if k in ("days_overdue", "overdue_days") else numbers(x))]
        if isinstance(value, list):
            return [v for x in value for v in numbers(x)]
        return []

    found = numbers(json.loads(text))
    assert found and all(isinstance(v, int) and not isinstance(v, bool) for v in found)


def test_the_json_keeps_its_keys_and_adds_the_new_ones(recorded):
    review = build_review(recorded, JURISDICTION, Q2, AS_OF)

    printed = json.loads(render(review, "json"))

    assert printed == review.as_json()
    assert list(printed) == [
        "jurisdiction", "jurisdiction_name", "language", "quarter", "as_of", "period",
        "previous_quarter", "next_quarter", "mid_quarter", "directive", "locality", "title",
        "totals", "previous", "plan_totals", "by_sector", "by_unit", "by_locality",
        "overdue_places", "overdue", "overdue_total",
        "deliverables", "carried_over", "plan_tasks", "awaiting_verification", "extensions",
        "cancellations", "indicators", "difficulties", "extension_requests",
        "extension_requests_answered", "reporting",
        "directives", "document", "narrative"]
    assert list(printed["plan_tasks"][0]) == [
        "task", "title", "instances", "done_on_time", "done_late", "open_on_time",
        "open_overdue", "cancelled", "status", "directive", "sector", "level", "lead",
        "lead_name", "threshold", "due_first", "due_last", "awaiting_verification",
        "on_time_rate"]
    assert list(printed["awaiting_verification"]) == ["count", "prerequisite_open", "tasks"]
    categories = ["done_on_time", "done_late", "open_on_time", "open_overdue", "cancelled",
                  "total", "on_time_rate"]
    assert list(printed["totals"]) == list(printed["previous"]) == categories
    assert (printed["quarter"], printed["as_of"], printed["period"]) == (
        Q2, AS_OF.isoformat(), ["2024-04-01", "2024-06-30"])

def test_one_directives_review(recorded, tmp_path):
    folder = tmp_path / "directives" / JURISDICTION
    (folder / "rv-q3.yaml").write_text(LATER_DIRECTIVE.replace("2024-07-10", "2024-06-10"),
                                       encoding="utf-8")
    load(recorded, folder, date(2024, 6, 10))

    both = review_json(recorded)
    one = review_json(recorded, directive="rv")

    assert both["totals"]["total"] == 16  # rv-q3's audit too
    assert (one["directive"], one["title"], one["totals"]) == (
        "rv", "7-KH/BTV: Kế hoạch kiểm thử báo cáo quý",
        totals(dot=6, late=2, open_=2, overdue=4, cancelled=1, rate=0.5))
    assert [d["directive"] for d in one["directives"]] == ["rv"]
    with pytest.raises(NotFound, match=r"^no directive 'nope' of review-test issued by "
                                       r"2024-07-01; its directives: rv, rv-q3$"):
        build_review(recorded, JURISDICTION, Q2, AS_OF, "nope")


def test_an_unknown_jurisdiction_is_named_with_the_loaded_ones(recorded):
    with pytest.raises(NotFound, match=r"^no jurisdiction 'nowhere'; loaded: review-test$"):
        build_review(recorded, "nowhere", Q2, AS_OF)


# As of a date, and the review kept once built


def test_a_review_as_of_a_date_is_unchanged_by_later_events(recorded):
    before = build_review(recorded, JURISDICTION, Q2, AS_OF, fresh=True)
    rendered = {fmt: render(before, fmt) for fmt in ("md", "html", "json")}

    record_later_events(recorded)
    after = build_review(recorded, JURISDICTION, Q2, AS_OF, fresh=True)

    assert after.as_json() == before.as_json()
    assert {fmt: render(after, fmt) for fmt in rendered} == rendered
    # ...while a later date sees them: c3's congress (now c4's) and congress done late,
    # culture open again and overdue, guidance extended into Q3 and within its deadline.
    later = review_json(recorded, as_of=date(2024, 7, 15))
    assert later["totals"] == totals(dot=5, late=4, open_=3, overdue=2, cancelled=1,
                                     rate=0.4545)
    assert [o["task"] for o in later["overdue"]] == ["rv/summary", "rv/culture"]


def test_a_review_as_of_a_date_is_unchanged_by_a_later_deadline_check(recorded):
    before = review_json(recorded, fresh=True)

    record_later_events(recorded)
    check_deadlines(recorded, date(2024, 7, 15))

    assert review_json(recorded, fresh=True) == before


def test_a_review_as_of_a_date_is_unchanged_by_a_directive_loaded_later(recorded, tmp_path):
    before = review_json(recorded, fresh=True)
    folder = tmp_path / "directives" / JURISDICTION
    (folder / "rv-q3.yaml").write_text(LATER_DIRECTIVE, encoding="utf-8")

    load(recorded, folder, date(2024, 7, 10))

    assert review_json(recorded, fresh=True) == before


@pytest.fixture
def no_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building a review fails from here on: what comes back was kept."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the review was built again")

    monkeypatch.setattr(scope, "quarter_table", refuse)
    monkeypatch.setattr("dirtrack.review.build.quarter_table", refuse)


def test_the_same_question_again_is_answered_from_the_review_kept(recorded, request):
    built = build_review(recorded, JURISDICTION, Q2, AS_OF)
    with recorded.connect() as conn:
        assert conn.execute(select(ReviewSnapshotRow.quarter)).scalars().all() == [Q2]

    request.getfixturevalue("no_building")
    again = build_review(recorded, JURISDICTION, Q2, AS_OF)

    assert again == built
    assert render(again, "html") == render(built, "html")


def test_a_review_just_built_is_the_one_the_next_request_gets(recorded, request):
    # not decoded from its stored row again: a page keeps its rendering of the object
    built = build_review(recorded, JURISDICTION, Q2, AS_OF)

    request.getfixturevalue("no_building")
    assert build_review(recorded, JURISDICTION, Q2, AS_OF) is built


def test_events_dated_after_the_review_leave_the_kept_review_standing(recorded, request):
    built = build_review(recorded, JURISDICTION, Q2, AS_OF)
    record_later_events(recorded)
    check_deadlines(recorded, date(2024, 7, 15))

    request.getfixturevalue("no_building")
    assert build_review(recorded, JURISDICTION, Q2, AS_OF) == built


def test_an_event_dated_back_into_the_quarter_is_counted_at_once(recorded):
    before = review_json(recorded)

    record(recorded, "summary", "done", date(2024, 6, 28), unit="d1")

    after = review_json(recorded)
    assert before["totals"]["open_overdue"] == 4
    assert after["totals"] == totals(dot=6, late=3, open_=2, overdue=3, cancelled=1,
                                     rate=0.5)
    assert after == review_json(recorded, fresh=True)


def test_a_renamed_unit_is_read_anew(recorded, tmp_path):
    review_json(recorded)
    folder = tmp_path / "directives" / JURISDICTION
    units = (folder / "units.yaml").read_text(encoding="utf-8")
    (folder / "units.yaml").write_text(units.replace("Xã Một", "Xã Một Mới"), encoding="utf-8")

    load(recorded, folder, date(2024, 7, 1))

    names = {u["unit"]: u["name"] for u in review_json(recorded)["by_unit"]}
    assert names["c1"] == "Xã Một Mới"


def test_a_review_kept_by_other_counting_code_is_built_anew(recorded, monkeypatch):
    from dirtrack.review import snapshot

    build_review(recorded, JURISDICTION, Q2, AS_OF)
    monkeypatch.setattr(snapshot, "_code", lambda: b"another release's counting rules")
    built = []
    real = snapshot.store
    monkeypatch.setattr(snapshot, "store", lambda *a: (built.append(a), real(*a)))

    build_review(recorded, JURISDICTION, Q2, AS_OF)

    assert len(built) == 1  # not handed back from the store: built and kept again
