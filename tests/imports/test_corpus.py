"""``dirtrack import`` on each appendix of the corpus: the exact file out, the exact lines.

Each case builds its Word or Excel file (``cases.py``), imports it with the command
line from a copy of the project, and compares the directive file with
``expected/<case>.yaml`` and the error output with ``expected/<case>.txt``, in full.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.imports import cases

EXPECTED = Path(__file__).parent / "expected"


@pytest.fixture
def office(project: Path) -> Cli:
    """The command line in a copy of the project; importing touches no database."""
    (project / "plans").mkdir()
    return Cli(f"sqlite:///{project / 'unused.db'}", project)


CASES: list[tuple[str, Callable[[Path], Path], str, list[str], int]] = [
    ("word_plain", cases.build_word_plain, "ninh-binh", [], 0),
    ("excel_sheet", cases.build_excel_sheet, "hung-yen", [], 0),
    ("word_two_tables", cases.build_word_two_tables, "ninh-binh",
     ["--sector", "political-system"], 1),
    ("excel_flawed", cases.build_excel_flawed, "hung-yen", [], 1),
    ("word_recurring", cases.build_word_recurring, "directives/ninh-binh", [], 1),
    ("excel_recurring", cases.build_excel_recurring, "hung-yen", [], 0),
]


@pytest.mark.parametrize(("name", "build", "jurisdiction", "options", "code"), CASES,
                         ids=[c[0] for c in CASES])
def test_import_gives_the_expected_file_and_lines(office, project, name, build, jurisdiction,
                                                  options, code):
    plan = build(project / "plans")

    run = office("import", f"plans/{plan.name}", "--jurisdiction", jurisdiction, *options)

    assert run.stdout == (EXPECTED / f"{name}.yaml").read_text(encoding="utf-8")
    assert run.stderr == (EXPECTED / f"{name}.txt").read_text(encoding="utf-8")
    assert run.exit_code == code


def test_a_district_fan_out_in_a_two_tier_province_points_at_the_two_tiers(office, project):
    plan, units = cases.build_two_tier(project / "plans")

    run = office("import", f"plans/{plan.name}", "--jurisdiction", "plans/thu-nghiem")

    assert run.stdout == (EXPECTED / "two_tier.yaml").read_text(encoding="utf-8")
    assert run.stderr.splitlines() == [
        "plans/hai-cap.docx:table 1, row 3: chủ trì: 'UBND các huyện' fans out over "
        "districts, but Tỉnh Thử Nghiệm has none on 2025-08-15 (local government has two "
        "tiers from 1 July 2025); name the units that lead, e.g. 'UBND các xã, phường'",
        "2 task(s) read from plans/hai-cap.docx; 1 problem(s) to fix (lines marked FIX)",
    ]
    assert run.exit_code == 1


def test_the_command_line_gives_what_the_document_leaves_out(office, project):
    plan = cases.build_excel_flawed(project / "plans")

    run = office("import", f"plans/{plan.name}", "--jurisdiction", "hung-yen",
                 "--directive-id", "hy-2025-ra-soat", "--number", "7-KH/BCĐ",
                 "--kind", "plan", "--title", "Rà soát thực hiện dân chủ ở cơ sở",
                 "--issued-by", "Ban Thường vụ Tỉnh ủy", "--issued-on", "2025-07-20",
                 "--sector", "political-system")

    assert run.stdout.splitlines()[1:9] == [
        "# 9 problem(s) to fix: each line marked FIX says what to change ('dirtrack "
        "validate' refuses the file until then).",
        "directive:",
        "  id: hy-2025-ra-soat",
        '  number: "7-KH/BCĐ"',
        "  kind: plan",
        '  title: "Rà soát thực hiện dân chủ ở cơ sở"',
        "  issued_by: hy-pc-standing",
        "  issued_on: 2025-07-20",
    ]
    assert "plans/ra-soat.xlsx:Sheet1!B2: lĩnh vực:" not in run.stderr  # --sector filled it
    assert "plans/ra-soat.xlsx:Sheet1!E4: thời gian: 'Quý III' has no year; add it " \
        "(Quý III/2025)" in run.stderr.splitlines()


def test_an_issuer_given_by_a_name_that_fits_no_unit_is_refused_with_a_suggestion(office,
                                                                                   project):
    plan = cases.build_word_plain(project / "plans")

    run = office("import", f"plans/{plan.name}", "--jurisdiction", "ninh-binh",
                 "--issued-by", "Ban Dân Vận Tỉnh Ủy Ninh Bìnhh")

    assert run.stderr.splitlines()[0] == (
        "--issued-by: issued_by: no unit named 'Ban Dân Vận Tỉnh Ủy Ninh Bìnhh'; did you mean "
        "'Ban Dân vận Tỉnh ủy' or 'Ban Thường vụ Tỉnh ủy Ninh Bình'? Write the name as in "
        "directives/ninh-binh/units.yaml, or add the unit there")
    assert "  issued_by:" not in run.stdout
    assert run.exit_code == 1


def test_a_file_without_an_appendix_table_is_one_line_and_writes_nothing(office, project):
    from tests.imports.corpus import WordTable, word_plan

    word_plan(project / "plans/cong-van.docx", [WordTable([["Kính gửi", "Các đơn vị"],
                                                           ["Nội dung", "Báo cáo"]])])

    run = office("import", "plans/cong-van.docx", "--jurisdiction", "ninh-binh",
                 "--out", "plans/out.yaml")

    assert run.stderr == ("error: plans/cong-van.docx: no appendix table found: no table has a "
                          "header row naming the task (Nội dung) and its lead (Chủ trì) or "
                          "deadline (Thời gian hoàn thành)\n")
    assert run.exit_code == 1
    assert not (project / "plans/out.yaml").exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("plan.doc", b"\xd0\xcf\x11\xe0", "plans/plan.doc: the old binary format cannot be read; "
     "save it as .docx (Word or Excel: Save As) and import that"),
    ("plan.docx", b"not a zip", "plans/plan.docx: cannot be read as a Word file; open it in "
     "Word and save it again as .docx"),
    ("plan.xlsx", b"PK\x03\x04 broken", "plans/plan.xlsx: cannot be read as an Excel file; "
     "open it in Excel and save it again as .xlsx"),
    ("plan.pdf", b"%PDF-1.7", "plans/plan.pdf: not a Word (.docx) or Excel (.xlsx) file"),
])
def test_a_file_that_is_not_word_or_excel_is_one_line(office, project, name, content, message):
    (project / "plans" / name).write_bytes(content)

    run = office("import", f"plans/{name}", "--jurisdiction", "ninh-binh")

    assert run.stderr == f"error: {message}\n"
    assert run.exit_code == 1
    assert run.stdout == ""


def test_an_unknown_jurisdiction_folder_is_one_line(office, project):
    plan = cases.build_word_plain(project / "plans")

    run = office("import", f"plans/{plan.name}", "--jurisdiction", "quang-tri")

    assert run.stderr == ("error: quang-tri is not a jurisdiction folder (it has no units.yaml); "
                          "give --jurisdiction the folder of the plan's units, e.g. "
                          "directives/ninh-binh\n")
    assert run.exit_code == 1


def test_out_refuses_to_overwrite_unless_forced(office, project):
    plan = cases.build_word_plain(project / "plans")
    target = project / "plans/plan.yaml"
    target.write_text("kept\n", encoding="utf-8")

    refused = office("import", f"plans/{plan.name}", "--jurisdiction", "ninh-binh",
                     "--out", "plans/plan.yaml")
    forced = office("import", f"plans/{plan.name}", "--jurisdiction", "ninh-binh",
                    "--out", "plans/plan.yaml", "--force")

    assert refused.stderr == ("error: plans/plan.yaml exists; give --force to overwrite it, or "
                              "choose another --out\n")
    assert refused.exit_code == 1
    assert forced.exit_code == 0
    assert forced.stdout == ""
    assert target.read_text(encoding="utf-8") == \
        (EXPECTED / "word_plain.yaml").read_text(encoding="utf-8")
