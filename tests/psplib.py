"""Turns PSPLIB ``.sm`` instances into directive files (one task per job)."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.testdata import testdata_root

TESTDATA = testdata_root() / "psplib"


def parse_sm(path: Path) -> tuple[dict[int, list[int]], dict[int, int], int]:
    """Return (successors by job, duration by job, MPM-Time) of one ``.sm`` file."""
    lines = path.read_text().splitlines()
    successors: dict[int, list[int]] = {}
    durations: dict[int, int] = {}
    mpm = -1
    section = ""
    for i, line in enumerate(lines):
        if line.startswith("PROJECT INFORMATION"):
            mpm = int(lines[i + 2].split()[-1])
        elif line.startswith("PRECEDENCE RELATIONS"):
            section = "prec"
        elif line.startswith("REQUESTS/DURATIONS"):
            section = "dur"
        elif line.startswith("*") or line.startswith("RESOURCEAVAILABILITIES"):
            section = "" if line.startswith("R") else section
        fields = line.split()
        if not fields or not fields[0].isdigit():
            continue
        if section == "prec":
            job, count = int(fields[0]), int(fields[2])
            successors[job] = [int(f) for f in fields[3:3 + count]]
        elif section == "dur":
            durations[int(fields[0])] = int(fields[2])
    return successors, durations, mpm


def directive_yaml(name: str, successors: dict[int, list[int]], durations: dict[int, int]) -> str:
    """Return a directive with a task per job, each due its duration after its prerequisites."""
    preds: dict[int, list[int]] = {job: [] for job in successors}
    for job, succ in successors.items():
        for s in succ:
            preds[s].append(job)
    out = ["directive:", f"  id: {name}", '  number: "1-KH/PSP"', "  kind: plan",
           f'  title: "PSPLIB instance {name}"', "  issued_by: root", "  issued_on: 2024-01-01",
           "tasks:"]
    for job in sorted(successors):
        out += [f"  - id: job-{job}", f'    title: "Job {job}"', "    lead: root",
                "    sector: economic"]
        if preds[job]:
            out.append("    depends_on: [" + ", ".join(f"job-{p}" for p in preds[job]) + "]")
            out.append(f"    due: deps + {durations[job]}d")
        else:
            out.append(f"    due: issued + {durations[job]}d")
    return "\n".join(out) + "\n"


def instances() -> list[dict[str, str]]:
    """Return the index rows of the instances shipped in testdata."""
    with open(TESTDATA / "psplib_index.csv") as f:
        rows = list(csv.DictReader(f))
    return [r for r in rows if (TESTDATA / r["set"] / f"{r['instance']}.sm").exists()]
