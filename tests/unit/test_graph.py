"""Expansion of directive specs into instances: fan-out, dependencies, deadlines, slack."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dirtrack.graph import Expansion, Instance, expand
from tests.unit.builders import UNITS_YAML, catalog, directive_yaml, jurisdiction, plan

D = "nb-2024-q2"


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def expand_yaml(root: Path, tasks: str, *, units: str = UNITS_YAML, calendar: str | None = None,
                issued_on: str = "2024-04-05") -> Expansion:
    """Read one directive from YAML and expand it with dirtrack.graph.expand."""
    folder = jurisdiction(root, {"plan.yaml": directive_yaml(tasks, issued_on=issued_on)},
                          units=units, calendar=calendar)
    result = plan(folder, catalog(root), expand_all=False)
    ((jur, spec),) = result.directives()
    return expand(spec, result.registries[jur.id], jur.calendar)


def by_key(exp: Expansion) -> dict[str, Instance]:
    return {i.key: i for i in exp.instances}


def prereqs(inst: Instance) -> list[tuple[str, float, list[str]]]:
    return [(task, share, sorted(keys)) for task, share, keys in inst.prerequisites]


@pytest.fixture
def fan(tmp_path: Path) -> Expansion:
    return expand_yaml(tmp_path, """
        - {id: grassroots, title: G, sector: political-system, due: 2024-05-31, for_each: commune}
        - {id: kim-son-only, title: K, sector: political-system, due: 2024-05-31,
           for_each: commune, scope: kim-son}
        - id: district-congress
          title: District congress
          sector: political-system
          for_each: district
          depends_on: [{task: grassroots, at_least: 90%}]
          due: deps + 10wd
        - id: province-summary
          title: Province summary
          lead: fatherland-front
          sector: political-system
          depends_on: [grassroots]
          due: deps + 5d
        - id: commune-follow-up
          title: Commune follow-up
          lead: mass-mobilization-commission
          sector: political-system
          for_each: commune
          depends_on: [district-congress]
          due: deps + 3d
    """)


def test_instance_keys(fan: Expansion) -> None:
    assert [i.key for i in fan.instances] == [
        f"{D}/grassroots@hung-tien", f"{D}/grassroots@kim-dong", f"{D}/grassroots@yen-thang",
        f"{D}/district-congress@kim-son", f"{D}/district-congress@yen-mo",
        f"{D}/commune-follow-up@hung-tien", f"{D}/commune-follow-up@kim-dong",
        f"{D}/commune-follow-up@yen-thang",
        f"{D}/kim-son-only@hung-tien", f"{D}/kim-son-only@kim-dong",
        f"{D}/province-summary",
    ]


def test_fan_out_lead_is_each_unit_unless_given(fan: Expansion) -> None:
    inst = by_key(fan)
    assert (inst[f"{D}/grassroots@kim-dong"].unit, inst[f"{D}/grassroots@kim-dong"].lead) == (
        "kim-dong", "kim-dong")
    assert (inst[f"{D}/commune-follow-up@kim-dong"].unit,
            inst[f"{D}/commune-follow-up@kim-dong"].lead) == (
        "kim-dong", "mass-mobilization-commission")
    assert (inst[f"{D}/province-summary"].unit, inst[f"{D}/province-summary"].lead) == (
        None, "fatherland-front")


def test_district_depends_on_the_communes_inside_it_only(fan: Expansion) -> None:
    inst = by_key(fan)
    assert prereqs(inst[f"{D}/district-congress@kim-son"]) == [
        ("grassroots", 0.9, [f"{D}/grassroots@hung-tien", f"{D}/grassroots@kim-dong"])]
    assert prereqs(inst[f"{D}/district-congress@yen-mo"]) == [
        ("grassroots", 0.9, [f"{D}/grassroots@yen-thang"])]


def test_task_not_fanned_out_depends_on_every_instance(fan: Expansion) -> None:
    assert prereqs(by_key(fan)[f"{D}/province-summary"]) == [
        ("grassroots", 1.0, [f"{D}/grassroots@hung-tien", f"{D}/grassroots@kim-dong",
                             f"{D}/grassroots@yen-thang"])]


def test_commune_depends_on_its_district_instance(fan: Expansion) -> None:
    inst = by_key(fan)
    assert prereqs(inst[f"{D}/commune-follow-up@kim-dong"]) == [
        ("district-congress", 1.0, [f"{D}/district-congress@kim-son"])]
    assert prereqs(inst[f"{D}/commune-follow-up@yen-thang"]) == [
        ("district-congress", 1.0, [f"{D}/district-congress@yen-mo"])]


def test_fan_out_deadlines(fan: Expansion) -> None:
    due = {i.key: i.due_on for i in fan.instances}
    # Fri 31 May + 10 working days: 3-7 and 10-14 June.
    assert due[f"{D}/district-congress@kim-son"] == date(2024, 6, 14)
    assert due[f"{D}/province-summary"] == date(2024, 6, 5)
    assert due[f"{D}/commune-follow-up@yen-thang"] == date(2024, 6, 17)
    assert fan.edges()[:2] == [
        (f"{D}/grassroots@hung-tien", f"{D}/district-congress@kim-son", "grassroots", 0.9),
        (f"{D}/grassroots@kim-dong", f"{D}/district-congress@kim-son", "grassroots", 0.9),
    ]
    assert len(fan.edges()) == 3 + 3 + 3
    assert fan.warnings == []


CALENDAR = "country: VN\nextra_days_off: [2024-04-12]\nextra_working_days: [2024-05-04]\n"


@pytest.mark.parametrize(("calendar", "due"), [
    # Fri 5 Apr + 17 wd: 18 Apr (Hùng Kings) and 29 Apr-1 May are off -> Mon 6 May.
    (None, date(2024, 5, 6)),
    # With the make-up Saturday 4 May as a working day -> Sat 4 May.
    ("country: VN\nextra_working_days: [2024-05-04]\n", date(2024, 5, 4)),
    # And with Fri 12 Apr as an extra day off, one more day -> Mon 6 May again.
    (CALENDAR, date(2024, 5, 6)),
])
def test_issued_plus_working_days_follows_the_calendar(
        tmp_path: Path, calendar: str | None, due: date) -> None:
    exp = expand_yaml(tmp_path, """
        - {id: report, title: R, lead: pc-standing, sector: economic, due: issued + 17wd}
        - {id: notice, title: N, lead: pc-standing, sector: economic, due: issued + 17d}
    """, calendar=calendar)
    inst = by_key(exp)
    assert inst[f"{D}/report"].due_on == due
    assert inst[f"{D}/report"].lag_days == (due - date(2024, 4, 5)).days
    assert inst[f"{D}/notice"].due_on == date(2024, 4, 22)


@pytest.fixture
def subtree(tmp_path: Path) -> Expansion:
    # 'plan' exists in Kim Sơn only, so Yên Thắng's 'act' has no prerequisite instance: it
    # waits for none, and counts its 10 wd from 'plan''s latest deadline, as Kim Sơn's
    # communes do (never from the issue date, which would be a deadline from nothing).
    return expand_yaml(tmp_path, """
        - {id: plan, title: P, sector: economic, due: 2024-05-10, for_each: district,
           scope: kim-son}
        - {id: act, title: A, sector: economic, for_each: commune, depends_on: [plan],
           due: deps + 10wd}
        - {id: district-report, title: DR, sector: economic, for_each: district,
           due: act + 10wd}
        - {id: province-report, title: PR, lead: pc-standing, sector: economic, due: act + 3d}
    """)


def test_deadlines_of_instances_in_different_subtrees(subtree: Expansion) -> None:
    due = {i.key: i.due_on for i in subtree.instances}
    assert due[f"{D}/act@hung-tien"] == date(2024, 5, 24)      # Fri 10 May + 10 wd
    assert due[f"{D}/act@kim-dong"] == date(2024, 5, 24)
    assert due[f"{D}/act@yen-thang"] == date(2024, 5, 24)      # 'plan' as a whole + 10 wd


def test_instances_that_find_no_prerequisite_are_named_and_do_not_wait(
        subtree: Expansion) -> None:
    act = by_key(subtree)[f"{D}/act@yen-thang"]
    assert act.prerequisites == []
    assert [str(w) for w in subtree.warnings] == [
        "nb/plan.yaml:11: depends_on: warning: task 'act': 1 instance(s) find no 'plan' "
        "instance in their subtree or above (yen-thang); they do not wait for it, and "
        "count their deadline from its latest deadline"]


def test_task_offset_counts_from_the_latest_instance_in_the_subtree(subtree: Expansion) -> None:
    inst = by_key(subtree)
    kim_son, yen_mo = inst[f"{D}/district-report@kim-son"], inst[f"{D}/district-report@yen-mo"]
    assert sorted(kim_son.anchors) == [f"{D}/act@hung-tien", f"{D}/act@kim-dong"]
    assert kim_son.due_on == date(2024, 6, 7)                   # Fri 24 May + 10 wd
    assert yen_mo.anchors == [f"{D}/act@yen-thang"]
    assert yen_mo.due_on == date(2024, 6, 7)                    # Fri 24 May + 10 wd


def test_task_offset_of_a_task_not_fanned_out_counts_from_the_latest_instance(
        subtree: Expansion) -> None:
    report = by_key(subtree)[f"{D}/province-report"]
    assert sorted(report.anchors) == [f"{D}/act@hung-tien", f"{D}/act@kim-dong",
                                      f"{D}/act@yen-thang"]
    assert report.due_on == date(2024, 5, 27)
    assert report.lag_days == 3


def test_task_offset_with_make_up_saturday(tmp_path: Path) -> None:
    exp = expand_yaml(tmp_path, """
        - {id: launch, title: L, lead: pc-standing, sector: economic, due: 2024-04-26}
        - {id: follow, title: F, lead: pc-standing, sector: economic, due: launch + 3wd}
        - {id: after, title: A, lead: pc-standing, sector: economic, due: follow + 1wd}
    """, calendar="extra_working_days: [2024-05-04]\n")
    due = {i.key: i.due_on for i in exp.instances}
    assert due[f"{D}/follow"] == date(2024, 5, 4)
    assert due[f"{D}/after"] == date(2024, 5, 6)
    # A deadline anchor is an edge of the graph, even without depends_on.
    assert exp.task_order == ["launch", "follow", "after"]


REORGANISED_UNITS = UNITS_YAML + """\
  - {id: kim-son-town, name: "Thị trấn Kim Sơn", level: commune, kind: government, parent: kim-son, established_on: 2025-07-01}
reorganisations:
  - {unit: hung-tien, into: kim-son-town, on: 2025-07-01, decision: "1670/NQ-UBTVQH15"}
"""  # noqa: E501


@pytest.mark.parametrize(("issued_on", "communes"), [
    ("2025-06-30", ["hung-tien", "kim-dong", "yen-thang"]),
    ("2025-07-01", ["kim-dong", "kim-son-town", "yen-thang"]),
])
def test_fan_out_covers_units_existing_on_the_issue_date(
        tmp_path: Path, issued_on: str, communes: list[str]) -> None:
    exp = expand_yaml(tmp_path, """
        - {id: grassroots, title: G, sector: economic, due: 2025-09-30, for_each: commune}
    """, units=REORGANISED_UNITS, issued_on=issued_on)
    assert [i.unit for i in exp.instances] == communes


def test_fan_out_with_scope_skips_units_not_yet_established(tmp_path: Path) -> None:
    exp = expand_yaml(tmp_path, """
        - {id: grassroots, title: G, sector: economic, due: 2025-09-30, for_each: commune,
           scope: kim-son}
    """, units=REORGANISED_UNITS, issued_on="2025-06-01")
    assert [i.key for i in exp.instances] == [f"{D}/grassroots@hung-tien",
                                              f"{D}/grassroots@kim-dong"]


@pytest.fixture
def diamond(tmp_path: Path) -> Expansion:
    # Durations a=10, b=5, c=20, d=3 days: the critical path is a-c-d (33 days), b has 15 slack.
    return expand_yaml(tmp_path, """
        - {id: a, title: A, lead: pc-standing, sector: economic, due: issued + 10d}
        - {id: b, title: B, lead: pc-standing, sector: economic, due: deps + 5d, depends_on: [a]}
        - {id: c, title: C, lead: pc-standing, sector: economic, due: deps + 20d, depends_on: [a]}
        - {id: d, title: D, lead: pc-standing, sector: economic, due: deps + 3d,
           depends_on: [b, c]}
    """, issued_on="2024-04-01")


def test_diamond_deadlines_and_slack(diamond: Expansion) -> None:
    assert [(i.key, i.due_on, i.lag_days, i.slack_days, i.critical)
            for i in diamond.instances] == [
        (f"{D}/a", date(2024, 4, 11), 10, 0, True),
        (f"{D}/b", date(2024, 4, 16), 5, 15, False),
        (f"{D}/c", date(2024, 5, 1), 20, 0, True),
        (f"{D}/d", date(2024, 5, 4), 3, 0, True),
    ]
    assert diamond.finish() == date(2024, 5, 4)
    assert diamond.critical_path() == [f"{D}/a", f"{D}/c", f"{D}/d"]
    assert (diamond.finish() - date(2024, 4, 1)).days == 33


def test_slack_of_a_fixed_date_task(tmp_path: Path) -> None:
    # 'prep' is due 1 May but 'final' (a fixed date) only needs it by 31 May: 30 days of slack.
    exp = expand_yaml(tmp_path, """
        - {id: prep, title: P, lead: pc-standing, sector: economic, due: 2024-05-01}
        - {id: final, title: F, lead: pc-standing, sector: economic, due: 2024-05-31,
           depends_on: [prep]}
    """)
    assert [(i.key, i.slack_days, i.critical) for i in exp.instances] == [
        (f"{D}/prep", 30, False), (f"{D}/final", 0, True)]


def test_deadline_before_prerequisite_counts_instances(tmp_path: Path) -> None:
    exp = expand_yaml(tmp_path, """
        - {id: grassroots, title: G, sector: economic, due: 2024-05-31, for_each: commune}
        - {id: district, title: D, sector: economic, due: 2024-05-20, for_each: district,
           depends_on: [grassroots]}
    """)
    assert [str(w) for w in exp.warnings] == [
        "nb/plan.yaml:10: due: warning: task 'district' is due before its prerequisites in "
        "2 instance(s); check the deadline"]
