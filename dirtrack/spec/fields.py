"""Checks shared by every file: known keys, required keys, value types."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from dirtrack.errors import Problem
from dirtrack.spec.yamlpos import YList, YMap

MAX_ID = 100  # characters of an id: it is typed, and shown in every list
MAX_TITLE = 2_000  # characters of a title or a name

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[Tt]|\s+)\d{1,2}:\d{2}")


class Report:
    """Collects problems for one run, so every problem is reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, path: str, line: int, key: str, message: str) -> None:
        self.problems.append(Problem(path, line, key, message))

    def warn(self, path: str, line: int, key: str, message: str) -> None:
        self.problems.append(Problem(path, line, key, message, severity="warning"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def suggestion(word: str, choices: Iterable[str]) -> str:
    """Return ' (did you mean 'x'?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def check_keys(
    data: YMap,
    allowed: Iterable[str],
    required: Iterable[str],
    path: str,
    report: Report,
    where: str = "",
) -> bool:
    """Report unknown and missing keys; return True when every required key is there."""
    allowed = list(allowed)
    for key in data:
        if key not in allowed:
            report.error(
                path, data.line_of(key), key,
                f"unknown key{where}; allowed keys are {', '.join(allowed)}"
                + suggestion(key, allowed),
            )
    ok = True
    for key in required:
        if key not in data or data[key] is None or data[key] == "":
            report.error(path, data.line, key, f"missing required key{where}; add '{key}:'")
            ok = False
    return ok


def check_text(data: YMap, keys: Iterable[str], path: str, report: Report,
               where: str = "") -> bool:
    """Report any of ``keys`` holding a list or a mapping where one value is meant;
    return True when none does."""
    ok = True
    for key in keys:
        value = data.get(key)
        if isinstance(value, (dict, list)):
            shape = "a list" if isinstance(value, list) else "a mapping"
            report.error(path, data.line_of(key), key,
                         f"'{key}'{where} is {shape}; write one value (put text holding "
                         "': ' or starting with '[' or '{' in quotes)")
            ok = False
    return ok


def check_length(data: YMap, keys: Iterable[str], path: str, report: Report,
                 limit: int = MAX_TITLE) -> bool:
    """Report any of ``keys`` holding text longer than ``limit``; return True when none does."""
    ok = True
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and len(value) > limit:
            report.error(path, data.line_of(key), key,
                         f"'{key}' is {len(value):,} characters long; keep it to at most "
                         f"{limit:,}: a short title, the full text stays in the source document")
            ok = False
    return ok


def as_map(value: Any, path: str, line: int, key: str, report: Report) -> YMap | None:
    if isinstance(value, YMap):
        return value
    report.error(path, line, key, "must be a mapping of keys to values (key: value)")
    return None


def as_list(value: Any, path: str, line: int, key: str, report: Report) -> YList | None:
    if value is None:
        empty = YList()
        empty.line, empty.item_lines = line, []
        return empty
    if isinstance(value, YList):
        return value
    if isinstance(value, str):  # a single id written without brackets
        one = YList([value])
        one.line, one.item_lines = line, [line]
        return one
    report.error(path, line, key, "must be a list, e.g. [a, b]")
    return None


def is_date_and_time(value: Any) -> bool:
    """Return True for a date with a time of day, written bare or in quotes.

    >>> is_date_and_time("2024-05-01T10:00"), is_date_and_time("2024-05-01")
    (True, False)
    """
    return isinstance(value, datetime) or (
        isinstance(value, str) and _DATE_TIME.match(value.strip()) is not None)


def read_date(value: Any) -> date | None:
    """Return the date written as YYYY-MM-DD in ``value``, or None for anything else.

    >>> read_date("2024-05-01"), read_date("20240501"), read_date("2024-02-30")
    (datetime.date(2024, 5, 1), None, None)
    """
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def as_date(value: Any, path: str, line: int, key: str, report: Report) -> date | None:
    day = read_date(value)
    if day is not None:
        return day
    if is_date_and_time(value):
        report.error(path, line, key,
                     f"'{value}' is a date and time; write a date (YYYY-MM-DD)")
    else:
        report.error(path, line, key, f"'{value}' is not a date; write it as YYYY-MM-DD")
    return None


def as_slug(value: Any, path: str, line: int, key: str, report: Report) -> str | None:
    from dirtrack.spec.model import SLUG

    text = str(value) if value is not None else ""
    if len(text) > MAX_ID:
        report.error(path, line, key, f"the id is {len(text):,} characters long; keep it to "
                     f"at most {MAX_ID} (a short name such as 2024-q2-plan)")
        return None
    if SLUG.match(text):
        return text
    report.error(
        path, line, key,
        f"'{text}' is not a valid id; use lower-case letters, digits and '-'",
    )
    return None


def as_choice(
    value: Any, choices: Iterable[str], path: str, line: int, key: str, report: Report
) -> str | None:
    choices = list(choices)
    text = str(value)
    if text in choices:
        return text
    report.error(
        path, line, key,
        f"'{text}' is not one of {', '.join(choices)}" + suggestion(text, choices),
    )
    return None
