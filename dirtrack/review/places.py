"""The review by place: a commune's Party committee, People's Committee and Front
committee are three lines of the league table but one commune.

A place is a locality (the units that share ``locality:`` in ``units.yaml``), or a unit
of its own when it has none. ``by_locality`` sums each locality's lines; the count of
places with work overdue counts a locality once however many of its bodies are late.

>>> lines = [UnitLine("x", "Xã X", Totals(open_overdue=1)),
...          UnitLine("x-party", "Đảng ủy xã X", Totals(open_overdue=2), overdue_days=4),
...          UnitLine("y", "Xã Y", Totals(open_overdue=1)),
...          UnitLine("dept", "Sở", Totals(open_overdue=1))]
>>> units = {"x": Place("commune", "x", "government"),
...          "x-party": Place("commune", "x", "party"),
...          "y": Place("commune", None, "government"),
...          "dept": Place("province", None, "government")}
>>> [(p.locality, p.units, p.totals.open_overdue, p.overdue_days)
...  for p in by_locality(lines, units)]
[('x', ['x', 'x-party'], 3, 4)]
>>> overdue_places(lines, units)
{'commune': 2}
"""

from __future__ import annotations

from dataclasses import dataclass

from dirtrack.review.model import LocalityLine, Totals, UnitLine, league_order
from dirtrack.status import CATEGORIES

PLACE_LEVELS = ("district", "commune")  # the levels whose units are places, not offices


@dataclass(frozen=True)
class Place:
    """What the review needs of a unit to group it by place."""

    level: str
    locality: str | None
    kind: str


def by_locality(lines: list[UnitLine], units: dict[str, Place],
                names: dict[str, str] | None = None) -> list[LocalityLine]:
    """Return one line per locality whose bodies lead work in the review, in the league's
    order; units without a locality are not in it (their own line is the place's)."""
    grouped: dict[str, LocalityLine] = {}
    for line in lines:
        place = units.get(line.unit)
        if place is None or not place.locality:
            continue
        out = grouped.setdefault(place.locality, LocalityLine(
            place.locality, "", [], Totals()))
        out.units.append(line.unit)
        for category in CATEGORIES:
            out.totals.add(category, getattr(line.totals, category))
        out.overdue_days += line.overdue_days
        if place.kind == "government" or not out.name:
            out.name = line.name
    heads = {p.locality: u for u, p in units.items() if p.locality and p.kind == "government"}
    for out in grouped.values():
        out.units.sort()
        if names is not None:
            out.names = [names.get(u, u) for u in out.units]
            out.name = names.get(heads.get(out.locality, ""), out.name)
    return sorted(grouped.values(), key=lambda p: league_order(
        UnitLine(p.locality, p.name, p.totals, p.overdue_days)))


def overdue_places(lines: list[UnitLine], units: dict[str, Place]) -> dict[str, int]:
    """Return, per level of place (district, commune), how many places have work open
    overdue: a locality counts once, a unit with no locality on its own."""
    seen: dict[str, set[str]] = {}
    for line in lines:
        place = units.get(line.unit)
        if place is None or place.level not in PLACE_LEVELS or not line.totals.open_overdue:
            continue
        seen.setdefault(place.level, set()).add(place.locality or f"unit:{line.unit}")
    return {level: len(seen[level]) for level in PLACE_LEVELS if level in seen}
