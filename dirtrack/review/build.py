"""Build the quarterly review of a jurisdiction (or of one directive) from the database.

Every figure is read from one temporary table of the quarter's instances (see
``scope``); the previous quarter is read as far past its end as this one is, so the
two are compared alike. The on-time rate is done on time over done on time + done
late + open overdue.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from dirtrack.calendar import quarter_bounds
from dirtrack.errors import InvalidAction, NotFound
from dirtrack.review import lists, snapshot, targets
from dirtrack.review.model import Review, Section, Totals, UnitLine, league_order
from dirtrack.review.places import Place, by_locality, overdue_places
from dirtrack.review.reporting import reporting_rates
from dirtrack.review.scope import previous_counts, quarter_table
from dirtrack.spec.model import SECTORS
from dirtrack.spec.review_settings import Narrative, ReviewSettings, Signer
from dirtrack.status import CATEGORIES
from dirtrack.store.tables import (
    DirectiveRow,
    JurisdictionRow,
    ReviewNarrativeRow,
    ReviewSettingRow,
    TaskRow,
    UnitRow,
)

D, U, J = (DirectiveRow.__table__, UnitRow.__table__,  # type: ignore[attr-defined]
           JurisdictionRow.__table__)  # type: ignore[attr-defined]
RS, RN = ReviewSettingRow.__table__, ReviewNarrativeRow.__table__  # type: ignore[attr-defined]
T = TaskRow.__table__  # type: ignore[attr-defined]


def shift_quarter(quarter: str, by: int) -> str:
    """Return the quarter ``by`` quarters later (earlier when negative).

    >>> shift_quarter("2024-Q1", -1), shift_quarter("2024-Q4", 1)
    ('2023-Q4', '2025-Q1')
    """
    first, _ = quarter_bounds(quarter)
    index = first.year * 4 + (first.month - 1) // 3 + by
    return f"{index // 4}-Q{index % 4 + 1}"


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def previous_quarter_end(today: date) -> tuple[str, date]:
    """Return the quarter that ended most recently before ``today``, and its last day."""
    try:
        last = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - timedelta(days=1)
    except OverflowError:
        raise InvalidAction(f"no quarter ended before {today}; choose the quarter") from None
    return quarter_of(last), last


def _settings(conn: Connection, jurisdiction: str, name: str) -> ReviewSettings:
    """Return the jurisdiction's ``review.yaml`` as loaded, or a plain government head."""
    row = conn.execute(select(RS).where(RS.c.jurisdiction == jurisdiction)).first()
    if row is None:
        place = name.split(" ", 1)[1] if name.startswith("Tỉnh ") else name
        return ReviewSettings(issuer=name, place=place)
    order = tuple(s for s in row.sectors.split(",") if s)
    return ReviewSettings(
        issuer=row.issuer, superior=row.superior, kind=row.kind, number=row.number,
        place=row.place, subject=row.subject, recipients=tuple(json.loads(row.recipients)),
        signer=Signer(row.signer_authority, row.signer_title, row.signer_name),
        sectors=(*order, *(s for s in SECTORS if s not in order)), path=row.path)


def _narrative(conn: Connection, jurisdiction: str, quarter: str) -> Narrative | None:
    row = conn.execute(select(RN).where(RN.c.jurisdiction == jurisdiction,
                                        RN.c.quarter == quarter)).first()
    if row is None:
        return None
    return Narrative(quarter, opening=json.loads(row.opening), results=json.loads(row.results),
                     shortcomings=json.loads(row.shortcomings),
                     directions=json.loads(row.directions), path=row.path)


def _bounds(quarter: str, as_of: date) -> tuple[date, date, str, str, date, date, date]:
    try:
        first, last = quarter_bounds(quarter)
    except ValueError as exc:
        raise InvalidAction(str(exc)) from None
    try:
        prev_q, next_q = shift_quarter(quarter, -1), shift_quarter(quarter, 1)
        prev_last = quarter_bounds(prev_q)[1]
        next_first, next_last = quarter_bounds(next_q)
    except (ValueError, OverflowError):
        raise InvalidAction(f"the review compares {quarter} with the quarter before and "
                            "looks ahead to the one after; choose a quarter of a year "
                            "from 0002 to 9998") from None
    try:  # the previous quarter is read as far past its end as this one is
        prev_as_of = prev_last + (as_of - last)
    except OverflowError:
        prev_as_of = date.min
    return first, last, prev_q, next_q, next_first, next_last, prev_as_of


def locality_owner(conn: Connection, locality: str, jurisdiction: str | None = None,
                   choose: str = "--jurisdiction") -> tuple[str, list[str]]:
    """Return the jurisdiction whose units share ``locality``, and those units (the bodies
    of the place). NotFound in one line when no loaded unit has that locality (naming the
    localities loaded), when it is not ``jurisdiction``'s, or when, with no
    ``jurisdiction``, two provinces use the name (``choose`` says how to pick one)."""
    rows = conn.execute(select(U.c.jurisdiction, U.c.id).where(U.c.locality == locality)
                        .order_by(U.c.jurisdiction, U.c.id)).all()
    owners = sorted({r.jurisdiction for r in rows})
    if not owners:
        known = sorted(conn.execute(select(U.c.locality).distinct()
                                    .where(U.c.locality.is_not(None))).scalars())
        raise NotFound(f"no locality '{locality}' is loaded; localities: "
                       f"{', '.join(known) or 'none'} (a unit's 'locality:' in units.yaml)")
    if jurisdiction is not None and jurisdiction not in owners:
        raise NotFound(f"locality '{locality}' belongs to {', '.join(owners)}, not "
                       f"{jurisdiction}")
    if jurisdiction is None and len(owners) > 1:
        raise NotFound(f"locality '{locality}' is in {', '.join(owners)}; choose one with "
                       f"{choose}")
    owner = jurisdiction or owners[0]
    return owner, [r.id for r in rows if r.jurisdiction == owner]


def _locality_units(conn: Connection, jurisdiction: str, locality: str) -> list[str]:
    """Return the units of ``locality`` in the jurisdiction; NotFound names the known ones."""
    units = list(conn.execute(select(U.c.id).where(U.c.jurisdiction == jurisdiction,
                                                   U.c.locality == locality)
                              .order_by(U.c.id)).scalars())
    if not units:
        known = ", ".join(conn.execute(
            select(U.c.locality).distinct().where(U.c.jurisdiction == jurisdiction,
                                                  U.c.locality.is_not(None))
            .order_by(U.c.locality)).scalars())
        raise NotFound(f"no locality '{locality}' in {jurisdiction}; its localities: "
                       f"{known or 'none (give units a locality: in units.yaml)'}")
    return units


@dataclass
class Question:
    """What a review is asked about, as read before building it: the jurisdiction, its
    directives issued by the review's date, the units, the review settings and the
    quarter's narrative. ``context`` is what a kept review (or a page made of one) must
    read the same to stand (see ``snapshot``)."""

    jur: Any
    rows: dict[str, Any]
    directives: dict[str, Any]
    names: dict[str, str]
    settings: ReviewSettings
    narrative: Narrative | None
    context: list[Any]
    leads: list[str] | None
    places: dict[str, Place]


def question(conn: Connection, jurisdiction: str, quarter: str, as_of: date,
             directive: str | None, locality: str | None = None) -> Question:
    """Read what the review of ``quarter`` (of a directive, or of all; of one locality's
    bodies with ``locality``) as of ``as_of`` is about; NotFound for a jurisdiction,
    directive or locality that is not there."""
    jur = conn.execute(select(J).where(J.c.id == jurisdiction)).first()
    if jur is None:
        known = ", ".join(conn.execute(select(J.c.id).order_by(J.c.id)).scalars())
        raise NotFound(f"no jurisdiction '{jurisdiction}'; loaded: {known or 'none'}")
    leads = _locality_units(conn, jurisdiction, locality) if locality else None
    rows = {r.id: r for r in conn.execute(
        select(D).where(D.c.jurisdiction == jurisdiction, D.c.issued_on <= as_of)
        .order_by(D.c.issued_on, D.c.id))}
    if directive is not None and directive not in rows:
        known = ", ".join(rows) or "none"
        raise NotFound(f"no directive '{directive}' of {jurisdiction} issued by {as_of}; "
                       f"its directives: {known}")
    directives = {directive: rows[directive]} if directive else rows
    names = dict(conn.execute(select(U.c.id, U.c.name)).tuples().all())
    places = {r.id: Place(r.level, r.locality, r.kind) for r in conn.execute(
        select(U.c.id, U.c.level, U.c.locality, U.c.kind)
        .where(U.c.jurisdiction == jurisdiction))}
    registry = conn.execute(select(U.c.id, U.c.level, U.c.parent_id, U.c.ended_on,
                                U.c.successor_id, U.c.established_on, U.c.locality,
                                U.c.kind)
                         .order_by(U.c.id)).tuples().all()
    settings = _settings(conn, jurisdiction, jur.name)
    # The secretariat's paragraphs speak of the whole province, not of one commune
    narrative = None if leads else _narrative(conn, jurisdiction, quarter)
    context = [tuple(jur), [tuple(r) for r in rows.values()], names,
               [list(u) for u in registry], repr(settings), repr(narrative)]
    return Question(jur, rows, directives, names, settings, narrative, context, leads,
                    places)


def build_review(engine: Engine, jurisdiction: str, quarter: str, as_of: date,
                 directive: str | None = None, *, fresh: bool = False,
                 locality: str | None = None) -> Review:
    """Return the review of ``quarter`` for a jurisdiction, or of one of its directives,
    read as of ``as_of``: the one built before for the same question while nothing it
    read has changed (see ``snapshot``), else built now (always, with ``fresh``).

    With ``locality``, the review covers the work its bodies led in the quarter (a
    commune's Party committee, People's Committee and Front committee together), built
    each time it is asked for."""
    first, last, prev_q, next_q, next_first, next_last, prev_as_of = _bounds(quarter, as_of)
    with engine.connect() as conn:
        asked = question(conn, jurisdiction, quarter, as_of, directive, locality)
        then = snapshot.marks(conn, asked.context)
        kept = None if fresh or asked.leads else snapshot.stored(
            conn, jurisdiction, quarter, as_of, directive, then)
    if kept is not None:
        return kept
    jur, rows, directives, names = asked.jur, asked.rows, asked.directives, asked.names
    settings, narrative = asked.settings, asked.narrative
    leads, places = asked.leads, asked.places
    sections: dict[str | None, Section] = {None: Section(
        None, jur.name if directive is None else f"{rows[directive].number}: "
        f"{rows[directive].title}", Totals(), Totals(), {}, [])}
    for d, r in directives.items():
        sections[d] = Section(d, f"{r.number}: {r.title}", Totals(), Totals(), {}, [],
                              kind=r.kind, number=r.number, name=r.title,
                              issued_on=r.issued_on, issued_by=names.get(r.issued_by, ""))
    ids = list(directives)
    with engine.connect() as conn:
        table = quarter_table(conn, ids, first, last, as_of, next_first, next_last, leads)
        Q = table
        counts = conn.execute(
            select(T.c.directive_id, T.c.sector, Q.c.quarter_lead, Q.c.category, func.count(),
                   func.sum(Q.c.charged_days), func.sum(Q.c.carried_days))
            .select_from(Q.join(T, T.c.pk == Q.c.task_pk))
            .where(Q.c.category.is_not(None))
            .group_by(T.c.directive_id, T.c.sector, Q.c.quarter_lead, Q.c.category)).all()
        carried_from = conn.execute(
            select(T.c.directive_id, Q.c.quarter_lead, Q.c.carried_from).distinct()
            .select_from(Q.join(T, T.c.pk == Q.c.task_pk))
            .where(Q.c.category.is_not(None), Q.c.carried_days > 0)).all()
        previous = previous_counts(conn, ids, *quarter_bounds(prev_q), prev_as_of, leads)
        plans, groups, single = lists.by_task(conn, table, names, lists.thresholds(conn, ids),
                                              (first, last, next_first, next_last))
        lists.add_evidence(conn, table, as_of, first, groups["deliverable"][None], single)
        overdue = lists.overdue(conn, table, as_of, names)
        awaiting = lists.awaiting(conn, table, as_of, names)
        extended, cancelled = lists.changes(conn, ids, first, last, as_of, names, leads)
        indicators = targets.indicator_lines(conn, table, as_of, names)
        difficulties, requests = targets.notes(conn, table, first, as_of, names)
        answers = targets.answered(conn, table, first, as_of, names)
        rates = reporting_rates(conn, table, first, last, as_of, names)
        table.drop(conn)
    # Summed as plain lists first: a national league table is a few hundred thousand rows.
    column = {c: n for n, c in enumerate(CATEGORIES)}
    by_sector: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0] * 5)
    units: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0] * 7)
    for directive_id, sector, lead, category, count, days, carried in counts:
        at = column[category]
        for key in (None, directive_id):
            by_sector[(key, sector)][at] += count
            line = units[(key, lead)]
            line[at] += count
            line[5] += int(days or 0)
            line[6] += int(carried or 0)
    predecessors: dict[tuple[str | None, str], set[str]] = defaultdict(set)
    for directive_id, lead, before in carried_from:
        for key in (None, directive_id):
            predecessors[(key, lead)].add(before)
    for (key, sector), sums in by_sector.items():
        sec = sections[key]
        sec.by_sector[sector] = Totals(*sums)
        for category, n in zip(CATEGORIES, sums, strict=True):
            sec.totals.add(category, n)
    for (key, lead), sums in units.items():
        before = sorted(names.get(u, u) for u in predecessors.get((key, lead), ()))
        sections[key].by_unit.append(UnitLine(lead, names.get(lead, ""), Totals(*sums[:5]),
                                              sums[5], sums[6], before))
    for directive_id, category, count in previous:
        for key in (None, directive_id):
            sections[key].previous.add(category, count)
    for key, sec in sections.items():
        sec.by_unit.sort(key=league_order)
        sec.by_sector = {s: sec.by_sector[s] for s in settings.sectors if s in sec.by_sector}
        sec.by_locality = by_locality(sec.by_unit, places, names)
        sec.overdue_places = overdue_places(sec.by_unit, places)
        sec.overdue = overdue.get(key, [])
        sec.overdue_total = sec.totals.open_overdue
        sec.deliverables = groups["deliverable"].get(key, [])
        sec.carried_over = groups["carried"].get(key, [])
        sec.next_quarter = groups["next"].get(key, [])
        sec.plan_tasks = plans.get(key, [])
        sec.awaiting = awaiting.get(key, [])
        sec.extensions = extended.get(key, [])
        sec.cancellations = cancelled.get(key, [])
        sec.indicators = indicators.get(key, [])
        sec.difficulties = difficulties.get(key, [])
        sec.requests = requests.get(key, [])
        sec.answered = answers.get(key, [])
        sec.reporting = rates.get(key)
    paths = [r.path for r in rows.values() if r.path]
    folder = paths[0].rsplit("/", 1)[0] if paths and "/" in paths[0] else ""
    review = Review(jurisdiction, jur.name, jur.language, quarter, prev_q, next_q, as_of, first,
                    last, sections[None], [sections[d] for d in directives], settings,
                    narrative, directive, folder, locality,
                    names.get(next((u for u in leads or () if places[u].kind == "government"),
                                   ""), ""), [names.get(u, u) for u in leads or ()])
    if not leads:
        snapshot.store(engine, review, then)
    return review
