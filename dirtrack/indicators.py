"""Numeric indicators with targets: what a task declares, what units report, how it adds up.

A task's ``indicators:`` each name a figure (models built, people trained, a rate),
its type and range, a target (for the task as a whole, or ``each`` instance of a
fan-out), how the instances' values combine, and optionally a breakdown (by sector).

>>> models = Indicator("models", "mô hình", each=2, breakdown=("economic", "cultural-social"))
>>> parse_values(["models.economic=3", "models.cultural-social=1"], [models])
{('models', 'economic'): 3, ('models', 'cultural-social'): 1}
>>> leaves = [Leaf("a", "d1", {"economic": 3, "cultural-social": 1}),
...           Leaf("b", "d1", {"economic": 1}), Leaf("c", "d2", {})]
>>> f = roll_up(models, leaves)
>>> f.actual, f.target, f.meeting, f.reporting, f.parts
(5, 6, 1, 2, {'economic': 4, 'cultural-social': 1})
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

TYPES = ("integer", "decimal", "percent")
COMBINE = ("sum", "average", "count-meeting-target")
BELOW_TARGET = ("allow", "refuse")
DEFAULT_BELOW_TARGET = "allow"  # a plan closed below target is recorded, and shown as such


@dataclass(frozen=True)
class Indicator:
    """One indicator of a task, as its directive declares it."""

    id: str
    unit: str = ""  # the unit of measure, as the review writes it ("mô hình")
    name: str = ""
    type: str = "integer"
    minimum: float | None = 0
    maximum: float | None = None
    target: float | None = None  # for the task as a whole
    each: float | None = None  # for every instance of the task
    combine: str = "sum"
    breakdown: tuple[str, ...] = ()
    below_target: str = DEFAULT_BELOW_TARGET

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "unit": self.unit, "name": self.name, "type": self.type,
                "min": self.minimum, "max": self.maximum, "target": self.target,
                "each": self.each, "combine": self.combine, "breakdown": list(self.breakdown),
                "below_target": self.below_target}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Indicator:
        return cls(str(data["id"]), str(data.get("unit", "")), str(data.get("name", "")),
                   str(data.get("type", "integer")), _num(data.get("min")),
                   _num(data.get("max")), _num(data.get("target")), _num(data.get("each")),
                   str(data.get("combine", "sum")),
                   tuple(str(p) for p in data.get("breakdown") or ()),  # type: ignore[attr-defined]
                   str(data.get("below_target", DEFAULT_BELOW_TARGET)))

    def bounds(self) -> tuple[float | None, float | None]:
        """Return the range a value must fall in; a percent is 0 to 100 unless declared."""
        if self.type == "percent":
            return (0 if self.minimum is None else self.minimum,
                    100 if self.maximum is None else self.maximum)
        return self.minimum, self.maximum


def _num(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def parse_value(indicator: Indicator, text: str) -> float:
    """Return ``text`` as a value of ``indicator``; raise ValueError saying what is allowed.

    >>> parse_value(Indicator("models"), "2.5")
    Traceback (most recent call last):
    ValueError: models is a whole number; '2.5' is not one
    >>> parse_value(Indicator("rate", type="percent"), "87,5%")
    87.5
    """
    raw = text.strip().rstrip("%").replace(",", ".") if indicator.type == "percent" \
        else text.strip()
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{indicator.id} is a {_kind(indicator)}; '{text}' is not a "
                         "number") from None
    if not math.isfinite(value):
        raise ValueError(f"{indicator.id} is a {_kind(indicator)}; '{text}' is not one")
    if indicator.type == "integer":
        if not value.is_integer() or "." in raw or "e" in raw.lower():
            raise ValueError(f"{indicator.id} is a whole number; '{text}' is not one")
        value = int(value)
    low, high = indicator.bounds()
    if low is not None and value < low:
        raise ValueError(f"{indicator.id} is at least {_show(low)}; {text} is below it")
    if high is not None and value > high:
        raise ValueError(f"{indicator.id} is at most {_show(high)}; {text} is above it")
    return value


def _kind(indicator: Indicator) -> str:
    return {"integer": "whole number", "decimal": "number",
            "percent": "percentage"}[indicator.type]


def _show(value: float) -> str:
    return f"{value:g}"


def parse_values(texts: Iterable[str], indicators: list[Indicator]) -> dict[tuple[str, str], float]:
    """Return the values written ``name=value`` or ``name.part=value``, keyed (name, part).

    An indicator with a breakdown is reported by its parts; one without, as a whole
    (part ""). Raise ValueError naming the first value that is wrong and how to write it.

    >>> parse_values(["models=4"], [Indicator("models")])
    {('models', ''): 4}
    >>> parse_values(["model=4"], [Indicator("models")])
    Traceback (most recent call last):
    ValueError: the task has no indicator 'model'; its indicators: models
    """
    by_id = {i.id: i for i in indicators}
    out: dict[tuple[str, str], float] = {}
    for text in texts:
        name, sep, raw = text.partition("=")
        if not sep or not raw.strip():
            raise ValueError(f"write a value as NAME=NUMBER (or NAME.PART=NUMBER), not '{text}'")
        ident, _, part = name.strip().partition(".")
        indicator = by_id.get(ident)
        if indicator is None:
            known = ", ".join(by_id) or "none"
            raise ValueError(f"the task has no indicator '{ident}'; its indicators: {known}")
        if indicator.breakdown and part not in indicator.breakdown:
            raise ValueError(f"{ident} is reported by part: write "
                             + ", ".join(f"{ident}.{p}=N" for p in indicator.breakdown))
        if not indicator.breakdown and part:
            raise ValueError(f"{ident} has no parts; write {ident}=N")
        out[(ident, part)] = parse_value(indicator, raw)
    return out


def instance_value(indicator: Indicator, parts: Mapping[str, float]) -> float | None:
    """Return an instance's value from its latest parts (a breakdown adds up); None if none."""
    if not parts:
        return None
    if indicator.breakdown:
        return sum(parts.get(p, 0) for p in indicator.breakdown)
    return parts.get("")


def below_target(indicator: Indicator, value: float | None, instances: int = 1) -> bool:
    """Whether an instance's value falls short of its own target (``each``, or ``target``
    on a task of one instance); a task with no instance target is never below it."""
    target = indicator.each if indicator.each is not None else (
        indicator.target if instances == 1 else None)
    if target is None:
        return False
    return value is None or value < target - 1e-9


@dataclass(frozen=True)
class Leaf:
    """One instance's latest parts of an indicator, with its lead unit and that unit's parent."""

    unit: str
    parent: str | None
    parts: dict[str, float]
    cancelled: bool = False


@dataclass
class Figure:
    """An indicator over a set of instances: actual against target, and the breakdown."""

    actual: float | None
    target: float | None
    instances: int = 0  # counted (not cancelled)
    reporting: int = 0  # of them, how many reported a value
    meeting: int | None = None  # of them, how many reached their own target (``each``)
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        """The actual over the target; None without a target."""
        if not self.target or self.actual is None:
            return None
        return round(self.actual / self.target, 4)

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.actual is not None and self.actual >= self.target - 1e-9


def roll_up(indicator: Indicator, leaves: Iterable[Leaf]) -> Figure:
    """Return the indicator over ``leaves`` combined as its directive says.

    ``sum`` adds the instances' values (the target: ``target``, else ``each`` times the
    instances); ``average`` takes the mean of the values reported (the target:
    ``target``, else ``each``); ``count-meeting-target`` counts the instances whose
    value reaches ``each`` (the target: ``target``, else every instance).
    Cancelled instances are left out.
    """
    counted = [leaf for leaf in leaves if not leaf.cancelled]
    values = [instance_value(indicator, leaf.parts) for leaf in counted]
    reported = [v for v in values if v is not None]
    parts: dict[str, float] = {p: 0 for p in indicator.breakdown}
    for leaf in counted:
        for p in indicator.breakdown:
            parts[p] += leaf.parts.get(p, 0)
    meeting = None
    if indicator.each is not None:
        meeting = sum(1 for v in values if not below_target(indicator, v))
    n = len(counted)
    if indicator.combine == "average":
        actual = round(sum(reported) / len(reported), 4) if reported else None
        target = indicator.target if indicator.target is not None else indicator.each
        parts = {p: round(v / len(reported), 4) for p, v in parts.items()} if reported else {}
    elif indicator.combine == "count-meeting-target":
        actual, parts = meeting, {}
        target = indicator.target if indicator.target is not None else n
    else:
        actual = sum(reported) if reported else 0
        target = indicator.target if indicator.target is not None else (
            indicator.each * n if indicator.each is not None else None)
    return Figure(actual, target, n, len(reported), meeting, parts)


def by_unit(indicator: Indicator, leaves: Iterable[Leaf], *, up: int = 0,
            parents: Mapping[str, str | None] | None = None) -> dict[str, Figure]:
    """Return the indicator per lead unit, or per the unit ``up`` levels above it.

    >>> ind = Indicator("models", each=2)
    >>> leaves = [Leaf("a", "d1", {"": 2}), Leaf("b", "d1", {"": 1}), Leaf("c", "d2", {"": 5})]
    >>> {u: (f.actual, f.target, f.meeting) for u, f in by_unit(ind, leaves, up=1).items()}
    {'d1': (3, 4, 1), 'd2': (5, 2, 1)}
    """
    groups: dict[str, list[Leaf]] = {}
    for leaf in leaves:
        key = leaf.unit
        for step in range(up):
            above = leaf.parent if step == 0 else (parents or {}).get(key)
            if above is None:
                break
            key = above
        groups.setdefault(key, []).append(leaf)
    return {unit: roll_up(indicator, group) for unit, group in groups.items()}
