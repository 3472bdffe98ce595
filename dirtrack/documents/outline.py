"""A review laid out as its document: head, title, three parts of headings, paragraphs and
tables, recipients and signature. Markdown, HTML and Word are each drawn from this one
outline, so the three read alike; only the words come from the review's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dirtrack.documents.targets import add_answers, add_targets
from dirtrack.documents.words import (
    LABELS,
    LEVELS,
    dated_at,
    directive_name,
    language_of,
    number,
    percent,
    quarter_name,
    quarter_pair,
    share,
    short_date,
)
from dirtrack.review.model import Review, Section, Totals, UnitLine
from dirtrack.review.reporting import Rate, Reporting
from dirtrack.status import CATEGORIES
from dirtrack.templating import step_label

UNITS_SHOWN = 20  # units listed by reporting rate in the document; the JSON has them all


@dataclass
class Row:
    cells: list[str]
    group: bool = False  # one cell spanning the table: the heading of the rows below it
    strong: bool = False  # a total


@dataclass
class Table:
    header: list[str]
    rows: list[Row]
    numeric: tuple[int, ...] = ()  # columns aligned right
    widths: tuple[int, ...] = ()  # column widths in millimetres on an A4 page
    caption: str = ""


@dataclass
class Block:
    kind: str  # heading | para | item | subhead | placeholder | table | chart
    text: str = ""
    table: Table | None = None


@dataclass
class Part:
    numeral: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def heading(self, title: str) -> None:
        n = sum(1 for b in self.blocks if b.kind == "heading") + 1
        self.blocks.append(Block("heading", f"{n}. {title}"))

    def para(self, text: str) -> None:
        self.blocks.append(Block("para", text))

    def table(self, table: Table) -> None:
        self.blocks.append(Block("table", table=table))


@dataclass
class Head:
    superior: str
    issuer: str
    party: bool
    number: str
    right: list[str]  # the emblem line or the national motto, one or two lines
    dated: str


@dataclass
class Document:
    language: str
    head: Head
    kind: str  # BÁO CÁO
    subtitle: list[str]  # the subject, on one or two lines
    notes: list[str]  # lines under the title: the directive's title, a mid-quarter warning
    opening: list[Block]
    parts: list[Part]
    closing: str
    recipients_label: str  # Nơi nhận:
    recipients: list[str]
    signer: tuple[str, str, str]  # authority, title, name
    title: str  # the whole title on one line, for a page's <title> and file listings


def _title_lines(subtitle: str, quarter: str) -> list[str]:
    """Split a subject as a title is set: before "và phương hướng", or, when the first
    line would run past one line of the page, before the quarter.

    >>> _title_lines("kết quả công tác dân vận quý II và phương hướng, nhiệm vụ quý III", "quý II")
    ['kết quả công tác dân vận quý II', 'và phương hướng, nhiệm vụ quý III']
    >>> _title_lines("kết quả thực hiện dân chủ ở cơ sở và phong trào thi đua “Dân vận khéo” "
    ...              "quý II và phương hướng, nhiệm vụ quý III", "quý II")[1]
    'quý II và phương hướng, nhiệm vụ quý III'
    """
    head, sep, tail = subtitle.partition(" và phương hướng")
    if not sep:
        return [subtitle]
    if len(head) > 60 and head.endswith(" " + quarter):
        return [head[:-len(quarter) - 1], f"{quarter}{sep}{tail}"]
    return [head, sep.strip() + tail]


def narrative_blocks(paragraphs: list[str]) -> list[Block]:
    """Return the secretariat's paragraphs as blocks: items, headings within a part."""
    out = []
    for text in paragraphs:
        if text.startswith("- "):
            out.append(Block("item", text[2:]))
        elif text.startswith("### "):
            out.append(Block("subhead", text[4:]))
        else:
            out.append(Block("para", text))
    return out


class _Outline:
    """Builds the document of one review in its language."""

    def __init__(self, review: Review) -> None:
        self.r = review
        self.lang = language_of(review.language)
        self.L = LABELS[self.lang]
        self.levels = LEVELS[self.lang]
        self.q = quarter_name(review.quarter, self.lang)
        self.nq = quarter_name(review.next_quarter, self.lang)
        self.pq = quarter_name(review.previous_quarter, self.lang)
        self.as_of = short_date(review.as_of)

    def n(self, value: int) -> str:
        return number(value, self.lang)

    def pct(self, rate: float | None) -> str:
        return percent(rate, self.lang)

    def units(self, count: int, level: str | None) -> str:
        return self.L["units_of"].format(n=self.n(count), level=self.levels.get(level or "",
                                                                                   level))

    def lead(self, item: Any) -> str:
        if item.lead is None:
            return self.units(item.instances, item.level)
        return item.lead_name or self.L["unnamed"]

    def directive_names(self) -> list[str]:
        return [directive_name(s.kind, s.number, s.issued_on, s.name, self.lang)
                + (f" của {s.issued_by}" if self.lang == "vi" and s.issued_by else "")
                for s in self.r.directives if s.issued_on is not None]

    # The document

    def document(self) -> Document:
        r, L = self.r, self.L
        s = r.settings
        party = s.kind == "party"
        right = [L["party_line"]] if party else [L["motto_1"], L["motto_2"]]
        numbered = L["number_party" if party else "number_government"].format(n=s.numbered())
        head = Head(s.superior.upper(), s.issuer.upper(), party, numbered, right,
                    dated_at(s.place, r.as_of, self.lang))
        q, nq = quarter_pair(r.quarter, r.next_quarter, self.lang)
        notes = []
        if r.directive is not None:
            one = r.directives[0]
            assert one.issued_on is not None  # a directive's own section
            subtitle = L["subtitle_directive"].format(
                directive=directive_name(one.kind, one.number, one.issued_on, one.name,
                                         self.lang).split(" về ")[0], q=q, nq=nq)
            notes.append(f"({one.name})")
        else:
            subtitle = L["subtitle"].format(subject=s.subject or L["subject"], q=q, nq=nq)
        if r.locality is not None:
            notes.append(L["locality_note"].format(place=r.locality_name or r.locality,
                                                   bodies="; ".join(r.locality_bodies)))
        if r.mid_quarter:
            notes.append(L["mid_quarter"].format(d=self.as_of))
        narrative = r.narrative
        opening = (narrative_blocks(narrative.opening) if narrative and narrative.opening
                   else [Block("para", L["opening"].format(
                       directives="; ".join(self.directive_names()) or r.jurisdiction_name,
                       q=q, nq=nq))])
        parts = [self.results(), self.shortcomings(), self.directions()]
        signer = (s.signer.authority.upper(), (s.signer.title or L["signer_title"]).upper(),
                  s.signer.name or L["signer_name"])
        return Document(self.lang, head, L["kind"], _title_lines(subtitle, q), notes, opening,
                        parts,
                        L["closing"].format(q=q, nq=nq), L["recipients"],
                        list(s.recipients) or [L["archive"]], signer,
                        f"{L['kind'].capitalize()} {subtitle}")

    def _narrative(self, part: Part, name: str, index: int) -> None:
        paragraphs = self.r.narrative.part(name) if self.r.narrative else []
        if paragraphs:
            part.blocks += narrative_blocks(paragraphs)
            return
        folder = self.r.folder or f"directives/{self.r.jurisdiction}"
        part.blocks.append(Block("placeholder", self.L["write_here"].format(
            path=f"{folder}/reviews/{self.r.quarter}.md", heading=self.L[f"heading_{index}"])))

    # I. Results

    def results(self) -> Part:
        L, o = self.L, self.r.overall
        part = Part("I", L["part_1"].format(q=self.q.upper()))
        self._narrative(part, "results", 1)
        part.heading(L["overview"])
        plan = o.plan_totals
        for line in self.headline(o):
            part.para(line)
        part.table(self.overview_table(o, plan))
        part.blocks.append(Block("chart", "overview"))
        part.heading(L["sectors"])
        part.table(self.sector_table(o))
        part.blocks.append(Block("chart", "sectors"))
        part.heading(L["plan"])
        part.table(self.plan_table(o))
        part.heading(L["units"])
        part.table(self.unit_table(o))
        if o.reporting is not None:
            self.reporting(part, o.reporting)
        part.heading(L["deliverables"])
        self.listing(part, self.deliverable_table(o), len(o.deliverables))
        part.heading(L["awaiting_title"])
        self.listing(part, self.awaiting_table(o), len(o.awaiting))
        part.heading(L["changes"])
        self.listing(part, self.change_table(o), len(o.extensions) + len(o.cancellations))
        if o.indicators:
            add_targets(self, part, o.indicators)
        if len(self.r.directives) > 1:
            part.heading(L["directives"])
            part.table(self.directive_table())
        return part

    def headline(self, o: Section) -> list[str]:
        """Return the overview's four sentences: counts, plan tasks, rate, verification."""
        L, plan = self.L, o.plan_totals
        counts = {c: self.n(v) for c, v in o.totals.counts().items()}
        previous = self.pct(o.previous.on_time_rate) if o.has_previous else L["previous_none"]
        return [L["headline"].format(q=self.q, plan=self.n(len(o.plan_tasks)),
                                     assigned=self.n(o.totals.total), d=self.as_of, **counts),
                L["headline_plan"].format(**{c: self.n(v) for c, v in plan.counts().items()}),
                L["headline_rate"].format(r=self.pct(o.totals.on_time_rate), pq=self.pq,
                                          p=previous),
                L["headline_awaiting"].format(n=self.n(o.awaiting_total),
                                              awaiting=L["awaiting"])
                if o.awaiting_total else L["headline_awaiting_none"]]

    def listing(self, part: Part, table: Table, count: int) -> None:
        if count:
            part.table(table)
        else:
            part.para(self.L["none"])

    def overview_table(self, o: Section, plan: Totals) -> Table:
        L = self.L
        rows = [Row([L[c], self.n(plan.counts()[c]), self.n(o.totals.counts()[c]),
                     self.n(o.previous.counts()[c]) if o.has_previous else L["previous_none"]])
                for c in CATEGORIES]
        rows.append(Row([L["total"], self.n(plan.total), self.n(o.totals.total),
                         self.n(o.previous.total) if o.has_previous else L["previous_none"]],
                        strong=True))
        rows.append(Row([L["rate"], self.pct(plan.on_time_rate), self.pct(o.totals.on_time_rate),
                         self.pct(o.previous.on_time_rate) if o.has_previous
                         else L["previous_none"]], strong=True))
        return Table([L["group"], L["plan_tasks"], L["assigned"],
                      L["previous_col"].format(pq=self.pq[:1].upper() + self.pq[1:])], rows,
                     (1, 2, 3), (60, 35, 35, 35),
                     L["table_overview"])

    def _category_cells(self, t: Totals) -> list[str]:
        return [self.n(t.total), *(self.n(v) for v in t.counts().values()),
                self.pct(t.on_time_rate)]

    def _category_header(self) -> list[str]:
        return [self.L["total"], *(self.L[c] for c in CATEGORIES), self.L["rate"]]

    def sector_table(self, o: Section) -> Table:
        rows = [Row([self.L.get(s, s), *self._category_cells(t)]) for s, t in o.by_sector.items()]
        rows.append(Row([self.L["total"], *self._category_cells(o.totals)], strong=True))
        return Table([self.L["sector"], *self._category_header()], rows,
                     tuple(range(1, 8)), (40, 15, 19, 19, 19, 19, 14, 20))

    def plan_result(self, p: Any) -> str:
        L, c = self.L, p.counts
        if p.level is None:
            if c.cancelled == c.total:
                return L["single_cancelled"]
            return L["single_done"] if c.done else L["single_open"]
        counted = c.total - c.cancelled
        level = self.levels.get(p.level, p.level)
        text = L["fanout_result"].format(done=self.n(c.done), n=self.n(counted), level=level,
                                         share=self.pct(c.done / counted if counted else None))
        if c.done:
            text += L["fanout_split"].format(dot=self.n(c.done_on_time))
            if c.done_late:
                text += L["fanout_late"].format(late=self.n(c.done_late))
        if counted - c.done:
            text += L["fanout_open"].format(n=self.n(counted - c.done), level=level)
        return text

    def plan_assessment(self, p: Any) -> str:
        text = self.L[p.status]
        if p.level is not None and p.threshold < 1:
            text += f" ({self.L['threshold'].format(t=share(p.threshold, self.lang))})"
        if p.awaiting:
            text += "; " + (self.L["awaiting_note"].format(n=self.n(p.awaiting)) if p.level
                            else self.L["awaiting_one"])
        return text

    def due(self, first: Any, last: Any) -> str:
        return short_date(first) if first == last else f"{short_date(first)} – {short_date(last)}"

    def plan_table(self, o: Section) -> Table:
        L, rows, n = self.L, [], 0
        grouped = len(self.r.directives) > 1
        for sec in self.r.directives:
            tasks = [p for p in o.plan_tasks if p.directive == sec.directive]
            if grouped and tasks:
                rows.append(Row([f"{sec.number}: {sec.name}"], group=True))
            for p in tasks:
                n += 1
                rows.append(Row([str(n), p.title, self.lead(p), self.due(p.due_first, p.due_last),
                                 self.plan_result(p), self.plan_assessment(p)]))
        return Table([L["rank"], L["task"], L["lead"], L["due"], L["result"], L["assessment"]],
                     rows, (0,), (9, 52, 30, 23, 28, 23))

    def unit_table(self, o: Section) -> Table:
        L = self.L
        rows = [Row([str(i), self.unit_name(u), *self._category_cells(u.totals)[:-1],
                     self.n(u.overdue_days), self.pct(u.totals.on_time_rate)])
                for i, u in enumerate(o.by_unit, 1)]
        return Table([L["rank"], L["unit"], *self._category_header()[:-1], L["overdue_days"],
                      L["rate"]], rows, (0, *range(2, 10)),
                     (9, 40, 13, 16, 16, 16, 16, 11, 14, 14))

    def unit_name(self, u: UnitLine) -> str:
        """Return a league line's unit, with the days overdue it took over from the units it
        succeeded shown apart: they are not charged to it (see docs/review.md)."""
        if not u.carried_days:
            return u.name
        return self.L["carried_from"].format(unit=u.name, units=", ".join(u.carried_from),
                                             days=self.n(u.carried_days))

    def reporting(self, part: Part, rep: Reporting) -> None:
        """The reporting rates of repeating tasks: in words, per task, level and unit."""
        L, t = self.L, rep.total
        part.heading(L["reporting"])
        part.para(L["reporting_para"].format(
            q=self.q, d=self.as_of, expected=self.n(t.expected), received=self.n(t.received),
            on_time=self.n(t.on_time), r=self.pct(t.rate), ro=self.pct(t.on_time_rate)))
        part.table(self.rate_table(
            [L["rank"], L["task"]], [[f"{r.name} ({L.get(r.repeat, r.repeat)})"]
                                     for r in rep.by_task], rep.by_task, 60))
        part.table(self.rate_table(
            [L["rank"], L["level"]], [[L.get(f"level_{r.key}", r.key)] for r in rep.by_level],
            rep.by_level, 60))
        worst = rep.by_unit[:UNITS_SHOWN]
        part.blocks.append(Block("subhead", L["reporting_units"]))
        part.table(self.rate_table([L["rank"], L["unit"]], [[r.name] for r in worst], worst,
                                   60))
        if len(rep.by_unit) > UNITS_SHOWN:
            part.para(L["more_units"].format(n=self.n(len(rep.by_unit) - UNITS_SHOWN)))

    def rate_table(self, head: list[str], names: list[list[str]], rates: list[Rate],
                   width: int) -> Table:
        L = self.L
        rows = [Row([str(i), *name, self.n(r.expected), self.n(r.received), self.n(r.on_time),
                     self.pct(r.rate), self.pct(r.on_time_rate)])
                for i, (name, r) in enumerate(zip(names, rates, strict=True), 1)]
        return Table([*head, L["expected"], L["received"], L["received_on_time"],
                      L["reporting_rate"], L["on_time_reporting_rate"]], rows,
                     (0, 2, 3, 4, 5, 6), (9, width, 20, 20, 20, 24, 24))

    def deliverable_table(self, o: Section) -> Table:
        L = self.L
        rows = [Row([str(i), g.title, g.deliverable, self.lead(g), g.evidence])
                for i, g in enumerate(o.deliverables, 1)]
        return Table([L["rank"], L["task"], L["deliverable"], L["lead"], L["evidence"]], rows,
                     (0,), (9, 50, 40, 33, 33))

    def awaiting_table(self, o: Section) -> Table:
        L = self.L
        rows = [Row([str(i), g.title, self.lead(g), self.n(g.instances),
                     self.due(g.completed_first, g.completed_last),
                     L["prerequisite_open"].format(n=self.n(g.prerequisite_open))
                     if g.prerequisite_open else ""])
                for i, g in enumerate(o.awaiting, 1)]
        return Table([L["rank"], L["task"], L["lead"], L["count"], L["reported_on"],
                      L["note"]], rows, (0, 3), (9, 55, 33, 14, 24, 30))

    def change_table(self, o: Section) -> Table:
        L = self.L
        changes = sorted([*o.extensions, *o.cancellations], key=lambda c: (c.date, c.task))
        rows = [Row([str(i), c.title, self.lead(c),
                     c.decision or (L["by_revision"] if c.by_revision else ""),
                     short_date(c.old_due),
                     short_date(c.new_due) if c.new_due else L["cancel"], short_date(c.date)])
                for i, c in enumerate(changes, 1)]
        return Table([L["rank"], L["task"], L["lead"], L["decision"], L["old_due"],
                      L["new_due"], L["on"]], rows, (0,), (9, 38, 26, 23, 23, 23, 23))

    def directive_table(self) -> Table:
        rows = [Row([s.title, *self._category_cells(s.totals)]) for s in self.r.directives]
        return Table([self.L["directive_col"], *self._category_header()], rows,
                     tuple(range(1, 8)), (40, 15, 19, 19, 19, 19, 14, 20))

    # II. Shortcomings

    def shortcomings(self) -> Part:
        L, o = self.L, self.r.overall
        part = Part("II", L["part_2"])
        self._narrative(part, "shortcomings", 2)
        part.heading(L["overdue"])
        if o.overdue_total:
            blocked = sum(1 for line in o.overdue if line.blocked)
            part.para(L["overdue_sentence"].format(
                d=self.as_of, n=self.n(o.overdue_total),
                blocked=L["overdue_blocked"].format(n=self.n(blocked)) if blocked else ""))
            part.table(self.overdue_table(o))
            if o.overdue_total > len(o.overdue):
                part.para(L["more"].format(n=self.n(o.overdue_total - len(o.overdue))))
        else:
            part.para(L["overdue_none"].format(d=self.as_of))
        behind = sorted((u for u in o.by_unit if u.totals.open_overdue),
                        key=lambda u: (-u.totals.open_overdue, -u.overdue_days, u.name))
        part.heading(L["behind"])
        if behind:
            shown = [L["behind_line"].format(unit=u.name, n=self.n(u.totals.open_overdue),
                                             days=self.n(u.overdue_days)) for u in behind[:10]]
            if len(behind) > 10:
                shown.append(L["behind_more"].format(n=self.n(len(behind) - 10)))
            part.para("; ".join(shown) + ".")
            places = [L[f"place_{level}"].format(n=self.n(n))
                      for level, n in sorted(o.overdue_places.items(),
                                             key=lambda item: item[0] != "district")]
            if places:
                part.para(L["places_behind"].format(places=", ".join(places)))
        else:
            part.para(L["none"])
        if o.difficulties or o.requests or o.answered:
            add_answers(self, part, o)
        return part

    def cause(self, line: Any) -> str:
        c = line.root_cause
        if not c:
            return ""
        late = (self.L["blocked_late"].format(d=self.n(c["days_overdue"])) if c["days_overdue"]
                else self.L["blocked_due"].format(d=short_date(date.fromisoformat(c["due_on"]))))
        return self.L["blocked_by"].format(title=c["title"], unit=c["unit_name"], late=late)

    def overdue_table(self, o: Section) -> Table:
        L = self.L
        rows = [Row([str(i), line.title, line.lead_name, short_date(line.due_on),
                     self.n(line.days_overdue),
                     step_label(line.escalation_step, self.lang) if line.escalation_step else "",
                     self.cause(line)])
                for i, line in enumerate(o.overdue, 1)]
        return Table([L["rank"], L["task"], L["lead"], L["due"], L["overdue_days"], L["step"],
                      L["cause"]], rows, (0, 4), (9, 40, 27, 23, 15, 22, 29))

    # III. Directions

    def directions(self) -> Part:
        L, o = self.L, self.r.overall
        part = Part("III", L["part_3"].format(nq=self.nq.upper()))
        self._narrative(part, "directions", 3)
        part.heading(L["carried"].format(nq=self.nq))
        rows = [Row([str(i), g.title, self.lead(g), short_date(g.due_on),
                     L["carried_note"].format(n=self.n(g.overdue)) if g.overdue else ""])
                for i, g in enumerate(o.carried_over, 1)]
        self.listing(part, Table([L["rank"], L["task"], L["lead"], L["due"], L["note"]], rows,
                                 (0,), (9, 75, 35, 23, 23)), len(rows))
        part.heading(L["next"].format(nq=self.nq))
        rows = [Row([str(i), g.title, self.lead(g), short_date(g.due_on)])
                for i, g in enumerate(o.next_quarter, 1)]
        self.listing(part, Table([L["rank"], L["task"], L["lead"], L["due"]], rows, (0,),
                                 (9, 95, 38, 23)), len(rows))
        return part


def outline(review: Review) -> Document:
    """Return the document of ``review``."""
    return _Outline(review).document()


@dataclass
class Summary:
    """The figures of a review's part I as its document words them, for a page that shows
    them beside other things (the dashboard): the same cells as the document's tables."""

    quarter: str  # "quý II năm 2024"
    headline: list[str]
    overview: Table
    plan: Table
    awaiting: Table
    awaiting_count: int
    changes: Table
    changes_count: int


def summary(review: Review) -> Summary:
    """Return the headline and the overview, plan-task, verification and change tables of
    ``review``, built by the same code as its document."""
    document = _Outline(review)
    o = review.overall
    return Summary(document.q, document.headline(o), document.overview_table(o, o.plan_totals),
                   document.plan_table(o), document.awaiting_table(o), len(o.awaiting),
                   document.change_table(o), len(o.extensions) + len(o.cancellations))
