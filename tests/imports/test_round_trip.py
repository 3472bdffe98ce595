"""A directive exported as a Word appendix and imported again is the same directive; the
demo's imported plan is what importing its Word file gives today."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dirtrack.documents.plan_docx import plan_docx
from dirtrack.imports.plan import ImportOptions, import_plan
from dirtrack.imports.yamlout import directive_yaml
from dirtrack.plan import read_plan
from dirtrack.spec.model import DirectiveSpec, TaskSpec
from tests.imports import demo_plan

ROOT = Path(__file__).resolve().parents[2]


def _jurisdiction_copy(folder: Path, into: Path) -> Path:
    target = into / folder.name
    target.mkdir()
    for name in ("units.yaml", "calendar.yaml", "escalation.yaml"):
        if (folder / name).exists():
            shutil.copy(folder / name, target / name)
    return target


def _task(t: TaskSpec) -> tuple[object, ...]:
    """What a task says, with a template's ``prefix/id`` written ``prefix-id`` (an id
    imported from a table is one slug)."""
    def flat(ref: str) -> str:
        return ref.replace("/", "-")

    due = t.due.text.replace(t.due.ref, flat(t.due.ref)) if t.due.ref else t.due.text
    return (flat(t.id), t.title, t.lead, tuple(t.support), t.sector, t.deliverable, due,
            tuple((flat(d.task), d.at_least) for d in t.depends_on), t.for_each, t.scope)


def _head(d: DirectiveSpec) -> tuple[object, ...]:
    return (d.id, d.number, d.kind, d.title, d.issued_by, d.issued_on)


@pytest.mark.parametrize(("jurisdiction", "directive"),
                         [("ninh-binh", "nb-2024-q2"), ("hung-yen", "hy-2025-q2")])
def test_export_then_import_gives_the_same_directive(tmp_path, jurisdiction, directive):
    folder = ROOT / "directives" / jurisdiction
    plan = read_plan(folder)
    jur, spec = next((j, s) for j, s in plan.directives() if s.id == directive)
    (tmp_path / "plan.docx").write_bytes(plan_docx(spec, plan.registries[jur.id]))

    imported = import_plan(tmp_path / "plan.docx", folder, shown="plan.docx")
    back_folder = _jurisdiction_copy(folder, tmp_path)
    (back_folder / "back.yaml").write_text(directive_yaml(imported), encoding="utf-8")
    back = read_plan(back_folder, catalog=ROOT / "tasks_catalog")
    back_jur, again = back.directives()[0]

    assert imported.findings == []
    assert _head(again) == _head(spec)
    assert sorted(map(_task, again.tasks)) == sorted(map(_task, spec.tasks))
    before = plan.expansion(jur, spec).instances
    after = back.expansion(back_jur, again).instances
    assert len(after) == len(before)
    assert sorted(i.due_on for i in after) == sorted(i.due_on for i in before)


def test_an_office_editing_the_exported_table_keeps_the_ids_of_the_rows(tmp_path):
    import docx

    folder = ROOT / "directives/ninh-binh"
    plan = read_plan(folder)
    jur, spec = next((j, s) for j, s in plan.directives() if s.id == "nb-2024-q2")
    (tmp_path / "plan.docx").write_bytes(plan_docx(spec, plan.registries[jur.id]))
    document = docx.Document(str(tmp_path / "plan.docx"))
    row = document.tables[0].rows[2]  # the first task: planning-218
    row.cells[1].paragraphs[0].runs[0].text = "Công bố Quy hoạch tỉnh (sửa lời)"
    row.cells[4].paragraphs[0].runs[0].text = "Quý III/2024"
    document.save(str(tmp_path / "edited.docx"))

    imported = import_plan(tmp_path / "edited.docx", folder, shown="edited.docx")

    first = imported.tasks[0]
    assert (first.id, first.title, first.due) == ("planning-218",
                                                 "Công bố Quy hoạch tỉnh (sửa lời)", "2024-Q3")


def test_the_exported_table_is_an_a4_landscape_appendix_in_times_new_roman(tmp_path):
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    plan = read_plan(ROOT / "directives/hung-yen")
    jur, spec = next((j, s) for j, s in plan.directives() if s.id == "hy-2025-q2")
    (tmp_path / "plan.docx").write_bytes(plan_docx(spec, plan.registries[jur.id]))

    document = docx.Document(str(tmp_path / "plan.docx"))
    section = document.sections[0]
    table = document.tables[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Normal"].font.size == Pt(13)
    assert ["".join(r.text for r in p.runs if not r.font.hidden)
            for p in document.paragraphs[:3]] == [
        "PHỤ LỤC", spec.title,
        "(Kèm theo Kết luận số 125-KL/TU ngày 15/4/2025 của Ban Thường vụ Tỉnh ủy Hưng Yên)"]
    assert [c.text for c in table.rows[0].cells] == [
        "STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp",
        "Thời gian hoàn thành", "Sản phẩm"]
    assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")  # repeated on every page
    groups = [r.cells[1].text for r in table.rows if r.cells[0].text in ("I", "II", "III", "IV")]
    assert groups == ["LĨNH VỰC KINH TẾ", "LĨNH VỰC QUỐC PHÒNG - AN NINH",
                      "XÂY DỰNG ĐẢNG VÀ HỆ THỐNG CHÍNH TRỊ"]
    visible = [c.text for c in table.rows[2].cells]  # the economic group's one task
    assert visible[0] == "1"
    assert visible[2:] == ["Ủy ban nhân dân tỉnh Hưng Yên", "Ủy ban MTTQ Việt Nam tỉnh Hưng Yên",
                           "30/6/2025", "Báo cáo kết quả giải phóng mặt bằng và số nhà đã hoàn "
                           "thành"]
    title_runs = table.rows[2].cells[1].paragraphs[0].runs
    assert [r.text for r in title_runs if not r.font.hidden] == [
        next(t.title for t in spec.tasks if t.id == "socio-economic-mobilization")]
    assert [r.text for r in title_runs if r.font.hidden] == [  # the id travels hidden
        'dirtrack {"id": "socio-economic-mobilization"}']


def test_the_demo_plan_is_what_importing_its_word_file_gives(tmp_path):
    plan = demo_plan.build(tmp_path / demo_plan.FILE_NAME)

    imported = import_plan(plan, ROOT / "directives/ninh-binh",
                           ImportOptions(directive_id=demo_plan.DIRECTIVE_ID),
                           shown=demo_plan.FILE_NAME)

    assert directive_yaml(imported) == demo_plan.IMPORTED.read_text(encoding="utf-8")
    assert imported.errors == []
    # "những tháng cuối năm 2024", issued on 26 August: the third and fourth quarters
    assert [str(f) for f in imported.findings if f.key == "thời gian"] == [
        "ke-hoach-18-KH-BDVTU.docx:table 2, row 10: thời gian: warning: 'Thường xuyên': "
        "repeats from 2024-Q3 until 2024-Q4, within the plan's 2024 (its title); change "
        "from: and until: if it runs longer",
        "ke-hoach-18-KH-BDVTU.docx:table 2, row 18: thời gian: warning: 'Hằng quý': repeats "
        "from 2024-Q3 until 2024-Q4, within the plan's 2024 (its title); change from: and "
        "until: if it runs longer",
    ]
    folder = _jurisdiction_copy(ROOT / "directives/ninh-binh", tmp_path)
    shutil.copy(demo_plan.IMPORTED, folder / "plan.yaml")
    loaded = read_plan(folder, catalog=ROOT / "tasks_catalog")
    (jur, spec), = loaded.directives()
    assert (spec.id, len(spec.tasks), len(loaded.expansion(jur, spec).instances)) == \
        ("nb-2024-h2", 12, 61)  # two tasks more, each in two quarters


def test_a_fan_out_over_several_kinds_survives_the_round_trip(tmp_path):
    from tests.unit.builders import directive_yaml as header
    from tests.unit.builders import jurisdiction

    folder = jurisdiction(tmp_path, {"plan.yaml": header("""
        - id: each-org
          title: "Báo cáo của từng tổ chức"
          lead: mass-mobilization-commission
          for_each: {level: province, kind: [front, party]}
          sector: political-system
          due: 2024-05-31
    """)})
    plan = read_plan(folder, catalog=ROOT / "tasks_catalog")
    jur, spec = next((j, s) for j, s in plan.directives() if not s.id.endswith("-reports"))
    (tmp_path / "plan.docx").write_bytes(plan_docx(spec, plan.registries[jur.id]))

    imported = import_plan(tmp_path / "plan.docx", folder, shown="plan.docx")
    (folder / "plan.yaml").write_text(directive_yaml(imported), encoding="utf-8")
    ((_, again),) = read_plan(folder, catalog=ROOT / "tasks_catalog").directives()

    assert [(t.for_each, t.fan_levels(), t.for_kinds) for t in again.tasks] == [
        ("unit", ("province",), ("front", "party"))]


def test_a_repeating_task_is_exported_as_the_office_writes_it(tmp_path):
    import docx

    folder = ROOT / "directives/ninh-binh"
    plan = read_plan(folder)
    jur, spec = next((j, s) for j, s in plan.directives() if s.id == "nb-2024-reports")
    (tmp_path / "reports.docx").write_bytes(plan_docx(spec, plan.registries[jur.id]))

    table = docx.Document(str(tmp_path / "reports.docx")).tables[0]
    # due: day 25 of last month, every month
    assert table.rows[2].cells[4].text == "Hằng tháng, trước ngày 25"
