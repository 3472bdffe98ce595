"""The unit registry: a tree of units, their levels, and reorganisations.

>>> reg = Registry([
...     Unit("pc", "Tỉnh ủy", "province", "party"),
...     Unit("kim-son", "Huyện Kim Sơn", "district", "government", parent="pc"),
...     Unit("hung-tien", "Xã Hùng Tiến", "commune", "government", parent="kim-son"),
... ])
>>> reg.ancestors("hung-tien")
['kim-son', 'pc']
>>> [u.id for u in reg.units_at_level("commune", scope="kim-son")]
['hung-tien']

A reparenting moves a unit that continues under another parent from a date (the
district level ending on 1 July 2025); questions about a day see the tree of that day:

>>> two_tier = Registry(reg.units.values(), moves=[Move("hung-tien", date(2025, 7, 1), "pc")])
>>> two_tier.as_of(date(2025, 7, 1)).ancestors("hung-tien")
['pc']
>>> two_tier.as_of(date(2025, 6, 30)).ancestors("hung-tien")
['kim-son', 'pc']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

LEVELS = ("central", "province", "district", "commune")
KINDS = ("party", "government", "council", "front", "union", "armed-forces", "other")


@dataclass(frozen=True)
class Unit:
    """One organisational unit."""

    id: str
    name: str
    level: str
    kind: str
    parent: str | None = None
    established_on: date | None = None
    jurisdiction: str = ""
    email: str = ""
    locality: str = ""  # the place whose bodies (Party, People's Committee, Front) share it


@dataclass(frozen=True)
class Reorganisation:
    """A unit ends on a date; ``into`` is its successor (None: its parent takes over)."""

    unit: str
    on: date
    into: str | None = None
    decision: str = ""


@dataclass(frozen=True)
class Move:
    """A unit continues under another parent from ``on`` (its parent before stays in history)."""

    unit: str
    on: date
    parent: str
    decision: str = ""
    line: int = 0  # where units.yaml records it, for messages


class Registry:
    """Units indexed for tree questions: ancestors, subtrees, levels, successors."""

    def __init__(
        self, units: Iterable[Unit], reorganisations: Iterable[Reorganisation] = (),
        moves: Iterable[Move] = (),
    ) -> None:
        self.units: dict[str, Unit] = {u.id: u for u in units}
        self.reorganisations: dict[str, Reorganisation] = {r.unit: r for r in reorganisations}
        self.moves: list[Move] = sorted(moves, key=lambda m: (m.on, m.unit))
        self.children: dict[str, list[str]] = {}
        for u in self.units.values():
            if u.parent:
                self.children.setdefault(u.parent, []).append(u.id)
        self._ancestors: dict[str, list[str]] = {}

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.units

    def __getitem__(self, unit_id: str) -> Unit:
        return self.units[unit_id]

    def ancestors(self, unit_id: str) -> list[str]:
        """Return the chain of parents of ``unit_id``, nearest first."""
        cached = self._ancestors.get(unit_id)
        if cached is not None:
            return cached
        chain: list[str] = []
        seen = {unit_id}
        parent = self.units[unit_id].parent
        while parent and parent in self.units and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = self.units[parent].parent
        self._ancestors[unit_id] = chain
        return chain

    def as_of(self, day: date) -> Registry:
        """Return the registry with every unit under its parent of ``day``.

        Fan-outs and subtrees of a directive are read in the tree of its issue date, so a
        plan issued after the district level ended finds its communes under the province.
        """
        moved = {m.unit: m.parent for m in self.moves if m.on <= day}  # sorted: last wins
        if not moved:
            return self
        units = [replace(u, parent=moved[u.id]) if u.id in moved else u
                 for u in self.units.values()]
        return Registry(units, self.reorganisations.values(), self.moves)

    def locality_bodies(self, locality: str) -> list[Unit]:
        """Return the units that share ``locality`` (a commune's Party committee, People's
        Committee and Front committee), by id."""
        return sorted((u for u in self.units.values() if u.locality == locality),
                      key=lambda u: u.id)

    def is_within(self, unit_id: str, root: str) -> bool:
        """Return True when ``unit_id`` is ``root`` or lies in its subtree."""
        return unit_id == root or root in self.ancestors(unit_id)

    def exists_on(self, unit_id: str, day: date) -> bool:
        """Return True when the unit exists on ``day`` (established, not yet ended)."""
        unit = self.units[unit_id]
        if unit.established_on and day < unit.established_on:
            return False
        reorg = self.reorganisations.get(unit_id)
        return not (reorg and reorg.on <= day)

    def units_at_level(
        self, level: str, scope: str | None = None, on: date | None = None
    ) -> list[Unit]:
        """Return the units of ``level`` (inside ``scope``, existing ``on``), by id.

        A locality counts once, by its People's Committee (the unit of kind government):
        a fan-out "for each commune" is one instance per commune, not one per body.
        """
        found = [
            u
            for u in self.units.values()
            if u.level == level
            and (not u.locality or u.kind == "government")
            and (scope is None or self.is_within(u.id, scope))
            and (on is None or self.exists_on(u.id, on))
        ]
        return sorted(found, key=lambda u: u.id)

    def units_matching(
        self, levels: Iterable[str], kinds: Iterable[str] = (), scope: str | None = None,
        on: date | None = None,
    ) -> list[Unit]:
        """Return the units of any of ``levels`` (and of ``kinds``, when given), by id.

        One pass over the registry, whatever the number of levels and kinds named. With no
        kind named, a locality counts once, by its People's Committee (as in
        ``units_at_level``); naming kinds picks those bodies of each locality.

        >>> reg = Registry([Unit("p", "P", "province", "party"),
        ...                 Unit("f", "F", "province", "front", "p"),
        ...                 Unit("y", "Y", "province", "union", "p"),
        ...                 Unit("c", "C", "commune", "government", "p")])
        >>> [u.id for u in reg.units_matching(["province"], ["front", "union"])]
        ['f', 'y']
        >>> [u.id for u in reg.units_matching(["province", "commune"])]
        ['c', 'f', 'p', 'y']
        """
        wanted_levels, wanted_kinds = set(levels), set(kinds)
        found = [
            u
            for u in self.units.values()
            if u.level in wanted_levels
            and (u.kind in wanted_kinds if wanted_kinds
                 else not u.locality or u.kind == "government")
            and (scope is None or self.is_within(u.id, scope))
            and (on is None or self.exists_on(u.id, on))
        ]
        return sorted(found, key=lambda u: u.id)

    def tiers(self, on: date | None) -> int:
        """Return 3 when a district-level unit is in effect on ``on``, else 2.

        Since 1 July 2025 a province has two tiers of local government (communes and
        wards directly under it); before, three (province, district, commune).
        """
        return 3 if self.units_at_level("district", on=on) else 2

    def successor(self, unit_id: str) -> tuple[str, date] | None:
        """Return (the unit that takes over, the date) when ``unit_id`` ends, else None."""
        reorg = self.reorganisations.get(unit_id)
        if reorg is None:
            return None
        heir = reorg.into or self.units[unit_id].parent
        return (heir, reorg.on) if heir else None

    def final_successor(self, unit_id: str, on: date) -> str:
        """Return who leads ``unit_id``'s work on ``on``, following successive mergers."""
        seen = {unit_id}
        current = unit_id
        while True:
            step = self.successor(current)
            if step is None or step[1] > on or step[0] in seen:
                return current
            current = step[0]
            seen.add(current)
