"""Checks shared by every file: known keys, required keys, value types."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date
from typing import Any

from dirtrack.errors import Problem
from dirtrack.spec.yamlpos import YList, YMap


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


def as_date(value: Any, path: str, line: int, key: str, report: Report) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        report.error(path, line, key, f"'{value}' is not a date; write it as YYYY-MM-DD")
        return None


def as_slug(value: Any, path: str, line: int, key: str, report: Report) -> str | None:
    from dirtrack.spec.model import SLUG

    text = str(value) if value is not None else ""
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
