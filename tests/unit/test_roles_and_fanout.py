"""Roles in units.yaml, unit defaults by role or by level and kind, fan-outs over several
levels or kinds, ``tiers``, and a jurisdiction's own catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from dirtrack.plan import read_plan
from tests.unit.builders import (
    UNITS_YAML,
    catalog,
    directive_yaml,
    jurisdiction,
    plan,
    problems,
    write,
)

# Line 9 of every directive below is its first task: the use.
MONTH = """
template: month
title: "A month of action"
params:
  year: {type: int, required: true}
  lead: {type: unit, default: {role: labour-federation}}
  front: {type: unit, default: {role: front-committee, level: province, kind: front}}
  helpers: {type: units, default: [{role: labour-federation}, {level: province, kind: front}]}
---
tasks:
  - id: launch
    title: "Launch {{ year }} ({{ tiers }} tiers)"
    lead: {{ lead }}
    support: {{ helpers }}
    sector: cultural-social
    due: "{{ year }}-05-01"
  - id: front-report
    title: "Front report"
    lead: {{ front }}
    sector: cultural-social
    depends_on: [launch]
    due: launch + 5d
"""
USE_MONTH = directive_yaml("""
    - use: month
      with: {year: 2024}
""")
ROLES = UNITS_YAML + "roles:\n  labour-federation: mass-mobilization-commission\n"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _tasks(folder: Path, cat: Path) -> dict[str, tuple[str | None, list[str], str]]:
    ((_, spec),) = plan(folder, cat).directives()
    return {t.id: (t.lead, t.support, t.title) for t in spec.tasks}


def test_a_role_names_the_unit_and_level_and_kind_find_the_only_one(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": USE_MONTH}, units=ROLES)
    assert _tasks(folder, catalog(here, {"month": MONTH})) == {
        "month/launch": ("mass-mobilization-commission",
                         ["mass-mobilization-commission", "fatherland-front"],
                         "Launch 2024 (3 tiers)"),
        "month/front-report": ("fatherland-front", [], "Front report"),
    }


def test_a_role_given_in_with_is_resolved_too(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml("""
        - use: month
          with: {year: 2024, lead: {role: labour-federation}, front: pc-standing}
    """)}, units=ROLES)
    tasks = _tasks(folder, catalog(here, {"month": MONTH}))
    assert tasks["month/launch"][0] == "mass-mobilization-commission"
    assert tasks["month/front-report"][0] == "pc-standing"


def test_a_role_the_jurisdiction_lacks_is_an_error_at_the_use_line(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": USE_MONTH})
    # the first parameter refused stops the use: the others are not checked again
    assert problems(folder, catalog(here, {"month": MONTH})) == [
        "nb/plan.yaml:9: lead: parameter 'lead' of template 'month' by default names the "
        "role 'labour-federation', which nb/units.yaml does not give; add "
        "'roles: {labour-federation: UNIT}' to nb/units.yaml, or give 'lead' under 'with:'",
    ]


def test_level_and_kind_matching_several_units_is_an_error(here: Path) -> None:
    template = MONTH.replace("{role: front-committee, level: province, kind: front}",
                             "{level: district}")
    folder = jurisdiction(here, {"plan.yaml": USE_MONTH}, units=ROLES)
    assert problems(folder, catalog(here, {"month": template})) == [
        "nb/plan.yaml:9: front: parameter 'front' of template 'month' by default names the "
        "one unit of level 'district', and nb/units.yaml has 2 units (kim-son, yen-mo); "
        "name the unit, or give 'front' under 'with:'",
    ]


def test_a_role_naming_an_unknown_unit_is_an_error_in_units_yaml(here: Path) -> None:
    units = UNITS_YAML + "roles:\n  labour-federation: labour-fed\n"
    folder = jurisdiction(here, {"plan.yaml": USE_MONTH}, units=units)
    found = problems(folder, catalog(here, {"month": MONTH}))
    assert found[1] == ("nb/units.yaml:13: labour-federation: role 'labour-federation' "
                        "names unknown unit 'labour-fed'; use an id listed under units:")
    assert found[0].startswith("nb/plan.yaml:9: lead: parameter 'lead' of template 'month' "
                               "by default names the role 'labour-federation'")


FAN = """
    - id: each-org
      title: "Report of each mass organisation"
      for_each: {level: province, kind: [front, party]}
      sector: political-system
      due: 2024-05-31
    - id: each-locality
      title: "Report of each locality"
      for_each: {level: [district, commune]}
      scope: kim-son
      sector: political-system
      depends_on: [each-org]
      due: deps + 3d
"""


def test_a_fan_out_over_several_kinds_or_levels(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(FAN)})
    result = plan(folder, catalog(here))
    ((jur, spec),) = result.directives()
    exp = result.expansion(jur, spec)
    assert [(i.key, i.lead, str(i.due_on)) for i in exp.instances] == [
        ("nb-2024-q2/each-org@fatherland-front", "fatherland-front", "2024-05-31"),
        ("nb-2024-q2/each-org@mass-mobilization-commission", "mass-mobilization-commission",
         "2024-05-31"),
        ("nb-2024-q2/each-org@pc-standing", "pc-standing", "2024-05-31"),
        ("nb-2024-q2/each-locality@hung-tien", "hung-tien", "2024-06-03"),
        ("nb-2024-q2/each-locality@kim-dong", "kim-dong", "2024-06-03"),
        ("nb-2024-q2/each-locality@kim-son", "kim-son", "2024-06-03"),
    ]
    assert [t.for_each for t in spec.tasks] == ["unit", "unit"]


@pytest.mark.parametrize(("for_each", "line"), [
    ("{level: county}",
     "nb/plan.yaml:11: level: 'county' is not one of central, province, district, commune "
     "(did you mean 'commune'?)"),
    ("{kind: front}", "nb/plan.yaml:11: level: missing required key in 'for_each'; add 'level:'"),
    ("{level: province, kind: [front, mass]}",
     "nb/plan.yaml:11: kind: 'mass' is not one of party, government, council, front, union, "
     "armed-forces, other"),
    ("[district, commune]",
     "nb/plan.yaml:11: for_each: several levels are written {level: [province, district]}; "
     "a list alone is not a fan-out"),
])
def test_a_wrong_fan_out_is_one_line(here: Path, for_each: str, line: str) -> None:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(f"""
        - id: each
          title: "Each"
          for_each: {for_each}
          sector: political-system
          due: 2024-05-31
    """)})
    assert problems(folder, catalog(here)) == [line]


def test_tiers_must_be_two_or_three(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml("""
        - use: month
          with: {year: 2024, tiers: 4}
    """)}, units=ROLES)
    assert problems(folder, catalog(here, {"month": MONTH})) == [
        "nb/plan.yaml:10: tiers: '4' is not a number of tiers; write 2 (communes and wards "
        "under the province) or 3 (province, district, commune)"]


def test_tiers_follow_the_registry_on_the_issue_date(here: Path) -> None:
    ended = ROLES.replace("roles:", "reorganisations:\n"
                          "  - {unit: kim-son, on: 2024-04-01}\n"
                          "  - {unit: yen-mo, on: 2024-04-01}\nroles:")
    folder = jurisdiction(here, {"plan.yaml": USE_MONTH}, units=ended)
    assert _tasks(folder, catalog(here, {"month": MONTH}))["month/launch"][2] == (
        "Launch 2024 (2 tiers)")


def test_a_template_cannot_declare_tiers(here: Path) -> None:
    template = MONTH.replace("  year: {type: int, required: true}",
                             "  year: {type: int, required: true}\n"
                             "  tiers: {type: int, default: 3}")
    folder = jurisdiction(here, {"plan.yaml": USE_MONTH}, units=ROLES)
    assert problems(folder, catalog(here, {"month": template}))[0] == (
        "catalog/month.yaml:5: tiers: 'tiers' is given to every template (2 or 3 tiers, from "
        "the registry or 'with:'); remove it from 'params:'")


def test_the_jurisdictions_own_catalog_comes_first(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": USE_MONTH}, units=ROLES)
    write(folder / "tasks_catalog", "month.yaml",
          MONTH.lstrip("\n").replace("Launch {{ year }}", "Our own launch {{ year }}"))
    tasks = _tasks(folder, catalog(here, {"month": MONTH}))
    assert tasks["month/launch"][2] == "Our own launch 2024 (3 tiers)"


def test_a_missing_template_says_where_it_looked(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml("- {use: months}")})
    write(folder / "tasks_catalog", "local.yaml", "template: local\n---\ntasks: []\n")
    assert problems(folder, catalog(here, {"month": MONTH})) == [
        "nb/plan.yaml:9: use: unknown template 'months'; looked in nb/tasks_catalog then "
        "catalog; templates there: local, month (did you mean 'month'?)"]


def test_a_changed_template_changes_the_directive_fingerprint(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": USE_MONTH}, units=ROLES)
    cat = catalog(here, {"month": MONTH})

    def fingerprint() -> str:
        ((_, spec),) = read_plan(folder, catalog=cat, expand_all=False).directives()
        return spec.fingerprint

    first = fingerprint()
    assert fingerprint() == first
    write(cat, "month.yaml", MONTH.lstrip("\n").replace("launch + 5d", "launch + 6d"))
    shared_changed = fingerprint()
    assert shared_changed != first
    write(folder / "tasks_catalog", "month.yaml",
          MONTH.lstrip("\n").replace("launch + 5d", "launch + 7d"))
    assert fingerprint() not in (first, shared_changed)


def test_a_role_naming_a_unit_ended_before_the_issue_date_is_an_error(here: Path) -> None:
    ended = ROLES + ("reorganisations:\n  - {unit: mass-mobilization-commission, "
                     "into: fatherland-front, on: 2024-03-01}\n")
    folder = jurisdiction(here, {"plan.yaml": USE_MONTH}, units=ended)
    assert problems(folder, catalog(here, {"month": MONTH})) == [
        "nb/plan.yaml:9: lead: parameter 'lead' of template 'month' by default names the "
        "role 'labour-federation', unit 'mass-mobilization-commission', which is not in "
        "effect on 2024-04-05 ('fatherland-front' took over); point the role at the unit in "
        "effect in nb/units.yaml, or give 'lead' under 'with:'"]
