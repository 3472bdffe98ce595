"""``for_each``: the units a task fans out over, by level and, optionally, by kind.

``for_each: commune`` is one level. ``for_each: {level: province, kind: [front, union]}``
names "each mass organisation of the province" without listing units; both keys take
one value or a list, and ``kind`` may be left out (every kind).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dirtrack.registry import KINDS, LEVELS
from dirtrack.spec.fields import Report, check_keys, suggestion
from dirtrack.spec.yamlpos import YList, YMap

ANY_UNIT = "unit"  # the label of a fan-out over several levels, or some kinds of a province
LOCAL_LEVELS = ("district", "commune")


@dataclass(frozen=True)
class FanOut:
    """What ``for_each`` says: its label (a level, or ``unit``), levels and kinds.

    >>> from dirtrack.spec.yamlpos import parse_yaml
    >>> read_fan_out(parse_yaml("{level: commune, kind: front}", "f.yaml"), "f.yaml", 3, Report())
    FanOut(label='commune', levels=('commune',), kinds=('front',))
    """

    label: str
    levels: tuple[str, ...]
    kinds: tuple[str, ...] = ()


def read_fan_out(value: Any, path: str, line: int, report: Report) -> FanOut | None:
    """Return the fan-out written in ``value``, or None after reporting what is wrong.

    >>> read_fan_out("commune", "f.yaml", 3, Report())
    FanOut(label='commune', levels=('commune',), kinds=())
    >>> r = Report()
    >>> read_fan_out("communes", "f.yaml", 3, r), r.errors[0].message  # doctest: +ELLIPSIS
    (None, "'communes' is not one of central, ..., commune (did you mean 'commune'?)")
    """
    if isinstance(value, YMap):
        if not check_keys(value, ["level", "kind"], ["level"], path, report,
                          where=" in 'for_each'"):
            return None
        levels = _names(value["level"], LEVELS, "level", path, value.line_of("level"), report)
        kinds = (_names(value["kind"], KINDS, "kind", path, value.line_of("kind"), report)
                 if value.get("kind") is not None else ())
        if levels is None or kinds is None:
            return None
        # A commune's (or district's) Front committee still stands for its locality:
        # shown as "34 xã"; the Front and the unions of a province are "5 đơn vị".
        single = len(levels) == 1 and (not kinds or levels[0] in LOCAL_LEVELS)
        return FanOut(levels[0] if single else ANY_UNIT, levels, kinds)
    if isinstance(value, (YList, list)):
        report.error(path, line, "for_each",
                     "several levels are written {level: [province, district]}; "
                     "a list alone is not a fan-out")
        return None
    levels = _names(value, LEVELS, "level", path, line, report, key="for_each")
    return FanOut(levels[0], levels) if levels else None


def _names(value: Any, choices: tuple[str, ...], what: str, path: str, line: int,
           report: Report, key: str | None = None) -> tuple[str, ...] | None:
    """Return the level or kind names of ``value`` (one or a list), or None after reporting."""
    items = list(value) if isinstance(value, (YList, list)) else [value]
    if not items:
        report.error(path, line, key or what, f"name at least one {what}")
        return None
    for item in items:
        if str(item) not in choices:
            report.error(path, line, key or what,
                         f"'{item}' is not one of {', '.join(choices)}"
                         + suggestion(str(item), choices))
            return None
    return tuple(dict.fromkeys(str(i) for i in items))
