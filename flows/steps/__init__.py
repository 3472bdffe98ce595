"""Each flow's steps and the order it runs them in, with no Prefect import.

``flows/deadline_check.py``, ``flows/quarterly_review.py`` and ``flows/sync.py`` make
them Prefect flows (the deployments' entrypoints); the command line calls these
directly when no Prefect server is configured (see ``flows/runtime.py``).
"""

from __future__ import annotations

from typing import Any

_engines: dict[str, Any] = {}


def database() -> Any:
    """Return the engine of ``DIRTRACK_DATABASE_URL``, the same one while the URL stays.

    SQLAlchemy keeps its compiled statements per engine, and a new engine also checks
    the schema: the demo's 160 simulated days spent most of their time on both when
    each step made its own. One engine at a time, so a process that moves from one
    database to the next (the tests) does not keep connections to all of them.
    """
    from dirtrack.config import settings
    from dirtrack.store.engine import make_engine

    url = settings().database_url
    if url not in _engines:
        close_database()
        _engines[url] = make_engine(url)
    return _engines[url]


def close_database() -> None:
    """Close the engine :func:`database` keeps (before its database file is replaced)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
