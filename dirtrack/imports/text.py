"""Vietnamese text as the importer compares it: folded, tokenised, turned into ids.

>>> fold("Ủy ban MTTQ Việt Nam tỉnh Ninh Bình")
'uy ban mttq viet nam tinh ninh binh'
>>> task_slug("Biên tập, xuất bản cuốn sách '100 mô hình, điển hình Dân vận khéo'")
'bien-tap-xuat-ban-cuon-sach-100'
>>> roman("IV.")
4
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+(?:[&./-][^\W_]+)*|[,;\n+&]|(?<!\w)[-\u2013](?!\w)", re.UNICODE)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
          "x": 10, "xi": 11, "xii": 12}
SLUG_SYLLABLES = 7
SLUG_CHARS = 40


def strip_accents(text: str) -> str:
    """Return ``text`` without Vietnamese diacritics (``đ`` becomes ``d``), case kept."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Return ``text`` lower-case, without diacritics or punctuation, spaces collapsed."""
    plain = strip_accents(text).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def clean(text: str) -> str:
    """Return cell text on one line, runs of spaces and line breaks made one space."""
    return " ".join(text.split())


def task_slug(title: str) -> str:
    """Return the id a task title gives: its first syllables, without diacritics."""
    words = fold(title).split()
    out: list[str] = []
    for word in words[:SLUG_SYLLABLES]:
        if out and len("-".join([*out, word])) > SLUG_CHARS:
            break
        out.append(word)
    return "-".join(out) or "task"


def slug(text: str) -> str:
    """Return ``text`` as an id: folded words joined by ``-``."""
    return "-".join(fold(text).split())


def roman(text: str) -> int | None:
    """Return the number a group heading's numeral means (``II.`` is 2), else None."""
    return _ROMAN.get(fold(text).strip())


@dataclass(frozen=True)
class Token:
    """One word or separator of a cell: where it is in the text, and the folded words it
    stands for (an abbreviation stands for several)."""

    start: int
    end: int
    words: tuple[str, ...]
    separator: bool = False
    soft: bool = False  # a separator that may also sit inside a name


# Abbreviations offices write, by their folded form. "TU" (Tỉnh ủy) and "CA" (Công an) are
# expanded only in capitals: folded, "tu" is also "tư" (Sở Tư pháp, Đầu tư).
ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan", "ub": "uy ban", "mttq": "mat tran to quoc",
    "hdnd": "hoi dong nhan dan", "ldld": "lien doan lao dong", "bch": "ban chap hanh",
    "btv": "ban thuong vu", "lhpn": "lien hiep phu nu", "ccb": "cuu chien binh",
    "chqs": "chi huy quan su", "tncs": "thanh nien cong san", "tp": "thanh pho",
    "tx": "thi xa", "vn": "viet nam", "hcm": "ho chi minh",
}
JOINED = {"ctxh": "chinh tri xa hoi", "ldld": "lien doan lao dong"}  # CT-XH, LĐ-LĐ
CAPITALS_ONLY = {"TU": "tinh uy", "CA": "cong an", "TW": "trung uong"}
AFTER = {("hoi", "nd"): "nong dan", ("doan", "tn"): "thanh nien"}


def tokens(text: str) -> list[Token]:
    """Return the words and separators of ``text``, abbreviations expanded.

    Separators are the comma, semicolon, line break and a bullet opening a line; "và",
    "&" and a dash inside a line are soft separators: they split a list of units but
    also belong to names ("Sở Giáo dục và Đào tạo", "Sở Lao động - Thương binh và Xã
    hội"), so "và" keeps its word.
    """
    out: list[Token] = []
    previous = ""
    for m in _WORD.finditer(text):
        raw = m.group(0)
        if raw in (",", ";", "\n", "+", "-", "\u2013"):
            hard = raw != "-" and raw != "\u2013" or text[:m.start()].rstrip(" \t").endswith(
                "\n") or not text[:m.start()].strip()
            out.append(Token(m.start(), m.end(), (), separator=True, soft=not hard))
            previous = ""
            continue
        if raw in CAPITALS_ONLY:
            words: list[str] = CAPITALS_ONLY[raw].split()
        elif fold(raw).replace(" ", "") in JOINED:
            words = JOINED[fold(raw).replace(" ", "")].split()
        else:
            words = []
            for word in fold(raw).split():
                if (previous, word) in AFTER:
                    words += AFTER[(previous, word)].split()
                else:
                    words += ABBREVIATIONS.get(word, word).split()
                previous = word
        if raw == "&" or words == ["va"]:
            out.append(Token(m.start(), m.end(), ("va",), separator=True, soft=True))
            previous = ""
            continue
        out.append(Token(m.start(), m.end(), tuple(words)))
        previous = words[-1] if words else ""
    return out


def words_of(toks: list[Token]) -> list[str]:
    """Return the folded words of ``toks``, separators left out except "và"."""
    return [w for t in toks for w in t.words]
