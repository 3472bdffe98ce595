"""Request bodies bounded before anything reads them: 413 past the limit; an address
holding a NUL character (which no id, date or name holds, and PostgreSQL cannot store) is
422 before any route looks it up, whatever the database.

An ASGI middleware, outside every route: a body whose ``Content-Length`` is over the
limit is refused before a byte of it is read; a body sent without one (chunked) is
counted as it arrives and refused the moment it passes the limit, before the route
runs. The limit is DIRTRACK_MAX_JSON_BYTES for JSON and forms, and the evidence
limit plus a margin for the form that uploads evidence, once the sender is known to
be logged in: someone who is not never gets past the small limit, so an anonymous
request never makes the server read or spool much.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from dirtrack.web.evidence import shown_size, too_large

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# What a multipart form holds besides the file: its boundaries and part headers, the
# CSRF token, the version, the date and a note of at most 2,000 characters.
UPLOAD_MARGIN = 64 * 1024
_UPLOAD = re.compile(r"^/tasks/.+/done$")


class _TooLarge(Exception):
    """The body went past the limit while the application was reading it."""


def is_upload(scope: Scope) -> bool:
    """Whether the request goes to the form that uploads evidence."""
    return scope["method"] == "POST" and bool(_UPLOAD.match(scope["path"]))


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimit:
    """Refuse with 413 a request body over its limit, before the route reads it.

    ``signed_in`` says whether a request carries a valid session or token; it is asked
    only for an upload larger than the small limit (or of unknown length).
    """

    def __init__(self, app: ASGIApp, signed_in: Callable[[Scope], Awaitable[bool]]) -> None:
        self.app = app
        self.signed_in = signed_in

    async def _limit(self, scope: Scope, declared: int | None) -> tuple[int, str]:
        """Return the request's limit in bytes and what to say past it."""
        small: int = scope["app"].state.max_json
        if not is_upload(scope):
            return small, f"the request is larger than {shown_size(small)}; send less"
        evidence: int = scope["app"].state.evidence_max
        upload = evidence + UPLOAD_MARGIN, too_large(evidence)
        if declared is not None and declared <= min(small, upload[0]):
            return upload  # within both limits: whoever sends it, no need to ask
        if not await self.signed_in(scope):
            return small, (f"the request is larger than {shown_size(small)}; log in "
                           "before sending a file")
        return upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            await refuse(scope, send, "the address holds a NUL character (%00); remove it",
                         status=422)
            return
        declared = _declared_length(scope)
        limit, message = await self._limit(scope, declared)
        if declared is not None and declared > limit:
            await refuse(scope, send, message)
            return
        received, over, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, over
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge()
            return event

        async def unless_over(event: Message) -> None:
            nonlocal started
            if over:  # the application's answer to a body cut short is replaced by ours
                return
            started = started or event["type"] == "http.response.start"
            await send(event)

        with contextlib.suppress(_TooLarge):  # else the application's own error stands
            await self.app(scope, counted, unless_over)
        if over and not started:
            await refuse(scope, send, message)


async def refuse(scope: Scope, send: Send, message: str, status: int = 413) -> None:
    """Answer ``status`` with ``message``: JSON for the API, a short page otherwise; the
    connection is closed rather than the rest of the body read."""
    if scope["path"].startswith("/api/"):
        import json

        body = json.dumps({"detail": message}).encode()
        kind = b"application/json"
    else:
        body = ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
                f'<title>{status}</title><link rel="stylesheet" href="/static/style.css"></head>'
                f'<body><main><div class="card error" role="alert">{escape(message)}</div>'
                '<p><a href="/">dirtrack</a></p></main></body></html>\n').encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
