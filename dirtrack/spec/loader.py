"""Read a directives path into validated jurisdictions, reporting every problem at once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from dirtrack import config
from dirtrack.calendar import WorkCalendar
from dirtrack.errors import ConfigError
from dirtrack.periods import DAY_OFF_RULES, REPEATS, RULE_FORMS, Period, parse_period, periods_in
from dirtrack.registry import Registry
from dirtrack.spec.catalog import Template, bind_params, read_catalog, render_tasks, warn_ignored
from dirtrack.spec.fanout import read_fan_out
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
from dirtrack.spec.files import is_present, read_source, shown
from dirtrack.spec.indicators import read_indicators
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
from dirtrack.spec.roles import Place
from dirtrack.spec.settings import AlertSettings, read_ladder, read_settings
from dirtrack.spec.units import cycles, read_calendar, read_roles, read_units
from dirtrack.spec.yamlpos import YamlSyntaxError, YList, YMap, parse_yaml

UNITS_FILE, CALENDAR_FILE, ESCALATION_FILE = "units.yaml", "calendar.yaml", "escalation.yaml"
CATALOG_FOLDER = "tasks_catalog"
SETTINGS_FILES = {UNITS_FILE, CALENDAR_FILE, ESCALATION_FILE, REVIEW_FILE}
TASK_KEYS = ("id", "title", "lead", "support", "sector", "deliverable", "due", "depends_on",
             "for_each", "scope", "indicators", "repeat", "from", "until", "on_day_off", "ahead")
REPEAT_KEYS = ("from", "until", "on_day_off", "ahead")
MAX_OCCURRENCES = 120  # ten years of months: a longer plan is written again
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
        candidate = folder / CATALOG_FOLDER
        # A jurisdiction's own catalog is searched first for its directives only.
        if candidate.is_dir() and not is_present(folder / UNITS_FILE):
            return candidate
    return None


def read_workspace(path: Path, catalog_dir: Path | None = None) -> tuple[Workspace, Report]:
    """Read everything under ``path``; return the workspace and the problems found."""
    report = Report()
    root = Path.cwd()
    if not path.exists():
        report.error(str(path), 0, "path", "no such file or folder; give a directives path")
        return Workspace([], {}), report
    shared = catalog_dir or find_catalog(path)
    catalog = read_catalog(shared, root, report)
    places = [_show(shared, root)] if shared is not None and shared.is_dir() else []
    folders: list[tuple[Path, list[Path] | None]] = []
    if path.is_file():
        if not is_present(path.parent / UNITS_FILE):
            report.error(_show(path, root), 0, "path",
                         "this file's folder has no units.yaml; a directive file sits in its "
                         "jurisdiction's folder, beside the unit registry")
            return Workspace([], {}), report
        folders.append((path.parent, [path]))
    elif is_present(path / UNITS_FILE):
        folders.append((path, None))
    else:
        for sub in sorted(p for p in path.iterdir() if p.is_dir()):
            if is_present(sub / UNITS_FILE):
                folders.append((sub, None))
            elif any(sub.glob("*.yaml")):
                report.error(_show(sub / UNITS_FILE, root), 0, "units",
                             "this jurisdiction folder has no units.yaml; add its unit registry")
        if not folders and not report.errors:
            report.error(str(path), 0, "path",
                         "no jurisdiction found; a jurisdiction folder holds a units.yaml")
    jurisdictions = [_read_jurisdiction(folder, files, catalog, places, root, report)
                     for folder, files in folders]
    _check_unique_across(jurisdictions, report)
    return Workspace(jurisdictions, catalog), report


def _show(path: Path, root: Path) -> str:
    return shown(path, root)


def _load(path: Path, root: Path, report: Report) -> tuple[Any, str, str | None]:
    """Return the document, the path as shown and the text (None when it cannot be read).

    A file that cannot be read or parsed has been reported; one that holds nothing
    (no text, or comments only) gives the document None and its text.
    """
    name = _show(path, root)
    text = read_source(path, name, report)
    if text is None:
        return None, name, None
    try:
        return parse_yaml(text, name), name, text
    except YamlSyntaxError as exc:
        report.problems.append(exc.problem)
        return None, name, None


def _read_jurisdiction(
    folder: Path, files: list[Path] | None, shared: dict[str, Template], places: list[str],
    root: Path, report: Report,
) -> Jurisdiction:
    units_doc, units_path, units_text = _load(folder / UNITS_FILE, root, report)
    name, units, reorgs, moves = read_units(units_doc, units_path, folder.name, report,
                                      readable=units_text is not None)
    roles = read_roles(units_doc, units_path, {u.id for u in units}, report)
    catalog = _Catalog(shared, places)
    if (folder / CATALOG_FOLDER).is_dir():  # the jurisdiction's own templates come first
        own = read_catalog(folder / CATALOG_FOLDER, root, report)
        catalog = _Catalog({**shared, **own}, [_show(folder / CATALOG_FOLDER, root), *places])
    calendar_text: str | None = ""
    escalation_text: str | None = ""
    calendar = WorkCalendar("VN")
    if is_present(folder / CALENDAR_FILE):
        cal_doc, cal_path, calendar_text = _load(folder / CALENDAR_FILE, root, report)
        calendar = read_calendar(cal_doc, cal_path, report)
    registry = Registry(units, reorgs, moves)
    settings = AlertSettings()
    if is_present(folder / ESCALATION_FILE):
        esc_doc, esc_path, escalation_text = _load(folder / ESCALATION_FILE, root, report)
        settings = read_settings(esc_doc, esc_path, registry, report)
    base = hashlib.sha256("\0".join([units_text or "", calendar_text or "",
                                     escalation_text or ""]).encode()).hexdigest()
    jur = Jurisdiction(folder.name, name, _show(folder, root), units, reorgs, calendar,
                       fingerprint=base, settings=settings, roles=roles, moves=moves)
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


def _read_directive(
    path: Path, jur: Jurisdiction, registry: Registry, catalog: _Catalog, root: Path,
    report: Report,
) -> DirectiveSpec | None:
    doc, shown, text = _load(path, root, report)
    if text is None:
        return None
    if doc is None:
        report.error(shown, 1, "directive",
                     "the file holds no directive; write its header under 'directive:' and "
                     "its tasks under 'tasks:', or remove the file")
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
    check_length(head, ("title",), shown, report)
    ladder = None
    if head.get("escalation") is not None:
        esc = as_map(head["escalation"], shown, head.line_of("escalation"), "escalation", report)
        if esc is not None and check_keys(esc, ["ladder"], ["ladder"], shown, report):
            ladder = read_ladder(esc["ladder"], shown, esc.line_of("ladder"), registry, report)
    did = as_slug(head.get("id"), shown, head.line_of("id"), "id", report)
    if did is not None and head.get("parent") is not None and str(head["parent"]) == did:
        report.error(shown, head.line_of("parent"), "parent",
                     f"directive '{did}' names itself as its parent; name the directive it "
                     "implements, or remove 'parent:'")
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
            place = Place(registry, jur.roles, issued_on, f"{jur.path}/{UNITS_FILE}")
            used = _expand_use(item, shown, catalog, place, report)
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
    # The holidays the deadlines are counted over come from a package, not from the
    # files: a newer package with another day off re-computes them on the next load.
    holidays = jur.calendar.holiday_data(*_deadline_years(issued_on, tasks))
    fingerprint = hashlib.sha256(
        "\0".join([jur.fingerprint, text, *templates_text, holidays]).encode()).hexdigest()
    directive = DirectiveSpec(
        id=did, number=str(head.get("number", "")), kind=kind, title=str(head.get("title", "")),
        issued_by=issuer, issued_on=issued_on, jurisdiction=jur.id, path=shown, tasks=tasks,
        source=str(head.get("source", "")), parent=str(head["parent"]) if head.get("parent")
        else None, line=head.line, key_lines=dict(head.key_lines), fingerprint=fingerprint,
        ladder=ladder,
    )
    _check_tasks(directive, registry, jur, report, unreadable)
    return None if len(report.errors) > errors_before else directive


def _deadline_years(issued_on: date, tasks: list[TaskSpec]) -> tuple[int, int]:
    """Return the first and last year the directive's deadlines can be counted over.

    Counting starts at the issue date or at a deadline; all the offsets laid end to
    end (a working day taken as two days) bound how far it goes. Beyond a century
    the package's version, also in the fingerprint, stands for the holidays.
    """
    latest = max([issued_on.year, *(t.due.day.year for t in tasks if t.due.day is not None),
                  *(t.periods[-1].end.year + 1 for t in tasks if t.periods)])
    span = sum(t.due.amount * (2 if t.due.unit == "wd" else 1) for t in tasks)
    return issued_on.year, min(latest + span // 365 + 1, issued_on.year + 100)


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
    check_length(item, ("title",), path, report)
    if len(report.errors) > errors_before:
        return None
    tid = as_slug(item["id"], path, item.line_of("id"), "id", report)
    sector = as_choice(item["sector"], SECTORS, path, item.line_of("sector"), "sector", report)
    repeat = _read_repeat(item, path, report)
    try:
        due = parse_deadline(item["due"], repeating=item.get("repeat") is not None)
    except ValueError as exc:
        report.error(path, item.line_of("due"), "due", str(exc))
        due = None
    if item.get("repeat") is not None and due is not None and due.kind in ("date", "issued"):
        report.error(path, item.line_of("due"), "due",
                     f"'{due.text}' is one date for every occurrence; count it from the "
                     f"period instead: {RULE_FORMS} (or from a task: TASK + 5wd, deps + 5d)")
    fan = None
    if item.get("for_each") is not None:
        fan = read_fan_out(item["for_each"], path, item.line_of("for_each"), report)
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
    indicators = read_indicators(item.get("indicators"), path, item.line_of("indicators"),
                                 report)
    if tid is None or sector is None or due is None or len(report.errors) > errors_before:
        return None
    full = f"{prefix}/{tid}" if prefix else tid
    task = TaskSpec(
        id=full, title=str(item["title"]), lead=str(item["lead"]) if item.get("lead") else None,
        sector=sector, due=due, support=support, deliverable=str(item.get("deliverable") or ""),
        depends_on=deps, for_each=fan.label if fan else None,
        scope=str(item["scope"]) if item.get("scope") else None, path=path, line=item.line,
        key_lines=dict(item.key_lines), template=template, indicators=indicators,
        for_levels=fan.levels if fan else (), for_kinds=fan.kinds if fan else (),
    )
    if repeat is not None:
        task.repeat, task.periods, task.day_off, task.ahead = repeat
    return task


def _read_repeat(item: YMap, path: str, report: Report
                 ) -> tuple[str, list[Period], str | None, int] | None:
    """Return how a task repeats (how often, its periods, day-off rule, periods ahead),
    or None for a task done once; report mistakes."""
    if item.get("repeat") is None:
        for key in REPEAT_KEYS:
            if key in item:
                report.error(path, item.line_of(key), key,
                             f"'{key}' only applies to a repeating task; add 'repeat: "
                             f"monthly' (or quarterly, half-yearly, yearly) or remove '{key}'")
        return None
    repeat = as_choice(item["repeat"], REPEATS, path, item.line_of("repeat"), "repeat", report)
    bounds: list[Period] = []
    for key in ("from", "until"):
        if item.get(key) is None:
            report.error(path, item.line, key,
                         f"a repeating task needs '{key}:', the "
                         f"{'first' if key == 'from' else 'last'} period it covers "
                         "(2026-Q1, 2026-01, 2026-H1 or 2026)")
            continue
        try:
            bounds.append(parse_period(item[key]))
        except ValueError as exc:
            report.error(path, item.line_of(key), key, str(exc))
    day_off = None
    if item.get("on_day_off") is not None:
        day_off = as_choice(item["on_day_off"], DAY_OFF_RULES, path,
                            item.line_of("on_day_off"), "on_day_off", report)
    ahead = item.get("ahead", 1)
    if not isinstance(ahead, int) or isinstance(ahead, bool) or not 0 <= ahead <= 12:
        report.error(path, item.line_of("ahead"), "ahead",
                     f"'{ahead}' is not a number of periods; write 0 to 12 (1: the current "
                     "and the next period's occurrences exist)")
        ahead = 1
    if repeat is None or len(bounds) < 2:
        return None
    periods = periods_in(repeat, *bounds)
    if not periods:
        report.error(path, item.line_of("until"), "until",
                     f"no {REPEATS[repeat]} lies from {bounds[0]} until {bounds[1]}; "
                     "'until' names the last period, on or after 'from'")
        return None
    if len(periods) > MAX_OCCURRENCES:
        report.error(path, item.line_of("until"), "until",
                     f"{len(periods)} occurrences from {bounds[0]} until {bounds[1]}; keep "
                     f"it to at most {MAX_OCCURRENCES} and extend 'until' later")
        return None
    return repeat, periods, day_off, ahead


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
    item: YMap, path: str, catalog: _Catalog, place: Place, report: Report
) -> tuple[list[TaskSpec], str] | None:
    check_keys(item, USE_KEYS, ["use"], path, report)
    name = str(item["use"])
    tpl = catalog.templates.get(name)
    if tpl is None:
        looked = " then ".join(catalog.places) or "no catalog folder (none found)"
        report.error(path, item.line_of("use"), "use",
                     f"unknown template '{name}'; looked in {looked}; templates there: "
                     f"{', '.join(sorted(catalog.templates)) or 'none'}"
                     + suggestion(name, catalog.templates))
        return None
    prefix = as_slug(item.get("as", name), path, item.line_of("as"), "as", report)
    given = item.get("with") if item.get("with") is not None else YMap()
    if not isinstance(given, YMap):
        report.error(path, item.line_of("with"), "with", "must be a mapping of parameters")
        return None
    if not hasattr(given, "line"):
        given.line, given.key_lines = item.line, {}
    values = bind_params(tpl, given, path, item.line_of("use"), report, place)
    if values is None or prefix is None:
        return None
    doc = render_tasks(tpl, values, report)
    if doc is None:
        return None
    warn_ignored(tpl, values, given, path, report)
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


@dataclass
class _Catalog:
    """The templates a jurisdiction's directives may use, and the folders they came from."""

    templates: dict[str, Template]
    places: list[str]


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
    for cycle in cycles(graph, [t.id for t in directive.tasks]):
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
    parents = nx.DiGraph((d.parent, d.id) for d in directives.values()
                         if d.parent in directives)
    for cycle in cycles(parents, list(directives)):
        first = directives[cycle[0]]
        report.error(first.path, first.line_of("parent"), "parent",
                     "directives name each other as parent: " + " -> ".join([*cycle, cycle[0]])
                     + "; one of them is the directive the others implement: remove its "
                     "'parent:'")
