"""Where a catalog template is used: the jurisdiction's units, roles, issue date and tiers.

A shared template cannot know a province's unit ids (``labour-federation`` in one,
``hy-labour-federation`` in the next) nor whether the province still has districts
(until 30 June 2025 it has three tiers, province, district, commune; from 1 July 2025
two). So a template's unit defaults name a *role* or a level and kind, and its tasks
read ``tiers``; both are settled here, against the registry the directive is used in.
A default that finds no unit is an error at the ``use:`` line, never a silent load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dirtrack.registry import KINDS, LEVELS, Registry

REF_KEYS = ("role", "level", "kind")
TIERS = (2, 3)


@dataclass
class Place:
    """The jurisdiction a template is used in, on the directive's issue date."""

    registry: Registry
    roles: dict[str, str] = field(default_factory=dict)
    on: date | None = None
    units_file: str = "units.yaml"

    @property
    def tiers(self) -> int:
        return self.registry.tiers(self.on)

    def resolve(self, value: Any) -> tuple[Any, str | None]:
        """Return (unit ids in place of unit references, None) or (None, what is wrong).

        A reference is a mapping ``{role: R, level: L, kind: K}`` (any of the keys):
        the unit the jurisdiction's ``roles:`` names for R; else the unit whose id
        is R; else the one unit of level L and kind K in effect on the issue date.
        A list is resolved item by item; anything else is returned as it is.

        >>> from dirtrack.registry import Unit
        >>> reg = Registry([Unit("p", "P", "province", "party"),
        ...                 Unit("ff", "F", "province", "front", "p"),
        ...                 Unit("ld", "L", "province", "union", "p")])
        >>> place = Place(reg, {"labour-federation": "ld"})
        >>> place.resolve([{"role": "labour-federation"}, {"level": "province", "kind": "front"}])
        (['ld', 'ff'], None)
        >>> print(place.resolve({"role": "dolisa"})[1])  # doctest: +NORMALIZE_WHITESPACE
        names the role 'dolisa', which units.yaml does not give;
        add 'roles: {dolisa: UNIT}' to units.yaml
        """
        if isinstance(value, list):
            out = []
            for item in value:
                unit, problem = self.resolve(item)
                if problem:
                    return None, problem
                out.append(unit)
            return out, None
        if not isinstance(value, dict):
            return value, None
        wrong = [k for k in value if k not in REF_KEYS]
        if wrong or not value:
            return None, (f"refers to a unit with '{', '.join(map(str, wrong))}'; a unit "
                          "reference is {role: R}, {level: L, kind: K} or both")
        return self._one(value)

    def _one(self, ref: dict[str, Any]) -> tuple[str | None, str | None]:
        role = str(ref["role"]) if ref.get("role") is not None else None
        named = self.roles.get(role) if role is not None else None
        if named is None and role is not None and role in self.registry:
            named = role
        if named is not None:
            return self._in_effect(role, named)
        level, kind = ref.get("level"), ref.get("kind")
        if level is None and kind is None:
            return None, (f"names the role '{role}', which {self.units_file} does not give; "
                          f"add 'roles: {{{role}: UNIT}}' to {self.units_file}")
        if (level is not None and str(level) not in LEVELS) or (
                kind is not None and str(kind) not in KINDS):
            return None, (f"refers to level '{level}' and kind '{kind}'; use a level of "
                          f"{', '.join(LEVELS)} and a kind of {', '.join(KINDS)}")
        found = [u.id for u in self.registry.units_matching(
            [str(level)] if level is not None else LEVELS,
            [str(kind)] if kind is not None else (), on=self.on)]
        if len(found) == 1:
            return found[0], None
        what = " and ".join(f"{k} '{v}'" for k, v in (("level", level), ("kind", kind))
                            if v is not None)
        role_text = f"the role '{role}' or " if role is not None else ""
        how = (f"add 'roles: {{{role}: UNIT}}' to {self.units_file}" if role is not None
               else "name the unit")
        count = "no unit" if not found else f"{len(found)} units ({', '.join(found[:5])})"
        return None, (f"names {role_text}the one unit of {what}, and {self.units_file} has "
                      f"{count}; {how}")

    def _in_effect(self, role: str | None, unit: str) -> tuple[str | None, str | None]:
        """Return the unit a role names, or what to do when it has ended by the issue date."""
        if self.on is None or self.registry.exists_on(unit, self.on):
            return unit, None
        after = self.registry.successor(unit)
        heir = f" ('{after[0]}' took over)" if after else ""
        return None, (f"names the role '{role}', unit '{unit}', which is not in effect on "
                      f"{self.on.isoformat()}{heir}; point the role at the unit in effect in "
                      f"{self.units_file}")
