"""Schema revision 0006 (calendar feeds): a database at the revision before it upgrades
with every row kept, and takes feeds afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, MetaData, insert, select

from dirtrack.store.engine import make_engine
from dirtrack.store.migrate import create_schema, head, read_state, upgrade
from dirtrack.users import digest

from .schema_support import columns_of, down_revision_of, every_row

AT = datetime(2024, 6, 1, 3, 0, tzinfo=UTC)



def _rows_before(engine: Engine) -> None:
    """Users, tokens and sessions, as a deployment has them, in the tables of that revision."""
    meta = MetaData()
    with engine.begin() as conn:
        meta.reflect(conn)
        users, tokens = meta.tables["app_user"], meta.tables["api_token"]
        sessions = meta.tables["web_session"]
        conn.execute(insert(users), [
            {"id": 1, "name": "tuyengiao.chuyenvien", "role": "officer",
             "unit_id": "propaganda-department", "password_hash": "", "created_at": AT,
             "active": True},
            {"id": 2, "name": "bch.thuongtruc", "role": "steering", "unit_id": None,
             "password_hash": "", "created_at": AT, "active": False}])
        conn.execute(insert(tokens), [{"id": 7, "user_id": 1, "token_hash": digest("dt_a"),
                                       "created_at": AT, "expires_at": None,
                                       "revoked_at": None}])
        conn.execute(insert(sessions), [{"id": digest("s"), "user_id": 2, "created_at": AT,
                                         "last_seen_at": AT, "ended_at": AT}])


def test_a_database_at_the_revision_before_upgrades_with_every_row_kept(db_url: str):
    from dirtrack.feeds import FEEDS, feed_unit, new_feed

    engine = make_engine(db_url, create=False)  # empty, not made at the newest revision
    down = down_revision_of("0006")
    with engine.begin() as conn:
        create_schema(conn, down)
    _rows_before(engine)
    rows = every_row(engine)
    assert "calendar_feed" not in rows
    assert sum(len(t["rows"]) for t in rows.values()) == 4

    done = upgrade(engine)

    assert (done.before.state, done.before.revision, done.revision) == ("behind", down, head())
    with engine.connect() as conn:
        assert read_state(conn).state == "current"
    assert every_row(engine, columns_of(rows)) == rows
    feed = new_feed(engine, "tuyengiao.chuyenvien", now=AT)
    assert feed_unit(engine, feed.token) == "propaganda-department"
    with engine.connect() as conn:
        assert conn.execute(select(FEEDS.c.user_id, FEEDS.c.token_hash)).all() == [
            (1, digest(feed.token))]
    engine.dispose()
