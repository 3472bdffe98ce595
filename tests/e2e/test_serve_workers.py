"""``dirtrack serve --workers 2``: two worker processes, each answering requests, on one
SQLite file; stopped cleanly by SIGTERM.

Which process answered a request is read from the system, not from the app: the server
side of each connection is a socket that one worker holds open (``/proc/net/tcp`` names
the socket of the connection from the client's port, ``/proc/<pid>/fd`` shows who holds
it). To make each worker take a connection in turn, the other is paused (SIGSTOP) while
the request is made, for well under the supervisor's five-second health check, then
resumed.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.conftest import DIRTRACK, ROOT, clean_env, free_port

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(),
                                reason="reads the sockets of each process from /proc")
READY_TIMEOUT = 90.0


def _children(parent: int) -> list[int]:
    """The worker processes uvicorn spawned under ``parent`` (multiprocessing's spawn)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and "spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def _holder(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """The process among ``pids`` holding the server side of the connection from
    ``client_port``."""
    want_local, want_remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == want_local and fields[2] == want_remote:
            inode = fields[9]
    if inode is None:
        return None
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


def _me(port: int, token: str, opened: list[http.client.HTTPConnection]
        ) -> tuple[int, dict, int]:
    """GET /api/me on a new connection, left open (in ``opened``) so its socket can be
    looked up; return (status, body, the client's port)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    opened.append(conn)
    conn.request("GET", "/api/me", headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    return response.status, json.loads(response.read()), conn.sock.getsockname()[1]


@pytest.fixture
def database(tmp_path: Path) -> tuple[str, str]:
    """A SQLite file with a viewer and its API token; return (URL, token)."""
    from dirtrack.store.engine import make_engine
    from dirtrack.users import add_user, issue_token

    url = f"sqlite:///{tmp_path / 'served.db'}"
    engine = make_engine(url)
    try:
        add_user(engine, "thanhtra.xem", "viewer", None, None)
        return url, issue_token(engine, "thanhtra.xem")
    finally:
        engine.dispose()


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    opened: list[http.client.HTTPConnection] = field(default_factory=list)


@pytest.fixture
def served(database: tuple[str, str], tmp_path: Path) -> Iterator[Served]:
    """``dirtrack serve --workers 2`` on a free port; whatever the test leaves running is
    resumed and stopped afterwards, workers included."""
    url, _ = database
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        port = free_port()
        process = subprocess.Popen(
            [str(DIRTRACK), "serve", "--port", str(port), "--workers", "2"], cwd=ROOT,
            env=clean_env(DIRTRACK_DATABASE_URL=url, DIRTRACK_SECRET_KEY="test-key-2-workers",
                          DIRTRACK_EVIDENCE_DIR=str(tmp_path / "evidence")),
            stdout=out, stderr=subprocess.STDOUT)
    server = Served(process, port, log)
    try:
        yield server
    finally:
        for conn in server.opened:
            conn.close()
        workers = _children(process.pid)
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(30)
        for pid in workers:  # left behind only if the supervisor had to be killed
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _wait_ready(server: Served) -> list[int]:
    """Wait for two workers and an answer from the server; return the workers' PIDs."""
    process, deadline = server.process, time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dirtrack serve exited with {process.returncode}:\n"
                        + server.log.read_text(errors="replace"))
        workers = _children(process.pid)
        if len(workers) == 2:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            try:
                conn.request("GET", "/login")
                if conn.getresponse().status == 200:
                    return workers
            except OSError:
                pass
            finally:
                conn.close()
        time.sleep(0.2)
    pytest.fail(f"dirtrack serve had workers {_children(process.pid)} after "
                f"{READY_TIMEOUT:.0f} s:\n" + server.log.read_text(errors="replace"))


def test_two_workers_each_answer_and_sigterm_stops_them(served, database):
    _, token = database
    workers = _wait_ready(served)

    answered = {}
    for worker in workers:
        (other,) = [w for w in workers if w != worker]
        os.kill(other, signal.SIGSTOP)
        try:
            status, body, client_port = _me(served.port, token, served.opened)
            answered[worker] = (status, body, _holder(served.port, client_port, workers))
        finally:
            os.kill(other, signal.SIGCONT)

    me = {"name": "thanhtra.xem", "role": "viewer", "unit": None}
    assert answered == {w: (200, me, w) for w in workers}  # each answered, on its own socket
    assert served.process.pid not in workers
    assert _children(served.process.pid) == workers  # neither was restarted meanwhile

    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(60) == 0
    assert [pid for pid in workers if Path(f"/proc/{pid}").exists()] == []
