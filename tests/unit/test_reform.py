"""The two-tier reform in the registry: units that move under the province on a date,
localities that group a commune's bodies, successors over several mergers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dirtrack.registry import Registry, Reorganisation, Unit
from tests.unit.builders import UNITS_YAML, catalog, directive_yaml, jurisdiction, plan, problems

# The district level ends on 2025-07-01: Kim Sơn is dissolved (the Provincial People's
# Committee takes its work over) and its communes move under the province.
TWO_TIER = UNITS_YAML + (
    "  - {id: peoples-committee, name: \"Ủy ban nhân dân tỉnh\", level: province, "
    "kind: government, parent: pc-standing}\n"
    "reorganisations:\n"
    "  - {unit: kim-son, into: peoples-committee, on: 2025-07-01, decision: 202/2025/QH15}\n"
    "  - {unit: hung-tien, parent: pc-standing, on: 2025-07-01, decision: 202/2025/QH15}\n"
    "  - {unit: kim-dong, parent: pc-standing, on: 2025-07-01, decision: 202/2025/QH15}\n")

FAN_OUT = """
  - id: models
    title: "Mô hình Dân vận khéo"
    for_each: commune
    scope: kim-son
    sector: political-system
    due: 2025-09-30
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _instances(folder: Path, cat: Path) -> list[str]:
    p = plan(folder, cat)
    ((jur, spec),) = p.directives()
    return [i.key for i in p.expansion(jur, spec).instances]


def test_a_plan_before_the_move_finds_the_communes_under_their_district(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(FAN_OUT, issued_on="2025-06-02")},
                          units=TWO_TIER)
    (jur,) = plan(folder, catalog(here)).jurisdictions
    assert [(m.unit, m.parent, m.on, m.decision) for m in jur.moves] == [
        ("hung-tien", "pc-standing", date(2025, 7, 1), "202/2025/QH15"),
        ("kim-dong", "pc-standing", date(2025, 7, 1), "202/2025/QH15")]
    assert _instances(folder, catalog(here)) == [
        "nb-2024-q2/models@hung-tien", "nb-2024-q2/models@kim-dong"]


def test_a_plan_after_the_move_finds_no_commune_under_the_ended_district(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(FAN_OUT, issued_on="2025-07-15")},
                          units=TWO_TIER)
    assert _instances(folder, catalog(here)) == []
    whole = FAN_OUT.replace("scope: kim-son", "scope: pc-standing")
    (folder / "plan.yaml").write_text(directive_yaml(whole, issued_on="2025-07-15"))
    assert _instances(folder, catalog(here)) == [
        "nb-2024-q2/models@hung-tien", "nb-2024-q2/models@kim-dong",
        "nb-2024-q2/models@yen-thang"]
    registry = plan(folder, catalog(here)).registries["nb"]
    assert registry.as_of(date(2025, 7, 1)).ancestors("hung-tien") == ["pc-standing"]
    assert registry.as_of(date(2025, 6, 30)).ancestors("hung-tien") == ["kim-son", "pc-standing"]


def test_moves_that_cannot_be(here: Path) -> None:
    units = UNITS_YAML + (
        "reorganisations:\n"
        "  - {unit: kim-son, on: 2025-07-01}\n"
        "  - {unit: hung-tien, parent: kim-son, on: 2025-07-01}\n"
        "  - {unit: kim-dong, parent: kim-dong, on: 2025-07-01}\n"
        "  - {unit: yen-thang, parent: pc-standng, on: 2025-07-01}\n"
        "  - {unit: yen-mo, parent: yen-thang, on: 2025-07-01}\n"
        "  - {unit: yen-thang, parent: pc-standing, into: kim-dong, on: 2025-08-01}\n")
    folder = jurisdiction(here, {}, units=units)
    assert problems(folder, catalog(here)) == [
        "nb/units.yaml:14: parent: unit 'kim-son' ends on 2025-07-01, so 'hung-tien' cannot "
        "move under it on 2025-07-01; name the unit that continues",
        "nb/units.yaml:15: parent: unit 'kim-dong' cannot be its own parent; name the unit "
        "it moves under",
        "nb/units.yaml:16: parent: unknown unit 'pc-standng'; use an id listed under units: "
        "(did you mean 'pc-standing'?)",
        "nb/units.yaml:17: parent: unit 'yen-mo' cannot move under 'yen-thang', one of its "
        "own sub-units on that day; move it under a unit beside or above it",
        "nb/units.yaml:18: parent: unit 'yen-thang' cannot both move under 'pc-standing' and "
        "merge into 'kim-dong'; write two entries, or keep one of 'parent' and 'into'",
    ]


# A commune's three bodies: Party committee, People's Committee, Front committee.
LOCALITY = UNITS_YAML + (
    "  - {id: kim-dong-party, name: \"Đảng ủy xã Kim Đông\", level: commune, kind: party, "
    "parent: kim-son, locality: kim-dong}\n"
    "  - {id: kim-dong-front, name: \"Ủy ban MTTQ Việt Nam xã Kim Đông\", level: commune, "
    "kind: front, parent: kim-son, locality: kim-dong}\n")


def test_a_locality_counts_once_in_a_fan_out(here: Path) -> None:
    units = LOCALITY.replace("name: \"Xã Kim Đông\", level: commune, kind: government, "
                             "parent: kim-son}",
                             "name: \"Xã Kim Đông\", level: commune, kind: government, "
                             "parent: kim-son, locality: kim-dong}")
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(FAN_OUT)}, units=units)
    assert _instances(folder, catalog(here)) == [
        "nb-2024-q2/models@hung-tien", "nb-2024-q2/models@kim-dong"]
    registry = plan(folder, catalog(here)).registries["nb"]
    assert [u.id for u in registry.locality_bodies("kim-dong")] == [
        "kim-dong", "kim-dong-front", "kim-dong-party"]


def test_a_fan_out_naming_kinds_picks_those_bodies_of_each_locality(here: Path) -> None:
    units = LOCALITY.replace("name: \"Xã Kim Đông\", level: commune, kind: government, "
                             "parent: kim-son}",
                             "name: \"Xã Kim Đông\", level: commune, kind: government, "
                             "parent: kim-son, locality: kim-dong}")
    party = FAN_OUT.replace("for_each: commune", "for_each: {level: commune, kind: [party]}")
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(party)}, units=units)
    assert _instances(folder, catalog(here)) == ["nb-2024-q2/models@kim-dong-party"]
    both = FAN_OUT.replace("for_each: commune", "for_each: {level: commune}")
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(both)}, units=units)
    assert _instances(folder, catalog(here)) == [
        "nb-2024-q2/models@hung-tien", "nb-2024-q2/models@kim-dong"]


def test_a_locality_without_its_peoples_committee(here: Path) -> None:
    units = LOCALITY.replace("level: commune, kind: front, parent: kim-son, locality: kim-dong",
                             "level: district, kind: front, parent: kim-son, locality: kim-dong")
    folder = jurisdiction(here, {}, units=units)
    assert problems(folder, catalog(here)) == [
        "nb/units.yaml:12: locality: locality 'kim-dong' needs exactly one unit of kind "
        "government (its People's Committee), found none; give the place one such unit",
        "nb/units.yaml:12: locality: the units of locality 'kim-dong' sit at different levels "
        "(kim-dong-front: district, kim-dong-party: commune); a locality's bodies share one "
        "level",
    ]


def test_work_follows_successors_over_several_mergers() -> None:
    reg = Registry(
        [Unit("p", "Tỉnh", "province", "party"),
         Unit("a", "Xã A", "commune", "government", parent="p"),
         Unit("b", "Xã B", "commune", "government", parent="p"),
         Unit("c", "Xã C", "commune", "government", parent="p")],
        [Reorganisation("a", date(2025, 1, 1), "b"), Reorganisation("b", date(2025, 7, 1), "c")])
    assert reg.final_successor("a", date(2024, 12, 31)) == "a"
    assert reg.final_successor("a", date(2025, 1, 1)) == "b"
    assert reg.final_successor("a", date(2025, 7, 1)) == "c"


GROUPED = LOCALITY.replace("name: \"Xã Kim Đông\", level: commune, kind: government, "
                           "parent: kim-son}",
                           "name: \"Xã Kim Đông\", level: commune, kind: government, "
                           "parent: kim-son, locality: kim-dong}")


def test_a_localitys_bodies_under_two_districts(here: Path) -> None:
    units = GROUPED.replace("kind: front, parent: kim-son", "kind: front, parent: yen-mo")
    folder = jurisdiction(here, {}, units=units)
    assert problems(folder, catalog(here)) == [
        "nb/units.yaml:13: locality: unit 'kim-dong-front' of locality 'kim-dong' sits under "
        "'yen-mo', but 'kim-dong' under 'kim-son'; a place's bodies sit under one place: put "
        "them under the same parent, or under bodies that share a locality"]


def test_a_localitys_bodies_under_the_bodies_of_one_district(here: Path) -> None:
    """A commune's Party committee under the district Party committee, its People's
    Committee under the district People's Committee: one place, the district."""
    units = GROUPED.replace(
        "name: \"Huyện Kim Sơn\", level: district, kind: government, parent: pc-standing}",
        "name: \"Huyện Kim Sơn\", level: district, kind: government, parent: pc-standing, "
        "locality: kim-son}\n"
        "  - {id: kim-son-party, name: \"Huyện ủy Kim Sơn\", level: district, kind: party, "
        "parent: pc-standing, locality: kim-son}",
    ).replace("kind: party, parent: kim-son", "kind: party, parent: kim-son-party")
    folder = jurisdiction(here, {}, units=units)
    registry = plan(folder, catalog(here)).registries["nb"]  # no problem reported
    assert registry["kim-dong-party"].parent == "kim-son-party"


def test_a_localitys_bodies_moved_apart(here: Path) -> None:
    """The People's Committee moves under the province when the district level ends; its
    Party and Front committees are left under the dissolved district."""
    units = GROUPED + TWO_TIER.removeprefix(UNITS_YAML)
    folder = jurisdiction(here, {}, units=units)
    assert problems(folder, catalog(here)) == [
        "nb/units.yaml:12: locality: unit 'kim-dong-party' of locality 'kim-dong' sits under "
        "'kim-son' from 2025-07-01, but 'kim-dong' at the province level; a place's bodies "
        "sit under one place: put them under the same parent, or under bodies that share a "
        "locality"]
    moved = units + "".join(
        f"  - {{unit: kim-dong-{body}, parent: {parent}, on: 2025-07-01}}\n"
        for body, parent in (("party", "pc-standing"), ("front", "fatherland-front")))
    folder = jurisdiction(here, {}, units=moved)
    registry = plan(folder, catalog(here)).registries["nb"]  # no problem reported
    assert registry.as_of(date(2025, 7, 1))["kim-dong-front"].parent == "fatherland-front"


def test_a_locality_named_like_a_unit_outside_it(here: Path) -> None:
    units = GROUPED.replace("locality: kim-dong", "locality: hung-tien")
    folder = jurisdiction(here, {}, units=units)
    assert problems(folder, catalog(here)) == [
        "nb/units.yaml:10: locality: locality 'hung-tien' is the id of unit 'hung-tien', which "
        "is not one of its units; give the locality that unit's id only when it belongs to it "
        "(locality: hung-tien), or another id"]
