"""Repeating rows imported with their periods: the file written loads, and its occurrences
are the periods and deadlines the plan means.

A plan's title names its time ("quý III năm 2024", "năm 2026"); the command line's
--from and --until give it when the title does not; with neither, a repeating row stays
a comment for the office to complete. The deadlines below are counted by hand: "due:
end" is the last day of each period, kept when it falls on a day off (the calendar's
rule in both provinces).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from dirtrack.plan import read_plan
from tests.conftest import ROOT, Cli
from tests.imports import cases


@pytest.fixture
def office(project: Path) -> Cli:
    """The command line in a copy of the project; importing touches no database."""
    (project / "plans").mkdir()
    return Cli(f"sqlite:///{project / 'unused.db'}", project)


def _occurrences(project: Path, jurisdiction: str, yaml_text: str, tmp_path: Path
                 ) -> dict[str, list[tuple[str | None, str | None, date]]]:
    """Load ``yaml_text`` beside the jurisdiction's units alone; return each task's
    instances as (period, unit, deadline)."""
    folder = tmp_path / "only" / jurisdiction
    folder.mkdir(parents=True)
    for name in ("units.yaml", "calendar.yaml", "escalation.yaml"):
        if (project / "directives" / jurisdiction / name).exists():
            shutil.copy(project / "directives" / jurisdiction / name, folder / name)
    (folder / "plan.yaml").write_text(yaml_text, encoding="utf-8")
    plan = read_plan(folder, catalog=ROOT / "tasks_catalog")
    ((jur, spec),) = plan.directives()
    found: dict[str, list[tuple[str | None, str | None, date]]] = {}
    for i in plan.expansion(jur, spec).instances:
        found.setdefault(i.task.id, []).append(
            (i.period.id if i.period else None, i.unit, i.due_on))
    return {k: sorted(v, key=lambda x: (x[2], x[1] or "")) for k, v in found.items()}


def test_a_word_plan_for_a_quarter_repeats_within_that_quarter(office, project, tmp_path):
    plan = cases.build_word_recurring(project / "plans")

    run = office("import", f"plans/{plan.name}", "--jurisdiction", "ninh-binh")
    tasks = _occurrences(project, "ninh-binh", run.stdout, tmp_path)

    assert run.exit_code == 1  # the half-yearly and yearly rows: no whole one in Q3
    assert tasks["bao-cao-ket-qua-cong-tac-dan"] == [
        ("2024-Q3", None, date(2024, 9, 30))]
    assert tasks["giao-ban-cong-tac-dan-van"] == [
        ("2024-07", None, date(2024, 7, 31)), ("2024-08", None, date(2024, 8, 31)),
        ("2024-09", None, date(2024, 9, 30))]
    situation = tasks["nam-chac-tinh-hinh-nhan-dan-cong"]  # one per district, Q3
    assert {(p, d) for p, _, d in situation} == {("2024-Q3", date(2024, 9, 30))}
    assert len(situation) == 8
    # 10 working days after the quarterly report's deadline, Monday 30 September 2024
    assert tasks["bieu-duong-mo-hinh-tieu-bieu"] == [(None, None, date(2024, 10, 14))]
    assert set(tasks) == {"bao-cao-ket-qua-cong-tac-dan", "giao-ban-cong-tac-dan-van",
                          "nam-chac-tinh-hinh-nhan-dan-cong", "bieu-duong-mo-hinh-tieu-bieu"}
    assert "  # - id: tong-ket-cong-tac-dan-van" in run.stdout.splitlines()


def test_an_excel_plan_for_a_year_repeats_from_the_issue_s_period_to_the_year_s_end(
        office, project, tmp_path):
    plan = cases.build_excel_recurring(project / "plans")

    run = office("import", f"plans/{plan.name}", "--jurisdiction", "hung-yen")
    tasks = _occurrences(project, "hung-yen", run.stdout, tmp_path)

    assert run.exit_code == 0
    assert tasks["bao-cao-ket-qua-thuc-hien-dan"] == [
        ("2026-Q1", None, date(2026, 3, 31)), ("2026-Q2", None, date(2026, 6, 30)),
        ("2026-Q3", None, date(2026, 9, 30)), ("2026-Q4", None, date(2026, 12, 31))]
    months = tasks["giao-ban-cong-tac-dan-van"]  # issued 12 February: from February on
    assert [p for p, _, _ in months] == [f"2026-{m:02d}" for m in range(2, 13)]
    assert [d for _, _, d in months][:4] == [date(2026, 2, 28), date(2026, 3, 31),
                                             date(2026, 4, 30), date(2026, 5, 31)]
    assert tasks["so-ket-6-thang-cong-tac-dan"] == [(None, None, date(2026, 7, 15))]


def test_the_command_line_gives_the_periods_a_title_does_not(office, project, tmp_path):
    plan = cases.build_word_recurring(project / "plans", undated=True)

    without = office("import", f"plans/{plan.name}", "--jurisdiction", "ninh-binh")
    given = office("import", f"plans/{plan.name}", "--jurisdiction", "ninh-binh",
                   "--from", "2024-Q3", "--until", "2025-Q2")
    tasks = _occurrences(project, "ninh-binh", given.stdout, tmp_path)

    assert without.exit_code == 1
    assert ("plans/thuong-xuyen-khong-thoi-han.docx:table 1, row 4: thời gian: 'Hằng quý' is "
            "recurring work (repeat: quarterly, due: end); written as a comment: add from: "
            "and until: (the periods it covers) and uncomment it, or give import --from and "
            "--until") in without.stderr.splitlines()
    assert [line for line in without.stdout.splitlines() if line.startswith("  - id:")] == [
        "  - id: bieu-duong-mo-hinh-tieu-bieu"]
    assert [p for p, _, _ in tasks["bao-cao-ket-qua-cong-tac-dan"]] == [
        "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    assert [(p, d) for p, _, d in tasks["so-ket-phong-trao-thi-dua-dan"]] == [
        ("2024-H2", date(2024, 12, 31)), ("2025-H1", date(2025, 6, 30))]
    assert len(tasks["giao-ban-cong-tac-dan-van"]) == 12
    # The year holding the first period's start, which ends within the last one
    assert tasks["tong-ket-cong-tac-dan-van"] == [("2024", None, date(2024, 12, 31))]
    assert (given.exit_code, given.stderr.splitlines()) == (0, [
        "6 task(s) read from plans/thuong-xuyen-khong-thoi-han.docx; nothing to fix"])


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2024-Q5"], "'2024-Q5' is not a period; write 2026, 2026-H1, 2026-Q2 or "
                            "2026-03"),
    (["--from", "2025", "--until", "2024-Q4"], "2024-Q4 ends before 2025 begins; give the "
                                               "later period to --until"),
])
def test_periods_that_are_not_are_a_usage_error_and_nothing_is_written(office, project, args,
                                                                      message):
    plan = cases.build_word_recurring(project / "plans", undated=True)
    out = project / "plan.yaml"

    run = office("import", f"plans/{plan.name}", "--jurisdiction", "ninh-binh",
                 "--out", str(out), *args)

    assert run.exit_code == 2
    assert message in " ".join(run.stderr.replace("│", " ").split())
    assert not out.exists()
