"""Revision 0004 (indicators, and the extension-request rule of a jurisdiction) upgrades a
database made at the revision below it with every row kept, on SQLite and PostgreSQL.

The rows are this release's own (the demo directives loaded, an event of every kind
including a request, a refusal and a difficulty, users and a token), copied into a
database made at the revision named by the module's ``down_revision``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from sqlalchemy import MetaData, insert

from dirtrack.store.engine import make_engine
from dirtrack.store.migrate import create_schema, schema_lock, upgrade

from ..conftest import Cli, fresh_database
from .schema_support import columns_of, every_row, schema_of

REVISION = importlib.import_module(
    "dirtrack.store.migrations.versions.0004_indicators_and_requests")


def _load(cli: Cli) -> None:
    for args in (("load", "directives", "--on", "2024-04-15"),
                 ("progress", "nb-2024-q2/supervision-programme", "--unit", "fatherland-front",
                  "--percent", "60", "--on", "2024-06-01"),
                 ("done", "nb-2024-q2/planning-218", "--unit", "planning-investment",
                  "--on", "2024-06-05"),
                 ("verify", "nb-2024-q2/planning-218", "--return", "--reason", "No list",
                  "--on", "2024-06-07"),
                 ("request-extension", "nb-2024-q2/circular-05", "--unit", "peoples-committee",
                  "--to", "2024-08-31", "--reason", "Chờ hướng dẫn", "--on", "2024-06-08"),
                 ("refuse-extension", "nb-2024-q2/circular-05", "--reason", "Đủ thời gian",
                  "--on", "2024-06-09"),
                 ("extend", "nb-2024-q2/circular-05", "--to", "2024-07-31", "--decision",
                  "1030/QĐ-UBND", "--on", "2024-06-10"),
                 ("difficulty", "nb-2024-q2/circular-05", "--unit", "peoples-committee",
                  "--note", "Thiếu kinh phí", "--on", "2024-06-11"),
                 ("user", "add", "chair", "--role", "steering", "--no-password"),
                 ("user", "token", "chair")):
        assert cli(*args).exit_code == 0, args


def test_revision_0004_upgrades_a_database_made_at_its_down_revision(db_url: str, cli: Cli,
                                                                      engine, tmp_path: Path):
    assert REVISION.revision == "0004"  # upgraded below to the newest revision
    _load(cli)
    made = every_row(engine)
    kind = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    with fresh_database(kind, tmp_path / "below") as old_url:
        old = make_engine(old_url, create=False)
        with schema_lock(old) as conn:
            create_schema(conn, REVISION.down_revision)
        meta = MetaData()
        meta.reflect(old)
        with old.begin() as conn:
            for name, table in meta.tables.items():
                if name in made and made[name]["rows"]:
                    cols = made[name]["columns"]
                    keep = [c for c in cols if c in table.c]
                    conn.execute(insert(table), [
                        {c: row[cols.index(c)] for c in keep} for row in made[name]["rows"]])
        before = every_row(old)
        assert "indicator_value" not in before
        assert "indicators" not in before["task"]["columns"]
        events = before["event"]
        assert [r[events["columns"].index("kind")] for r in events["rows"]] == [
            "progress", "done", "returned", "requested", "refused", "extended", "difficulty"]

        upgrade(old)

        assert every_row(old, columns_of(before)) == before  # every row of every table
        after = every_row(old)
        task, jur = after["task"], after["jurisdiction"]
        assert {r[task["columns"].index("indicators")] for r in task["rows"]} == {""}
        assert {r[jur["columns"].index("extension_requests")] for r in jur["rows"]} == {
            "escalate"}
        assert after["indicator_value"]["rows"] == []
        assert schema_of(old) == schema_of(engine)  # as a database made at the newest
        old.dispose()
