"""Read a directives path into validated jurisdictions, reporting every problem at once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from dirtrack import config
from dirtrack.calendar import WorkCalendar
from dirtrack.errors import ConfigError, Problem
from dirtrack.registry import KINDS, LEVELS, Registry, Reorganisation, Unit
from dirtrack.spec.catalog import Template, bind_params, read_catalog, render_tasks
from dirtrack.spec.fields import (
    Report,
    as_choice,
    as_date,
    as_list,
    as_map,
    as_slug,
    check_keys,
    check_text,
    suggestion,
)
from dirtrack.spec.model import (
    DIRECTIVE_KINDS,
    SECTORS,
    Dependency,
    DirectiveSpec,
    Jurisdiction,
    TaskSpec,
    parse_deadline,
)
from dirtrack.spec.review_settings import REVIEW_FILE, read_review_files
from dirtrack.spec.settings import AlertSettings, read_ladder, read_settings
from dirtrack.spec.yamlpos import YamlSyntaxError, YList, YMap, parse_yaml

UNITS_FILE, CALENDAR_FILE, ESCALATION_FILE = "units.yaml", "calendar.yaml", "escalation.yaml"
SETTINGS_FILES = {UNITS_FILE, CALENDAR_FILE, ESCALATION_FILE, REVIEW_FILE}
TASK_KEYS = ("id", "title", "lead", "support", "sector", "deliverable", "due", "depends_on",
             "for_each", "scope")
USE_KEYS = ("use", "as", "with")


@dataclass
class Workspace:
    """What a directives path holds: jurisdictions with their directives, and the catalog."""

    jurisdictions: list[Jurisdiction]
    catalog: dict[str, Template]


def find_catalog(path: Path) -> Path | None:
    """Return the catalog folder: DIRTRACK_CATALOG, or ``tasks_catalog`` beside or above PATH."""
    env = config.settings().catalog
    if env is not None:
        if not env.is_dir():
            raise ConfigError(f"DIRTRACK_CATALOG='{env}' is not a folder; point it at the task "
                              "catalog, or unset it to use tasks_catalog beside the directives")
        return env
    here = path.resolve()
    for folder in [here, *here.parents]:
        candidate = folder / "tasks_catalog"
        if candidate.is_dir():
            return candidate
    return None


def read_workspace(path: Path, catalog_dir: Path | None = None) -> tuple[Workspace, Report]:
    """Read everything under ``path``; return the workspace and the problems found."""
    report = Report()
    root = Path.cwd()
    if not path.exists():
        report.error(str(path), 0, "path", "no such file or folder; give a directives path")
        return Workspace([], {}), report
    catalog = read_catalog(catalog_dir or find_catalog(path), root, report)
    folders: list[tuple[Path, list[Path] | None]] = []
    if path.is_file():
        if not (path.parent / UNITS_FILE).exists():
            report.error(_show(path, root), 0, "path",
                         "this file's folder has no units.yaml; a directive file sits in its "
                         "jurisdiction's folder, beside the unit registry")
            return Workspace([], {}), report
        folders.append((path.parent, [path]))
    elif (path / UNITS_FILE).exists():
        folders.append((path, None))
    else:
        for sub in sorted(p for p in path.iterdir() if p.is_dir()):
            if (sub / UNITS_FILE).exists():
                folders.append((sub, None))
            elif any(sub.glob("*.yaml")):
                report.error(_show(sub / UNITS_FILE, root), 0, "units",
                             "this jurisdiction folder has no units.yaml; add its unit registry")
        if not folders and not report.errors:
            report.error(str(path), 0, "path",
                         "no jurisdiction found; a jurisdiction folder holds a units.yaml")
    jurisdictions = [_read_jurisdiction(folder, files, catalog, root, report)
                     for folder, files in folders]
    _check_unique_across(jurisdictions, report)
    return Workspace(jurisdictions, catalog), report


def _show(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _load(path: Path, root: Path, report: Report) -> tuple[Any, str, str]:
    shown = _show(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        report.problems.append(Problem(shown, line, "file", "this is not UTF-8 text; save "
                                                            "the file as UTF-8"))
        return None, shown, ""
    try:
        return parse_yaml(text, shown), shown, text
    except YamlSyntaxError as exc:
        report.problems.append(exc.problem)
        return None, shown, text


def _read_jurisdiction(
    folder: Path, files: list[Path] | None, catalog: dict[str, Template], root: Path,
    report: Report,
) -> Jurisdiction:
    units_doc, units_path, units_text = _load(folder / UNITS_FILE, root, report)
    name, units, reorgs = _read_units(units_doc, units_path, folder.name, report)
    calendar, calendar_text = WorkCalendar("VN"), ""
    if (folder / CALENDAR_FILE).exists():
        cal_doc, cal_path, calendar_text = _load(folder / CALENDAR_FILE, root, report)
        calendar = _read_calendar(cal_doc, cal_path, report)
    registry = Registry(units, reorgs)
    settings, escalation_text = AlertSettings(), ""
    if (folder / ESCALATION_FILE).exists():
        esc_doc, esc_path, escalation_text = _load(folder / ESCALATION_FILE, root, report)
        settings = read_settings(esc_doc, esc_path, registry, report)
    base = hashlib.sha256("\0".join([units_text, calendar_text, escalation_text]).encode()
                          ).hexdigest()
    jur = Jurisdiction(folder.name, name, _show(folder, root), units, reorgs, calendar,
                       fingerprint=base, settings=settings)
    jur.review, jur.narratives = read_review_files(  # not in `base`: no directive depends on them
        folder, _show(folder, root), lambda p: _load(p, root, report), report)
    paths = files if files is not None else sorted(
        p for p in folder.glob("*.yaml") if p.name not in SETTINGS_FILES)
    if files is None:
        for odd in sorted(p for p in folder.iterdir()
                          if p.suffix.lower() in (".yml", ".yaml") and p.suffix != ".yaml"):
            report.warn(_show(odd, root), 0, "file", "not read: directive files end in "
                        f"'.yaml'; rename it to {odd.stem}.yaml")
    for p in paths:
        directive = _read_directive(p, jur, registry, catalog, root, report)
        if directive is not None:
            jur.directives.append(directive)
    return jur


def _read_units(
    doc: Any, path: str, jurisdiction: str, report: Report
) -> tuple[str, list[Unit], list[Reorganisation]]:
    units: list[Unit] = []
    reorgs: list[Reorganisation] = []
    if doc is None:
        report.error(path, 1, "units", "the unit registry is empty; list the jurisdiction's "
                                       "units under 'units:'")
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
        ) or not check_text(item, ("id", "name", "parent", "email"), path, report):
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
    for cycle in _cycles(graph, [u.id for u in units]):
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
    for cycle in _cycles(successors, list(ends)):
        report.error(path, ends[cycle[0]][0], "into",
                     "units merge into each other: " + " -> ".join([*cycle, cycle[0]])
                     + "; one of them must be the unit that continues")
    return name, units, reorgs


def _read_calendar(doc: Any, path: str, report: Report) -> WorkCalendar:
    doc = as_map(doc, path, 1, "calendar", report) if doc is not None else None
    if doc is None:
        return WorkCalendar("VN")
    check_keys(doc, ["country", "extra_days_off", "extra_working_days", "language"], [],
               path, report)
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
    return WorkCalendar(country, days["extra_days_off"], days["extra_working_days"])


def _cycles(graph: nx.DiGraph, order: list[str]) -> list[list[str]]:
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


def _read_directive(
    path: Path, jur: Jurisdiction, registry: Registry, catalog: dict[str, Template],
    root: Path, report: Report,
) -> DirectiveSpec | None:
    doc, shown, text = _load(path, root, report)
    if doc is None:
        return None
    doc = as_map(doc, shown, 1, "directive", report)
    if doc is None or not check_keys(doc, ["directive", "tasks"], ["directive", "tasks"],
                                     shown, report):
        return None
    head = as_map(doc["directive"], shown, doc.line_of("directive"), "directive", report)
    if head is None:
        return None
    errors_before = len(report.errors)
    check_keys(head, ["id", "number", "kind", "title", "issued_by", "issued_on", "source",
                      "parent", "escalation"],
               ["id", "number", "kind", "title", "issued_by", "issued_on"], shown, report)
    check_text(head, ("id", "number", "title", "issued_by", "source", "parent"), shown, report)
    ladder = None
    if head.get("escalation") is not None:
        esc = as_map(head["escalation"], shown, head.line_of("escalation"), "escalation", report)
        if esc is not None and check_keys(esc, ["ladder"], ["ladder"], shown, report):
            ladder = read_ladder(esc["ladder"], shown, esc.line_of("ladder"), registry, report)
    did = as_slug(head.get("id"), shown, head.line_of("id"), "id", report)
    kind = as_choice(head.get("kind"), DIRECTIVE_KINDS, shown, head.line_of("kind"), "kind",
                     report) if "kind" in head else None
    issued_on = as_date(head.get("issued_on"), shown, head.line_of("issued_on"), "issued_on",
                        report) if "issued_on" in head else None
    issuer = str(head.get("issued_by", ""))
    if issuer and issuer not in registry:
        report.error(shown, head.line_of("issued_by"), "issued_by",
                     _unknown_unit(issuer, registry, jur))
    tasks: list[TaskSpec] = []
    templates_text: list[str] = []
    # Tasks that could not be read: references to them are not reported again.
    unreadable: set[str] = set()
    items = as_list(doc["tasks"], shown, doc.line_of("tasks"), "tasks", report) or YList()
    for i, raw in enumerate(items):
        item = as_map(raw, shown, items.line_of(i), "tasks", report)
        if item is None:
            continue
        if "use" in item:
            used = _expand_use(item, shown, catalog, registry, report)
            if used is not None:
                tasks.extend(used[0])
                templates_text.append(used[1])
            else:
                unreadable.add(f"{item.get('as', item['use'])}/")
        else:
            task = _read_task(item, shown, report)
            if task is not None:
                tasks.append(task)
            else:
                unreadable.add(str(item.get("id")))
    if did is None or kind is None or issued_on is None:
        return None
    fingerprint = hashlib.sha256(
        "\0".join([jur.fingerprint, text, *templates_text]).encode()).hexdigest()
    directive = DirectiveSpec(
        id=did, number=str(head.get("number", "")), kind=kind, title=str(head.get("title", "")),
        issued_by=issuer, issued_on=issued_on, jurisdiction=jur.id, path=shown, tasks=tasks,
        source=str(head.get("source", "")), parent=str(head["parent"]) if head.get("parent")
        else None, line=head.line, key_lines=dict(head.key_lines), fingerprint=fingerprint,
        ladder=ladder,
    )
    _check_tasks(directive, registry, jur, report, unreadable)
    return None if len(report.errors) > errors_before else directive


def _unknown_unit(uid: str, registry: Registry, jur: Jurisdiction) -> str:
    return (f"unknown unit '{uid}'; use an id from {jur.path}/{UNITS_FILE}"
            + suggestion(uid, registry.units))


def _read_task(item: YMap, path: str, report: Report, prefix: str = "",
               template: str | None = None) -> TaskSpec | None:
    errors_before = len(report.errors)
    where = f" in task '{item.get('id', '?')}'"
    required = ["id", "title", "sector", "due"] + ([] if "for_each" in item else ["lead"])
    check_keys(item, TASK_KEYS, required, path, report, where=where)
    check_text(item, ("id", "title", "lead", "deliverable", "scope"), path, report, where)
    if len(report.errors) > errors_before:
        return None
    tid = as_slug(item["id"], path, item.line_of("id"), "id", report)
    sector = as_choice(item["sector"], SECTORS, path, item.line_of("sector"), "sector", report)
    try:
        due = parse_deadline(item["due"])
    except ValueError as exc:
        report.error(path, item.line_of("due"), "due", str(exc))
        due = None
    for_each = None
    if item.get("for_each") is not None:
        for_each = as_choice(item["for_each"], LEVELS, path, item.line_of("for_each"),
                             "for_each", report)
    if item.get("scope") is not None and "for_each" not in item:
        report.error(path, item.line_of("scope"), "scope",
                     "'scope' only applies to a task with 'for_each'; add for_each or remove scope")
    support = [str(s) for s in as_list(item.get("support"), path, item.line_of("support"),
                                       "support", report) or []]
    deps: list[Dependency] = []
    raw_deps = as_list(item.get("depends_on"), path, item.line_of("depends_on"), "depends_on",
                       report) or YList()
    for i, raw in enumerate(raw_deps):
        dep = _read_dependency(raw, path, raw_deps.line_of(i), report)
        if dep is not None:
            deps.append(dep)
    if tid is None or sector is None or due is None or len(report.errors) > errors_before:
        return None
    full = f"{prefix}/{tid}" if prefix else tid
    return TaskSpec(
        id=full, title=str(item["title"]), lead=str(item["lead"]) if item.get("lead") else None,
        sector=sector, due=due, support=support, deliverable=str(item.get("deliverable") or ""),
        depends_on=deps, for_each=for_each,
        scope=str(item["scope"]) if item.get("scope") else None, path=path, line=item.line,
        key_lines=dict(item.key_lines), template=template,
    )


def _read_dependency(raw: Any, path: str, line: int, report: Report) -> Dependency | None:
    if isinstance(raw, YMap):
        if not check_keys(raw, ["task", "at_least"], ["task"], path, report):
            return None
        share = _share(raw.get("at_least", 1.0))
        if share is None:
            report.error(path, raw.line_of("at_least"), "at_least",
                         f"'{raw['at_least']}' is not a share; write a percentage such as 90% "
                         "(or a fraction such as 0.9)")
            return None
        return Dependency(str(raw["task"]), share, line)
    if isinstance(raw, str):
        return Dependency(raw, 1.0, line)
    report.error(path, line, "depends_on",
                 "a dependency is a task id or {task: ID, at_least: 90%}")
    return None


def _share(value: Any) -> float | None:
    text = str(value).strip()
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return None
    return share if 0 < share <= 1 else None


def _expand_use(
    item: YMap, path: str, catalog: dict[str, Template], registry: Registry, report: Report
) -> tuple[list[TaskSpec], str] | None:
    check_keys(item, USE_KEYS, ["use"], path, report)
    name = str(item["use"])
    tpl = catalog.get(name)
    if tpl is None:
        report.error(path, item.line_of("use"), "use",
                     f"unknown template '{name}'; templates in the catalog: "
                     f"{', '.join(sorted(catalog)) or 'none'}" + suggestion(name, catalog))
        return None
    prefix = as_slug(item.get("as", name), path, item.line_of("as"), "as", report)
    given = item.get("with") if item.get("with") is not None else YMap()
    if not isinstance(given, YMap):
        report.error(path, item.line_of("with"), "with", "must be a mapping of parameters")
        return None
    if not hasattr(given, "line"):
        given.line, given.key_lines = item.line, {}
    values = bind_params(tpl, given, path, item.line_of("use"), report, registry.units)
    if values is None or prefix is None:
        return None
    doc = render_tasks(tpl, values, report)
    if doc is None:
        return None
    doc = as_map(doc, tpl.path, tpl.body_line_offset + 1, "tasks", report)
    if doc is None or not check_keys(doc, ["tasks"], ["tasks"], tpl.path, report):
        return None
    items = as_list(doc["tasks"], tpl.path, doc.line_of("tasks"), "tasks", report) or YList()
    tasks = []
    for i, raw in enumerate(items):
        entry = as_map(raw, tpl.path, items.line_of(i), "tasks", report)
        task = _read_task(entry, tpl.path, report, prefix, name) if entry is not None else None
        if task is not None:
            tasks.append(task)
    local = {t.id.rsplit("/", 1)[1] for t in tasks}

    def qualify(ref: str) -> str:
        return f"{prefix}/{ref}" if ref in local else ref

    for task in tasks:
        task.depends_on = [Dependency(qualify(d.task), d.at_least, d.line)
                           for d in task.depends_on]
        if task.due.ref:
            task.due = type(task.due)(task.due.kind, task.due.text.replace(
                task.due.ref, qualify(task.due.ref), 1), ref=qualify(task.due.ref),
                amount=task.due.amount, unit=task.due.unit)
    return tasks, tpl.text + repr(sorted(values.items())) + prefix


def _check_tasks(
    directive: DirectiveSpec, registry: Registry, jur: Jurisdiction, report: Report,
    unreadable: set[str] = frozenset(),  # type: ignore[assignment]
) -> None:
    def reported(ref: str) -> bool:
        return ref in unreadable or any(p.endswith("/") and ref.startswith(p)
                                        for p in unreadable)

    seen: dict[str, TaskSpec] = {}
    for task in directive.tasks:
        if task.id in seen:
            first = seen[task.id]
            report.error(task.path, task.line_of("id"), "id",
                         f"duplicate task id '{task.id}' (first at {first.path}:{first.line}); "
                         "give each task its own id or a different 'as:' prefix")
        else:
            seen[task.id] = task
    graph = nx.DiGraph()
    for task in directive.tasks:
        graph.add_node(task.id)
        for key, ref in [("lead", task.lead), ("scope", task.scope),
                         *[("support", s) for s in task.support]]:
            if ref is not None and ref not in registry:
                report.error(task.path, task.line_of(key), key, _unknown_unit(ref, registry, jur))
        for dep in task.depends_on:
            if dep.task not in seen and reported(dep.task):
                continue
            if dep.task not in seen:
                report.error(task.path, dep.line or task.line_of("depends_on"), "depends_on",
                             f"task '{task.id}' depends on unknown task '{dep.task}'; "
                             "use the id of a task of this directive"
                             + suggestion(dep.task, seen))
            else:
                graph.add_edge(dep.task, task.id)
        if task.due.kind == "task":
            assert task.due.ref is not None
            if task.due.ref not in seen and reported(task.due.ref):
                pass
            elif task.due.ref not in seen:
                report.error(task.path, task.line_of("due"), "due",
                             f"deadline refers to unknown task '{task.due.ref}'; "
                             "use the id of a task of this directive"
                             + suggestion(task.due.ref, seen))
            else:
                graph.add_edge(task.due.ref, task.id)
        if task.due.kind == "deps" and not task.depends_on:
            report.error(task.path, task.line_of("due"), "due",
                         f"'{task.due.text}' needs prerequisites; add depends_on or use "
                         "'issued + N' or a date")
    for cycle in _cycles(graph, [t.id for t in directive.tasks]):
        first = seen[cycle[0]]
        report.error(first.path, first.line_of("depends_on"), "depends_on",
                     "dependency cycle: " + " -> ".join([*cycle, cycle[0]])
                     + " (each task waits for the one before it); remove one of these "
                     "dependencies")


def _check_unique_across(jurisdictions: list[Jurisdiction], report: Report) -> None:
    owners: dict[str, str] = {}
    for jur in jurisdictions:
        for unit in jur.units:
            if unit.id in owners and owners[unit.id] != jur.id:
                report.error(f"{jur.path}/{UNITS_FILE}", 0, "id",
                             f"unit id '{unit.id}' is also used in jurisdiction "
                             f"'{owners[unit.id]}'; unit ids must be unique across jurisdictions")
            owners.setdefault(unit.id, jur.id)
    directives: dict[str, DirectiveSpec] = {}
    for jur in jurisdictions:
        for d in jur.directives:
            if d.id in directives:
                report.error(d.path, d.line_of("id"), "id",
                             f"directive id '{d.id}' is also used in {directives[d.id].path}; "
                             "give each directive its own id")
            directives.setdefault(d.id, d)
    for d in directives.values():
        if d.parent and d.parent not in directives:
            report.warn(d.path, d.line_of("parent"), "parent",
                        f"parent directive '{d.parent}' is not among the files read")
