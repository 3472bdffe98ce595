"""Fixtures of this folder beyond the shared ones in tests/conftest.py."""

from tests.fixtures_clock import clock  # noqa: F401  (the pinned clock)
