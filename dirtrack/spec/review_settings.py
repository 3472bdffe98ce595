"""``review.yaml`` and ``reviews/<quarter>.md``: how a jurisdiction's review is headed and
signed, and the paragraphs its secretariat writes for each quarter.

``review.yaml`` gives the document's issuing body and its superior, whether it is a
Party or a government body (the Party emblem line or the national motto), the
number pattern the office fills in, the place, the recipients, the signature and
the order of sectors. A narrative file holds up to three parts under level-two
headings that start with their Roman numeral (``## I. ...``, ``## II. ...``,
``## III. ...``); text before the first heading opens the report. Paragraphs are
separated by blank lines; a line starting with ``- `` is an item of a list and one
starting with ``### `` a heading within its part.

>>> from dirtrack.spec.fields import Report
>>> r = Report()
>>> n = read_narrative("## I. Kết quả\\nĐoạn một.\\n\\nĐoạn hai.\\n## III. Phương hướng\\n- Một\\n",
...                    "2024-Q2.md", r)
>>> n.results, n.directions, r.problems
(['Đoạn một.', 'Đoạn hai.'], ['- Một'], [])
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dirtrack.errors import Problem
from dirtrack.spec.fields import Report, as_choice, as_list, as_map, check_keys, check_text
from dirtrack.spec.model import SECTORS
from dirtrack.spec.yamlpos import YList

REVIEW_FILE, NARRATIVE_FOLDER = "review.yaml", "reviews"
ISSUER_KINDS = ("party", "government")
KEYS = ("issuer", "superior", "kind", "number", "place", "subject", "recipients", "signer",
        "sectors")
SIGNER_KEYS = ("authority", "title", "name")
PARTS = ("results", "shortcomings", "directions")
_NUMERAL = re.compile(r"^(III|II|I)\b[.:)]?\s*")
_QUARTER_FILE = re.compile(r"^(\d{4})-Q([1-4])\.md$")


@dataclass(frozen=True)
class Signer:
    """Who signs: the authority line (``T/M BAN DÂN VẬN``), the title and the name."""

    authority: str = ""
    title: str = ""
    name: str = ""


@dataclass(frozen=True)
class ReviewSettings:
    """The header, number, place, recipients, signature and sector order of a review."""

    issuer: str = ""
    superior: str = ""
    kind: str = "government"  # party: "ĐẢNG CỘNG SẢN VIỆT NAM"; government: the national motto
    number: str = "{n}/BC"  # {n} is the blank the office fills in
    place: str = ""
    subject: str = ""  # "công tác dân vận": the title reads "kết quả công tác dân vận quý II ..."
    recipients: tuple[str, ...] = ()
    signer: Signer = Signer()
    sectors: tuple[str, ...] = SECTORS
    path: str = ""  # where they were read from; "" for the defaults

    def numbered(self, n: str = "") -> str:
        """Return the document's number and symbol with ``n`` filled in; without ``n``,
        spaces the office fills in by hand.

        >>> ReviewSettings(number="{n}-BC/BDVTU").numbered(), ReviewSettings().numbered("7")
        ('     -BC/BDVTU', '7/BC')
        """
        return self.number.replace("{n}", n or " " * 5)


@dataclass
class Narrative:
    """The secretariat's paragraphs for one quarter, by part of the report."""

    quarter: str
    opening: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    shortcomings: list[str] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)
    path: str = ""

    def part(self, name: str) -> list[str]:
        return list(getattr(self, name))


def read_review_settings(doc: Any, path: str, report: Report) -> ReviewSettings:
    """Return the settings written in ``review.yaml``; report every mistake."""
    if doc is None:
        report.error(path, 1, "review", "the file is empty; write the issuing body, its "
                                        "number pattern and its signer (see docs/review.md)")
        return ReviewSettings(path=path)
    doc = as_map(doc, path, 1, "review", report)
    if doc is None:
        return ReviewSettings(path=path)
    check_keys(doc, KEYS, ("issuer", "kind", "number", "place"), path, report)
    check_text(doc, ("issuer", "superior", "kind", "number", "place", "subject"), path, report)
    kind = as_choice(doc.get("kind", "government"), ISSUER_KINDS, path, doc.line_of("kind"),
                     "kind", report) or "government"
    number = str(doc.get("number") or "{n}/BC")
    if number.count("{n}") != 1:
        report.error(path, doc.line_of("number"), "number",
                     f"'{number}' has no place for the number; write {{n}} where the office "
                     "fills it in, e.g. '{n}-BC/BDVTU'")
    recipients = _texts(doc.get("recipients"), path, doc.line_of("recipients"), "recipients",
                        report)
    signer = Signer()
    if "signer" in doc:
        raw = as_map(doc["signer"], path, doc.line_of("signer"), "signer", report)
        if raw is not None and check_keys(raw, SIGNER_KEYS, ("title", "name"), path, report,
                                          where=" of signer") \
                and check_text(raw, SIGNER_KEYS, path, report, where=" of signer"):
            signer = Signer(str(raw.get("authority") or ""), str(raw["title"]),
                            str(raw["name"]))
    sectors = _sector_order(doc.get("sectors"), path, doc.line_of("sectors"), report)
    return ReviewSettings(
        issuer=str(doc.get("issuer") or ""), superior=str(doc.get("superior") or ""),
        kind=kind, number=number, place=str(doc.get("place") or ""),
        subject=str(doc.get("subject") or ""), recipients=tuple(recipients), signer=signer,
        sectors=sectors, path=path)


def _texts(raw: Any, path: str, line: int, key: str, report: Report) -> list[str]:
    items = as_list(raw, path, line, key, report) or YList()
    out = []
    for i, item in enumerate(items):
        if isinstance(item, (dict, list)) or item is None or str(item).strip() == "":
            report.error(path, items.line_of(i), key,
                         "each recipient is one line of text; put text holding ': ' in quotes")
            continue
        out.append(str(item))
    return out


def _sector_order(raw: Any, path: str, line: int, report: Report) -> tuple[str, ...]:
    """Return the sectors in the order written, then any left out in the usual order."""
    if raw is None:
        return SECTORS
    items = as_list(raw, path, line, "sectors", report) or YList()
    order: list[str] = []
    for i, item in enumerate(items):
        sector = as_choice(item, SECTORS, path, items.line_of(i), "sectors", report)
        if sector is None:
            continue
        if sector in order:
            report.error(path, items.line_of(i), "sectors",
                         f"'{sector}' is listed twice; list each sector once")
            continue
        order.append(sector)
    return (*order, *(s for s in SECTORS if s not in order))


def read_narrative(text: str, path: str, report: Report) -> Narrative:
    """Return the parts of a narrative file; report a heading that names no part."""
    match = _QUARTER_FILE.match(Path(path).name)
    quarter = f"{match.group(1)}-Q{match.group(2)}" if match else ""
    narrative = Narrative(quarter, path=path)
    part = "opening"
    block: list[str] = []
    seen: dict[str, int] = {}

    def flush() -> None:
        if block:
            getattr(narrative, part).append(" ".join(s.strip() for s in block))
            block.clear()

    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("### "):  # a heading within a part, kept as it is
            flush()
            getattr(narrative, part).append("### " + stripped[4:].strip())
        elif stripped.startswith("#"):
            flush()
            title = stripped.lstrip("#").strip()
            numeral = _NUMERAL.match(title)
            if not stripped.startswith("## ") or numeral is None:
                report.error(path, number, "heading",
                             f"'{stripped}' names no part of the report; use '## I. Kết quả "
                             "thực hiện', '## II. Hạn chế, nguyên nhân' and '## III. Phương "
                             "hướng, nhiệm vụ quý tới'")
                continue
            part = PARTS[len(numeral.group(1)) - 1]
            if part in seen:
                report.error(path, number, "heading",
                             f"part {numeral.group(1)} already begins on line {seen[part]}; "
                             "write each part once")
            seen[part] = number
        elif not stripped:
            flush()
        elif stripped.startswith(("- ", "* ", "+ ")):
            flush()
            block.append("- " + stripped[2:].strip())
        else:
            block.append(stripped)
    flush()
    return narrative


def read_narratives(folder: Path, shown: str, report: Report) -> dict[str, Narrative]:
    """Return the narrative of each quarter found in ``folder`` (``reviews/``), by quarter."""
    found: dict[str, Narrative] = {}
    if not folder.is_dir():
        return found
    for file in sorted(folder.iterdir()):
        name = f"{shown}/{file.name}"
        if file.is_dir() or file.name.startswith("."):
            continue
        if not _QUARTER_FILE.match(file.name):
            report.warn(name, 0, "file", "not read: a quarter's narrative is named after its "
                        "quarter, e.g. 2024-Q2.md")
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            line = file.read_bytes()[:exc.start].count(b"\n") + 1
            report.problems.append(Problem(name, line, "file", "this is not UTF-8 text; save "
                                                               "the file as UTF-8"))
            continue
        narrative = read_narrative(text, name, report)
        found[narrative.quarter] = narrative
    return found


def read_review_files(folder: Path, shown: str,
                      load: Callable[[Path], tuple[Any, str, str | None]],
                      report: Report) -> tuple[ReviewSettings | None, dict[str, Narrative]]:
    """Return a jurisdiction folder's review settings (None without ``review.yaml``) and
    its narratives; ``load`` reads a YAML file as the loader does, reporting what it finds.
    """
    settings = None
    if (folder / REVIEW_FILE).exists():
        found = len(report.problems)
        doc, path, _ = load(folder / REVIEW_FILE)
        if len(report.problems) == found:  # else unreadable, and already said so
            settings = read_review_settings(doc, path, report)
    return settings, read_narratives(folder / NARRATIVE_FOLDER, f"{shown}/{NARRATIVE_FOLDER}",
                                     report)
