"""Builds a database with dirtrack's first release, for the upgrade tests.

Run as ``python first_release_build.py URL FOLDER`` from that release's tree (commit
141b923, unpacked by ``tests/integration/schema_support.py``) with the tree first on
PYTHONPATH, so ``dirtrack`` is that release. It loads the release's demo directives,
records events of every kind through its command line, adds users and API tokens, runs
two deadline checks (outbox and digests to the file channel), attaches an evidence file
through its web app, and prints one JSON line: its ``status --json`` at the dates the
test compares, and where ``dirtrack`` was imported from.

Written against that release's interfaces, which never change: keep it so.
"""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path

STATUS_DATES = ("2024-05-31", "2024-06-30", "2024-07-31", "2025-09-30")
PASSWORD = "a long enough password"
EVENTS = [  # the README's tour, as that release printed it
    ("progress", "nb-2024-q2/supervision-programme", "--unit", "fatherland-front",
     "--percent", "60", "--on", "2024-06-01"),
    ("done", "nb-2024-q2/supervision-programme", "--unit", "fatherland-front",
     "--on", "2024-06-20", "--note", "Supervision of 12 communes completed",
     "--evidence", "Report 18/BC-MTTQ"),
    ("verify", "nb-2024-q2/supervision-programme", "--on", "2024-06-22"),
    ("done", "nb-2024-q2/planning-218", "--unit", "planning-investment", "--on", "2024-06-05"),
    ("verify", "nb-2024-q2/planning-218", "--return", "--reason", "No list of events attached",
     "--on", "2024-06-07"),
    ("extend", "nb-2024-q2/circular-05", "--to", "2024-07-31", "--decision", "1030/QĐ-UBND",
     "--on", "2024-06-10"),
    ("cancel", "nb-2024-q2/trang-an-programme", "--decision", "12-TB/TU", "--on", "2024-06-12"),
]
EVIDENCE_TASK = "nb-2024-q2/district-summary@kim-son"


def main(url: str, folder: Path) -> None:
    os.environ.update(DIRTRACK_DATABASE_URL=url, DIRTRACK_REPORT_DAYS_BACK="100000",
                      DIRTRACK_SECRET_KEY="first-release-test-key-0123456789abcdef",
                      DIRTRACK_EVIDENCE_DIR=str(folder / "evidence"))
    from typer.testing import CliRunner

    import dirtrack
    from dirtrack.cli import app

    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> str:
        result = runner.invoke(app, list(args), input=stdin)
        if result.exit_code != 0:
            raise SystemExit(f"dirtrack {' '.join(args)}: exit {result.exit_code}: "
                             f"{result.output}{result.exception or ''}")
        return str(result.stdout)

    run("load", "directives", "--on", "2024-04-15")
    for event in EVENTS:
        run(*event)
    run("user", "add", "chair", "--role", "steering", "--no-password")
    run("user", "add", "kimson.vanphong", "--role", "officer", "--unit", "kim-son",
        "--password-stdin", stdin=PASSWORD + "\n")
    run("user", "add", "reader", "--role", "viewer", "--no-password")
    run("user", "token", "kimson.vanphong")
    run("user", "token", "reader")
    _deadline_checks(url, folder / "alerts")
    _evidence(url, folder / "evidence")
    statuses = {day: json.loads(run("status", "--json", "--as-of", day)) for day in STATUS_DATES}
    print(json.dumps({"status": statuses, "dirtrack": dirtrack.__file__}))


def _deadline_checks(url: str, alerts_dir: Path) -> None:
    """The deadline-check flow's two steps, as its tasks call them (no Prefect needed)."""
    from dirtrack.alerts import deliver
    from dirtrack.escalation import check_deadlines
    from dirtrack.store.engine import make_engine

    engine = make_engine(url)
    for day in (date(2024, 6, 1), date(2024, 7, 15)):
        check_deadlines(engine, day)
        deliver(engine, datetime.now(UTC), alerts_dir)
    engine.dispose()


def _evidence(url: str, evidence_dir: Path) -> None:
    """An officer of Kim Sơn reports its task done with a file, through the web app."""
    from fastapi.testclient import TestClient

    from dirtrack.web.app import create_app

    client = TestClient(create_app(url, evidence_dir=evidence_dir))
    page = client.get("/login")
    client.post("/login", data={"name": "kimson.vanphong", "password": PASSWORD,
                                "csrf": _field(page.text, "csrf"), "next": "/"})
    page = client.get(f"/tasks/{EVIDENCE_TASK}")
    form = re.search(rf'<form[^>]+action="/tasks/{re.escape(EVIDENCE_TASK)}/done".*?</form>',
                     page.text, flags=re.S)
    if form is None:
        raise SystemExit(f"the task page of {EVIDENCE_TASK} has no done form")
    sent = client.post(f"/tasks/{EVIDENCE_TASK}/done", follow_redirects=False, data={
        "csrf": _field(form.group(0), "csrf"), "version": _field(form.group(0), "version"),
        "on": "14/06/2024", "note": "Báo cáo tổng kết"},
        files={"evidence": ("Báo cáo.pdf", b"%PDF-1.4 bao cao tong ket", "application/pdf")})
    if sent.status_code != 303:
        raise SystemExit(f"the evidence upload answered {sent.status_code}")


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    if match is None:
        raise SystemExit(f"no {name} field on the page")
    return match.group(1)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
