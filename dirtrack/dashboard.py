"""The steering dashboard as of a date: categories, overdue work, league table, verification."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, select

from dirtrack.review import Totals, UnitLine, league_order, targets
from dirtrack.review.targets import IndicatorLine, Note
from dirtrack.store.queries import Filters, TaskStatus, category_of, current, list_tasks, overdue
from dirtrack.store.tables import DirectiveRow, InstanceRow, OutboxRow, StateRow, UnitRow

I, S, D = InstanceRow.__table__, StateRow.__table__, DirectiveRow.__table__  # type: ignore[attr-defined]
O, U = OutboxRow.__table__, UnitRow.__table__  # type: ignore[attr-defined]
LIST_LIMIT = 100


@dataclass
class OverdueItem:
    task: TaskStatus
    escalation_step: str | None
    root_cause: str | None  # a blocking overdue task led by another unit
    root_cause_unit: str | None

    def as_json(self) -> dict[str, Any]:
        return {**self.task.as_json(), "escalation_step": self.escalation_step,
                "root_cause": self.root_cause, "root_cause_unit": self.root_cause_unit}


@dataclass
class Dashboard:
    as_of: date
    directive: str | None
    totals: Totals
    by_directive: list[tuple[str, str, Totals]]
    overdue: list[OverdueItem] = field(default_factory=list)
    overdue_total: int = 0
    league: list[UnitLine] = field(default_factory=list)
    awaiting: list[TaskStatus] = field(default_factory=list)
    indicators: list[IndicatorLine] = field(default_factory=list)
    difficulties: list[Note] = field(default_factory=list)  # recorded in the last 92 days
    requests: list[Note] = field(default_factory=list)  # extension requests not answered

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(), "directive": self.directive,
            "totals": self.totals.as_json(),
            "by_directive": [{"directive": d, "title": t, **c.as_json()}
                             for d, t, c in self.by_directive],
            "overdue": [o.as_json() for o in self.overdue], "overdue_total": self.overdue_total,
            "league": [u.as_json() for u in self.league],
            "awaiting_verification": [t.as_json() for t in self.awaiting],
            "indicators": [i.as_json() for i in self.indicators],
            "difficulties": [d.as_json() for d in self.difficulties],
            "extension_requests": [r.as_json() for r in self.requests],
        }


def build_dashboard(engine: Engine, as_of: date, directive: str | None = None) -> Dashboard:
    """Return the dashboard as of ``as_of``, for one directive or all of them: the one
    kept in the database while nothing it read has changed (see ``pages_kept``; the
    daily deadline check builds the day's), else built now and kept.

    Its counts read every instance: a national dashboard, a million of them, takes
    seconds to build, and is read back at once while it stands.
    """
    from dirtrack.pages_kept import dashboard

    return dashboard(engine, as_of, directive)  # type: ignore[no-any-return]


def _build(engine: Engine, as_of: date, directive: str | None) -> Dashboard:
    cat = category_of(S, as_of).label("category")
    scope = [current(S, as_of)] + ([I.c.directive_id == directive] if directive else [])
    base = S.join(I, I.c.pk == S.c.instance_pk)
    with engine.connect() as conn:
        per_directive = conn.execute(
            select(I.c.directive_id, cat, func.count()).select_from(base).where(*scope)
            .group_by(I.c.directive_id, cat)).all()
        titles = {r.id: f"{r.number}: {r.title}" for r in conn.execute(select(D))}
        per_unit = conn.execute(
            select(S.c.lead_id, cat, func.count()).select_from(base).where(*scope)
            .group_by(S.c.lead_id, cat)).all()
        names = dict(conn.execute(select(U.c.id, U.c.name)).tuples().all())
        now = (select(S.c.instance_pk, I.c.task_pk, S.c.lead_id, S.c.due_on, cat)
               .select_from(base).where(*scope).subquery())
        indicators = targets.indicator_lines(conn, now, as_of, names).get(directive, [])
        since = as_of - timedelta(days=92) if as_of > date.min + timedelta(days=92) \
            else date.min
        difficulties, requests = targets.notes(conn, now, since, as_of, names)
    totals, directives = Totals(), dict[str, Totals]()
    for d, category, n in per_directive:
        totals.add(category, n)
        directives.setdefault(d, Totals()).add(category, n)
    units: dict[str, Totals] = {}
    for lead, category, n in per_unit:
        units.setdefault(lead, Totals()).add(category, n)
    league = sorted((UnitLine(u, names.get(u, u), t) for u, t in units.items()),
                    key=league_order)
    # The first LIST_LIMIT only: the count of them all is the category's.
    late = overdue(engine, as_of, Filters(directive=directive), LIST_LIMIT)
    items = _with_steps(engine, as_of, late)
    awaiting = list_tasks(engine, as_of, Filters(directive=directive, awaiting=True),
                          LIST_LIMIT)
    return Dashboard(as_of, directive, totals,
                     [(d, titles.get(d, d), t) for d, t in sorted(directives.items())],
                     items, totals.open_overdue, league, awaiting, indicators,
                     difficulties.get(directive, [])[-LIST_LIMIT:][::-1],
                     requests.get(directive, []))


def _with_steps(engine: Engine, as_of: date, tasks: list[TaskStatus]) -> list[OverdueItem]:
    if not tasks:
        return []
    keys = [t.id for t in tasks]
    with engine.connect() as conn:
        steps: dict[str, tuple[int, str]] = {}
        for key, days, step in conn.execute(
            select(I.c.key, O.c.days, O.c.step).select_from(O.join(I, I.c.pk == O.c.instance_pk))
            .where(I.c.key.in_(keys), O.c.fired_on <= as_of, O.c.status != "cancelled",
                   O.c.step != "root-cause")):
            if key not in steps or days > steps[key][0]:
                steps[key] = (days, step)
        blockers = {t for task in tasks for t in task.blocked_by}
        leads = dict(conn.execute(
            select(I.c.key, S.c.lead_id).select_from(S.join(I, I.c.pk == S.c.instance_pk))
            .where(I.c.key.in_(blockers), current(S, as_of),
                   and_(S.c.state == "open", S.c.due_on < as_of))).tuples().all()
            ) if blockers else {}
    out = []
    for t in tasks:
        cause = next((b for b in t.blocked_by if b in leads and leads[b] != t.lead), None)
        out.append(OverdueItem(t, steps.get(t.id, (0, None))[1], cause,
                               leads.get(cause) if cause else None))
    return out
