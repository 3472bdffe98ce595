"""The command line with a Prefect server configured: each flow it runs is a flow run
recorded on that server (its task runs and artifacts), and prints what the same
command prints with no server, when it runs in the process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
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

IN_PROCESS = ("ran in this process: no Prefect server configured (set PREFECT_API_URL to "
              "record the runs on one)")


# Runs one command as the ``dirtrack`` script does, then names on its last line of standard
# error the modules loaded that a flow's command may do without.
RUN_AND_LIST = textwrap.dedent("""\
    import sys
    from dirtrack.cli import main
    sys.argv = ["dirtrack", *sys.argv[1:]]
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("fastapi", "networkx", "docx")
                    or m.startswith(("dirtrack.review", "dirtrack.documents", "dirtrack.alerts",
                                     "dirtrack.escalation", "dirtrack.pages_kept",
                                     "dirtrack.dashboard", "prefect")))
    print("loaded:", " ".join(loaded), file=sys.stderr)
    sys.exit(code)
""")


def dirtrack(*args: str, env: dict[str, str], timings: Timings,
             label: str) -> subprocess.CompletedProcess[str]:
    start = time.monotonic()
    done = subprocess.run([str(DIRTRACK), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    timings.add(label, time.monotonic() - start)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def listing(*args: str, env: dict[str, str], timings: Timings,
            label: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``dirtrack ARGS`` in a new process; return it and the modules of note it loaded
    (its last line of standard error, taken off)."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    timings.add(label, time.monotonic() - start)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    *rest, last = done.stderr.splitlines()
    assert last.startswith("loaded:"), done.stderr[-3000:]
    done.stderr = "".join(f"{line}\n" for line in rest)
    return done, set(last.split()[1:])


def tops(modules: set[str]) -> set[str]:
    """The packages and dirtrack's subpackages among ``modules``."""
    return {".".join(m.split(".")[:2]) if m.startswith("dirtrack.") else m.split(".")[0]
            for m in modules}


def flow_runs(server: PrefectServer, flow_name: str) -> list[dict[str, Any]]:
    return list(server.api("POST", "/flow_runs/filter",
                           {"flows": {"name": {"any_": [flow_name]}}}))


def task_run_names(server: PrefectServer, flow_run_id: str) -> list[str]:
    """The names of a flow run's task runs, once all are final (they arrive as events)."""
    deadline = time.monotonic() + 30
    while True:
        runs = server.api("POST", "/task_runs/filter",
                          {"flow_runs": {"id": {"any_": [flow_run_id]}}})
        if (runs and all(r["state_type"] in ("COMPLETED", "FAILED") for r in runs)) \
                or time.monotonic() > deadline:
            return sorted(r["name"].rsplit("-", 1)[0] for r in runs)
        time.sleep(0.5)


def test_escalate_and_review_run_on_the_configured_server(
        prefect_server: PrefectServer, tmp_path: Path, timings: Timings) -> None:
    from dirtrack.plan import read_plan
    from dirtrack.store.engine import make_engine
    from dirtrack.store.sync import load_plan

    server = prefect_server  # starting; the database is prepared meanwhile
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    load_plan(engine, read_plan(ROOT / "directives"), on=date(2024, 4, 15))
    engine.dispose()
    shutil.copyfile(tmp_path / "a.db", tmp_path / "b.db")
    check = ("escalate", "--as-of", "2024-06-01")

    alone = dirtrack(*check, "--alerts-dir", str(tmp_path / "alerts-b"),
                     env=clean_env(PREFECT_HOME=str(tmp_path / "no-home"),
                                   DIRTRACK_DATABASE_URL=f"sqlite:///{tmp_path}/b.db"),
                     timings=timings, label="dirtrack escalate, no server (in the process)")
    server.wait_healthy()
    # PREFECT_API_URL in the environment.
    served, loaded = listing(
        *check, "--alerts-dir", str(tmp_path / "alerts-a"),
        env=server.env(DIRTRACK_DATABASE_URL=f"sqlite:///{tmp_path}/a.db"),
        timings=timings, label="dirtrack escalate, PREFECT_API_URL set")

    assert served.stdout == alone.stdout
    assert served.stdout.startswith("deadline check as of 2024-06-01: ")
    assert alone.stderr == IN_PROCESS + "\n"
    assert IN_PROCESS not in served.stderr
    # A check of an earlier day keeps no pages: neither the review, the documents nor the
    # dashboard are loaded; FastAPI (Prefect's encoder of parameters) and networkx neither.
    assert tops(loaded) == {"prefect", "dirtrack.alerts", "dirtrack.escalation"}
    [run] = flow_runs(server, "deadline-check")
    assert run["state_type"] == "COMPLETED"
    assert run["parameters"] == {"as_of": "2024-06-01", "alerts_dir": str(tmp_path / "alerts-a"),
                                 "pages": False}
    assert task_run_names(server, run["id"]) == ["deliver digests", "record due alerts"]

    # The same check told to keep the pages: nothing new to record, the pages kept.
    kept = dirtrack(*check, "--alerts-dir", str(tmp_path / "alerts-a"), "--pages", "--json",
                    env=server.env(DIRTRACK_DATABASE_URL=f"sqlite:///{tmp_path}/a.db"),
                    timings=timings, label="dirtrack escalate --pages, PREFECT_API_URL set")
    assert (json.loads(kept.stdout)["recorded"], json.loads(kept.stdout)["pages_kept"]) == (0, 7)
    [run] = [r for r in flow_runs(server, "deadline-check") if r["parameters"]["pages"]]
    assert run["state_type"] == "COMPLETED"
    assert task_run_names(server, run["id"]) == ["deliver digests", "keep the day's pages",
                                                 "record due alerts"]

    # PREFECT_API_URL in the active profile of the user's Prefect home, not in the
    # environment: Prefect's own settings decide.
    home = tmp_path / "user-home"
    home.mkdir()
    (home / "profiles.toml").write_text(
        f'active = "local"\n\n[profiles.local]\nPREFECT_API_URL = "{server.url}"\n',
        encoding="utf-8")
    out = tmp_path / "reports"
    review = dirtrack("review", "2024-Q2", "--as-of", "2024-07-01", "--out", str(out),
                      env=clean_env(PREFECT_HOME=str(home),
                                    DIRTRACK_DATABASE_URL=f"sqlite:///{tmp_path}/a.db"),
                      timings=timings, label="dirtrack review, server in the profile")

    # Hưng Yên's directive is issued in 2025: only Ninh Bình has a review for 2024-Q2.
    names = [f"review-ninh-binh-2024-Q2.{fmt}" for fmt in ("md", "html", "json", "docx")]
    assert review.stdout.splitlines() == [str(out / name) for name in names]
    assert IN_PROCESS not in review.stderr
    [run] = flow_runs(server, "quarterly-review")
    assert run["state_type"] == "COMPLETED"
    assert run["parameters"] == {"quarter": "2024-Q2", "as_of": "2024-07-01", "out": str(out),
                                 "jurisdiction": None, "formats": ["md", "html", "json", "docx"],
                                 "directive": None, "locality": None}
    artifacts = server.api("POST", "/artifacts/filter",
                           {"artifacts": {"flow_run_id": {"any_": [run["id"]]}}})
    assert sorted(a["key"] for a in artifacts) == ["review-ninh-binh-2024-q2",
                                                   "review-ninh-binh-2024-q2-units"]

    # One format: the Word writer is not loaded, nor the deadline check's modules.
    one, loaded = listing("review", "2024-Q2", "--as-of", "2024-07-01", "--format", "md",
                          "--out", str(tmp_path / "md"),
                          env=server.env(DIRTRACK_DATABASE_URL=f"sqlite:///{tmp_path}/a.db"),
                          timings=timings, label="dirtrack review --format md, PREFECT_API_URL set")
    assert one.stdout.splitlines() == [str(tmp_path / "md" / "review-ninh-binh-2024-Q2.md")]
    assert tops(loaded) == {"prefect", "dirtrack.review", "dirtrack.documents"}
    assert "dirtrack.documents.word" not in loaded
