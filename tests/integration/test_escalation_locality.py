"""Alerts "to the commune": a ladder step ``to: locality`` reaches every body of the lead's
locality (its Party committee, People's Committee and Front committee), and a route's
``localities:`` gives those bodies a channel.

The jurisdiction is alerts_support.py's, with Xã Một (c1, the lead of esc/local, due
20/04) grouped with its Party committee and Front committee, and a Youth Union committee
established only on 01/05; the ladder: overdue after 1 day to the lead, "commune" after
3 days to the locality.
"""

from __future__ import annotations

import pytest

from dirtrack.errors import ValidationFailed
from dirtrack.escalation import check_deadlines
from dirtrack.plan import read_plan

from .alerts_support import UNITS, d, load, outbox, outbox_rows, setup, write_jurisdiction

COMMUNE = UNITS.replace(
    "  - {id: c1, name: \"Xã Một\", level: commune, kind: government, parent: d1,\n"
    "     email: x1@tinh.example}\n",
    "  - {id: c1, name: \"Xã Một\", level: commune, kind: government, parent: d1,\n"
    "     email: x1@tinh.example, locality: c1}\n"
    "  - {id: c1-party, name: \"Đảng ủy xã Một\", level: commune, kind: party, parent: d1,\n"
    "     locality: c1}\n"
    "  - {id: c1-front, name: \"Ủy ban MTTQ xã Một\", level: commune, kind: front,\n"
    "     parent: d1, locality: c1}\n"
    "  - {id: c1-youth, name: \"Đoàn xã Một\", level: commune, kind: union, parent: d1,\n"
    "     locality: c1, established_on: 2024-05-01}\n")

LADDER = """\
ladder:
  - {step: overdue, after: 1, to: lead}
  - {step: commune, after: 3, to: locality}
"""


def test_a_step_to_the_locality_reaches_every_body_of_the_commune_once(engine, tmp_path):
    assert COMMUNE != UNITS
    setup(engine, tmp_path, units=COMMUNE, ladder=LADDER)

    first = check_deadlines(engine, d("2024-04-23"))
    again = check_deadlines(engine, d("2024-04-23"))

    assert first.by_step == {"overdue": 3, "commune": 5, "root-cause": 1}
    assert again.recorded == 0
    assert {a for a in outbox(engine) if a[1] == "commune"} == {
        # a province department has no locality: the step reaches it alone
        ("esc/prep", "commune", "dept-a", "2024-04-23"),
        ("esc/main", "commune", "dept-b", "2024-04-23"),
        # the commune's three bodies of the day; its Youth Union committee is not yet
        ("esc/local", "commune", "c1", "2024-04-23"),
        ("esc/local", "commune", "c1-party", "2024-04-23"),
        ("esc/local", "commune", "c1-front", "2024-04-23"),
    }
    assert sorted(a["recipient_id"] for a in outbox_rows(engine)
                  if a["step"] == "commune") == [
        "c1", "c1-front", "c1-party", "dept-a", "dept-b"]


def test_a_body_established_later_hears_of_work_overdue_after_it_exists(engine, tmp_path):
    setup(engine, tmp_path, units=COMMUNE, ladder=LADDER)

    check_deadlines(engine, d("2024-05-02"))

    assert sorted(a["recipient_id"] for a in outbox_rows(engine)
                  if a["step"] == "commune") == [
        "c1", "c1-front", "c1-party", "c1-youth", "dept-a", "dept-b"]


def test_a_route_to_a_locality_gives_its_bodies_that_channel(engine, tmp_path):
    channels = ("channels:\n  file: {folder: tinh-thu}\n"
                "routes:\n  - {channel: file, localities: [c1]}\n")
    setup(engine, tmp_path, units=COMMUNE, ladder=LADDER, channels=channels)

    check_deadlines(engine, d("2024-04-23"))

    assert sorted((a["recipient_id"], a["channel"]) for a in outbox_rows(engine)
                  if a["step"] == "commune") == [
        ("c1", "file"), ("c1", "log"), ("c1-front", "file"), ("c1-front", "log"),
        ("c1-party", "file"), ("c1-party", "log"), ("dept-a", "log"), ("dept-b", "log")]


def test_a_route_to_an_unknown_locality_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    channels = ("channels:\n  file: {folder: tinh-thu}\n"
                "routes:\n  - {channel: file, localities: [c2]}\n")
    folder = write_jurisdiction(tmp_path, units=COMMUNE, ladder=LADDER, channels=channels)

    with pytest.raises(ValidationFailed) as info:
        read_plan(folder)

    assert [str(p) for p in info.value.problems] == [
        "directives/tinh-thu/escalation.yaml:8: localities: unknown locality 'c2'; name a "
        "locality given to units in units.yaml ('locality:')"]


OTHER_PROVINCE = """\
jurisdiction:
  name: "Tỉnh Thứ Hai"
units:
  - {id: p2, name: "Ban Thường vụ Tỉnh ủy", level: province, kind: party}
  - {id: p2-c1, name: "Xã Một", level: commune, kind: government, parent: p2, locality: c1}
  - {id: p2-c1-party, name: "Đảng ủy xã Một", level: commune, kind: party, parent: p2,
     locality: c1}
"""


def test_a_locality_of_the_same_name_in_another_province_hears_nothing(engine, tmp_path):
    folder = write_jurisdiction(tmp_path, units=COMMUNE, ladder=LADDER)
    other = folder.parent / "tinh-hai"
    other.mkdir()
    (other / "units.yaml").write_text(OTHER_PROVINCE, encoding="utf-8")
    load(engine, folder.parent)

    check_deadlines(engine, d("2024-04-23"))

    assert sorted(a["recipient_id"] for a in outbox_rows(engine)
                  if a["step"] == "commune") == [
        "c1", "c1-front", "c1-party", "dept-a", "dept-b"]
