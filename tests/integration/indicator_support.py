"""A small plan with indicators, in the mini jurisdiction (tests/integration/support.py).

Issued on 2024-04-01. ``build`` fans out over the eleven communes (c01..c10 in d1, c11
in d2), each to build two models, reported by sector; ``train`` is dept-a's, a hundred
people at least, and refuses a completion below it; its ``share`` is a percentage.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from .support import MINI, write_mini

MODELS = """\
directive:
  id: models
  number: "2-KH/BTV"
  kind: plan
  title: "Models plan"
  issued_by: prov
  issued_on: 2024-04-01
tasks:
  - id: build
    title: "Build models"
    for_each: commune
    sector: political-system
    due: 2024-06-30
    indicators:
      - {id: models, name: "Mô hình", unit: "mô hình", each: 2, breakdown: sector}
  - id: train
    title: "Train officers"
    lead: dept-a
    sector: political-system
    due: 2024-06-30
    indicators:
      - {id: people, unit: "người", target: 100, below_target: refuse}
      - {id: share, type: percent}
"""


def load_models(cli: Any, project: Path) -> None:
    write_mini(project)
    (project / MINI / "models.yaml").write_text(textwrap.dedent(MODELS), encoding="utf-8")
    run = cli("load", MINI, "--on", "2024-04-01")
    assert run.exit_code == 0, run.stderr
