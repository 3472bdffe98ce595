"""Where the outside data with known answers lives: ``shared/testdata`` beside the project
(a clone's folder, or the folder holding its worktrees), or ``DIRTRACK_TEST_DATA``."""

from __future__ import annotations

import os
from pathlib import Path


def testdata_root() -> Path:
    """Return the ``testdata`` folder; a path that does not exist when it cannot be found
    (the tests that read it then fail naming it, in CI and outside)."""
    configured = os.environ.get("DIRTRACK_TEST_DATA")
    if configured:
        return Path(configured)
    for folder in Path(__file__).resolve().parents:
        if (folder / "shared" / "testdata").is_dir():
            return folder / "shared" / "testdata"
    return Path(__file__).resolve().parents[2] / "shared" / "testdata"
