"""Prefect's environment, prepared before Prefect is imported.

With no server configured (``PREFECT_API_URL`` unset) flows run against Prefect's
temporary local server. Its first start migrates a database, which can take
longer than Prefect's default start-up timeout on a small machine, so the
timeout is raised; analytics are off on machines with no internet. Anything the
operator has set already is left alone.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar, cast

T = TypeVar("T")

DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def prepare(home: str | None = None) -> None:
    """Set Prefect's defaults (and its home folder, when given) unless already set."""
    if home and not os.environ.get("PREFECT_HOME"):
        os.environ["PREFECT_HOME"] = home
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    extra = os.environ.get("PREFECT_LOGGING_EXTRA_LOGGERS", "")
    if "dirtrack" in [name.strip() for name in extra.split(",")]:
        # Prefect attaches its run-log handler but no level: without this the log
        # channel's INFO lines would be dropped at the root logger's WARNING.
        logger = logging.getLogger("dirtrack")
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


@contextmanager
def quick_runs() -> Iterator[None]:
    """Run flows without the heartbeat thread, which adds most of a second to short runs."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def whole(value: T) -> T:
    """Hand a large object (a plan, a review) to a task as it is.

    Prefect otherwise walks through every task argument looking for futures, which
    for a plan of 100,000 instances costs seconds per call. Typed as the value
    itself: the task receives it unwrapped.
    """
    from prefect.utilities.annotations import quote

    return cast(T, quote(value))
