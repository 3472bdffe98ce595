"""Every template of the shipped catalog, used in a two-tier and in a three-tier province.

The registries are small folders beside this file: ``registries/two-tier`` (districts
ended on 1 July 2025, communes and wards under the province, unit ids reached through
``roles:``) and ``registries/three-tier`` (2024: two districts, five communes, unit ids
equal to the role names). Each template is used with only its required parameters,
so the defaults are what is tested.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from dirtrack.calendar import WorkCalendar
from dirtrack.graph import Expansion, Instance
from dirtrack.plan import read_plan
from dirtrack.spec.catalog import read_catalog
from dirtrack.spec.fields import Report
from tests.unit.builders import directive_yaml, write

CATALOG = Path(__file__).resolve().parents[2] / "tasks_catalog"
REGISTRIES = Path(__file__).resolve().parent / "registries"
TEMPLATES = sorted(p.stem for p in CATALOG.glob("*.yaml"))
# shape -> (issuer, issue date, the year of the yearly events)
SHAPES = {"two-tier": ("nb2-pc-standing", date(2025, 8, 1), 2026),
          "three-tier": ("pc-standing", date(2024, 4, 5), 2024)}
NAMED = {"term": "2025 - 2030", "quarter": "2025-Q3", "event": "Chiến thắng Điện Biên Phủ",
         "ordinal": 70}


def required_values(name: str, issued: date, year: int) -> str:
    """Return a ``with:`` mapping giving each required parameter a value of its type."""
    report = Report()
    (tpl,) = [t for t in read_catalog(CATALOG, CATALOG, report).values() if t.name == name]
    by_type = {"int": str(year), "date": (issued + timedelta(days=40)).isoformat(),
               "deadline": (issued + timedelta(days=30)).isoformat(), "str": '"x"'}
    values = {p.name: NAMED.get(p.name, by_type[p.type]) for p in tpl.params.values()
              if p.required}
    values = {k: f'"{v}"' if k in ("term", "quarter", "event") else v for k, v in values.items()}
    return "{" + ", ".join(f"{k}: {v}" for k, v in values.items()) + "}"


def expansion(tmp_path: Path, shape: str, name: str, extra: str = "",
              more_units: str = "") -> Expansion:
    issuer, issued, year = SHAPES[shape]
    folder = tmp_path / shape
    shutil.copytree(REGISTRIES / shape, folder)
    if more_units:
        units = (folder / "units.yaml").read_text(encoding="utf-8")
        (folder / "units.yaml").write_text(units + more_units, encoding="utf-8")
    with_ = required_values(name, issued, year)
    if extra:
        with_ = with_[:-1] + ", " + extra + "}"
    write(folder, "plan.yaml", directive_yaml(f"""
        - use: {name}
          with: {with_}
    """, id=f"{shape}-plan", issued_on=issued.isoformat(), issued_by=issuer))
    plan = read_plan(folder, catalog=CATALOG)
    ((jur, spec),) = plan.directives()
    exp = plan.expansion(jur, spec)
    assert plan.warnings == []
    return exp


def _shift(start: date, amount: int, unit: str) -> date:
    calendar = WorkCalendar("VN")
    return calendar.add_working_days(start, amount) if unit == "wd" else start + timedelta(amount)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", TEMPLATES)
def test_every_dependency_resolves_and_nothing_is_due_before_its_prerequisites(
        tmp_path: Path, shape: str, name: str) -> None:
    exp = expansion(tmp_path, shape, name)
    by_key = exp.by_key
    for inst in exp.instances:
        task = inst.task
        found = {t: keys for t, _, keys in inst.prerequisites}
        for dep in task.depends_on:
            assert found.get(dep.task), f"{inst.key} finds no instance of {dep.task}"
            assert all(by_key[k].due_on <= inst.due_on for k in found[dep.task]), inst.key
        if task.due.kind in ("task", "deps"):
            anchors: list[Instance] = [by_key[k] for k in inst.anchors]
            assert anchors, f"{inst.key} counts its deadline from nothing"
            start = max(a.due_on for a in anchors)
            assert inst.due_on == _shift(start, task.due.amount, task.due.unit), inst.key


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_district_in_a_two_tier_province(tmp_path: Path, name: str) -> None:
    exp = expansion(tmp_path, "two-tier", name)
    for task in exp.directive.tasks:
        assert "district" not in task.fan_levels()
        assert "huyện" not in task.title + task.deliverable, task.id


def test_the_front_cascade_in_three_tiers(tmp_path: Path) -> None:
    # Issued 2024-04-05: grassroots due 2024-05-05 (the deadline given, issue date + 30
    # days); districts 30 days after their communes' latest, the province 45 days after.
    exp = expansion(tmp_path, "three-tier", "fatherland-front-congress")
    dues = {i.key.split("/", 1)[1]: i.due_on for i in exp.instances}
    assert dues == {
        "fatherland-front-congress/grassroots@hung-tien": date(2024, 5, 5),
        "fatherland-front-congress/grassroots@kim-dong": date(2024, 5, 5),
        "fatherland-front-congress/grassroots@phat-diem": date(2024, 5, 5),
        "fatherland-front-congress/grassroots@yen-phong": date(2024, 5, 5),
        "fatherland-front-congress/grassroots@yen-thinh": date(2024, 5, 5),
        "fatherland-front-congress/district@kim-son": date(2024, 6, 4),
        "fatherland-front-congress/district@yen-mo": date(2024, 6, 4),
        "fatherland-front-congress/province": date(2024, 7, 19),
    }
    province = exp.by_key["three-tier-plan/fatherland-front-congress/province"]
    assert province.lead == "fatherland-front"
    assert [(t, share) for t, share, _ in province.prerequisites] == [
        ("fatherland-front-congress/district", 1.0)]
    titles = [t.title for t in exp.directive.tasks]
    assert titles[1] == ("Tổ chức Đại hội đại biểu Mặt trận Tổ quốc Việt Nam cấp huyện, "
                         "nhiệm kỳ 2025 - 2030")


def test_the_front_cascade_in_two_tiers(tmp_path: Path) -> None:
    # Issued 2025-08-01: grassroots due 2025-08-31 in the four communes and wards in
    # effect (Xã Ninh Hải merged into Phường Hoa Lư on 1 July); the province 45 days
    # after, once 90% of them have held theirs; the lead found by level and kind.
    exp = expansion(tmp_path, "two-tier", "fatherland-front-congress")
    dues = {i.key.split("/", 1)[1]: i.due_on for i in exp.instances}
    assert dues == {
        "fatherland-front-congress/grassroots@nb2-gia-vien": date(2025, 8, 31),
        "fatherland-front-congress/grassroots@nb2-hoa-lu": date(2025, 8, 31),
        "fatherland-front-congress/grassroots@nb2-kim-son": date(2025, 8, 31),
        "fatherland-front-congress/grassroots@nb2-tam-diep": date(2025, 8, 31),
        "fatherland-front-congress/province": date(2025, 10, 15),
    }
    province = exp.by_key["two-tier-plan/fatherland-front-congress/province"]
    assert province.lead == "nb2-fatherland-front"
    assert [(t, share, len(keys)) for t, share, keys in province.prerequisites] == [
        ("fatherland-front-congress/grassroots", 0.9, 4)]


def test_workers_month_in_two_tiers_fans_out_over_communes_led_by_the_role(
        tmp_path: Path) -> None:
    exp = expansion(tmp_path, "two-tier", "workers-month")
    leads = {i.key.split("/", 1)[1]: i.lead for i in exp.instances}
    assert leads["workers-month/launch"] == "nb2-labour-federation"
    assert leads["workers-month/activities@nb2-kim-son"] == "nb2-kim-son"
    activities = next(t for t in exp.directive.tasks if t.id == "workers-month/activities")
    assert "trên địa bàn xã, phường:" in activities.title


def test_tiers_given_in_with_wins_over_the_registry(tmp_path: Path) -> None:
    exp = expansion(tmp_path, "three-tier", "youth-union-congress", "tiers: 2")
    assert [t.id for t in exp.directive.tasks] == [
        "youth-union-congress/grassroots", "youth-union-congress/province"]
    # grassroots 2024-05-05 (issued + 30 days) + 45 days: the province waits for 90% of
    # the five communes directly
    province = exp.by_key["three-tier-plan/youth-union-congress/province"]
    assert province.due_on == date(2024, 6, 19)
    assert [(t, share, len(keys)) for t, share, keys in province.prerequisites] == [
        ("youth-union-congress/grassroots", 0.9, 5)]


# The Front's own committees in each district and commune, beside the People's Committees.
FRONT_COMMITTEES = "".join(
    f'  - {{id: mt-{unit}, name: "Ủy ban MTTQ {unit}", level: {level}, kind: front, '
    f'parent: {parent}}}\n'
    for unit, level, parent in [
        ("kim-son", "district", "fatherland-front"), ("yen-mo", "district", "fatherland-front"),
        ("phat-diem", "commune", "mt-kim-son"), ("hung-tien", "commune", "mt-kim-son"),
        ("kim-dong", "commune", "mt-kim-son"), ("yen-thinh", "commune", "mt-yen-mo"),
        ("yen-phong", "commune", "mt-yen-mo")])


def test_the_front_committees_hold_the_congresses_when_given_their_kind(
        tmp_path: Path) -> None:
    exp = expansion(tmp_path, "three-tier", "fatherland-front-congress", "local_kind: front",
                    FRONT_COMMITTEES)
    assert [i.key.split("/", 1)[1] for i in exp.instances] == [
        "fatherland-front-congress/grassroots@mt-hung-tien",
        "fatherland-front-congress/grassroots@mt-kim-dong",
        "fatherland-front-congress/grassroots@mt-phat-diem",
        "fatherland-front-congress/grassroots@mt-yen-phong",
        "fatherland-front-congress/grassroots@mt-yen-thinh",
        "fatherland-front-congress/district@mt-kim-son",
        "fatherland-front-congress/district@mt-yen-mo",
        "fatherland-front-congress/province",
    ]
    kim_son = exp.by_key["three-tier-plan/fatherland-front-congress/district@mt-kim-son"]
    assert [len(keys) for _, _, keys in kim_son.prerequisites] == [3]
    assert [t.for_each for t in exp.directive.tasks] == ["commune", "district", None]
