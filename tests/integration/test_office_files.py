"""Office files in and out, on SQLite and PostgreSQL: a Word appendix imported, loaded and
tracked; a revised plan imported again; the task list as Excel; a unit's calendar.

The plan is the corpus's Ninh Bình appendix (tests/imports/cases.py: Plan No.
18-KH/BDVTU of 5 July 2024): 46 instances, among them
  van-dong-nhan-dan-hien-dat-gop@<district>  due 2024-09-30 (Quý III/2024)
  so-ket-6-thang-phong-trao-thi              Ban Dân vận, due issued + 15wd = 2024-07-26
  tong-hop-bieu-duong-cac-mo-hinh            Ban Dân vận, so-ket + 10wd = 2024-08-09
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.imports import cases

PLAN = "18-kh-bdvtu-2024"
TARGET = "directives/ninh-binh/ke-hoach-18.yaml"


def _import(cli, project: Path, revised: bool = False, *extra: str):
    (project / "plans").mkdir(exist_ok=True)
    plan = cases.build_word_plain(project / "plans", revised=revised)
    return cli("import", f"plans/{plan.name}", "--jurisdiction", "ninh-binh", "--out", TARGET,
               *extra)


@pytest.fixture
def tracked(cli, project):
    """The plan imported into the Ninh Bình folder and loaded on its issue date."""
    assert _import(cli, project).exit_code == 0
    run = cli("load", "directives/ninh-binh", "--on", "2024-07-05")
    assert run.exit_code == 0, run.stderr
    return cli


def test_an_imported_plan_validates_loads_and_is_tracked(cli, project):
    imported = _import(cli, project)
    validated = cli("validate", "directives/ninh-binh")
    loaded = cli("load", "directives/ninh-binh", "--on", "2024-07-05")
    listed = cli("tasks", "--directive", PLAN, "--unit", "kim-son", "--as-of", "2024-10-01")

    assert imported.exit_code == 0, imported.stderr
    assert imported.stderr == "6 task(s) read from plans/ke-hoach-18.docx; nothing to fix\n"
    assert validated.stdout == ("ok: 1 jurisdiction(s), 3 directive(s), 302 task instance(s), "
                                "0 warning(s)\n")
    # On 5 July every monthly report of April to June (3 x 34 communes) exists.
    assert loaded.stdout.splitlines() == ["nb-2024-reports: new, 102 task instance(s)",
                                          "nb-2024-q2: new, 154 task instance(s)",
                                          f"{PLAN}: new, 46 task instance(s)",
                                          "repeating tasks: 102 occurrence(s) opened"]
    task = f"{PLAN}/van-dong-nhan-dan-hien-dat-gop@kim-son"
    assert listed.stdout.splitlines() == [
        f"{'TASK':{len(task)}}  LEAD     DUE         STATUS        FLAGS",
        f"{task}  kim-son  2024-09-30  open_overdue  1d overdue"]


def test_a_revised_plan_keeps_the_ids_of_its_rows_and_load_says_what_changed(tracked,
                                                                             project):
    cli = tracked
    refused = _import(cli, project, True)
    again = _import(cli, project, True, "--force")
    loaded = cli("load", "directives/ninh-binh", "--on", "2024-07-20")

    assert refused.exit_code == 1
    assert again.exit_code == 0, again.stderr
    text = (project / TARGET).read_text(encoding="utf-8")
    assert "  - id: nam-tinh-hinh-ton-giao-dan-toc\n" in text  # numbered 5 now, was 4
    assert "    due: 2024-10  # Tháng 10/2024\n" in text
    assert loaded.stdout.splitlines() == [
        "nb-2024-reports: unchanged (102 task instance(s))",
        "nb-2024-q2: unchanged (154 task instance(s))",
        f"{PLAN}: updated: 2 added, 1 revised, 1 cancelled, 0 restored",
        "  task van-dong-doanh-nghiep-tham-gia-chuong added",
        "  task nam-tinh-hinh-ton-giao-dan-toc revised: due_text",
        "  task tong-hop-khen-thuong-cac-mo-hinh added",
        "  task tong-hop-bieu-duong-cac-mo-hinh removed"]


def test_a_flagged_import_is_refused_by_validate_and_loads_nothing(cli, project, engine):
    from tests.integration.support import counts

    (project / "plans").mkdir()
    plan = cases.build_excel_flawed(project / "plans")
    imported = cli("import", f"plans/{plan.name}", "--jurisdiction", "hung-yen",
                   "--directive-id", "hy-2025-ra-soat", "--number", "7-KH/BCĐ", "--kind", "plan",
                   "--title", "Rà soát", "--issued-by", "hy-pc-standing",
                   "--issued-on", "2025-07-20", "--out", "directives/hung-yen/ra-soat.yaml")
    loaded = cli("load", "directives/hung-yen", "--on", "2025-07-20")

    assert imported.exit_code == 1
    assert loaded.exit_code == 1
    problems = [line.split(": ", 2)[1:] for line in loaded.stderr.splitlines()
                if line.startswith("directives/hung-yen/ra-soat.yaml")]
    assert [key for key, _ in problems] == ["sector", "sector", "due", "due", "due", "due",
                                            "lead"]
    assert problems[1][1].startswith("'I. CÔNG TÁC TUYÊN TRUYỀN' is not one of economic")
    assert problems[6][1].startswith("unknown unit 'Tỉnh đoàn; UBND các xã, phường'")
    assert counts(engine) == (0, 0, 0)


def test_the_task_list_as_an_excel_sheet(tracked, project):
    import openpyxl

    cli = tracked
    cli("done", f"{PLAN}/so-ket-6-thang-phong-trao-thi", "--unit",
        "mass-mobilization-commission", "--on", "2024-07-30")
    cli("done", f"{PLAN}/tuyen-truyen-quy-hoach-tinh-ninh-binh", "--unit",
        "planning-investment", "--on", "2024-09-20")
    run = cli("tasks", "--directive", PLAN, "--as-of", "2024-10-05", "--format", "xlsx",
              "--out", "tasks.xlsx")

    assert run.exit_code == 0, run.stderr
    sheet = openpyxl.load_workbook(project / "tasks.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Nhiệm vụ"
    assert rows[0] == ("STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp",
                       "Thời hạn", "Tình trạng", "Số ngày quá hạn", "Ngày hoàn thành",
                       "Sản phẩm", "Mã nhiệm vụ")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J47"
    assert len(rows) == 47
    by_id = {r[9]: r for r in rows[1:]}
    assert by_id[f"{PLAN}/so-ket-6-thang-phong-trao-thi"][2:9] == (
        "Ban Dân vận Tỉnh ủy", "Văn phòng Tỉnh ủy", datetime(2024, 7, 26),
        "Hoàn thành quá hạn", 4, datetime(2024, 7, 30), "Báo cáo sơ kết")
    assert by_id[f"{PLAN}/tuyen-truyen-quy-hoach-tinh-ninh-binh"][5:8] == (
        "Hoàn thành đúng hạn", None, datetime(2024, 9, 20))
    kim_son = by_id[f"{PLAN}/van-dong-nhan-dan-hien-dat-gop@kim-son"]
    assert kim_son[2:8] == ("Huyện Kim Sơn", "Ủy ban MTTQ Việt Nam tỉnh Ninh Bình\nHội Nông "
                            "dân tỉnh Ninh Bình", datetime(2024, 9, 30),
                            "Chưa hoàn thành, quá hạn", 5, None)
    assert rows[1][0] == 1 and rows[1][6] == 57  # most overdue first: tong-hop, 9 August
    cells = {c.column_letter: c for c in sheet[2]}
    assert (cells["E"].number_format, cells["H"].number_format) == ("DD/MM/YYYY", "DD/MM/YYYY")
    assert cells["E"].is_date and isinstance(cells["G"].value, int)


def test_the_excel_sheet_is_in_english_when_the_jurisdiction_writes_english(cli, project):
    import openpyxl

    escalation = project / "directives/ninh-binh/escalation.yaml"
    escalation.write_text(escalation.read_text(encoding="utf-8").replace(
        "language: vi", "language: en"), encoding="utf-8")
    cli("load", "directives/ninh-binh", "--on", "2024-04-15")
    cli("done", "nb-2024-q2/planning-218", "--unit", "planning-investment", "--on",
        "2024-06-03")

    run = cli("tasks", "--directive", "nb-2024-q2", "--as-of", "2024-06-10", "--limit", "3",
              "--format", "xlsx", "--out", "tasks.xlsx")

    assert run.exit_code == 0, run.stderr
    sheet = openpyxl.load_workbook(project / "tasks.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert (sheet.title, rows[0][:6]) == ("Tasks", ("No.", "Task", "Lead unit",
                                                    "Coordinating units", "Deadline", "Status"))
    assert [r[5] for r in rows[1:]] == ["Open, overdue"] * 3
    assert sheet.auto_filter.ref == "A1:J4"


def test_a_units_deadlines_as_a_calendar(tracked, project):
    from icalendar import Calendar

    cli = tracked
    listed = cli("tasks", "--unit", "kim-son", "--as-of", "2024-07-20", "--json")
    run = cli("ics", "--unit", "kim-son", "--as-of", "2024-07-20")

    assert run.exit_code == 0, run.stderr
    calendar = Calendar.from_ical(run.stdout)
    events = calendar.walk("VEVENT")
    import json

    open_ones = [t for t in json.loads(listed.stdout) if t["status"].startswith("open")]
    assert str(calendar["X-WR-CALNAME"]) == "Huyện Kim Sơn: hạn nhiệm vụ"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    assert sorted(str(e["UID"]) for e in events) == sorted(f"{t['id']}@dirtrack"
                                                           for t in open_ones)
    assert len(events) == 9
    for event, task in zip(events, sorted(open_ones, key=lambda t: (t["due_on"], t["id"])),
                           strict=True):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert (start.isoformat(), end - start) == (task["due_on"], timedelta(days=1))
        assert not isinstance(start, datetime)  # an all-day DATE value, no zone to slide
        assert str(event["SUMMARY"]) == task["title"]
        alarms = event.walk("VALARM")  # Ninh Bình's ladder: reminder 3 days before
        assert [a.decoded("TRIGGER") for a in alarms] == [timedelta(days=-3, hours=8)]
        assert str(alarms[0]["ACTION"]) == "DISPLAY"
    ours = next(e for e in events if str(e["UID"]).startswith(f"{PLAN}/van-dong"))
    assert str(ours["DESCRIPTION"]).splitlines() == [
        "Kế hoạch số 18-KH/BDVTU: Nhiệm vụ công tác dân vận quý III năm 2024",
        "Sản phẩm: Báo cáo kết quả vận động",
        f"Mã nhiệm vụ: {PLAN}/van-dong-nhan-dan-hien-dat-gop@kim-son"]
    overdue = next(e for e in events if "book-select-models" in str(e["UID"]))
    assert "Quá hạn 71 ngày (tính đến 20/07/2024)" in str(overdue["DESCRIPTION"]).splitlines()

    cli("done", f"{PLAN}/van-dong-nhan-dan-hien-dat-gop@kim-son", "--unit", "kim-son",
        "--on", "2024-07-20")
    later = Calendar.from_ical(cli("ics", "--unit", "kim-son", "--as-of", "2024-07-21").stdout)
    assert len(later.walk("VEVENT")) == 8  # done: gone from the calendar


def test_a_calendar_follows_its_jurisdictions_ladder_and_file_output(cli, project):
    from icalendar import Calendar

    cli("load", "directives/hung-yen", "--on", "2025-04-15")
    run = cli("ics", "--unit", "hy-home-affairs", "--as-of", "2025-04-20", "--out", "u.ics")
    unknown = cli("ics", "--unit", "hy-nowhere")

    assert run.exit_code == 0, run.stderr
    calendar = Calendar.from_ical((project / "u.ics").read_bytes())
    triggers = {a.decoded("TRIGGER") for e in calendar.walk("VEVENT") for a in e.walk("VALARM")}
    assert triggers == {timedelta(days=-2, hours=8)}  # Hưng Yên reminds 2 days before
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [
        "hy-2025-q2/province-scheme@dirtrack", "hy-2025-q2/training-democracy-law@dirtrack",
        "hy-2025-q2/new-apparatus@dirtrack"]
    assert unknown.stderr == ("error: no unit 'hy-nowhere'; check the id in the jurisdiction's "
                              "units.yaml\n")
    assert unknown.exit_code == 1


def test_export_writes_the_plan_as_a_word_appendix(tracked, project):
    import docx

    cli = tracked
    run = cli("export", PLAN, "--out", "plan.docx")
    again = cli("export", PLAN, "--out", "plan.docx")
    by_file = cli("export", TARGET, "--out", "by-file.docx")
    missing = cli("export", "nb-2099")

    assert run.exit_code == 0, run.stderr
    table = docx.Document(str(project / "plan.docx")).tables[0]
    assert [c.text for c in table.rows[2].cells][2:] == [
        "Các huyện, thành phố", "Ủy ban MTTQ Việt Nam tỉnh Ninh Bình\nHội Nông dân tỉnh Ninh Bình",
        "Quý III/2024", "Báo cáo kết quả vận động"]
    assert again.stderr == ("error: plan.docx exists; give --force to overwrite it, or choose "
                            "another --out\n")
    assert by_file.exit_code == 0 and (project / "by-file.docx").read_bytes()[:2] == b"PK"
    assert missing.stderr == (f"error: no directive 'nb-2099' under directives; directives "
                              f"there: hy-2025-q1-models, hy-2025-q2, hy-2025-q3, "
                              f"nb-2024-reports, nb-2024-q2, {PLAN}\n")
    assert io.BytesIO((project / "plan.docx").read_bytes()).getbuffer().nbytes > 10_000
