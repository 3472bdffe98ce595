"""Word and Excel files read into plain tables of cells, each cell with its address.

A Word table's cell is addressed ``PLAN.docx:table 2, row 14`` (tables counted from
the top of the document, layout tables included; rows from the table's first);
an Excel cell ``PLAN.xlsx:Sheet1!C14``. A merged cell lends its value to every
cell it covers, and each covered cell remembers where the value came from, so a
heading written across a row is recognised and a unit written once for several
rows applies to each of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dirtrack.errors import DirtrackError

ANNOTATION = "dirtrack "  # hidden text in a Word cell written by dirtrack export


@dataclass
class Cell:
    """One cell: its value (text; Excel may give a number or a date), where it is, and
    where its value comes from when it is covered by a merged cell."""

    value: Any
    address: str
    at: tuple[int, int]
    origin: tuple[int, int]
    hidden: tuple[str, ...] = ()

    @property
    def covered(self) -> bool:
        """True when a merged cell that starts elsewhere covers this one."""
        return self.origin != self.at

    @property
    def text(self) -> str:
        value = self.value
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime):
            return f"{value.day}/{value.month}/{value.year}"
        return str(value).strip()


@dataclass
class Table:
    """A Word table or an Excel sheet: rows of cells."""

    name: str
    rows: list[list[Cell]]
    preamble: list[str] = field(default_factory=list)  # text above it, top down
    notes: list[str] = field(default_factory=list)  # hidden dirtrack notes above it


@dataclass
class Source:
    """A file's tables in document order."""

    path: str
    kind: str  # docx | xlsx
    tables: list[Table]


def read_source(path: Path, shown: str | None = None) -> Source:
    """Return the tables of a .docx or .xlsx file; raise DirtrackError when it is neither."""
    shown = shown or str(path)
    suffix = path.suffix.lower()
    if suffix in (".doc", ".xls"):
        raise DirtrackError(f"{shown}: the old binary format cannot be read; save it as "
                            f"{suffix}x (Word or Excel: Save As) and import that")
    if suffix not in (".docx", ".xlsx", ".xlsm"):
        raise DirtrackError(f"{shown}: not a Word (.docx) or Excel (.xlsx) file")
    if not path.is_file():
        raise DirtrackError(f"{shown}: no such file")
    import zipfile

    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = (zipfile.BadZipFile, PackageNotFoundError, InvalidFileException,
                  XMLSyntaxError, KeyError, ValueError)
    try:
        return _read_docx(path, shown) if suffix == ".docx" else _read_xlsx(path, shown)
    except unreadable:
        kind, suffix = ("Word", ".docx") if suffix == ".docx" else ("Excel", ".xlsx")
        article = "a" if kind == "Word" else "an"
        raise DirtrackError(f"{shown}: cannot be read as {article} {kind} file; open it in "
                            f"{kind} and save it again as {suffix}") from None


def _read_docx(path: Path, shown: str) -> Source:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    tables: list[Table] = []
    text: list[str] = []
    notes: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            shown_text, hidden = _runs(block)
            if shown_text.strip():
                text.append(shown_text.strip())
            notes += hidden
        elif isinstance(block, DocxTable):
            table = _docx_table(block, f"{shown}:table {len(tables) + 1}")
            table.preamble, table.notes = list(text), list(notes)
            tables.append(table)
            text += [c.text for row in table.rows for c in row if c.text and not c.covered]
    return Source(shown, "docx", tables)


def _runs(paragraph: Any) -> tuple[str, list[str]]:
    """Return a paragraph's visible text, and the dirtrack notes hidden in it."""
    from docx.text.hyperlink import Hyperlink
    from docx.text.run import Run

    shown, hidden = [], []
    for item in paragraph.iter_inner_content():
        if isinstance(item, Run) and item.font.hidden:
            if item.text.startswith(ANNOTATION):
                hidden.append(item.text[len(ANNOTATION):])
        elif isinstance(item, (Run, Hyperlink)):
            shown.append(item.text)
    return "".join(shown), hidden


def _docx_table(table: Any, name: str) -> Table:
    rows: list[list[Cell]] = []
    # Keyed by the cell element itself: holding it keeps lxml's proxy alive, so a merged
    # cell met again in another row or column is recognised as the same one.
    first_seen: dict[Any, tuple[int, int]] = {}
    for r, row in enumerate(table.rows):
        cells = []
        for c, cell in enumerate(row.cells):
            origin = first_seen.setdefault(cell._tc, (r, c))
            shown_lines, hidden = [], []
            for paragraph in cell.paragraphs:
                line, notes = _runs(paragraph)
                shown_lines.append(line)
                hidden += notes
            value = "\n".join(shown_lines).strip()
            cells.append(Cell(value, f"{name}, row {r + 1}", (r, c), origin, tuple(hidden)))
        rows.append(cells)
    return Table(name, rows)


def _read_xlsx(path: Path, shown: str) -> Source:
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.load_workbook(str(path), data_only=True)
    tables = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        origin: dict[tuple[int, int], tuple[int, int]] = {}
        for merged in sheet.merged_cells.ranges:
            for row in range(merged.min_row, merged.max_row + 1):
                for col in range(merged.min_col, merged.max_col + 1):
                    origin[(row, col)] = (merged.min_row, merged.min_col)
        width = sheet.max_column
        rows = []
        for r in range(1, sheet.max_row + 1):
            cells = []
            for c in range(1, width + 1):
                top = origin.get((r, c), (r, c))
                value = sheet.cell(*top).value
                if isinstance(value, str):
                    value = value.strip()
                address = f"{shown}:{sheet.title}!{get_column_letter(c)}{r}"
                cells.append(Cell(value, address, (r, c), top))
            rows.append(cells)
        tables.append(Table(f"{shown}:{sheet.title}", rows))
    return Source(shown, "xlsx", tables)
