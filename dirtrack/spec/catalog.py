"""Catalog templates: reusable groups of tasks, YAML rendered with Jinja2.

A template file holds two YAML documents: a header naming the template and its
parameters, then the task list, which is rendered from the parameters before it
is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta
from jinja2 import Template as Jinja
from jinja2.exceptions import SecurityError, UndefinedError

from dirtrack.registry import LEVELS
from dirtrack.spec.fields import (
    Report,
    as_map,
    check_keys,
    check_length,
    is_date_and_time,
    read_date,
    suggestion,
)
from dirtrack.spec.files import MAX_FILE_BYTES, inside, read_source, shown
from dirtrack.spec.model import parse_deadline
from dirtrack.spec.roles import TIERS, Place
from dirtrack.spec.sandbox import Sandbox, template_line
from dirtrack.spec.yamlpos import YamlSyntaxError, YMap, parse_yaml

TIERS_PARAM = "tiers"  # given to every template: 2 or 3 tiers of local government
PARAM_TYPES = ("str", "int", "bool", "date", "deadline", "unit", "units", "level")
_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass
class Param:
    name: str
    type: str
    required: bool
    default: Any = None
    line: int = 0


@dataclass
class Template:
    name: str
    title: str
    path: str
    params: dict[str, Param]
    body: str
    body_line_offset: int
    text: str = ""
    line: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def read_template(path: Path, display: str, report: Report) -> Template | None:
    """Return the template in ``path``, or None after reporting why it cannot be read."""
    text = read_source(path, display, report)
    if text is None:
        return None
    parts = _SEPARATOR.split(text, maxsplit=1)
    if len(parts) != 2:
        report.error(
            display, 1, "template",
            "a template needs a header document, a line '---', then the tasks document",
        )
        return None
    header_text, body = parts
    # The body starts on the line after '---': its first line is line offset + 1.
    offset = header_text.count("\n") + 1
    if body.startswith("\n"):
        body = body[1:]
    try:
        header = parse_yaml(header_text, display)
    except YamlSyntaxError as exc:
        report.problems.append(exc.problem)
        return None
    header = as_map(header, display, 1, "template", report)
    if header is None:
        return None
    if not check_keys(header, ["template", "title", "params", "description"], ["template"],
                      display, report) or not check_length(header, ("title",), display, report):
        return None
    params: dict[str, Param] = {}
    raw_params = header.get("params") or YMap()
    raw_params = as_map(raw_params, display, header.line_of("params"), "params", report)
    for name, spec in (raw_params or {}).items():
        line = raw_params.line_of(name) if raw_params is not None else 1
        spec = as_map(spec, display, line, name, report)
        if spec is None:
            continue
        check_keys(spec, ["type", "required", "default", "description"], ["type"],
                   display, report, where=f" in parameter '{name}'")
        if name == TIERS_PARAM:
            report.error(display, line, name,
                         f"'{TIERS_PARAM}' is given to every template (2 or 3 tiers, from the "
                         "registry or 'with:'); remove it from 'params:'")
            continue
        ptype = str(spec.get("type", "str"))
        if ptype not in PARAM_TYPES:
            report.error(display, spec.line_of("type"), "type",
                         f"unknown parameter type '{ptype}'; use one of {', '.join(PARAM_TYPES)}")
            continue
        required = bool(spec.get("required", "default" not in spec))
        if not required and "default" not in spec:
            report.error(display, line, name,
                         f"optional parameter '{name}' has no default; give it a default "
                         "(\"\" for none) or make it required")
            continue
        params[name] = Param(name, ptype, required, spec.get("default"), line)
    name = str(header["template"])
    if name != path.stem:
        report.error(display, header.line_of("template"), "template",
                     f"template name '{name}' differs from its file name; "
                     f"name it '{path.stem}' or rename the file")
    return Template(name, str(header.get("title", name)), display, params, body, offset, text)


def read_catalog(folder: Path | None, root: Path, report: Report) -> dict[str, Template]:
    """Return every template of the catalog folder, keyed by name."""
    catalog: dict[str, Template] = {}
    if folder is None or not folder.is_dir():
        return catalog
    for path in sorted(folder.glob("*.yaml")):
        display = shown(path, root)
        # A link leading out of the catalog would let a template name read any file; a
        # broken link or a loop is reported by read_source.
        if path.is_symlink() and path.exists() and not inside(path, folder):
            report.error(display, 0, "file", "this is a link to a file outside the catalog "
                         "folder; copy the template into the catalog")
            continue
        tpl = read_template(path, display, report)
        if tpl is not None:
            catalog[tpl.name] = tpl
    return catalog


def _coerce(param: Param, value: Any) -> tuple[Any, str | None]:
    """Return (value to render, None) or (None, what is wrong)."""
    t = param.type
    if t == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"must be a whole number, got '{value}'"
        return value, None
    if t == "bool":
        if not isinstance(value, bool):
            return None, f"must be true or false, got '{value}'"
        return value, None
    if t == "date":
        day = read_date(value)
        if day is not None:
            return day.isoformat(), None
        if is_date_and_time(value):
            return None, f"must be a date (YYYY-MM-DD), got the date and time '{value}'"
        return None, f"must be a date (YYYY-MM-DD), got '{value}'"
    if t == "deadline":
        try:
            return parse_deadline(value).text, None
        except ValueError as exc:
            return None, str(exc)
    if t == "units":
        items = value if isinstance(value, list) else [value]
        return "[" + ", ".join(str(v) for v in items) + "]", None
    if t == "level":
        if str(value) not in LEVELS:
            return None, f"must be a level ({', '.join(LEVELS)}), got '{value}'"
        return str(value), None
    if isinstance(value, (dict, list)):
        return None, f"must be a single value, got '{value}'"
    return str(value), None


def bind_params(
    tpl: Template, given: YMap, path: str, use_line: int, report: Report,
    place: Place | None = None,
) -> dict[str, Any] | None:
    """Return the template's parameter values from a use's ``with:``; report mistakes.

    Besides its own parameters every template reads ``tiers``: 2 or 3 from ``with:``,
    else 3 when the registry has a district in effect on the issue date, else 2.
    """
    env = Sandbox(undefined=StrictUndefined)
    ok = True
    for key in given:
        if key not in tpl.params and key != TIERS_PARAM:
            report.error(path, given.line_of(key), key,
                         f"template '{tpl.name}' has no parameter '{key}'; its parameters are "
                         f"{', '.join([*tpl.params, TIERS_PARAM])}"
                         + suggestion(key, tpl.params))
            ok = False
    values: dict[str, Any] = {TIERS_PARAM: place.tiers if place is not None else 3}
    if TIERS_PARAM in given:
        if given[TIERS_PARAM] not in TIERS or isinstance(given[TIERS_PARAM], bool):
            report.error(path, given.line_of(TIERS_PARAM), TIERS_PARAM,
                         f"'{given[TIERS_PARAM]}' is not a number of tiers; write 2 (communes "
                         "and wards under the province) or 3 (province, district, commune)")
            ok = False
        else:
            values[TIERS_PARAM] = given[TIERS_PARAM]
    for param in tpl.params.values():
        if param.name in given:
            raw, line = given[param.name], given.line_of(param.name)
        elif param.required:
            report.error(path, use_line, "with",
                         f"template '{tpl.name}' needs parameter '{param.name}' "
                         f"({param.type}); add it under 'with:'")
            ok = False
            continue
        elif not ok:
            continue  # a default may use the parameters already refused
        else:
            raw, line = param.default, use_line
            if isinstance(raw, str) and "{" in raw:
                try:
                    raw = env.from_string(raw).render(**values)
                except Exception as exc:  # a user's template: any failure is its mistake
                    report.error(tpl.path, param.line, param.name,
                                 f"default does not render: {_why(exc)}")
                    ok = False
                    continue
        problem = None
        if param.type in ("unit", "units") and place is not None:
            raw, problem = place.resolve(raw)
        if problem is None:
            value, problem = _coerce(param, raw)
        if problem is None and param.type in ("unit", "units") and place is not None:
            units = place.registry.units
            wrong = [u for u in (raw if isinstance(raw, list) else [raw]) if str(u) not in units]
            if wrong:
                problem = (f"names unknown unit '{wrong[0]}'; use an id from "
                           f"{place.units_file}" + suggestion(str(wrong[0]), units))
        if problem:
            default = param.name not in given
            report.error(path, line, param.name,
                         f"parameter '{param.name}' of template '{tpl.name}' "
                         + ("by default " if default else "") + problem
                         + (f", or give '{param.name}' under 'with:'" if default else ""))
            ok = False
            continue
        values[param.name] = value
    return values if ok else None


def _why(exc: Exception) -> str:
    """Return what is wrong with a template that failed to render, and what to do."""
    text = str(exc).rstrip(".")
    if isinstance(exc, SecurityError):
        return f"{text}; a template reads its parameters only: remove that expression"
    if isinstance(exc, UndefinedError):
        return f"{text}; declare the parameter under 'params:' or fix its name"
    if isinstance(exc, TemplateError):
        return f"{text}; fix the template"
    return f"{type(exc).__name__}: {text}; fix the template"


def _render(template: Jinja, values: dict[str, Any]) -> str | None:
    """Return the rendered text, or None when it grows past MAX_FILE_BYTES characters."""
    parts, size = [], 0
    for chunk in template.generate(**values):
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            return None
        parts.append(chunk)
    return "".join(parts)


_PROBE = "\u2063unused\u2063"  # a value no template compares with or renders by chance


def ignored_params(tpl: Template, values: dict[str, Any], given: list[str]) -> list[str]:
    """Return the parameters of ``given`` whose value changes nothing in the rendered tasks
    (``district_due`` in two tiers, where there is no district congress): the tasks are
    rendered again with each one's value replaced, and are the same.

    A parameter that another parameter's default reads counts as used.
    """
    env = Sandbox(undefined=StrictUndefined, keep_trailing_newline=True)
    read_by_defaults: set[str] = set()
    for param in tpl.params.values():
        if param.name not in given and isinstance(param.default, str) and "{" in param.default:
            try:
                read_by_defaults |= meta.find_undeclared_variables(env.parse(param.default))
            except TemplateError:
                continue
    try:
        body = env.from_string(tpl.body)
        rendered = _render(body, values)
    except Exception:  # reported by render_tasks
        return []
    ignored = []
    for name in given:
        if name == TIERS_PARAM or name not in values or name in read_by_defaults:
            continue
        try:
            probe = _render(body, {**values, name: _PROBE})
        except Exception:  # the value is read (compared, counted...): it is used
            continue
        if probe == rendered:
            ignored.append(name)
    return ignored


def warn_ignored(tpl: Template, values: dict[str, Any], given: YMap, path: str,
                 report: Report) -> None:
    """Warn, at its line under ``with:``, of each parameter given whose value no task
    takes (a district deadline in a province of two tiers)."""
    tiers = values.get(TIERS_PARAM)
    for param in ignored_params(tpl, values, [str(k) for k in given]):
        shape = (f" in {tiers} tiers" + (" (no district in effect on the issue date)"
                                         if tiers == 2 and TIERS_PARAM not in given else "")
                 if tiers in (2, 3) else "")
        report.warn(path, given.line_of(param), param,
                    f"template '{tpl.name}' does not use '{param}'{shape}: its value is "
                    "ignored and no task takes it; remove it"
                    + (", or write 'tiers: 3' for a plan of three tiers" if tiers == 2 else ""))


def render_tasks(tpl: Template, values: dict[str, Any], report: Report) -> Any:
    """Return the rendered task document of ``tpl`` (YMap), or None after reporting."""
    env = Sandbox(undefined=StrictUndefined, keep_trailing_newline=True)
    try:
        rendered = _render(env.from_string(tpl.body), values)
    except TemplateSyntaxError as exc:
        report.error(tpl.path, tpl.body_line_offset + (exc.lineno or 1), "jinja",
                     f"{exc.message}; fix the template syntax")
        return None
    except Exception as exc:  # a user's template: any failure is its mistake
        where = template_line(exc)
        report.error(tpl.path, tpl.body_line_offset + (where[1] if where else 1), "jinja",
                     _why(exc))
        return None
    if rendered is None:
        report.error(tpl.path, tpl.body_line_offset + 1, "jinja",
                     f"the tasks rendered hold more than {MAX_FILE_BYTES:,} characters; "
                     "render fewer or shorter tasks")
        return None
    try:
        return parse_yaml(rendered, tpl.path, line_offset=tpl.body_line_offset)
    except YamlSyntaxError as exc:
        report.problems.append(exc.problem)
        return None
