"""``review.yaml`` and ``reviews/<quarter>.md``: what they give, and the exact
``path:line: key: message`` lines for mistakes in them; and the review's own rules
(a plan task's category, the league table's order)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dirtrack.review.model import Totals, UnitLine, league_order, plan_status
from dirtrack.spec.review_settings import ReviewSettings, Signer
from tests.unit.builders import catalog, directive_yaml, jurisdiction, plan, problems, write

TASKS = """
  - {id: t1, title: "Nhiệm vụ", lead: fatherland-front, sector: economic, due: 2024-05-31}
"""
GOOD = """\
issuer: "Ban Dân vận"
superior: "Tỉnh ủy Ninh Bình"
kind: party
number: "{n}-BC/BDVTU"
place: "Ninh Bình"
subject: "công tác dân vận"
recipients:
  - "Thường trực Tỉnh ủy (để báo cáo),"
  - "Lưu Văn phòng Ban."
signer: {title: "Trưởng ban", name: "Phạm Minh Khang"}
sectors: [political-system, economic]
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def folder_with(here: Path, review: str | None = None, **narratives: str) -> Path:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(TASKS)})
    if review is not None:
        write(folder, "review.yaml", review)
    for name, text in narratives.items():
        write(folder / "reviews", name.replace("_", "-") + ".md", text)
    return folder


def test_review_yaml_gives_the_head_signature_and_sector_order(here):
    folder = folder_with(here, GOOD, **{"2024_Q2": "## I. Kết quả\nĐoạn.\n"})

    [jur] = plan(folder, catalog(here)).jurisdictions

    assert jur.review == ReviewSettings(
        issuer="Ban Dân vận", superior="Tỉnh ủy Ninh Bình", kind="party",
        number="{n}-BC/BDVTU", place="Ninh Bình", subject="công tác dân vận",
        recipients=("Thường trực Tỉnh ủy (để báo cáo),", "Lưu Văn phòng Ban."),
        signer=Signer("", "Trưởng ban", "Phạm Minh Khang"),
        sectors=("political-system", "economic", "cultural-social", "defense-security"),
        path="nb/review.yaml")
    assert jur.narratives["2024-Q2"].results == ["Đoạn."]
    assert [d.id for d in jur.directives] == ["nb-2024-q2"]  # review.yaml is no directive


def test_without_review_yaml_there_are_no_settings(here):
    [jur] = plan(folder_with(here), catalog(here)).jurisdictions

    assert (jur.review, jur.narratives) == (None, {})


def test_mistakes_in_review_yaml_are_path_line_key_messages(here):
    folder = folder_with(here, """\
issuer: "Ban Dân vận"
kind: parti
number: "BC/BDVTU"
place: "Ninh Bình"
signer: {title: "Trưởng ban"}
sectors: [economic, culture, economic]
recipients: [{a: b}]
colour: red
""")

    assert problems(folder, catalog(here)) == [
        "nb/review.yaml:2: kind: 'parti' is not one of party, government "
        "(did you mean 'party'?)",
        "nb/review.yaml:3: number: 'BC/BDVTU' has no place for the number; write {n} where "
        "the office fills it in, e.g. '{n}-BC/BDVTU'",
        "nb/review.yaml:5: name: missing required key of signer; add 'name:'",
        "nb/review.yaml:6: sectors: 'culture' is not one of economic, cultural-social, "
        "defense-security, political-system",
        "nb/review.yaml:6: sectors: 'economic' is listed twice; list each sector once",
        "nb/review.yaml:7: recipients: each recipient is one line of text; put text holding "
        "': ' in quotes",
        "nb/review.yaml:8: colour: unknown key; allowed keys are issuer, superior, kind, "
        "number, place, subject, recipients, signer, sectors",
    ]


def test_a_broken_review_yaml_is_reported_once(here):
    folder = folder_with(here, "issuer: [\n")

    found = problems(folder, catalog(here))

    assert len(found) == 1 and found[0].startswith("nb/review.yaml:")


def test_a_narrative_heading_that_names_no_part_is_reported(here):
    folder = folder_with(here, GOOD, **{
        "2024_Q2": "Mở đầu.\n\n## I. Kết quả\nA.\n\n## Kết luận\nB.\n\n## I. Lại\n",
        "notes": "ghi chú\n"})

    assert problems(folder, catalog(here)) == [
        "nb/reviews/2024-Q2.md:6: heading: '## Kết luận' names no part of the report; use "
        "'## I. Kết quả thực hiện', '## II. Hạn chế, nguyên nhân' and '## III. Phương hướng, "
        "nhiệm vụ quý tới'",
        "nb/reviews/2024-Q2.md:9: heading: part I already begins on line 3; write each part "
        "once",
        "nb/reviews/notes.md:0: file: warning: not read: a quarter's narrative is named after "
        "its quarter, e.g. 2024-Q2.md",
    ]


def test_a_narrative_keeps_paragraphs_items_and_headings_within_a_part(here):
    folder = folder_with(here, GOOD, **{"2024_Q2": (
        "Mở đầu\nhai dòng.\n\n## III. Phương hướng\n### Trọng tâm\n- Một\n  tiếp\n"
        "- Hai\n\nĐoạn.\n")})

    narrative = plan(folder, catalog(here)).jurisdictions[0].narratives["2024-Q2"]

    assert (narrative.opening, narrative.results, narrative.directions) == (
        ["Mở đầu hai dòng."], [], ["### Trọng tâm", "- Một tiếp", "- Hai", "Đoạn."])


# The review's rules


@pytest.mark.parametrize(("counts", "threshold", "status"), [
    (Totals(done_on_time=1), 1.0, "done_on_time"),
    (Totals(done_late=1), 1.0, "done_late"),
    (Totals(open_on_time=1), 1.0, "open_on_time"),
    (Totals(open_overdue=1), 1.0, "open_overdue"),
    (Totals(cancelled=2), 1.0, "cancelled"),
    # 34 communes, 90% needed (30.6): 31 done on time is done on time...
    (Totals(done_on_time=31, open_overdue=3), 0.9, "done_on_time"),
    # ...29 done and 2 still within their deadline can still reach it...
    (Totals(done_on_time=29, open_on_time=2, open_overdue=3), 0.9, "open_on_time"),
    # ...29 done and 5 overdue cannot.
    (Totals(done_on_time=29, open_overdue=5), 0.9, "open_overdue"),
    (Totals(done_on_time=30, done_late=4), 0.9, "done_late"),
    # Cancelled instances leave the share: 9 of the 10 left.
    (Totals(done_on_time=9, open_overdue=1, cancelled=5), 0.9, "done_on_time"),
    (Totals(done_on_time=33, open_overdue=1), 1.0, "open_overdue"),
])
def test_a_plan_tasks_category_from_its_instances_and_threshold(counts, threshold, status):
    assert plan_status(counts, threshold) == status


def test_league_order_late_finisher_above_never_finisher_nothing_due_last():
    lines = [UnitLine("never", "Xã Chưa", Totals(open_overdue=1), overdue_days=3),
             UnitLine("idle", "Xã Chờ", Totals(open_on_time=2)),
             UnitLine("late", "Xã Muộn", Totals(done_late=1)),
             UnitLine("long", "Xã Lâu", Totals(open_overdue=1), overdue_days=40),
             UnitLine("best", "Xã Tốt", Totals(done_on_time=1))]

    assert [u.unit for u in sorted(lines, key=league_order)] == [
        "best", "late", "never", "long", "idle"]
