"""Small purpose-built jurisdictions written into the test's project folder.

Each helper writes plain YAML, so a test reads exactly what it loads. The mini
jurisdiction has one province, two departments, two districts and ten communes
(c01..c10) all inside district d1, plus c11 inside d2.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from dirtrack.store.tables import EventRow, InstanceRow, StateRow

MINI = "mini/tiny"  # the jurisdiction folder, relative to the project folder

UNITS = """\
jurisdiction:
  name: "Tỉnh Thử Nghiệm"
units:
  - {id: prov, name: "Ban Thường vụ", level: province, kind: party}
  - {id: dept-a, name: "Sở A", level: province, kind: government, parent: prov}
  - {id: dept-b, name: "Sở B", level: province, kind: government, parent: prov}
  - {id: d1, name: "Huyện Một", level: district, kind: government, parent: prov}
  - {id: d2, name: "Huyện Hai", level: district, kind: government, parent: prov}
""" + "".join(
    f'  - {{id: c{n:02d}, name: "Xã {n}", level: commune, kind: government, parent: d1}}\n'
    for n in range(1, 11)
) + '  - {id: c11, name: "Xã 11", level: commune, kind: government, parent: d2}\n'

# Issued on Monday 2024-04-01. Instances: plan, execute, report, summary and ten
# grassroots@c01..c10 (the fan-out is scoped to d1, so c11 gets none).
DIRECTIVE = """\
directive:
  id: mini
  number: "1-KH/BTV"
  kind: plan
  title: "Mini plan"
  issued_by: prov
  issued_on: 2024-04-01
tasks:
  - id: plan
    title: "Issue the plan"
    lead: dept-a
    sector: political-system
    due: 2024-04-10
  - id: execute
    title: "Carry out the plan"
    lead: dept-b
    sector: economic
    deliverable: "Report"
    depends_on: [plan]
    due: 2024-05-31
  - id: report
    title: "Report to the province"
    lead: dept-a
    sector: political-system
    due: 2024-06-30
  - id: grassroots
    title: "Grassroots meeting"
    for_each: commune
    scope: d1
    sector: political-system
    due: 2024-05-15
  - id: summary
    title: "Summary of the grassroots meetings"
    lead: dept-b
    sector: political-system
    depends_on: [{task: grassroots, at_least: 90%}]
    due: grassroots + 5d
"""

MINI_INSTANCES = 14


def write_mini(project: Path, directive: str = DIRECTIVE, units: str = UNITS) -> Path:
    """Write the mini jurisdiction into ``project``; return the directive file."""
    folder = project / MINI
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.yaml").write_text(textwrap.dedent(units), encoding="utf-8")
    target = folder / "mini.yaml"
    target.write_text(textwrap.dedent(directive), encoding="utf-8")
    return target


def counts(engine: Engine) -> tuple[int, int, int]:
    """Return the number of rows in task_instance, event and instance_state."""
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (InstanceRow.__table__, EventRow.__table__, StateRow.__table__)
        )


def events_of(engine: Engine, key: str) -> list[dict[str, Any]]:
    """Return the ledger events of instance ``key`` in ledger order."""
    I, E = InstanceRow.__table__, EventRow.__table__
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(
            select(E).join(I, I.c.pk == E.c.instance_pk).where(I.c.key == key)
            .order_by(E.c.effective_on, E.c.id))]


def instance_row(engine: Engine, key: str) -> dict[str, Any] | None:
    I = InstanceRow.__table__
    with engine.connect() as conn:
        row = conn.execute(select(I).where(I.c.key == key)).first()
    return dict(row._mapping) if row else None


def as_json(run: Any) -> Any:
    assert run.exit_code == 0, run.stderr
    return json.loads(run.stdout)


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in rows}


def load_mini(cli: Any, project: Path, on: str = "2024-04-01") -> None:
    """Write and load the mini jurisdiction; fail the test if loading does not succeed."""
    write_mini(project)
    run = cli("load", MINI, "--on", on)
    assert run.exit_code == 0, run.stderr
    assert run.stdout == f"mini: new, {MINI_INSTANCES} task instance(s)\n"


def run_without_db(project: Path, *args: str) -> Any:
    """Run ``dirtrack`` in-process in ``project`` for commands that need no database."""
    import os

    from typer.testing import CliRunner

    from dirtrack.cli import app

    old = Path.cwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(app, list(args), env={
            "DIRTRACK_DATABASE_URL": f"sqlite:///{project / 'unused.db'}"})
    finally:
        os.chdir(old)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result
