"""``load``: write a validated plan into the database, idempotently.

An unchanged directive (same fingerprint of its file, templates, registry and
calendar) is skipped without expanding it. A changed one is compared instance by
instance: new instances are added, changed deadlines and leads are recorded as
``revised`` events, removed instances are cancelled, returning ones restored.
Nothing is deleted. Reorganisations move open work to successor units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from dirtrack.config import now as clock_now
from dirtrack.config import today
from dirtrack.errors import InvalidAction
from dirtrack.graph import Expansion
from dirtrack.periods import parse_period
from dirtrack.plan import Plan
from dirtrack.registry import Registry
from dirtrack.spec.model import DirectiveSpec, Jurisdiction
from dirtrack.store.bulk import bulk_insert
from dirtrack.store.engine import BULK_ROWS, refresh_statistics
from dirtrack.store.occurrences import open_occurrences, write_waiting
from dirtrack.store.spans import chunks, rebuild_spans
from dirtrack.store.tables import (
    DependencyRow,
    DirectiveRow,
    EventRow,
    InstanceRow,
    JurisdictionRow,
    LadderRow,
    LoadRow,
    OccurrenceRow,
    PlanRow,
    ReviewNarrativeRow,
    ReviewSettingRow,
    StateRow,
    TaskRow,
    UnitChannelRow,
    UnitRow,
)

U, D, T = UnitRow.__table__, DirectiveRow.__table__, TaskRow.__table__  # type: ignore[attr-defined]
I, DEP = InstanceRow.__table__, DependencyRow.__table__  # type: ignore[attr-defined]
E, S, L = EventRow.__table__, StateRow.__table__, LoadRow.__table__  # type: ignore[attr-defined]
J, LAD = JurisdictionRow.__table__, LadderRow.__table__  # type: ignore[attr-defined]
UC, PL = UnitChannelRow.__table__, PlanRow.__table__  # type: ignore[attr-defined]
RS, RN = ReviewSettingRow.__table__, ReviewNarrativeRow.__table__  # type: ignore[attr-defined]
OC = OccurrenceRow.__table__  # type: ignore[attr-defined]
LOADER = "dirtrack load"


@dataclass
class LoadResult:
    """What ``load`` did to one directive."""

    directive_id: str
    outcome: str  # new | updated | unchanged
    instances: int = 0
    added: int = 0
    revised: int = 0
    cancelled: int = 0
    restored: int = 0
    waiting: int = 0  # occurrences of repeating tasks that open after the load date
    notes: list[str] = field(default_factory=list)


@dataclass
class LoadSummary:
    results: list[LoadResult]
    reassigned: int = 0
    opened: int = 0  # occurrences of repeating tasks created


def load_plan(engine: Engine, plan: Plan, *, on: date) -> LoadSummary:
    """Write ``plan`` in one transaction; return what changed per directive."""
    if on > (day := today()):
        raise InvalidAction(f"a load takes effect on {on}, after today ({day}); load with "
                            f"--on {day} or earlier")
    now = clock_now()
    results = []
    reassigned = 0
    with engine.begin() as conn:
        _check_ownership(conn, plan)
        for jur in plan.jurisdictions:
            _sync_units(conn, jur, plan.registries[jur.id], on)
            _sync_settings(conn, jur)
            _sync_review(conn, jur)
        for jur, spec in plan.directives():
            current = conn.execute(select(D.c.fingerprint).where(D.c.id == spec.id)).scalar()
            if current == spec.fingerprint:
                # Its instances as a new load counts them: those open and those to come
                count = sum(conn.execute(select(_count()).where(t.c.directive_id == spec.id)
                                         ).scalar() or 0 for t in (I, OC))
                results.append(LoadResult(spec.id, "unchanged", instances=count))
                continue
            exp = plan.expansion(jur, spec)
            if current is None:
                result = _insert_directive(conn, jur, spec, exp, now)
            else:
                result = _update_directive(conn, jur, spec, exp, now, on)
            result.waiting = sum(1 for i in exp.instances if i.opens_on and i.opens_on > on)
            conn.execute(delete(LAD).where(LAD.c.directive_id == spec.id))
            conn.execute(insert(LAD), [{"directive_id": spec.id, "step": s.step, "days": s.days,
                                        "recipient": s.to} for s in jur.ladder_of(spec)])
            conn.execute(insert(L), [{
                "directive_id": spec.id, "effective_on": on, "loaded_at": now,
                "fingerprint": spec.fingerprint, "added": result.added,
                "revised": result.revised, "cancelled": result.cancelled,
                "summary": result.outcome,
            }])
            results.append(result)
        opened = open_occurrences(conn, on)
        for jur in plan.jurisdictions:
            reassigned += _apply_reorganisations(conn, jur, plan.registries[jur.id], now, on)
    written = sum(r.added + r.revised + r.cancelled + (r.instances if r.outcome == "new" else 0)
                  for r in results) + opened
    if written >= BULK_ROWS:
        refresh_statistics(engine, *(t.name for t in (T, I, PL, S, DEP, E, UC)),
                           "occurrence", "occurrence_dependency")
    return LoadSummary(results, reassigned, opened)


def _check_ownership(conn: Connection, plan: Plan) -> None:
    """Refuse unit and directive ids another jurisdiction in the database already uses.

    Jurisdictions loaded together are checked by the plan; this catches one loaded
    later that reuses an id, which would otherwise take over the other's rows.
    """
    for jur in plan.jurisdictions:
        ids = [u.id for u in jur.units]
        for part in chunks(ids):
            clash = conn.execute(select(U.c.id, U.c.jurisdiction).where(
                U.c.id.in_(part), U.c.jurisdiction != jur.id).limit(1)).first()
            if clash:
                raise InvalidAction(
                    f"unit id '{clash.id}' in {jur.id}'s units.yaml is already a unit of "
                    f"jurisdiction '{clash.jurisdiction}' in this database; give it an id "
                    "of its own (for example with the province's prefix)")
    for jur, spec in plan.directives():
        owner = conn.execute(select(D.c.jurisdiction).where(D.c.id == spec.id)).scalar()
        if owner is not None and owner != jur.id:
            raise InvalidAction(
                f"directive id '{spec.id}' of {jur.id} is already loaded for jurisdiction "
                f"'{owner}'; give this directive an id of its own")


def _check_date_order(conn: Connection, directive_id: str, pks: set[int],
                      effective: date) -> None:
    """Refuse a revision dated before events already recorded on the tasks it changes:
    the ledger stays in date order."""
    if not pks:
        return
    latest = func.max(E.c.effective_on)
    for row in conn.execute(
            select(I.c.pk, I.c.key, latest.label("last")).join(E, E.c.instance_pk == I.c.pk)
            .where(I.c.directive_id == directive_id, E.c.effective_on > effective)
            .group_by(I.c.pk, I.c.key).order_by(latest.desc(), I.c.key)):
        if row.pk in pks:
            raise InvalidAction(
                f"{row.key} has an event dated {row.last}, after {effective}; load this "
                f"revision with --on {row.last} or later, so that the ledger stays in "
                "date order")


def _count():  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    return func.count()


def _sync_units(conn: Connection, jur: Jurisdiction, registry: Registry, on: date) -> None:
    """Write the units as they stand on ``on``: a unit moved under another parent by then
    (a commune under the province once the district level ended) escalates to it."""
    existing = {r.id: r for r in conn.execute(select(U)).all()}
    tree = registry.as_of(on)  # every unit under its parent of that day, in one pass
    rows = []
    for unit in jur.units:
        step = registry.successor(unit.id)
        reorg = registry.reorganisations.get(unit.id)
        row = {"id": unit.id, "jurisdiction": jur.id, "name": unit.name, "level": unit.level,
               "kind": unit.kind, "parent_id": tree.units[unit.id].parent,
               "established_on": unit.established_on,
               "ended_on": reorg.on if reorg else None,
               "successor_id": step[0] if step else None, "email": unit.email,
               "locality": unit.locality or None}
        old = existing.get(unit.id)
        if old is None:
            rows.append(row)
        elif any(getattr(old, k) != v for k, v in row.items()):
            conn.execute(update(U).where(U.c.id == unit.id).values(**row))
    if rows:
        conn.execute(insert(U), rows)


def _sync_settings(conn: Connection, jur: Jurisdiction) -> None:
    settings = jur.settings
    row = {"id": jur.id, "name": jur.name, "language": settings.language,
           "channels": json.dumps(settings.channels, sort_keys=True),
           "extension_requests": settings.extension_requests}
    if conn.execute(select(J.c.id).where(J.c.id == jur.id)).scalar() is None:
        conn.execute(insert(J), [row])
    else:
        conn.execute(update(J).where(J.c.id == jur.id).values(**row))
    ids = [u.id for u in jur.units]
    for part in chunks(ids):
        conn.execute(delete(UC).where(UC.c.unit_id.in_(part)))
    rows = [{"unit_id": u.id, "channel": c}
            for u in jur.units
            for c in settings.channels_for(u.id, u.level, u.kind, u.locality)]
    bulk_insert(conn, UC, rows)


def _sync_review(conn: Connection, jur: Jurisdiction) -> None:
    """Store the review's header and signature and the quarters' narratives as read."""
    conn.execute(delete(RS).where(RS.c.jurisdiction == jur.id))
    conn.execute(delete(RN).where(RN.c.jurisdiction == jur.id))
    if (r := jur.review) is not None:
        conn.execute(insert(RS), [{
            "jurisdiction": jur.id, "issuer": r.issuer, "superior": r.superior,
            "kind": r.kind, "number": r.number, "place": r.place, "subject": r.subject,
            "recipients": json.dumps(list(r.recipients), ensure_ascii=False),
            "signer_authority": r.signer.authority, "signer_title": r.signer.title,
            "signer_name": r.signer.name, "sectors": ",".join(r.sectors), "path": r.path}])
    if jur.narratives:
        conn.execute(insert(RN), [
            {"jurisdiction": jur.id, "quarter": quarter, "path": n.path,
             **{part: json.dumps(n.part(part), ensure_ascii=False)
                for part in ("opening", "results", "shortcomings", "directions")}}
            for quarter, n in sorted(jur.narratives.items())])


def _directive_row(jur: Jurisdiction, spec: DirectiveSpec, now: datetime) -> dict:
    return {"id": spec.id, "jurisdiction": jur.id, "number": spec.number, "kind": spec.kind,
            "title": spec.title, "issued_by": spec.issued_by, "issued_on": spec.issued_on,
            "source": spec.source, "parent_id": spec.parent, "path": spec.path,
            "fingerprint": spec.fingerprint, "loaded_at": now}


def _task_rows(spec: DirectiveSpec) -> list[dict]:
    return [{
        "directive_id": spec.id, "task_id": t.id, "title": t.title, "lead_id": t.lead,
        "support": ",".join(t.support), "sector": t.sector, "deliverable": t.deliverable,
        "due_text": t.due.text, "for_each": t.for_each, "scope_id": t.scope,
        "depends_on": ",".join(f"{d.task}:{d.at_least:g}" for d in t.depends_on),
        "template": t.template, "position": n, "removed": False, "repeat": t.repeat,
        "indicators": json.dumps([i.as_json() for i in t.indicators], ensure_ascii=False)
        if t.indicators else "",
    } for n, t in enumerate(spec.tasks)]


def _instance_row(spec: DirectiveSpec, inst, task_pk: int, created_on: date) -> dict:  # type: ignore[no-untyped-def]
    return {"key": inst.key, "directive_id": spec.id, "task_pk": task_pk,
            "unit_id": inst.unit, "lead_id": inst.lead, "due_on": inst.due_on,
            "spec_lead_id": inst.lead, "spec_due_on": inst.due_on, "created_on": created_on,
            "lag_days": inst.lag_days, "slack_days": inst.slack_days,
            "critical": inst.critical, "removed": False,
            "period": inst.period.id if inst.period else None}


def _keys_to_pks(conn: Connection, directive_id: str) -> dict[str, int]:
    return dict(conn.execute(select(I.c.key, I.c.pk).where(I.c.directive_id == directive_id))
                .tuples().all())


def _insert_directive(conn: Connection, jur: Jurisdiction, spec: DirectiveSpec,
                      exp: Expansion, now: datetime) -> LoadResult:
    conn.execute(insert(D), [_directive_row(jur, spec, now)])
    conn.execute(insert(T), _task_rows(spec))
    task_pks = dict(conn.execute(select(T.c.task_id, T.c.pk).where(T.c.directive_id == spec.id))
                    .tuples().all())
    once = [i for i in exp.instances if i.period is None]
    rows = [_instance_row(spec, i, task_pks[i.task.id], spec.issued_on) for i in once]
    bulk_insert(conn, I, rows)
    pks = _keys_to_pks(conn, spec.id)
    _insert_dependencies(conn, exp, pks, set())
    plans = [{"instance_pk": pks[i.key], "valid_from": spec.issued_on, "valid_to": None,
              "lag_days": i.lag_days, "slack_days": i.slack_days, "critical": i.critical}
             for i in once]
    bulk_insert(conn, PL, plans)
    states = [{"instance_pk": pks[i.key], "valid_from": spec.issued_on, "valid_to": None,
               "state": "open", "due_on": i.due_on, "lead_id": i.lead, "completed_on": None,
               "verified": False, "percent": 0, "opened_on": spec.issued_on}
              for i in once]
    bulk_insert(conn, S, states)
    # Occurrences wait for their day, even the ones due to open now: one path creates them.
    write_waiting(conn, exp, [i for i in exp.instances if i.period is not None], task_pks)
    return LoadResult(spec.id, "new", instances=len(exp.instances), added=len(rows))


def _insert_dependencies(conn: Connection, exp: Expansion, pks: dict[str, int],
                         existing: set[tuple[int, int]]) -> set[tuple[int, int]]:
    rows, wanted = [], set()
    for prereq, dependent, task, share in exp.edges():
        if dependent not in pks or prereq not in pks:
            continue  # an occurrence not open yet: see write_waiting
        pair = (pks[dependent], pks[prereq])
        if pair in wanted:
            continue
        wanted.add(pair)
        if pair not in existing:
            rows.append({"instance_pk": pair[0], "prereq_pk": pair[1], "prereq_task": task,
                         "at_least": share})
    bulk_insert(conn, DEP, rows)
    return wanted


def _update_directive(conn: Connection, jur: Jurisdiction, spec: DirectiveSpec, exp: Expansion,
                      now: datetime, on: date) -> LoadResult:
    result = LoadResult(spec.id, "updated", instances=len(exp.instances))
    effective = max(on, spec.issued_on)
    conn.execute(update(D).where(D.c.id == spec.id).values(**_directive_row(jur, spec, now)))
    old_tasks = {r.task_id: r for r in conn.execute(select(T).where(T.c.directive_id == spec.id))}
    for row in _task_rows(spec):
        old = old_tasks.pop(row["task_id"], None)
        if old is None:
            conn.execute(insert(T), [row])
            result.notes.append(f"task {row['task_id']} added")
        elif any(getattr(old, k) != v for k, v in row.items()):
            changed = [k for k, v in row.items()
                       if getattr(old, k) != v and k not in ("position", "removed")]
            if old.removed:
                result.notes.append(f"task {row['task_id']} restored")
            if changed:
                result.notes.append(f"task {row['task_id']} revised: {', '.join(changed)}")
            conn.execute(update(T).where(T.c.pk == old.pk).values(**row))
    for old in old_tasks.values():
        if not old.removed:
            conn.execute(update(T).where(T.c.pk == old.pk).values(removed=True))
            result.notes.append(f"task {old.task_id} removed")
    task_pks = dict(conn.execute(select(T.c.task_id, T.c.pk).where(T.c.directive_id == spec.id))
                    .tuples().all())
    previous = {r.key: r for r in conn.execute(
        select(I.c.key, I.c.pk, I.c.spec_due_on, I.c.spec_lead_id, I.c.removed, I.c.lag_days,
               I.c.slack_days, I.c.critical, I.c.period).where(I.c.directive_id == spec.id))}
    new_rows, events, updates, waiting = [], [], [], []
    for inst in exp.instances:
        prev = previous.pop(inst.key, None)
        if prev is None and inst.period is not None:
            assert inst.opens_on is not None
            inst.opens_on = max(inst.opens_on, effective)  # a revision changes no past
            waiting.append(inst)
            continue
        if prev is None:
            new_rows.append(_instance_row(spec, inst, task_pks[inst.task.id], effective))
            continue
        if _begun(prev.period, effective):
            continue  # an occurrence whose period has begun keeps what it was given
        base = {"b_pk": prev.pk, "spec_due_on": inst.due_on, "spec_lead_id": inst.lead,
                "removed": False, "lag_days": inst.lag_days, "slack_days": inst.slack_days,
                "critical": inst.critical, "task_pk": task_pks[inst.task.id]}
        if prev.removed:
            events.append(_event(prev.pk, "restored", effective, now,
                                 note="back in the directive"))
            result.restored += 1
        if prev.spec_due_on != inst.due_on or prev.spec_lead_id != inst.lead:
            events.append(_event(
                prev.pk, "revised", effective, now,
                new_due=inst.due_on if prev.spec_due_on != inst.due_on else None,
                new_lead=inst.lead if prev.spec_lead_id != inst.lead else None,
                note="directive revised"))
            result.revised += 1
        if (prev.removed or prev.spec_due_on != inst.due_on or prev.spec_lead_id != inst.lead
                or (prev.lag_days, prev.slack_days, prev.critical)
                != (inst.lag_days, inst.slack_days, inst.critical)):
            updates.append(base)
    for gone in previous.values():
        if not gone.removed and not _begun(gone.period, effective):
            events.append(_event(gone.pk, "cancelled", effective, now,
                                 note="removed from the directive"))
            conn.execute(update(I).where(I.c.pk == gone.pk).values(removed=True))
            result.cancelled += 1
    if updates:
        conn.execute(update(I).where(I.c.pk == bindparam("b_pk")).values(
            spec_due_on=bindparam("spec_due_on"), spec_lead_id=bindparam("spec_lead_id"),
            removed=bindparam("removed"), lag_days=bindparam("lag_days"),
            slack_days=bindparam("slack_days"), critical=bindparam("critical"),
            task_pk=bindparam("task_pk")), updates)
    bulk_insert(conn, I, new_rows)
    result.added = len(new_rows)
    write_waiting(conn, exp, waiting, task_pks)
    pks = _keys_to_pks(conn, spec.id)
    _revise_plans(conn, [(u["b_pk"], u) for u in updates]
                  + [(pks[r["key"]], r) for r in new_rows], effective)
    _check_date_order(conn, spec.id, {e["instance_pk"] for e in events}, effective)
    if events:
        conn.execute(insert(E), events)
    existing = set(conn.execute(select(DEP.c.instance_pk, DEP.c.prereq_pk).join(
        I, I.c.pk == DEP.c.instance_pk).where(I.c.directive_id == spec.id)).tuples().all())
    wanted = _insert_dependencies(conn, exp, pks, existing)
    for pair in existing - wanted:
        conn.execute(delete(DEP).where(and_(DEP.c.instance_pk == pair[0],
                                            DEP.c.prereq_pk == pair[1])))
    new_pks = [pks[r["key"]] for r in new_rows]
    rebuild_spans(conn, [e["instance_pk"] for e in events] + new_pks)
    return result


def _begun(period: str | None, effective: date) -> bool:
    """Return True for an occurrence whose period began before ``effective``: a changed
    or ended directive changes only the occurrences to come."""
    return period is not None and parse_period(period).start < effective


def _revise_plans(conn: Connection, rows: list[tuple[int, dict]], effective: date) -> None:
    """Start a new plan version on ``effective`` for instances whose place in the graph
    changed (the version in force on that day is closed, or replaced if it began then)."""
    changed = [(pk, r) for pk, r in rows]
    if not changed:
        return
    pks = [pk for pk, _ in changed]
    for part in chunks(pks):
        conn.execute(delete(PL).where(PL.c.instance_pk.in_(part), PL.c.valid_from >= effective))
        conn.execute(update(PL).where(PL.c.instance_pk.in_(part), or_(
            PL.c.valid_to.is_(None), PL.c.valid_to > effective)).values(valid_to=effective))
    conn.execute(insert(PL), [{"instance_pk": pk, "valid_from": effective, "valid_to": None,
                               "lag_days": r["lag_days"], "slack_days": r["slack_days"],
                               "critical": r["critical"]} for pk, r in changed])


def _event(pk: int, kind: str, on: date, now: datetime, **fields) -> dict:  # type: ignore[no-untyped-def]
    row = {"instance_pk": pk, "kind": kind, "effective_on": on, "recorded_at": now,
           "actor": LOADER, "percent": None, "note": "", "evidence": "", "new_due": None,
           "new_lead": None, "decision": ""}
    row.update(fields)
    return row


def _apply_reorganisations(conn: Connection, jur: Jurisdiction, registry: Registry,
                           now: datetime, today: date) -> int:
    """Move work still open on a reorganisation date to the successor unit; return how many.

    A reorganisation takes effect at the first load on or after its date, so until
    then the old unit goes on reporting on its own tasks.
    """
    moved = 0
    for reorg in jur.reorganisations:
        step = registry.successor(reorg.unit)
        if step is None or reorg.on > today:
            continue
        heir, on = step
        # Open work the ended unit still leads on or after the date: what was open that
        # day, and what was reopened later (a completion returned after the merger).
        starts: dict[int, date] = {}
        for pk, start in conn.execute(
            select(S.c.instance_pk, S.c.valid_from).where(
                S.c.lead_id == reorg.unit, S.c.state == "open",
                or_(S.c.valid_to.is_(None), S.c.valid_to > on))
            .order_by(S.c.instance_pk, S.c.valid_from)
        ):
            starts.setdefault(pk, max(start, on))
        if not starts:
            continue
        note = f"{registry[reorg.unit].name} merged into {registry[heir].name}" if reorg.into \
            else f"{registry[reorg.unit].name} dissolved; {registry[heir].name} takes over"
        conn.execute(insert(E), [_event(pk, "reassigned", start, now, new_lead=heir, note=note,
                                        decision=reorg.decision)
                                 for pk, start in starts.items()])
        rebuild_spans(conn, list(starts))
        moved += len(starts)
    return moved
