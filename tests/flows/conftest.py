"""Fixtures of this folder beyond the shared ones in tests/conftest.py."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.fixtures_clock import clock  # noqa: F401  (the pinned clock)


@pytest.fixture
def database(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The test's database, which the flows find through DIRTRACK_DATABASE_URL."""
    monkeypatch.setenv("DIRTRACK_DATABASE_URL", db_url)
    return engine
