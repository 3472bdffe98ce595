"""A flow run's parameters are recorded as Prefect records them, without FastAPI's import:
the flows' own parameters converted in plain Python, anything else by Prefect."""

from __future__ import annotations

import inspect
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.encoders import jsonable_encoder

from flows.steps import deadline_check, quarterly_review, sync

FLOWS = (deadline_check.deadline_check, quarterly_review.quarterly_review,
         sync.sync_directives)


class Unit:
    """An object of no JSON type: Prefect's encoder records its attributes."""

    def __init__(self, name: str) -> None:
        self.name = name


def test_the_flows_parameters_are_recorded_as_prefects_encoder_records_them():
    # Each flow's parameters as the command line and the deployments pass them.
    calls: list[tuple[Any, dict[str, Any]]] = [
        (deadline_check.deadline_check, {"as_of": date(2025, 7, 15),
                                         "alerts_dir": "reports/alerts", "pages": True}),
        (deadline_check.deadline_check, {"as_of": None, "alerts_dir": None}),
        (quarterly_review.quarterly_review, {
            "quarter": "2025-Q2", "as_of": date(2025, 7, 1), "out": None,
            "jurisdiction": "ninh-binh", "formats": ("md", "html", "json", "docx"),
            "directive": None, "locality": "hy-pho-hien"}),
        (sync.sync_directives, {"path": Path("directives")}),
    ]
    for step, parameters in calls:
        recorded = step.prefect.serialize_parameters(parameters)
        assert recorded == jsonable_encoder(parameters)
        assert list(recorded) == list(parameters)
    assert deadline_check.deadline_check.prefect.serialize_parameters(
        {"as_of": date(2025, 7, 15), "alerts_dir": None}) == {"as_of": "2025-07-15",
                                                              "alerts_dir": None}


def test_other_values_are_left_to_prefect():
    flow = quarterly_review.quarterly_review.prefect
    when = datetime(2025, 7, 1, 8, 30)
    recorded = flow.serialize_parameters({"quarter": "2025-Q2", "as_of": when,
                                          "out": Unit("kim-son"), "formats": {"md": {1, 2}}})
    assert recorded == {"quarter": "2025-Q2", "as_of": "2025-07-01T08:30:00",
                        "out": {"name": "kim-son"}, "formats": {"md": [1, 2]}}


def test_every_flow_is_prefects_flow_with_its_own_name_and_signature():
    from prefect import Flow

    for step in FLOWS:
        assert isinstance(step.prefect, Flow)
        assert step.prefect.name == step.name
        assert inspect.signature(step.prefect.fn) == inspect.signature(step.fn)
