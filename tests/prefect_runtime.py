"""A real Prefect engine for every test that runs a flow, with no server configured, fast.

Prefect reads its settings once, when it is first imported, so this module sets them
as it is imported (the root ``tests/conftest.py`` imports it before any test runs):
each process (each xdist worker) gets its own throw-away ``PREFECT_HOME``, the
temporary server's start-up timeout is raised and analytics are off.

``PREFECT_API_URL`` is removed, not set to an empty string: with an empty string
Prefect 3.8's event worker takes it for a configured server, fails to start, and no
task run is ever recorded (the task-run counts read back below would all be 0).

The slow part of a first flow, migrating Prefect's database, is done once per Prefect
version: ``prefect server database upgrade -y`` builds it in the pytest cache under a
file lock (two workers may ask at once), and each worker copies it into its home
before its first flow; that server then skips the migration check and the block-type
registration at start-up. The temporary server itself starts only when a test runs a
flow, and the flow heartbeat is off for the session (``flows.runtime.quick_runs``).
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

PREFECT_VERSION = version("prefect")
# Anything that would send the runs to another server or database than the temporary one.
NOT_INHERITED = ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH",
                 "PREFECT_API_DATABASE_CONNECTION_URL",
                 "PREFECT_SERVER_DATABASE_CONNECTION_URL")


def _isolate_prefect() -> Path:
    """Point Prefect at a fresh home of this process's own; return the folder."""
    if "prefect" in sys.modules:  # pragma: no cover - a guard for future imports
        warnings.warn("Prefect was imported before tests/flows/conftest.py could give it a "
                      "home of its own; the flow tests use the one it has", stacklevel=1)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    home = Path(tempfile.mkdtemp(prefix=f"dirtrack-prefect-{worker}-"))
    # Registered before Prefect registers the server's stop, so it runs after it.
    atexit.register(shutil.rmtree, home, True)
    for key in NOT_INHERITED:
        os.environ.pop(key, None)
    os.environ.update({
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    })
    return home


PREFECT_HOME = _isolate_prefect()


def migrated_database(cache: Path) -> Path:
    """Return Prefect's database migrated to this version, building it once under a lock."""
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / "prefect.db"
    with open(cache / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits here while one builds
        if not target.exists():
            scratch = Path(tempfile.mkdtemp(dir=cache, prefix="build-"))
            try:
                run = subprocess.run(
                    [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
                    env={**os.environ, "PREFECT_HOME": str(scratch)},
                    capture_output=True, text=True, timeout=600)
                if run.returncode != 0:
                    raise RuntimeError(f"migrating Prefect's database failed:\n{run.stderr}")
                os.replace(scratch / "prefect.db", target)  # readers see all of it or none
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    return target


def _cache_folder(config: pytest.Config) -> Path:
    name = f"prefect-db-{PREFECT_VERSION}"
    cache = getattr(config, "cache", None)  # absent with -p no:cacheprovider
    if cache is not None:
        return Path(cache.mkdir(name))
    return Path(tempfile.gettempdir()) / f"dirtrack-{name}"


@pytest.fixture(scope="session", autouse=True)
def prefect_runtime(request: pytest.FixtureRequest) -> Iterator[Path]:
    """Prefect ready to run flows in this process: a migrated database, no heartbeat."""
    database = PREFECT_HOME / "prefect.db"
    if not database.exists():  # nothing in this process has started the server yet
        shutil.copyfile(migrated_database(_cache_folder(request.config)), database)
        # The server this process starts inherits these: the copy needs no migration
        # check, and registering every block type at start-up costs about a second (a
        # block saved later registers its own type).
        os.environ["PREFECT_API_DATABASE_MIGRATE_ON_START"] = "false"
        os.environ["PREFECT_API_BLOCKS_REGISTER_ON_START"] = "false"
    from flows.runtime import quick_runs

    with quick_runs():
        yield PREFECT_HOME

