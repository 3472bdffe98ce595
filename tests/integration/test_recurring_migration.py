"""Revision 0005 (repeating tasks): a database made at the revision it follows upgrades
with every row kept, the new columns empty and the new tables ready, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import inspect, text

from dirtrack.store.engine import make_engine
from dirtrack.store.migrate import create_schema, head, schema_lock, upgrade

from .schema_support import columns_of, down_revision_of, every_row


def test_the_database_before_it_upgrades_with_every_row_kept(db_url):
    engine = make_engine(db_url, create=False)
    before_revision = down_revision_of("0005")
    with schema_lock(engine) as conn:
        create_schema(conn, before_revision)
        # the columns of the revision before that have no default (indicators: since 0004)
        more = [c for c in ("indicators",)
                if c in {col["name"] for col in inspect(conn).get_columns("task")}]
        conn.execute(text(
            "INSERT INTO task (pk, directive_id, task_id, title, lead_id, support, sector, "
            "deliverable, due_text, depends_on, position, removed"
            + "".join(f", {c}" for c in more) + ") VALUES (1, 'nb', 'book', "
            "'Sách 100 mô hình', 'p', '', 'political-system', '', '2024-Q2', '', 0, false"
            + ", ''" * len(more) + ")"))
        conn.execute(text(
            "INSERT INTO task_instance (pk, key, directive_id, task_pk, lead_id, due_on, "
            "spec_lead_id, spec_due_on, created_on, lag_days, slack_days, critical, removed) "
            "VALUES (1, 'nb/book', 'nb', 1, 'p', :due, 'p', :due, :on, 0, 3, false, false)"),
            {"due": date(2024, 6, 30), "on": date(2024, 4, 15)})
    old = every_row(engine)

    done = upgrade(engine)

    assert (done.before.revision, done.revision) == (before_revision, head())
    new = every_row(engine)
    assert every_row(engine, columns_of(old)) == old  # every row and column as it was
    assert new["task"]["columns"][-1] == "repeat"
    assert new["task"]["rows"][0][-1] is None
    assert new["task_instance"]["columns"][-1] == "period"
    assert new["task_instance"]["rows"][0][-1] is None
    assert new["occurrence"]["rows"] == [] and new["occurrence_dependency"]["rows"] == []
    engine.dispose()
