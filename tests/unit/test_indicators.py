"""Indicators on small trees, every answer worked out by hand in the comments."""

from __future__ import annotations

import pytest

from dirtrack.indicators import Indicator, Leaf, by_unit, parse_value, parse_values, roll_up

# A district d1 with communes a, b, c; a district d2 with commune e.
TREE = {"a": "d1", "b": "d1", "c": "d1", "e": "d2", "d1": "prov", "d2": "prov"}


def _leaves(values: dict[str, float | None], cancelled: tuple[str, ...] = ()) -> list[Leaf]:
    return [Leaf(u, TREE[u], {} if v is None else {"": v}, u in cancelled)
            for u, v in values.items()]


def test_sum_with_a_target_per_instance():
    ind = Indicator("models", each=2)
    f = roll_up(ind, _leaves({"a": 3, "b": 1, "c": None, "e": 2}))
    # 3 + 1 + 2 = 6 of 4 x 2 = 8; a and e reach 2, b (1) and c (none) do not
    assert (f.actual, f.target, f.rate, f.reporting, f.meeting) == (6, 8, 0.75, 3, 2)
    assert f.met is False


def test_sum_with_a_total_target_and_a_cancelled_instance():
    ind = Indicator("people", target=10)
    f = roll_up(ind, _leaves({"a": 4, "b": 7, "e": 5}, cancelled=("e",)))
    # e is cancelled: 4 + 7 = 11 of 10, two instances counted
    assert (f.actual, f.target, f.instances, f.met, f.meeting) == (11, 10, 2, True, None)


def test_average_of_the_values_reported():
    ind = Indicator("rate", type="percent", combine="average", each=80)
    f = roll_up(ind, _leaves({"a": 90, "b": 70, "c": None, "e": 85}))
    # (90 + 70 + 85) / 3 = 81.6667 against 80; a and e reach 80
    assert (f.actual, f.target, f.meeting, f.met) == (81.6667, 80, 2, True)


def test_count_of_instances_meeting_their_target():
    ind = Indicator("models", combine="count-meeting-target", each=2, target=3)
    f = roll_up(ind, _leaves({"a": 2, "b": 5, "c": 1, "e": 0}))
    # a (2) and b (5) reach 2: 2 of the 3 the plan asks
    assert (f.actual, f.target, f.rate, f.met) == (2, 3, 0.6667, False)


def test_breakdown_adds_up_per_part():
    ind = Indicator("models", each=2, breakdown=("economic", "cultural-social"))
    leaves = [Leaf("a", "d1", {"economic": 1, "cultural-social": 2}),
              Leaf("b", "d1", {"economic": 1}), Leaf("e", "d2", {"cultural-social": 4})]
    f = roll_up(ind, leaves)
    # a: 3, b: 1, e: 4; economic 1 + 1, cultural-social 2 + 4
    assert (f.actual, f.parts, f.meeting) == (8, {"economic": 2, "cultural-social": 6}, 2)


def test_by_unit_and_rolled_up_to_the_district():
    ind = Indicator("models", each=2)
    leaves = _leaves({"a": 3, "b": 1, "c": None, "e": 2})
    per_commune = by_unit(ind, leaves)
    assert {u: (f.actual, f.met) for u, f in per_commune.items()} == {
        "a": (3, True), "b": (1, False), "c": (0, False), "e": (2, True)}
    per_district = by_unit(ind, leaves, up=1)
    # d1: 3 + 1 of 3 x 2 = 6, one of three communes meets; d2: 2 of 2
    assert {u: (f.actual, f.target, f.meeting) for u, f in per_district.items()} == {
        "d1": (4, 6, 1), "d2": (2, 2, 1)}
    per_province = by_unit(ind, leaves, up=2, parents=TREE)
    assert {u: (f.actual, f.target) for u, f in per_province.items()} == {"prov": (6, 8)}


@pytest.mark.parametrize(("ind", "text", "message"), [
    (Indicator("models"), "2.5", "models is a whole number; '2.5' is not one"),
    (Indicator("models"), "many", "models is a whole number; 'many' is not a number"),
    (Indicator("models"), "-1", "models is at least 0; -1 is below it"),
    (Indicator("rate", type="percent"), "101", "rate is at most 100; 101 is above it"),
    (Indicator("km", type="decimal", maximum=5), "5.5", "km is at most 5; 5.5 is above it"),
    (Indicator("km", type="decimal"), "nan", "km is a number; 'nan' is not one"),
])
def test_values_of_the_wrong_type_or_range_are_refused(ind, text, message):
    with pytest.raises(ValueError) as caught:
        parse_value(ind, text)
    assert str(caught.value) == message


def test_values_name_their_indicator_and_part():
    sector = Indicator("models", breakdown=("economic", "cultural-social"))
    assert parse_values(["models.economic=3"], [sector]) == {("models", "economic"): 3}
    with pytest.raises(ValueError) as caught:
        parse_values(["models=3"], [sector])
    assert str(caught.value) == ("models is reported by part: write models.economic=N, "
                                 "models.cultural-social=N")
    with pytest.raises(ValueError) as caught:
        parse_values(["models"], [sector])
    assert str(caught.value) == "write a value as NAME=NUMBER (or NAME.PART=NUMBER), not 'models'"
