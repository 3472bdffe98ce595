"""The calendar page (a user makes or ends the feed of their unit's deadlines) and the
feed itself, which a calendar app fetches with no login: its token is its credential.

The token is in the address, so it must not reach a log: the access log of uvicorn
shows the address with the token replaced (``RedactFeeds``), and a refused address
says nothing of the token it was given.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from dirtrack.config import today
from dirtrack.documents.calendar_ics import unit_calendar
from dirtrack.errors import NotAllowed
from dirtrack.feeds import feed_unit as unit_of_feed
from dirtrack.feeds import live_feed, new_feed, revoke_feed
from dirtrack.web.app import EngineDep, PageUser, render, session_of
from dirtrack.web.security import csrf_ok

router = APIRouter(include_in_schema=False)
FEED_PATH = re.compile(r"/calendar/[^/\s\"?]+\.ics")
NO_FEED = "no calendar feed at this address; it may have been revoked: make a new one " \
          "on the Calendar page"


def _check_csrf(request: Request, token: str) -> None:
    if not csrf_ok(session_of(request), token):
        raise NotAllowed("this form has expired or did not come from dirtrack; reload the "
                         "page and submit it again")


def _page(request: Request, user: PageUser, engine: EngineDep, address: str | None = None,
          revoked: bool = False) -> Response:
    return render(request, "calendar.html", user=user, feed=live_feed(engine, user.id),
                  address=address, revoked=revoked)


@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, user: PageUser, engine: EngineDep) -> Response:
    return _page(request, user, engine)


@router.post("/calendar/new", response_class=HTMLResponse)
def calendar_new(request: Request, user: PageUser, engine: EngineDep,
                 csrf: Annotated[str, Form()] = "") -> Response:
    """Make a feed and show its address, once: only its hash is kept."""
    _check_csrf(request, csrf)
    feed = new_feed(engine, user.name)
    address = str(request.base_url).rstrip("/") + feed.path()
    response = _page(request, user, engine, address=address)
    response.headers["Cache-Control"] = "no-store"  # the page holds a credential
    return response


@router.post("/calendar/revoke", response_class=HTMLResponse)
def calendar_revoke(request: Request, user: PageUser, engine: EngineDep,
                    csrf: Annotated[str, Form()] = "") -> Response:
    _check_csrf(request, csrf)
    revoke_feed(engine, user.name)
    return _page(request, user, engine, revoked=True)


@router.get("/calendar/{token}.ics")
async def calendar_feed(token: str, engine: EngineDep) -> Response:
    """The deadlines of the feed's unit, open as of today, as an iCalendar file."""
    unit = await run_in_threadpool(unit_of_feed, engine, token)
    if unit is None:  # plain text: the error page would repeat the address in its links
        return PlainTextResponse(NO_FEED + "\n", status_code=404,
                                 headers={"Cache-Control": "no-store"})
    body = await run_in_threadpool(unit_calendar, engine, unit, today())
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, no-store"})


class RedactFeeds(logging.Filter):
    """Replace a feed's token in a log record's arguments (uvicorn's access log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(FEED_PATH.sub("/calendar/….ics", a) if isinstance(a, str)
                                else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = FEED_PATH.sub("/calendar/….ics", record.msg)
        return True


def redact_access_log() -> None:
    """Install ``RedactFeeds`` on uvicorn's access log, once."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactFeeds) for f in access.filters):
        access.addFilter(RedactFeeds())
