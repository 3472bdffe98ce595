"""What the schema and backup tests share: a database built by the first release, every
row of a database, its schema as the engine describes it, and a revision on top.

The first release is commit 141b923, unpacked from this clone's history (CI clones the
whole history); its own code builds the database (``first_release_build.py``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tarfile
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select

ROOT = Path(__file__).resolve().parents[2]
FIRST_RELEASE = "141b923"
BUILDER = Path(__file__).with_name("first_release_build.py")
TEST_REVISION = "test_on_top"


def down_revision_of(revision: str) -> str:
    """Return the revision ``revision`` follows, as its own file says: merges may re-chain
    the line, so an upgrade test starts from what the file names, not a number it assumes."""
    from dirtrack.store.migrate import MIGRATIONS

    (path,) = (MIGRATIONS / "versions").glob(f"{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"revision_{revision}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.revision == revision
    return str(module.down_revision)


def unpack_first_release(folder: Path) -> Path:
    """Unpack the first release's tree into ``folder``; return it (fail in CI without it)."""
    found = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e",
                            f"{FIRST_RELEASE}^{{commit}}"], capture_output=True)
    if found.returncode != 0:
        message = (f"the first release's commit {FIRST_RELEASE} is not in this clone's history "
                   "(a shallow clone?); fetch it with 'git fetch --unshallow' to test upgrades "
                   "from it")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    archive = folder / "release.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), FIRST_RELEASE],
                   check=True)
    tree = folder / "release"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def build_first_release(tree: Path, url: str, folder: Path) -> dict[str, Any]:
    """Build a database at ``url`` with the first release's own code; return what it
    printed: its ``status --json`` by date."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("DIRTRACK_NOW", None)
    run = subprocess.run([sys.executable, str(BUILDER), url, str(folder)], cwd=tree, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"the first release could not build its database:\n{run.stderr}"
    built: dict[str, Any] = json.loads(run.stdout.splitlines()[-1])
    assert built["dirtrack"] == str(tree / "dirtrack" / "__init__.py")  # its code, not ours
    return built


def first_release_schema(engine: Engine) -> None:
    """Make the first release's tables in an empty database, as it left them: no version
    table; one unit in them."""
    from dirtrack.store.migrate import BASELINE, create_schema, schema_lock

    with schema_lock(engine) as conn:
        create_schema(conn, BASELINE)
        conn.exec_driver_sql("DROP TABLE alembic_version")
        conn.exec_driver_sql("INSERT INTO unit (id, jurisdiction, name, level, kind, email) "
                             "VALUES ('prov', 'tinh', 'Tỉnh', 'province', 'party', '')")


def _plain(value: Any) -> Any:
    """A value as both engines give it back: times as naive UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def every_row(engine: Engine, columns: dict[str, list[str]] | None = None,
              ) -> dict[str, dict[str, Any]]:
    """Return each table's columns and rows in primary-key order (only ``columns`` of the
    tables they name, when given), the version table aside."""
    meta = MetaData()
    out: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        meta.reflect(conn)
        for name, table in sorted(meta.tables.items()):
            if name == "alembic_version" or (columns is not None and name not in columns):
                continue
            names = columns[name] if columns is not None else [c.name for c in table.columns]
            query = select(*(table.c[n] for n in names)).order_by(*table.primary_key.columns)
            rows = [tuple(_plain(v) for v in row) for row in conn.execute(query)]
            out[name] = {"columns": names, "rows": rows}
    return out


def columns_of(rows: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    return {name: table["columns"] for name, table in rows.items()}


def counts_of(rows: dict[str, dict[str, Any]]) -> dict[str, int]:
    return {name: len(table["rows"]) for name, table in rows.items()}


def schema_of(engine: Engine) -> dict[str, Any]:
    """Return the schema as the engine itself describes it: every table, column, type,
    default, constraint, index and sequence (the version table aside)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            found = conn.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master "
                "WHERE tbl_name <> 'alembic_version' ORDER BY type, name").all()
            return {"sqlite_master": [(kind, name, table, _sqlite_ddl(sql))
                                      for kind, name, table, sql in found]}
        queries = {
            "columns": "SELECT table_name, column_name, ordinal_position, data_type, "
                       "is_nullable, column_default, character_maximum_length, "
                       "numeric_precision, datetime_precision FROM information_schema.columns "
                       "WHERE table_schema = current_schema() AND table_name <> "
                       "'alembic_version' ORDER BY 1, 3",
            "constraints": "SELECT conrelid::regclass::text, conname, contype, "
                           "pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE connamespace = current_schema()::regnamespace "
                           "AND conrelid::regclass::text <> 'alembic_version' ORDER BY 1, 2",
            "indexes": "SELECT tablename, indexname, replace(indexdef, current_schema() || '.', "
                       "'') FROM pg_indexes WHERE schemaname = current_schema() "
                       "AND tablename <> 'alembic_version' ORDER BY 1, 2",
            "sequences": "SELECT sequence_name, data_type, start_value, increment "
                         "FROM information_schema.sequences "
                         "WHERE sequence_schema = current_schema() ORDER BY 1",
        }
        return {what: [tuple(r) for r in conn.exec_driver_sql(sql)]
                for what, sql in queries.items()}


def _sqlite_ddl(sql: str | None) -> str:
    """SQLite's text of a table or index, as any two ways of making it write it: a table
    rebuilt by a revision (copied, then renamed) has its name quoted."""
    sql = re.sub(r"\s+", " ", sql or "")
    return re.sub(r'^CREATE (TABLE|UNIQUE INDEX|INDEX) "(\w+)"', r"CREATE \1 \2", sql)


def write_revision(folder: Path, down_revision: str, *, fail: bool = False) -> Path:
    """Write a revision on top of ``down_revision`` into ``folder``; return the folder.

    It does what the next real revisions will: adds a column to the ledger's table and
    one, filled from another, to the users' table, with an index; on SQLite both tables
    are rebuilt and copied (batch mode), as dropping or altering a column needs. With
    ``fail`` it raises after all that, to show nothing of it stays.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"9001_{TEST_REVISION}.py").write_text(textwrap.dedent(f'''\
        """A revision on top of the newest, for the tests."""

        import sqlalchemy as sa
        from alembic import op

        revision = "{TEST_REVISION}"
        down_revision = "{down_revision}"


        def upgrade() -> None:
            copy = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
            with op.batch_alter_table("event", recreate=copy) as batch:
                batch.add_column(sa.Column("checked", sa.Boolean(), nullable=False,
                                           server_default=sa.false()))
            with op.batch_alter_table("app_user", recreate=copy) as batch:
                batch.add_column(sa.Column("display_name", sa.String(), nullable=False,
                                           server_default=""))
            op.execute("UPDATE app_user SET display_name = upper(name)")
            op.create_index("ix_app_user_display_name", "app_user", ["display_name"])
            if {fail!r}:
                raise RuntimeError("this revision fails half-way")
        '''), encoding="utf-8")
    return folder


DEMO_EVENTS = [  # the README's tour: an event of every kind
    ("progress", "nb-2024-q2/supervision-programme", "--unit", "fatherland-front",
     "--percent", "60", "--on", "2024-06-01",
     "--note", 'Ghi chú "trích dẫn",\tcột\ndòng mới \\ [1,2] {"a": null} ✓'),
    ("done", "nb-2024-q2/supervision-programme", "--unit", "fatherland-front",
     "--on", "2024-06-20", "--note", "Giám sát 12 xã", "--evidence", "Báo cáo 18/BC-MTTQ"),
    ("verify", "nb-2024-q2/supervision-programme", "--on", "2024-06-22"),
    ("done", "nb-2024-q2/planning-218", "--unit", "planning-investment", "--on", "2024-06-05"),
    ("verify", "nb-2024-q2/planning-218", "--return", "--reason", "No list of events attached",
     "--on", "2024-06-07"),
    ("extend", "nb-2024-q2/circular-05", "--to", "2024-07-31", "--decision", "1030/QĐ-UBND",
     "--on", "2024-06-10"),
    ("cancel", "nb-2024-q2/trang-an-programme", "--decision", "12-TB/TU", "--on", "2024-06-12"),
    ("progress", "hy-2025-q1-models/district-models@hy-my-hao", "--unit", "hy-my-hao",
     "--percent", "80", "--value", "models.economic=80", "--on", "2025-03-10"),
    ("user", "add", "chair", "--role", "steering", "--no-password"),
    ("user", "add", "kimson.vanphong", "--role", "officer", "--unit", "kim-son",
     "--no-password"),
    ("user", "token", "kimson.vanphong"),
    ("user", "token", "chair"),
    ("user", "calendar", "kimson.vanphong"),  # a calendar feed of the unit's deadlines
]


def build_demo(cli: Any, folder: Path) -> None:
    """Fill the database of ``cli`` with the demo directives and a row in every table:
    events of each kind, users and tokens, two deadline checks with their digests written
    to files, the day's dashboard kept, an evidence file's record, a login attempt and the
    web app's signing key."""
    from datetime import date

    from sqlalchemy import insert

    from dirtrack.alerts import deliver
    from dirtrack.escalation import check_deadlines
    from dirtrack.pages_kept import dashboard
    from dirtrack.store.engine import make_engine
    from dirtrack.store.ledger import record_event
    from dirtrack.store.tables import (
        EvidenceRow,
        LoginAttemptRow,
        OccurrenceDependencyRow,
        OccurrenceRow,
        SettingRow,
    )

    for args in (("load", "directives", "--on", "2024-04-15"), *DEMO_EVENTS):
        run = cli(*args)
        assert run.exit_code == 0, (args, run.stderr)
    engine = make_engine(cli.db_url)
    for day in (date(2024, 6, 1), date(2024, 7, 15)):
        check_deadlines(engine, day)
        deliver(engine, datetime.now(UTC), folder / "alerts")
    dashboard(engine, date(2024, 7, 15))  # the day's page, as the deadline-check flow keeps it
    done = record_event(engine, "nb-2024-q2/district-summary@kim-son", "done",
                        on=date(2024, 6, 14), unit="kim-son", note="Báo cáo tổng kết",
                        evidence="Báo cáo.pdf (sha256 5e2b1f0c9a7d)",
                        recorded_by="kimson.vanphong")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        pk = conn.exec_driver_sql("SELECT pk FROM task_instance WHERE key = "
                                  "'nb-2024-q2/district-summary@kim-son'").scalar_one()
        conn.execute(insert(EvidenceRow.__table__).values(  # type: ignore[attr-defined]
            instance_pk=pk, event_id=done.event_id, sha256="5e2b1f0c9a7d" + "0" * 52,
            filename="Báo cáo.pdf", content_type="application/pdf", size=2048,
            uploaded_by="kimson.vanphong", uploaded_at=now))
        conn.execute(insert(LoginAttemptRow.__table__).values(  # type: ignore[attr-defined]
            name="chair", address="127.0.0.1", at=now, ok=False))
        conn.execute(insert(SettingRow.__table__).values(  # type: ignore[attr-defined]
            key="session_key", value="k" * 64))
        # A repeating task's occurrence still waiting for its day (the demo's have all
        # opened by now), and a dependency waiting for it.
        task_pk = conn.exec_driver_sql("SELECT pk FROM task WHERE task_id = "
                                       "'commune-report'").scalar_one()
        waiting = "nb-2024-reports/commune-report~2024-12@hung-tien"
        conn.execute(insert(OccurrenceRow.__table__).values(  # type: ignore[attr-defined]
            key=waiting, directive_id="nb-2024-reports", task_pk=task_pk, unit_id="hung-tien",
            lead_id="hung-tien", due_on=date(2024, 12, 25), period="2024-12",
            opens_on=date(2024, 11, 1), lag_days=0, slack_days=0, critical=False))
        conn.execute(insert(OccurrenceDependencyRow.__table__).values(  # type: ignore[attr-defined]
            instance_key="nb-2024-q2/district-summary@kim-son", prereq_key=waiting,
            directive_id="nb-2024-reports", prereq_task="commune-report", at_least=0.9))
        # A share that takes all 17 digits to write back exactly: a third of the communes.
        conn.exec_driver_sql("UPDATE dependency SET at_least = 1.0 / 3 WHERE at_least < 1")
    from dirtrack.users import list_users
    from dirtrack.web.security import open_session

    chair = next(s.user for s in list_users(engine) if s.user.name == "chair")
    open_session(engine, chair, now)  # a web login kept on the server
    from dirtrack.review import build_review

    build_review(engine, "ninh-binh", "2024-Q2", date(2024, 7, 1))  # a review kept for reuse
    engine.dispose()
