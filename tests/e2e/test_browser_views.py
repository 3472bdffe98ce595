"""In a real browser: the dashboard shows the quarterly review's figures and downloads the
task list as Excel; an officer makes a calendar feed on the Calendar page, a calendar
app reads it with no login, and the feed ends when revoked.

The server holds the demo directives loaded as of 15/04/2024 (browser_support) and two
decisions recorded with the command line before the pages are read: the Tràng An
promotion extended from 23/06 to 30/09/2024 by decision 1025/QĐ-UBND on 10/06, and Kim
Sơn's book selection (a task of each district) reported done on 20/06, not verified.
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.browser_support import (
    DESKTOP,
    DIRTRACK,
    OFFICER,
    ROOT,
    STEERING,
    PageWatch,
    Shots,
    browser_db_url,
    chromium,
    keep_log,
    login,
    web_server,
)

__all__ = ["browser_db_url", "chromium", "web_server"]  # fixtures used by name

pytestmark = pytest.mark.slow
QUARTER = "jurisdiction=ninh-binh&quarter=2024-Q2&as_of=01/07/2024"


def _page(browser: Any, watch: PageWatch) -> Any:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", accept_downloads=True)
    context.set_default_timeout(15_000)
    return watch.attach(context.new_page())


def test_the_dashboard_shows_the_reviews_figures_and_downloads_the_sheet(
        web_server: Any, chromium: Any, browser_db_url: str) -> None:
    import openpyxl

    base = web_server.base
    prefix = "postgresql" if browser_db_url.startswith("postgres") else "sqlite"
    web_server.cli("extend", "nb-2024-q2/trang-an-promotion", "--to", "2024-09-30",
                   "--decision", "1025/QĐ-UBND", "--on", "2024-06-10")
    web_server.cli("done", "nb-2024-q2/book-select-models@kim-son", "--unit", "kim-son",
                   "--on", "2024-06-20")
    shots, watch = Shots(f"{prefix}-views"), PageWatch()
    try:
        boss = _page(chromium, watch)
        login(boss, base, STEERING)
        boss.goto(f"{base}/dashboard?{QUARTER}")
        review = boss.request.get(f"{base}/reviews/ninh-binh/2024-Q2.json?as_of=2024-07-01"
                                  ).json()
        section = boss.locator("#quarter-review")
        assert section.locator("h2").inner_text() == (
            "Số liệu báo cáo quý II năm 2024: Tỉnh Ninh Bình")
        headline = section.locator("p.headline").first.inner_text()
        assert (f"{len(review['plan_tasks'])} nhiệm vụ của kế hoạch; "
                f"{review['totals']['total']} lượt giao") in headline
        plan_rows = section.locator("#review-plan tbody tr:not(.group)")  # not the plans' heads
        assert plan_rows.count() == len(review["plan_tasks"])
        assert review["awaiting_verification"]["count"] == 1
        [waiting] = section.locator("#review-awaiting tbody tr").all()
        assert waiting.locator("td").all_inner_texts()[2:5] == ["1 huyện", "1",
                                                               "20/06/2024"]
        changes = section.locator("#review-changes tbody tr td")
        assert changes.all_inner_texts()[3:7] == ["1025/QĐ-UBND", "23/06/2024", "30/09/2024",
                                                  "10/06/2024"]
        shots.take(boss, "dashboard-review", "desktop")
        shots.part(section, "dashboard-review-section", "desktop")

        with boss.expect_download() as download:
            boss.locator("#download-xlsx").click()
        saved = download.value
        assert saved.suggested_filename == "nhiem-vu-tat-ca-2024-07-01.xlsx"
        sheet = openpyxl.load_workbook(io.BytesIO(Path(saved.path()).read_bytes())).active
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:J")
        keys = [row[9] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert "nb-2024-q2/book-select-models@kim-son" in keys
        assert watch.problems == []
    finally:
        keep_log(web_server, f"{prefix}-views")


def test_the_dashboards_league_table_shows_what_successors_took_over_apart(
        web_server: Any, chromium: Any, browser_db_url: str) -> None:
    """Hưng Yên's communes merge on 1 July 2025 and take over the open work of the
    communes they replace: the league table of the third quarter charges each successor
    its own days overdue and shows those its predecessors let pass in their own column,
    as the review does."""
    base = web_server.base
    prefix = "postgresql" if browser_db_url.startswith("postgres") else "sqlite"
    # The reorganisation, loaded on its day by an office whose clock reads October 2025
    # (the server's stays at 1 August 2024; the page is asked as of 1 October 2025).
    later = {**web_server.env(), "DIRTRACK_NOW": "2025-10-01T02:00:00+00:00"}
    done = subprocess.run([str(DIRTRACK), "load", "directives", "--on", "2025-07-01"],
                          cwd=ROOT, env=later, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    shots, watch = Shots(f"{prefix}-league"), PageWatch()
    try:
        boss = _page(chromium, watch)
        login(boss, base, STEERING)
        boss.goto(f"{base}/dashboard?jurisdiction=hung-yen&quarter=2025-Q3&as_of=01/10/2025")
        units = boss.request.get(f"{base}/reviews/hung-yen/2025-Q3.json?as_of=2025-10-01"
                                 ).json()["by_unit"]
        league = boss.locator("#league")
        assert league.locator("thead th").all_inner_texts()[-2:] == [
            "Số ngày quá hạn", "Chuyển từ đơn vị trước"]
        rows = league.locator("tbody tr")
        assert rows.count() == min(len(units), 50)
        shown = 0
        for i, u in enumerate(units[:50]):
            cells = rows.nth(i).locator("td").all_inner_texts()
            carried = u["carried_over"]
            assert cells[1] == u["name"]
            assert cells[7] == str(u["overdue_days"])
            assert cells[8] == (f"{carried['days']} ngày quá hạn trước khi tiếp nhận, từ "
                                f"{', '.join(carried['from'])}" if carried["days"] else "–")
            shown += bool(carried["days"])
        assert shown > 0, "no successor with work carried over in the table"
        league.scroll_into_view_if_needed()
        shots.part(league, "dashboard-league-carried-over", "desktop")
        assert watch.problems == []
    finally:
        keep_log(web_server, f"{prefix}-league")


def test_an_officer_makes_a_calendar_feed_and_revokes_it(
        web_server: Any, chromium: Any, browser_db_url: str) -> None:
    from icalendar import Calendar

    base = web_server.base
    prefix = "postgresql" if browser_db_url.startswith("postgres") else "sqlite"
    shots, watch = Shots(f"{prefix}-calendar"), PageWatch()
    try:
        officer = _page(chromium, watch)
        login(officer, base, OFFICER)
        with officer.expect_navigation():
            officer.get_by_role("link", name="Lịch").click()
        assert officer.locator("#feed-state").inner_text() == "Anh/chị chưa có địa chỉ lịch."
        with officer.expect_navigation():
            officer.get_by_role("button", name="Tạo địa chỉ lịch").click()
        address = officer.locator("#address").input_value()
        assert address.startswith(f"{base}/calendar/cal_") and address.endswith(".ics")
        shots.take(officer, "calendar-made", "desktop")

        feed = httpx.get(address, timeout=10)  # a calendar app: no cookie
        assert feed.status_code == 200
        events = Calendar.from_ical(feed.content).walk("VEVENT")
        assert events and all(isinstance(e.decoded("DTSTART"), date) for e in events)
        assert {a.decoded("TRIGGER") for e in events for a in e.walk("VALARM")} == {
            timedelta(days=-3, hours=8)}

        officer.goto(f"{base}/calendar")
        with officer.expect_navigation():
            officer.get_by_role("button", name="Thu hồi địa chỉ lịch").click()
        assert officer.locator("#feed-revoked").inner_text() == "Đã thu hồi địa chỉ lịch."
        assert httpx.get(address, timeout=10).status_code == 404
        shots.take(officer, "calendar-revoked", "desktop")
        assert watch.problems == []
    finally:
        keep_log(web_server, f"{prefix}-calendar")
