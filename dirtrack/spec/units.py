"""``units.yaml`` and ``calendar.yaml``: a jurisdiction's units, reorganisations, working days."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import networkx as nx

from dirtrack.calendar import WorkCalendar
from dirtrack.periods import DAY_OFF_RULES
from dirtrack.registry import KINDS, LEVELS, Move, Registry, Reorganisation, Unit
from dirtrack.spec.fields import (
    Report,
    as_choice,
    as_date,
    as_list,
    as_map,
    as_slug,
    check_keys,
    check_length,
    check_text,
    suggestion,
)
from dirtrack.spec.yamlpos import YList, YMap

Units = tuple[str, list[Unit], list[Reorganisation], list[Move]]


def read_units(
    doc: Any, path: str, jurisdiction: str, report: Report, readable: bool = True,
) -> Units:
    """Return the jurisdiction's name, its units, their reorganisations (ends) and their
    moves to another parent; report mistakes."""
    units: list[Unit] = []
    reorgs: list[Reorganisation] = []
    moves: list[Move] = []
    if doc is None:
        if readable:  # a file that cannot be read has been reported already
            report.error(path, 1, "units", "the unit registry is empty; list the "
                                           "jurisdiction's units under 'units:'")
        return jurisdiction, units, reorgs, moves
    doc = as_map(doc, path, 1, "units", report)
    if doc is None:
        return jurisdiction, units, reorgs, moves
    check_keys(doc, ["jurisdiction", "units", "reorganisations", "roles"], ["units"], path,
               report)
    name = jurisdiction
    if isinstance(doc.get("jurisdiction"), YMap):
        name = str(doc["jurisdiction"].get("name", jurisdiction))
    items = as_list(doc.get("units"), path, doc.line_of("units"), "units", report) or YList()
    seen: dict[str, int] = {}
    for i, raw in enumerate(items):
        line = items.line_of(i)
        item = as_map(raw, path, line, "units", report)
        if item is None or not check_keys(
            item, ["id", "name", "level", "kind", "parent", "established_on", "email",
                   "locality"],
            ["id", "name", "level", "kind"], path, report,
        ) or not check_text(item, ("id", "name", "parent", "email"), path, report) \
                or not check_length(item, ("name",), path, report):
            continue
        uid = as_slug(item["id"], path, item.line_of("id"), "id", report)
        level = as_choice(item["level"], LEVELS, path, item.line_of("level"), "level", report)
        kind = as_choice(item["kind"], KINDS, path, item.line_of("kind"), "kind", report)
        est = item.get("established_on")
        est_day = as_date(est, path, item.line_of("established_on"), "established_on",
                          report) if est is not None else None
        locality = as_slug(item["locality"], path, item.line_of("locality"), "locality",
                           report) if item.get("locality") is not None else ""
        if uid is None or level is None or kind is None or locality is None:
            continue
        if uid in seen:
            report.error(path, item.line_of("id"), "id",
                         f"duplicate unit id '{uid}' (first on line {seen[uid]}); "
                         "give each unit its own id")
            continue
        seen[uid] = item.line_of("id")
        parent = str(item["parent"]) if item.get("parent") else None
        units.append(Unit(uid, str(item["name"]), level, kind, parent, est_day, jurisdiction,
                          str(item.get("email") or ""), locality))
    ids = {u.id for u in units}
    for u in units:
        if u.parent and u.parent not in ids:
            report.error(path, seen[u.id], "parent",
                         f"unit '{u.id}' names unknown parent '{u.parent}'; "
                         "add that unit or fix the id" + suggestion(u.parent, ids))
    graph = nx.DiGraph((u.parent, u.id) for u in units if u.parent and u.parent in ids)
    for cycle in cycles(graph, [u.id for u in units]):
        report.error(path, seen[cycle[0]], "parent",
                     "units form a loop: " + " -> ".join([*cycle, cycle[0]])
                     + "; a unit cannot be its own ancestor")
    parents = {u.id: u.parent for u in units}
    ends: dict[str, tuple[int, str | None]] = {}  # unit -> (line, who takes over)
    for i, raw in enumerate(as_list(doc.get("reorganisations"), path,
                                    doc.line_of("reorganisations"), "reorganisations",
                                    report) or []):
        line = doc["reorganisations"].line_of(i)
        item = as_map(raw, path, line, "reorganisations", report)
        if item is None or not check_keys(item, ["unit", "into", "parent", "on", "decision"],
                                          ["unit", "on"], path, report):
            continue
        if item.get("parent") is not None:
            move = _read_move(item, path, ids, report)
            if move is not None:
                moves.append(move)
            continue
        unit, into = str(item["unit"]), item.get("into")
        for key, ref in (("unit", unit), ("into", into)):
            if ref is not None and str(ref) not in ids:
                report.error(path, item.line_of(key), key,
                             f"unknown unit '{ref}'; use an id listed under units:"
                             + suggestion(str(ref), ids))
        on = as_date(item["on"], path, item.line_of("on"), "on", report)
        if into is not None and str(into) == unit:
            report.error(path, item.line_of("into"), "into",
                         f"unit '{unit}' cannot merge into itself; name the unit it joins")
        elif unit in ends:
            report.error(path, item.line_of("unit"), "unit",
                         f"unit '{unit}' already ends on line {ends[unit][0]}; a unit ends once")
        elif into is None and unit in ids and not parents.get(unit):
            report.error(path, item.line_of("unit"), "unit",
                         f"unit '{unit}' has no parent to take over its work; name the unit "
                         "it merges into ('into:')")
        elif on is not None:
            ends[unit] = (item.line_of("unit"), str(into) if into else parents[unit])
            reorgs.append(Reorganisation(unit, on, str(into) if into else None,
                                         str(item.get("decision", ""))))
    ended_on = {r.unit: r.on for r in reorgs}
    for r in reorgs:
        if r.into is None:
            continue
        line = ends[r.unit][0]
        if r.into in ended_on and ended_on[r.into] < r.on:
            report.error(path, line, "into",
                         f"unit '{r.into}' ends on {ended_on[r.into]}, before '{r.unit}' would "
                         f"merge into it on {r.on}; merge into the unit that continues")
        ancestor = parents.get(r.into)
        upward = {r.into}
        while ancestor and ancestor not in upward:
            if ancestor == r.unit:
                report.error(path, line, "into",
                             f"unit '{r.unit}' cannot merge into '{r.into}', one of its own "
                             "sub-units; merge it into a unit beside or above it")
                break
            upward.add(ancestor)
            ancestor = parents.get(ancestor)
    successors = nx.DiGraph((unit, heir) for unit, (_, heir) in ends.items() if heir)
    for cycle in cycles(successors, list(ends)):
        report.error(path, ends[cycle[0]][0], "into",
                     "units merge into each other: " + " -> ".join([*cycle, cycle[0]])
                     + "; one of them must be the unit that continues")
    _check_moves(moves, units, reorgs, path, report)
    wrong = _check_localities(units, seen, path, report)
    _check_locality_places(units, wrong, reorgs, moves, seen, path, report)
    return name, units, reorgs, moves


def _read_move(item: YMap, path: str, ids: set[str], report: Report) -> Move | None:
    """Return the move to another parent that a reorganisation entry with ``parent:``
    records (the unit continues), or None after reporting what is wrong with it."""
    unit, parent = str(item["unit"]), str(item["parent"])
    on = as_date(item["on"], path, item.line_of("on"), "on", report)
    ok = on is not None
    if "into" in item:
        report.error(path, item.line_of("parent"), "parent",
                     f"unit '{unit}' cannot both move under '{parent}' and merge into "
                     f"'{item['into']}'; write two entries, or keep one of 'parent' and 'into'")
        ok = False
    for key, ref in (("unit", unit), ("parent", parent)):
        if ref not in ids:
            report.error(path, item.line_of(key), key,
                         f"unknown unit '{ref}'; use an id listed under units:"
                         + suggestion(ref, ids))
            ok = False
    if ok and parent == unit:
        report.error(path, item.line_of("parent"), "parent",
                     f"unit '{unit}' cannot be its own parent; name the unit it moves under")
        ok = False
    if not ok or on is None:
        return None
    return Move(unit, on, parent, str(item.get("decision", "")), item.line_of("unit"))


def _check_moves(moves: list[Move], units: list[Unit], reorgs: list[Reorganisation],
                 path: str, report: Report) -> None:
    """Report moves under a unit that has ended by then, moves of a unit after its end,
    two moves of one unit on one day, and moves that would make a loop of parents."""
    ended = {r.unit: r.on for r in reorgs}
    parents = {u.id: u.parent for u in units}
    first: dict[tuple[str, Any], int] = {}
    for move in moves:
        if move.parent in ended and ended[move.parent] <= move.on:
            report.error(path, move.line, "parent",
                         f"unit '{move.parent}' ends on {ended[move.parent]}, so '{move.unit}' "
                         f"cannot move under it on {move.on}; name the unit that continues")
        elif move.unit in ended and ended[move.unit] <= move.on:
            report.error(path, move.line, "unit",
                         f"unit '{move.unit}' ends on {ended[move.unit]}, before it would move "
                         f"on {move.on}; remove the move or the end")
        elif (move.unit, move.on) in first:
            report.error(path, move.line, "unit",
                         f"unit '{move.unit}' already moves on {move.on} (line "
                         f"{first[(move.unit, move.on)]}); a unit moves once a day")
            continue
        first[(move.unit, move.on)] = move.line
        tree = dict(parents)
        for m in moves:
            if m.on <= move.on:
                tree[m.unit] = m.parent
        seen, ancestor = {move.unit}, tree.get(move.unit)
        while ancestor and ancestor not in seen:
            seen.add(ancestor)
            ancestor = tree.get(ancestor)
        if ancestor == move.unit:
            report.error(path, move.line, "parent",
                         f"unit '{move.unit}' cannot move under '{move.parent}', one of its own "
                         "sub-units on that day; move it under a unit beside or above it")


def _check_localities(units: list[Unit], lines: dict[str, int], path: str,
                      report: Report) -> set[str]:
    """Report a locality without exactly one People's Committee (unit of kind government)
    or whose bodies sit at different levels: a fan-out counts the place by that unit.
    Return those localities."""
    wrong: set[str] = set()
    places: dict[str, list[Unit]] = {}
    for u in units:
        if u.locality:
            places.setdefault(u.locality, []).append(u)
    for name, bodies in places.items():
        line = lines[bodies[0].id]
        government = [u.id for u in bodies if u.kind == "government"]
        if len(government) != 1:
            wrong.add(name)
            found = ", ".join(government) if government else "none"
            report.error(path, line, "locality",
                         f"locality '{name}' needs exactly one unit of kind government (its "
                         f"People's Committee), found {found}; give the place one such unit")
        if len({u.level for u in bodies}) > 1:
            wrong.add(name)
            report.error(path, line, "locality",
                         f"the units of locality '{name}' sit at different levels ("
                         + ", ".join(sorted({f"{u.id}: {u.level}" for u in bodies}))
                         + "); a locality's bodies share one level")
    return wrong


def _place_of(unit: Unit, tree: Registry) -> tuple[str, str]:
    """Return where a body sits: the locality of its parent (a commune's Party committee
    under the district Party committee, its People's Committee under the district People's
    Committee: both in that district), the province (any unit at the province level or
    above: one jurisdiction is one province), else its parent itself; and how to say so."""
    parent = tree.units.get(unit.parent or "")
    if parent is None:
        return "", "at the top of the registry"
    if parent.locality:
        return f"locality:{parent.locality}", f"in locality '{parent.locality}'"
    if parent.level in ("central", "province"):
        return "province", "at the province level"
    return f"unit:{parent.id}", f"under '{parent.id}'"


def _check_locality_places(units: list[Unit], wrong: set[str], reorgs: list[Reorganisation],
                           moves: list[Move], lines: dict[str, int], path: str,
                           report: Report) -> None:
    """Report a locality whose bodies sit under different places (on the tree as written,
    or after any move), and a locality named like a unit that is not one of its bodies:
    an alert "to the commune" must reach the bodies of one commune only. The localities
    in ``wrong`` have been reported already."""
    by_id = {u.id: u for u in units}
    reported: set[str] = set(wrong)
    for u in units:
        other = by_id.get(u.locality)
        if u.locality not in reported and other is not None and other.locality != u.locality:
            report.error(path, lines[u.id], "locality",
                         f"locality '{u.locality}' is the id of unit '{other.id}', which is "
                         "not one of its units; give the locality that unit's id only when "
                         f"it belongs to it (locality: {u.locality}), or another id")
            reported.add(u.locality)
    grouped = [u for u in units if u.locality and u.locality not in reported]
    if not grouped:
        return
    registry = Registry(units, reorgs, moves)
    days = sorted({m.on for m in moves})
    for day in [None, *days]:
        tree = registry if day is None else registry.as_of(day)
        first: dict[str, tuple[Unit, tuple[str, str]]] = {}
        for u in grouped:
            if u.locality in reported or (day is not None and not tree.exists_on(u.id, day)):
                continue
            place = _place_of(tree.units[u.id], tree)
            if u.locality not in first:
                first[u.locality] = (u, place)
                continue
            head, head_place = first[u.locality]
            if place[0] != head_place[0]:
                when = f" from {day}" if day is not None else ""
                report.error(path, lines[u.id], "locality",
                             f"unit '{u.id}' of locality '{u.locality}' sits {place[1]}"
                             f"{when}, but '{head.id}' {head_place[1]}; a place's bodies sit "
                             "under one place: put them under the same parent, or under "
                             "bodies that share a locality")
                reported.add(u.locality)


def read_roles(doc: Any, path: str, ids: Collection[str], report: Report) -> dict[str, str]:
    """Return the jurisdiction's roles (``roles: {labour-federation: hy-ldld}``): role -> unit.

    A catalog template names the bodies it needs by role, so one template serves
    provinces whose unit ids differ; a role names a unit of this registry.
    """
    if not isinstance(doc, YMap) or doc.get("roles") is None:
        return {}
    raw = as_map(doc["roles"], path, doc.line_of("roles"), "roles", report)
    roles: dict[str, str] = {}
    for role, unit in (raw or {}).items():
        line = raw.line_of(role) if raw is not None else 0
        if as_slug(role, path, line, "roles", report) is None:
            continue
        if isinstance(unit, (YMap, YList)) or str(unit) not in ids:
            report.error(path, line, role,
                         f"role '{role}' names unknown unit '{unit}'; use an id listed under "
                         "units:" + suggestion(str(unit), ids))
            continue
        roles[str(role)] = str(unit)
    return roles


def read_calendar(doc: Any, path: str, report: Report) -> WorkCalendar:
    """Return the working-day calendar of ``calendar.yaml``; report mistakes."""
    doc = as_map(doc, path, 1, "calendar", report) if doc is not None else None
    if doc is None:
        return WorkCalendar("VN")
    check_keys(doc, ["country", "extra_days_off", "extra_working_days", "language",
                     "deadline_on_day_off"], [], path, report)
    days: dict[str, list] = {}
    for key in ("extra_days_off", "extra_working_days"):
        items = as_list(doc.get(key), path, doc.line_of(key), key, report) or YList()
        days[key] = [d for i, v in enumerate(items)
                     if (d := as_date(v, path, items.line_of(i), key, report)) is not None]
    country = str(doc.get("country", "VN"))
    try:
        import holidays

        holidays.country_holidays(country)
    except NotImplementedError:
        report.error(path, doc.line_of("country"), "country",
                     f"unknown country code '{country}'; use an ISO code such as VN")
        country = "VN"
    calendar = WorkCalendar(country, days["extra_days_off"], days["extra_working_days"])
    if doc.get("deadline_on_day_off") is not None:
        rule = as_choice(doc["deadline_on_day_off"], DAY_OFF_RULES, path,
                         doc.line_of("deadline_on_day_off"), "deadline_on_day_off", report)
        calendar.day_off_rule = rule or "keep"
    return calendar


def cycles(graph: nx.DiGraph, order: list[str]) -> list[list[str]]:
    """Return one cycle per strongly connected component that has one, in file order.

    Each cycle starts at its task (or unit) written first, so the message is the
    same on every run.
    """
    position = {name: n for n, name in enumerate(order)}
    found = []
    for component in nx.strongly_connected_components(graph):
        only = next(iter(component))
        if len(component) == 1 and not graph.has_edge(only, only):
            continue  # no cycle here: skip the ordering work (most components)
        sub = nx.DiGraph()
        sub.add_edges_from(sorted(graph.subgraph(component).edges,
                                  key=lambda e: (position.get(e[0], 0), position.get(e[1], 0))))
        start = min(component, key=lambda n: position.get(n, 0))
        found.append([u for u, _ in nx.find_cycle(sub, source=start)])
    return sorted(found, key=lambda c: position.get(c[0], 0))
