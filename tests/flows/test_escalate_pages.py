"""``dirtrack escalate`` keeps the day's dashboard and reviews when it checks today (what
the first users of the day open), not when it checks an earlier day (catching up, a
replay), unless told with ``--pages``; ``--no-pages`` leaves them out.

The clock stands at 06:30 on 2 June 2024 in Hanoi (tests/fixtures_clock.py); the tiny
jurisdiction of test_flows.py has one directive, issued 2024-04-01. A page kept is the
dashboard, and for the one jurisdiction the review figures of 2024-Q1 and of 2024-Q2 and
the document of 2024-Q1: four.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from dirtrack.pages_kept import P


def kept_dates(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return [str(d) for d in conn.execute(
            select(P.c.as_of).group_by(P.c.as_of).order_by(P.c.as_of)).scalars()]


def pages_of(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(P)).scalar_one())


@pytest.fixture
def tiny_cli(cli, project, clock, engine):  # type: ignore[no-untyped-def]
    from tests.flows.test_flows import write_tiny

    write_tiny(project / "extra")
    assert cli("load", "extra/tiny", "--on", "2024-04-01").exit_code == 0
    return cli


def escalate(cli, tmp_path, *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    run = cli("escalate", "--alerts-dir", str(tmp_path / "alerts"), "--json", *args)
    assert run.exit_code == 0, run.stdout + run.stderr
    return json.loads(run.stdout)


def test_a_check_of_an_earlier_day_keeps_no_pages_and_todays_check_keeps_them(
        tiny_cli, engine, tmp_path):
    earlier = escalate(tiny_cli, tmp_path, "--as-of", "2024-05-20")

    assert (earlier["recorded"], earlier["pages_kept"]) == (10, 0)
    assert pages_of(engine) == 0

    today = escalate(tiny_cli, tmp_path)  # 2024-06-02 in Hanoi

    assert (today["as_of"], today["recorded"], today["pages_kept"]) == ("2024-06-02", 6, 4)
    assert kept_dates(engine) == ["2024-06-02"]
    assert pages_of(engine) == 4


def test_pages_and_no_pages_decide_for_any_day(tiny_cli, engine, tmp_path):
    told = escalate(tiny_cli, tmp_path, "--as-of", "2024-05-20", "--pages")

    assert told["pages_kept"] == 4
    assert kept_dates(engine) == ["2024-05-20"]

    left = escalate(tiny_cli, tmp_path, "--no-pages")

    assert (left["as_of"], left["recorded"], left["pages_kept"]) == ("2024-06-02", 6, 0)
    assert kept_dates(engine) == ["2024-05-20"]
