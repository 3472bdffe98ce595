"""What the test suite needs besides Python packages, and one way to say it is missing.

A test that needs one of these calls ``need("chromium")`` (or ``"postgresql"``,
``"graphviz"``, ``"libreoffice"``, ``"fonts"``). Outside CI a missing one skips the test
with the reason; in CI (``CI`` set) it fails, and ``tests/conftest.py`` checks them all
before the first test so that the run stops with one message instead of many failures.

``make test`` runs this module first: ``debian-packages`` prints the Debian packages of
what is missing (installed when make runs as root), ``check`` prints the message, and
exits 1 in CI.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BASE = os.environ.get("DIRTRACK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
CHROMIUM = Path(os.environ.get("DIRTRACK_TEST_CHROMIUM", "/usr/bin/chromium"))


def in_ci() -> bool:
    """Return whether this run is CI's, where nothing may be skipped for a missing tool."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def _postgres() -> bool:
    import psycopg

    try:
        with psycopg.connect(PG_BASE.replace("postgresql+psycopg", "postgresql"),
                             connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _vietnamese_serif() -> bool:
    # Liberation Serif stands in for Times New Roman; only version 2 has Vietnamese letters.
    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(["fc-list", "Liberation Serif:lang=vi", "family"],
                           capture_output=True, text=True, timeout=30)
    return bool(found.stdout.strip())


@dataclass(frozen=True)
class Requirement:
    """Something outside Python that some tests need, and how to get it."""

    what: str
    needed_by: str
    how: str
    debian: tuple[str, ...]
    check: Callable[[], bool]

    @functools.cached_property
    def present(self) -> bool:
        return self.check()

    def line(self) -> str:
        """Return what is missing, for which tests, and how to get it, in one line."""
        return f"{self.what}, for {self.needed_by}: {self.how}"


REQUIREMENTS = {
    "postgresql": Requirement(
        f"PostgreSQL at {PG_BASE}", "the PostgreSQL half of the database tests",
        "start PostgreSQL (Debian package postgresql) with a database 'test' that user "
        "postgres reaches without a password, or set DIRTRACK_TEST_POSTGRES", (), _postgres),
    "chromium": Requirement(
        f"Chromium at {CHROMIUM}", "the browser tests",
        "install Debian's chromium package (or set DIRTRACK_TEST_CHROMIUM)", ("chromium",),
        lambda: CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)),
    "graphviz": Requirement(
        "Graphviz's dot", "the test that Graphviz reads the DOT output",
        "install Debian's graphviz package", ("graphviz",),
        lambda: shutil.which("dot") is not None),
    "libreoffice": Requirement(
        "LibreOffice's soffice", "the tests that render Word documents",
        "install Debian's libreoffice-writer-nogui package", ("libreoffice-writer-nogui",),
        lambda: shutil.which("soffice") is not None),
    "poppler": Requirement(
        "Poppler's pdfinfo and pdftoppm", "the tests that read printed and rendered pages",
        "install Debian's poppler-utils package", ("poppler-utils",),
        lambda: all(shutil.which(tool) is not None for tool in ("pdfinfo", "pdftoppm"))),
    "fonts": Requirement(
        "Liberation Serif with Vietnamese letters", "the tests that render Word documents",
        "install Debian's fonts-liberation2 package (fonts-liberation, version 1, lacks "
        "Vietnamese)", ("fonts-liberation2",), _vietnamese_serif),
}


def need(name: str) -> None:
    """Return when ``name`` is here; else skip the calling test, or fail it in CI."""
    requirement = REQUIREMENTS[name]
    if requirement.present:
        return
    if in_ci():
        pytest.fail(f"missing {requirement.line()}", pytrace=False)
    pytest.skip(f"missing {requirement.line()}")


def missing() -> list[Requirement]:
    """Return the requirements this machine lacks."""
    return [r for r in REQUIREMENTS.values() if not r.present]


def message(lacking: list[Requirement]) -> str:
    """Return one message listing what is missing and the command that installs it."""
    lines = ["the test suite needs what this machine lacks:"]
    lines += [f"  - {r.line()}" for r in lacking]
    packages = [p for r in lacking for p in r.debian]
    if packages:
        lines.append("as root: apt-get install --no-install-recommends " + " ".join(packages)
                     + "  (make test does it when run as root)")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """``debian-packages``: print the missing packages; ``check``: report what is missing."""
    lacking = missing()
    if argv == ["debian-packages"]:
        print(" ".join(p for r in lacking for p in r.debian))
        return 0
    if argv == ["check"]:
        if not lacking:
            return 0
        if in_ci():
            print(f"error: {message(lacking)}", file=sys.stderr)
            return 1
        print(f"warning: {message(lacking)}\nthose tests will be skipped", file=sys.stderr)
        return 0
    print("usage: python -m tests.requirements debian-packages|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
