"""The task list as an Excel sheet in the office's column order.

STT, Nội dung nhiệm vụ, Đơn vị chủ trì, Đơn vị phối hợp, Thời hạn, Tình trạng, Số ngày
quá hạn, Ngày hoàn thành, Sản phẩm, then the task's id (to find it with ``dirtrack
show``). Dates are date cells shown dd/mm/yyyy, days overdue a number, the header
row frozen with filters on, printed landscape one page wide with the header on
every page. English headings when the jurisdiction's language is ``en``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from dirtrack.report import LABELS
from dirtrack.store.queries import Filters, TaskStatus, list_tasks
from dirtrack.store.tables import DirectiveRow, JurisdictionRow, TaskRow, UnitRow

HEADINGS = {
    "vi": ("STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn",
           "Tình trạng", "Số ngày quá hạn", "Ngày hoàn thành", "Sản phẩm", "Mã nhiệm vụ"),
    "en": ("No.", "Task", "Lead unit", "Coordinating units", "Deadline", "Status",
           "Days overdue", "Completed on", "Deliverable", "Task id"),
}
SHEET = {"vi": "Nhiệm vụ", "en": "Tasks"}
WIDTHS = (5, 50, 24, 26, 11, 23, 8, 11, 30, 34)
LINE_POINTS = 15  # the height of one line of 11-point text
PRINTED = 9  # columns on paper: the task id stays on screen only
DATE_FORMAT = "DD/MM/YYYY"
DATE_COLUMNS = (5, 8)  # Thời hạn, Ngày hoàn thành (1-based)


@dataclass(frozen=True)
class SheetRow:
    """One line of the sheet."""

    title: str
    lead: str
    support: str
    due_on: date
    status: str
    days_overdue: int | None
    completed_on: date | None
    deliverable: str
    key: str


def days_late(task: TaskStatus, as_of: date) -> int | None:
    """Return how many days past its deadline a task is (open) or was done; None if not."""
    if task.status == "open_overdue":
        return (as_of - task.due_on).days
    if task.status == "done_late" and task.completed_on is not None:
        return (task.completed_on - task.due_on).days
    return None


def sheet_rows(engine: Engine, as_of: date, filters: Filters | None = None,
               limit: int | None = None) -> tuple[list[SheetRow], str]:
    """Return the sheet's lines for the tasks ``filters`` select as of ``as_of`` (most
    urgent first, as ``dirtrack tasks`` lists them), and the language of their
    jurisdiction(s): ``en`` only when every one of them says so."""
    tasks = list_tasks(engine, as_of, filters, limit)
    directives = sorted({t.directive for t in tasks})
    T, U, D = TaskRow.__table__, UnitRow.__table__, DirectiveRow.__table__  # type: ignore[attr-defined]
    J = JurisdictionRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        support = {(r.directive_id, r.task_id): [s for s in r.support.split(",") if s]
                   for r in conn.execute(select(T.c.directive_id, T.c.task_id, T.c.support)
                                         .where(T.c.directive_id.in_(directives)))}
        wanted = {t.lead for t in tasks} | {s for ids in support.values() for s in ids}
        names = dict(conn.execute(select(U.c.id, U.c.name).where(U.c.id.in_(sorted(wanted))))
                     .tuples().all())
        languages = set(conn.execute(select(J.c.language).join(D, D.c.jurisdiction == J.c.id)
                                     .where(D.c.id.in_(directives))).scalars())
    rows = [SheetRow(t.title, names.get(t.lead, t.lead),
                     "\n".join(names.get(s, s) for s in support.get((t.directive, t.task), [])),
                     t.due_on, t.status, days_late(t, as_of), t.completed_on, t.deliverable, t.id)
            for t in tasks]
    return rows, "en" if languages == {"en"} else "vi"


def render_tasks_xlsx(rows: list[SheetRow], language: str = "vi") -> bytes:
    """Return ``rows`` as an .xlsx workbook of one sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet: Any = book.active
    sheet.title = SHEET[language]
    headings = HEADINGS[language]
    labels = LABELS[language]
    sheet.append(list(headings))
    for n, row in enumerate(rows, 1):
        sheet.append([n, row.title, row.lead, row.support, row.due_on, labels[row.status],
                      row.days_overdue, row.completed_on, row.deliverable, row.key])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = wrap
        for column in DATE_COLUMNS:
            line[column - 1].number_format = DATE_FORMAT
        # Neither Excel nor LibreOffice grows a row to its wrapped text on opening a
        # generated file: give each row the height its longest cell needs.
        lines = max(_lines(str(c.value or ""), WIDTHS[i]) for i, c in enumerate(line))
        sheet.row_dimensions[line[0].row].height = LINE_POINTS * lines
    sheet.row_dimensions[1].height = LINE_POINTS * 2
    for i, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    last = get_column_letter(len(headings))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    sheet.print_title_rows = "1:1"
    sheet.print_area = f"A1:{get_column_letter(PRINTED)}{len(rows) + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _lines(text: str, width: int) -> int:
    """Return how many lines ``text`` takes in a column ``width`` characters wide."""
    return sum(max(1, -(-len(part) // max(width - 1, 1))) for part in text.split("\n"))


def tasks_xlsx(engine: Engine, as_of: date, filters: Filters | None = None,
               language: str | None = None, limit: int | None = None) -> bytes:
    """Return the tasks ``filters`` select, as of ``as_of``, as an .xlsx workbook;
    ``language`` defaults to the jurisdiction's."""
    rows, theirs = sheet_rows(engine, as_of, filters, limit)
    return render_tasks_xlsx(rows, language or theirs)
