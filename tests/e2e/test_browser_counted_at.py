"""In a real browser: after a unit reports done on the pages' date, the dashboard and the
review page show the figures kept before, saying when they were counted and that they
are being updated; reloaded once the server has built them anew, they show the report,
unlabelled.

The server holds the demo directives loaded as of 15/04/2024 (browser_support). The
label's time is the real clock's (when the figures were counted), in Vietnam's time.
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.browser_support import (
    DESKTOP,
    STEERING,
    PageWatch,
    Shots,
    browser_db_url,
    chromium,
    counts,
    keep_log,
    login,
    until_current,
    web_server,
)

__all__ = ["browser_db_url", "chromium", "web_server"]  # fixtures used by name

pytestmark = pytest.mark.slow
QUARTER = "jurisdiction=ninh-binh&quarter=2024-Q2&as_of=01/07/2024"
LABEL = re.compile(r"Số liệu tính đến (\d\d):(\d\d) ngày (\d\d)/(\d\d)/(\d{4}); đang cập "
                   r"nhật\. Tải lại trang sau ít phút để xem số liệu mới\.")


def _counted_at(text: str) -> datetime:
    found = LABEL.fullmatch(text.strip())
    assert found, text
    hour, minute, day, month, year = map(int, found.groups())
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_after_a_report_the_pages_show_the_kept_figures_with_their_time_then_the_new(
        web_server: Any, chromium: Any, browser_db_url: str) -> None:
    base = web_server.base
    prefix = "postgresql" if browser_db_url.startswith("postgres") else "sqlite"
    shots, watch = Shots(f"{prefix}-counted-at"), PageWatch()
    dashboard, reviews = f"{base}/dashboard?{QUARTER}", f"{base}/reviews?{QUARTER}"
    try:
        context = chromium.new_context(viewport=DESKTOP, locale="vi-VN")
        context.set_default_timeout(30_000)
        boss = watch.attach(context.new_page())
        login(boss, base, STEERING)
        boss.goto(reviews)  # built and kept now
        assert boss.locator("#counted-at").count() == 0
        boss.goto(dashboard)
        assert boss.locator("#counted-at").count() == 0
        before = counts(boss)
        kept_at = datetime.now(UTC)

        web_server.cli("done", "nb-2024-q2/book-select-models@kim-son", "--unit", "kim-son",
                       "--on", "2024-07-01")

        boss.goto(dashboard)
        label = boss.locator("#counted-at")
        assert label.is_visible()
        assert abs(_counted_at(label.inner_text()) - kept_at) < timedelta(minutes=3)
        assert counts(boss) == before  # the figures it says it counted then
        shots.take(boss, "dashboard-counted-at", "desktop")
        boss.goto(reviews)
        assert boss.locator("#counted-at").is_visible()
        assert abs(_counted_at(boss.locator("#counted-at").inner_text()) - kept_at) < \
            timedelta(minutes=3)
        shots.take(boss, "review-counted-at", "desktop")

        boss.goto(dashboard)
        until_current(boss)
        after = counts(boss)
        assert after["done_late"] + after["done_on_time"] == \
            before["done_late"] + before["done_on_time"] + 1
        assert after["open_overdue"] + after["open_on_time"] == \
            before["open_overdue"] + before["open_on_time"] - 1
        boss.goto(reviews)
        until_current(boss)
        shots.take(boss, "review-updated", "desktop")
        assert watch.problems == []
    finally:
        keep_log(web_server, f"{prefix}-counted-at")
