"""Repeating tasks in the database: occurrences created by the load and the daily check,
each exactly once, also when checks run at once; a revision changes only what is to come.

The jurisdiction: province p, district d1 with communes c1 and c2, district d2 with
commune c3. The directive (issued Monday 5 January 2026): a monthly report of each
commune from 2026-01 until 2026-06, due on the 25th (the next working day when that
is a day off), and each district's quarterly summary, 10 days after the quarter,
once 90% of its communes' reports of that quarter are done. An occurrence exists
from the start of the period before its own (or the issue date).
"""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, func, select

from dirtrack.documents.render import render
from dirtrack.escalation import check_deadlines
from dirtrack.plan import read_plan
from dirtrack.review import build_review
from dirtrack.store.ledger import record_event
from dirtrack.store.queries import Filters, list_tasks
from dirtrack.store.sync import load_plan
from dirtrack.store.tables import (
    DependencyRow,
    EventRow,
    InstanceRow,
    OccurrenceRow,
    StateRow,
)

from .test_reliability import _at_once

I, DEP, S = InstanceRow.__table__, DependencyRow.__table__, StateRow.__table__  # type: ignore[attr-defined]
E, OC = EventRow.__table__, OccurrenceRow.__table__  # type: ignore[attr-defined]

UNITS = """\
units:
  - {id: p, name: "Tỉnh", level: province, kind: party}
  - {id: d1, name: "Huyện Một", level: district, kind: government, parent: p}
  - {id: d2, name: "Huyện Hai", level: district, kind: government, parent: p}
  - {id: c1, name: "Xã Một", level: commune, kind: government, parent: d1}
  - {id: c2, name: "Xã Hai", level: commune, kind: government, parent: d1}
  - {id: c3, name: "Xã Ba", level: commune, kind: government, parent: d2}
"""
DIRECTIVE = """\
directive:
  id: rep
  number: "1-KH"
  kind: plan
  title: "Chế độ báo cáo năm 2026"
  issued_by: p
  issued_on: 2026-01-05
tasks:
  - id: report
    title: "Báo cáo tháng"
    for_each: commune
    sector: political-system
    repeat: monthly
    from: 2026-01
    until: {until}
    due: {due}
    on_day_off: next
  - id: summary
    title: "Báo cáo quý của huyện"
    for_each: district
    sector: political-system
    repeat: quarterly
    from: 2026-Q1
    until: 2026-Q2
    depends_on: [{{task: report, at_least: 90%}}]
    due: end + 10d
"""


def _write(root: Path, until: str = "2026-06", due: str = "day 25 of last month") -> Path:
    folder = root / "directives" / "rep"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.yaml").write_text(UNITS, encoding="utf-8")
    (folder / "rep.yaml").write_text(textwrap.dedent(DIRECTIVE).format(until=until, due=due),
                                     encoding="utf-8")
    return folder


def _load(engine: Engine, folder: Path, on: str):  # type: ignore[no-untyped-def]
    return load_plan(engine, read_plan(folder), on=date.fromisoformat(on))


def _keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(I.c.key).order_by(I.c.key)).scalars())


def _prereqs(engine: Engine, key: str) -> list[str]:
    dependent, prereq = I.alias(), I.alias()
    with engine.connect() as conn:
        return sorted(conn.execute(
            select(prereq.c.key).select_from(DEP)
            .join(dependent, dependent.c.pk == DEP.c.instance_pk)
            .join(prereq, prereq.c.pk == DEP.c.prereq_pk)
            .where(dependent.c.key == key)).scalars())


def test_the_load_creates_the_current_and_next_periods(engine, tmp_path):
    summary = _load(engine, _write(tmp_path), "2026-01-05")

    # January and February reports of 3 communes, Q1 and Q2 summaries of 2 districts.
    assert summary.opened == 10
    assert summary.results[0].waiting == 4 * 3  # March to June
    assert _keys(engine) == sorted(
        [f"rep/report~2026-{m}@{c}" for m in ("01", "02") for c in ("c1", "c2", "c3")]
        + [f"rep/summary~2026-{q}@{u}" for q in ("Q1", "Q2") for u in ("d1", "d2")])
    # Sunday 25 January 2026 -> Monday the 26th; 25 February is a Wednesday.
    tasks = {t.id: t.due_on for t in list_tasks(engine, date(2026, 1, 5), Filters(None, "c1"))}
    assert tasks == {"rep/report~2026-01@c1": date(2026, 1, 26),
                     "rep/report~2026-02@c1": date(2026, 2, 25)}
    assert _prereqs(engine, "rep/summary~2026-Q1@d1") == [
        "rep/report~2026-01@c1", "rep/report~2026-01@c2",
        "rep/report~2026-02@c1", "rep/report~2026-02@c2"]


def test_daily_checks_create_each_occurrence_once(engine, tmp_path):
    _load(engine, _write(tmp_path), "2026-01-05")
    opened = {}
    day = date(2026, 1, 5)
    while day <= date(2026, 4, 2):
        opened[day] = check_deadlines(engine, day).opened
        day += timedelta(days=1)
    # A month's reports open on the first day of the month before it.
    assert {d: n for d, n in opened.items() if n} == {
        date(2026, 2, 1): 3, date(2026, 3, 1): 3, date(2026, 4, 1): 3}
    assert check_deadlines(engine, date(2026, 4, 2)).opened == 0
    assert len(_keys(engine)) == 10 + 9
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(OC)).scalar() == 3  # June
        assert conn.execute(select(func.count()).select_from(S).where(
            S.c.instance_pk.in_(select(I.c.pk).where(I.c.period.is_not(None))))).scalar() == 19
    # The March reports exist from 1 February, whatever day the check ran.
    listed = [t.id for t in list_tasks(engine, date(2026, 1, 31), Filters(None, "c3"))]
    assert listed == ["rep/report~2026-01@c3", "rep/report~2026-02@c3"]
    assert "rep/report~2026-03@c3" in [
        t.id for t in list_tasks(engine, date(2026, 2, 1), Filters(None, "c3"))]
    assert _prereqs(engine, "rep/summary~2026-Q1@d2") == [
        "rep/report~2026-01@c3", "rep/report~2026-02@c3", "rep/report~2026-03@c3"]
    # Q2's summary waits for the months that exist so far: April (from 1 March) and
    # May (from 1 April).
    assert _prereqs(engine, "rep/summary~2026-Q2@d1") == [
        "rep/report~2026-04@c1", "rep/report~2026-04@c2",
        "rep/report~2026-05@c1", "rep/report~2026-05@c2"]


def test_checks_running_at_once_create_each_occurrence_once(engine, tmp_path):
    _load(engine, _write(tmp_path), "2026-01-05")
    check_deadlines(engine, date(2026, 1, 31))
    results, errors = _at_once(*[partial(check_deadlines, engine, date(2026, 2, 1))] * 4)

    assert errors == []
    assert sorted(r.opened for r in results) == [0, 0, 0, 3]
    assert len(_keys(engine)) == 13
    assert len(_prereqs(engine, "rep/summary~2026-Q1@d1")) == 6


def test_a_load_after_days_without_checks_catches_up(engine, tmp_path):
    folder = _write(tmp_path)
    _load(engine, folder, "2026-01-05")
    summary = _load(engine, folder, "2026-03-10")  # unchanged directive, later day

    assert summary.results[0].outcome == "unchanged"
    assert summary.opened == 6  # March and April reports
    assert _load(engine, folder, "2026-03-10").opened == 0


def test_a_revision_changes_only_the_occurrences_to_come(engine, tmp_path):
    _load(engine, _write(tmp_path), "2026-01-05")
    for day in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 15)):
        check_deadlines(engine, day)
    # Shorter (until April) and earlier (the 20th), decided on 15 March.
    summary = _load(engine, _write(tmp_path, until="2026-04", due="day 20 of last month"),
                    "2026-03-15")

    result = summary.results[0]
    assert (result.outcome, result.revised, result.cancelled, result.waiting) == (
        "updated", 3, 0, 0)
    dues = {t.id: t.due_on for t in list_tasks(engine, date(2026, 3, 15), Filters(None, "c1"))}
    # March began before the revision: it keeps the 25th. April's moves from the 28th
    # (25 Apr a Saturday, 26-27 Apr Hùng Kings' day) to Monday the 20th.
    assert dues["rep/report~2026-03@c1"] == date(2026, 3, 25)
    assert dues["rep/report~2026-04@c1"] == date(2026, 4, 20)
    with engine.connect() as conn:
        revised = conn.execute(select(I.c.key, E.c.new_due).join(E, E.c.instance_pk == I.c.pk)
                               .where(E.c.kind == "revised").order_by(I.c.key)).all()
    assert [tuple(r) for r in revised] == [
        (f"rep/report~2026-04@{c}", date(2026, 4, 20)) for c in ("c1", "c2", "c3")]
    assert check_deadlines(engine, date(2026, 4, 1)).opened == 0  # no May report any more
    assert check_deadlines(engine, date(2026, 5, 1)).opened == 0
    assert len(_keys(engine)) == 4 + 3 * 4


def _record_reports(engine: Engine) -> None:
    for key, unit, on in (("rep/report~2026-01@c1", "c1", "2026-01-20"),   # due 26/01
                          ("rep/report~2026-01@c2", "c2", "2026-01-28"),   # late
                          ("rep/report~2026-02@c1", "c1", "2026-02-25"),   # on the day
                          ("rep/report~2026-02@c3", "c3", "2026-02-20")):
        record_event(engine, key, "done", on=date.fromisoformat(on), unit=unit)


def test_the_review_gives_reporting_rates_per_task_level_and_unit(engine, tmp_path):
    _load(engine, _write(tmp_path), "2026-01-05")
    check_deadlines(engine, date(2026, 3, 1))
    _record_reports(engine)

    # On 20 March the January and February reports are due (6); March's (25/03) not yet.
    review = build_review(engine, "rep", "2026-Q1", date(2026, 3, 20))
    rates = review.as_json()["reporting"]
    assert rates["total"] == {"key": "", "name": "", "expected": 6, "received": 4,
                              "on_time": 3, "rate": 0.6667, "on_time_rate": 0.5}
    assert [(r["key"], r["expected"], r["received"], r["on_time"], r["repeat"])
            for r in rates["by_task"]] == [("rep/report", 6, 4, 3, "monthly")]
    assert [(r["key"], r["expected"], r["received"], r["on_time"])
            for r in rates["by_level"]] == [("commune", 6, 4, 3)]
    # Worst first: c2 (1 of 2 received, none on time), c3 (1 of 2, on time), c1 (2 of 2).
    assert [(r["key"], r["received"], r["on_time"], r["rate"], r["on_time_rate"])
            for r in rates["by_unit"]] == [("c2", 1, 0, 0.5, 0.0), ("c3", 1, 1, 0.5, 0.5),
                                           ("c1", 2, 2, 1.0, 1.0)]
    text = render(review, "md")
    assert ("Trong quý I năm 2026, tính đến ngày 20/03/2026, có 6 báo cáo định kỳ đến hạn "
            "phải gửi; đã nhận 4 báo cáo (tỷ lệ báo cáo 66,7%), trong đó 3 báo cáo đúng hạn "
            "(tỷ lệ báo cáo đúng hạn 50,0%).") in text
    assert "| 1 | Xã Hai | 2 | 1 | 0 | 50,0% | 0,0% |" in text

    # After the quarter the March reports, never sent, count as expected too.
    after = build_review(engine, "rep", "2026-Q1", date(2026, 4, 1)).as_json()["reporting"]
    assert (after["total"]["expected"], after["total"]["rate"],
            after["total"]["on_time_rate"]) == (9, 0.4444, 0.3333)


def test_a_review_without_repeating_tasks_has_no_reporting_part(engine, tmp_path):
    folder = _write(tmp_path)
    text = (folder / "rep.yaml").read_text(encoding="utf-8")
    (folder / "rep.yaml").write_text(text.split("  - id: report")[0] + textwrap.dedent("""\
          - id: once
            title: "Một lần"
            lead: p
            sector: political-system
            due: 2026-03-31
        """), encoding="utf-8")
    _load(engine, folder, "2026-01-05")
    review = build_review(engine, "rep", "2026-Q1", date(2026, 4, 1))
    assert review.as_json()["reporting"] is None
    assert "tỷ lệ báo cáo" not in render(review, "md")
