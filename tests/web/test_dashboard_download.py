"""The dashboard's download of the task list as an Excel sheet: the sheet of ``dirtrack
tasks --format xlsx`` for the dashboard's filters (date, directive), read back with
openpyxl; an officer's download holds their own unit's tasks only.

Figures by hand (the Ninh Bình demo loaded on 2024-04-15, nothing recorded since):
nb-2024-q2 has 154 task instances; as of 2 June 2024 its Điện Biên Phủ plan (due 22
April, led by the propaganda department) is 41 days overdue; the propaganda
department leads five open tasks (see test_calendar_feed.py).
"""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from .conftest import error_message
from .support import run_cli

HEAD = ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn",
        "Tình trạng", "Số ngày quá hạn", "Ngày hoàn thành", "Sản phẩm", "Mã nhiệm vụ"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(content: bytes):  # type: ignore[no-untyped-def]
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _values(sheet) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("role", ["steering", "viewer"])
def test_the_dashboards_download_is_the_task_sheet_of_its_filters(shared_site, role, tmp_path):
    browser = shared_site.browser(role)
    page = browser.get("/dashboard?as_of=02/06/2024&directive=nb-2024-q2")
    assert ('href="/dashboard/tasks.xlsx?as_of=2024-06-02&amp;directive=nb-2024-q2"'
            in page.text)

    answer = browser.get("/dashboard/tasks.xlsx?as_of=2024-06-02&directive=nb-2024-q2")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == XLSX
    assert answer.headers["content-disposition"] == (
        'attachment; filename="nhiem-vu-nb-2024-q2-2024-06-02.xlsx"')
    sheet = _sheet(answer.content)
    rows = _values(sheet)
    assert rows[0] == HEAD
    assert len(rows) == 1 + 154
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J155"
    plan = next(r for r in rows if r[9] == "nb-2024-q2/dien-bien-phu/plan")
    assert plan[2:8] == ["Ban Tuyên giáo Tỉnh ủy", plan[3], datetime(2024, 4, 22),
                         "Chưa hoàn thành, quá hạn", 41, None]
    # The same sheet as the command line's, cell for cell.
    out = tmp_path / "tasks.xlsx"
    run = run_cli(shared_site.url, "tasks", "--directive", "nb-2024-q2", "--as-of",
                  "2024-06-02", "--format", "xlsx", "--out", str(out))
    assert run.exit_code == 0, run.output
    assert _values(openpyxl.load_workbook(out).active) == rows


def test_an_officers_download_holds_only_their_units_tasks(shared_site):
    browser = shared_site.browser("lead")
    inbox = browser.get("/inbox?as_of=02/06/2024")
    assert 'href="/dashboard/tasks.xlsx?as_of=2024-06-02"' in inbox.text

    answer = browser.get("/dashboard/tasks.xlsx?as_of=2024-06-02&directive=nb-2024-q2")

    rows = _values(_sheet(answer.content))
    assert answer.headers["content-disposition"] == (
        'attachment; filename="nhiem-vu-nb-2024-q2-2024-06-02.xlsx"')
    assert [(r[0], r[9], r[4], r[6]) for r in rows[1:]] == [
        (1, "nb-2024-q2/dien-bien-phu/plan", datetime(2024, 4, 22), 41),
        (2, "nb-2024-q2/dien-bien-phu/ceremony", datetime(2024, 5, 7), 26),
        (3, "nb-2024-q2/dien-bien-phu/propaganda", datetime(2024, 5, 7), 26),
        (4, "nb-2024-q2/dien-bien-phu/summary", datetime(2024, 5, 21), 12),
        (5, "nb-2024-q2/admin-units-propaganda", datetime(2024, 7, 31), None)]
    assert {r[2] for r in rows[1:]} == {"Ban Tuyên giáo Tỉnh ủy"}


def test_a_download_of_an_unknown_directive_or_date_is_refused(shared_site):
    browser = shared_site.browser("steering")
    unknown = browser.get("/dashboard/tasks.xlsx?directive=nb-2099")
    bad_day = browser.get("/dashboard/tasks.xlsx?as_of=31/02/2024")

    assert unknown.status_code == 404
    assert error_message(unknown.text) == "no directive 'nb-2099'; loaded directives: nb-2024-q2"
    assert (bad_day.status_code, error_message(bad_day.text)) == (
        422, "'31/02/2024' is not a date; write it as dd/mm/yyyy")
    anonymous = shared_site.browser().get("/dashboard/tasks.xlsx")
    assert (anonymous.status_code, anonymous.headers["location"]) == (
        303, "/login?next=/dashboard/tasks.xlsx")
