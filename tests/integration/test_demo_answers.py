"""The Hưng Yên demo's third quarter of 2025, the first of two-tier local government:
escalation to a commune as a place, and units answering back through the new paths.
Hưng Yên's quarters replayed with the demo's actions as ``make demo`` does, on SQLite and
PostgreSQL.

Where the figures come from. The Q3 plan (hy-2025-q3, 129 instances) fans out over the
communes; Phường Phố Hiến, Phường Mỹ Hào and Xã Yên Mỹ each have three bodies grouped by
``locality:`` (Party committee, People's Committee, Front committee), and the commune's
tasks are led by its People's Committee. Of those communes' Q3 tasks, the demo leaves
open on 30/09/2025 (``dirtrack overdue --directive hy-2025-q3 --as-of 2025-09-30``):

| task | lead | due | days overdue on 30/09 |
| --- | --- | --- | --- |
| commune-apparatus-review | hy-pho-hien | 31/07 | 61 |
| q3-report/unit-report | hy-pho-hien | 20/09 | 10 |
| public-service-centres | hy-xa-yen-my | 15/09 (extended from 15/08) | 15 |

Mỹ Hào's five tasks are all done by then, and the Party committee's pilot congress
(hy-pho-hien-party) on time. The ladder's step ``locality`` fires 3 days overdue to every
body of the lead's locality: 3 tasks, each past 3 days, times 3 bodies = 9 alerts, two
for each of Phố Hiến's bodies and one for each of Yên Mỹ's; each on the log channel,
which reaches every unit, and on the file channel of escalation.yaml's route: 18 rows of
the outbox.

The answers: Yên Mỹ asked on 11/08 to move public-service-centres from 15/08 to 15/09,
and an officer of the issuing body (Ban Thường vụ Tỉnh ủy, hy-pc-standing) granted it
on 13/08 by Công văn số 312-CV/TU; Mỹ Hào asked on 01/09 to move skilled-models-merged
to 30/09, withdrew the request on 05/09 and reported done on 10/09, before 15/09.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dirtrack.calendar import quarter_bounds
from dirtrack.demo import actions_for, perform, quarter_of
from dirtrack.escalation import check_deadlines
from dirtrack.plan import read_plan
from dirtrack.report import render
from dirtrack.review import build_review
from dirtrack.store.occurrences import open_occurrences
from dirtrack.store.queries import Filters, list_tasks
from dirtrack.store.sync import load_plan
from dirtrack.store.tables import InstanceRow

from .alerts_support import outbox_rows

Q3_END = date(2025, 9, 30)
BODIES = {"hy-pho-hien": ("hy-pho-hien", "hy-pho-hien-party", "hy-pho-hien-front"),
          "hy-my-hao-ward": ("hy-my-hao-ward", "hy-my-hao-ward-party", "hy-my-hao-ward-front"),
          "hy-xa-yen-my": ("hy-xa-yen-my", "hy-xa-yen-my-party", "hy-xa-yen-my-front")}


@pytest.fixture
def hung_yen(engine: Engine, project: Path) -> Engine:
    """Hưng Yên's three quarters replayed as the demo does, to the end of Q3 2025."""
    plan = read_plan(project / "directives", catalog=project / "tasks_catalog")
    quarters: dict[str, list] = {}
    for jur, spec in sorted(plan.directives(), key=lambda js: js[1].issued_on):
        if jur.id == "hung-yen":
            quarters.setdefault(quarter_of(spec.issued_on), []).append((jur, spec))
    for quarter, members in quarters.items():
        jur = members[0][0]
        load_plan(engine, plan, on=members[0][1].issued_on)
        last = quarter_bounds(quarter)[1]
        with engine.begin() as conn:
            open_occurrences(conn, last)
        for _, spec in members:
            for action in actions_for(plan, spec.id):
                if action.day <= last:
                    assert perform(engine, plan.registries[jur.id], action) is None, action
        for reorg in {r.on for r in jur.reorganisations if r.on <= last + timedelta(days=1)}:
            load_plan(engine, plan, on=reorg)
    return engine


def test_a_commune_task_overdue_three_days_reaches_every_body_of_the_commune(hung_yen):
    check_deadlines(hung_yen, Q3_END)

    I = InstanceRow.__table__  # type: ignore[attr-defined]
    with hung_yen.connect() as conn:
        keys = dict(conn.execute(select(I.c.pk, I.c.key)).tuples().all())
    place = {body: commune for commune, bodies in BODIES.items() for body in bodies}
    rows = [a for a in outbox_rows(hung_yen)
            if a["step"] == "locality" and a["recipient_id"] in place
            and keys[a["instance_pk"]].startswith("hy-2025-q3/")]
    assert Counter(a["channel"] for a in rows) == {"log": 9, "file": 9}
    told = [(keys[a["instance_pk"]], a["recipient_id"]) for a in rows
            if a["channel"] == "file"]
    assert sorted(told) == sorted(
        (f"hy-2025-q3/{task}@{commune}", body)
        for task, commune in (("commune-apparatus-review", "hy-pho-hien"),
                              ("q3-report/unit-report", "hy-pho-hien"),
                              ("public-service-centres", "hy-xa-yen-my"))
        for body in BODIES[commune])
    assert len(told) == 3 * 3
    assert Counter(r for _, r in told) == {
        **{b: 2 for b in BODIES["hy-pho-hien"]}, **{b: 1 for b in BODIES["hy-xa-yen-my"]}}


def test_the_commune_s_party_committee_reads_why_it_is_told_in_its_digest(hung_yen, tmp_path):
    from dirtrack.alerts import deliver

    check_deadlines(hung_yen, Q3_END)
    deliver(hung_yen, datetime(2025, 9, 30, 1, 0, tzinfo=UTC), tmp_path / "alerts")

    [digest] = (tmp_path / "alerts" / "hung-yen").glob("*/hy-pho-hien-party-*.txt")
    text = digest.read_text(encoding="utf-8")
    assert "Kính gửi: Đảng ủy phường Phố Hiến" in text
    heading = "Quá hạn, đã thông báo các cơ quan trên địa bàn:\n"
    assert heading in text
    told = text.split(heading, 1)[1]
    # Phường Phố Hiến's work open on 30/09: its two Q3 tasks above, and four Q2 tasks of
    # the communes merged into it, which moved to it on 01/07 (all four overdue since 30/06
    # or 15/07: the Party congress of Trung Nghĩa, the handovers of An Tảo, Hiến Nam and
    # Trung Nghĩa)
    assert sorted(line[2:].split(":")[0] for line in told.splitlines()
                  if line.startswith("- ")) == [
        "hy-2025-q2/commune-handover@hy-an-tao", "hy-2025-q2/commune-handover@hy-hien-nam",
        "hy-2025-q2/commune-handover@hy-trung-nghia",
        "hy-2025-q2/grassroots-party-congress@hy-trung-nghia",
        "hy-2025-q3/commune-apparatus-review@hy-pho-hien",
        "hy-2025-q3/q3-report/unit-report@hy-pho-hien"]
    assert told.count("đơn vị chủ trì: Phường Phố Hiến") == 6


def test_the_q3_review_shows_a_request_granted_by_the_issuing_body_and_one_withdrawn(
        hung_yen):
    review = build_review(hung_yen, "hung-yen", "2025-Q3", Q3_END + timedelta(days=1))

    answered = json.loads(render(review, "json"))["extension_requests_answered"]
    assert [(a["task"], a["unit"], a["date"], a["asked_due"], a["outcome"],
             a["answered_on"], a["answered_by"], a["decision"], a["new_due"])
            for a in answered] == [
        ("hy-2025-q3/public-service-centres@hy-xa-yen-my", "hy-xa-yen-my", "2025-08-11",
         "2025-09-15", "granted", "2025-08-13", "hy-pc-standing", "Công văn số 312-CV/TU",
         "2025-09-15"),
        ("hy-2025-q3/skilled-models-merged@hy-my-hao-ward", "hy-my-hao-ward", "2025-09-01",
         "2025-09-30", "withdrawn", "2025-09-05", "hy-my-hao-ward", "", None)]
    # neither waits for an answer any more
    assert not {a["task"] for a in answered} & {
        r.task for r in review.overall.requests}
    text = render(review, "md")
    assert ("- Xã Yên Mỹ đề nghị gia hạn “Đưa Trung tâm phục vụ hành chính công cấp xã đi "
            "vào hoạt động ổn định; giải quyết thủ tục hành chính cho người dân, doanh "
            "nghiệp không để gián đoạn” đến ngày 15/09/2025 (đề nghị ngày 11/08/2025): Trụ "
            "sở Trung tâm phục vụ hành chính công của xã đang sửa chữa. Ngày 13/08/2025, "
            "Ban Thường vụ Tỉnh ủy Hưng Yên đồng ý (theo Công văn số 312-CV/TU).") in text
    assert ("Chờ tổng hợp số liệu mô hình của các xã, phường cũ trước khi sắp xếp. Ngày "
            "05/09/2025, đơn vị rút đề nghị: Đã tổng hợp đủ số liệu, báo cáo đúng hạn.") \
        in text
    # the withdrawn request's task was then reported on time; the granted one is late
    # against its new deadline
    status = {t.id: t.status for t in list_tasks(hung_yen, Q3_END, Filters("hy-2025-q3"))}
    assert status["hy-2025-q3/skilled-models-merged@hy-my-hao-ward"] == "done_on_time"
    assert status["hy-2025-q3/public-service-centres@hy-xa-yen-my"] == "open_overdue"


def test_the_review_of_yen_my_shows_its_own_answer_only(hung_yen):
    review = build_review(hung_yen, "hung-yen", "2025-Q3", Q3_END + timedelta(days=1),
                          locality="hy-xa-yen-my")

    assert [(a.request.task, a.outcome, a.by_name) for a in review.overall.answered] == [
        ("hy-2025-q3/public-service-centres@hy-xa-yen-my", "granted",
         "Ban Thường vụ Tỉnh ủy Hưng Yên")]
