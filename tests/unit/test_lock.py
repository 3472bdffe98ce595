"""requirements.lock is the lock of pyproject.toml's dependencies as they are, and every
version it pins lies within pyproject.toml's bounds."""

from __future__ import annotations

from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tools.lock import LOCK, PYPROJECT, staleness, stamp

STALE = ("requirements.lock was not made from pyproject.toml's dependencies as they are now: "
         "run make lock, then commit both files")


def _copies(tmp_path: Path) -> tuple[Path, Path]:
    pyproject, lock = tmp_path / "pyproject.toml", tmp_path / "requirements.lock"
    pyproject.write_text(PYPROJECT.read_text(encoding="utf-8"), encoding="utf-8")
    lock.write_text(LOCK.read_text(encoding="utf-8"), encoding="utf-8")
    return pyproject, lock


def _pins() -> dict[str, str]:
    """Return {package: version} of the lock's lines that apply to this interpreter."""
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in "# ":
            continue
        pinned = Requirement(line.rstrip(" \\"))
        if pinned.marker is None or pinned.marker.evaluate():
            pins[canonicalize_name(pinned.name)] = str(pinned.specifier).removeprefix("==")
    return pins


def _declared() -> list[Requirement]:
    import tomllib

    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    lines = project["dependencies"] + [r for extra in project["optional-dependencies"].values()
                                       for r in extra]
    return [Requirement(line) for line in lines]


def test_the_lock_was_made_from_the_dependencies_as_they_are():
    assert staleness() is None


def test_a_dependency_changed_without_make_lock_makes_the_install_stop(tmp_path):
    pyproject, lock = _copies(tmp_path)
    text = pyproject.read_text(encoding="utf-8")

    pyproject.write_text(text.replace('"networkx>=', '"networkx>=0,<9,>='), encoding="utf-8")
    changed = staleness(pyproject, lock)
    pyproject.write_text(text.replace("dev = [\n", 'dev = [\n    "pytest-timeout",\n'),
                         encoding="utf-8")
    added = staleness(pyproject, lock)
    pyproject.write_text(text.replace("[tool.ruff]\n", "# a comment\n[tool.ruff]\n")
                         .replace("line-length = 100", "line-length = 99"), encoding="utf-8")
    elsewhere = staleness(pyproject, lock)
    lock.unlink()
    missing = staleness(pyproject, lock)

    assert (changed, added, elsewhere) == (STALE, STALE, None)
    assert missing == "requirements.lock is missing: run make lock"


def test_make_lock_records_the_new_dependencies(tmp_path):
    pyproject, lock = _copies(tmp_path)
    pyproject.write_text(pyproject.read_text(encoding="utf-8")
                         .replace('"networkx>=', '"networkx>=0,<9,>='), encoding="utf-8")
    body = lock.read_text(encoding="utf-8").partition("\n")[2]

    stamp(pyproject, lock)

    assert staleness(pyproject, lock) is None
    assert lock.read_text(encoding="utf-8").partition("\n")[2] == body


def test_every_dependency_is_locked_within_its_bounds_and_has_a_lower_bound():
    pins = _pins()
    outside = {}
    for declared in _declared():
        pinned = pins.get(canonicalize_name(declared.name))
        if pinned is None or pinned not in declared.specifier:
            outside[str(declared)] = pinned
    unbounded = [str(r) for r in _declared()
                 if not any(s.operator in (">=", "==", "~=") for s in r.specifier)]

    assert outside == {}
    assert unbounded == []
