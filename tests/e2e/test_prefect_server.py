"""End to end on a real Prefect server: the README's commands, in order.

Start ``prefect server``, create the process work pool, ``prefect --no-prompt deploy
--all`` from the project folder (prefect.yaml), read the deployments back, run the
daily deadline check by hand and let ``prefect worker start --run-once`` execute it
against a dirtrack database, once in PostgreSQL and once in an SQLite file; the outbox
must hold what the library itself records for the same data, delivered as digest files
and as run logs.
"""

from __future__ import annotations

import re
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import DIRTRACK, PREFECT, ROOT, PrefectServer, Timings, clean_env

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not PREFECT.exists(), reason=f"no prefect executable at {PREFECT}"),
]

AS_OF = "2024-06-01"
DEPLOYMENTS: dict[str, dict[str, Any]] = {
    "deadline-check/daily": {"cron": "0 7 * * *", "parameters": {}},
    "quarterly-review/quarterly": {"cron": "0 6 1 1,4,7,10 *", "parameters": {}},
    "sync-directives/on-demand": {"cron": None, "parameters": {"path": "directives"}},
}


def start_load(url: str) -> subprocess.Popen[str]:
    """``dirtrack load directives --on 2024-04-15`` into ``url``, from the project folder."""
    return subprocess.Popen([str(DIRTRACK), "load", "directives", "--on", "2024-04-15"],
                            cwd=ROOT, env=clean_env(DIRTRACK_DATABASE_URL=url),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish_load(process: subprocess.Popen[str]) -> None:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    assert "nb-2024-q2: new" in out, out


def outbox(url: str) -> list[Any]:
    from dirtrack.alerts import list_alerts
    from dirtrack.store.engine import make_engine

    engine = make_engine(url)
    try:
        return list_alerts(engine)
    finally:
        engine.dispose()


def key(alert: Any) -> tuple[str, str, str, str, date]:
    return (alert.task, alert.step, alert.recipient, alert.channel, alert.fired_on)


def read_deployments(server: PrefectServer) -> dict[str, dict[str, Any]]:
    flows = {f["id"]: f["name"] for f in server.api("POST", "/flows/filter", {})}
    return {f"{flows[d['flow_id']]}/{d['name']}": d
            for d in server.api("POST", "/deployments/filter", {})}


def digest_rows(url: str) -> list[Any]:
    """The digests dirtrack stored for delivery, as rows of the delivery table."""
    from sqlalchemy import select

    from dirtrack.store.engine import make_engine
    from dirtrack.store.tables import DeliveryRow

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(DeliveryRow.__table__)))  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_deploy_and_run_the_deadline_check_on_a_worker(
        prefect_server: PrefectServer, pg_schema: Any, tmp_path: Path,
        timings: Timings) -> None:
    """One server and one deployment; the worker runs the check twice, once against a
    dirtrack database in PostgreSQL and once against one in an SQLite file."""
    server = prefect_server  # starting; the databases are prepared meanwhile
    databases = {"postgresql": (pg_schema(), pg_schema()),
                 "sqlite": (f"sqlite:///{tmp_path / 'worker.db'}",
                            f"sqlite:///{tmp_path / 'reference.db'}")}
    start = time.monotonic()
    loads = [start_load(url) for pair in databases.values() for url in pair]
    for process in loads:
        finish_load(process)
    timings.add("dirtrack load directives --on 2024-04-15 (four databases at once)",
                time.monotonic() - start)

    # What the library records for the same data, called directly.
    from dirtrack.escalation import check_deadlines
    from dirtrack.store.engine import make_engine

    expected: dict[str, Any] = {}
    for kind, (_, reference_db) in databases.items():
        engine = make_engine(reference_db)
        try:
            recorded = check_deadlines(engine, date.fromisoformat(AS_OF)).recorded
        finally:
            engine.dispose()
        expected[kind] = (recorded, {key(a) for a in outbox(reference_db)})
    assert expected["sqlite"] == expected["postgresql"]
    recorded, expected_alerts = expected["postgresql"]
    assert recorded == len(expected_alerts)
    assert ("nb-2024-q2/dien-bien-phu/plan", "overdue", "propaganda-department", "file",
            date(2024, 6, 1)) in expected_alerts

    server.wait_healthy()
    server.run("work-pool", "create", "dirtrack", "--type", "process")
    server.run("--no-prompt", "deploy", "--all")

    deployments = read_deployments(server)
    assert set(deployments) == set(DEPLOYMENTS)
    for name, want in DEPLOYMENTS.items():
        found = deployments[name]
        assert found["work_pool_name"] == "dirtrack", name
        assert found["parameters"] == want["parameters"], name
        assert found["pull_steps"] == [{"prefect.deployments.steps.set_working_directory":
                                        {"directory": str(ROOT)}}], name
        env = found["job_variables"]["env"]
        assert env["PREFECT_LOGGING_EXTRA_LOGGERS"] == "dirtrack", name
        assert not [k for k in env if k.startswith("DIRTRACK_")], name  # the worker's own
        schedules = [s["schedule"] for s in found["schedules"]]
        if want["cron"] is None:
            assert schedules == [], name
        else:
            assert [(s["cron"], s["timezone"]) for s in schedules] == \
                [(want["cron"], "Asia/Ho_Chi_Minh")], name
    # No scheduled run may reach the worker below, whatever the time of day.
    for found in deployments.values():
        for schedule in found["schedules"]:
            server.api("PATCH", f"/deployments/{found['id']}/schedules/{schedule['id']}",
                       {"active": False})

    for kind, (worker_db, _) in databases.items():
        run_on_a_worker(server, kind, worker_db, expected_alerts, tmp_path / kind)


def run_on_a_worker(server: PrefectServer, kind: str, worker_db: str,
                    expected_alerts: set[Any], folder: Path) -> None:
    """Run deadline-check/daily by hand on ``prefect worker start --run-once`` against
    ``worker_db``; check the outbox, the digest files and the run's logs."""
    alerts_dir = folder / "alerts"
    created = server.run("deployment", "run", "deadline-check/daily",
                         "--param", f"as_of={AS_OF}", "--param", f"alerts_dir={alerts_dir}",
                         label=f"prefect deployment run deadline-check/daily ({kind})")
    match = re.search(r"UUID: ([0-9a-f-]{36})", created.stdout)
    assert match, created.stdout
    flow_run_id = match.group(1)

    worker = server.run("worker", "start", "--pool", "dirtrack", "--run-once",
                        env=server.env(DIRTRACK_DATABASE_URL=worker_db), timeout=300,
                        label=f"prefect worker start --run-once ({kind})")
    run = server.api("GET", f"/flow_runs/{flow_run_id}")
    assert run["state_type"] == "COMPLETED", worker.stdout[-4000:] + worker.stderr[-4000:]

    # The outbox: exactly what the library records, every alert delivered.
    alerts = outbox(worker_db)
    assert {key(a) for a in alerts} == expected_alerts, kind
    assert {a.status for a in alerts} == {"delivered"}, kind

    # One digest file per recipient of the file channel, holding the stored digest.
    digests = digest_rows(worker_db)
    on_file = {f"{d.recipient_id}-{d.id}.txt": f"{d.subject}\n\n{d.body}"
               for d in digests if d.channel == "file"}
    files = {f.name: f.read_text(encoding="utf-8")
             for f in (alerts_dir / "ninh-binh" / AS_OF).glob("*.txt")}
    assert files == on_file, kind
    assert sorted(name.rsplit("-", 1)[0] for name in files) == sorted(
        {a.recipient for a in alerts if a.channel == "file"}), kind

    # One log-channel digest per recipient in the run's logs (logger dirtrack.alerts).
    log_recipients = {a.recipient for a in alerts if a.channel == "log"}
    deadline = time.monotonic() + 20
    while True:
        logs = server.api("POST", "/logs/filter", {
            "logs": {"flow_run_id": {"any_": [flow_run_id]}}, "limit": 200})
        logged = [entry["message"] for entry in logs if entry["name"] == "dirtrack.alerts"]
        if len(logged) >= len(log_recipients) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    subjects = {d.recipient_id: d.subject for d in digests if d.channel == "log"}
    assert sorted(logged) == sorted(
        f"alert digest {d.id} to {d.recipient_id}: {subjects[d.recipient_id]}"
        for d in digests if d.channel == "log"), kind
    assert set(subjects) == log_recipients, kind
    summary = [e["message"] for e in logs if e["message"].startswith("deadline check as of")]
    # the pages kept: the dashboard; for each of the two provinces the review's figures of
    # the quarter just ended and of the current one, and the document of the former
    assert summary == [f"deadline check as of {AS_OF}: {len(expected_alerts)} alerts recorded, "
                       f"{len(on_file) + len(log_recipients)} digests sent, 0 failed, "
                       f"{1 + 3 * 2} pages kept"], kind
