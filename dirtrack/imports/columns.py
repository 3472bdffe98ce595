"""The header row of an appendix table, found by its Vietnamese column names.

>>> column_kind("Cơ quan chủ trì"), column_kind("Thời hạn"), column_kind("Kết quả")
('lead', 'due', 'deliverable')
>>> column_kind("Cơ quan thực hiện Phối hợp"), column_kind("TT")
('support', 'stt')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dirtrack.imports.sources import Cell, Table
from dirtrack.imports.text import fold

# Checked in this order: the first kind one of whose words the folded name contains.
CONTAINS = [
    ("support", ("phoi hop",)),
    ("lead", ("chu tri", "co quan thuc hien", "don vi thuc hien", "co quan phu trach",
              "don vi phu trach", "co quan dau moi")),
    ("start", ("bat dau", "khoi dau")),
    ("due", ("thoi gian", "thoi han", "tien do", "han hoan thanh", "moc hoan thanh")),
    ("deliverable", ("san pham", "ket qua")),
    ("sector", ("linh vuc",)),
    ("note", ("ghi chu",)),
    ("title", ("noi dung", "nhiem vu", "cong viec", "giai phap", "hoat dong")),
]
EXACT = {"stt": "stt", "tt": "stt", "so tt": "stt", "so thu tu": "stt", "ma": "id",
         "ma nhiem vu": "id", "ma so": "id"}
# What an error line calls each column (the office's own words).
COLUMN_NAMES = {"stt": "stt", "title": "nội dung", "lead": "chủ trì", "support": "phối hợp",
                "due": "thời gian", "deliverable": "sản phẩm", "sector": "lĩnh vực",
                "id": "mã", "note": "ghi chú"}
HEADER_SEARCH_ROWS = 20
_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")


def column_kind(name: str) -> str | None:
    """Return what a column holds, from its header text; None when it is not known."""
    folded = fold(name)
    if not folded:
        return None
    if folded in EXACT:
        return EXACT[folded]
    for kind, words in CONTAINS:
        if any(w in folded for w in words):
            return kind
    return None


@dataclass
class Header:
    """Where a table's tasks begin and which column holds what."""

    row: int  # index of the first row after the header (and its numbering row)
    columns: dict[str, int]  # kind -> column index
    first: int  # index of the header's first row
    width: int  # how many columns the table has


def _labels(table: Table, r: int, two_rows: bool) -> list[str]:
    top = table.rows[r]
    if not two_rows:
        return [c.text for c in top]
    below = table.rows[r + 1]
    out = []
    for upper, lower in zip(top, below, strict=False):
        same = lower.origin == upper.origin
        out.append(upper.text if same else f"{upper.text} {lower.text}".strip())
    return out


def _kinds(labels: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, label in enumerate(labels):
        kind = column_kind(label)
        if kind is not None and kind not in found:
            found[kind] = i
    return found


def _is_header(kinds: dict[str, int]) -> bool:
    return "title" in kinds and ("lead" in kinds or "due" in kinds) and len(kinds) >= 3


def _sub_header(table: Table, r: int) -> bool:
    """True when row ``r + 1`` continues the header of row ``r`` (Chủ trì | Phối hợp under
    a merged Cơ quan thực hiện)."""
    if r + 1 >= len(table.rows):
        return False
    own = [lower for upper, lower in zip(table.rows[r], table.rows[r + 1], strict=False)
           if lower.origin != upper.origin and lower.text]
    return bool(own) and all(column_kind(c.text) is not None for c in own)


def find_header(table: Table) -> Header | None:
    """Return the table's header, or None when no row names the task and its lead or
    deadline (a layout table, a signature block)."""
    for r in range(min(HEADER_SEARCH_ROWS, len(table.rows))):
        kinds = _kinds(_labels(table, r, False))
        if not _is_header(kinds):
            continue
        two = _sub_header(table, r)
        if two:
            kinds = _kinds(_labels(table, r, True))
        body = r + (2 if two else 1)
        if body < len(table.rows) and is_numbering(table.rows[body]):
            body += 1
        return Header(body, kinds, r, len(table.rows[r]))
    return None


def is_numbering(row: list[Cell]) -> bool:
    """True for the row of column numbers under a header: (1) (2) (3) ..."""
    texts = [c.text for c in row if c.text and not c.covered]
    return len(texts) >= 3 and all(_NUMBERING.match(t) for t in texts)


def continues(table: Table, header: Header) -> Header | None:
    """Return the header of a table that carries on the previous one (``header``)
    without repeating its header row: same number of columns; else None."""
    if not table.rows or any(len(row) != header.width for row in table.rows):
        return None
    body = 1 if is_numbering(table.rows[0]) else 0
    return Header(body, header.columns, 0, header.width)
