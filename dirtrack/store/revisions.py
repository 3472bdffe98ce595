"""The schema's revisions as their files state them, and the tables the newest one has.

Nothing here imports SQLAlchemy or Alembic: every command checks that its database is
at the newest revision, and the commands that only read must answer in half a second.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from dirtrack.errors import ConfigError
from dirtrack.store.columns import NEWEST_TABLES

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"  # the first release's schema
VERSION_TABLE = "alembic_version"

__all__ = ["BASELINE", "MIGRATIONS", "NEWEST_TABLES", "VERSION_TABLE", "head", "lacking",
           "revisions"]

_REVISION = re.compile(r"""^revision\s*=\s*["']([^"']+)["']""", re.M)
_DOWN_REVISION = re.compile(r"""^down_revision\s*=\s*(?:["']([^"']+)["']|None)""", re.M)


@lru_cache(maxsize=8)
def revisions(extra_versions: tuple[Path, ...] = ()) -> dict[str, str | None]:
    """Return each revision with the one it follows (None for the first), read from the
    revision files' ``revision =`` and ``down_revision =`` lines.

    Reading them takes no Alembic import (a quarter of a second): every command checks
    the revision, few run one. A test holds this to what Alembic reads.
    """
    found: dict[str, str | None] = {}
    for folder in (MIGRATIONS / "versions", *extra_versions):
        for path in sorted(folder.glob("*.py")):
            text = path.read_text(encoding="utf-8")
            revision = _REVISION.search(text)
            if path.name == "__init__.py" or revision is None:
                continue
            down = _DOWN_REVISION.search(text)
            found[revision.group(1)] = down.group(1) if down and down.group(1) else None
    return found


def head(extra_versions: tuple[Path, ...] = ()) -> str:
    """Return the newest revision."""
    known = revisions(extra_versions)
    newest = sorted(set(known) - set(known.values()))
    if len(newest) != 1:  # two revisions on the same parent: someone must order them
        raise ConfigError(f"the schema's revisions have {len(newest)} heads "
                          f"({', '.join(newest)}); give one of them the other as its "
                          "down_revision")
    return newest[0]


def lacking(found: dict[str, set[str]], expected: dict[str, set[str]]) -> list[str]:
    """Return what ``found`` (tables and their columns) lacks of ``expected``, in words."""
    out = []
    for table, columns in sorted(expected.items()):
        if table not in found:
            out.append(f"no table {table}")
        elif missing := sorted(columns - found[table]):
            out.append(f"table {table} lacks {', '.join(missing)}")
    return out


# The tables and columns of a database, of its current schema on PostgreSQL.
TABLE_COLUMNS = {
    "postgresql": ("SELECT table_name, column_name FROM information_schema.columns "
                   "WHERE table_schema = current_schema()"),
    "sqlite": ("SELECT m.name AS table_name, p.name AS column_name "
               "FROM sqlite_master AS m, pragma_table_info(m.name) AS p "
               "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"),
}
