"""The daily deadline check keeps the day's pages; the first user of the day reads them.

The quarter of review_support (a hand-built second quarter of 2024, with a merger, an
extension across the quarter's end and a blocked overdue task) is recorded, then the
deadline-check flow runs as of 01/07/2024, in this process, without Prefect. What it kept
is read as another process would (nothing held in memory) with building refused: the
dashboard's counts and lists, the review's figures and league table beside them and the
review's document equal a build made from the ledger. After a unit reports done that
day the pages follow the ledger; events dated after the pages' date leave them standing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import lxml.html
import pytest
from sqlalchemy import Engine

from dirtrack import pages_kept
from dirtrack.pages_kept import figures_of, review_document, review_figures
from dirtrack.report import render
from dirtrack.review import build_review, snapshot
from tests.integration.review_support import (
    AS_OF,
    JURISDICTION,
    Q2,
    record,
    record_later_events,
    record_quarter,
    write_jurisdiction,
)

PASSWORD = "mật-khẩu-đủ-dài-42"
BELOW = "DIRTRACK_PAGES_REBUILT_IN_REQUEST_BELOW"
PAGE = f"as_of=01/07/2024&jurisdiction={JURISDICTION}&quarter={Q2}"


def _forget() -> None:
    """Drop what this process holds decoded: read the pages as the web server would."""
    pages_kept._DECODED.clear()
    snapshot._DECODED.clear()


@pytest.fixture
def checked(database: Engine, tmp_path: Any) -> Engine:
    from flows.steps import close_database
    from flows.steps import deadline_check as steps

    record_quarter(database, write_jurisdiction(tmp_path))
    result = steps.deadline_check(as_of=AS_OF, alerts_dir=str(tmp_path / "alerts"))
    close_database()
    # the dashboard; the figures and the document of 2024-Q2 (just ended), 2024-Q3's figures
    assert result["pages_kept"] == 4
    _forget()
    return database


@pytest.fixture
def no_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building a page fails from here on: what comes back was kept."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("built again")

    monkeypatch.setattr("dirtrack.dashboard._build", refuse)
    monkeypatch.setattr("dirtrack.review.build.quarter_table", refuse)


def _fresh(engine: Engine) -> tuple[dict[str, Any], Any, str]:
    """The dashboard, the review's figures and its document built now from the ledger."""
    from dirtrack.dashboard import _build

    board = _build(engine, AS_OF, None).as_json()
    review = build_review(engine, JURISDICTION, Q2, AS_OF, fresh=True)
    made = board, figures_of(review), str(render(review, "html"))
    _forget()
    return made


def _kept(engine: Engine) -> tuple[dict[str, Any], Any, str]:
    return (pages_kept.dashboard(engine, AS_OF).as_json(),
            review_figures(engine, JURISDICTION, Q2, AS_OF),
            review_document(engine, JURISDICTION, Q2, AS_OF))


@pytest.fixture
def browser(checked: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The web app, a steering user signed in."""
    from fastapi.testclient import TestClient

    from dirtrack.users import add_user
    from dirtrack.web.app import create_app

    monkeypatch.setenv("DIRTRACK_SECRET_KEY", "test-signing-key-pages-kept")
    add_user(checked, "bch.thuongtruc", "steering", None, PASSWORD)
    app = create_app(db_url)
    client = TestClient(app, follow_redirects=False)
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    assert client.post("/login", data={"name": "bch.thuongtruc", "password": PASSWORD,
                                       "csrf": csrf.group(1), "next": "/"}).status_code == 303
    yield client
    app.state.engine.dispose()


def _cards(html: str) -> dict[str, int]:
    tree = lxml.html.fromstring(html)
    return {c.get("data-category"): int(c.xpath('./div[@class="n"]')[0].text_content())
            for c in tree.xpath('//div[@id="categories"]/div')}


def _league(html: str) -> list[list[str]]:
    [table] = lxml.html.fromstring(html).xpath('//table[@id="league"]')
    return [[" ".join(td.text_content().split()) for td in tr.xpath("./td")]
            for tr in table.xpath("./tbody/tr")]


def test_after_the_flow_the_pages_are_what_it_kept_and_equal_a_fresh_build(checked, request):
    expected = _fresh(checked)

    request.getfixturevalue("no_building")
    board, figures, document = _kept(checked)

    assert board == expected[0]
    assert figures == expected[1]
    assert document == expected[2]
    # the quarter's figures as the document words them, and the successor's line
    assert figures.summary.quarter == "quý II năm 2024"
    c4 = next(u for u in figures.league if u.unit == "c4")
    assert (c4.carried_days, c4.carried_from) == (
        next(u for u in build_review(checked, JURISDICTION, Q2, AS_OF).overall.by_unit
             if u.unit == "c4").carried_days, ["Xã Ba"])


def test_the_first_request_of_the_day_reads_the_pages_the_flow_kept(browser, checked, request):
    board, figures, _ = _fresh(checked)
    request.getfixturevalue("no_building")

    dashboard = browser.get(f"/dashboard?{PAGE}")
    review = browser.get(f"/reviews?{PAGE}")

    assert dashboard.status_code == 200, dashboard.text
    assert _cards(dashboard.text) == {k: board["totals"][k] for k in _cards(dashboard.text)}
    assert [r[1] for r in _league(dashboard.text)] == [u.name for u in figures.league]
    assert review.status_code == 200, review.text
    assert "quý II năm 2024" in review.text


def _label(html: str) -> str | None:
    found = lxml.html.fromstring(html).xpath('//p[@id="counted-at"]')
    return " ".join(found[0].text_content().split()) if found else None


def _counted(engine: Engine, *pages: str) -> str:
    """The label a page shows while the oldest of its kept ``pages`` is built anew: the
    time it was counted, in Vietnam's time."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from dirtrack.store.tables import PageSnapshotRow

    table = PageSnapshotRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        times = conn.execute(select(table.c.built_at).where(
            table.c.page.in_(pages), table.c.as_of == AS_OF)).scalars().all()
    oldest = min(snapshot.instant(t) for t in times).replace(tzinfo=UTC)
    local = oldest.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    return (f"Số liệu tính đến {local:%H:%M} ngày {local:%d/%m/%Y}; đang cập nhật. Tải lại "
            "trang sau ít phút để xem số liệu mới.")


def test_after_an_event_that_day_the_pages_show_the_kept_figures_with_their_time_then_the_new(
        browser, checked, request, monkeypatch):
    # a province large enough that its pages are built in the background
    monkeypatch.setenv(BELOW, "0")
    before = _kept(checked)
    page_before = browser.get(f"/dashboard?{PAGE}").text
    review_before = browser.get(f"/reviews?{PAGE}").text
    assert _label(page_before) is None and _label(review_before) is None
    label = _counted(checked, "dashboard", "review-figures")
    review_label = _counted(checked, "review-document")

    record(checked, "summary", "done", AS_OF, unit="d1")  # reported on the flow's day

    # at once: the figures kept in the morning, saying when they were counted
    page_during = browser.get(f"/dashboard?{PAGE}").text
    review_during = browser.get(f"/reviews?{PAGE}").text
    assert _label(page_during) == label
    assert _cards(page_during) == _cards(page_before)
    assert _label(review_during) == review_label

    # built anew in the background and kept: then the page follows the ledger, unlabelled
    assert pages_kept.settle()
    page_after = browser.get(f"/dashboard?{PAGE}").text
    review_after = browser.get(f"/reviews?{PAGE}").text
    assert _label(page_after) is None and _label(review_after) is None
    assert _cards(page_after)["done_late"] == _cards(page_before)["done_late"] + 1
    assert _cards(page_after)["open_overdue"] == _cards(page_before)["open_overdue"] - 1
    expected = _fresh(checked)
    request.getfixturevalue("no_building")
    after = _kept(checked)
    assert after == expected
    assert after[0]["totals"]["done_late"] == before[0]["totals"]["done_late"] + 1
    assert after[2] != before[2]


def _highest_instance(engine):
    from sqlalchemy import func, select

    from dirtrack.store.tables import InstanceRow

    with engine.connect() as conn:
        return conn.execute(select(func.max(InstanceRow.pk))).scalar_one()


@pytest.mark.parametrize(("margin", "labelled"), [(1, False), (0, True)])
def test_below_the_setting_s_number_of_instances_a_page_is_built_in_the_request(
        browser, checked, monkeypatch, margin, labelled):
    # DIRTRACK_PAGES_REBUILT_IN_REQUEST_BELOW: with fewer instances than it says, the
    # report shows at once; with as many, the kept figures are labelled meanwhile
    monkeypatch.setenv(BELOW, str(_highest_instance(checked) + margin))
    before = _cards(browser.get(f"/dashboard?{PAGE}").text)
    label = _counted(checked, "dashboard", "review-figures")

    record(checked, "summary", "done", AS_OF, unit="d1")

    page = browser.get(f"/dashboard?{PAGE}").text
    if labelled:
        assert _label(page) == label and _cards(page) == before
    else:
        assert _label(page) is None
        assert _cards(page)["done_late"] == before["done_late"] + 1
        assert _cards(page)["open_overdue"] == before["open_overdue"] - 1
    assert pages_kept.settle()


def test_outside_the_web_pages_a_page_after_an_event_that_day_is_built_at_once(checked):
    before = _kept(checked)

    record(checked, "summary", "done", AS_OF, unit="d1")

    after = _kept(checked)
    assert after == _fresh(checked)
    assert after[0]["totals"]["done_late"] == before[0]["totals"]["done_late"] + 1


def test_a_page_another_worker_is_building_is_built_once_and_a_stale_claim_is_taken_over(
        checked, monkeypatch):
    monkeypatch.setenv(BELOW, "0")
    from datetime import datetime, timedelta

    from sqlalchemy import insert, update

    from dirtrack.store.tables import PageSnapshotRow

    table = PageSnapshotRow.__table__  # type: ignore[attr-defined]
    before = pages_kept.dashboard(checked, AS_OF)
    record(checked, "summary", "done", AS_OF, unit="d1")
    # another worker of ``serve --workers 2`` started building the dashboard a moment ago
    with checked.begin() as conn:
        conn.execute(insert(table).values(page="rebuilding", question="dashboard|",
                                          as_of=AS_OF, built_at=datetime.now(UTC), data=""))

    shown = pages_kept.dashboard(checked, AS_OF, wait=False)
    assert pages_kept.settle()
    again = pages_kept.dashboard(checked, AS_OF, wait=False)

    assert shown.counted_at is not None and again.counted_at == shown.counted_at
    assert again.value.as_json() == before.as_json()  # this process left it to the other

    # that worker stopped without finishing: its claim, old, is taken over
    with checked.begin() as conn:
        conn.execute(update(table).where(table.c.page == "rebuilding").values(
            built_at=datetime.now(UTC) - timedelta(hours=1)))
    assert pages_kept.dashboard(checked, AS_OF, wait=False).counted_at is not None
    assert pages_kept.settle()
    now = pages_kept.dashboard(checked, AS_OF, wait=False)
    assert now.counted_at is None
    assert now.value.as_json() == _fresh(checked)[0]
    assert now.value.totals.done_late == before.totals.done_late + 1


def test_events_dated_after_the_pages_date_leave_them_standing(checked, request):
    expected = _fresh(checked)
    record_later_events(checked)

    request.getfixturevalue("no_building")
    assert _kept(checked) == expected


def test_an_alert_withdrawn_after_the_pages_were_kept_leaves_the_dashboard_at_once(checked):
    from sqlalchemy import select, update

    from dirtrack.store.tables import InstanceRow, OutboxRow

    outbox, instance = OutboxRow.__table__, InstanceRow.__table__  # type: ignore[attr-defined]
    before = pages_kept.dashboard(checked, AS_OF).as_json()
    item = next(o for o in before["overdue"] if o["escalation_step"])

    # as the deadline check withdraws an alert not yet sent whose task was done since
    with checked.begin() as conn:
        conn.execute(update(outbox).where(outbox.c.instance_pk == select(instance.c.pk).where(
            instance.c.key == item["id"]).scalar_subquery()).values(status="cancelled"))

    after = pages_kept.dashboard(checked, AS_OF).as_json()
    assert after == _fresh(checked)[0]
    assert next(o for o in after["overdue"] if o["id"] == item["id"])["escalation_step"] is None
