"""Server-rendered pages: login, a unit's inbox, task pages, dashboard, graphs, reviews."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi import Path as FastPath
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import insert, select

from dirtrack.config import now, today
from dirtrack.documents.targets import figure, headline
from dirtrack.documents.words import percent
from dirtrack.errors import InvalidAction, NotAllowed, NotFound
from dirtrack.indicators import Indicator
from dirtrack.pages_kept import Shown, review_document, review_figures
from dirtrack.pages_kept import dashboard as kept_dashboard
from dirtrack.report import LABELS
from dirtrack.report import render as render_review
from dirtrack.review import build_review, previous_quarter_end
from dirtrack.store.ledger import REQUEST_KINDS, record_event
from dirtrack.store.outbox import ALERT_STATUS, CARRIED_BY, DL, O
from dirtrack.store.queries import (
    Filters,
    blocking,
    directive_graph,
    issuer_of,
    lead_and_support,
    list_tasks,
    requests_to_answer,
    show_task,
)
from dirtrack.store.tables import (
    DirectiveRow,
    EvidenceRow,
    InstanceRow,
    JurisdictionRow,
    TaskRow,
    UnitRow,
)
from dirtrack.store.values import task_indicators
from dirtrack.users import LoginRefused, TooManyAttempts, User, authenticate
from dirtrack.web.access import (
    ANSWER,
    WITHDRAW,
    answering_body,
    can_answer,
    can_report,
    require_answer,
    require_extend,
    require_locality_review,
    require_read,
    require_recent,
    require_report,
    require_steering,
)
from dirtrack.web.app import (
    EngineDep,
    PageUser,
    language_of,
    render,
    secure_cookies,
    session_of,
    set_session,
)
from dirtrack.web.evidence import (
    detected_type,
    open_stored,
    read_upload,
    safe_name,
    store,
    stored_path,
)
from dirtrack.web.graph_svg import graph_svg
from dirtrack.web.i18n import words
from dirtrack.web.security import COOKIE, Session, csrf_ok, end_session, open_session

router = APIRouter(include_in_schema=False)
EV, I = EvidenceRow.__table__, InstanceRow.__table__  # type: ignore[attr-defined]
T = TaskRow.__table__  # type: ignore[attr-defined]
D, J, U = (DirectiveRow.__table__, JurisdictionRow.__table__,  # type: ignore[attr-defined]
           UnitRow.__table__)  # type: ignore[attr-defined]
SOON = timedelta(days=14)


def _date(value: str | None) -> date:
    """Return a date typed the Vietnamese way (dd/mm/yyyy) or as YYYY-MM-DD; default today."""
    if not value or not value.strip():
        return today()
    text = value.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except (ValueError, OverflowError):
        raise InvalidAction(f"'{value}' is not a date; write it as dd/mm/yyyy") from None


def _check_csrf(request: Request, token: str) -> None:
    if not csrf_ok(session_of(request), token):
        raise NotAllowed("this form has expired or did not come from dirtrack; reload the "
                         "page and submit it again")


def _unit_names(engine: Any) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(U.c.id, U.c.name)).tuples().all())


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", user=None, next=_safe_next(next), error=None)


@router.post("/login")
def login(request: Request, engine: EngineDep, name: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)], csrf: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/") -> Response:
    _check_csrf(request, csrf)
    address = request.client.host if request.client else ""
    try:
        user = authenticate(engine, name.strip(), password, address)
    except (LoginRefused, TooManyAttempts) as exc:
        code = 429 if isinstance(exc, TooManyAttempts) else 401
        return render(request, "login.html", status_code=code, user=None,
                      next=_safe_next(next), error=str(exc))
    old = session_of(request)
    response = RedirectResponse(_safe_next(next), status_code=303)
    # A new CSRF token at login, so a token seen before logging in is worth nothing.
    set_session(request, response, Session(secrets.token_urlsafe(32), open_session(engine, user),
                                           old.language if old else "vi"))
    return response


@router.post("/logout")
def logout(request: Request, engine: EngineDep, csrf: Annotated[str, Form()] = "") -> Response:
    _check_csrf(request, csrf)
    session = session_of(request)
    if session is not None and session.sid is not None:
        end_session(engine, session.sid)  # the cookie, kept or copied, signs no one in
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", secure=secure_cookies(request), httponly=True,
                           samesite="lax")
    return response


@router.get("/lang/{code}")
def language(request: Request, code: str, next: str = "/") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie("dirtrack_lang", "en" if code == "en" else "vi", samesite="lax",
                        max_age=365 * 86400, path="/", secure=secure_cookies(request))
    return response


@router.get("/")
def home(user: PageUser) -> Response:
    return RedirectResponse("/inbox" if user.role == "officer" else "/dashboard",
                            status_code=303)


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, user: PageUser, engine: EngineDep, as_of: str | None = None,
          unit: str | None = None) -> Response:
    day = _date(as_of)
    if user.role == "officer":
        unit = user.unit_id
    names = _unit_names(engine)
    if unit is not None and unit not in names:
        raise NotFound(f"no unit '{unit}'")
    led = list_tasks(engine, day, Filters(unit=unit)) if unit else []
    helping = list_tasks(engine, day, Filters(support=unit)) if unit else []
    to_answer = requests_to_answer(engine, unit, day) if unit else []
    blockers = blocking(engine, day, [t.id for t in led if t.blocked])
    titles = {t.id: t.title for t in led}
    groups = [
        ("overdue", [t for t in led if t.status == "open_overdue"]),
        ("due_soon", [t for t in led if t.status == "open_on_time" and t.due_on <= day + SOON]),
        ("later", [t for t in led if t.status == "open_on_time" and t.due_on > day + SOON]),
        ("finished", [t for t in led if t.status.startswith("done")][-20:]),
    ]
    return render(request, "inbox.html", user=user, as_of=day, unit=unit,
                  unit_name=names.get(unit or "", ""), groups=groups, helping=helping,
                  blockers=blockers, titles=titles, units=sorted(names.items()),
                  to_answer=to_answer, names=names)


@router.get("/tasks/{key:path}", response_class=HTMLResponse)
def task_page(request: Request, key: str, user: PageUser, engine: EngineDep,
              as_of: str | None = None, ok: str | None = None) -> Response:
    day = _date(as_of)
    lead, support = lead_and_support(engine, key)
    issuer = issuer_of(engine, key)
    require_read(user, key, lead, support, issuer)
    detail = show_task(engine, key, day)
    with engine.connect() as conn:
        pk = conn.execute(select(I.c.pk).where(I.c.key == key)).scalar_one()
        steps = conn.execute(select(O.c.fired_on, O.c.step, O.c.recipient_id, O.c.channel,
                                    ALERT_STATUS.label("status"))
                             .select_from(O.outerjoin(DL, CARRIED_BY))
                             .where(O.c.instance_pk == pk)
                             .order_by(O.c.fired_on, O.c.days)).all()
        files = {r.event_id: r for r in conn.execute(select(EV).where(EV.c.instance_pk == pk))}
        indicators = task_indicators(conn.execute(
            select(T.c.indicators).where(T.c.pk == select(I.c.task_pk).where(I.c.pk == pk)
                                         .scalar_subquery())).scalar_one())
    answers = [e for e in detail.events if e["kind"] in REQUEST_KINDS]
    pending = answers[-1] if answers and answers[-1]["kind"] == "requested" else None
    return render(request, "task.html", fields=value_fields(indicators), pending=pending,
                  user=user, d=detail, t=detail.status, as_of=day,
                  steps=steps, files=files, names=_unit_names(engine),
                  version=len(detail.events), today=today(), ok=ok,
                  sectors=LABELS.get(request.cookies.get("dirtrack_lang", "vi"), LABELS["vi"]),
                  may_report=can_report(user, lead) and detail.status.status.startswith("open"),
                  may_decide=user.role == "steering",
                  may_answer=can_answer(user, issuer) and detail.status.status.startswith("open"))


def _back(key: str) -> Response:
    return RedirectResponse(f"/tasks/{key}?ok=1", status_code=303)


def value_fields(indicators: list[Indicator]) -> list[tuple[str, str]]:
    """Return the form's value fields: (NAME or NAME.PART, label) per indicator and part."""
    out = []
    for ind in indicators:
        label = ind.name or ind.id
        if ind.breakdown:
            out += [(f"{ind.id}.{p}", f"{label}: {LABELS['vi'].get(p, p)}")
                    for p in ind.breakdown]
        else:
            out.append((ind.id, label + (f" ({ind.unit})" if ind.unit else "")))
    return out


async def _values(request: Request) -> list[str]:
    """Return the indicator values filled in on a form (fields named ``value:NAME``)."""
    form = await request.form()
    return [f"{name[6:]}={str(v).strip()}" for name, v in form.multi_items()
            if name.startswith("value:") and str(v).strip()]


@router.post("/tasks/{key:path}/progress")
async def post_progress(request: Request, key: str, user: PageUser, engine: EngineDep,
                        percent: Annotated[int, Form(ge=0, le=100)],
                        version: Annotated[int, Form()], csrf: Annotated[str, Form()] = "",
                        note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    _check_csrf(request, csrf)
    unit = require_report(user, key, lead_and_support(engine, key)[0])
    record_event(engine, key, "progress", on=today(), unit=unit, percent=percent, note=note,
                 recorded_by=user.name, expected_version=version,
                 values=await _values(request))
    return _back(key)


@router.post("/tasks/{key:path}/request-extension")
def post_request(request: Request, key: str, user: PageUser, engine: EngineDep,
                 version: Annotated[int, Form()], to: Annotated[str, Form()],
                 reason: Annotated[str, Form(min_length=1, max_length=2000)],
                 csrf: Annotated[str, Form()] = "") -> Response:
    _check_csrf(request, csrf)
    unit = require_report(user, key, lead_and_support(engine, key)[0], ANSWER)
    record_event(engine, key, "requested", on=today(), unit=unit, new_due=_date(to),
                 note=reason, recorded_by=user.name, expected_version=version)
    return _back(key)


@router.post("/tasks/{key:path}/withdraw-extension")
def post_withdraw(request: Request, key: str, user: PageUser, engine: EngineDep,
                  version: Annotated[int, Form()], csrf: Annotated[str, Form()] = "",
                  note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    _check_csrf(request, csrf)
    unit = require_report(user, key, lead_and_support(engine, key)[0], WITHDRAW)
    record_event(engine, key, "withdrawn", on=today(), unit=unit, note=note,
                 recorded_by=user.name, expected_version=version)
    return _back(key)


@router.post("/tasks/{key:path}/difficulty")
def post_difficulty(request: Request, key: str, user: PageUser, engine: EngineDep,
                    version: Annotated[int, Form()],
                    note: Annotated[str, Form(min_length=1, max_length=2000)],
                    csrf: Annotated[str, Form()] = "") -> Response:
    _check_csrf(request, csrf)
    unit = require_report(user, key, lead_and_support(engine, key)[0], ANSWER)
    record_event(engine, key, "difficulty", on=today(), unit=unit, note=note,
                 recorded_by=user.name, expected_version=version)
    return _back(key)


@router.post("/tasks/{key:path}/refuse-extension")
def post_refuse(request: Request, key: str, user: PageUser, engine: EngineDep,
                version: Annotated[int, Form()],
                reason: Annotated[str, Form(min_length=1, max_length=2000)],
                csrf: Annotated[str, Form()] = "") -> Response:
    _check_csrf(request, csrf)
    require_answer(user, issuer_of(engine, key), "refuse extensions")
    record_event(engine, key, "refused", on=today(), note=reason, recorded_by=user.name,
                 actor=answering_body(user), expected_version=version)
    return _back(key)


@router.post("/tasks/{key:path}/done")
async def post_done(request: Request, key: str, user: PageUser, engine: EngineDep,
                    version: Annotated[int, Form()], csrf: Annotated[str, Form()] = "",
                    on: Annotated[str, Form()] = "",
                    note: Annotated[str, Form(max_length=2000)] = "",
                    evidence: UploadFile | None = None) -> Response:
    _check_csrf(request, csrf)
    unit = require_report(user, key, lead_and_support(engine, key)[0])
    day = _date(on)
    require_recent(day)
    upload = (await read_upload(evidence, request.app.state.evidence_max)
              if evidence and evidence.filename else None)
    root: Path = request.app.state.evidence_dir
    if upload:
        stored_path(root, upload.sha256)  # a folder leading elsewhere refuses before recording
    reference = f"{upload.name} (sha256 {upload.sha256[:12]})" if upload else ""
    done = record_event(engine, key, "done", on=day, unit=unit, note=note,
                        evidence=reference, recorded_by=user.name, expected_version=version,
                        values=await _values(request))
    if upload:  # kept only once the completion is recorded: a refusal leaves no file
        store(root, upload.sha256, upload.content)
        sha, name, kind, size = upload.sha256, upload.name, upload.kind, len(upload.content)
        with engine.begin() as conn:
            pk = conn.execute(select(I.c.pk).where(I.c.key == key)).scalar_one()
            conn.execute(insert(EV).values(instance_pk=pk, event_id=done.event_id, sha256=sha,
                                           filename=name, content_type=kind, size=size,
                                           uploaded_by=user.name,
                                           uploaded_at=now()))
    return _back(key)


@router.post("/tasks/{key:path}/verify")
def post_verify(request: Request, key: str, user: PageUser, engine: EngineDep,
                version: Annotated[int, Form()], csrf: Annotated[str, Form()] = "",
                note: Annotated[str, Form(max_length=2000)] = "",
                back: Annotated[str, Form()] = "") -> Response:
    _check_csrf(request, csrf)
    require_steering(user, "verify completions")
    record_event(engine, key, "verified", on=today(), note=note, recorded_by=user.name,
                 expected_version=version)
    return RedirectResponse(_safe_next(back), status_code=303) if back else _back(key)


@router.post("/tasks/{key:path}/return")
def post_return(request: Request, key: str, user: PageUser, engine: EngineDep,
                version: Annotated[int, Form()],
                reason: Annotated[str, Form(min_length=1, max_length=2000)],
                csrf: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:
    _check_csrf(request, csrf)
    require_steering(user, "return completions")
    record_event(engine, key, "returned", on=today(), note=reason, recorded_by=user.name,
                 expected_version=version)
    return RedirectResponse(_safe_next(back), status_code=303) if back else _back(key)


@router.post("/tasks/{key:path}/extend")
def post_extend(request: Request, key: str, user: PageUser, engine: EngineDep,
                version: Annotated[int, Form()], to: Annotated[str, Form()],
                decision: Annotated[str, Form(min_length=1, max_length=200)],
                csrf: Annotated[str, Form()] = "",
                note: Annotated[str, Form(max_length=2000)] = "",
                grant: Annotated[str, Form()] = "") -> Response:
    _check_csrf(request, csrf)
    require_extend(user, issuer_of(engine, key), bool(grant))
    record_event(engine, key, "extended", on=today(), new_due=_date(to), decision=decision,
                 note=note, actor=answering_body(user), recorded_by=user.name,
                 expected_version=version, grants=bool(grant))
    return _back(key)


@router.get("/evidence/{evidence_id}")
def evidence_file(request: Request, evidence_id: Annotated[int, FastPath(ge=1, le=2**31 - 1)],
                  user: PageUser, engine: EngineDep) -> Response:
    with engine.connect() as conn:
        row = conn.execute(select(EV, I.c.key).join(I, I.c.pk == EV.c.instance_pk)
                           .where(EV.c.id == evidence_id)).first()
    if row is None:
        raise NotFound("no such evidence file")
    lead, support = lead_and_support(engine, row.key)
    require_read(user, row.key, lead, support)
    root: Path = request.app.state.evidence_dir
    stored = open_stored(root, row.sha256)
    if stored is None:
        raise NotFound("the evidence file is missing from the evidence folder")
    with stored:  # the type its content shows, whatever the uploader claimed
        kind = detected_type(stored)
    return FileResponse(stored_path(root, row.sha256), media_type=kind,
                        filename=safe_name(row.filename))


def _not_officer(user: User) -> None:
    if user.role == "officer":
        raise NotAllowed("this page is for the steering committee and viewers; your unit's "
                         "tasks are under 'My tasks'")


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, user: PageUser, engine: EngineDep, as_of: str | None = None,
              directive: str | None = None, quarter: str | None = None,
              jurisdiction: str | None = None) -> Response:
    _not_officer(user)
    day = _date(as_of)
    board = kept_dashboard(engine, day, directive or None, wait=False)
    with engine.connect() as conn:
        directives = conn.execute(select(D.c.id, D.c.number, D.c.title, D.c.jurisdiction,
                                         D.c.issued_on).order_by(D.c.id)).all()
        jurisdictions = conn.execute(select(J.c.id, J.c.name).order_by(J.c.id)).all()
    figures = _quarter_review(engine, day, quarter, jurisdiction, directive, directives,
                              jurisdictions)
    review = figures.value if figures else None
    return render(request, "dashboard.html", user=user, b=board.value, as_of=day,
                  counted_at=_counted_at(board, figures),
                  directive=directive or "", directives=directives,
                  jurisdictions=jurisdictions, review=review,
                  summary=review.summary if review else None,
                  may_decide=user.role == "steering", names=_unit_names(engine),
                  fig=figure, pct=percent, headline=headline)


def _quarter_review(engine: Any, day: date, quarter: str | None, jurisdiction: str | None,
                    directive: str | None, directives: Any, jurisdictions: Any) -> Any:
    """Return the review the dashboard shows beside its own counts: of the quarter chosen
    (default: the one ``day`` falls in, to date), of the jurisdiction chosen (default: the
    directive's, else the first), narrowed to the directive when it is one of its own.

    They are the review's own figures (``build_review``, worded as its document), kept
    while nothing changes, so the page never shows a count of its own."""
    if not jurisdictions:
        return None
    chosen = next((d for d in directives if d.id == directive), None)
    jur = jurisdiction or (chosen.jurisdiction if chosen else jurisdictions[0].id)
    one = chosen.id if chosen and chosen.jurisdiction == jur and chosen.issued_on <= day \
        else None
    if quarter is None:
        if not 2 <= day.year <= 9998:  # no quarter before or after it to compare with
            return None
        quarter = f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return review_figures(engine, jur, quarter, day, one, wait=False)


def _counted_at(*pages: Shown | None) -> datetime | None:
    """When the oldest of the kept pages shown was counted, if any is being built anew
    (the page then says so, with that time); None when all stand as the ledger is now."""
    times = [p.counted_at for p in pages if p is not None and p.counted_at is not None]
    return min(times) if times else None


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX = 100_000  # rows in one download; a national list is read by directive


@router.get("/dashboard/tasks.xlsx")
def dashboard_xlsx(user: PageUser, engine: EngineDep, as_of: str | None = None,
                   directive: str | None = None) -> Response:
    """The task list as the dashboard filters it, as an Excel sheet (``tasks --format
    xlsx``); an officer gets the tasks of their own unit."""
    from dirtrack.documents.tasks_xlsx import render_tasks_xlsx, sheet_rows
    from dirtrack.store.queries import check_known

    day = _date(as_of)
    check_known(engine, directive or None)
    unit = user.unit_id if user.role == "officer" else None
    rows, language = sheet_rows(engine, day, Filters(directive=directive or None, unit=unit),
                                XLSX_MAX + 1)
    if len(rows) > XLSX_MAX:
        raise InvalidAction(f"the list holds more than {XLSX_MAX:,} tasks, more than one "
                            "download carries; choose a directive")
    name = f"nhiem-vu-{directive or unit or 'tat-ca'}-{day.isoformat()}.xlsx"
    return Response(render_tasks_xlsx(rows, language), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/directives", response_class=HTMLResponse)
def directives(request: Request, user: PageUser, engine: EngineDep) -> Response:
    with engine.connect() as conn:
        rows = conn.execute(select(D).order_by(D.c.issued_on, D.c.id)).all()
    return render(request, "directives.html", user=user, rows=rows, names=_unit_names(engine))


@router.get("/directives/{directive_id}", response_class=HTMLResponse)
def directive_page(request: Request, directive_id: str, user: PageUser,
                   engine: EngineDep) -> Response:
    head, nodes = directive_graph(engine, directive_id)
    w, names = words(language_of(request)), _unit_names(engine)

    def lead_name(lead: str) -> str:
        """A unit's name, or "each commune" in the page's language for a fan-out."""
        if lead.startswith("each "):
            return w.get(f"each_{lead[5:]}", lead)
        return names.get(lead, lead)

    return render(request, "directive.html", user=user, head=head, nodes=nodes,
                  lead_name=lead_name, svg=graph_svg(nodes, w["critical"], lead_name))


@router.get("/reviews", response_class=HTMLResponse)
def reviews(request: Request, user: PageUser, engine: EngineDep, quarter: str | None = None,
            jurisdiction: str | None = None, as_of: str | None = None,
            locality: str | None = None) -> Response:
    if not locality:
        _not_officer(user)
    day = _date(as_of)
    with engine.connect() as conn:
        jurisdictions = conn.execute(select(J.c.id, J.c.name).order_by(J.c.id)).all()
    if not jurisdictions:
        raise NotFound("no jurisdiction is loaded yet")
    chosen = jurisdiction or jurisdictions[0].id
    if locality:
        chosen = require_locality_review(engine, user, locality, jurisdiction)
    quarter = quarter or previous_quarter_end(day)[0]
    if locality:  # one locality's review is built each time, never kept
        document, counted_at = str(render_review(build_review(
            engine, chosen, quarter, day, locality=locality), "html")), None
    else:
        kept = review_document(engine, chosen, quarter, day, wait=False)
        document, counted_at = kept.value, kept.counted_at
    return render(request, "reviews.html", user=user, quarter=quarter, jurisdiction=chosen,
                  jurisdictions=jurisdictions, as_of=day, locality=locality or "",
                  document=document, counted_at=counted_at)


@router.get("/reviews/{jurisdiction}/{quarter}.{fmt}")
def review_file(request: Request, jurisdiction: str, quarter: str, fmt: str, user: PageUser,
                engine: EngineDep, as_of: str | None = None,
                locality: str | None = None) -> Response:
    if not locality:
        _not_officer(user)
    if fmt not in ("md", "html", "json"):
        raise NotFound("reviews come as .md, .html or .json")
    from dirtrack.calendar import quarter_bounds

    try:
        quarter_bounds(quarter)
    except ValueError as exc:
        raise InvalidAction(str(exc)) from None
    if locality:
        require_locality_review(engine, user, locality, jurisdiction)
    body = render_review(build_review(engine, jurisdiction, quarter, _date(as_of),
                                      locality=locality or None), fmt)
    kind = {"md": "text/markdown", "html": "text/html", "json": "application/json"}[fmt]
    name = f"review-{jurisdiction}-{quarter}" + (f"-{locality}" if locality else "")
    return Response(body, media_type=f"{kind}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
