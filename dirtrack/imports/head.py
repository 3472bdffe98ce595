"""The directive's own details, read from the text above the appendix table.

Two shapes are read. A plan's first page: the issuing body top left, ``Số 15-KH/BDVTU``,
``Ninh Bình, ngày 10 tháng 7 năm 2024``, the kind (``KẾ HOẠCH``) and the title on the
next line. An appendix on its own: ``PHỤ LỤC``, its title, and ``(Kèm theo Kế hoạch
số 15-KH/BDVTU ngày 10/7/2024 của Ban Dân vận Tỉnh ủy)``, which names all the rest.

>>> h = read_head(["PHỤ LỤC", "Danh mục nhiệm vụ",
...                "(Kèm theo Kết luận số 45-KL/TU ngày 15/4/2024 của Ban Thường vụ Tỉnh ủy)"])
>>> h.kind, h.number, h.issued_on, h.title, h.issuer
('conclusion', '45-KL/TU', datetime.date(2024, 4, 15), 'Danh mục nhiệm vụ', 'Ban Thường vụ Tỉnh ủy')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from dirtrack.imports.text import fold

KINDS = {"ke hoach": "plan", "ket luan": "conclusion", "nghi quyet": "resolution",
         "chi thi": "directive", "quyet dinh": "decision", "thong tri": "circular",
         "thong bao": "notice", "chuong trinh": "plan"}
KIND_WORDS = {"plan": "Kế hoạch", "conclusion": "Kết luận", "resolution": "Nghị quyết",
              "directive": "Chỉ thị", "decision": "Quyết định", "circular": "Thông tri",
              "notice": "Thông báo"}
_KIND = "|".join(["kế hoạch", "kết luận", "nghị quyết", "chỉ thị", "quyết định", "thông tri",
                  "thông báo", "chương trình"])
_DAY = r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})|(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
ATTACHED = re.compile(rf"kèm theo\s+({_KIND})\s+(?:số\s*:?\s*)?(\S+?)\s+ngày\s+(?:{_DAY})"
                      r"(?:\s+của\s+(.+?))?\s*\)?\s*$", re.IGNORECASE)
NUMBER = re.compile(r"^số\s*:?\s*(\d+[^\s,;)]*[-/][^\s,;)]+)", re.IGNORECASE)
PLACE_DAY = re.compile(r"^[^,\d]{2,60},\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})",
                       re.IGNORECASE)


@dataclass
class Head:
    """What the document says about itself; empty fields were not found."""

    kind: str = ""
    number: str = ""
    title: str = ""
    issued_on: date | None = None
    issuer: str = ""  # the issuing body's name as written
    issuer_lines: list[str] = field(default_factory=list)  # top-left lines, to try as names
    title_from_line: bool = False  # the title is only the first line above the table


def _day(groups: tuple[str | None, ...]) -> date | None:
    numbers = [int(g) for g in groups if g]
    if len(numbers) != 3:
        return None
    try:
        return date(numbers[2], numbers[1], numbers[0])
    except ValueError:
        return None


def read_head(texts: list[str]) -> Head:
    """Return what ``texts`` (the document above the table, top down) say of the directive."""
    head = Head()
    lines = [" ".join(x.split()) for t in texts for x in t.splitlines() if x.strip()]
    plain: list[str] = []  # lines that say nothing else: the title, when nothing names one
    for i, line in enumerate(lines):
        m = ATTACHED.search(line)
        if m:
            head.kind = head.kind or KINDS[fold(m.group(1))]
            head.number = head.number or m.group(2)
            head.issued_on = head.issued_on or _day(m.groups()[2:8])
            head.issuer = head.issuer or (m.group(9) or "").strip()
            continue
        m = NUMBER.match(line)
        if m and not head.number:
            head.number = m.group(1)
            head.issuer_lines = [x for x in lines[:i] if not _is_motto(x)]
            continue
        m = PLACE_DAY.match(line)
        if m and head.issued_on is None:
            head.issued_on = _day(m.groups())
            continue
        folded = fold(line)
        if folded in KINDS and i + 1 < len(lines):
            head.kind = head.kind or KINDS[folded]
            head.title = head.title or _title(lines[i + 1])
        elif folded.startswith("phu luc") and not head.title:
            rest = re.sub(r"^phụ lục\s*[\divx]*\s*[:.-]?\s*", "", line, flags=re.IGNORECASE)
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if rest:
                head.title = _title(rest)
            elif nxt and not ATTACHED.search(nxt):
                head.title = _title(nxt)
        elif not _is_motto(line) and len(folded.split()) >= 4:
            plain.append(line)
    if not head.title and plain:
        head.title, head.title_from_line = _title(plain[0]), True
    return head


def _title(line: str) -> str:
    return line.strip().strip("()").strip()


def _is_motto(line: str) -> bool:
    folded = fold(line)
    return folded in ("", "dang cong san viet nam", "cong hoa xa hoi chu nghia viet nam",
                      "doc lap tu do hanh phuc") or not folded.strip("* ")
