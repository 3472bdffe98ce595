"""Indicator values and units' answers through the command line, read back in the review,
on SQLite and PostgreSQL. The plan is tests/integration/indicator_support.py.

What is recorded (the review of 2024-Q2 as of 2024-06-30):

| instance | ledger | latest models |
| --- | --- | --- |
| build@c01 | 04-10 economic 1, cultural-social 1; 05-10 economic 3 | 3 + 1 = 4 |
| build@c02 | done 05-12 with political-system 1 | 1 (done below 2) |
| build@c11 | 05-15 defense-security 2 | 2 |
| the 8 others | nothing | none |

models: 4 + 1 + 2 = 7 of 11 x 2 = 22 (31.8%); c01 and c11 reach 2: 2 of 11 units.
train: people 60 on 05-01, done with 120 on 06-20: 120 of 100 (120.0%).
"""

from __future__ import annotations

from datetime import date

import pytest

from dirtrack.documents.render import render
from dirtrack.review import build_review

from .indicator_support import load_models
from .support import counts

Q2 = "2024-Q2"


@pytest.fixture
def loaded(cli, project):
    load_models(cli, project)
    return cli


def _ok(cli, *args: str) -> None:
    run = cli(*args)
    assert run.exit_code == 0, run.stderr


def _record_quarter(cli) -> None:
    _ok(cli, "progress", "models/build@c01", "--unit", "c01", "--percent", "30", "--on",
        "2024-04-10", "--value", "models.economic=1", "--value", "models.cultural-social=1")
    _ok(cli, "progress", "models/build@c01", "--unit", "c01", "--percent", "60", "--on",
        "2024-05-10", "--value", "models.economic=3")
    _ok(cli, "done", "models/build@c02", "--unit", "c02", "--on", "2024-05-12",
        "--value", "models.political-system=1")
    _ok(cli, "progress", "models/build@c11", "--unit", "c11", "--percent", "50", "--on",
        "2024-05-15", "--value", "models.defense-security=2")
    _ok(cli, "progress", "models/train", "--unit", "dept-a", "--percent", "50", "--on",
        "2024-05-01", "--value", "people=60", "--value", "share=50")
    _ok(cli, "done", "models/train", "--unit", "dept-a", "--on", "2024-06-20",
        "--value", "people=120")


def _indicators(engine, as_of: date) -> dict[str, dict]:
    review = build_review(engine, "tiny", Q2, as_of, fresh=True).as_json()
    return {i["indicator"]: i for i in review["indicators"]}


def test_targets_against_actuals_in_the_review(loaded, engine):
    _record_quarter(loaded)

    got = _indicators(engine, date(2024, 6, 30))

    models = got["models"]
    assert (models["actual"], models["target"], models["rate"], models["instances"],
            models["reporting"], models["meeting_target"]) == (7, 22, 0.3182, 11, 3, 2)
    assert models["breakdown"] == {"economic": 3, "cultural-social": 1,
                                   "defense-security": 2, "political-system": 1}
    assert (models["units_meeting_target"], models["units_with_target"],
            models["units_meeting_share"], models["done_below_target"]) == (2, 11, 0.1818, 1)
    assert {u["unit"]: (u["actual"], u["met"]) for u in models["units"]
            if u["actual"]} == {"c01": (4, True), "c02": (1, False), "c11": (2, True)}
    people = got["people"]
    assert (people["actual"], people["target"], people["rate"], people["done_below_target"],
            people["units_meeting_target"]) == (120, 100, 1.2, 0, 1)
    assert (got["share"]["actual"], got["share"]["target"]) == (50, None)
    text = render(build_review(engine, "tiny", Q2, date(2024, 6, 30)), "md")
    assert ("Build models: 7 mô hình: kinh tế 3; văn hóa – xã hội 1; quốc phòng – an ninh 2; "
            "xây dựng hệ thống chính trị 1.") in text
    assert "| 1 | Build models | Mô hình | 22 | 7 | 31,8% | 2/11 (18,2%) | " \
           "1 lượt hoàn thành dưới chỉ tiêu |" in text
    assert "| 4 | Xã 2 | 2 | 1 | dưới chỉ tiêu |" in text  # sorted by name: Xã 1, 10, 11, 2


def test_the_latest_value_as_of_a_date_counts(loaded, engine):
    _record_quarter(loaded)

    april = _indicators(engine, date(2024, 4, 30))

    # only c01's first report: economic 1, cultural-social 1; train's 60 comes in May
    assert (april["models"]["actual"], april["models"]["breakdown"]) == (
        2, {"economic": 1, "cultural-social": 1, "defense-security": 0, "political-system": 0})
    assert (april["people"]["actual"], april["people"]["reporting"]) == (0, 0)
    assert _indicators(engine, date(2024, 5, 31))["people"]["actual"] == 60


@pytest.mark.parametrize(("args", "message"), [
    (("progress", "models/build@c01", "--unit", "c01", "--percent", "10",
      "--value", "models.economic=2.5"),
     "models is a whole number; '2.5' is not one; nothing recorded"),
    (("progress", "models/train", "--unit", "dept-a", "--percent", "10", "--value", "share=120"),
     "share is at most 100; 120 is above it; nothing recorded"),
    (("progress", "models/train", "--unit", "dept-a", "--percent", "10", "--value", "peple=3"),
     "the task has no indicator 'peple'; its indicators: people, share; nothing recorded"),
    (("progress", "models/build@c01", "--unit", "c01", "--percent", "10",
      "--value", "models=3"),
     "models is reported by part: write models.economic=N, models.cultural-social=N, "
     "models.defense-security=N, models.political-system=N; nothing recorded"),
    (("done", "models/train", "--unit", "dept-a", "--value", "people=80"),
     "models/train cannot be done below its target: people is 80 of 100; report the value "
     "reached (--value people=N) or keep it open"),
    (("done", "models/train", "--unit", "dept-a"),
     "models/train cannot be done below its target: people is none reported of 100; report "
     "the value reached (--value people=N) or keep it open"),
])
def test_a_wrong_value_is_refused_and_nothing_changes(loaded, engine, args, message):
    before = counts(engine)

    run = loaded(*args, "--on", "2024-05-02")

    assert (run.exit_code, run.stdout, run.stderr) == (1, "", f"error: {message}\n")
    assert counts(engine) == before
    assert _indicators(engine, date(2024, 6, 30))["people"]["reporting"] == 0


def test_done_below_target_is_allowed_where_the_plan_allows_it(loaded, engine):
    run = loaded("done", "models/build@c03", "--unit", "c03", "--on", "2024-05-02",
                 "--value", "models.economic=1")

    assert run.exit_code == 0, run.stderr
    got = _indicators(engine, date(2024, 6, 30))["models"]
    assert (got["actual"], got["done_below_target"], got["meeting_target"]) == (1, 1, 0)


def test_the_hung_yen_demo_review_carries_the_seed_s_model_counts(cli, engine):
    """The demo's Q1 2025 plan: ten districts, 300 models each; the seed's 3,162 models
    (761 + 1,284 + 692 + 425) as the districts report them; Văn Giang (295, still open)
    and Phù Cừ (286, done) fall short: 8 of 10 districts meet the target."""
    from dirtrack.demo import actions_for, perform
    from dirtrack.plan import read_plan

    from ..conftest import ROOT

    assert cli("load", "directives/hung-yen", "--on", "2025-01-06").exit_code == 0
    plan = read_plan(ROOT / "directives/hung-yen")
    registry = plan.registries["hung-yen"]
    refused = [perform(engine, registry, a) for a in actions_for(plan, "hy-2025-q1-models")]
    assert refused == [None] * 12  # ten reports, a request and a difficulty

    review = build_review(engine, "hung-yen", "2025-Q1", date(2025, 4, 1))

    [line] = review.overall.indicators
    assert (line.actual, line.target, line.parts, line.units_meeting, line.units_with_target,
            line.done_below_target) == (3162, 3000, {"economic": 761, "cultural-social": 1284,
                                                     "defense-security": 692,
                                                     "political-system": 425}, 8, 10, 1)
    text = render(review, "md")
    assert ("3.162 mô hình: kinh tế 761; văn hóa – xã hội 1.284; quốc phòng – an ninh 692; "
            "xây dựng hệ thống chính trị 425.") in text
    assert "| Huyện Văn Giang | 300 | 295 | dưới chỉ tiêu |" in text
    assert "| Huyện Phù Cừ | 300 | 286 | dưới chỉ tiêu |" in text
    assert [n.unit for n in review.overall.requests] == ["hy-van-giang"]
    assert [n.unit for n in review.overall.difficulties] == ["hy-phu-cu"]
