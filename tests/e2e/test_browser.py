"""The web app in a real browser: an officer reports an overdue task done with evidence,
the steering committee sees it on the dashboard and verifies it; English labels; a phone.

A real ``dirtrack serve`` runs over the demo directives loaded as of 15/04/2024. The app's
clock is pinned to 1 August 2024 in Hanoi (browser_support.NOW): 152 of the 154 Ninh Bình
plan's instances are overdue, two are due later, and so are the 68 monthly reports of the
34 communes that the load opened (April's and May's). Screenshots of each step, on a
desktop and on a phone, go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

try:  # tests/e2e is not a package; pytest puts this folder on sys.path
    from browser_support import (
        DESKTOP,
        OFFICER,
        PHONE,
        STEERING,
        TODAY,
        PageWatch,
        Shots,
        Steps,
        browser_db_url,
        chromium,
        counts,
        horizontal_overflow,
        keep_log,
        login,
        tiny_pdf,
        until_current,
        web_server,
        wider_than_viewport,
    )
except ModuleNotFoundError:  # pragma: no cover - if tests/e2e becomes a package
    from tests.e2e.browser_support import (  # type: ignore[no-redef]
        DESKTOP,
        OFFICER,
        PHONE,
        STEERING,
        TODAY,
        PageWatch,
        Shots,
        Steps,
        browser_db_url,
        chromium,
        counts,
        horizontal_overflow,
        keep_log,
        login,
        tiny_pdf,
        until_current,
        web_server,
        wider_than_viewport,
    )

__all__ = ["browser_db_url", "chromium", "web_server"]  # fixtures used by name

TASK = "nb-2024-q2/book-select-models@kim-son"
PHONE_TASK = "nb-2024-q2/people-situation@kim-son"
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.slow


def _page(browser: Any, watch: PageWatch, viewport: dict[str, int], **options: Any) -> Any:
    context = browser.new_context(viewport=viewport, locale="vi-VN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = watch.attach(context.new_page())

    def refused(message: Any) -> None:  # what the Content-Security-Policy blocked
        if message.type == "error" and "Content Security Policy" in message.text:
            watch.problems.append(f"{page.url}: {message.text}")

    page.on("console", refused)
    return page


def _check_fits(page: Any, what: str, problems: list[str]) -> None:
    """Note (not fail at once, so that the rest of the walk still runs) a page wider
    than the viewport, with the elements that stick out."""
    over = horizontal_overflow(page)
    if over:
        problems.append(f"{what} is {over}px wider than the {page.viewport_size['width']}px "
                        f"viewport; too wide: {wider_than_viewport(page)}")


def test_officer_reports_done_and_steering_verifies(web_server: Any, chromium: Any,
                                                    browser_db_url: str,
                                                    tmp_path: Path) -> None:
    base = web_server.base
    prefix = "postgresql" if browser_db_url.startswith("postgres") else "sqlite"
    shots, steps, watch = Shots(prefix), Steps(), PageWatch()
    layout: list[str] = []  # pages wider than a phone's screen
    evidence = tmp_path / "bien-ban-nghiem-thu.pdf"
    evidence.write_bytes(tiny_pdf())
    note = "Đã chọn 5 mô hình 'Dân vận khéo' tiêu biểu, gửi Ban Dân vận."
    try:
        # --- steering: the dashboard before anything is reported --------------------
        boss = _page(chromium, watch, DESKTOP)
        login(boss, base, STEERING)
        assert boss.url == f"{base}/dashboard"
        before = counts(boss)
        assert before == {"done_on_time": 0, "done_late": 0, "open_on_time": 2,
                          "open_overdue": 152 + 68, "cancelled": 0}
        assert boss.locator(f"#awaiting tr[data-task='{TASK}']").count() == 0
        shots.take(boss, "dashboard-before", "desktop")
        steps.mark("steering logs in, dashboard before")

        # --- officer: login lands on the inbox, overdue first -----------------------
        officer = _page(chromium, watch, DESKTOP)
        officer.goto(f"{base}/inbox")
        assert "/login" in officer.url  # not logged in: sent to the login page
        shots.take(officer, "login", "desktop")
        login(officer, base, OFFICER)
        assert officer.url == f"{base}/inbox"
        assert officer.locator("h1").inner_text().startswith("Nhiệm vụ của đơn vị")
        assert officer.locator("ul.tasklist").first.get_attribute("data-group") == "overdue"
        first = officer.locator("ul[data-group=overdue] li").first
        assert "open_overdue" in (first.get_attribute("class") or "")
        assert "ngày quá hạn" in first.inner_text()
        assert first.locator("a").get_attribute("href") == f"/tasks/{TASK}"  # the most overdue
        row = officer.locator("ul[data-group=overdue] li", has=officer.locator(
            f"a[href='/tasks/{TASK}']"))
        assert row.count() == 1
        shots.take(officer, "inbox", "desktop")
        steps.mark("officer logs in, inbox")

        # --- officer: open the task, mark it done with a note and a file ------------
        with officer.expect_navigation():
            row.locator(f"a[href='/tasks/{TASK}']").click()
        assert officer.url == f"{base}/tasks/{TASK}"
        assert officer.locator("p.id").inner_text() == TASK
        assert officer.locator("dl.facts .tag.open_overdue").count() == 1
        shots.take(officer, "task-open", "desktop")
        done_form = officer.locator(f"form[action='/tasks/{TASK}/done']")
        assert done_form.locator("#on").input_value() == TODAY  # prefilled
        done_form.locator("#dnote").fill(note)
        done_form.locator("#evidence").set_input_files(str(evidence))
        with officer.expect_navigation():
            done_form.locator("button[type=submit]").click()
        assert officer.url == f"{base}/tasks/{TASK}?ok=1"
        assert officer.locator(".flash").inner_text() == "Đã ghi nhận."
        assert officer.locator("dl.facts .tag.done_late").count() == 1
        assert officer.locator(f"form[action='/tasks/{TASK}/done']").count() == 0
        entry = officer.locator("ol.history li").last
        assert entry.inner_text().startswith(f"{TODAY} · báo cáo hoàn thành")
        assert note in entry.inner_text()
        link = entry.locator("a[href^='/evidence/']")
        assert link.inner_text() == evidence.name
        served = officer.request.get(base + link.get_attribute("href"))
        assert served.ok and served.body() == evidence.read_bytes()
        assert served.headers["content-type"].startswith("application/pdf")
        shots.take(officer, "task-done", "desktop")
        officer.goto(f"{base}/inbox")
        assert officer.locator(f"ul[data-group=overdue] a[href='/tasks/{TASK}']").count() == 0
        assert officer.locator(f"ul[data-group=finished] a[href='/tasks/{TASK}']").count() == 1
        steps.mark("officer marks the task done with evidence")

        # --- steering: counts moved, the task waits for verification ----------------
        boss.reload()  # the figures kept before, labelled with their time, at first
        if boss.locator("#counted-at").count():
            assert counts(boss) == before
        until_current(boss)
        after = counts(boss)
        assert after["open_overdue"] == before["open_overdue"] - 1
        assert after["done_late"] == before["done_late"] + 1
        assert sum(after.values()) == sum(before.values())
        waiting = boss.locator(f"#awaiting tr[data-task='{TASK}']")
        assert waiting.count() == 1
        assert "Huyện Kim Sơn" in waiting.inner_text()
        shots.take(boss, "dashboard-after-done", "desktop")
        shots.part(boss.locator("#awaiting"), "dashboard-awaiting", "desktop")
        with boss.expect_navigation():
            waiting.locator("td").first.locator("a").click()
        assert boss.url == f"{base}/tasks/{TASK}"
        assert evidence.name in boss.locator("ol.history").inner_text()
        assert "✓" not in boss.locator("dl.facts dd").first.inner_text()
        assert "chờ xác nhận" in boss.locator("dl.facts dd").first.inner_text()
        shots.take(boss, "task-to-verify", "desktop")
        with boss.expect_navigation():
            boss.locator(f"form[action='/tasks/{TASK}/verify'] button[type=submit]").click()
        assert boss.locator(".flash").inner_text() == "Đã ghi nhận."
        assert "✓" in boss.locator("dl.facts dd").first.inner_text()
        assert boss.locator(f"form[action='/tasks/{TASK}/verify']").count() == 0
        assert "✓ đã xác nhận" in boss.locator("dl.facts dd").first.inner_text()
        assert "xác nhận" in boss.locator("ol.history li").last.inner_text()
        shots.take(boss, "task-verified", "desktop")
        boss.goto(f"{base}/dashboard")
        until_current(boss)
        assert boss.locator(f"#awaiting tr[data-task='{TASK}']").count() == 0
        assert counts(boss) == after
        steps.mark("steering sees the change and verifies")

        # --- the language switch ------------------------------------------------------
        with boss.expect_navigation():
            boss.get_by_role("link", name="English").click()
        assert boss.url == f"{base}/dashboard"
        assert boss.locator("html").get_attribute("lang") == "en"
        assert boss.locator("h1").inner_text() == "Dashboard"
        assert boss.get_by_role("button", name="Log out").count() == 1
        assert boss.get_by_role("link", name="Quarterly review").count() == 1
        assert "Open, overdue" in boss.locator(
            "#categories [data-category=open_overdue]").inner_text()
        assert boss.get_by_role("heading", name=re.compile(
            r"^Completions waiting for verification")).count() == 1
        shots.take(boss, "dashboard-english", "desktop")
        boss.goto(f"{base}/tasks/{TASK}")
        assert boss.get_by_role("heading", name="History").count() == 1
        with boss.expect_navigation():
            boss.get_by_role("link", name="Tiếng Việt").click()
        assert boss.locator("html").get_attribute("lang") == "vi"
        assert boss.get_by_role("heading", name="Lịch sử").count() == 1
        steps.mark("language switch")

        # --- a phone: inbox, task page and the done form fit and work ---------------
        phone = _page(chromium, watch, PHONE, is_mobile=True, has_touch=True,
                      device_scale_factor=2)
        phone.goto(f"{base}/login")
        shots.take(phone, "login", "phone")
        _check_fits(phone, "the login page", layout)
        login(phone, base, OFFICER)
        assert phone.url == f"{base}/inbox"
        shots.take(phone, "inbox", "phone")
        _check_fits(phone, "the inbox", layout)
        assert phone.locator("ul.tasklist").first.get_attribute("data-group") == "overdue"
        with phone.expect_navigation():
            phone.locator(f"a[href='/tasks/{PHONE_TASK}']").first.tap()
        shots.take(phone, "task-open", "phone")
        _check_fits(phone, "the task page", layout)
        form = phone.locator(f"form[action='/tasks/{PHONE_TASK}/done']")
        for field in ("#on", "#dnote", "#evidence", "button[type=submit]"):
            control = form.locator(field)
            control.scroll_into_view_if_needed()
            box = control.bounding_box()
            assert box is not None and box["width"] > 0, field
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (field, box)
        assert form.locator("button[type=submit]").bounding_box()["height"] >= 30
        form.locator("#dnote").tap()
        form.locator("#dnote").fill("Báo cáo tình hình Nhân dân đã gửi.")
        form.locator("#evidence").set_input_files(str(evidence))
        with phone.expect_navigation():
            form.locator("button[type=submit]").tap()
        assert phone.url == f"{base}/tasks/{PHONE_TASK}?ok=1"
        assert phone.locator(".flash").inner_text() == "Đã ghi nhận."
        assert phone.locator("ol.history li").last.locator("a[href^='/evidence/']").count() == 1
        shots.take(phone, "task-done", "phone")
        _check_fits(phone, "the task page after reporting", layout)
        steps.mark("officer on a phone")

        steering_phone = _page(chromium, watch, PHONE, is_mobile=True, has_touch=True,
                               device_scale_factor=2)
        login(steering_phone, base, STEERING)
        until_current(steering_phone)
        shots.take(steering_phone, "dashboard", "phone")
        shots.part(steering_phone.locator("#awaiting"), "dashboard-awaiting", "phone")
        _check_fits(steering_phone, "the dashboard", layout)
        assert steering_phone.locator(f"#awaiting tr[data-task='{PHONE_TASK}']").count() == 1
        # the columns a committee member decides by stay on a phone, within the screen
        decide = steering_phone.locator(f"#awaiting tr[data-task='{PHONE_TASK}'] td.keep a")
        for element in (decide, *(steering_phone.locator(f"{t} thead th:nth-child({c})")
                                  for t, c in (("#overdue", 4), ("#league", 4)))):
            box = element.bounding_box()
            assert element.is_visible() and box is not None
            assert box["x"] + box["width"] <= PHONE["width"], box
            inside = element.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
            assert inside, "the text runs past its box"
        assert steering_phone.locator("#overdue thead th:nth-child(5)").is_visible()
        assert steering_phone.locator("#league thead th:nth-child(7)").is_visible()
        steering_phone.goto(f"{base}/tasks/{PHONE_TASK}")
        shots.take(steering_phone, "task-to-verify", "phone")
        _check_fits(steering_phone, "the task page of the steering committee", layout)
        steps.mark("steering on a phone")

        # --- the API's description, for other systems ---------------------------------
        boss.goto(f"{base}/docs")
        boss.locator(".opblock").first.wait_for()
        assert boss.locator(".opblock-summary-path", has_text="/api/tasks/{key}/done").count() == 1
        shots.take(boss, "api-docs", "desktop")
        steps.mark("the API description")

        # --- the quarterly review, its own style sheet within the page's policy ----------
        boss.goto(f"{base}/reviews?quarter=2024-Q2&as_of=01/07/2024")
        heading = boss.frame_locator("iframe.review").locator("h1").first
        # 15pt and centred by the review's own style sheet (a browser's default h1 is 2em,
        # left): the page's policy lets it apply
        assert heading.evaluate("e => [getComputedStyle(e).fontSize, "
                                "getComputedStyle(e).textAlign]") == ["20px", "center"]
        shots.take(boss, "review", "desktop")
        steps.mark("the quarterly review")

        assert layout == [], "\n".join(layout)
        assert watch.problems == []
    finally:
        keep_log(web_server, prefix)
        print(f"\nbrowser test timings ({prefix}):\n{steps.report()}")
