"""The rows of an appendix table sorted out: tasks, group headings, notes.

A group heading ("I. LĨNH VỰC KINH TẾ", often one cell merged across the row) sets
the sector of the rows below it; a numbered row with nothing but its title, whose
next row is numbered beneath it (1 then 1.1, or a, b), is a heading too. Blank
rows, the row of column numbers, a header repeated on a new page and a footnote
("Ghi chú: ...") are not tasks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dirtrack.imports.columns import Header, _is_header, _kinds, is_numbering
from dirtrack.imports.sources import Cell, Table
from dirtrack.imports.text import clean, fold

SECTOR_WORDS = [
    ("defense-security", ("quoc phong", "an ninh", "quan su")),
    ("political-system", ("xay dung dang", "he thong chinh tri", "chinh tri", "chinh quyen",
                          "mat tran")),
    ("economic", ("kinh te",)),
    ("cultural-social", ("van hoa", "xa hoi", "giao duc", "y te")),
]
GROUP_NUMERAL = re.compile(r"^(?:([IVX]{1,4})(?:\s*[.)/-]\s*|\s+)|([A-Z])\s*[.)]\s*)(?=\S)")
STT_NUMERAL = re.compile(r"([IVX]{1,4}|[A-Z])()\s*[.)]?")
FOOTNOTE = ("ghi chu", "chu thich", "luu y", "chu y")


def sector_of(text: str) -> str | None:
    """Return the sector a group heading or a Lĩnh vực cell names, else None.

    >>> sector_of("I. LĨNH VỰC KINH TẾ"), sector_of("VĂN HÓA - XÃ HỘI")
    ('economic', 'cultural-social')
    >>> sector_of("XÂY DỰNG ĐẢNG VÀ HỆ THỐNG CHÍNH TRỊ"), sector_of("CÔNG TÁC TUYÊN TRUYỀN")
    ('political-system', None)
    """
    folded = fold(text)
    for sector, words in SECTOR_WORDS:
        if any(w in folded for w in words):
            return sector
    return None


@dataclass
class Row:
    """One row of a table: the cell of each known column (empty when a merged cell from
    another column covers it)."""

    cells: dict[str, Cell]
    address: str  # the address of its title cell (or first cell)

    def text(self, kind: str) -> str:
        cell = self.cells.get(kind)
        if cell is None or cell.origin[1] != cell.at[1]:
            return ""
        return cell.text

    def value(self, kind: str) -> object:
        cell = self.cells.get(kind)
        if cell is None or cell.origin[1] != cell.at[1]:
            return None
        return cell.value

    def where(self, kind: str) -> str:
        cell = self.cells.get(kind)
        return cell.address if cell is not None else self.address


@dataclass
class Group:
    """A group heading: its text, numeral (``II``) and the sector it names (or None)."""

    text: str
    numeral: str
    sector: str | None
    address: str


@dataclass
class Note:
    """A heading that starts no group, or a footnote: kept as a comment."""

    text: str
    address: str


def read_rows(table: Table, header: Header) -> Iterator[Row | Group | Note]:
    """Yield the table's rows below its header, sorted out (see the module's description)."""
    pending: Row | None = None  # a numbered row with only a title: a heading or a task
    for r in range(header.row, len(table.rows)):
        cells = table.rows[r]
        if not any(c.text for c in cells) or is_numbering(cells):
            continue
        if _is_header(_kinds([c.text for c in cells])):
            continue
        row = Row({k: cells[i] for k, i in header.columns.items() if i < len(cells)},
                  cells[header.columns.get("title", 0)].address)
        stt, title = clean(row.text("stt")), clean(row.text("title"))
        first = stt if not title else title if not stt else f"{stt} {title}"
        if not first:  # only a merged cell from another column: take the row's text
            first = clean(next(c.text for c in cells if c.text))
        rest = any(row.text(k) for k in ("lead", "support", "due", "deliverable"))
        if pending is not None:
            sub = stt.rstrip(".")
            parent = pending.text("stt").strip().rstrip(".")
            if sub.startswith(parent + ".") or re.fullmatch(r"[a-zđ][.)]?|[-+•]", sub):
                yield Note(clean(f"{parent}. {pending.text('title')}"), pending.address)
            else:
                yield pending
            pending = None
        if not rest:
            if fold(first).startswith(FOOTNOTE) or first.startswith("*") or \
                    first.startswith("(*)"):
                yield Note(first, row.address)
                continue
            m = STT_NUMERAL.fullmatch(stt) if stt else None
            m = m or GROUP_NUMERAL.match(first)
            if m or sector_of(first):
                numeral = (m.group(1) or m.group(2)) if m else ""
                if stt == numeral and title:
                    first = f"{stt}. {title}"
                yield Group(first, numeral, sector_of(first), row.address)
                continue
            if not title:
                yield Note(first, row.address)
                continue
            if stt and re.fullmatch(r"\d+(\.\d+)*\.?", stt):
                pending = row
                continue
        yield row
    if pending is not None:
        yield pending
