"""Helpers of the security tests: the command line with standard input, and the app served
by a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from typer.testing import CliRunner


def run_cli(url: str, *args: str, input: str | None = None, cwd: Path | None = None) -> Any:
    """Run ``dirtrack ARGS`` in-process against the database at ``url``, as a script would."""
    from dirtrack.cli import app

    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args), input=input,
                                  env={"DIRTRACK_DATABASE_URL": url})
    finally:
        os.chdir(old)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free port of 127.0.0.1; yield its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def raw_request(base: str, head: str, chunks: list[bytes] | None = None,
                timeout: float = 20.0) -> tuple[int, dict[str, str], bytes]:
    """Send a request head (and body chunks as given, never finishing a chunked body),
    then read the answer; return its status, headers and body.

    The socket times out (and the test fails) if the server waits for the rest of the
    body instead of answering.
    """
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.encode())
        for chunk in chunks or []:
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):  # the server stopped reading
                break
        answer = b""
        while b"\r\n\r\n" not in answer:
            piece = sock.recv(65536)
            if not piece:
                break
            answer += piece
        header_block, _, body = answer.partition(b"\r\n\r\n")
        lines = header_block.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            piece = sock.recv(65536)
            if not piece:
                break
            body += piece
    return int(lines[0].split()[1]), headers, body
