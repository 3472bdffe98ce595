"""The files of a directives path and its catalog: read whole, bounded, UTF-8, in their folder.

>>> relative_inside("ninh-binh"), relative_inside("alerts/ninh-binh"), relative_inside("")
(True, True, True)
>>> relative_inside("../etc"), relative_inside("/etc"), relative_inside("a/../../b")
(False, False, False)
"""

from __future__ import annotations

import errno
from pathlib import Path, PurePosixPath, PureWindowsPath

from dirtrack.spec.fields import Report

MAX_FILE_BYTES = 10_000_000  # the national registry of 4,500 units is about 0.5 MB


def shown(path: Path, root: Path) -> str:
    """Return ``path`` as a user reads it: relative to ``root`` when inside it, else as given.

    The folder is resolved, not the file itself: a link is shown under its own name,
    and a loop of links cannot make this fail.
    """
    try:
        full = path.parent.resolve() / path.name
        return str(full.relative_to(root.resolve()))
    except (ValueError, OSError, RuntimeError):  # outside root, or a loop in the folders
        return str(path)


def is_present(path: Path) -> bool:
    """Return True when ``path`` exists, or is a link (perhaps broken, perhaps a loop)."""
    return path.exists() or path.is_symlink()


def inside(target: Path, root: Path) -> bool:
    """Return True when ``target``, links followed, lies within ``root``."""
    try:
        return target.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links leads nowhere
        return False


def relative_inside(text: str) -> bool:
    """Return True when ``text`` names a folder inside another: relative, never climbing out."""
    for flavour in (PurePosixPath, PureWindowsPath):
        path = flavour(text)
        if path.is_absolute() or path.drive or path.root or ".." in path.parts:
            return False
    return True


def read_source(path: Path, name: str, report: Report) -> str | None:
    """Return the text of the file at ``path`` (shown as ``name``), or None after reporting."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            report.error(name, 0, "file", f"the file holds {size:,} bytes, more than "
                         f"{MAX_FILE_BYTES:,}; split it into several files")
            return None
        data = path.read_bytes()
    except OSError as exc:
        report.error(name, 0, "file", _unreadable(exc))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        report.error(name, line, "file", "this is not UTF-8 text; save the file as UTF-8")
        return None


def _unreadable(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return ("this is a link that leads back to itself (a loop of symbolic links); point "
                "it at a file or remove it")
    if exc.errno == errno.ENOENT:
        return "this is a link to a file that does not exist; point it at a file or remove it"
    if exc.errno == errno.EISDIR:
        return "this is a folder, not a file; rename it so that its name does not end in .yaml"
    return f"cannot be read ({exc.strerror}); check that the file can be read"
