"""Backups: the demo database round-trips between SQLite and PostgreSQL with every row
equal; a backup is one snapshot; a restore fills only a new database, checks its counts,
upgrades an older backup, and refuses what it cannot do in one line, changing nothing."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dirtrack.store import backup as backup_module
from dirtrack.store.backup import backup, read_header, restore
from dirtrack.store.engine import make_engine
from dirtrack.store.ledger import record_event
from dirtrack.store.migrate import head, read_state, shown_url

from ..conftest import Cli, fresh_database
from .schema_support import (
    TEST_REVISION,
    build_demo,
    columns_of,
    counts_of,
    every_row,
    write_revision,
)

OTHER = {"sqlite": "postgresql", "postgresql": "sqlite"}


def _kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def _assert_same_rows(found: dict, expected: dict) -> None:
    assert sorted(found) == sorted(expected)
    for table in expected:  # table by table, so a failure names its table
        assert found[table] == expected[table], table


def _state(engine: Engine) -> str:
    with engine.connect() as conn:
        return read_state(conn).state


def _rewrite(path: Path, target: Path, **header: object) -> Path:
    """Copy a backup with some of its header's fields replaced."""
    with gzip.open(path, "rb") as source:
        lines = source.readlines()
    first = {**json.loads(lines[0]), **header}
    with gzip.open(target, "wb") as out:
        out.write(json.dumps(first).encode() + b"\n" + b"".join(lines[1:]))
    return target


def _table_lines(run_stdout: str) -> dict[str, int]:
    lines = run_stdout.splitlines()
    assert lines[0].split() == ["TABLE", "ROWS"]
    return {name: int(rows.replace(",", "")) for name, rows in
            (line.split() for line in lines[1:-1])}


@pytest.mark.parametrize("origin", ["sqlite", "postgresql"])
def test_the_demo_database_round_trips_to_the_other_engine_and_back(origin: str,
                                                                     project: Path,
                                                                     tmp_path: Path):
    with fresh_database(origin, tmp_path / "origin") as origin_url:
        build_demo(Cli(origin_url, project), tmp_path)
        source = make_engine(origin_url)
        rows = every_row(source)
        assert all(counts_of(rows).values()), counts_of(rows)  # something in every table
        statuses = Cli(origin_url, project)("status", "--json", "--as-of", "2024-07-31").stdout
        first = tmp_path / "first.jsonl.gz"
        taken = Cli(origin_url, project)("db", "backup", str(first))
        assert taken.exit_code == 0, taken.stderr
        assert _table_lines(taken.stdout) == counts_of(rows)
        assert taken.stdout.splitlines()[-1].startswith(
            f"backup of {shown_url(source)} at revision {head()} written to {first}: "
            f"{sum(counts_of(rows).values()):,} rows in {len(rows)} tables, ")

        with fresh_database(OTHER[origin], tmp_path / "other") as other_url:
            other_cli = Cli(other_url, project)
            restored = other_cli("db", "restore", str(first))
            assert restored.exit_code == 0, restored.stderr
            other = make_engine(other_url)
            assert _table_lines(restored.stdout) == counts_of(rows)
            assert restored.stdout.splitlines()[-1].startswith(
                f"restored {first} (revision {head()}, taken ")
            assert f"into {shown_url(other)}: {sum(counts_of(rows).values()):,} rows in " \
                   f"{len(rows)} tables, each as many as in the backup, in " in restored.stdout
            _assert_same_rows(every_row(other), rows)
            assert other_cli("status", "--json", "--as-of", "2024-07-31").stdout == statuses
            second = tmp_path / "second.jsonl.gz"
            assert other_cli("db", "backup", str(second)).exit_code == 0

            # New rows take ids after the restored ones (PostgreSQL's sequences were set).
            events = max(r[0] for r in rows["event"]["rows"])
            assert other_cli("progress", "nb-2024-q2/circular-05", "--unit", "peoples-committee",
                             "--percent", "20", "--on", "2024-06-15").exit_code == 0
            assert other_cli("user", "add", "reader", "--role", "viewer",
                             "--no-password").exit_code == 0
            after = every_row(other)
            assert after["event"]["rows"][-1][0] == events + 1
            assert after["app_user"]["rows"][-1][0] == max(r[0] for r in rows["app_user"]["rows"]
                                                           ) + 1
            other.dispose()

        with fresh_database(origin, tmp_path / "back") as back_url:
            assert Cli(back_url, project)("db", "restore", str(second)).exit_code == 0
            back = make_engine(back_url)
            _assert_same_rows(every_row(back), rows)
            back.dispose()
        source.dispose()


def test_a_backup_is_one_snapshot(engine: Engine, cli: Cli, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch):
    assert cli("load", "directives/ninh-binh", "--on", "2024-04-15").exit_code == 0
    rows = every_row(engine)
    write_table = backup_module._write_table

    def write_then_record(conn, table, out):  # type: ignore[no-untyped-def]
        written = write_table(conn, table, out)
        if table.name == "delivery":  # before the ledger's table is read
            record_event(engine, "nb-2024-q2/circular-05", "progress", on=date(2024, 6, 15),
                         unit="peoples-committee", percent=20)
        return written

    monkeypatch.setattr(backup_module, "_write_table", write_then_record)
    taken = backup(engine, tmp_path / "b.jsonl.gz")

    assert taken.counts == counts_of(rows)
    assert len(every_row(engine)["event"]["rows"]) == 1  # recorded, but after the snapshot
    with fresh_database(_kind(str(engine.url)), tmp_path / "restored") as url:
        target = make_engine(url, create=False)
        restore(target, tmp_path / "b.jsonl.gz")
        _assert_same_rows(every_row(target), rows)
        target.dispose()


def test_an_older_backup_is_restored_then_upgraded(engine: Engine, cli: Cli, tmp_path: Path):
    assert cli("load", "directives/ninh-binh", "--on", "2024-04-15").exit_code == 0
    assert cli("user", "add", "chair", "--role", "steering", "--no-password").exit_code == 0
    rows = every_row(engine)
    backup(engine, tmp_path / "b.jsonl.gz")
    extra = (write_revision(tmp_path / "versions", head()),)

    with fresh_database(_kind(str(engine.url)), tmp_path / "restored") as url:
        target = make_engine(url, create=False)
        done = restore(target, tmp_path / "b.jsonl.gz", extra)

        assert (done.revision, done.upgraded_to) == (head(), TEST_REVISION)
        assert done.counts == counts_of(rows)
        _assert_same_rows(every_row(target, columns_of(rows)), rows)
        users = every_row(target)["app_user"]
        assert users["rows"][0][users["columns"].index("display_name")] == "CHAIR"
        target.dispose()


# ----------------------------------------------------------------------------- refusals


@pytest.fixture
def taken(engine: Engine, cli: Cli, tmp_path: Path) -> Path:
    """A backup of the Ninh Bình directives."""
    assert cli("load", "directives/ninh-binh", "--on", "2024-04-15").exit_code == 0
    path = tmp_path / "taken.jsonl.gz"
    assert cli("db", "backup", str(path)).exit_code == 0
    return path


def test_restore_refuses_a_database_that_holds_rows(engine: Engine, cli: Cli, taken: Path):
    rows = every_row(engine)

    run = cli("db", "restore", str(taken))

    assert (run.exit_code, run.stderr) == (1, (
        f"error: database {shown_url(engine)} is not empty (it holds "
        f"{sum(counts_of(rows).values()):,} rows); restore into a new database: a new SQLite "
        "file, or an empty PostgreSQL database or schema\n"))
    assert every_row(engine) == rows


def test_restore_refuses_a_backup_of_a_later_revision(taken: Path, project: Path,
                                                      tmp_path: Path, db_url: str):
    later = _rewrite(taken, tmp_path / "later.jsonl.gz", revision="0999")
    with fresh_database(_kind(db_url), tmp_path / "target") as url:
        run = Cli(url, project)("db", "restore", str(later))

        assert (run.exit_code, run.stderr) == (1, (
            f"error: {later} is a backup of schema revision 0999, which this dirtrack does "
            f"not know (its newest is {head()}); restore it with the release that took it\n"))
        if url.startswith("sqlite"):
            assert not (tmp_path / "target" / "dirtrack.db").exists()
        else:
            assert _state(make_engine(url, create=False)) == "empty"


def test_restore_with_counts_unlike_the_backup_restores_nothing(taken: Path, project: Path,
                                                                 tmp_path: Path, db_url: str):
    counts = read_header(taken)["tables"]
    instances = counts["task_instance"]
    wrong = _rewrite(taken, tmp_path / "wrong.jsonl.gz",
                     tables={**counts, "task_instance": instances + 1})
    with fresh_database(_kind(db_url), tmp_path / "target") as url:
        run = Cli(url, project)("db", "restore", str(wrong))

        assert (run.exit_code, run.stderr) == (1, (
            f"error: the restored rows differ from the backup (task_instance: {instances + 1:,} "
            f"in the backup, {instances:,} restored); nothing was restored\n"))
        assert _state(make_engine(url, create=False)) == "empty"  # not even the tables


def test_restore_of_a_cut_file_restores_nothing(taken: Path, project: Path, tmp_path: Path,
                                                db_url: str):
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(taken.read_bytes()[: taken.stat().st_size // 2])
    with fresh_database(_kind(db_url), tmp_path / "target") as url:
        run = Cli(url, project)("db", "restore", str(cut))

        assert run.exit_code == 1
        assert run.stderr.startswith(f"error: {cut} is damaged at line ")
        assert run.stderr.endswith("; nothing was restored\n")
        assert len(run.stderr.splitlines()) == 1
        assert _state(make_engine(url, create=False)) == "empty"


def test_restore_refuses_a_file_that_is_not_a_backup(cli: Cli, tmp_path: Path):
    plain = tmp_path / "notes.txt"
    plain.write_text("not a backup\n")
    packed = tmp_path / "other.json.gz"
    packed.write_bytes(gzip.compress(b'{"format": "something else"}\n'))

    for path, reason in ((plain, "not gzip-compressed"),
                         (packed, "it has no dirtrack-backup header"),
                         (tmp_path / "missing.gz", None)):
        run = cli("db", "restore", str(path))
        expected = (f"error: {path} is not a dirtrack backup ({reason})\n" if reason else
                    f"error: cannot use {path}: No such file or directory\n")
        assert (run.exit_code, run.stderr) == (1, expected)


def test_backup_never_overwrites_a_file(cli: Cli, taken: Path):
    before = taken.read_bytes()

    run = cli("db", "backup", str(taken))

    assert (run.exit_code, run.stderr) == (1, (
        f"error: {taken} exists; a backup never overwrites a file: choose a new name\n"))
    assert taken.read_bytes() == before


def test_backup_of_an_empty_database_is_refused(engine: Engine, cli: Cli, tmp_path: Path):
    with engine.begin() as conn:
        for table in ("alembic_version", *sorted(every_row(engine))):
            conn.exec_driver_sql(f"DROP TABLE {table}")

    run = cli("db", "backup", str(tmp_path / "b.jsonl.gz"))

    assert (run.exit_code, run.stderr) == (1, (
        f"error: database {shown_url(engine)} is empty: nothing to back up\n"))
    assert not (tmp_path / "b.jsonl.gz").exists()
