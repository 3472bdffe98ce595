"""Units answer back in a real browser: the Kim Sơn officer asks for more time on an
overdue task, withdraws the request, asks again and records a difficulty; the steering
committee sees both on the dashboard and refuses the request with a reason. The same
server and clock as test_browser.py (1 August 2024 in Hanoi; the task was due
15/07/2024)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser_support import (
    DESKTOP,
    ISSUER,
    OFFICER,
    STEERING,
    PageWatch,
    Shots,
    browser_db_url,
    chromium,
    login,
    until_current,
    web_server,
)

__all__ = ["browser_db_url", "chromium", "web_server"]  # fixtures used by name

TASK = "nb-2024-q2/people-situation@kim-son"
REASON = "Chờ số liệu của các xã sau đợt mưa lũ"
DIFFICULTY = "Thiếu cán bộ tổng hợp số liệu ở 3 xã ven biển"
REFUSAL = "Đề nghị hoàn thành ngay, không gia hạn"
WITHDRAWAL = "Đã nhận đủ số liệu, rút đề nghị"

pytestmark = pytest.mark.slow


def _page(browser: Any, watch: PageWatch) -> Any:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(15_000)
    return watch.attach(context.new_page())


def test_officer_asks_and_records_a_difficulty_steering_refuses(web_server: Any, chromium: Any,
                                                                 browser_db_url: str) -> None:
    base = web_server.base
    shots = Shots(("postgresql" if browser_db_url.startswith("postgres") else "sqlite")
                  + "-answers")
    watch = PageWatch()

    officer = _page(chromium, watch)
    login(officer, base, OFFICER)
    officer.goto(f"{base}/tasks/{TASK}")
    ask = officer.locator(f"form[action='/tasks/{TASK}/request-extension']")
    ask.locator("#asked").fill("31/08/2024")
    ask.locator("#why").fill(REASON)
    with officer.expect_navigation():
        ask.locator("button[type=submit]").click()
    assert officer.locator(".flash").inner_text() == "Đã ghi nhận."
    assert officer.locator(f"form[action='/tasks/{TASK}/request-extension']").count() == 0
    assert "Đã đề nghị gia hạn, chờ trả lời: 31/08/2024" in officer.inner_text("main")
    withdraw = officer.locator(f"form[action='/tasks/{TASK}/withdraw-extension']")
    withdraw.locator("#wnote").fill(WITHDRAWAL)
    with officer.expect_navigation():
        withdraw.locator("button[type=submit]").click()
    last = officer.locator("ol.history li").last.inner_text()
    assert "rút đề nghị gia hạn" in last and WITHDRAWAL in last
    assert officer.locator(f"form[action='/tasks/{TASK}/withdraw-extension']").count() == 0
    ask = officer.locator(f"form[action='/tasks/{TASK}/request-extension']")
    ask.locator("#asked").fill("31/08/2024")
    ask.locator("#why").fill(REASON)
    with officer.expect_navigation():
        ask.locator("button[type=submit]").click()
    assert "Đã đề nghị gia hạn, chờ trả lời: 31/08/2024" in officer.inner_text("main")
    hard = officer.locator(f"form[action='/tasks/{TASK}/difficulty']")
    hard.locator("#hard").fill(DIFFICULTY)
    with officer.expect_navigation():
        hard.locator("button[type=submit]").click()
    history = officer.locator("ol.history").inner_text()
    assert "đề nghị gia hạn → 31/08/2024" in history and DIFFICULTY in history
    shots.take(officer, "officer-asked", "desktop")

    boss = _page(chromium, watch)
    login(boss, base, STEERING)
    assert REASON in boss.locator("#requests").inner_text()
    assert "Huyện Kim Sơn" in boss.locator("#requests").inner_text()
    assert DIFFICULTY in boss.locator("#difficulties").inner_text()
    shots.take(boss, "dashboard-answers", "desktop")
    with boss.expect_navigation():
        boss.locator(f"#requests a[href='/tasks/{TASK}']").click()
    refuse = boss.locator(f"form[action='/tasks/{TASK}/refuse-extension']")
    refuse.locator("#refusal").fill(REFUSAL)
    with boss.expect_navigation():
        refuse.locator("button[type=submit]").click()
    assert boss.locator(".flash").inner_text() == "Đã ghi nhận."
    assert boss.locator(f"form[action='/tasks/{TASK}/refuse-extension']").count() == 0
    last = boss.locator("ol.history li").last.inner_text()
    assert "không chấp thuận gia hạn" in last and REFUSAL in last
    boss.goto(f"{base}/dashboard")
    # The refusal is that day's: the dashboard shows its kept figures, labelled with their
    # time, until they are counted anew
    until_current(boss)
    assert boss.locator("#requests").count() == 0
    assert DIFFICULTY in boss.locator("#difficulties").inner_text()
    assert watch.problems == []


def test_the_issuing_unit_finds_the_request_in_its_inbox_and_grants_it(
        web_server: Any, chromium: Any, browser_db_url: str) -> None:
    base = web_server.base
    watch = PageWatch()
    officer = _page(chromium, watch)
    login(officer, base, OFFICER)
    officer.goto(f"{base}/tasks/{TASK}")
    ask = officer.locator(f"form[action='/tasks/{TASK}/request-extension']")
    ask.locator("#asked").fill("31/08/2024")
    ask.locator("#why").fill(REASON)
    with officer.expect_navigation():
        ask.locator("button[type=submit]").click()

    issuer = _page(chromium, watch)
    login(issuer, base, ISSUER)  # an officer lands on the inbox
    waiting = issuer.locator("#requests-to-answer")
    assert "Huyện Kim Sơn" in waiting.inner_text() and "31/08/2024" in waiting.inner_text()
    with issuer.expect_navigation():
        waiting.locator(f"a[href='/tasks/{TASK}']").click()
    grant = issuer.locator(f"form[action='/tasks/{TASK}/extend']")
    assert grant.locator("#granted").input_value() == "31/08/2024"
    grant.locator("#gdecision").fill("QĐ 131/QĐ-BTV")
    with issuer.expect_navigation():
        grant.locator("button[type=submit]").click()

    assert issuer.locator(".flash").inner_text() == "Đã ghi nhận."
    last = issuer.locator("ol.history li").last.inner_text()
    assert "gia hạn → 31/08/2024" in last and "QĐ 131/QĐ-BTV" in last
    assert issuer.locator(f"form[action='/tasks/{TASK}/refuse-extension']").count() == 0
    issuer.goto(f"{base}/inbox")
    assert issuer.locator("#requests-to-answer").count() == 0
    assert watch.problems == []
