"""Appendix tables as offices make them, written with python-docx and openpyxl.

Each builder writes a real file: a Word document with its paragraphs, an optional
layout table at the top (the issuing body and the national motto side by side,
as official documents begin), and the appendix tables with their merged cells; or
an Excel workbook with merged ranges and date cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

HEADER = ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp",
          "Thời gian hoàn thành", "Sản phẩm"]
NUMBERS = ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"]


@dataclass
class WordTable:
    """A table: its rows of text, and merged areas (first row, first column, last row,
    last column; counted from 0)."""

    rows: list[list[str]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def group(numeral: str, text: str) -> list[str]:
    """Return a group heading row: its numeral, and its text (merge it across)."""
    return [numeral, text, text, text, text, text]


def word_plan(path: Path, tables: Sequence[WordTable], *, before: Sequence[str] = (),
              layout: list[list[str]] | None = None, between: Sequence[str] = ()) -> Path:
    """Write a Word plan: ``layout`` (a borderless table at the top), the paragraphs
    ``before``, then the tables (``between`` separates them)."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(13)
    if layout is not None:
        top = document.add_table(rows=len(layout), cols=len(layout[0]))
        for r, row in enumerate(layout):
            for c, text in enumerate(row):
                top.cell(r, c).text = text
    heading = False
    for text in before:
        if text == "PHỤ LỤC":
            document.add_page_break()
        paragraph = document.add_paragraph()
        run = paragraph.add_run(text)
        # As such plans are set: the kind and the appendix's name in capitals, the title
        # under them in bold, the "(Kèm theo ...)" line in italics, all centred.
        centred = text.isupper() or heading or text.startswith("(")
        run.bold = text.isupper() or heading
        run.italic = text.startswith("(Kèm theo")
        if centred:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading = text in ("KẾ HOẠCH", "PHỤ LỤC")
    for n, spec in enumerate(tables):
        if n:
            for text in between:
                document.add_paragraph(text)
        width = max(len(r) for r in spec.rows)
        table = document.add_table(rows=len(spec.rows), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(spec.rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        for r1, c1, r2, c2 in spec.merges:
            keep = table.cell(r1, c1).text
            merged = table.cell(r1, c1).merge(table.cell(r2, c2))
            merged.text = keep
    document.save(str(path))
    return path


def excel_plan(path: Path, sheets: dict[str, list[list[Any]]],
               merges: dict[str, list[str]] | None = None) -> Path:
    """Write an Excel workbook: each sheet's rows (None for an empty cell, a datetime
    for a date typed into a cell) and its merged ranges ("A1:F1")."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if isinstance(value, datetime):
                    sheet.cell(r, c).number_format = "DD/MM/YYYY"
        for area in (merges or {}).get(name, []):
            sheet.merge_cells(area)
    book.save(str(path))
    return path
