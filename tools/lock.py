"""requirements.lock against pyproject.toml: is the lock still the one for these dependencies?

``make lock`` writes the lock and then, with ``stamp``, records on its first line a
SHA-256 of pyproject.toml's dependency lists (``requires-python``, ``dependencies``,
``optional-dependencies``). ``make install`` runs ``check`` first: a dependency added,
removed or re-bounded without ``make lock`` stops the install with one line saying so,
and ``tests/unit/test_lock.py`` fails the same way. Standard library only: it runs
before the virtual environment exists.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
HEADER = "# pyproject.toml dependencies sha256: "
KEYS = ("requires-python", "dependencies", "optional-dependencies")


def dependencies_hash(pyproject: Path = PYPROJECT) -> str:
    """Return the SHA-256 (hex) of pyproject.toml's dependency lists; comments do not count."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lists = {key: project.get(key) for key in KEYS}
    return hashlib.sha256(json.dumps(lists, sort_keys=True).encode()).hexdigest()


def recorded_hash(lock: Path = LOCK) -> str | None:
    """Return the hash the lock's first line records, or None when it records none."""
    first = lock.read_text(encoding="utf-8").partition("\n")[0]
    return first.removeprefix(HEADER).strip() if first.startswith(HEADER) else None


def staleness(pyproject: Path = PYPROJECT, lock: Path = LOCK) -> str | None:
    """Return why ``lock`` is not the lock of ``pyproject``'s dependencies, or None if it is."""
    if not lock.exists():
        return f"{lock.name} is missing: run make lock"
    if recorded_hash(lock) != dependencies_hash(pyproject):
        return (f"{lock.name} was not made from {pyproject.name}'s dependencies as they are "
                f"now: run make lock, then commit both files")
    return None


def stamp(pyproject: Path = PYPROJECT, lock: Path = LOCK) -> None:
    """Record ``pyproject``'s dependency hash on the first line of ``lock``."""
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    if lines and lines[0].startswith(HEADER):
        lines = lines[1:]
    lock.write_text(f"{HEADER}{dependencies_hash(pyproject)}\n" + "".join(lines),
                    encoding="utf-8")


def main(argv: list[str]) -> int:
    """``check``: exit 1 with one line when the lock is stale; ``stamp``: record the hash."""
    if argv == ["stamp"]:
        stamp()
        return 0
    if argv == ["check"]:
        problem = staleness()
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 1
        return 0
    print("usage: python tools/lock.py check|stamp", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
