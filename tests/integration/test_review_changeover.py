"""The quarterly review across a change-over to two-tier local government.

Jurisdiction ``doi-moi`` (vi): the province (prov) and its People's Committee (pc); the
district d1 with communes c1 and c2. On 2024-07-01 the district level ends: d1 is
dissolved and pc takes its work over, c1 merges into the new commune c3, and c2 moves
directly under pc. Both directives are loaded on 04-01, and again on 07-01 (the load
that moves open work to the successors).

| instance | lead | due | ledger | Q2 (as of 07-05) | Q3 (as of 10-01) |
| --- | --- | --- | --- | --- | --- |
| q2/report@d1 | d1, pc from 07-01 | 06-20 | - | d1: overdue, 11 days | pc: 92 days, 11 carried |
| q2/models@c1 | c1, c3 from 07-01 | 06-10 | - | c1: overdue, 21 days | c3: 92 days, 21 carried |
| q2/models@c2 | c2 | 06-10 | done 06-05 | c2: on time | (finished before Q3) |
| q3/check@c2 | c2 | 09-15 | done 09-10 | (issued in Q3) | c2: on time |
| q3/check@c3 | c3 | 09-15 | - | (issued in Q3) | c3: overdue, 16 days |

Days: 06-20 to 07-01 is 11, 06-10 to 07-01 is 21, 07-01 to 10-01 is 92, 09-15 to 10-01 16.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dirtrack.plan import read_plan
from dirtrack.report import render
from dirtrack.review import build_review
from dirtrack.store.ledger import record_event
from dirtrack.store.sync import load_plan

UNITS = """\
jurisdiction:
  name: "Tỉnh Đổi Mới"
units:
  - {id: prov, name: "Ban Thường vụ Tỉnh ủy", level: province, kind: party}
  - {id: pc, name: "Ủy ban nhân dân tỉnh", level: province, kind: government, parent: prov}
  - {id: d1, name: "Huyện Một", level: district, kind: government, parent: prov}
  - {id: c1, name: "Xã Một", level: commune, kind: government, parent: d1}
  - {id: c2, name: "Xã Hai", level: commune, kind: government, parent: d1}
  - {id: c3, name: "Xã Tân Hợp", level: commune, kind: government, parent: pc,
     established_on: 2024-07-01}
reorganisations:
  - {unit: d1, into: pc, on: 2024-07-01, decision: "72/2025/QH15"}
  - {unit: c1, into: c3, on: 2024-07-01, decision: "1666/NQ-UBTVQH15"}
  - {unit: c2, parent: pc, on: 2024-07-01, decision: "72/2025/QH15"}
"""
Q2_PLAN = """\
directive: {id: q2, number: "1-KH/TU", kind: plan, title: "Nhiệm vụ quý II",
            issued_by: prov, issued_on: 2024-04-01}
tasks:
  - {id: report, title: "Báo cáo quý của huyện", for_each: district, sector: political-system,
     due: 2024-06-20}
  - {id: models, title: "Mô hình Dân vận khéo", for_each: commune, sector: political-system,
     due: 2024-06-10}
"""
Q3_PLAN = """\
directive: {id: q3, number: "2-KH/TU", kind: plan, title: "Nhiệm vụ quý III",
            issued_by: prov, issued_on: 2024-07-10}
tasks:
  - {id: check, title: "Rà soát bộ máy cấp xã", for_each: commune, sector: political-system,
     due: 2024-09-15}
"""


@pytest.fixture
def changed_over(engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "directives" / "doi-moi"
    folder.mkdir(parents=True)
    for name, text in (("units.yaml", UNITS), ("escalation.yaml", "language: vi\n"),
                       ("q2.yaml", Q2_PLAN), ("q3.yaml", Q3_PLAN)):
        (folder / name).write_text(text, encoding="utf-8")
    plan = read_plan(folder.parent)
    load_plan(engine, plan, on=date(2024, 4, 1))
    record_event(engine, "q2/models@c2", "done", on=date(2024, 6, 5), unit="c2")
    load_plan(engine, plan, on=date(2024, 7, 1))
    record_event(engine, "q3/check@c2", "done", on=date(2024, 9, 10), unit="c2")
    return engine


def _league(engine, quarter: str, as_of: date) -> list[tuple]:  # type: ignore[no-untyped-def]
    review = build_review(engine, "doi-moi", quarter, as_of).as_json()
    return [(u["unit"], u["total"], u["on_time_rate"], u["overdue_days"],
             u["carried_over"]["days"], u["carried_over"]["from"]) for u in review["by_unit"]]


def test_the_q2_review_shows_the_district_level_as_it_was(changed_over):
    # Read after the change-over, the quarter's work stays with the units that led it
    # then, charged until they handed it on (07-01), not until the review's date.
    assert _league(changed_over, "2024-Q2", date(2024, 7, 5)) == [
        ("c2", 1, 1.0, 0, 0, []),
        ("d1", 1, 0.0, 11, 0, []),
        ("c1", 1, 0.0, 21, 0, []),
    ]


def test_the_q3_review_shows_only_the_new_units_with_what_they_took_over_apart(changed_over):
    assert _league(changed_over, "2024-Q3", date(2024, 10, 1)) == [
        ("c2", 1, 1.0, 0, 0, []),
        ("pc", 1, 0.0, 92, 11, ["Huyện Một"]),
        ("c3", 2, 0.0, 108, 21, ["Xã Một"]),
    ]


def test_the_document_names_where_the_carried_over_days_come_from(changed_over):
    review = build_review(changed_over, "doi-moi", "2024-Q3", date(2024, 10, 1))

    text = render(review, "md")

    assert "Xã Tân Hợp (chuyển từ Xã Một: 21 ngày quá hạn trước khi tiếp nhận)" in text
    assert "Ủy ban nhân dân tỉnh (chuyển từ Huyện Một: 11 ngày quá hạn trước khi tiếp nhận)" \
        in text
    assert "Huyện Một |" not in text
