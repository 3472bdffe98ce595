"""Deadlines as offices write them, turned into deadline expressions.

>>> [office_deadline(t).expression for t in ("30/6/2026", "Trước ngày 15/5/2026",
...  "Tháng 6 năm 2026", "Quý II/2026", "6 tháng đầu năm 2026", "Năm 2026")]
['2026-06-30', '2026-05-15', '2026-06', '2026-Q2', '2026-H1', '2026']
>>> d = office_deadline("Hằng quý")
>>> d.kind, d.repeat, d.expression
('repeat', 'quarterly', 'end')
>>> office_deadline("Quý III").problem
"'Quý III' has no year; add it (Quý III/2026)"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dirtrack.imports.text import roman, strip_accents

_ROMAN_Q = r"(i{1,3}|iv|[1-4])"
_YEAR = r"(\d{4})"
_BY = (r"(?:(?:hoan thanh |xong )?(?:truoc|cham nhat(?: la)?|han chot|trong|den het|den|het"
       r"|vao)\s+)?(?:ngay\s+)?")
_WITHIN = r"(?:(?:trong|den het|het|den|ca|trong ca)\s+)?"
DATE = re.compile(_BY + r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*" + _YEAR)
DATE_WORDS = re.compile(_BY + r"(\d{1,2}) thang (\d{1,2}) nam " + _YEAR)
MONTH = re.compile(_WITHIN + r"(?:thang|t)\s*(\d{1,2})\s*(?:/|-|\s+nam\s+)\s*" + _YEAR)
QUARTER = re.compile(_WITHIN + r"(?:quy|q)\s*" + _ROMAN_Q + r"\s*(?:/|-|\s+nam\s+)\s*" + _YEAR)
HALF = re.compile(_WITHIN + r"(?:6 thang|nua) (dau|cuoi) nam\s+" + _YEAR)
YEAR = re.compile(_WITHIN + r"nam\s+" + _YEAR)
ISSUED = re.compile(r"(?:trong(?: vong| thoi han)?\s+)?(\d+) ngay( lam viec)? "
                    r"(?:ke tu|tinh tu|sau) (?:ngay|khi) (?:ban hanh|ky)"
                    r"(?: ke hoach| van ban| ket luan| nghi quyet)?")
AFTER_TASK = re.compile(r"(\d+) ngay( lam viec)? sau khi hoan thanh (cac )?nhiem vu so "
                        r"(\d+(?:\s*(?:,|va)\s*\d+)*)")
RECURRING = {
    "thuong xuyen": "quarterly", "hang quy": "quarterly", "hang thang": "monthly",
    "hang nam": "yearly", "6 thang": "half-yearly", "hang 6 thang": "half-yearly",
    "dinh ky 6 thang": "half-yearly", "dinh ky hang quy": "quarterly",
    "dinh ky hang thang": "monthly", "dinh ky hang nam": "yearly",
}
ONGOING_NOTE = "Thường xuyên: reported quarterly; change repeat: if needed"


@dataclass(frozen=True)
class OfficeDeadline:
    """What a deadline cell says.

    ``kind`` is ``date``, ``period``, ``issued`` (counted from the issue date), ``task``
    or ``deps`` (counted from other rows, named by their STT in ``rows``), ``repeat``
    (``repeat`` holds the period, ``expression`` the period-relative ``due``), or
    ``problem`` (``problem`` says why and what to write).
    """

    kind: str
    expression: str = ""
    repeat: str | None = None
    rows: tuple[str, ...] = ()
    note: str = ""
    problem: str = ""


def _flat(text: str) -> str:
    plain = strip_accents(text).lower()
    plain = re.sub(r"[()\[\]:;,.]+$", "", plain.strip())
    return " ".join(plain.replace("\u2013", "-").split())


def _real(year: int, month: int, day: int, shown: str) -> OfficeDeadline:
    try:
        return OfficeDeadline("date", date(year, month, day).isoformat())
    except ValueError:
        return OfficeDeadline("problem", problem=f"'{shown}' is not a real date")


def office_deadline(value: object, year: int | None = None) -> OfficeDeadline:
    """Return the deadline a cell's value means (a date typed into Excel, or text);
    ``year`` (the plan's) goes into the examples of what to write instead."""
    if isinstance(value, datetime):
        return OfficeDeadline("date", value.date().isoformat())
    if isinstance(value, date):
        return OfficeDeadline("date", value.isoformat())
    if isinstance(value, int) and 2000 <= value <= 2100:
        return OfficeDeadline("period", str(value))
    shown = " ".join(str(value if value is not None else "").split())
    text = _flat(shown)
    if not text:
        y = year or 2026
        return OfficeDeadline("problem", problem=f"no deadline; write one (30/6/{y}, "
                              f"Tháng 6/{y}, Quý II/{y}, Năm {y}, Thường xuyên)")
    try:  # already written as dirtrack writes it (2026-06-30, 2026-Q2)
        from dirtrack.spec.model import parse_deadline

        parsed = parse_deadline(shown)
        if parsed.kind in ("date", "issued"):
            kind = "issued" if parsed.kind == "issued" else \
                "date" if parsed.text == str(parsed.day) else "period"
            return OfficeDeadline(kind, parsed.text)
    except ValueError:
        pass
    if text in RECURRING:
        period = RECURRING[text]
        return OfficeDeadline("repeat", "end", repeat=period,
                              note=ONGOING_NOTE if text == "thuong xuyen" else "")
    for pattern in (DATE, DATE_WORDS):
        m = pattern.fullmatch(text)
        if m:
            day, month, year = (int(g) for g in m.groups())
            return _real(year, month, day, shown)
    m = MONTH.fullmatch(text)
    if m:
        if not 1 <= int(m.group(1)) <= 12:
            return OfficeDeadline("problem", problem=f"'{shown}': there is no month "
                                  f"{int(m.group(1))}")
        return OfficeDeadline("period", f"{m.group(2)}-{int(m.group(1)):02d}")
    m = QUARTER.fullmatch(text)
    if m:
        q = roman(m.group(1)) or int(m.group(1))
        return OfficeDeadline("period", f"{m.group(2)}-Q{q}")
    m = HALF.fullmatch(text)
    if m:
        return OfficeDeadline("period", f"{m.group(2)}-H{1 if m.group(1) == 'dau' else 2}")
    m = YEAR.fullmatch(text)
    if m:
        return OfficeDeadline("period", m.group(1))
    m = ISSUED.fullmatch(text)
    if m:
        unit = "wd" if m.group(2) else "d"
        return OfficeDeadline("issued", f"issued + {int(m.group(1))}{unit}")
    m = AFTER_TASK.fullmatch(text)
    if m:
        unit = "wd" if m.group(2) else "d"
        rows = tuple(re.findall(r"\d+", m.group(4)))
        kind = "deps" if m.group(3) else "task"
        if kind == "task" and len(rows) > 1:
            return OfficeDeadline("problem", problem=f"'{shown}' names several tasks; write "
                                  "'sau khi hoàn thành các nhiệm vụ số ...'")
        return OfficeDeadline(kind, f"+ {int(m.group(1))}{unit}", rows=rows)
    return OfficeDeadline("problem", problem=_why(shown, text, year or 2026))


def _why(shown: str, text: str, year: int) -> str:
    """Return what is wrong with a deadline no pattern read, and what to write instead."""
    if any(text.startswith(w) or f" {w}" in text for w in RECURRING) and re.search(r"\d", text):
        return (f"'{shown}' mixes recurring work and a date; write one deadline (the date, "
                "or the recurring period) and put the other in the task's title")
    if "hang tuan" in text:
        return f"'{shown}': weekly work cannot be tracked; write Hằng tháng or a date"
    m = re.fullmatch(_WITHIN + r"(quy|thang)\s*([ivx]+|\d{1,2})", text)
    if m:
        word = "Quý" if m.group(1) == "quy" else "Tháng"
        return f"'{shown}' has no year; add it ({word} {m.group(2).upper()}/{year})"
    m = re.fullmatch(r"truoc thang (\d{1,2})\s*(?:/|nam)\s*(\d{4})", text)
    if m and 1 <= int(m.group(1)) <= 12:
        before = date(int(m.group(2)), int(m.group(1)), 1) - timedelta(days=1)
        return (f"'{shown}' could mean the end of the month before or that month; write "
                f"{before.day}/{before.month}/{before.year} or Tháng {int(m.group(1))}/"
                f"{m.group(2)}")
    if re.fullmatch(r"truoc (thang|quy) .*", text):
        return (f"'{shown}' could mean the end of the period before or that period; write "
                "a date, or the period itself")
    if re.search(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2}\b", text):
        return f"'{shown}' has a two-digit year; write the year in full (30/6/{year})"
    return (f"cannot read '{shown}' as a deadline; write a date (30/6/{year}), a month "
            f"(Tháng 6/{year}), a quarter (Quý II/{year}), a half (6 tháng đầu năm {year}), a "
            f"year (Năm {year}) or recurring work (Thường xuyên, Hằng tháng, Hằng quý, Hằng năm)")
