"""What day it is for the web app and the API: today in ``DIRTRACK_TIMEZONE``
(Asia/Ho_Chi_Minh by default), read from the pinned clock (tests/fixtures_clock.py).

The clock stands at 23:30 UTC on 1 June 2024: 06:30 on 2 June in Hanoi. A report sent
without a date, through the API or the task page's form, is dated 2024-06-02, and the
dashboard read without a date is as of 2024-06-02, where nb-2024-q2/planning-218 (due
31/05/2024) is two days overdue; with ``DIRTRACK_TIMEZONE=UTC`` it is 2024-06-01 and one
day.
"""

from __future__ import annotations

import re

import pytest

from ..fixtures_clock import HANOI_NEXT_DAY
from .conftest import TASK, csrf_of, version_of

PLANNING = "nb-2024-q2/planning-218"  # due 2024-05-31
ZONES = [pytest.param(None, "2024-06-02", "02/06/2024", 2, id="Asia/Ho_Chi_Minh"),
         pytest.param("UTC", "2024-06-01", "01/06/2024", 1, id="UTC")]


@pytest.mark.parametrize(("zone", "day", "shown", "late"), ZONES)
def test_a_report_sent_without_a_date_is_dated_today_in_the_configured_zone(
        site, clock, zone, day, shown, late):
    clock.set(HANOI_NEXT_DAY, zone)
    browser = site.browser("lead")

    by_api = site.api("lead").post(f"/api/tasks/{TASK}/progress", json={"percent": 30})
    form = re.search(rf'<form[^>]+action="/tasks/{re.escape(TASK)}/progress".*?</form>',
                     browser.get(f"/tasks/{TASK}").text, flags=re.S)
    assert form, "the task page has no progress form"
    by_page = browser.post(f"/tasks/{TASK}/progress", data={
        "csrf": csrf_of(form.group(0)), "version": version_of(form.group(0)), "percent": "60"})

    assert (by_api.status_code, by_api.json()) == (201, {
        "event_id": 1, "task": TASK, "kind": "progress", "effective_on": day, "version": 1})
    assert (by_page.status_code, by_page.headers["location"]) == (303, f"/tasks/{TASK}?ok=1")
    assert [(e["kind"], e["effective_on"].isoformat(), e["percent"])
            for e in site.events(TASK)] == [("progress", day, 30), ("progress", day, 60)]


@pytest.mark.parametrize(("zone", "day", "shown", "late"), ZONES)
def test_the_dashboard_read_without_a_date_is_as_of_today_in_the_configured_zone(
        shared_site, clock, zone, day, shown, late):
    clock.set(HANOI_NEXT_DAY, zone)

    board = shared_site.api("steering").get("/api/dashboard").json()
    task = shared_site.api("steering").get(f"/api/tasks/{PLANNING}").json()
    page = shared_site.browser("steering").get("/dashboard")

    assert board["as_of"] == day
    assert (task["task"]["status"], task["task"]["days_overdue"]) == ("open_overdue", late)
    assert re.findall(r'name="as_of" value="([^"]*)"', page.text) == [shown]
    row = re.search(rf'<tr><td><a href="/tasks/{PLANNING}">.*?</tr>', page.text, flags=re.S)
    assert row, "the dashboard does not list the overdue planning-218"
    assert re.findall(r'<td class="n">(\d+)</td>', row.group(0)) == [str(late)]
