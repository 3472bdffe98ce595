"""The ``dirtrack`` command line: a thin layer over the library.

Each module adds its commands to :data:`app`; importing them here registers them.
"""

from __future__ import annotations

import gc
import sys

import typer

from dirtrack.cli import (  # noqa: F401  (each module adds its commands)
    db,
    files,
    office,
    operate,
    reading,
    recording,
    running,
    users,
)
from dirtrack.cli.base import app
from dirtrack.errors import DirtrackError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``dirtrack`` script."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
    except DirtrackError as exc:  # a setting read before a command's own error handling
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        # The process ends here: Python's collections while it tears the modules down
        # (SQLAlchemy, pydantic) took a third of a short command's CPU time, and there is
        # nothing left worth collecting. Frozen objects are never examined.
        gc.freeze()
