"""A user's calendar feed: made and revoked on the Calendar page (forms with CSRF) or with
``dirtrack user calendar``, read by a calendar app with no login, ended by a new
password or disabling the user, never written to a log.

The Ninh Bình demo loaded on 2024-04-15 and nothing recorded since: the propaganda
department (the ``lead`` officer's unit) leads five open tasks, read off the directive
and its anniversary template:

    dien-bien-phu/plan          due 2024-04-22
    dien-bien-phu/ceremony      due 2024-05-07
    dien-bien-phu/propaganda    due 2024-05-07
    dien-bien-phu/summary       due 2024-05-21
    admin-units-propaganda      due 2024-07-31

The ladder (directives/ninh-binh/escalation.yaml) reminds the lead 3 days before: one
alarm per event, at 08:00 three days before the deadline.
"""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from dirtrack.feeds import FEEDS
from dirtrack.users import digest, set_active, set_password
from tests.fixtures_clock import HANOI_NEXT_DAY

from .conftest import csrf_of, error_message, visible_text
from .support import run_cli, served

OPEN = [("nb-2024-q2/dien-bien-phu/plan", date(2024, 4, 22)),
        ("nb-2024-q2/dien-bien-phu/ceremony", date(2024, 5, 7)),
        ("nb-2024-q2/dien-bien-phu/propaganda", date(2024, 5, 7)),
        ("nb-2024-q2/dien-bien-phu/summary", date(2024, 5, 21)),
        ("nb-2024-q2/admin-units-propaganda", date(2024, 7, 31))]
ADDRESS = re.compile(r'value="(http://testserver/calendar/(cal_[A-Za-z0-9_-]+)\.ics)"')
NO_FEED = ("no calendar feed at this address; it may have been revoked: make a new one on "
           "the Calendar page")


def _make_feed(browser: TestClient) -> tuple[str, str]:
    """Press 'Tạo địa chỉ lịch' on the Calendar page; return the address shown, and its path."""
    page = browser.get("/calendar")
    made = browser.post("/calendar/new", data={"csrf": csrf_of(page.text)})
    assert made.status_code == 200, made.text
    assert made.headers["cache-control"] == "no-store"
    found = ADDRESS.search(made.text)
    assert found, visible_text(made.text)
    return found.group(1), found.group(1).removeprefix("http://testserver")


def _feed(site, path: str) -> tuple[int, bytes]:
    """What a calendar app gets at ``path``: no cookie, no token header."""
    answer = TestClient(site.app, raise_server_exceptions=False).get(path)
    return answer.status_code, answer.content


def _live_feeds(site) -> list[str]:
    with site.engine.connect() as conn:
        return list(conn.execute(select(FEEDS.c.token_hash)
                                 .where(FEEDS.c.revoked_at.is_(None))).scalars())


def test_a_unit_officer_makes_a_feed_and_a_calendar_app_reads_its_units_deadlines(site, clock):
    from icalendar import Calendar

    clock.set(HANOI_NEXT_DAY)  # 2 June 2024 in Hanoi, still 1 June in UTC
    browser = site.browser("lead")
    before = browser.get("/calendar")
    assert "Anh/chị chưa có địa chỉ lịch." in visible_text(before.text)
    assert '<a href="/calendar">Lịch</a>' in before.text  # in the menu

    address, path = _make_feed(browser)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    code, body = _feed(site, path)

    assert code == 200
    assert _live_feeds(site) == [digest(token)]  # kept as its hash, never itself
    calendar = Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Ban Tuyên giáo Tỉnh ủy: hạn nhiệm vụ"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    events = calendar.walk("VEVENT")
    assert [(str(e["UID"]), e.decoded("DTSTART")) for e in events] == [
        (f"{key}@dirtrack", due) for key, due in OPEN]
    assert all(e.decoded("DTEND") - e.decoded("DTSTART") == timedelta(days=1) for e in events)
    # Overdue as of Hanoi's day: 22 April to 2 June is 41 days (UTC's day would say 40).
    assert "Quá hạn 41 ngày (tính đến 02/06/2024)" in str(events[0]["DESCRIPTION"])
    alarms = [[a.decoded("TRIGGER") for a in e.walk("VALARM")] for e in events]
    assert alarms == [[timedelta(days=-3, hours=8)]] * 5
    assert str(events[4].walk("VALARM")[0]["DESCRIPTION"]).startswith("Còn 3 ngày đến hạn: ")
    page = visible_text(browser.get("/calendar").text)
    assert "Anh/chị đang có địa chỉ lịch, tạo ngày 02/06/2024." in page
    assert token not in page  # shown once only


def test_a_form_without_its_csrf_token_makes_or_revokes_nothing(site):
    browser = site.browser("lead")
    _, path = _make_feed(browser)

    made = browser.post("/calendar/new", data={"csrf": "forged"})
    revoked = browser.post("/calendar/revoke", data={})

    assert (made.status_code, revoked.status_code) == (403, 403)
    assert error_message(made.text).startswith("this form has expired or did not come from")
    assert len(_live_feeds(site)) == 1
    assert _feed(site, path)[0] == 200


def test_a_revoked_a_replaced_or_a_wrong_address_is_404_and_does_not_echo_the_token(site):
    browser = site.browser("lead")
    _, first = _make_feed(browser)
    _, second = _make_feed(browser)  # a new address ends the old one
    assert (_feed(site, first)[0], _feed(site, second)[0]) == (404, 200)

    page = browser.get("/calendar")
    revoked = browser.post("/calendar/revoke", data={"csrf": csrf_of(page.text)})

    assert "Đã thu hồi địa chỉ lịch." in visible_text(revoked.text)
    assert "Anh/chị chưa có địa chỉ lịch." in visible_text(revoked.text)
    assert _live_feeds(site) == []
    for path in (first, second, "/calendar/cal_never-made.ics", "/calendar/dt_x.ics"):
        code, body = _feed(site, path)
        assert (code, body.decode()) == (404, NO_FEED + "\n")  # nothing of the address


def test_a_new_password_or_disabling_the_user_ends_the_feed_for_good(site):
    browser = site.browser("lead")
    _, path = _make_feed(browser)
    set_password(site.engine, site.name("lead"), "một mật khẩu mới 2026")
    assert _feed(site, path)[0] == 404

    _, path = _make_feed(site.browser("other"))
    set_active(site.engine, site.name("other"), False)
    assert _feed(site, path)[0] == 404
    set_active(site.engine, site.name("other"), True)
    assert _feed(site, path)[0] == 404  # enabling again does not revive it
    assert _live_feeds(site) == []


def test_a_login_of_no_unit_is_told_why_it_has_no_feed(site):
    browser = site.browser("steering")
    page = browser.get("/calendar")

    assert ("Lịch liệt kê hạn nhiệm vụ của một đơn vị; tài khoản này không thuộc đơn vị nào."
            in visible_text(page.text))
    refused = browser.post("/calendar/new", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 422
    assert error_message(refused.text) == (
        "user 'bch.thuongtruc' belongs to no unit, and a calendar feed lists a unit's "
        "deadlines; use a unit officer's login, or 'dirtrack ics --unit UNIT' for any unit")
    assert _live_feeds(site) == []


def test_the_calendar_page_needs_a_login(site):
    answer = site.browser().get("/calendar")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=/calendar")


def test_the_command_gives_and_revokes_a_feed(site, tmp_path):
    name = site.name("coordinating")
    made = run_cli(site.url, "user", "calendar", name, "--base-url", "https://lich.example.vn/")
    url = made.stdout.strip()

    assert made.exit_code == 0, made.output
    assert re.fullmatch(r"https://lich\.example\.vn/calendar/cal_[A-Za-z0-9_-]{43}\.ics", url)
    code, body = _feed(site, url.removeprefix("https://lich.example.vn"))
    assert code == 200 and b"X-WR-CALNAME:" in body
    revoked = run_cli(site.url, "user", "calendar", name, "--revoke")
    assert (revoked.exit_code, revoked.stdout) == (0, f"1 calendar feed of {name} revoked\n")
    assert _feed(site, url.removeprefix("https://lich.example.vn"))[0] == 404


@pytest.mark.parametrize(("args", "message"), [
    (("user", "calendar", "bch.thuongtruc"),
     "error: user 'bch.thuongtruc' belongs to no unit, and a calendar feed lists a unit's "
     "deadlines; use a unit officer's login, or 'dirtrack ics --unit UNIT' for any unit"),
    (("user", "calendar", "nobody"), "error: no user 'nobody'; add it with 'dirtrack user add'"),
    (("user", "calendar", "thanhtra.xem", "--base-url", "lich.example.vn"),
     "error: --base-url 'lich.example.vn' is not a web address; give it as "
     "https://host[:port]"),
])
def test_the_command_refuses_in_one_line_and_makes_nothing(shared_site, args, message):
    run = run_cli(shared_site.url, *args)
    assert (run.exit_code, run.stderr.strip()) == (1, message)
    assert _live_feeds(shared_site) == []


def test_the_feeds_token_is_not_in_the_servers_access_log(site):
    browser = site.browser("lead")
    _, path = _make_feed(browser)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    with served(site.app) as base:
        access = logging.getLogger("uvicorn.access")
        keep, level = Keep(), access.level
        access.addHandler(keep)
        access.setLevel(logging.INFO)
        try:
            with urllib.request.urlopen(base + path) as answer:
                assert answer.status == 200
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(base + "/calendar/cal_wrong-guess.ics")
        finally:
            access.removeHandler(keep)
            access.setLevel(level)

    assert len(lines) == 2, lines
    assert all('"GET /calendar/….ics HTTP/1.1"' in line for line in lines), lines
    assert not any(token in line or "wrong-guess" in line for line in lines)
