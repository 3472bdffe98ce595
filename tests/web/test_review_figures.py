"""The dashboard and the review page show the quarterly review's own figures: the overview
per plan task and per assignment, a row per plan task ("29/34 xã hoàn thành (85,3%)"),
the completions awaiting verification, the extensions and cancellations. Each figure
on the pages is compared with the review's JSON (the same question, as of the same day),
on the demo database: the demo directives loaded and their quarter replayed with the
demo's actions, as ``make demo`` does, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from html import unescape
from typing import Any

import lxml.html
import pytest
from sqlalchemy import update

from dirtrack.calendar import quarter_bounds
from dirtrack.demo import actions_for, perform, quarter_of
from dirtrack.documents.words import LABELS, LEVELS
from dirtrack.plan import read_plan
from dirtrack.store.engine import make_engine
from dirtrack.store.sync import load_plan
from tests.conftest import ROOT

from .conftest import APP_USERS, SECRET_KEY, Site, login, visible_text

AS_OF = "2024-07-01"  # the day after Ninh Bình's second quarter
PAGE = f"jurisdiction=ninh-binh&quarter=2024-Q2&as_of={AS_OF}"
L = LABELS["vi"]


@pytest.fixture(scope="module")
def demo(shared_db_url: str, tmp_path_factory: pytest.TempPathFactory,
         password_hash: str) -> Iterator[Site]:
    """The demo database (both provinces' quarters replayed) and a steering login."""
    from dirtrack.users import add_user
    from dirtrack.web.app import create_app

    project = tmp_path_factory.mktemp("demo") / "project"
    shutil.copytree(ROOT / "directives", project / "directives")
    shutil.copytree(ROOT / "tasks_catalog", project / "tasks_catalog")
    engine = make_engine(shared_db_url)
    plan = read_plan(project / "directives", catalog=project / "tasks_catalog")
    for jur, spec in sorted(plan.directives(), key=lambda js: js[1].issued_on):
        load_plan(engine, plan, on=spec.issued_on)
        last = quarter_bounds(quarter_of(spec.issued_on))[1]
        for action in actions_for(plan, spec.id):
            if action.day <= last:
                perform(engine, plan.registries[jur.id], action)
        for reorg in {r.on for r in jur.reorganisations if r.on <= last + timedelta(days=1)}:
            load_plan(engine, plan, on=reorg)
    add_user(engine, "bch.thuongtruc", "steering", None, None)
    with engine.begin() as conn:
        conn.execute(update(APP_USERS).values(password_hash=password_hash))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIRTRACK_SECRET_KEY", SECRET_KEY)
        app = create_app(shared_db_url, evidence_dir=project / "evidence")
    yield Site(shared_db_url, engine, app, project / "evidence")
    app.state.engine.dispose()
    engine.dispose()


def _browser(demo: Site) -> Any:
    from fastapi.testclient import TestClient

    client = TestClient(demo.app, follow_redirects=False)
    assert login(client, "bch.thuongtruc", "mật-khẩu-đủ-dài-42").status_code == 303
    return client


def _cells(tr: Any, tag: str = "td") -> list[str]:
    return [" ".join(c.text_content().split()) for c in tr.xpath(f"./{tag}")]


def _rows(html: str, table_id: str) -> list[list[str]]:
    """The cells of a table's body rows, as text."""
    [table] = lxml.html.fromstring(html).xpath(f'//table[@id="{table_id}"]')
    return [_cells(tr) for tr in table.xpath("./tbody/tr")]


def _rows_under(html: str, header: list[str]) -> list[list[str]]:
    """The body rows of the one table whose header row is ``header``."""
    found = [t for t in lxml.html.fromstring(html).xpath("//table")
             if t.xpath("./thead/tr") and _cells(t.xpath("./thead/tr")[0], "th") == header]
    assert len(found) == 1, header
    return [_cells(tr) for tr in found[0].xpath("./tbody/tr")]


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _pct(done: int, of: int) -> str:
    return f"{100 * done / of:.1f}%".replace(".", ",")


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def _result(p: dict[str, Any]) -> str:
    """A plan task's result as the review words it, from its JSON figures."""
    if p["level"] is None:
        if p["cancelled"] == p["instances"]:
            return L["single_cancelled"]
        return L["single_done"] if p["done_on_time"] + p["done_late"] else L["single_open"]
    done, counted = p["done_on_time"] + p["done_late"], p["instances"] - p["cancelled"]
    level = LEVELS["vi"][p["level"]]
    text = f"{_n(done)}/{_n(counted)} {level} hoàn thành ({_pct(done, counted)})"
    if done:
        text += f": đúng hạn {_n(p['done_on_time'])}"
        if p["done_late"]:
            text += f", quá hạn {_n(p['done_late'])}"
    if counted - done:
        text += f"; {_n(counted - done)} {level} chưa hoàn thành"
    return text


@pytest.fixture(scope="module")
def review(demo: Site) -> dict[str, Any]:
    answer = _browser(demo).get(f"/reviews/ninh-binh/2024-Q2.json?as_of={AS_OF}")
    assert answer.status_code == 200
    return json.loads(answer.content)  # type: ignore[no-any-return]


def test_the_demo_quarter_has_each_kind_of_figure_to_compare(review):
    fanned = [p for p in review["plan_tasks"] if p["level"] == "commune"]
    assert fanned and any(p["done_on_time"] + p["done_late"] < p["instances"] for p in fanned)
    assert review["awaiting_verification"]["count"] > 0
    # The demo's story: Trang An's promotion moved from 23/06 to 30/09 by decision 1025/QĐ-UBND.
    assert [(c["task"], c["decision"], c["old_due"], c["new_due"], c["date"])
            for c in review["extensions"]] == [
        ("nb-2024-q2/trang-an-promotion", "1025/QĐ-UBND", "2024-06-23", "2024-09-30",
         "2024-06-10")]


def test_the_dashboard_shows_the_reviews_figures(demo, review):
    page = _browser(demo).get(f"/dashboard?{PAGE.replace(AS_OF, '01/07/2024')}")
    assert page.status_code == 200, page.text
    html = page.text

    overview = _rows(html, "review-overview")
    for row, category in zip(overview, ("done_on_time", "done_late", "open_on_time",
                                        "open_overdue", "cancelled"), strict=False):
        assert row[:3] == [L[category], _n(review["plan_totals"][category]),
                           _n(review["totals"][category])]
    assert overview[5][:3] == ["Tổng số", _n(len(review["plan_tasks"])),
                               _n(review["totals"]["total"])]
    text = visible_text(html)
    assert (f"{_n(len(review['plan_tasks']))} nhiệm vụ của kế hoạch; "
            f"{_n(review['totals']['total'])} lượt giao") in text

    # grouped by plan (a row with the plan's number and title heads each plan's tasks), so
    # compared with the JSON's list as a whole
    plan = [r for r in _rows(html, "review-plan") if len(r) > 1]
    assert sorted((r[1], r[4], r[5].split(" (")[0].split(";")[0]) for r in plan) == sorted(
        (p["title"], _result(p), L[p["status"]]) for p in review["plan_tasks"])

    awaiting = review["awaiting_verification"]
    assert f"Lượt báo cáo hoàn thành, chờ xác nhận ({awaiting['count']})" in text
    assert [(r[1], r[3]) for r in _rows(html, "review-awaiting")] == [
        (g["title"], _n(g["instances"])) for g in awaiting["tasks"]]

    changes = sorted(review["extensions"] + review["cancellations"],
                     key=lambda c: (c["date"], c["task"]))
    assert [(r[1], r[3], r[4], r[5], r[6]) for r in _rows(html, "review-changes")] == [
        (c["title"], c["decision"], _day(c["old_due"]),
         _day(c["new_due"]) if c["new_due"] else "Hủy", _day(c["date"])) for c in changes]


def test_the_review_page_shows_the_same_figures(demo, review):
    page = _browser(demo).get(f"/reviews?{PAGE}")
    assert page.status_code == 200
    document = unescape(re.search(r'srcdoc="(.*?)" sandbox', page.text, re.S).group(1))

    plan = [r for r in _rows_under(document, [L["rank"], L["task"], L["lead"], L["due"],
                                              L["result"], L["assessment"]]) if len(r) > 1]
    assert sorted((r[1], r[4]) for r in plan) == sorted(
        (p["title"], _result(p)) for p in review["plan_tasks"])
    text = visible_text(document)
    assert (f"{_n(len(review['plan_tasks']))} nhiệm vụ của kế hoạch; "
            f"{_n(review['totals']['total'])} lượt giao") in text
    assert f"{_n(review['awaiting_verification']['count'])} lượt {L['awaiting']}" in text
    assert "1025/QĐ-UBND 23/06/2024 30/09/2024 10/06/2024" in text


def _league_cell(u: dict[str, Any]) -> str:
    carried = u["carried_over"]
    if not carried["days"]:
        return "–"
    return f"{carried['days']} ngày quá hạn trước khi tiếp nhận, từ {', '.join(carried['from'])}"


def test_the_dashboards_league_table_is_the_reviews_with_what_successors_took_over(demo):
    # Hưng Yên's third quarter of 2025, the first after the merger of communes on 1 July:
    # the new communes took over open work whose deadline had passed.
    browser = _browser(demo)
    answer = browser.get("/reviews/hung-yen/2025-Q3.json?as_of=2025-10-01")
    assert answer.status_code == 200
    units = json.loads(answer.content)["by_unit"]
    successors = [u for u in units if u["carried_over"]["days"]]
    assert successors, "the demo's merger leaves no work carried over"

    page = browser.get("/dashboard?jurisdiction=hung-yen&quarter=2025-Q3&as_of=01/10/2025")
    assert page.status_code == 200, page.text

    [table] = lxml.html.fromstring(page.text).xpath('//table[@id="league"]')
    assert _cells(table.xpath("./thead/tr")[0], "th")[-2:] == ["Số ngày quá hạn",
                                                               "Chuyển từ đơn vị trước"]
    rows = _rows(page.text, "league")
    assert rows == [
        [str(i), u["name"], str(u["total"]),
         "–" if u["on_time_rate"] is None else f"{100 * u['on_time_rate']:.0f}%",
         str(u["done_on_time"]), str(u["done_late"]), str(u["open_overdue"]),
         str(u["overdue_days"]), _league_cell(u)]
        for i, u in enumerate(units[:50], 1)]
    assert any(r[-1] != "–" for r in rows)  # what a successor took over, apart
