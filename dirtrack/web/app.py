"""The FastAPI application: pages for people, a JSON API for other systems.

``create_app`` wires one engine, the session signer and the template environment;
``dirtrack serve`` runs it with uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import Engine
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool

from dirtrack.config import settings
from dirtrack.errors import (
    ConfigError,
    Conflict,
    DirtrackError,
    InvalidAction,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from dirtrack.templating import vndate
from dirtrack.users import LoginRefused, TooManyAttempts, User, user_for_token
from dirtrack.web.evidence import safe_name
from dirtrack.web.headers import SecurityHeaders
from dirtrack.web.i18n import words
from dirtrack.web.limits import BodyLimit, Scope
from dirtrack.web.security import (
    COOKIE,
    Session,
    Sessions,
    new_session,
    session_seconds,
    session_user,
    signing_key,
)

HERE = Path(__file__).resolve().parent
# Threads per worker process for the plain ``def`` endpoints and dependencies (anyio's
# default is 40). Requests past it wait their turn in arrival order; threads past it
# would only take turns at the GIL: on two cores, 8 instead of 40 cut the API write
# benchmark's p99 by about a sixth at the same throughput.
THREADS = 8
STATUS = [(NotFound, 404), (NotAllowed, 403), (Conflict, 409), (LoginRefused, 401),
          (TooManyAttempts, 429), (InvalidAction, 422), (ValidationFailed, 422),
          (ConfigError, 500)]


class LoginRequired(Exception):
    """A page needs a logged-in user: the browser is sent to the login page."""


def status_of(exc: DirtrackError) -> int:
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 400)


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` in the
# thread pool, and a trip there and back costs more than what they do.
async def get_engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


EngineDep = Annotated[Engine, Depends(get_engine)]


def session_of(request: Request) -> Session | None:
    cached = getattr(request.state, "session", None)
    if cached is None:
        cached = request.app.state.sessions.load(request.cookies.get(COOKIE))
        request.state.session = cached
    return cached  # type: ignore[no-any-return]


bearer = HTTPBearer(auto_error=False, description="A token from 'dirtrack user token NAME'.")


async def optional_user(request: Request, engine: EngineDep,
                        credentials: Annotated[HTTPAuthorizationCredentials | None,
                                               Depends(bearer)] = None) -> User | None:
    """Return the user of a valid bearer token or open session, looked up on every request
    (one indexed query): an ended session, a revoked token or a disabled user stops at
    once in every worker process."""
    if credentials is not None:
        return await run_in_threadpool(user_for_token, engine, credentials.credentials.strip())
    session = session_of(request)
    if session and session.sid is not None:
        return await run_in_threadpool(session_user, engine, session.sid)
    return None


async def signed_in(scope: Scope) -> bool:
    """Whether a request carries a valid token or an open session (before its route runs)."""
    request = Request(scope)
    user = await optional_user(request, request.app.state.engine, await bearer(request))
    return user is not None


async def api_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise HTTPException(401, "log in or send 'Authorization: Bearer <token>' "
                                 "(get a token with 'dirtrack user token NAME')",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


async def page_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise LoginRequired()
    return user


ApiUser = Annotated[User, Depends(api_user)]
PageUser = Annotated[User, Depends(page_user)]


def file_size(size: int) -> str:
    """A file's size for people.

    >>> file_size(15), file_size(2560), file_size(3 * 2**20)
    ('15 B', '2.5 KB', '3.0 MB')
    """
    if size < 1024:
        return f"{size} B"
    if size < 2**20:
        return f"{size / 1024:.1f} KB"
    return f"{size / 2**20:.1f} MB"


def local_day(moment: datetime) -> date:
    """The day in the configured time zone of a moment stored in UTC (naive from SQLite)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(settings().zone()).date()


def local_time(moment: datetime) -> datetime:
    """A moment stored in UTC (naive from SQLite) in the configured time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(settings().zone())


def template_env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["vndate"] = vndate
    env.filters["file_size"] = file_size
    env.filters["local_day"] = local_day
    env.filters["local_time"] = local_time
    env.filters["file_name"] = safe_name  # also for names kept before they were cleaned
    return env


def language_of(request: Request, session: Any = None) -> str:
    """The page's language: the switch's cookie, else the session's."""
    session = session or session_of(request) or new_session()
    return request.cookies.get("dirtrack_lang") or session.language


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    session = session_of(request) or new_session()
    language = language_of(request, session)
    html = request.app.state.templates.get_template(name).render(
        request=request, w=words(language), lang=language, csrf=session.csrf, **context)
    response = HTMLResponse(html, status_code=status_code)
    if session_of(request) is None:  # give a visitor a session carrying a CSRF token
        set_session(request, response, session)
    return response


def secure_cookies(request: Request) -> bool:
    """Cookies go over HTTPS only when the request came over it, or DIRTRACK_COOKIE_SECURE."""
    return bool(request.app.state.cookie_secure) or request.url.scheme == "https"


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    """The error page, with a link back to the page of this site the user came from."""
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc == request.url.netloc and referer.path.startswith("/")
    back = referer.path + (f"?{referer.query}" if referer.query else "") if same_site else "/"
    return render(request, "error.html", status_code=status_code, message=message, user=None,
                  back=back)


def set_session(request: Request, response: Response, session: Session) -> None:
    request.state.session = session
    response.set_cookie(COOKIE, request.app.state.sessions.dump(session), httponly=True,
                        samesite="lax", secure=secure_cookies(request),
                        max_age=session_seconds(), path="/")


def create_app(database_url: str | None = None, *, evidence_dir: Path | None = None) -> FastAPI:
    """Return the web application bound to one database."""
    from dirtrack.store.engine import make_engine

    config = settings()
    engine = make_engine(database_url or config.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        yield

    app = FastAPI(title="dirtrack", version="0.1.0", docs_url=None, redoc_url=None,
                  lifespan=lifespan,
                  description="Directives as tracked work: tasks, progress, completion, "
                              "verification, dashboard counts and quarterly reviews.")
    app.state.engine = engine
    app.state.sessions = Sessions(signing_key(engine))
    app.state.templates = template_env()
    app.state.evidence_dir = evidence_dir or config.evidence_dir
    app.state.evidence_max = config.evidence_max_bytes
    app.state.max_json = config.max_json_bytes
    app.state.cookie_secure = config.cookie_secure
    # Swagger UI 5 (it reads OpenAPI 3.1), as fastapi-offline packages it. The longer
    # prefix first: routes match in order, and /static would take it all.
    import fastapi_offline

    swagger = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/static/swagger", StaticFiles(directory=swagger), name="swagger")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        # FastAPI's page starts Swagger UI with an inline script, which the policy
        # forbids; this one starts it from /static/docs.js.
        return HTMLResponse(DOCS_PAGE)

    @app.exception_handler(DirtrackError)
    def library_error(request: Request, exc: DirtrackError) -> Response:
        code = status_of(exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=code)
        return error_page(request, code, str(exc))

    @app.exception_handler(DataError)
    def unstorable(request: Request, exc: DataError) -> Response:
        return library_error(request, InvalidAction(
            "the request holds a value the database cannot store (such as a NUL "
            "character); remove it and try again"))

    @app.exception_handler(LoginRequired)
    def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors())
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": problems}, status_code=422)
        return error_page(request, 422, problems)

    from dirtrack.web.api import router as api_router
    from dirtrack.web.calendar import redact_access_log
    from dirtrack.web.calendar import router as calendar_router
    from dirtrack.web.pages import router as pages_router

    app.include_router(api_router)
    app.include_router(calendar_router)
    app.include_router(pages_router)
    redact_access_log()
    app.add_middleware(BodyLimit, signed_in=signed_in)
    app.add_middleware(SecurityHeaders)  # the outer one: a 413 carries the headers too
    return app


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dirtrack API</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""
