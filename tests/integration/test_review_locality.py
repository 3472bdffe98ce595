"""The review by place: a commune's three bodies are one commune.

Tỉnh Thử Nghiệm of alerts_support.py, its commune Xã Một (c1) grouped with its Party
committee (c1-party) and Front committee (c1-front) as locality c1, and a second commune
Xã Hai (c2) with no locality; c1's Youth Union committee (c1-youth) leads nothing. Plan
``loc``, issued 01/04/2024, one task per lead:

| task | lead | due | ledger | Q2 as of 01/07 |
| --- | --- | --- | --- | --- |
| census | c1 | 31/05 | - | open overdue, 31 days |
| cell-meeting | c1-party | 10/06 | - | open overdue, 21 days |
| front-congress | c1-front | 15/06 | done 14/06 | done on time |
| census-two | c2 | 31/05 | - | open overdue, 31 days |
| report | dept-a | 20/06 | done 25/06 | done late |

Three commune units have work overdue, in two communes.
"""

from __future__ import annotations

import json

from .alerts_support import UNITS, write_jurisdiction
from .test_escalation_locality import COMMUNE

TWO = COMMUNE + (
    "  - {id: c2, name: \"Xã Hai\", level: commune, kind: government, parent: d1}\n")

PLAN = """\
directive:
  id: loc
  number: "20-KH/BCĐ"
  kind: plan
  title: "Kế hoạch thử nghiệm theo địa bàn"
  issued_by: prov
  issued_on: 2024-04-01
tasks:
  - {id: census, title: "Rà soát hộ nghèo", lead: c1, sector: economic, due: 2024-05-31}
  - {id: cell-meeting, title: "Sinh hoạt chi bộ chuyên đề", lead: c1-party,
     sector: political-system, due: 2024-06-10}
  - {id: front-congress, title: "Hội nghị Mặt trận", lead: c1-front,
     sector: political-system, due: 2024-06-15}
  - {id: census-two, title: "Rà soát hộ nghèo", lead: c2, sector: economic, due: 2024-05-31}
  - {id: report, title: "Báo cáo quý", lead: dept-a, sector: economic, due: 2024-06-20}
"""

REVIEW = ("review", "2024-Q2", "--as-of", "2024-07-01", "--format", "json", "--out", "-")


def _setup(cli, project) -> None:  # type: ignore[no-untyped-def]
    assert TWO != UNITS
    write_jurisdiction(project, units=TWO, directive=PLAN, language="vi")
    assert cli("load", "directives/tinh-thu", "--on", "2024-04-01").exit_code == 0
    for task, unit, day in (("front-congress", "c1-front", "2024-06-14"),
                            ("report", "dept-a", "2024-06-25")):
        assert cli("done", f"loc/{task}", "--unit", unit, "--on", day).exit_code == 0


def test_the_review_groups_a_communes_bodies_and_counts_the_commune_once(cli, project):
    _setup(cli, project)

    run = cli(*REVIEW, "--jurisdiction", "tinh-thu")

    assert run.exit_code == 0, run.stderr
    review = json.loads(run.stdout)
    assert review["locality"] is None
    commune_lines = [u["unit"] for u in review["by_unit"] if u["unit"].startswith("c")]
    assert sorted(commune_lines) == ["c1", "c1-front", "c1-party", "c2"]
    assert [{k: p[k] for k in ("locality", "name", "units", "done_on_time", "open_overdue",
                               "total", "on_time_rate", "overdue_days")}
            for p in review["by_locality"]] == [
        {"locality": "c1", "name": "Xã Một", "units": ["c1", "c1-front", "c1-party"],
         "done_on_time": 1, "open_overdue": 2, "total": 3, "on_time_rate": round(1 / 3, 4),
         "overdue_days": 31 + 21}]
    assert review["by_locality"][0]["unit_names"] == [
        "Xã Một", "Ủy ban MTTQ xã Một", "Đảng ủy xã Một"]
    # c1, c1-party and c2 are late: two communes, not three
    assert review["overdue_places"] == {"commune": 2}
    assert review["totals"]["open_overdue"] == 3
    markdown = cli(*REVIEW[:-4], "--jurisdiction", "tinh-thu", "--format", "md",
                   "--out", "-").stdout
    assert ("Theo địa bàn, còn nhiệm vụ quá hạn ở 2 đơn vị cấp xã (mỗi địa bàn tính một "
            "lần, dù nhiều cơ quan của địa bàn cùng chậm).") in markdown


def test_the_review_of_one_locality_covers_its_bodies_together(cli, project):
    _setup(cli, project)

    run = cli(*REVIEW, "--locality", "c1")

    assert run.exit_code == 0, run.stderr
    review = json.loads(run.stdout)
    assert (review["jurisdiction"], review["locality"]) == ("tinh-thu", "c1")
    assert {k: review["totals"][k] for k in ("done_on_time", "done_late", "open_overdue",
                                             "total")} == {
        "done_on_time": 1, "done_late": 0, "open_overdue": 2, "total": 3}
    assert sorted(u["unit"] for u in review["by_unit"]) == ["c1", "c1-front", "c1-party"]
    assert sorted((o["task"], o["days_overdue"]) for o in review["overdue"]) == [
        ("loc/cell-meeting", 21), ("loc/census", 31)]
    assert review["overdue_places"] == {"commune": 1}
    markdown = cli(*REVIEW[:-4], "--locality", "c1", "--format", "md", "--out", "-").stdout
    assert ("_(Nhiệm vụ do các cơ quan, đơn vị trên địa bàn Xã Một chủ trì: Xã Một; Ủy ban "
            "MTTQ xã Một; Đảng ủy xã Một; Đoàn xã Một)_") in markdown


def test_the_review_files_of_one_locality_are_named_after_it(cli, project, tmp_path):
    _setup(cli, project)

    run = cli(*REVIEW[:-4], "--locality", "c1", "--format", "json", "--out",
              str(tmp_path / "reports"))

    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [str(tmp_path / "reports" /
                                           "review-tinh-thu-2024-Q2-c1.json")]


def test_an_unknown_locality_is_one_line(cli, project):
    _setup(cli, project)

    unknown = cli(*REVIEW, "--locality", "c3")
    elsewhere = cli(*REVIEW, "--locality", "c1", "--jurisdiction", "ninh-binh")

    assert (unknown.exit_code, unknown.stdout, unknown.stderr) == (
        1, "", "error: no locality 'c3' is loaded; localities: c1 (a unit's 'locality:' in "
               "units.yaml)\n")
    assert (elsewhere.exit_code, elsewhere.stderr) == (
        1, "error: locality 'c1' belongs to tinh-thu, not ninh-binh\n")


def test_a_locality_named_alike_in_two_provinces_needs_the_jurisdiction(cli, project):
    from .test_escalation_locality import OTHER_PROVINCE

    _setup(cli, project)
    other = project / "directives" / "tinh-hai"
    other.mkdir()
    (other / "units.yaml").write_text(OTHER_PROVINCE, encoding="utf-8")
    assert cli("load", "directives/tinh-hai", "--on", "2024-04-01").exit_code == 0

    both = cli(*REVIEW, "--locality", "c1")
    chosen = cli(*REVIEW, "--locality", "c1", "--jurisdiction", "tinh-thu")

    assert (both.exit_code, both.stderr) == (
        1, "error: locality 'c1' is in tinh-hai, tinh-thu; choose one with --jurisdiction\n")
    assert chosen.exit_code == 0, chosen.stderr
    assert sorted(u["unit"] for u in json.loads(chosen.stdout)["by_unit"]) == [
        "c1", "c1-front", "c1-party"]
