"""Where the flows run, and Prefect's environment prepared before Prefect is imported.

A flow's steps are written once (``flows/steps/``) and run two ways. Inside a
Prefect flow run (a deployment on a worker, the command line with a Prefect server
configured, the flow tests) each :class:`Step` is a Prefect task or subflow, so
the server records the runs, their logs and artifacts. Called outside one, a
step is a plain call in this process: no Prefect import, no server, the same
work and return values, the flows' log lines on the ``dirtrack.flows`` logger.

With no server configured (``PREFECT_API_URL`` unset) Prefect itself would run
flows against a temporary local server it starts in each process (9 to 13 s
before the first flow on two cores, half a minute on an empty Prefect home);
the command line runs them in this process instead (see ``benchmarks/README.md``).
For whoever still runs the Prefect flows with no server (the flow tests), the
server's start-up timeout is raised and analytics are off on machines with no
internet. Anything the operator has set already is left alone.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import cached_property, lru_cache, update_wrapper
from pathlib import Path, PurePath
from typing import Any, Generic, Literal, ParamSpec, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}
FLOW_LOG = "dirtrack.flows"


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


def server_url() -> str | None:
    """Return the API URL of the Prefect server flows are sent to (``PREFECT_API_URL``),
    or None when there is none.

    Prefect reads that setting from the environment, a ``.env``, ``prefect.toml`` or
    ``pyproject.toml`` in the current folder, or the active profile. Asking Prefect
    costs its import (about 1.5 s of CPU), so it is asked only when one of those
    files is there and may set it; otherwise the environment decides.
    """
    url = os.environ.get("PREFECT_API_URL", "").strip()
    if url or not _files_may_set_api_url():
        return url or None
    from prefect.settings import Settings

    return Settings().api.url or None  # reads every source afresh, as a new process would


def _files_may_set_api_url() -> bool:
    """Whether a file Prefect reads its settings from mentions its API URL."""
    home = Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml")
    candidates = {profiles: "PREFECT_API_URL", Path(".env"): "PREFECT_API_URL",
                  Path("prefect.toml"): "url", Path("pyproject.toml"): "tool.prefect"}
    for path, word in candidates.items():
        try:
            if word in path.expanduser().read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:  # missing, a folder, unreadable: sets nothing
            continue
    return False


def in_flow_run() -> bool:
    """Whether this code runs inside a Prefect flow run (never imports Prefect)."""
    context = sys.modules.get("prefect.context")
    return context is not None and context.FlowRunContext.get() is not None


class Step(Generic[P, R]):
    """One step of a flow (or a whole flow): a Prefect task or flow inside a Prefect
    flow run, a plain call of the same function outside one."""

    def __init__(self, fn: Callable[P, R], name: str, kind: Literal["task", "flow"],
                 options: dict[str, Any]) -> None:
        self.fn = fn
        self.name = name
        self.kind = kind
        self.options = options
        update_wrapper(self, fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if in_flow_run():
            return cast(R, self.prefect(*args, **kwargs))
        return self.fn(*args, **kwargs)

    @cached_property
    def prefect(self) -> Any:
        """The Prefect task or flow of this step (imports Prefect)."""
        if self.kind == "flow":
            return _flow_class()(fn=self.fn, name=self.name, **self.options)
        from prefect import task
        from prefect.cache_policies import NONE

        # Every step reads or changes the database: a result is never reused from a
        # cache, and no argument (a plan, a review) is hashed for a cache key.
        return task(name=self.name, cache_policy=NONE, **self.options)(self.fn)


class _Unplain(Exception):
    """A value :func:`plain_json` leaves to Prefect's own encoder."""


def plain_json(value: Any) -> Any:
    """Return ``value`` as the JSON-compatible value Prefect records for a flow run's
    parameter (what FastAPI's ``jsonable_encoder``, Prefect's encoder, makes of it):
    dates in ISO form, paths as strings, tuples as lists. Raise :class:`_Unplain` for
    anything else (a mapping, an object)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain_json(item) for item in value]
    raise _Unplain


@lru_cache(maxsize=1)
def _flow_class() -> type:
    """Prefect's flow class, recording the flows' parameters without importing FastAPI.

    Creating a flow run, Prefect converts each parameter with FastAPI's JSON encoder,
    and importing FastAPI for it costs a quarter of a second of each command's start.
    The flows' parameters are dates, strings, numbers, flags and tuples of strings:
    they are converted here to the same values, and anything else is left to Prefect.
    """
    from prefect.flows import Flow

    class PlainParameters(Flow):  # type: ignore[type-arg]
        def serialize_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
            plain: dict[str, Any] = {}
            others: dict[str, Any] = {}
            for key, value in parameters.items():
                try:
                    plain[key] = plain_json(value)
                except _Unplain:
                    others[key] = value
            if others:
                plain.update(super().serialize_parameters(others))
            return {key: plain[key] for key in parameters if key in plain}

    return PlainParameters


def step(name: str, kind: Literal["task", "flow"] = "task",
         **options: Any) -> Callable[[Callable[P, R]], Step[P, R]]:
    """Return a decorator making a function a :class:`Step` named ``name``."""
    def make(fn: Callable[P, R]) -> Step[P, R]:
        return Step(fn, name, kind, options)
    return make


def run_logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """Return the logger of the flow run (Prefect's, sent to the server) or, outside a
    Prefect flow run, the ``dirtrack.flows`` logger."""
    if in_flow_run():
        from prefect import get_run_logger

        return cast(logging.LoggerAdapter[logging.Logger], get_run_logger())
    return logging.getLogger(FLOW_LOG)


@contextmanager
def quick_runs() -> Iterator[None]:
    """Run Prefect flows without the heartbeat thread, which adds most of a second to
    short runs."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def whole(value: T) -> T:
    """Hand a large object (a plan, a review) to a step as it is.

    Prefect otherwise walks through every task argument looking for futures, which
    for a plan of 100,000 instances costs seconds per call. Typed as the value
    itself: the step receives it unwrapped. Outside a flow run it is the value.
    """
    if not in_flow_run():
        return value
    from prefect.utilities.annotations import quote

    return cast(T, quote(value))
