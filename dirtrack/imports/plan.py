"""Import a plan's appendix from Word or Excel: the directive's tasks and every problem.

Nothing is guessed in silence. A unit name that fits no unit, or two, a deadline
no pattern reads, a row with no sector: each is a finding with the cell's address
(``PLAN.xlsx:Sheet1!C14: chủ trì: ...``), and the task keeps the office's own
words in that field, which ``dirtrack validate`` refuses until someone fixes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from dirtrack.errors import DirtrackError, Problem, ValidationFailed
from dirtrack.imports.columns import Header, continues, find_header
from dirtrack.imports.deadlines import office_deadline
from dirtrack.imports.head import read_head
from dirtrack.imports.periods import PlanSpan, plan_span, repeat_range
from dirtrack.imports.rows import Group, Note, Row, read_rows, sector_of
from dirtrack.imports.sources import Table, read_source
from dirtrack.imports.text import clean, slug, task_slug
from dirtrack.imports.units import Mention, UnitMatcher
from dirtrack.periods import REPEATS, parse_period
from dirtrack.registry import Registry
from dirtrack.spec.model import DIRECTIVE_KINDS, SECTORS, SLUG, Jurisdiction

TWO_TIERS_FROM = date(2025, 7, 1)
LEVEL_WORDS = {"district": "districts", "commune": "communes", "province": "provinces",
               "central": "central units"}


@dataclass(frozen=True)
class Finding:
    """One thing the office must look at: ``address: key: message``."""

    address: str
    key: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.address}: {self.key}: {prefix}{self.message}"


@dataclass
class ImportOptions:
    """What the command line may say instead of (or besides) the document."""

    directive_id: str | None = None
    number: str | None = None
    title: str | None = None
    kind: str | None = None
    issued_by: str | None = None  # a unit id or a unit's name
    issued_on: date | None = None
    sector: str | None = None  # for rows under no group heading that names a sector
    repeat_from: str | None = None  # the periods repeating rows cover, when the title
    repeat_until: str | None = None  # names none (or another): 2026, 2026-Q1, 2026-03


@dataclass
class ImportedTask:
    """One row made a task; fields that could not be read hold the office's words."""

    address: str
    stt: str
    numeral: str  # the group heading's numeral above it
    title: str
    id: str = ""
    fixed_id: bool = False  # given by the file (dirtrack's own export, or a Mã column)
    lead: str | None = None
    for_each: str | None = None
    scope: str | None = None
    support: list[str] = field(default_factory=list)
    sector: str = ""
    deliverable: str = ""
    due: str = ""
    due_text: str = ""
    due_kind: str = ""
    due_rows: tuple[str, ...] = ()
    repeat: str | None = None
    repeat_from: str = ""  # the first and last period a repeating task covers; empty
    repeat_until: str = ""  # when neither the document nor the command line says
    due_note: str = ""
    depends_on: list[tuple[str, float]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Imported:
    """The directive read from a file, ready to be written as YAML."""

    source: str
    directive: dict[str, object]
    head_findings: list[Finding]
    items: list[ImportedTask | Group | Note]

    @property
    def tasks(self) -> list[ImportedTask]:
        return [i for i in self.items if isinstance(i, ImportedTask)]

    @property
    def findings(self) -> list[Finding]:
        return [*self.head_findings, *(f for t in self.tasks for f in t.findings)]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def read_jurisdiction(folder: Path) -> tuple[Jurisdiction, Registry]:
    """Return a jurisdiction folder's units (its directives' own problems do not matter
    here); raise ValidationFailed when its units, calendar or alert settings are wrong."""
    from dirtrack.spec.loader import SETTINGS_FILES, UNITS_FILE, read_workspace

    if not (folder / UNITS_FILE).is_file():
        raise DirtrackError(f"{folder} is not a jurisdiction folder (it has no {UNITS_FILE}); "
                            "give --jurisdiction the folder of the plan's units, e.g. "
                            "directives/ninh-binh")
    workspace, report = read_workspace(folder)
    own = [p for p in report.errors if Path(p.path).name in SETTINGS_FILES]
    if own or not workspace.jurisdictions:
        raise ValidationFailed(own or [Problem(str(folder), 0, "units", "cannot be read")])
    jur = workspace.jurisdictions[0]
    return jur, Registry(jur.units, jur.reorganisations, jur.moves)


def import_plan(path: Path, folder: Path, options: ImportOptions | None = None,
                shown: str | None = None) -> Imported:
    """Return the directive that ``path``'s appendix table(s) describe, for the
    jurisdiction in ``folder``, with every finding."""
    options = options or ImportOptions()
    source = read_source(path, shown)
    jur, registry = read_jurisdiction(folder)
    tables = _appendix_tables(source.tables)
    if not tables:
        raise DirtrackError(f"{source.path}: no appendix table found: no table has a header "
                            "row naming the task (Nội dung) and its lead (Chủ trì) or "
                            "deadline (Thời gian hoàn thành)")
    first, header = tables[0]
    above = [c.text for row in first.rows[:header.first] for c in row if c.text and
             not c.covered]
    units_file = f"{jur.path}/units.yaml"
    given = _directive_note(first.notes)
    if given and not options.directive_id:
        options = replace(options, directive_id=given)
    directive, head_findings = _directive(first.preamble + above, options, source.path,
                                          UnitMatcher(registry, jur.name, units_file=units_file),
                                          registry)
    issued_on = directive.get("issued_on")
    matcher = UnitMatcher(registry, jur.name, issued_on if isinstance(issued_on, date)
                          else None, units_file)
    reader = _RowReader(matcher, jur, options.sector)
    reader.span, reader.from_title = _span(options, str(directive.get("title", "")))
    items: list[ImportedTask | Group | Note] = []
    for table, head in tables:
        for item in read_rows(table, head):
            items.append(reader.read(item))
    imported = Imported(source.path, directive, head_findings, items)
    _assign_ids(imported.tasks)
    _resolve_references(imported)
    return imported


def _span(options: ImportOptions, title: str) -> tuple[PlanSpan | None, bool]:
    """Return the periods repeating rows cover, and whether the title said them.

    A table says how often ("Hằng quý") but not over which periods: those come from
    the command line (--from, --until), else from the plan's title ("... năm 2026");
    with neither, a repeating row is written as a comment for the office to complete.
    """
    first, last = options.repeat_from, options.repeat_until
    if first or last:
        return PlanSpan(parse_period(first or last), parse_period(last or first)), False
    span = plan_span(title)
    return span, span is not None


def _directive_note(notes: list[str]) -> str | None:
    """Return the directive id a dirtrack export left hidden above the table, if any."""
    for note in notes:
        try:
            return str(json.loads(note)["directive"])
        except (ValueError, KeyError, TypeError):
            continue
    return None


def _appendix_tables(tables: list[Table]) -> list[tuple[Table, Header]]:
    found: list[tuple[Table, Header]] = []
    for table in tables:
        header = find_header(table)
        if header is None and found:
            header = continues(table, found[-1][1])
        if header is not None:
            found.append((table, header))
    return found


def _directive(texts: list[str], options: ImportOptions, shown: str, matcher: UnitMatcher,
               registry: Registry) -> tuple[dict[str, object], list[Finding]]:
    head = read_head(texts)
    findings: list[Finding] = []
    out: dict[str, object] = {}

    def missing(key: str, what: str, option: str) -> None:
        findings.append(Finding(shown, key, f"{what} is not in the document; give {option}"))

    number = options.number or head.number
    kind = options.kind or head.kind
    title = options.title or head.title
    issued_on = options.issued_on or head.issued_on
    issuer = _issuer(options.issued_by, head.issuer, head.issuer_lines, matcher, registry,
                     shown)
    directive_id = options.directive_id or (
        f"{slug(number)}-{issued_on.year}" if number and issued_on else "")
    if directive_id and not SLUG.match(directive_id):
        findings.append(Finding(shown, "id", f"'{directive_id}' is not an id; use lower-case "
                                "letters, digits and '-'"))
    if not directive_id:
        findings.append(Finding(shown, "id", "no id: the document gives no number and date "
                                "to make one from; give --directive-id"))
    for key, value, what, option in [
        ("id", directive_id, "", ""),
        ("number", number, "the number (Số ...)", "--number"),
        ("kind", kind, "the kind of document (KẾ HOẠCH, KẾT LUẬN ...)", "--kind"),
        ("title", title, "the title", "--title"),
        ("issued_by", issuer if isinstance(issuer, str) else "", "the issuing body",
         "--issued-by"),
        ("issued_on", issued_on, "the date of issue", "--issued-on"),
    ]:
        if value:
            out[key] = value
        elif key == "id":
            continue
        elif key == "issued_by" and isinstance(issuer, Finding):
            findings.append(issuer)
        else:
            missing(key, what, option)
    if head.title_from_line and not options.title:
        findings.append(Finding(shown, "title", f"'{title}' is the first line above the table; "
                                "check it is the plan's title, or give --title", "warning"))
    if kind and kind not in DIRECTIVE_KINDS:
        findings.append(Finding(shown, "kind", f"'{kind}' is not one of "
                                f"{', '.join(DIRECTIVE_KINDS)}"))
    return out, findings


def _issuer(given: str | None, written: str, lines: list[str], matcher: UnitMatcher,
            registry: Registry, shown: str) -> str | Finding | None:
    """Return the issuing unit's id, a finding when the name given fits none, or None."""
    if given and given in registry:
        return given
    if given or written:
        found = matcher.mentions(given or written)
        if len(found) == 1 and found[0].kind == "unit":
            return found[0].units[0]
        first = found[0] if found else Mention("unknown", given or written)
        return Finding("--issued-by" if given else shown, "issued_by",
                       no_unit(first, matcher))
    for line in reversed(lines):  # the issuing body's own line is the lowest one
        found = matcher.mentions(line)
        if len(found) == 1 and found[0].kind == "unit":
            return found[0].units[0]
    return None


def no_unit(m: Mention, matcher: UnitMatcher) -> str:
    """Return the message for a name that fits no unit, or several."""
    if m.kind == "ambiguous":
        return (f"'{m.text}' fits {len(m.units)} units: "
                + ", ".join(matcher.describe(u) for u in m.units)
                + "; write the one meant in full")
    near = matcher.suggestions(m.text)
    hint = f"; did you mean {' or '.join(repr(n) for n in near)}? W" if near else "; w"
    return (f"no unit named '{m.text}'{hint}rite the name as in {matcher.units_file}, or add "
            "the unit there")


class _RowReader:
    """Turns rows into tasks, keeping the sector of the group heading above."""

    def __init__(self, matcher: UnitMatcher, jur: Jurisdiction, default: str | None) -> None:
        self.matcher = matcher
        self.span: PlanSpan | None = None
        self.from_title = False
        self.jur = jur
        self.default = default
        self.group: Group | None = None

    def read(self, item: Row | Group | Note) -> ImportedTask | Group | Note:
        if isinstance(item, Group):
            self.group = item
            return item
        if isinstance(item, Note):
            return item
        return self._task(item)

    def _task(self, row: Row) -> ImportedTask:
        numeral = self.group.numeral if self.group else ""
        task = ImportedTask(row.address, clean(row.text("stt")).rstrip("."), numeral,
                            clean(row.text("title")))
        if not task.title:
            said = ", ".join(f"'{clean(row.text(k))}'" for k in row.cells if row.text(k))
            task.findings.append(Finding(row.where("title"), "nội dung", f"the row ({said}) "
                                         "has no task; write what is to be done, or delete "
                                         "the row"))
        self._id(task, row)
        self._lead(task, row)
        self._support(task, row)
        self._sector(task, row)
        task.deliverable = clean(row.text("deliverable"))
        self._due(task, row)
        return task

    def _id(self, task: ImportedTask, row: Row) -> None:
        cell = row.cells.get("title")
        for note in cell.hidden if cell is not None else ():
            try:
                data = json.loads(note)
                task.id = str(data["id"])
                task.depends_on = [(str(d), float(s)) for d, s in data.get("depends_on", [])]
                task.for_each, task.scope = data.get("for_each"), data.get("scope")
            except (ValueError, KeyError, TypeError):
                task.findings.append(Finding(row.where("title"), "nội dung",
                                             "the hidden dirtrack note is damaged; delete it"))
        given = clean(row.text("id"))
        task.id = given or task.id
        if task.id:
            task.fixed_id = True
            if not SLUG.match(task.id):
                task.findings.append(Finding(row.where("id"), "mã", f"'{task.id}' is not an "
                                             "id; use lower-case letters, digits and '-'"))

    def _lead(self, task: ImportedTask, row: Row) -> None:
        text, where = row.text("lead"), row.where("lead")
        if not text:
            task.findings.append(Finding(where, "chủ trì", "no lead unit; write the unit that "
                                         "leads (or 'UBND các xã, phường' for every commune)"))
            return
        found = self.matcher.mentions(text)
        fans = [m for m in found if m.kind == "fan-out"]
        named = [m for m in found if m.kind in ("unit", "unknown", "ambiguous")]
        for m in found:
            if m.kind in ("unknown", "ambiguous"):
                task.findings.append(Finding(where, "chủ trì", no_unit(m, self.matcher)))
        if fans and (len(fans) > 1 or named or any(m.kind == "unions" for m in found)):
            task.findings.append(Finding(where, "chủ trì", f"'{clean(text)}' names several "
                                         "leads; a task has one lead (or one level fanning "
                                         "out): split the row"))
            task.lead = clean(text)
            return
        if fans:
            self._fan_out(task, fans[0], where)
            return
        if task.for_each and named and named[0].kind == "unit":  # one lead for every unit
            task.lead = named[0].units[0]
            return
        if named:
            first = named[0]
            task.lead = first.units[0] if first.kind == "unit" else first.text
            extra = named[1:]
            if extra:
                task.support += [m.units[0] if m.kind == "unit" else m.text for m in extra]
                task.findings.append(Finding(where, "chủ trì", f"names {len(named)} units; "
                                             f"the first, {_shown(first, self.matcher)}, "
                                             "leads and the others are listed in support",
                                             "warning"))
            return
        task.lead = clean(text)
        unions = [m for m in found if m.kind == "unions"]
        what = (f"'{unions[0].text}' names {len(unions[0].units)} units" if unions else
                f"'{clean(text)}' names no unit")
        task.findings.append(Finding(where, "chủ trì", f"{what}; write the unit that leads"))

    def _fan_out(self, task: ImportedTask, fan: Mention, where: str) -> None:
        assert fan.level is not None
        if self.matcher.level_units(fan.level, fan.scope):
            task.for_each, task.scope = fan.level, fan.scope
            return
        on = self.matcher.on
        inside = f" in {self.matcher.registry[fan.scope].name}" if fan.scope else ""
        tiers = (" (local government has two tiers from 1 July 2025)"
                 if fan.level == "district" and on and on >= TWO_TIERS_FROM else "")
        day = f" on {on.isoformat()}" if on else ""
        task.for_each = fan.text
        task.findings.append(Finding(where, "chủ trì", f"'{fan.text}' fans out over "
                                     f"{LEVEL_WORDS[fan.level]}, but {self.jur.name} has none"
                                     f"{inside}{day}{tiers}; name the units that lead"
                                     + (", e.g. 'UBND các xã, phường'"
                                        if fan.level == "district" else "")))

    def _support(self, task: ImportedTask, row: Row) -> None:
        text, where = row.text("support"), row.where("support")
        for m in self.matcher.mentions(text) if text else []:
            if m.kind == "unit":
                task.support.append(m.units[0])
            elif m.kind == "unions":
                task.support += list(m.units)
            elif m.kind in ("unknown", "ambiguous"):
                task.support.append(m.text)
                task.findings.append(Finding(where, "phối hợp", no_unit(m, self.matcher)))
            else:
                why = ("names no unit" if m.kind == "vague" else
                       "cannot coordinate a task: only named units can")
                task.findings.append(Finding(where, "phối hợp", f"'{m.text}' {why}; left out",
                                             "warning"))
        unique: list[str] = []
        for unit in task.support:
            if unit != task.lead and unit not in unique:
                unique.append(unit)
        task.support = unique

    def _sector(self, task: ImportedTask, row: Row) -> None:
        own = clean(row.text("sector"))
        if own:
            task.sector = sector_of(own) or own
            if task.sector not in SECTORS:
                task.findings.append(Finding(row.where("sector"), "lĩnh vực", f"'{own}' names "
                                             "no sector; write Kinh tế, Văn hóa - Xã hội, "
                                             "Quốc phòng - An ninh or Xây dựng hệ thống chính "
                                             "trị"))
            return
        if self.group is not None and self.group.sector:
            task.sector = self.group.sector
            return
        if self.default:
            task.sector = self.default
            return
        above = (f" ('{self.group.text}' does not)" if self.group else "")
        task.sector = self.group.text if self.group else ""
        task.findings.append(Finding(task.address, "lĩnh vực", "no group heading above names "
                                     f"a sector{above}; add one (I. LĨNH VỰC KINH TẾ ...) or "
                                     "give --sector"))

    def _due(self, task: ImportedTask, row: Row) -> None:
        value = row.value("due")
        task.due_text = clean(row.text("due"))
        on = self.matcher.on
        read = office_deadline(value, on.year if on else None)
        task.due_kind, task.due_rows = read.kind, read.rows
        task.due, task.repeat, task.due_note = read.expression, read.repeat, read.note
        if read.kind == "problem":
            task.due = task.due_text
            task.findings.append(Finding(row.where("due"), "thời gian", read.problem))
        elif read.kind == "repeat" and read.repeat:
            self._periods(task, row, read.repeat)

    def _periods(self, task: ImportedTask, row: Row, repeat: str) -> None:
        """Give a repeating task the periods it covers, or say what the office must add."""
        said = (f"'{task.due_text}' is recurring work (repeat: {repeat}, due: end)")
        where = row.where("due")
        if self.span is None:
            task.findings.append(Finding(where, "thời gian", f"{said}; written as a comment: "
                                         "add from: and until: (the periods it covers) and "
                                         "uncomment it, or give import --from and --until"))
            return
        # From the title, a plan issued during its year starts with the period.
        on = self.matcher.on if self.from_title else None
        found = repeat_range(repeat, self.span, on)
        if found is None:
            task.findings.append(Finding(where, "thời gian", f"{said}, but the plan's "
                                         f"{self.span} holds no whole {REPEATS[repeat]}; "
                                         "written as a comment: add from: and until: and "
                                         "uncomment it"))
            return
        task.repeat_from, task.repeat_until = found
        if self.from_title:
            task.findings.append(Finding(where, "thời gian", f"'{task.due_text}': repeats "
                                         f"from {found[0]} until {found[1]}, within the "
                                         f"plan's {self.span} (its title); change from: and "
                                         "until: if it runs longer", "warning"))


def _shown(m: Mention, matcher: UnitMatcher) -> str:
    return matcher.describe(m.units[0]) if m.kind == "unit" else f"'{m.text}'"


def _assign_ids(tasks: list[ImportedTask]) -> None:
    """Give every task without an id of its own one made from its title; rows whose
    titles begin alike add their number (II-3 gives ``-ii-3``), so a row keeps its id
    when other rows are added, removed or renumbered."""
    taken = {t.id for t in tasks if t.fixed_id}
    by_base: dict[str, list[ImportedTask]] = {}
    for t in tasks:
        if not t.fixed_id and t.title:
            by_base.setdefault(task_slug(t.title), []).append(t)
    for base, same in by_base.items():
        for t in same:
            t.id = base
            if len(same) > 1 or base in taken:
                number = slug(f"{t.numeral} {t.stt}") if t.stt else ""
                t.id = f"{base}-{number}" if number else base
    used = set(taken)
    for t in tasks:
        if t.fixed_id or not t.title:
            continue
        wanted, n = t.id, 1
        while t.id in used:
            n += 1
            t.id = f"{wanted}-{n}"
        used.add(t.id)


def _resolve_references(imported: Imported) -> None:
    """Turn "sau khi hoàn thành nhiệm vụ số 5" into the task of row 5, and check the
    prerequisites a dirtrack export carried."""
    tasks = imported.tasks
    ids = {t.id for t in tasks if t.title}
    recurring = {t.id for t in tasks if t.repeat and not t.repeat_from}
    for t in tasks:
        for dep, _ in t.depends_on:
            if dep not in ids:
                t.findings.append(Finding(t.address, "nội dung", f"depends on task '{dep}', "
                                          "which is not in the table; restore its row or "
                                          "delete the hidden dirtrack note"))
        if t.due_kind not in ("task", "deps"):
            continue
        refs = []
        for number in t.due_rows:
            rows = [x for x in tasks if x.stt == number and x.title]
            if len(rows) != 1:
                why = "no task is" if not rows else f"{len(rows)} tasks are"
                t.findings.append(Finding(t.address, "thời gian", f"{why} numbered {number} "
                                          f"('{t.due_text}'); number the rows through, or "
                                          "write a date"))
            elif rows[0].id in recurring:
                t.findings.append(Finding(t.address, "thời gian", f"counts from task "
                                          f"{number}, which is recurring with no periods; "
                                          "write a date"))
            else:
                refs.append(rows[0].id)
        if len(refs) != len(t.due_rows):
            t.due = t.due_text
            continue
        if t.due_kind == "task":
            t.due = f"{refs[0]} {t.due}"
        else:
            t.due = f"deps {t.due}"
            shares = dict(t.depends_on)
            t.depends_on = [(r, shares.get(r, 1.0)) for r in refs] + \
                [(d, s) for d, s in t.depends_on if d not in refs]
