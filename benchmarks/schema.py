"""Schema upgrades, backups and restores: how long they take on a big database.

Builds national directives from ``benchmarks.generate`` with their ledger (by default
10 directives over 4 provinces, ~120,000 instances and ~75,000 events; ``--provinces
34`` gives the ~1,000,000 instances of ``benchmarks.run``) on SQLite, then times:

1. ``db backup`` of it, its restore into PostgreSQL, the backup of that, and its
   restore into a new SQLite file; each restore checks every table's count;
2. ``db upgrade`` of both as the first release left them (no version table: recognised
   and stamped), then through a revision on top that adds a column to the ledger's
   table (on SQLite the table is rebuilt and copied, as dropping or altering a column
   needs; PostgreSQL adds it in place).

    .venv/bin/python -m benchmarks.schema [--provinces N] [--directives N] [--no-postgres]
"""

from __future__ import annotations

import argparse
import tempfile
import textwrap
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.escalation import build
from benchmarks.run import Database, heading, postgres_database, sqlite_database


def timed(label: str, call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = call()
    print(f"  {label:<64} {time.perf_counter() - start:>8.2f} s", flush=True)
    return result


def revision_on_top(folder: Path) -> tuple[Path, ...]:
    """A revision adding a column to the ledger's table, after the newest."""
    from dirtrack.store.migrate import head

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "9001_bench.py").write_text(textwrap.dedent(f'''\
        import sqlalchemy as sa
        from alembic import op

        revision = "bench_on_top"
        down_revision = "{head()}"


        def upgrade() -> None:
            copy = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
            with op.batch_alter_table("event", recreate=copy) as batch:
                batch.add_column(sa.Column("checked", sa.Boolean(), nullable=False,
                                           server_default=sa.false()))
        '''))
    return (folder,)


def run(provinces: int, directives: int, use_postgres: bool) -> None:
    from dirtrack.store.backup import backup, restore
    from dirtrack.store.engine import make_engine
    from dirtrack.store.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="dirtrack-schema-") as tmp:
        work = Path(tmp)
        source = sqlite_database(work)
        heading(f"Build {directives} directives over {provinces} provinces on SQLite")
        instances = timed("build (load, ledger, spans)",
                          lambda: build(source, work / "ws", directives, provinces))
        print(f"  {instances:,} instances", flush=True)

        heading("Backup and restore")
        first = work / "sqlite.jsonl.gz"
        summary = timed("[sqlite] db backup", lambda: backup(source.engine, first))
        rows = sum(summary.counts.values())
        print(f"  {rows:,} rows ({summary.counts['event']:,} events), "
              f"{summary.size / 2**20:.1f} MB", flush=True)
        target: Database | None = postgres_database() if use_postgres else None
        if target is not None:  # a new schema, made at the newest revision, empty
            timed("[postgresql] db restore of the SQLite backup",
                  lambda: restore(target.engine, first))
            second = work / "postgresql.jsonl.gz"
            timed("[postgresql] db backup", lambda: backup(target.engine, second))
            back = make_engine(f"sqlite:///{work / 'back.db'}", create=False)
            timed("[sqlite] db restore of the PostgreSQL backup", lambda: restore(back, second))
            back.dispose()

        heading("Upgrade")
        databases = [source] + ([target] if target is not None else [])
        for db in databases:
            with db.engine.begin() as conn:  # as the first release left it
                conn.exec_driver_sql("DROP TABLE alembic_version")
            timed(f"[{db.name}] db upgrade of a first release's database (stamp)",
                  partial(upgrade, db.engine))
            timed(f"[{db.name}] db upgrade through a revision adding a ledger column",
                  partial(upgrade, db.engine, revision_on_top(work / "versions")))
            db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=4)
    parser.add_argument("--directives", type=int, default=10)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    run(args.provinces, args.directives, not args.no_postgres)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
