"""The quarterly review of a small crafted directive, on SQLite and PostgreSQL (no Prefect).

The jurisdiction ``review-test`` (Tỉnh Kiểm Thử, language vi) has a province (prov),
three provincial units (dept-a, dept-b, front), a district d1 and its communes c1-c3.
Directive ``rv`` is issued on 2024-03-01; its ladder: overdue one day after the
deadline (to the lead), supervisor after 7 days (to the lead's parent), issuer after 15.

What happens to each task (``recorded`` below), and where it lands in the review of
2024-Q2 as of 2024-07-01:

| task | lead | sector | due | ledger | Q2 category |
| --- | --- | --- | --- | --- | --- |
| q1-done | dept-a | economic | 03-20 | done 03-18 | out of scope (finished in Q1) |
| q1-late | dept-b | political | 03-25 | done 04-05 | done late |
| survey | dept-a | economic | 04-30 | done 04-28 | done on time |
| dropped | dept-a | economic | 05-20 | cancelled 05-02 | cancelled |
| guidance | dept-b | political | 05-10 | - | open overdue, 52 days |
| grassroots@c1..c3 | c1..c3 | political | 05-15 | c1 done 05-10, c2 05-20 | on time/late/overdue |
| congress | front | political | 05-25 | - (needs guidance) | open overdue, blocked by guidance |
| security | d1 | defence | 06-15 | extended to 06-25 on 06-10, done 06-24 | done on time |
| culture | dept-a | cultural | 06-30 | done 06-29 | done on time |
| early | dept-b | cultural | 07-31 | done 06-20 | done on time (completed in Q2) |
| next-q | dept-a | economic | 08-15 | - | due next quarter |

Deadline checks run on 2024-05-20 and 2024-05-28.
"""

from __future__ import annotations

import json
import re
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from dirtrack.errors import NotFound
from dirtrack.escalation import check_deadlines
from dirtrack.plan import read_plan
from dirtrack.report import render, write_review
from dirtrack.review import build_review
from dirtrack.store.ledger import record_event
from dirtrack.store.sync import load_plan

JURISDICTION = "review-test"
Q2, AS_OF = "2024-Q2", date(2024, 7, 1)

UNITS = """\
jurisdiction:
  name: "Tỉnh Kiểm Thử"
units:
  - {id: prov, name: "Ban Thường vụ Tỉnh ủy", level: province, kind: party}
  - {id: dept-a, name: "Sở Kế hoạch và Đầu tư", level: province, kind: government, parent: prov}
  - {id: dept-b, name: "Ban Tuyên giáo Tỉnh ủy", level: province, kind: party, parent: prov}
  - {id: front, name: "Ủy ban MTTQ Việt Nam tỉnh", level: province, kind: front, parent: prov}
  - {id: d1, name: "Huyện Một", level: district, kind: government, parent: prov}
  - {id: c1, name: "Xã Một", level: commune, kind: government, parent: d1}
  - {id: c2, name: "Xã Hai", level: commune, kind: government, parent: d1}
  - {id: c3, name: "Xã Ba", level: commune, kind: government, parent: d1}
"""
ESCALATION = """\
language: vi
ladder:
  - {step: overdue, after: 1, to: lead}
  - {step: supervisor, after: 7, to: parent}
  - {step: issuer, after: 15, to: issuer}
"""
DIRECTIVE = """\
directive:
  id: rv
  number: "7-KH/BTV"
  kind: plan
  title: "Kế hoạch kiểm thử báo cáo quý"
  issued_by: prov
  issued_on: 2024-03-01
tasks:
  - {id: q1-done, title: "Ban hành kế hoạch", lead: dept-a, sector: economic,
     deliverable: "Kế hoạch triển khai", due: 2024-03-20}
  - {id: q1-late, title: "Sơ kết quý I", lead: dept-b, sector: political-system,
     deliverable: "Báo cáo sơ kết quý I", due: 2024-03-25}
  - {id: survey, title: "Khảo sát thực trạng", lead: dept-a, sector: economic,
     deliverable: "Báo cáo khảo sát", due: 2024-04-30}
  - {id: dropped, title: "Hội thảo chuyên đề", lead: dept-a, sector: economic, due: 2024-05-20}
  - {id: guidance, title: "Hướng dẫn tổ chức đại hội", lead: dept-b, sector: political-system,
     due: 2024-05-10}
  - {id: grassroots, title: "Đại hội cơ sở", for_each: commune, scope: d1,
     sector: political-system, deliverable: "Biên bản đại hội", due: 2024-05-15}
  - {id: congress, title: "Đại hội cấp tỉnh", lead: front, sector: political-system,
     depends_on: [guidance], due: 2024-05-25}
  - {id: security, title: "Bảo đảm an ninh trật tự", lead: d1, sector: defense-security,
     deliverable: "Phương án bảo vệ", due: 2024-06-15}
  - {id: culture, title: "Tháng hành động vì trẻ em", lead: dept-a, sector: cultural-social,
     due: 2024-06-30}
  - {id: early, title: "Chuẩn bị kỷ niệm", lead: dept-b, sector: cultural-social,
     deliverable: "Kế hoạch kỷ niệm", due: 2024-07-31}
  - {id: next-q, title: "Sơ kết 6 tháng", lead: dept-a, sector: economic, due: 2024-08-15}
"""
LATER_DIRECTIVE = """\
directive:
  id: rv-q3
  number: "9-KH/BTV"
  kind: plan
  title: "Nhiệm vụ quý III"
  issued_by: prov
  issued_on: 2024-07-10
tasks:
  - {id: audit, title: "Kiểm tra", lead: dept-a, sector: economic, due: 2024-09-30}
"""
NAMES = {"prov": "Ban Thường vụ Tỉnh ủy", "dept-a": "Sở Kế hoạch và Đầu tư",
         "dept-b": "Ban Tuyên giáo Tỉnh ủy", "front": "Ủy ban MTTQ Việt Nam tỉnh",
         "d1": "Huyện Một", "c1": "Xã Một", "c2": "Xã Hai", "c3": "Xã Ba"}


def totals(dot: int = 0, late: int = 0, open_: int = 0, overdue: int = 0, cancelled: int = 0,
           rate: float | None = None) -> dict[str, Any]:
    """The JSON of a Totals: the four categories, cancelled apart, total and on-time rate."""
    return {"done_on_time": dot, "done_late": late, "open_on_time": open_,
            "open_overdue": overdue, "cancelled": cancelled,
            "total": dot + late + open_ + overdue + cancelled, "on_time_rate": rate}


def group(task: str, title: str, lead: str | None, due: str, *, instances: int = 1,
          deliverable: str = "", evidence: str = "") -> dict[str, Any]:
    """The JSON of one task's line in deliverables, carried_over or next_quarter."""
    return {"task": f"rv/{task}", "title": title, "lead": lead,
            "lead_name": NAMES[lead] if lead else "", "level": None if lead else "commune",
            "instances": instances, "due_on": due, "deliverable": deliverable,
            "evidence": evidence}


def write_jurisdiction(root: Path) -> Path:
    """Write the review-test jurisdiction under ``root``; return its folder."""
    folder = root / "directives" / JURISDICTION
    folder.mkdir(parents=True)
    for name, text in (("units.yaml", UNITS), ("escalation.yaml", ESCALATION),
                       ("rv.yaml", DIRECTIVE)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def load(engine: Engine, folder: Path, on: date) -> None:
    plan = read_plan(folder.parent)
    assert plan.warnings == []
    load_plan(engine, plan, on=on)


def record(engine: Engine, key: str, kind: str, on: date, **fields: Any) -> None:
    record_event(engine, f"rv/{key}", kind, on=on, **fields)


@pytest.fixture
def recorded(engine: Engine, tmp_path: Path) -> Engine:
    """The directive loaded and its quarter recorded as in the module's table."""
    folder = write_jurisdiction(tmp_path)
    load(engine, folder, date(2024, 3, 1))
    record(engine, "q1-done", "done", date(2024, 3, 18), unit="dept-a", evidence="KH-03")
    record(engine, "q1-late", "done", date(2024, 4, 5), unit="dept-b", evidence="BC-01")
    record(engine, "survey", "done", date(2024, 4, 28), unit="dept-a", evidence="BC-12/SKH")
    record(engine, "dropped", "cancelled", date(2024, 5, 2), decision="QĐ-20")
    record(engine, "grassroots@c1", "done", date(2024, 5, 10), unit="c1", evidence="BB-c1")
    record(engine, "grassroots@c2", "done", date(2024, 5, 20), unit="c2", evidence="BB-c2")
    first = check_deadlines(engine, date(2024, 5, 20))
    second = check_deadlines(engine, date(2024, 5, 28))
    assert (first.by_step, second.by_step) == (
        {"overdue": 2, "supervisor": 1},
        {"overdue": 1, "supervisor": 1, "issuer": 1, "root-cause": 1})
    record(engine, "security", "extended", date(2024, 6, 10), new_due=date(2024, 6, 25),
           decision="QĐ-15")
    record(engine, "early", "done", date(2024, 6, 20), unit="dept-b")
    record(engine, "security", "done", date(2024, 6, 24), unit="d1", evidence="PA-07")
    record(engine, "culture", "done", date(2024, 6, 29), unit="dept-a")
    return engine


def review_json(engine: Engine, as_of: date = AS_OF, quarter: str = Q2) -> dict[str, Any]:
    return build_review(engine, JURISDICTION, quarter, as_of).as_json()


def record_later_events(engine: Engine) -> None:
    """Events dated after 2024-07-01: an extension, a return and two completions."""
    record(engine, "guidance", "extended", date(2024, 7, 2), new_due=date(2024, 7, 31),
           decision="QĐ-30")
    record(engine, "culture", "returned", date(2024, 7, 3), note="thiếu hồ sơ")
    record(engine, "grassroots@c3", "done", date(2024, 7, 5), unit="c3")
    record(engine, "congress", "done", date(2024, 7, 10), unit="front")


# The figures


def test_the_four_categories_and_the_on_time_rate_against_the_previous_quarter(recorded):
    review = review_json(recorded)

    assert (review["jurisdiction"], review["jurisdiction_name"], review["quarter"],
            review["as_of"], review["period"], review["previous_quarter"]) == (
        JURISDICTION, "Tỉnh Kiểm Thử", Q2, "2024-07-01", ["2024-04-01", "2024-06-30"],
        "2024-Q1")
    # On time: survey, grassroots@c1, security (extended), culture, early (done in Q2,
    # due in Q3). Late: q1-late, grassroots@c2. Overdue: guidance, grassroots@c3, congress.
    assert review["totals"] == totals(dot=5, late=2, overdue=3, cancelled=1, rate=0.5)
    # Q1 read as of 2024-04-01: q1-done on time, q1-late still open and overdue.
    assert review["previous"] == totals(dot=1, overdue=1, rate=0.5)
    [directive] = review["directives"]
    assert (directive["directive"], directive["title"]) == (
        "rv", "7-KH/BTV: Kế hoạch kiểm thử báo cáo quý")
    assert directive["totals"] == review["totals"]
    assert directive["previous"] == review["previous"]


def test_a_review_within_the_quarter_counts_open_tasks_within_their_deadline(recorded):
    review = review_json(recorded, as_of=date(2024, 6, 12))

    # Within deadline on 06-12: security (extended to 06-25) and culture (06-30); early
    # is neither done yet nor due in Q2, so it is out of scope.
    assert review["totals"] == totals(dot=2, late=2, open_=2, overdue=3, cancelled=1,
                                      rate=0.2857)
    # Q1 is read as far before its end (03-13): q1-done and q1-late both still open.
    assert review["previous"] == totals(open_=2)
    assert [line["task"] for line in review["overdue"]] == [
        "rv/guidance", "rv/grassroots@c3", "rv/congress"]


def test_results_by_sector(recorded):
    assert review_json(recorded)["by_sector"] == {
        "cultural-social": totals(dot=2, rate=1.0),
        "defense-security": totals(dot=1, rate=1.0),
        "economic": totals(dot=1, cancelled=1, rate=1.0),
        "political-system": totals(dot=1, late=2, overdue=3, rate=0.1667),
    }


def test_league_table_of_lead_units_best_on_time_rate_first(recorded):
    by_unit = review_json(recorded)["by_unit"]

    # Rate first, then more tasks first, then the unit id.
    assert [(u["unit"], u["name"], u["total"], u["on_time_rate"]) for u in by_unit] == [
        ("dept-a", NAMES["dept-a"], 3, 1.0),
        ("c1", NAMES["c1"], 1, 1.0),
        ("d1", NAMES["d1"], 1, 1.0),
        ("dept-b", NAMES["dept-b"], 3, 0.3333),
        ("c2", NAMES["c2"], 1, 0.0),
        ("c3", NAMES["c3"], 1, 0.0),
        ("front", NAMES["front"], 1, 0.0),
    ]
    assert {k: v for k, v in by_unit[0].items() if k not in ("unit", "name")} == totals(
        dot=2, cancelled=1, rate=1.0)
    assert {k: v for k, v in by_unit[3].items() if k not in ("unit", "name")} == totals(
        dot=1, late=1, overdue=1, rate=0.3333)


def test_league_table_puts_units_with_nothing_due_below_units_at_zero_percent(recorded):
    by_unit = review_json(recorded, as_of=date(2024, 6, 12))["by_unit"]

    # On 06-12 d1 has only security, open within its deadline: no rate yet. front has
    # congress overdue: 0% on time, and belongs above d1.
    assert [(u["unit"], u["on_time_rate"]) for u in by_unit] == [
        ("dept-a", 1.0), ("c1", 1.0), ("dept-b", 0.0), ("c2", 0.0), ("c3", 0.0),
        ("front", 0.0), ("d1", None)]


def test_overdue_list_with_days_overdue_escalation_step_and_root_cause(recorded):
    review = review_json(recorded)

    assert review["overdue"] == [
        {"task": "rv/guidance", "title": "Hướng dẫn tổ chức đại hội", "lead": "dept-b",
         "lead_name": NAMES["dept-b"], "due_on": "2024-05-10", "days_overdue": 52,
         "escalation_step": "issuer", "root_cause": None},
        {"task": "rv/grassroots@c3", "title": "Đại hội cơ sở", "lead": "c3",
         "lead_name": NAMES["c3"], "due_on": "2024-05-15", "days_overdue": 47,
         "escalation_step": "supervisor", "root_cause": None},
        {"task": "rv/congress", "title": "Đại hội cấp tỉnh", "lead": "front",
         "lead_name": NAMES["front"], "due_on": "2024-05-25", "days_overdue": 37,
         "escalation_step": "overdue",
         "root_cause": {"task": "rv/guidance", "unit": "dept-b",
                        "unit_name": NAMES["dept-b"], "days_overdue": "52"}},
    ]
    assert review["overdue_total"] == 3


def test_the_escalation_step_is_the_one_reached_by_the_review_date(recorded):
    review = review_json(recorded, as_of=date(2024, 5, 22))

    # Only the check of 05-20 had run: guidance had reached its supervisor, c3 the
    # first step; congress (due 05-25) was not overdue yet.
    assert [(o["task"], o["days_overdue"], o["escalation_step"], o["root_cause"])
            for o in review["overdue"]] == [
        ("rv/guidance", 12, "supervisor", None),
        ("rv/grassroots@c3", 7, "overdue", None)]


def test_deliverables_completed_in_the_quarter_with_their_evidence(recorded):
    assert review_json(recorded)["deliverables"] == [
        group("q1-late", "Sơ kết quý I", "dept-b", "2024-03-25",
              deliverable="Báo cáo sơ kết quý I", evidence="BC-01"),
        group("survey", "Khảo sát thực trạng", "dept-a", "2024-04-30",
              deliverable="Báo cáo khảo sát", evidence="BC-12/SKH"),
        group("grassroots", "Đại hội cơ sở", None, "2024-05-15", instances=2,
              deliverable="Biên bản đại hội", evidence="BB-c2"),
        group("security", "Bảo đảm an ninh trật tự", "d1", "2024-06-25",
              deliverable="Phương án bảo vệ", evidence="PA-07"),
        group("early", "Chuẩn bị kỷ niệm", "dept-b", "2024-07-31",
              deliverable="Kế hoạch kỷ niệm"),
    ]


def test_what_carries_over_and_what_is_due_next_quarter(recorded):
    review = review_json(recorded)

    assert review["carried_over"] == [
        group("guidance", "Hướng dẫn tổ chức đại hội", "dept-b", "2024-05-10"),
        group("grassroots", "Đại hội cơ sở", None, "2024-05-15",
              deliverable="Biên bản đại hội"),
        group("congress", "Đại hội cấp tỉnh", "front", "2024-05-25"),
    ]
    # early is due in Q3 too, but already done.
    assert review["next_quarter"] == [group("next-q", "Sơ kết 6 tháng", "dept-a", "2024-08-15")]


def test_the_json_has_the_documented_keys(recorded):
    review = build_review(recorded, JURISDICTION, Q2, AS_OF)

    printed = json.loads(render(review, "json"))

    assert printed == review.as_json()
    assert list(printed) == [
        "jurisdiction", "jurisdiction_name", "quarter", "as_of", "period", "previous_quarter",
        "title", "totals", "previous", "by_sector", "by_unit", "overdue", "overdue_total",
        "deliverables", "carried_over", "next_quarter", "directives"]
    categories = ["done_on_time", "done_late", "open_on_time", "open_overdue", "cancelled",
                  "total", "on_time_rate"]
    assert list(printed["totals"]) == list(printed["previous"]) == categories
    assert (printed["quarter"], printed["as_of"], printed["period"]) == (
        Q2, AS_OF.isoformat(), ["2024-04-01", "2024-06-30"])


def test_an_unknown_jurisdiction_is_named_with_the_loaded_ones(recorded):
    with pytest.raises(NotFound, match=r"^no jurisdiction 'nowhere'; loaded: review-test$"):
        build_review(recorded, "nowhere", Q2, AS_OF)


# As of a date


def test_a_review_as_of_a_date_is_unchanged_by_later_events(recorded):
    before = build_review(recorded, JURISDICTION, Q2, AS_OF)
    rendered = {fmt: render(before, fmt) for fmt in ("md", "html", "json")}

    record_later_events(recorded)
    after = build_review(recorded, JURISDICTION, Q2, AS_OF)

    assert after.as_json() == before.as_json()
    assert {fmt: render(after, fmt) for fmt in rendered} == rendered
    # ...while a later date sees them: c3 and congress done late, culture open again,
    # guidance extended into Q3 and so out of the Q2 figures.
    later = review_json(recorded, as_of=date(2024, 7, 15))
    assert later["totals"] == totals(dot=4, late=4, overdue=1, cancelled=1, rate=0.4444)
    assert [o["task"] for o in later["overdue"]] == ["rv/culture"]


def test_a_review_as_of_a_date_is_unchanged_by_a_later_deadline_check(recorded):
    before = review_json(recorded)

    record_later_events(recorded)
    check_deadlines(recorded, date(2024, 7, 15))

    assert review_json(recorded) == before


def test_a_review_as_of_a_date_is_unchanged_by_a_directive_loaded_later(recorded, tmp_path):
    before = review_json(recorded)
    folder = tmp_path / "directives" / JURISDICTION
    (folder / "rv-q3.yaml").write_text(LATER_DIRECTIVE, encoding="utf-8")

    load(recorded, folder, date(2024, 7, 10))

    assert review_json(recorded) == before


# Rendering


def test_html_is_self_contained_with_inline_charts_vietnamese_labels_and_dates(recorded):
    html = render(build_review(recorded, JURISDICTION, Q2, AS_OF), "html")

    # Nothing is fetched: no scripts, stylesheets, images, fonts or frames from anywhere.
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(|\bsrc=|\bhref=", html)
    # The only URL is the SVG namespace name, an identifier a browser never loads.
    assert re.findall(r"https?://[^\s\"'<>]*", html) == (
        ["http://www.w3.org/2000/svg"] * html.count("<svg"))
    assert html.count("<svg") >= 3  # the overview, the sectors, the rate bars
    assert '<html lang="vi">' in html
    for label in ("Báo cáo kết quả thực hiện nhiệm vụ quý II/2024 và nhiệm vụ quý III/2024",
                  "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Chưa hoàn thành, quá hạn",
                  "Xếp hạng đơn vị chủ trì", "Số liệu tính đến ngày 01/07/2024",
                  "Kỳ báo cáo từ 01/04/2024 đến 30/06/2024",
                  "Tỷ lệ đúng hạn 50,0% (50,0% quý trước)",
                  "Quá hạn, đã báo cáo cơ quan ban hành",
                  "rv/guidance do Ban Tuyên giáo Tỉnh ủy chủ trì, quá hạn 52 ngày"):
        assert label in html, label
    assert "<td>10/05/2024</td>" in html
    assert "2024-05-10" not in html  # dates are written dd/mm/yyyy


def test_markdown_shows_the_same_numbers(recorded):
    lines = render(build_review(recorded, JURISDICTION, Q2, AS_OF), "md").splitlines()

    assert lines[0] == ("# Tỉnh Kiểm Thử: Báo cáo kết quả thực hiện nhiệm vụ quý II/2024 "
                        "và nhiệm vụ quý III/2024")
    overview = lines.index("## 1. Kết quả chung")
    assert lines[overview + 2:overview + 11] == [
        "| | quý II/2024 | quý I/2024 |",
        "| --- | ---: | ---: |",
        "| Hoàn thành đúng hạn | 5 | 1 |",
        "| Hoàn thành quá hạn | 2 | 0 |",
        "| Đang thực hiện, trong hạn | 0 | 0 |",
        "| Chưa hoàn thành, quá hạn | 3 | 1 |",
        "| Đã hủy | 1 | 0 |",
        "| **Tổng số** | **11** | 2 |",
        "| **Tỷ lệ đúng hạn** | **50,0%** | 50,0% |",
    ]
    assert "| Xây dựng hệ thống chính trị | 1 | 2 | 0 | 3 | 0 | 16,7% |" in lines
    assert "| 1 | Sở Kế hoạch và Đầu tư | 3 | 2 | 0 | 0 | 100,0% |" in lines
    assert "| 4 | Ban Tuyên giáo Tỉnh ủy | 3 | 1 | 1 | 1 | 33,3% |" in lines
    assert ("| rv/congress<br>Đại hội cấp tỉnh | Ủy ban MTTQ Việt Nam tỉnh | 25/05/2024 | 37 "
            "| Quá hạn | rv/guidance do Ban Tuyên giáo Tỉnh ủy chủ trì, quá hạn 52 ngày |"
            ) in lines
    assert ("| rv/grassroots<br>Đại hội cơ sở | Biên bản đại hội | 2 đơn vị (cấp xã) | BB-c2 |"
            ) in lines
    assert "| rv/next-q<br>Sơ kết 6 tháng | Sở Kế hoạch và Đầu tư | 15/08/2024 |" in lines


def test_english_labels_for_a_jurisdiction_writing_in_english(recorded):
    review = build_review(recorded, JURISDICTION, Q2, AS_OF)
    review.language = "en"

    lines = render(review, "md").splitlines()

    assert lines[0] == "# Tỉnh Kiểm Thử: Report on the results of Q2 2024 and the tasks for Q3 2024"
    assert "| Done on time | 5 | 1 |" in lines
    assert "| **On-time rate** | **50.0%** | 50.0% |" in lines


def test_write_review_writes_markdown_html_and_json(recorded, tmp_path):
    review = build_review(recorded, JURISDICTION, Q2, AS_OF)

    paths = write_review(review, tmp_path / "reports")

    assert [p.name for p in paths] == [f"review-{JURISDICTION}-2024-Q2.{fmt}"
                                       for fmt in ("md", "html", "json")]
    for path, fmt in zip(paths, ("md", "html", "json"), strict=True):
        assert path.read_text(encoding="utf-8") == render(review, fmt)


def test_a_province_can_replace_the_review_templates(recorded, tmp_path, monkeypatch):
    review = build_review(recorded, JURISDICTION, Q2, AS_OF)
    default_html = render(review, "html")
    own = tmp_path / "templates"
    own.mkdir()
    (own / "review.md.j2").write_text(textwrap.dedent("""\
        {% set t = review.overall.totals %}
        BÁO CÁO {{ review.jurisdiction_name|upper }} – {{ q }}
        Đúng hạn: {{ t.done_on_time }}; quá hạn: {{ t.open_overdue }}; {{ percent(t.on_time_rate) }}
        """), encoding="utf-8")
    monkeypatch.setenv("DIRTRACK_TEMPLATES", str(own))

    assert render(review, "md") == ("BÁO CÁO TỈNH KIỂM THỬ – quý II/2024\n"
                                    "Đúng hạn: 5; quá hạn: 3; 50,0%\n")
    assert render(review, "html") == default_html  # not replaced: the shipped one
