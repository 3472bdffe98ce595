"""Schema revision 0007 (a unit's locality): a database at the revision before it upgrades
with every row kept, and a load afterwards records which units share a place."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, MetaData, insert, select

from dirtrack.store.engine import make_engine
from dirtrack.store.migrate import create_schema, head, read_state, upgrade
from dirtrack.store.tables import UnitRow

from .schema_support import columns_of, down_revision_of, every_row

U = UnitRow.__table__  # type: ignore[attr-defined]



def _rows_before(engine: Engine) -> None:
    """Units as a deployment has them, in the table of that revision."""
    meta = MetaData()
    with engine.begin() as conn:
        meta.reflect(conn)
        conn.execute(insert(meta.tables["unit"]), [
            {"id": "hy-pc-standing", "jurisdiction": "hung-yen", "name": "Ban Thường vụ Tỉnh ủy",
             "level": "province", "kind": "party", "parent_id": None, "email": ""},
            {"id": "hy-pho-hien", "jurisdiction": "hung-yen", "name": "Phường Phố Hiến",
             "level": "commune", "kind": "government", "parent_id": "hy-pc-standing",
             "email": "phohien@example.vn"}])


def test_a_database_at_the_revision_before_upgrades_with_every_row_kept(
        db_url: str, project: Path) -> None:
    from datetime import date

    from dirtrack.plan import read_plan
    from dirtrack.store.sync import load_plan

    engine = make_engine(db_url, create=False)  # empty, not made at the newest revision
    down = down_revision_of("0007")
    with engine.begin() as conn:
        create_schema(conn, down)
    _rows_before(engine)
    rows = every_row(engine)
    assert "locality" not in rows["unit"]["columns"]
    assert len(rows["unit"]["rows"]) == 2

    done = upgrade(engine)

    assert (done.before.state, done.before.revision, done.revision) == ("behind", down, head())
    with engine.connect() as conn:
        assert read_state(conn).state == "current"
        assert conn.execute(select(U.c.id, U.c.locality).order_by(U.c.id)).all() == [
            ("hy-pc-standing", None), ("hy-pho-hien", None)]
    assert every_row(engine, columns_of(rows)) == rows

    load_plan(engine, read_plan(project / "directives" / "hung-yen"), on=date(2025, 7, 1))
    with engine.connect() as conn:
        assert conn.execute(select(U.c.id).where(U.c.locality == "hy-pho-hien")
                            .order_by(U.c.id)).scalars().all() == [
            "hy-pho-hien", "hy-pho-hien-front", "hy-pho-hien-party"]
    engine.dispose()
