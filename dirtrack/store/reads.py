"""Set-based reads: status as of a date, for one task or a million, in a few statements.

Written in plain SQL that SQLite and PostgreSQL read alike, run through the driver
(``dirtrack.store.direct``): the command line's listings import neither SQLAlchemy nor
the table models. ``source`` is a ``Database`` from ``open_database`` or an SQLAlchemy
engine. The category of a state as of a date is ``status.category`` (and
``queries.category_of``, the same rule as an SQLAlchemy expression for other queries).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from dirtrack.errors import NotFound
from dirtrack.status import CATEGORIES
from dirtrack.store.direct import Reader, connection, in_list

EPSILON = 1e-9
FEW = 1000  # rows few enough to name in an IN list


def current(span: str) -> str:
    """Return the condition that the dated rows ``span`` (an alias) hold on ``:as_of``."""
    return (f"({span}.valid_from <= :as_of "
            f"AND ({span}.valid_to IS NULL OR {span}.valid_to > :as_of))")


def category(span: str) -> str:
    """Return the SQL for the category of the state ``span`` as of ``:as_of``."""
    return (f"CASE WHEN {span}.state = 'cancelled' THEN 'cancelled' "
            f"WHEN {span}.state = 'done' AND {span}.completed_on <= {span}.due_on "
            "THEN 'done_on_time' "
            f"WHEN {span}.state = 'done' THEN 'done_late' "
            f"WHEN {span}.due_on >= :as_of THEN 'open_on_time' "
            "ELSE 'open_overdue' END")


@dataclass
class Filters:
    directive: str | None = None
    unit: str | None = None  # lead unit as of the date
    status: str | None = None  # a category
    support: str | None = None  # a coordinating unit
    keys: list[str] | None = None  # these instances only
    awaiting: bool = False  # reported done, not yet verified


def _known(db: Reader, directive: str | None, unit: str | None) -> None:
    if directive and not db.values("SELECT id FROM directive WHERE id = :id", {"id": directive}):
        loaded = db.values("SELECT id FROM directive ORDER BY id LIMIT 11")
        shown = ", ".join(loaded[:10]) + (", ..." if len(loaded) > 10 else "")
        raise NotFound(f"no directive '{directive}'; loaded directives: {shown or 'none'}")
    if unit and not db.values("SELECT id FROM unit WHERE id = :id", {"id": unit}):
        raise NotFound(f"no unit '{unit}'; check the id in the jurisdiction's units.yaml")


def check_known(source: Any, directive: str | None = None, unit: str | None = None) -> None:
    """Refuse a directive or unit filter that names nothing: a typo would otherwise read
    as "no tasks"."""
    if not directive and not unit:
        return
    with connection(source) as db:
        _known(db, directive, unit)


def _led_by(db: Reader, unit: str, as_of: date, params: dict[str, Any]) -> str:
    """Return the condition on ``s`` of the instances ``unit`` leads as of ``as_of``: its
    own, and those of units merged into it by then that were still open on the merger's
    date (the next load moves the open ones over; work finished before the merger stays
    where it was).

    The merged units are looked up first (a handful, usually none), so the condition
    stays a lookup of ``ix_instance_state_lead_id`` per unit.
    """
    merged = db.rows("SELECT id, ended_on FROM unit WHERE successor_id = :unit "
                     "AND ended_on <= :as_of", {"unit": unit, "as_of": as_of}, dates=["ended_on"])
    params["lead"] = unit
    terms = ["s.lead_id = :lead"]
    for n, m in enumerate(merged):
        params[f"merged_{n}"], params[f"ended_{n}"] = m["id"], m["ended_on"]
        terms.append(f"(s.lead_id = :merged_{n} AND (s.state = 'open' "
                     f"OR s.completed_on >= :ended_{n}))")
    return f"({' OR '.join(terms)})"


def _conditions(f: Filters, params: dict[str, Any], lead: str | None) -> list[str]:
    """Return the filters' conditions on ``i`` (instance), ``s`` (state) and ``t`` (task)."""
    where = []
    if f.directive:
        params["directive"] = f.directive
        where.append("i.directive_id = :directive")
    if lead is not None:
        where.append(lead)
    if f.status:
        params["status"] = f.status
        where.append(f"{category('s')} = :status")
    if f.support:
        params["support"] = f"%,{f.support},%"
        where.append("',' || t.support || ',' LIKE :support")
    if f.keys is not None:
        where.append(f"i.key IN {in_list('key', f.keys, params)}")
    if f.awaiting:
        where.append("s.state = 'done' AND NOT s.verified")
    return where


def status_counts(source: Any, as_of: date, f: Filters | None = None) -> dict[str, int]:
    """Return how many instances fall in each category as of ``as_of``."""
    f = f or Filters()
    params: dict[str, Any] = {"as_of": as_of}
    with connection(source) as db:
        _known(db, f.directive, f.unit)
        lead = _led_by(db, f.unit, as_of, params) if f.unit else None
        where = [current("s"), *_conditions(f, params, lead)]
        join = " JOIN task_instance AS i ON i.pk = s.instance_pk" if f.directive else ""
        counts = {row["category"]: row["n"] for row in db.rows(
            f"SELECT {category('s')} AS category, count(*) AS n FROM instance_state AS s{join} "
            f"WHERE {' AND '.join(where)} GROUP BY 1", params)}
    return {c: int(counts.get(c, 0)) for c in CATEGORIES}


@dataclass
class TaskStatus:
    """One instance's state as of a date, as listed and printed as JSON."""

    id: str
    directive: str
    task: str
    title: str
    lead: str
    unit: str | None
    sector: str
    deliverable: str
    due_on: date
    status: str
    blocked: bool = False
    at_risk: bool = False
    completed_on: date | None = None
    verified: bool = False
    percent: int = 0
    days_overdue: int = 0
    critical: bool = False
    slack_days: int = 0
    blocked_by: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("due_on", "completed_on"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


# The blocking rule, for a group of one task's prerequisite instances ``p``: fewer of
# them are done than the dependency's share (``at_least``) of those not cancelled. The
# same rule as ``queries.short_of_share`` (the escalation's root cause, the review).
_COUNTED = "(count(*) - sum(CASE WHEN p.state = 'cancelled' THEN 1 ELSE 0 END))"
SHORT_OF_SHARE = (f"{_COUNTED} > 0 AND sum(CASE WHEN p.state = 'done' THEN 1 ELSE 0 END) "
                  f"< dep.at_least * {_COUNTED} - :epsilon")


def _flags(db: Reader, where: list[str], params: dict[str, Any]) -> dict[int, tuple[bool, bool]]:
    """Return {instance pk: (has a group below its share done, has an overdue prerequisite)}
    for the open instances meeting ``where`` (conditions on ``i`` and ``s``)."""
    query = (
        f"SELECT dep.instance_pk AS pk, CASE WHEN {SHORT_OF_SHARE} THEN 1 ELSE 0 END AS short, "
        "sum(CASE WHEN p.state = 'open' AND p.due_on < :as_of THEN 1 ELSE 0 END) AS late "
        "FROM dependency AS dep "
        f"JOIN instance_state AS s ON s.instance_pk = dep.instance_pk AND {current('s')} "
        "JOIN task_instance AS i ON i.pk = dep.instance_pk "
        f"JOIN instance_state AS p ON p.instance_pk = dep.prereq_pk AND {current('p')} "
        f"WHERE s.state = 'open' AND {' AND '.join(where)} "
        "GROUP BY dep.instance_pk, dep.prereq_task, dep.at_least")
    flags: dict[int, tuple[bool, bool]] = {}
    for row in db.rows(query, {**params, "epsilon": EPSILON}):
        blocked, late = flags.get(row["pk"], (False, False))
        flags[row["pk"]] = (blocked or bool(row["short"]), late or bool(row["late"]))
    return flags


def _list(db: Reader, as_of: date, f: Filters, limit: int | None) -> list[TaskStatus]:
    params: dict[str, Any] = {"as_of": as_of}
    _known(db, f.directive, f.unit)
    lead = _led_by(db, f.unit, as_of, params) if f.unit else None
    cat = category("s")
    query = (
        "SELECT i.pk, i.key, i.directive_id, t.task_id, t.title, s.lead_id, i.unit_id, "
        f"t.sector, t.deliverable, s.due_on, {cat} AS status, s.completed_on, s.verified, "
        "s.percent, pl.critical, pl.slack_days, pl.lag_days "
        "FROM instance_state AS s JOIN task_instance AS i ON i.pk = s.instance_pk "
        "JOIN task AS t ON t.pk = i.task_pk "
        f"JOIN instance_plan AS pl ON pl.instance_pk = s.instance_pk AND {current('pl')} "
        f"WHERE {' AND '.join([current('s'), *_conditions(f, params, lead)])} "
        f"ORDER BY CASE WHEN {cat} = 'open_overdue' THEN 0 WHEN {cat} = 'open_on_time' THEN 1 "
        "ELSE 2 END, s.due_on, i.key")
    if limit:
        query += " LIMIT :limit"
        params["limit"] = limit
    rows = db.rows(query, params, dates=["due_on", "completed_on"])
    # The flags of the instances listed: with a limit and few rows, of those rows only.
    flag_where = [current("s")]
    if f.directive:
        flag_where.append("i.directive_id = :directive")
    if lead is not None:
        flag_where.append(lead)
    if f.keys is not None:
        flag_where.append("i.key IN " + in_list("key", f.keys, params))
    if limit and len(rows) <= FEW:
        flag_where.append("i.pk IN " + in_list("pk", [r["pk"] for r in rows], params))
    flags = _flags(db, flag_where, params) if rows else {}
    out = []
    for r in rows:
        blocked, late_prereq = flags.get(r["pk"], (False, False))
        status = r["status"]
        at_risk = status == "open_on_time" and (
            late_prereq or (blocked and as_of + timedelta(days=r["lag_days"]) > r["due_on"]))
        out.append(TaskStatus(
            id=r["key"], directive=r["directive_id"], task=r["task_id"], title=r["title"],
            lead=r["lead_id"], unit=r["unit_id"], sector=r["sector"],
            deliverable=r["deliverable"], due_on=r["due_on"], status=status,
            blocked=blocked and status.startswith("open"), at_risk=at_risk,
            completed_on=r["completed_on"], verified=bool(r["verified"]), percent=r["percent"],
            days_overdue=(as_of - r["due_on"]).days if status == "open_overdue" else 0,
            critical=bool(r["critical"]), slack_days=r["slack_days"]))
    return out


def list_tasks(source: Any, as_of: date, f: Filters | None = None,
               limit: int | None = None) -> list[TaskStatus]:
    """Return instances with their category and flags as of ``as_of``, most urgent first."""
    with connection(source) as db:
        return _list(db, as_of, f or Filters(), limit)


def _blocking(db: Reader, as_of: date, keys: list[str]) -> dict[str, list[str]]:
    if not keys:
        return {}
    params: dict[str, Any] = {"as_of": as_of}
    query = ("SELECT i.key AS key, pi.key AS prereq FROM dependency AS dep "
             "JOIN task_instance AS i ON i.pk = dep.instance_pk "
             "JOIN task_instance AS pi ON pi.pk = dep.prereq_pk "
             f"JOIN instance_state AS p ON p.instance_pk = dep.prereq_pk AND {current('p')} "
             f"WHERE i.key IN {in_list('key', keys, params)} AND p.state = 'open' "
             "ORDER BY i.key, pi.key")
    out: dict[str, list[str]] = defaultdict(list)
    for row in db.rows(query, params):
        out[row["key"]].append(row["prereq"])
    return out


def blocking(source: Any, as_of: date, keys: list[str]) -> dict[str, list[str]]:
    """Return, for each given instance, its prerequisites not done as of ``as_of``."""
    if not keys:
        return {}
    with connection(source) as db:
        return _blocking(db, as_of, keys)


def overdue(source: Any, as_of: date, f: Filters | None = None,
            limit: int | None = None) -> list[TaskStatus]:
    """Return open overdue instances as of ``as_of``, longest overdue first (the first
    ``limit`` of them: ``list_tasks`` lists overdue ones in this order too)."""
    f = f or Filters()
    with connection(source) as db:
        rows = _list(db, as_of, Filters(f.directive, f.unit, "open_overdue"), limit)
        blockers = _blocking(db, as_of, [r.id for r in rows if r.blocked])
    for r in rows:
        r.blocked_by = blockers.get(r.id, [])
    rows.sort(key=lambda r: (-r.days_overdue, r.id))
    return rows


@dataclass
class TaskDetail:
    status: TaskStatus
    directive_title: str
    directive_number: str
    support: list[str]
    due_text: str
    original_due_on: date
    prerequisites: list[TaskStatus]
    dependents: list[str]
    events: list[dict[str, Any]]


def show_task(source: Any, key: str, as_of: date) -> TaskDetail:
    """Return one instance with its prerequisites, dependents and full ledger history."""
    with connection(source) as db:
        found = db.rows("SELECT i.pk, i.due_on, t.support, t.due_text, d.title, d.number "
                        "FROM task_instance AS i JOIN task AS t ON t.pk = i.task_pk "
                        "JOIN directive AS d ON d.id = i.directive_id WHERE i.key = :key",
                        {"key": key}, dates=["due_on"])
        if not found:
            raise NotFound(f"no task '{key}'; list task ids with 'dirtrack tasks'")
        row = found[0]
        prereq_keys = db.values("SELECT pi.key FROM dependency AS dep "
                                "JOIN task_instance AS pi ON pi.pk = dep.prereq_pk "
                                "WHERE dep.instance_pk = :pk", {"pk": row["pk"]})
        dependents = db.values("SELECT pi.key FROM dependency AS dep "
                               "JOIN task_instance AS pi ON pi.pk = dep.instance_pk "
                               "WHERE dep.prereq_pk = :pk ORDER BY pi.key", {"pk": row["pk"]})
        events = db.rows("SELECT id, kind, effective_on, recorded_at, actor, percent, note, "
                         "evidence, new_due, new_lead, decision, recorded_by FROM event "
                         "WHERE instance_pk = :pk ORDER BY effective_on, id", {"pk": row["pk"]},
                         dates=["effective_on", "new_due"], moments=["recorded_at"])
        mine = _list(db, as_of, Filters(keys=[key, *prereq_keys]), None)
    status = next((t for t in mine if t.id == key), None)
    if status is None:
        raise NotFound(f"task '{key}' did not exist yet on {as_of}")
    return TaskDetail(status, row["title"], row["number"],
                      [s for s in row["support"].split(",") if s], row["due_text"],
                      row["due_on"], [t for t in mine if t.id != key], dependents, events)
