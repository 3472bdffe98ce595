"""``units.yaml`` and ``calendar.yaml``: a jurisdiction's units, reorganisations, working days."""

from __future__ import annotations

from typing import Any

import networkx as nx

from dirtrack.calendar import WorkCalendar
from dirtrack.periods import DAY_OFF_RULES
from dirtrack.registry import KINDS, LEVELS, Reorganisation, Unit
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


def read_units(
    doc: Any, path: str, jurisdiction: str, report: Report, readable: bool = True,
) -> tuple[str, list[Unit], list[Reorganisation]]:
    """Return the jurisdiction's name, its units and their reorganisations; report mistakes."""
    units: list[Unit] = []
    reorgs: list[Reorganisation] = []
    if doc is None:
        if readable:  # a file that cannot be read has been reported already
            report.error(path, 1, "units", "the unit registry is empty; list the "
                                           "jurisdiction's units under 'units:'")
        return jurisdiction, units, reorgs
    doc = as_map(doc, path, 1, "units", report)
    if doc is None:
        return jurisdiction, units, reorgs
    check_keys(doc, ["jurisdiction", "units", "reorganisations"], ["units"], path, report)
    name = jurisdiction
    if isinstance(doc.get("jurisdiction"), YMap):
        name = str(doc["jurisdiction"].get("name", jurisdiction))
    items = as_list(doc.get("units"), path, doc.line_of("units"), "units", report) or YList()
    seen: dict[str, int] = {}
    for i, raw in enumerate(items):
        line = items.line_of(i)
        item = as_map(raw, path, line, "units", report)
        if item is None or not check_keys(
            item, ["id", "name", "level", "kind", "parent", "established_on", "email"],
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
        if uid is None or level is None or kind is None:
            continue
        if uid in seen:
            report.error(path, item.line_of("id"), "id",
                         f"duplicate unit id '{uid}' (first on line {seen[uid]}); "
                         "give each unit its own id")
            continue
        seen[uid] = item.line_of("id")
        parent = str(item["parent"]) if item.get("parent") else None
        units.append(Unit(uid, str(item["name"]), level, kind, parent, est_day, jurisdiction,
                          str(item.get("email") or "")))
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
        if item is None or not check_keys(item, ["unit", "into", "on", "decision"],
                                          ["unit", "on"], path, report):
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
    return name, units, reorgs


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
