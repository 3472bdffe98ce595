"""``dirtrack plan``: the deadlines load would write, read from the files alone; and the
two-tier province where a cascade written for districts must fail, not load wrong."""

from __future__ import annotations

import json
from pathlib import Path

from .support import MINI, run_without_db, write_mini


def test_plan_collapses_fan_outs_per_task(project: Path) -> None:
    write_mini(project)

    run = run_without_db(project, "plan", MINI)

    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "mini: 1-KH/BTV Mini plan (issued 2024-04-01): 5 task(s), 14 instance(s), "
        "finishing 2024-06-30",
        "TASK        INSTANCES: DUE     RULE             LEAD     AFTER",
        "plan        1: 10/04/2024      2024-04-10       Sở A",
        "execute     1: 31/05/2024      2024-05-31       Sở B     plan",
        "report      1: 30/06/2024      2024-06-30       Sở A",
        "grassroots  10 xã: 15/05/2024  2024-05-15       từng xã",
        "summary     1: 20/05/2024      grassroots + 5d  Sở B     grassroots (90%)",
    ]
    assert not (project / "unused.db").exists()


def test_plan_per_instance_and_as_json(project: Path) -> None:
    write_mini(project)

    lines = run_without_db(project, "plan", MINI, "--instances").stdout.splitlines()
    data = json.loads(run_without_db(project, "plan", MINI, "--json").stdout)

    assert lines[1].split() == ["INSTANCE", "DUE", "LEAD", "WAITS", "FOR"]
    assert lines[-1].split() == ["mini/summary", "20/05/2024", "Sở", "B", "grassroots", "10",
                                 "(90%)"]
    assert len(lines) == 2 + 14
    (mini,) = data
    summary = next(t for t in mini["tasks"] if t["task"] == "summary")
    assert summary == {"task": "summary", "title": "Summary of the grassroots meetings",
                       "for_each": None, "lead": "dept-b", "due": "grassroots + 5d",
                       "instances": 1, "first_due": "2024-05-20", "last_due": "2024-05-20",
                       "depends_on": [{"task": "grassroots", "at_least": 0.9}]}


TWO_TIER = """\
jurisdiction:
  name: "Tỉnh Thử Nghiệm"
units:
  - {id: prov, name: "Ban Thường vụ", level: province, kind: party}
  - {id: fatherland-front, name: "Ủy ban MTTQ tỉnh", level: province, kind: front, parent: prov}
  - {id: p1, name: "Phường Một", level: commune, kind: government, parent: prov}
  - {id: x2, name: "Xã Hai", level: commune, kind: government, parent: prov}
"""

CASCADE = """\
directive:
  id: mini
  number: "1-KH/BTV"
  kind: plan
  title: "Mini plan"
  issued_by: prov
  issued_on: 2025-08-01
tasks:
  - id: grassroots
    title: "Grassroots congress"
    for_each: commune
    sector: political-system
    due: 2025-10-31
  - id: district
    title: "District congress"
    for_each: district
    sector: political-system
    depends_on: [{task: grassroots, at_least: 90%}]
    due: grassroots + 30d
  - id: province
    title: "Provincial congress"
    lead: fatherland-front
    sector: political-system
    depends_on: [district]
    due: district + 45d
"""


def test_a_cascade_through_districts_in_a_two_tier_province_is_refused(cli, project: Path,
                                                                       engine) -> None:
    write_mini(project, directive=CASCADE, units=TWO_TIER)
    expected = [
        "mini/tiny/mini.yaml:24: depends_on: task 'province' depends on 'district', which has "
        "no instance: no district exists on 2025-08-01; remove 'district' from 'depends_on', "
        "or make it fan out over units that exist",
        "mini/tiny/mini.yaml:25: due: task 'province' counts its deadline from 'district', "
        "which has no instance: no district exists on 2025-08-01; remove 'district' from "
        "'due', or make it fan out over units that exist",
        "mini/tiny/mini.yaml:16: for_each: warning: task 'district' fans out over no unit: no "
        "district exists on 2025-08-01",
        "error: 2 error(s) found; nothing was written",
    ]
    for command in ("validate", "plan", "load"):
        run = cli(command, MINI, *(["--on", "2025-08-01"] if command == "load" else []))
        assert (run.exit_code, run.stdout, run.stderr.splitlines()) == (1, "", expected), command

    from sqlalchemy import inspect

    assert not inspect(engine).get_table_names() or cli("tasks").stdout == "no tasks\n"
