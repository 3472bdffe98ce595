"""Schema revision 0008 (page snapshots): a database at the revision before it upgrades
with every row kept, and keeps the day's pages afterwards."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, MetaData, insert, select

from dirtrack.store.engine import make_engine
from dirtrack.store.migrate import create_schema, head, read_state, upgrade

from .schema_support import columns_of, down_revision_of, every_row

AT = datetime(2024, 6, 1, 3, 0, tzinfo=UTC)



def _rows_before(engine: Engine) -> None:
    """A jurisdiction with a unit and a kept review, in the tables of that revision."""
    meta = MetaData()
    with engine.begin() as conn:
        meta.reflect(conn)
        conn.execute(insert(meta.tables["jurisdiction"]).values(
            id="tiny", name="Tỉnh Nhỏ", language="vi", channels="{}",
            extension_requests="escalate"))
        conn.execute(insert(meta.tables["unit"]).values(
            id="prov", jurisdiction="tiny", name="Tỉnh ủy", level="province", kind="party",
            email=""))
        conn.execute(insert(meta.tables["review_snapshot"]).values(
            jurisdiction="tiny", quarter="2024-Q2", as_of=date(2024, 7, 1), directive="",
            event_mark=0, event_count=0, outbox_mark=0, outbox_count=0, instance_mark=0,
            load_mark=0, context="", built_at=AT, data="{}"))


def test_a_database_at_the_revision_before_upgrades_with_every_row_kept(db_url: str):
    from dirtrack.pages_kept import P, dashboard

    engine = make_engine(db_url, create=False)  # empty, not made at the newest revision
    down = down_revision_of("0008")
    with engine.begin() as conn:
        create_schema(conn, down)
    _rows_before(engine)
    rows = every_row(engine)
    assert "page_snapshot" not in rows
    assert sum(len(t["rows"]) for t in rows.values()) == 3

    done = upgrade(engine)

    assert (done.before.state, done.before.revision, done.revision) == ("behind", down, head())
    with engine.connect() as conn:
        assert read_state(conn).state == "current"
    assert every_row(engine, columns_of(rows)) == rows
    board = dashboard(engine, date(2024, 7, 1))
    assert board.totals.total == 0
    with engine.connect() as conn:
        assert conn.execute(select(P.c.page, P.c.question, P.c.as_of)).all() == [
            ("dashboard", "", date(2024, 7, 1))]
    engine.dispose()
