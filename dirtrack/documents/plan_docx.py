"""A directive written as the appendix table offices attach to a plan (Word, .docx).

The table has the usual columns (STT, Nội dung nhiệm vụ, Cơ quan chủ trì, Cơ quan
phối hợp, Thời gian hoàn thành, Sản phẩm), a group row per sector, tasks numbered
through the whole table, deadlines in office words ("Quý II/2024", "Trong 15 ngày
làm việc kể từ ngày ban hành", "10 ngày làm việc sau khi hoàn thành nhiệm vụ số
7"), Times New Roman 13 on A4 landscape. What the table cannot show (each task's
id, its prerequisites) travels as hidden text, so ``dirtrack import`` gives back
the same directive, and keeps the ids of rows an office edits.
"""

from __future__ import annotations

import io
import json
from typing import Any

from dirtrack.errors import DirtrackError
from dirtrack.registry import Registry
from dirtrack.spec.model import SECTORS, Deadline, DirectiveSpec, TaskSpec

HEADERS = ("STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp",
           "Thời gian hoàn thành", "Sản phẩm")
WIDTHS_CM = (1.3, 9.2, 4.3, 4.6, 3.3, 4.0)
GROUPS = {"economic": "LĨNH VỰC KINH TẾ", "cultural-social": "LĨNH VỰC VĂN HÓA - XÃ HỘI",
          "defense-security": "LĨNH VỰC QUỐC PHÒNG - AN NINH",
          "political-system": "XÂY DỰNG ĐẢNG VÀ HỆ THỐNG CHÍNH TRỊ"}
NUMERALS = ("I", "II", "III", "IV")
FAN_OUT = {"district": "Các huyện, thành phố", "commune": "Các xã, phường, thị trấn"}
KIND_WORDS = {"plan": "Kế hoạch", "conclusion": "Kết luận", "resolution": "Nghị quyết",
              "directive": "Chỉ thị", "decision": "Quyết định", "circular": "Thông tri",
              "notice": "Thông báo"}
ROMAN_QUARTERS = {"1": "I", "2": "II", "3": "III", "4": "IV"}
FONT = "Times New Roman"


def office_deadline_words(due: Deadline, numbers: dict[str, int], task: TaskSpec) -> str:
    """Return a deadline as an office writes it in the table.

    >>> from dirtrack.spec.model import parse_deadline as p
    >>> t = TaskSpec("t", "", None, "economic", p("2024-Q2"))
    >>> [office_deadline_words(p(x), {"a": 3}, t) for x in ("2024-05-31", "2024-Q2",
    ...  "2024-H1", "2024-06", "2024", "issued + 15wd", "a + 10wd")]
    ['31/5/2024', 'Quý II/2024', '6 tháng đầu năm 2024', 'Tháng 6/2024', 'Năm 2024', \
'Trong 15 ngày làm việc kể từ ngày ban hành', '10 ngày làm việc sau khi hoàn thành nhiệm vụ số 3']
    """
    text = due.text
    days = f"{due.amount} ngày{' làm việc' if due.unit == 'wd' else ''}"
    if due.kind == "issued":
        return f"Trong {days} kể từ ngày ban hành"
    if due.kind == "task":
        assert due.ref is not None
        return f"{days} sau khi hoàn thành nhiệm vụ số {numbers[due.ref]}"
    if due.kind == "deps":
        rows = ", ".join(str(numbers[d.task]) for d in task.depends_on)
        return f"{days} sau khi hoàn thành các nhiệm vụ số {rows}"
    if due.kind == "period":
        return _repeat_words(task, due)
    assert due.day is not None
    if len(text) == 10:
        return f"{due.day.day}/{due.day.month}/{due.day.year}"
    year, _, part = text.partition("-")
    if not part:
        return f"Năm {year}"
    if part.startswith("Q"):
        return f"Quý {ROMAN_QUARTERS[part[1]]}/{year}"
    if part.startswith("H"):
        return f"6 tháng {'đầu' if part == 'H1' else 'cuối'} năm {year}"
    return f"Tháng {int(part)}/{year}"


REPEAT_WORDS = {"monthly": ("Hằng tháng", "tháng"), "quarterly": ("Hằng quý", "quý"),
                "half-yearly": ("Hằng 6 tháng", "kỳ 6 tháng"), "yearly": ("Hằng năm", "năm")}


def _repeat_words(task: TaskSpec, due: Deadline) -> str:
    """A repeating task's deadline as the office writes it: how often, then when in the
    period ("Hằng quý, chậm nhất 5 ngày làm việc trước ngày cuối quý")."""
    often, period = REPEAT_WORDS[task.repeat or "monthly"]
    rule = due.rule
    if rule is None or (rule.base == "end" and not rule.amount):
        return often
    if rule.base == "day":
        last = " của tháng cuối kỳ" if task.repeat != "monthly" else ""
        return f"{often}, trước ngày {rule.amount}{last}"
    days = f"{rule.amount} ngày{' làm việc' if rule.unit == 'wd' else ''}"
    if rule.base == "start":
        return f"{often}, trong {days} đầu {period}"
    side = "trước" if rule.sign < 0 else "sau"
    return f"{often}, chậm nhất {days} {side} ngày cuối {period}"


def _lead_words(task: TaskSpec, registry: Registry) -> str:
    if task.for_each and not task.lead:
        if task.for_each not in FAN_OUT or task.for_kinds:
            raise DirtrackError(f"task '{task.id}' fans out over each {task.fan_words()}, "
                                "which an appendix table cannot name; give it a lead")
        scope = f" thuộc {registry[task.scope].name}" if task.scope else ""
        return FAN_OUT[task.for_each] + scope
    assert task.lead is not None
    return registry[task.lead].name


def _note(task: TaskSpec) -> str:
    data: dict[str, Any] = {"id": task.id.replace("/", "-")}
    if task.depends_on:
        data["depends_on"] = [[d.task.replace("/", "-"), d.at_least] for d in task.depends_on]
    if task.for_each and task.lead:
        # A fan-out over several levels or kinds travels as its levels and kinds.
        data["for_each"] = task.for_each if not task.for_kinds and task.for_each != "unit" \
            else {"level": list(task.fan_levels()), "kind": list(task.for_kinds)}
        data["scope"] = task.scope
    return "dirtrack " + json.dumps(data, ensure_ascii=False)


def plan_docx(directive: DirectiveSpec, registry: Registry) -> bytes:
    """Return the directive as a Word appendix table (.docx bytes)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(13)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(0)

    def line(text: str, *, bold: bool = False, italic: bool = False, hidden: str = "") -> None:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if hidden:
            note = paragraph.add_run(hidden)
            note.font.hidden = True

    issuer = registry[directive.issued_by].name
    day = directive.issued_on
    line("PHỤ LỤC", bold=True,
         hidden="dirtrack " + json.dumps({"directive": directive.id}, ensure_ascii=False))
    line(directive.title, bold=True)
    line(f"(Kèm theo {KIND_WORDS[directive.kind]} số {directive.number} ngày "
         f"{day.day}/{day.month}/{day.year} của {issuer})", italic=True)
    document.add_paragraph()

    ordered = [t for s in SECTORS for t in directive.tasks if t.sector == s]
    numbers = {t.id: n for n, t in enumerate(ordered, 1)}
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    table.autofit = False
    _header_row(table, qn)
    numeral = 0
    for sector in SECTORS:
        tasks = [t for t in ordered if t.sector == sector]
        if not tasks:
            continue
        row = table.add_row()
        _text(row.cells[0], NUMERALS[numeral], bold=True, center=True)
        merged = row.cells[1].merge(row.cells[len(HEADERS) - 1])
        _text(merged, GROUPS[sector], bold=True)
        numeral += 1
        for task in tasks:
            cells = table.add_row().cells
            _text(cells[0], str(numbers[task.id]), center=True)
            _text(cells[1], task.title, hidden=_note(task))
            _text(cells[2], _lead_words(task, registry))
            _text(cells[3], "\n".join(registry[s].name for s in task.support))
            _text(cells[4], office_deadline_words(task.due, numbers, task), center=True)
            _text(cells[5], task.deliverable)
    for column, width in zip(table.columns, WIDTHS_CM, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice follows
        for cell in column.cells:
            cell.width = Cm(width)  # each cell, which Word follows
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _header_row(table: Any, qn: Any) -> None:
    from docx.oxml import OxmlElement

    row = table.rows[0]
    for cell, title in zip(row.cells, HEADERS, strict=True):
        _text(cell, title, bold=True, center=True)
    repeat = OxmlElement("w:tblHeader")  # repeated at the top of every page
    repeat.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(repeat)


def _text(cell: Any, text: str, *, bold: bool = False, center: bool = False,
          hidden: str = "") -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    lines = text.split("\n") if text else [""]
    for i, value in enumerate(lines):  # a new cell holds one empty paragraph
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(value)
        run.bold = bold
    if hidden:
        note = cell.paragraphs[-1].add_run(hidden)
        note.font.hidden = True
