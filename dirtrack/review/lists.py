"""The review's lists, read from the quarter's temporary table and the ledger: task lists
(deliverables, carried over, next quarter), overdue work with its root cause,
completions awaiting verification, and the extensions and cancellations decided."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, and_, func, or_, select, tuple_

from dirtrack.review.model import AwaitingGroup, Change, OverdueLine, PlanTask, TaskGroup, Totals
from dirtrack.store.queries import current, short_of_share
from dirtrack.store.tables import (
    DependencyRow,
    EventRow,
    InstanceRow,
    OutboxRow,
    StateRow,
    TaskRow,
)

I, S, T = InstanceRow.__table__, StateRow.__table__, TaskRow.__table__  # type: ignore[attr-defined]
E, O = EventRow.__table__, OutboxRow.__table__  # type: ignore[attr-defined]
DEP = DependencyRow.__table__  # type: ignore[attr-defined]
LIST_LIMIT = 200
LOADER = "dirtrack load"

Lists = dict[str | None, list[Any]]  # by directive; None: the whole jurisdiction


def _both(out: Lists, directive: str, item: Any) -> None:
    out[directive].append(item)
    out[None].append(item)


def thresholds(conn: Connection, directives: list[str]) -> dict[tuple[str, str], float]:
    """Return {(directive, task): the share of its instances the plan needs done}: the
    largest share a task of its directive requires of it (``at_least``), else 1."""
    out: dict[tuple[str, str], float] = {}
    for directive, depends_on in conn.execute(
            select(T.c.directive_id, T.c.depends_on)
            .where(T.c.directive_id.in_(directives), T.c.depends_on != "")):
        for item in depends_on.split(","):
            task, _, share = item.rpartition(":")
            key = (directive, task)
            out[key] = max(out.get(key, 0.0), float(share))
    return out


def tasks_of(conn: Connection, pks: Any) -> dict[int, Any]:
    """Return the task rows of ``pks`` (task pks, or a query of them), by pk."""
    return {r.pk: r for r in conn.execute(
        select(T.c.pk, T.c.directive_id, T.c.task_id, T.c.title, T.c.sector, T.c.for_each,
               T.c.deliverable, T.c.position).where(T.c.pk.in_(pks)))}


def by_task(conn: Connection, quarter: Table, names: dict[str, str],
            shares: dict[tuple[str, str], float], bounds: tuple[date, date, date, date]
            ) -> tuple[Lists, dict[str, Lists], list[int]]:
    """Return, from one pass over the quarter, each plan task with its instances'
    categories (in the order of their directive files), the task lists (deliverable,
    carried, next: each task's instances in one group, a fanned-out task counting its
    units), and the pks of the tasks whose deliverables want their evidence."""
    Q, (first, last, next_first, next_last) = quarter, bounds
    since = (Q.c.completed_on >= first).label("since")
    by_end = (Q.c.due_on <= last).label("by_end")
    due_next = and_(Q.c.due_on >= next_first, Q.c.due_on <= next_last).label("due_next")
    rows = conn.execute(
        select(Q.c.task_pk, Q.c.category, since, by_end, due_next, func.count(),
               func.sum(Q.c.awaiting), func.min(Q.c.lead_id), func.min(Q.c.due_on),
               func.max(Q.c.due_on))
        .group_by(Q.c.task_pk, Q.c.category, since, by_end, due_next)).all()
    tasks = tasks_of(conn, {r[0] for r in rows})
    plans: dict[int, PlanTask] = {}
    groups: dict[tuple[str, int], TaskGroup] = {}
    for task_pk, category, done_since, due_by_end, next_, n, waiting, lead, low, high in rows:
        t = tasks[task_pk]
        level = t.for_each
        done, open_ = category in ("done_on_time", "done_late"), category in (
            None, "open_on_time", "open_overdue")
        if category is not None:
            plan = plans.get(task_pk)
            if plan is None:
                plan = plans[task_pk] = PlanTask(
                    f"{t.directive_id}/{t.task_id}", t.title, t.directive_id, t.sector, level,
                    None if level else lead, "" if level else names.get(lead, ""),
                    shares.get((t.directive_id, t.task_id), 1.0), low, high, Totals())
            plan.counts.add(category, n)
            plan.awaiting += int(waiting or 0)
            plan.due_first, plan.due_last = min(plan.due_first, low), max(plan.due_last, high)
        which = ("deliverable" if done and done_since and t.deliverable else
                 "carried" if open_ and category is not None and due_by_end else
                 "next" if open_ and next_ else None)
        if which is None:
            continue
        group = groups.get((which, task_pk))
        if group is None:
            group = groups[(which, task_pk)] = TaskGroup(
                f"{t.directive_id}/{t.task_id}", t.title, None if level else lead,
                "" if level else names.get(lead, ""), level, 0, low, t.deliverable)
        group.instances += n
        group.due_on = min(group.due_on, low)
        group.overdue += n if category == "open_overdue" else 0
    out_plans: Lists = defaultdict(list)
    for pk in sorted(plans, key=lambda k: (tasks[k].directive_id, tasks[k].position)):
        _both(out_plans, tasks[pk].directive_id, plans[pk])
    out_lists: dict[str, Lists] = defaultdict(lambda: defaultdict(list))
    for (which, pk), group in sorted(groups.items(), key=lambda kv: (
            kv[1].due_on, tasks[kv[0][1]].directive_id, tasks[kv[0][1]].task_id)):
        _both(out_lists[which], tasks[pk].directive_id, group)
    single = [pk for (which, pk) in groups if which == "deliverable"
              and tasks[pk].for_each is None]
    return out_plans, out_lists, single


def add_evidence(conn: Connection, quarter: Table, as_of: date, first: date,
                 deliverables: list[TaskGroup], single: list[int]) -> None:
    """Give the deliverables of one lead unit the evidence of their completion."""
    if not single:
        return
    Q = quarter
    evidence = (select(E.c.evidence).where(E.c.instance_pk == Q.c.instance_pk,
                                           E.c.kind == "done", E.c.effective_on <= as_of)
                .order_by(E.c.effective_on.desc(), E.c.id.desc()).limit(1).scalar_subquery())
    proofs = dict(conn.execute(
        select(T.c.directive_id.concat("/").concat(T.c.task_id), evidence)
        .select_from(Q.join(T, T.c.pk == Q.c.task_pk))
        .where(Q.c.category.in_(("done_on_time", "done_late")), Q.c.completed_on >= first,
               Q.c.task_pk.in_(single))).tuples().all())
    for group in deliverables:
        group.evidence = proofs.get(group.task) or ""


def overdue(conn: Connection, quarter: Table, as_of: date, names: dict[str, str]) -> Lists:
    """Return the quarter's open overdue instances, longest overdue first (at most
    ``LIST_LIMIT``), with the escalation step reached and, when one of its prerequisites'
    groups is short of its share (``short_of_share``), the prerequisite it waits for."""
    Q = quarter
    # Longest overdue first; on one deadline, in the order the instances were created.
    top = (select(Q.c.instance_pk, Q.c.lead_id, Q.c.due_on, Q.c.task_pk)
           .where(Q.c.category == "open_overdue")
           .order_by(Q.c.due_on, Q.c.instance_pk).limit(LIST_LIMIT).subquery("top"))
    shown = (select(top, I.c.directive_id, I.c.key)
             .select_from(top.join(I, I.c.pk == top.c.instance_pk)).subquery("shown"))
    # The steps reached under the deadline and open period in force on the review's date;
    # a later check cancelling a pending alert does not rewrite the past.
    step = (select(O.c.step).where(O.c.instance_pk == shown.c.instance_pk,
                                   O.c.fired_on <= as_of, O.c.due_on == S.c.due_on,
                                   O.c.opened_on == S.c.opened_on, O.c.step != "root-cause")
            .order_by(O.c.days.desc()).limit(1).scalar_subquery())
    query = (select(shown.c.instance_pk, shown.c.directive_id, shown.c.key, T.c.title,
                    shown.c.lead_id, shown.c.due_on, step.label("step"))
             .select_from(shown.join(T, T.c.pk == shown.c.task_pk)
                          .join(S, and_(S.c.instance_pk == shown.c.instance_pk,
                                        current(S, as_of))))
             .order_by(shown.c.due_on, shown.c.instance_pk))
    rows = conn.execute(query).all()
    causes = _waiting_for(conn, [r.instance_pk for r in rows], as_of)
    out: Lists = defaultdict(list)
    for r in rows:
        blocked, cause = causes.get(r.instance_pk, (False, None))
        if cause is not None:
            cause = {**cause, "unit_name": names.get(cause["unit"], "")}
        line = OverdueLine(r.key, r.title, r.lead_id, names.get(r.lead_id, ""), r.due_on,
                           (as_of - r.due_on).days, r.step, cause if blocked else None,
                           blocked)
        _both(out, r.directive_id, line)
    return out


def _short_groups(instances: Any, as_of: date) -> Any:
    """The (instance, prerequisite task) pairs of ``instances`` (pks, or a query of them)
    whose prerequisite group is short of its share as of ``as_of``: the blocking rule."""
    P = S.alias("p")
    return (select(DEP.c.instance_pk, DEP.c.prereq_task)
            .select_from(DEP.join(P, and_(P.c.instance_pk == DEP.c.prereq_pk,
                                          current(P, as_of))))
            .where(DEP.c.instance_pk.in_(instances))
            .group_by(DEP.c.instance_pk, DEP.c.prereq_task, DEP.c.at_least)
            .having(short_of_share(P)))


def _waiting_for(conn: Connection, pks: list[int], as_of: date
                 ) -> dict[int, tuple[bool, dict[str, Any] | None]]:
    """Return {instance: (blocked, the prerequisite it waits for)}; the prerequisite is an
    open one of a short group, another unit's longest overdue first."""
    if not pks:
        return {}
    short = _short_groups(pks, as_of)
    P, PI, PT = S.alias("p"), I.alias("pi"), T.alias("pt")
    query = (select(DEP.c.instance_pk, PI.c.key, PT.c.title, P.c.lead_id, P.c.due_on,
                    S.c.lead_id.label("own_lead"))
             .select_from(DEP.join(P, and_(P.c.instance_pk == DEP.c.prereq_pk,
                                           current(P, as_of)))
                          .join(PI, PI.c.pk == DEP.c.prereq_pk)
                          .join(PT, PT.c.pk == PI.c.task_pk)
                          .join(S, and_(S.c.instance_pk == DEP.c.instance_pk,
                                        current(S, as_of))))
             .where(tuple_(DEP.c.instance_pk, DEP.c.prereq_task).in_(short),
                    P.c.state == "open"))
    best: dict[int, tuple[tuple[int, int, str], dict[str, Any]]] = {}
    blocked: set[int] = set()
    for pk, key, title, lead, due, own_lead in conn.execute(query):
        blocked.add(pk)
        days = max((as_of - due).days, 0)
        rank = (0 if lead != own_lead else 1, -days, key)
        if pk not in best or rank < best[pk][0]:
            best[pk] = (rank, {"task": key, "title": title, "unit": lead, "due_on":
                               due.isoformat(), "days_overdue": days})
    return {pk: (pk in blocked, best[pk][1] if pk in best else None) for pk in blocked}


def awaiting(conn: Connection, quarter: Table, as_of: date, names: dict[str, str]) -> Lists:
    """Return the completions awaiting verification, one line per task, with how many of
    them were reported while a prerequisite group is still short of its share."""
    Q, P = quarter, S.alias("p")
    pending = and_(Q.c.awaiting == 1, Q.c.category.is_not(None))
    rows = conn.execute(
        select(Q.c.task_pk, func.min(Q.c.lead_id), func.count(), func.min(Q.c.completed_on),
               func.max(Q.c.completed_on))
        .where(pending).group_by(Q.c.task_pk)).all()
    # The blocking rule over the pending completions' prerequisite groups, then how many
    # completions of each task have a group short of its share.
    short = (select(Q.c.task_pk, DEP.c.instance_pk)
             .select_from(Q.join(DEP, DEP.c.instance_pk == Q.c.instance_pk)
                          .join(P, and_(P.c.instance_pk == DEP.c.prereq_pk,
                                        current(P, as_of))))
             .where(pending)
             .group_by(Q.c.task_pk, DEP.c.instance_pk, DEP.c.prereq_task, DEP.c.at_least)
             .having(short_of_share(P)).subquery("short"))
    flagged = dict(conn.execute(
        select(short.c.task_pk, func.count(func.distinct(short.c.instance_pk)))
        .group_by(short.c.task_pk)).tuples().all())
    tasks = tasks_of(conn, {r[0] for r in rows})
    out: Lists = defaultdict(list)
    for task_pk, lead, n, first, last in sorted(
            rows, key=lambda r: (r[3], tasks[r[0]].directive_id, tasks[r[0]].task_id)):
        t = tasks[task_pk]
        level = t.for_each
        group = AwaitingGroup(f"{t.directive_id}/{t.task_id}", t.title,
                              None if level else lead, "" if level else names.get(lead, ""),
                              level, n, first, last, int(flagged.get(task_pk, 0)))
        _both(out, t.directive_id, group)
    return out


def changes(conn: Connection, directives: list[str], first: date, last: date, as_of: date,
            names: dict[str, str], leads: list[str] | None = None) -> tuple[Lists, Lists]:
    """Return the extensions granted and the cancellations decided in the quarter (up to
    the review's date), one pass over the ledger: instances of one task changed alike on
    one day are one line. A cancellation is listed while it stands on the review's date."""
    before = S.alias("before")  # the span that ended when the event took effect
    now = S.alias("now")
    old_due = func.coalesce(before.c.due_on, I.c.due_on)
    lead = func.coalesce(before.c.lead_id, I.c.lead_id)
    by_loader = and_(E.c.kind == "cancelled", E.c.actor == LOADER)
    # The ledger is read in order and each event looks up its task, rather than each of a
    # million instances looking up its events (``||`` keeps SQLite off the directive index).
    query = (select(I.c.directive_id, T.c.task_id, T.c.title, T.c.for_each, func.min(I.c.key),
                    func.min(lead), E.c.kind, E.c.decision, old_due, E.c.new_due,
                    E.c.effective_on, func.count(), by_loader)
             .select_from(E.join(I, I.c.pk == E.c.instance_pk).join(T, T.c.pk == I.c.task_pk)
                          .join(now, and_(now.c.instance_pk == E.c.instance_pk,
                                          current(now, as_of)))
                          .outerjoin(before, and_(before.c.instance_pk == E.c.instance_pk,
                                                  before.c.valid_to == E.c.effective_on)))
             .where(E.c.kind.in_(("extended", "cancelled")), E.c.effective_on >= first,
                    E.c.effective_on <= min(last, as_of),
                    I.c.directive_id.concat("").in_(directives),
                    or_(E.c.kind == "extended", now.c.state == "cancelled"),
                    *([lead.in_(leads)] if leads is not None else []))
             .group_by(I.c.directive_id, T.c.task_id, T.c.title, T.c.for_each, E.c.kind,
                       E.c.decision, old_due, E.c.new_due, E.c.effective_on, by_loader))
    found: dict[str, Lists] = {"extended": defaultdict(list), "cancelled": defaultdict(list)}
    for (directive, task, title, level, key, lead_id, kind, decision, old, new, day, n,
         revision) in sorted(conn.execute(query), key=lambda r: (r[10], r[0], r[1])):
        one = n == 1
        change = Change(key if one else f"{directive}/{task}", title,
                        lead_id if one else None, names.get(lead_id, "") if one else "",
                        level, n, decision, old, new if kind == "extended" else None, day,
                        bool(revision))
        _both(found[kind], directive, change)
    return found["extended"], found["cancelled"]
