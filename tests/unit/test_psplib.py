"""Deadlines against outside answers: PSPLIB critical-path lengths (Kolisch & Sprecher 1997)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dirtrack.plan import read_plan
from tests.psplib import TESTDATA, directive_yaml, instances, parse_sm

ROWS = instances()


def test_testdata_is_present() -> None:
    assert len(ROWS) >= 90


@pytest.mark.parametrize("row", ROWS, ids=[r["instance"] for r in ROWS])
def test_directive_ends_mpm_time_after_issue(row: dict[str, str], tmp_path: Path) -> None:
    successors, durations, mpm = parse_sm(TESTDATA / row["set"] / f"{row['instance']}.sm")
    assert mpm == int(row["mpm_time"])
    folder = tmp_path / "psp"
    folder.mkdir()
    (folder / "units.yaml").write_text(
        "units:\n  - {id: root, name: Root, level: province, kind: other}\n")
    (folder / "plan.yaml").write_text(directive_yaml("psp", successors, durations))
    plan = read_plan(folder, catalog=tmp_path / "none")
    (jur, spec), = plan.directives()
    exp = plan.expansion(jur, spec)
    end = (exp.finish() - date(2024, 1, 1)).days
    assert end == mpm
    assert end <= int(row["published_makespan"])
    path = exp.critical_path()
    by_key = exp.by_key
    # The critical path runs from a job due on the issue date to the end, without slack.
    assert by_key[path[-1]].due_on == exp.finish()
    assert all(by_key[k].slack_days == 0 for k in path)
    assert sum(by_key[k].lag_days for k in path) == mpm
