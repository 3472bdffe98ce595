"""How a dependency finds its prerequisite instances, and what it may never do: resolve to
nothing and count a deadline from the issue date (a deadline from nothing)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dirtrack.errors import ValidationFailed
from dirtrack.graph import Expansion
from tests.unit.builders import catalog, directive_yaml, jurisdiction, plan

D = "nb-2024-q2"

# A province after 1 July 2025: communes and wards directly under the province.
TWO_TIER = """\
jurisdiction:
  name: "Tỉnh Ninh Bình"
units:
  - {id: pc-standing, name: "Ban Thường vụ Tỉnh ủy", level: province, kind: party}
  - {id: fatherland-front, name: "Ủy ban MTTQ Việt Nam tỉnh", level: province, kind: front, parent: pc-standing}
  - {id: hoa-lu, name: "Phường Hoa Lư", level: commune, kind: government, parent: pc-standing}
  - {id: kim-son, name: "Xã Kim Sơn", level: commune, kind: government, parent: pc-standing}
  - {id: yen-mo, name: "Xã Yên Mô", level: commune, kind: government, parent: pc-standing}
"""  # noqa: E501


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def expand_two_tier(root: Path, tasks: str) -> Expansion:
    folder = jurisdiction(root, {"plan.yaml": directive_yaml(tasks)}, units=TWO_TIER)
    result = plan(folder, catalog(root))
    ((jur, spec),) = result.directives()
    return result.expansion(jur, spec)


def errors_of(root: Path, tasks: str) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        expand_two_tier(root, tasks)
    return [str(p) for p in caught.value.problems]


def test_a_dependency_on_a_fan_out_over_nothing_is_an_error(tmp_path: Path) -> None:
    # The Front's cascade written for three tiers, used in a province with no districts:
    # before, the provincial congress came out due 45 days after the issue date, unblocked.
    lines = errors_of(tmp_path, """
        - {id: grassroots, title: G, sector: political-system, due: 2024-05-31,
           for_each: commune}
        - {id: district, title: D, sector: political-system, for_each: district,
           depends_on: [{task: grassroots, at_least: 90%}], due: grassroots + 30d}
        - {id: province, title: P, lead: fatherland-front, sector: political-system,
           depends_on: [district], due: district + 45d}
    """)
    assert lines == [
        "nb/plan.yaml:14: depends_on: task 'province' depends on 'district', which has no "
        "instance: no district exists on 2024-04-05; remove 'district' from 'depends_on', "
        "or make it fan out over units that exist",
        "nb/plan.yaml:14: due: task 'province' counts its deadline from 'district', which "
        "has no instance: no district exists on 2024-04-05; remove 'district' from 'due', "
        "or make it fan out over units that exist",
        "nb/plan.yaml:11: for_each: warning: task 'district' fans out over no unit: no "
        "district exists on 2024-04-05",
    ]


def test_an_error_is_said_once_at_the_task_with_no_instance(tmp_path: Path) -> None:
    lines = errors_of(tmp_path, """
        - {id: district, title: D, sector: political-system, for_each: district,
           due: 2024-05-31}
        - {id: province, title: P, lead: pc-standing, sector: political-system,
           depends_on: [district], due: 2024-06-30}
        - {id: report, title: R, lead: pc-standing, sector: political-system,
           depends_on: [province], due: deps + 5d}
    """)
    assert [line.split(": ")[1] for line in lines] == ["depends_on", "for_each"]
    assert "task 'report'" not in "\n".join(lines)


def test_validate_reports_every_directive_with_a_dependency_on_nothing(
        tmp_path: Path) -> None:
    tasks = """
        - {id: district, title: D, sector: political-system, for_each: district,
           due: 2024-05-31}
        - {id: province, title: P, lead: pc-standing, sector: political-system,
           depends_on: [district], due: 2024-06-30}
    """
    folder = jurisdiction(tmp_path, {"a.yaml": directive_yaml(tasks, id="a"),
                                     "b.yaml": directive_yaml(tasks, id="b")},
                          units=TWO_TIER)
    with pytest.raises(ValidationFailed) as caught:
        plan(folder, catalog(tmp_path))
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert [(p.path, p.key) for p in errors] == [("nb/a.yaml", "depends_on"),
                                                 ("nb/b.yaml", "depends_on")]


def test_a_fan_out_over_nothing_that_nothing_needs_is_a_warning(tmp_path: Path) -> None:
    exp = expand_two_tier(tmp_path, """
        - {id: district, title: D, sector: political-system, for_each: district,
           due: 2024-05-31}
        - {id: province, title: P, lead: pc-standing, sector: political-system,
           due: 2024-06-30}
    """)
    assert [i.key for i in exp.instances] == [f"{D}/province"]
    assert [p.key for p in exp.warnings] == ["for_each"]


def test_a_two_tier_cascade_waits_for_the_communes(tmp_path: Path) -> None:
    exp = expand_two_tier(tmp_path, """
        - {id: grassroots, title: G, sector: political-system, due: 2024-05-31,
           for_each: commune}
        - {id: province, title: P, lead: fatherland-front, sector: political-system,
           depends_on: [{task: grassroots, at_least: 90%}], due: grassroots + 45d}
    """)
    province = {i.key: i for i in exp.instances}[f"{D}/province"]
    assert province.prerequisites == [("grassroots", 0.9, [
        f"{D}/grassroots@hoa-lu", f"{D}/grassroots@kim-son", f"{D}/grassroots@yen-mo"])]
    assert province.due_on == date(2024, 7, 15)  # 31 May + 45 days
    assert exp.warnings == []
