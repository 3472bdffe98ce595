"""What the importer recognises: unit names as offices write them, and their deadlines."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from dirtrack.imports.deadlines import office_deadline
from dirtrack.imports.plan import read_jurisdiction
from dirtrack.imports.units import UnitMatcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ninh_binh() -> UnitMatcher:
    jur, registry = read_jurisdiction(ROOT / "directives/ninh-binh")
    return UnitMatcher(registry, jur.name, date(2024, 7, 1))


@pytest.fixture(scope="module")
def hung_yen() -> UnitMatcher:
    jur, registry = read_jurisdiction(ROOT / "directives/hung-yen")
    return UnitMatcher(registry, jur.name, date(2025, 5, 1))


@pytest.mark.parametrize(("cell", "units"), [
    ("Ban Thường vụ Tỉnh ủy", ["pc-standing"]),
    ("BTV Tỉnh ủy", ["pc-standing"]),
    ("Ban Thường vụ TU", ["pc-standing"]),
    ("Ban Dân vận TU", ["mass-mobilization-commission"]),
    ("ban dan van tinh uy", ["mass-mobilization-commission"]),  # no accents, any case
    ("BAN DÂN VẬN TỈNH ỦY", ["mass-mobilization-commission"]),
    ("Ủy ban MTTQ Việt Nam tỉnh", ["fatherland-front"]),
    ("UB MTTQ tỉnh", ["fatherland-front"]),
    ("Mặt trận Tổ quốc tỉnh", ["fatherland-front"]),
    ("Tỉnh đoàn", ["youth-union"]),
    ("Đoàn TN", ["youth-union"]),
    ("Đoàn TNCS Hồ Chí Minh tỉnh", ["youth-union"]),
    ("Hội LHPN tỉnh", ["womens-union"]),
    ("LĐLĐ tỉnh", ["labour-federation"]),
    ("Liên đoàn Lao động tỉnh", ["labour-federation"]),
    ("Hội ND tỉnh", ["farmers-association"]),
    ("Hội CCB tỉnh", ["veterans-association"]),
    ("UBND tỉnh", ["peoples-committee"]),
    ("Công an tỉnh", ["provincial-police"]),
    ("Bộ CHQS tỉnh", ["military-command"]),
    ("Sở Nội vụ", ["home-affairs"]),
    ("Sở LĐ-TB&XH", ["dolisa"]),
    ("Sở Lao động - Thương binh và Xã hội", ["dolisa"]),
    ("Sở KH&ĐT", ["planning-investment"]),
    ("Sở GD&ĐT", ["education-training"]),
    ("Sở TT&TT", ["information-communications"]),
    ("UBND huyện Kim Sơn", ["kim-son"]),
    ("Huyện ủy Kim Sơn", ["kim-son"]),
    ("Kim Sơn", ["kim-son"]),
    ("UBND thành phố Tam Điệp", ["tam-diep-city"]),
    ("Thành phố Ninh Bình", ["ninh-binh-city"]),
    ("home-affairs", ["home-affairs"]),  # an id as the registry writes it
    ("Sở Giáo dục và Đào tạo, Sở Văn hóa và Thể thao", ["education-training",
                                                       "culture-sports-tourism"]),
    ("Ban Tổ chức TU và Sở Nội vụ", ["organization-commission", "home-affairs"]),
    ("- Ban Tuyên giáo TU\n- Văn phòng TU", ["propaganda-department", "party-office"]),
])
def test_a_unit_is_found_by_the_names_offices_write(ninh_binh, cell, units):
    found = ninh_binh.mentions(cell)

    assert [(m.kind, m.units[0]) for m in found] == [("unit", u) for u in units]


def test_the_socio_political_organisations_are_the_provincial_unions(ninh_binh):
    found = ninh_binh.mentions("MTTQ và các tổ chức chính trị - xã hội tỉnh")

    assert [(m.kind, m.units) for m in found] == [
        ("unit", ("fatherland-front",)),
        ("unions", ("youth-union", "womens-union", "labour-federation", "farmers-association",
                    "veterans-association"))]


@pytest.mark.parametrize(("cell", "level", "scope"), [
    ("UBND các huyện, thành phố", "district", None),
    ("Các huyện ủy, thành ủy", "district", None),
    ("các huyện", "district", None),
    ("UBND các xã, phường, thị trấn", "commune", None),
    ("các xã, phường", "commune", None),
    ("Đảng ủy các xã", "commune", None),
    ("UBND cấp xã", "commune", None),
    ("các xã, thị trấn thuộc huyện Kim Sơn", "commune", "kim-son"),
])
def test_a_fan_out_is_every_unit_of_a_level(ninh_binh, cell, level, scope):
    found = ninh_binh.mentions(cell)

    assert [(m.kind, m.level, m.scope) for m in found] == [("fan-out", level, scope)]


@pytest.mark.parametrize("cell", ["Các sở, ban, ngành liên quan", "các địa phương",
                                  "Các cơ quan, đơn vị có liên quan"])
def test_a_vague_phrase_names_no_unit(ninh_binh, cell):
    assert [m.kind for m in ninh_binh.mentions(cell)] == ["vague"]


def test_a_name_two_units_share_is_never_settled_silently(hung_yen):
    found = hung_yen.mentions("Văn Giang")

    assert [(m.kind, m.units) for m in found] == [
        ("ambiguous", ("hy-van-giang", "hy-van-giang-town"))]


@pytest.mark.parametrize(("cell", "near"), [
    ("Sở Ngoại vụ", ["Sở Nội vụ"]),
    ("Huyện Kim Sơnn", ["Huyện Kim Sơn"]),
    ("Hội Phụ nữ tỉnh", ["Hội Liên hiệp Phụ nữ tỉnh Ninh Bình"]),
    ("Trường Chính trị tỉnh", []),
])
def test_an_unknown_name_comes_with_the_closest_units(ninh_binh, cell, near):
    assert [m.kind for m in ninh_binh.mentions(cell)] == ["unknown"]
    assert ninh_binh.suggestions(cell) == near


@pytest.mark.parametrize(("cell", "kind", "expression"), [
    ("30/6/2026", "date", "2026-06-30"),
    ("30/06/2026", "date", "2026-06-30"),
    ("30-6-2026", "date", "2026-06-30"),
    ("ngày 30 tháng 6 năm 2026", "date", "2026-06-30"),
    ("Trước 15/5/2026", "date", "2026-05-15"),
    ("Trước ngày 15/5/2026", "date", "2026-05-15"),
    ("Chậm nhất ngày 15/5/2026", "date", "2026-05-15"),
    (datetime(2026, 6, 30), "date", "2026-06-30"),  # a date typed into an Excel cell
    ("Tháng 6/2026", "period", "2026-06"),
    ("Tháng 6 năm 2026", "period", "2026-06"),
    ("Trong tháng 06/2026", "period", "2026-06"),
    ("Quý II/2026", "period", "2026-Q2"),
    ("Quý 2 năm 2026", "period", "2026-Q2"),
    ("quý IV/2026", "period", "2026-Q4"),
    ("6 tháng đầu năm 2026", "period", "2026-H1"),
    ("6 tháng cuối năm 2026", "period", "2026-H2"),
    ("Năm 2026", "period", "2026"),
    ("Trong năm 2026", "period", "2026"),
    ("2026-Q3", "period", "2026-Q3"),  # already written as dirtrack writes it
    ("Trong 15 ngày làm việc kể từ ngày ban hành", "issued", "issued + 15wd"),
    ("Trong 30 ngày kể từ ngày ban hành kế hoạch", "issued", "issued + 30d"),
])
def test_a_deadline_as_offices_write_it(cell, kind, expression):
    read = office_deadline(cell)

    assert (read.kind, read.expression, read.problem) == (kind, expression, "")


@pytest.mark.parametrize(("cell", "repeat", "note"), [
    ("Thường xuyên", "quarterly", "Thường xuyên: reported quarterly; change repeat: if needed"),
    ("Hằng quý", "quarterly", ""),
    ("Hàng quý", "quarterly", ""),
    ("Hằng tháng", "monthly", ""),
    ("Hằng năm", "yearly", ""),
    ("Hằng 6 tháng", "half-yearly", ""),
])
def test_recurring_words_give_the_recurring_form(cell, repeat, note):
    read = office_deadline(cell)

    assert (read.kind, read.repeat, read.expression, read.note) == ("repeat", repeat, "end", note)


@pytest.mark.parametrize(("cell", "problem"), [
    ("31/6/2026", "'31/6/2026' is not a real date"),
    ("30/6/26", "'30/6/26' has a two-digit year; write the year in full (30/6/2026)"),
    ("Quý III", "'Quý III' has no year; add it (Quý III/2026)"),
    ("Tháng 13/2026", "'Tháng 13/2026': there is no month 13"),
    ("Trước tháng 6/2026", "'Trước tháng 6/2026' could mean the end of the month before or "
     "that month; write 31/5/2026 or Tháng 6/2026"),
    ("Hằng tuần", "'Hằng tuần': weekly work cannot be tracked; write Hằng tháng or a date"),
    ("Thường xuyên, báo cáo trước 30/6/2026", "'Thường xuyên, báo cáo trước 30/6/2026' mixes "
     "recurring work and a date; write one deadline (the date, or the recurring period) and "
     "put the other in the task's title"),
    ("", "no deadline; write one (30/6/2026, Tháng 6/2026, Quý II/2026, Năm 2026, "
     "Thường xuyên)"),
])
def test_a_deadline_that_cannot_be_read_says_what_to_write(cell, problem):
    read = office_deadline(cell, 2026)

    assert (read.kind, read.problem) == ("problem", problem)
