"""An imported plan written as a directive file, every finding a comment where it applies.

Lines marked ``# FIX`` name what ``dirtrack validate`` will refuse until it is
changed; ``# NOTE`` lines say what the importer decided (the first of two leads
leads, a vague "các sở, ban, ngành liên quan" left out).
"""

from __future__ import annotations

import json
import re
from datetime import date

from dirtrack.imports.plan import Finding, Imported, ImportedTask
from dirtrack.imports.rows import Group, Note
from dirtrack.spec.model import SLUG

_PLAIN_DUE = re.compile(r"^(\d{4}(-(Q[1-4]|H[12]|\d{2}(-\d{2})?))?|end|"
                        r"[a-z0-9][a-z0-9/-]* \+ \d+w?d)$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}
HEAD_KEYS = ("id", "number", "kind", "title", "issued_by", "issued_on")
QUOTED_HEAD = {"number", "title"}


def quote(text: str) -> str:
    """Return ``text`` as a YAML double-quoted string."""
    return json.dumps(text, ensure_ascii=False)


def _id(text: str) -> str:
    plain = SLUG.match(text) and not re.fullmatch(r"[\d-]+", text) and text not in _YAML_WORDS
    return text if plain else quote(text)


def _due(text: str) -> str:
    return text if _PLAIN_DUE.match(text) else quote(text)


def _comment(finding: Finding) -> str:
    mark = "FIX" if finding.severity == "error" else "NOTE"
    return f"# {mark} {finding.address}: {finding.key}: {finding.message}"


def _share(share: float) -> str:
    return f"{round(share * 100, 4):g}%"


def _fan_out(value: object) -> str:
    """Return ``for_each`` as YAML: a level, or ``{level: [...], kind: [...]}``.

    The mapping comes from the hidden note of an exported plan; anything but plain
    names is quoted, for validate to refuse with its line.

    >>> _fan_out({"level": ["province"], "kind": ["front", "union"]})
    '{level: [province], kind: [front, union]}'
    """
    if isinstance(value, dict):
        parts = {str(k): v if isinstance(v, list) else [v] for k, v in value.items() if v}
        names = [str(k) for k in parts] + [str(x) for v in parts.values() for x in v]
        if all(re.fullmatch(r"[a-z][a-z-]*", n) for n in names):
            return "{" + ", ".join(f"{k}: [{', '.join(map(str, v))}]"
                                   for k, v in parts.items()) + "}"
    text = str(value)
    return text if re.fullmatch(r"[a-z]+", text) else quote(text)


def task_lines(task: ImportedTask) -> list[str]:
    """Return the YAML lines of one task (without indentation of the list)."""
    lines = [f"- id: {_id(task.id)}", f"  title: {quote(task.title)}"]
    if task.for_each:
        lines.append(f"  for_each: {_fan_out(task.for_each)}")
        if task.scope:
            lines.append(f"  scope: {_id(task.scope)}")
    if task.lead:
        lines.append(f"  lead: {_id(task.lead)}")
    if task.support:
        lines.append(f"  support: [{', '.join(_id(s) for s in task.support)}]")
    lines.append(f"  sector: {_id(task.sector) if task.sector else quote('')}")
    if task.deliverable:
        lines.append(f"  deliverable: {quote(task.deliverable)}")
    if task.repeat:
        note = f"  # {task.due_note}" if task.due_note else ""
        lines.append(f"  repeat: {task.repeat}{note}")
        if task.repeat_from:
            lines += [f"  from: {task.repeat_from}", f"  until: {task.repeat_until}"]
    said = f"  # {task.due_text}" if task.due_text and task.due_text != task.due and \
        task.due_kind not in ("problem", "repeat") and task.due != task.due_text else ""
    lines.append(f"  due: {_due(task.due) if task.due else quote('')}{said}")
    if task.depends_on:
        deps = [_id(d) if s == 1.0 else f"{{task: {_id(d)}, at_least: {_share(s)}}}"
                for d, s in task.depends_on]
        lines.append(f"  depends_on: [{', '.join(deps)}]")
    if task.repeat and not task.repeat_from:  # the office adds its periods
        lines = ["# " + line for line in lines]
    return lines


def directive_yaml(imported: Imported) -> str:
    """Return the directive file for ``imported``, findings as comments."""
    errors = len(imported.errors)
    out = [f"# Imported from {imported.source} by dirtrack import."]
    if errors:
        out.append(f"# {errors} problem(s) to fix: each line marked FIX says what to change "
                   "('dirtrack validate' refuses the file until then).")
    out.append("directive:")
    by_key = {f.key: f for f in imported.head_findings}
    for key in HEAD_KEYS:
        value = imported.directive.get(key)
        if key in by_key:
            out.append("  " + _comment(by_key[key]))
        if value is None:
            continue
        if isinstance(value, date):
            shown = value.isoformat()
        elif key in QUOTED_HEAD:
            shown = quote(str(value))
        else:
            shown = _id(str(value))
        out.append(f"  {key}: {shown}")
    live = [t for t in imported.tasks if t.title and (t.repeat_from or not t.repeat)]
    out.append("tasks:" if live else "tasks: []")
    for item in imported.items:
        if isinstance(item, Group):
            out += ([] if out[-1].startswith("tasks:") else [""]) + [f"  # {item.text}"]
        elif isinstance(item, Note):
            out.append(f"  # {item.text}")
        elif not item.title:
            out += ["  " + _comment(f) for f in item.findings]
        else:
            out += ["  " + _comment(f) for f in item.findings]
            out += ["  " + line for line in task_lines(item)]
    return "\n".join(out) + "\n"
