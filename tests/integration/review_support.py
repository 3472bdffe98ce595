"""A small hand-built quarter for the review tests, on SQLite and PostgreSQL.

The jurisdiction ``review-test`` (Tỉnh Kiểm Thử, language vi) has a province (prov),
three provincial units (dept-a, dept-b, front), a district d1 and its communes c1-c3;
c3 merges into c4 (a new commune) on 2024-06-01. Directive ``rv`` is issued on
2024-03-01; its ladder: overdue one day after the deadline (to the lead), supervisor
after 7 days (to the lead's parent), issuer after 15.

What happens to each task (``recorded`` below), and where it lands in the review of
2024-Q2 as of 2024-07-01:

| task | lead | sector | due | ledger | Q2 category |
| --- | --- | --- | --- | --- | --- |
| q1-done | dept-a | economic | 03-20 | done 03-18 | out of scope (finished in Q1) |
| q1-late | dept-b | political | 03-25 | done 04-05 | done late |
| survey | dept-a | economic | 04-30 | done 04-28, verified 05-02 | done on time |
| dropped | dept-a | economic | 05-20 | cancelled 05-02 (QĐ-20) | cancelled |
| guidance | dept-b | political | 05-10 | - | open overdue, 52 days |
| grassroots@c1..c3 | c1..c3 | political | 05-15 | c1 done 05-10, c2 05-20; | on time / |
|  |  |  |  | c3 passes to c4 on 06-01 | late / overdue |
| congress | front | political | 05-25 | - (needs guidance) | open overdue, blocked by guidance |
| summary | d1 | political | 05-31 | - (needs 60% of grassroots; 2 of 3 done) | overdue, |
|  |  |  |  |  | not blocked |
| prep | dept-a | economic | 06-30 | done 06-05 while guidance is open | done on time, flagged |
| security | d1 | defence | 06-15 | extended to 06-25 on 06-10 (QĐ-15), done 06-24 | done on time |
| bridge | front | cultural | 06-20 | extended to 07-20 on 06-15 (QĐ-18) | open within deadline |
| culture | dept-a | cultural | 06-30 | done 06-29 | done on time |
| early | dept-b | cultural | 07-31 | done 06-20 | done on time (due in Q3) |
| next-q | dept-a | economic | 08-15 | - | open within deadline, due next quarter |

Deadline checks run on 2024-05-20 and 2024-05-28. Only survey is verified.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from dirtrack.escalation import check_deadlines
from dirtrack.plan import read_plan
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
  - {id: c4, name: "Xã Bốn", level: commune, kind: government, parent: d1,
     established_on: 2024-06-01}
reorganisations:
  - {unit: c3, into: c4, on: 2024-06-01, decision: "NQ-01"}
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
  - {id: summary, title: "Tổng kết đại hội cơ sở", lead: d1, sector: political-system,
     depends_on: [{task: grassroots, at_least: 60%}], due: 2024-05-31}
  - {id: prep, title: "Chuẩn bị tài liệu đại hội", lead: dept-a, sector: economic,
     depends_on: [guidance], due: 2024-06-30}
  - {id: security, title: "Bảo đảm an ninh trật tự", lead: d1, sector: defense-security,
     deliverable: "Phương án bảo vệ", due: 2024-06-15}
  - {id: bridge, title: "Hội thi tuyên truyền", lead: front, sector: cultural-social,
     due: 2024-06-20}
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
         "d1": "Huyện Một", "c1": "Xã Một", "c2": "Xã Hai", "c3": "Xã Ba", "c4": "Xã Bốn"}


def totals(dot: int = 0, late: int = 0, open_: int = 0, overdue: int = 0, cancelled: int = 0,
           rate: float | None = None) -> dict[str, Any]:
    """The JSON of a Totals: the four categories, cancelled apart, total and on-time rate."""
    return {"done_on_time": dot, "done_late": late, "open_on_time": open_,
            "open_overdue": overdue, "cancelled": cancelled,
            "total": dot + late + open_ + overdue + cancelled, "on_time_rate": rate}


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


def record_quarter(engine: Engine, folder: Path) -> None:
    """Load the directive and record its quarter as in the module's table."""
    load(engine, folder, date(2024, 3, 1))
    record(engine, "q1-done", "done", date(2024, 3, 18), unit="dept-a", evidence="KH-03")
    record(engine, "q1-late", "done", date(2024, 4, 5), unit="dept-b", evidence="BC-01")
    record(engine, "survey", "done", date(2024, 4, 28), unit="dept-a", evidence="BC-12/SKH")
    record(engine, "dropped", "cancelled", date(2024, 5, 2), decision="QĐ-20")
    record(engine, "survey", "verified", date(2024, 5, 2))
    record(engine, "grassroots@c1", "done", date(2024, 5, 10), unit="c1", evidence="BB-c1")
    record(engine, "grassroots@c2", "done", date(2024, 5, 20), unit="c2", evidence="BB-c2")
    first = check_deadlines(engine, date(2024, 5, 20))
    second = check_deadlines(engine, date(2024, 5, 28))
    assert (first.by_step, second.by_step) == (
        {"overdue": 2, "supervisor": 1},
        {"overdue": 1, "supervisor": 1, "issuer": 1, "root-cause": 1})
    load(engine, folder, date(2024, 6, 1))  # c3 merges into c4: its open work moves
    record(engine, "prep", "done", date(2024, 6, 5), unit="dept-a")
    record(engine, "security", "extended", date(2024, 6, 10), new_due=date(2024, 6, 25),
           decision="QĐ-15")
    record(engine, "bridge", "extended", date(2024, 6, 15), new_due=date(2024, 7, 20),
           decision="QĐ-18")
    record(engine, "early", "done", date(2024, 6, 20), unit="dept-b")
    record(engine, "security", "done", date(2024, 6, 24), unit="d1", evidence="PA-07")
    record(engine, "culture", "done", date(2024, 6, 29), unit="dept-a")


def record_later_events(engine: Engine) -> None:
    """Events dated after 2024-07-01: an extension, a return and two completions."""
    record(engine, "guidance", "extended", date(2024, 7, 2), new_due=date(2024, 7, 31),
           decision="QĐ-30")
    record(engine, "culture", "returned", date(2024, 7, 3), note="thiếu hồ sơ")
    record(engine, "grassroots@c3", "done", date(2024, 7, 5), unit="c4")
    record(engine, "congress", "done", date(2024, 7, 10), unit="front")


def review_json(engine: Engine, as_of: date = AS_OF, quarter: str = Q2,
                **options: Any) -> dict[str, Any]:
    return build_review(engine, JURISDICTION, quarter, as_of, **options).as_json()
