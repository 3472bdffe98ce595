"""The 2025 reorganisations through the command line: Ninh Bình's Hoa Lư city receives
the alerts of the units it replaced; a units.yaml with impossible moves is refused line
by line and nothing is loaded."""

from __future__ import annotations

import json

HOA_LU_STEPS = {"overdue", "supervisor", "issuer", "standing-committee"}  # not root causes


def _alerts(cli, task: str) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    run = cli("alerts", "--json", "--limit", "100000")
    assert run.exit_code == 0, run.stderr
    return {(a["recipient"], a["step"], a["fired_on"]) for a in json.loads(run.stdout)
            if a["task"] == task and a["channel"] == "log" and a["step"] in HOA_LU_STEPS}


def test_after_1_january_2025_the_alerts_of_hoa_lu_go_to_hoa_lu_city(cli, tmp_path):
    alerts_dir = str(tmp_path / "alerts")
    assert cli("load", "directives/ninh-binh", "--on", "2024-04-15").exit_code == 0

    assert cli("escalate", "--as-of", "2024-12-31", "--alerts-dir", alerts_dir).exit_code == 0
    assert cli("escalate", "--as-of", "2025-01-02", "--alerts-dir", alerts_dir).exit_code == 0

    # Hoa Lư district led the summary until it merged: from 2025-01-02 the lead's step
    # goes to Hoa Lư city; the steps already sent to the province stand.
    assert _alerts(cli, "nb-2024-q2/district-summary@hoa-lu") == {
        ("hoa-lu", "overdue", "2024-12-31"),
        ("pc-standing", "supervisor", "2024-12-31"),
        ("pc-standing", "issuer", "2024-12-31"),
        ("pc-standing", "standing-committee", "2024-12-31"),
        ("hoa-lu-city", "overdue", "2025-01-02"),
    }
    # A commune of the former Ninh Bình city: its supervisor is now Hoa Lư city.
    assert _alerts(cli, "nb-2024-q2/ff-congress/grassroots@ninh-nhat") >= {
        ("ninh-binh-city", "supervisor", "2024-12-31"),
        ("hoa-lu-city", "supervisor", "2025-01-02"),
    }
    for gone in ("hoa-lu", "ninh-binh-city"):
        sent = json.loads(cli("alerts", "--unit", gone, "--json", "--limit", "100000").stdout)
        assert {a["fired_on"] for a in sent} == {"2024-12-31"}


def test_impossible_moves_are_refused_with_their_lines(cli, project):
    units = project / "directives" / "ninh-binh" / "units.yaml"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace(
        "  - {unit: ninh-xuan, parent: hoa-lu-city, on: 2025-01-01",
        "  - {unit: ninh-xuan, parent: hoa-lu, on: 2025-01-01"), encoding="utf-8")
    line = next(n for n, row in enumerate(units.read_text().splitlines(), 1)
                if row.startswith("  - {unit: ninh-xuan,"))

    run = cli("validate", "directives/ninh-binh")
    load = cli("load", "directives/ninh-binh", "--on", "2024-04-15")

    error = (f"directives/ninh-binh/units.yaml:{line}: parent: unit 'hoa-lu' ends on "
             "2025-01-01, so 'ninh-xuan' cannot move under it on 2025-01-01; name the unit "
             "that continues")
    assert run.exit_code == 1
    assert run.stderr.splitlines()[0] == error
    assert (load.exit_code, load.stdout, load.stderr.splitlines()[0]) == (1, "", error)
