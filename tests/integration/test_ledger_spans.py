"""The ledger's fast path keeps the derived state exactly as a full rebuild computes it."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dirtrack.errors import DirtrackError
from dirtrack.store.ledger import record_event
from dirtrack.store.spans import rebuild_spans
from dirtrack.store.tables import InstanceRow, StateRow
from tests.integration.support import MINI, write_mini

S = StateRow.__table__
I = InstanceRow.__table__
TASK = "mini/execute"  # lead dept-b, due 2024-05-31

ACTIONS = st.lists(st.tuples(
    st.sampled_from(["progress", "done", "verified", "returned", "extended", "cancelled"]),
    st.integers(min_value=0, max_value=20),  # days after the previous action
    st.integers(min_value=0, max_value=100),  # percent, or days of extension
), min_size=1, max_size=12)


def _spans(engine) -> list[tuple]:
    with engine.connect() as conn:
        pk = conn.execute(select(I.c.pk).where(I.c.key == TASK)).scalar_one()
        return [tuple(r) for r in conn.execute(
            select(S).where(S.c.instance_pk == pk).order_by(S.c.valid_from))]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_appended_spans_equal_a_rebuild(cli, engine, actions) -> None:
    if cli("tasks", "--limit", "1").stdout.strip() == "no tasks":
        write_mini(cli.cwd)
        assert cli("load", MINI, "--on", "2024-04-01").exit_code == 0
    with engine.connect() as conn:
        pk = conn.execute(select(I.c.pk).where(I.c.key == TASK)).scalar_one()
    with engine.begin() as conn:  # start each example from a fresh ledger for the task
        conn.exec_driver_sql(f"DELETE FROM event WHERE instance_pk = {pk}")
        rebuild_spans(conn, [pk])
    day, due = date(2024, 4, 2), date(2024, 5, 31)
    for kind, gap, amount in actions:
        day += timedelta(days=gap)
        if kind == "extended":
            due += timedelta(days=1 + amount)
        try:
            record_event(engine, TASK, kind, on=day, unit="dept-b", percent=amount,
                         note="why", new_due=due, decision="1/QD")
        except DirtrackError:
            continue  # refused actions record nothing
    appended = _spans(engine)
    with engine.begin() as conn:
        rebuild_spans(conn, [pk])
    assert appended == _spans(engine)
