"""Read a task's ``indicators:`` list into Indicators, reporting each problem at its line.

```yaml
indicators:
  - id: models              # what a unit writes: --value models.economic=3
    name: "Mô hình “Dân vận khéo”"
    unit: mô hình           # the unit of measure, as the review writes it
    type: integer           # integer (default) | decimal | percent
    min: 0                  # default 0 (a percent: 0 to 100)
    each: 2                 # a target per instance, or target: 3000 for the task
    combine: sum            # sum (default) | average | count-meeting-target
    breakdown: sector       # sector, or a list of part ids
    below_target: allow     # allow (default) | refuse: done only once the target is met
```
"""

from __future__ import annotations

from typing import Any

from dirtrack.indicators import BELOW_TARGET, COMBINE, DEFAULT_BELOW_TARGET, TYPES, Indicator
from dirtrack.spec.fields import Report, as_choice, as_slug, check_keys, check_text
from dirtrack.spec.yamlpos import YList, YMap

INDICATOR_KEYS = ("id", "name", "unit", "type", "min", "max", "target", "each", "combine",
                  "breakdown", "below_target")
SECTOR_PARTS = ("economic", "cultural-social", "defense-security", "political-system")


def read_indicators(raw: Any, path: str, line: int, report: Report) -> list[Indicator]:
    """Return the indicators of a task; report every problem and leave the bad ones out."""
    if raw is None:
        return []
    if not isinstance(raw, YList):
        report.error(path, line, "indicators", "must be a list of indicators, each "
                     "{id: models, unit: mô hình, each: 2}")
        return []
    out: list[Indicator] = []
    for i, item in enumerate(raw):
        at = raw.line_of(i)
        if not isinstance(item, YMap):
            report.error(path, at, "indicators", "an indicator is a mapping such as "
                         "{id: models, unit: mô hình, target: 3000}")
            continue
        indicator = _read_one(item, path, report)
        if indicator is None:
            continue
        if any(o.id == indicator.id for o in out):
            report.error(path, item.line_of("id"), "id", f"indicator '{indicator.id}' is "
                         "declared twice in this task; give each indicator its own id")
            continue
        out.append(indicator)
    return out


def _read_one(item: YMap, path: str, report: Report) -> Indicator | None:
    before = len(report.errors)
    where = f" in indicator '{item.get('id', '?')}'"
    check_keys(item, INDICATOR_KEYS, ["id"], path, report, where=where)
    check_text(item, ("id", "name", "unit", "type", "combine", "below_target"), path, report,
               where)
    if len(report.errors) > before:
        return None
    ident = as_slug(item["id"], path, item.line_of("id"), "id", report)
    kind = as_choice(item.get("type", "integer"), TYPES, path, item.line_of("type"), "type",
                     report)
    combine = as_choice(item.get("combine", "sum"), COMBINE, path, item.line_of("combine"),
                        "combine", report)
    below = as_choice(item.get("below_target", DEFAULT_BELOW_TARGET), BELOW_TARGET, path,
                      item.line_of("below_target"), "below_target", report)
    numbers = {key: _number(item, key, path, report)
               for key in ("min", "max", "target", "each")}
    breakdown = _breakdown(item, path, report)
    if len(report.errors) > before or ident is None or kind is None or combine is None \
            or below is None or breakdown is None:
        return None
    low = numbers["min"] if "min" in item else (None if kind == "percent" else 0)
    high = numbers["max"]
    if low is not None and high is not None and low > high:
        report.error(path, item.line_of("max"), "max", f"max {high:g} is below min {low:g}; "
                     "swap them")
        return None
    if combine == "count-meeting-target" and numbers["each"] is None:
        report.error(path, item.line, "each", f"indicator '{ident}' counts the instances "
                     "meeting their target: add 'each:' (the target of one instance)")
        return None
    if breakdown and combine == "count-meeting-target":
        report.error(path, item.line_of("breakdown"), "breakdown", "a count of instances "
                     "meeting their target has no breakdown; remove 'breakdown:'")
        return None
    indicator = Indicator(ident, str(item.get("unit") or ""), str(item.get("name") or ""), kind,
                          low, high, numbers["target"], numbers["each"], combine, breakdown,
                          below)
    for key in ("target", "each"):
        value = numbers[key]
        if value is not None and kind == "integer" and not float(value).is_integer():
            report.error(path, item.line_of(key), key, f"'{ident}' counts whole numbers; "
                         f"write a whole {key} (not {value:g}) or declare type: decimal")
            return None
    return indicator


def _number(item: YMap, key: str, path: str, report: Report) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        report.error(path, item.line_of(key), key, f"'{value}' is not a number; write "
                     f"{key}: 2 (a percent without the % sign)")
        return None
    return float(value)


def _breakdown(item: YMap, path: str, report: Report) -> tuple[str, ...] | None:
    raw = item.get("breakdown")
    if raw is None:
        return ()
    if raw == "sector":
        return SECTOR_PARTS
    if isinstance(raw, YList) and raw and all(isinstance(p, str) for p in raw):
        parts = []
        for i, p in enumerate(raw):
            slug = as_slug(p, path, raw.line_of(i), "breakdown", report)
            if slug is None:
                return None
            parts.append(slug)
        if len(set(parts)) < len(parts):
            report.error(path, item.line_of("breakdown"), "breakdown", "a part is listed "
                         "twice; list each part once")
            return None
        return tuple(parts)
    report.error(path, item.line_of("breakdown"), "breakdown", "write 'breakdown: sector' or "
                 "a list of part ids such as [urban, rural]")
    return None
