"""End to end on a real Prefect server: the README's commands, in order.

Start ``prefect server``, create the process work pool, ``prefect --no-prompt deploy
--all`` from the project folder (prefect.yaml), read the deployments back, run the
daily deadline check by hand and let ``prefect worker start --run-once`` execute it
against a dirtrack database in PostgreSQL; the outbox must hold what the library
itself records for the same data, delivered as digest files and as run logs.
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


def test_deploy_and_run_the_deadline_check_on_a_worker(
        prefect_server: PrefectServer, pg_schema: Any, tmp_path: Path,
        timings: Timings) -> None:
    server = prefect_server  # starting; the databases are prepared meanwhile
    worker_db, reference_db = pg_schema(), pg_schema()
    start = time.monotonic()
    loads = [start_load(worker_db), start_load(reference_db)]
    for process in loads:
        finish_load(process)
    timings.add("dirtrack load directives --on 2024-04-15 (two schemas at once)",
                time.monotonic() - start)

    # What the library records for the same data, called directly.
    from dirtrack.escalation import check_deadlines
    from dirtrack.store.engine import make_engine

    engine = make_engine(reference_db)
    try:
        expected = check_deadlines(engine, date.fromisoformat(AS_OF))
    finally:
        engine.dispose()
    expected_alerts = {key(a) for a in outbox(reference_db)}
    assert expected.recorded == len(expected_alerts) > 0

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

    alerts_dir = tmp_path / "alerts"
    created = server.run("deployment", "run", "deadline-check/daily",
                         "--param", f"as_of={AS_OF}", "--param", f"alerts_dir={alerts_dir}")
    match = re.search(r"UUID: ([0-9a-f-]{36})", created.stdout)
    assert match, created.stdout
    flow_run_id = match.group(1)

    worker = server.run("worker", "start", "--pool", "dirtrack", "--run-once",
                        env=server.env(DIRTRACK_DATABASE_URL=worker_db), timeout=300)
    run = server.api("GET", f"/flow_runs/{flow_run_id}")
    assert run["state_type"] == "COMPLETED", worker.stdout[-4000:] + worker.stderr[-4000:]

    # The outbox: exactly what the library records, every alert delivered.
    alerts = outbox(worker_db)
    assert {key(a) for a in alerts} == expected_alerts
    assert {a.status for a in alerts} == {"delivered"}
    assert ("nb-2024-q2/dien-bien-phu/plan", "overdue", "propaganda-department", "file",
            date(2024, 6, 1)) in expected_alerts

    # One digest file per recipient of the file channel.
    files = sorted((alerts_dir / "ninh-binh" / AS_OF).glob("*.txt"))
    file_recipients = {a.recipient for a in alerts if a.channel == "file"}
    assert len(files) == len(file_recipients)
    digest = next(f for f in files if f.name.startswith("propaganda-department-"))
    assert "nb-2024-q2/dien-bien-phu/plan" in digest.read_text(encoding="utf-8")

    # One log-channel digest per recipient in the run's logs (logger dirtrack.alerts).
    log_recipients = {a.recipient for a in alerts if a.channel == "log"}
    deadline = time.monotonic() + 20
    while True:
        logs = server.api("POST", "/logs/filter", {
            "logs": {"flow_run_id": {"any_": [flow_run_id]}}, "limit": 200})
        digests = [entry["message"] for entry in logs if entry["name"] == "dirtrack.alerts"]
        if len(digests) >= len(log_recipients) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(digests) == len(log_recipients), [e["message"] for e in logs]
    assert any(" to propaganda-department: " in m for m in digests)
    summary = [e["message"] for e in logs if e["message"].startswith("deadline check as of")]
    assert summary == [f"deadline check as of {AS_OF}: {expected.recorded} alerts recorded, "
                       f"{len(file_recipients) + len(log_recipients)} digests sent, 0 failed"]
