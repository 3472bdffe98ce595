"""The JSON API (OpenAPI at /docs): the same reads and writes as the pages, same rules."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from dirtrack.config import today
from dirtrack.dashboard import build_dashboard
from dirtrack.errors import NotAllowed
from dirtrack.review import build_review
from dirtrack.status import CATEGORIES
from dirtrack.store.ledger import Authorise, record_event
from dirtrack.store.queries import (
    Filters,
    TaskStatus,
    issuer_of,
    lead_and_support,
    list_tasks,
    show_task,
)
from dirtrack.users import User
from dirtrack.web.access import (
    ANSWER,
    REPORT,
    REVIEWS,
    WITHDRAW,
    answering_body,
    require_answer,
    require_extend,
    require_locality_review,
    require_read,
    require_recent,
    require_report,
    require_steering,
)
from dirtrack.web.app import ApiUser, EngineDep


class Problem(BaseModel):
    """Every error answer: what is wrong and what to do."""

    detail: str


router = APIRouter(prefix="/api", tags=["api"], responses={
    code: {"model": Problem} for code in (400, 401, 403, 404, 409, 413, 422)})
Category = Annotated[str | None, Query(pattern="^(" + "|".join(CATEGORIES) + ")$")]
Note = Annotated[str, Field(max_length=2000)]


class TaskOut(BaseModel):
    id: str
    directive: str
    task: str
    title: str
    lead: str
    unit: str | None
    sector: str
    deliverable: str
    due_on: date
    status: str
    blocked: bool
    at_risk: bool
    completed_on: date | None
    verified: bool
    percent: int
    days_overdue: int
    critical: bool
    slack_days: int
    blocked_by: list[str]


class EventOut(BaseModel):
    id: int
    kind: str
    effective_on: date
    actor: str
    recorded_by: str = ""
    percent: int | None = None
    note: str = ""
    evidence: str = ""
    new_due: date | None = None
    new_lead: str | None = None
    decision: str = ""


class TaskDetailOut(BaseModel):
    task: TaskOut
    support: list[str]
    original_due_on: date
    prerequisites: list[TaskOut]
    dependents: list[str]
    events: list[EventOut]
    version: int = Field(description="Send it back as 'version' to write: a stale one gets 409.")


class Written(BaseModel):
    event_id: int
    task: str
    kind: str
    effective_on: date
    version: int


class Write(BaseModel):
    on: date | None = Field(None, description="Date of the event; default today "
                                              "(Asia/Ho_Chi_Minh). Never after today; a "
                                              "unit's report at most "
                                              "DIRTRACK_REPORT_DAYS_BACK (7) days back.")
    version: int | None = Field(None, description="The task's version you saw; 409 if stale.")


Values = Annotated[dict[Annotated[str, Field(max_length=100)], int | float | str], Field(
    default_factory=dict, max_length=50,
    description="Indicator values: {\"models.economic\": 3} for a breakdown, "
                "{\"people\": 120} for a whole.")]


class ProgressIn(Write):
    percent: int = Field(ge=0, le=100)
    note: Note = ""
    values: Values


class DoneIn(Write):
    note: Note = ""
    evidence: Annotated[str, Field(max_length=500)] = ""
    values: Values


class RequestIn(Write):
    to: date = Field(description="The deadline asked for.")
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class WithdrawIn(Write):
    note: Note = ""


class RefuseIn(Write):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    decision: Annotated[str, Field(max_length=200)] = ""


class DifficultyIn(Write):
    note: Annotated[str, Field(min_length=1, max_length=2000)]


class VerifyIn(Write):
    note: Note = ""


class ReturnIn(Write):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ExtendIn(Write):
    to: date
    decision: Annotated[str, Field(min_length=1, max_length=200)]
    note: Note = ""
    grant: bool = Field(False, description="Grant the unit's waiting extension request: "
                                           "409 if it was withdrawn, 422 if none waits.")


def _out(t: TaskStatus) -> TaskOut:
    return TaskOut(**t.as_json())


def _as_texts(values: dict[str, int | float | str]) -> list[str]:
    return [f"{name}={value}" for name, value in values.items()]


def _may_report(user: User, key: str, on: date, what: str = REPORT) -> Authorise:
    """Return the check that ``user`` may report progress or done on ``key``, dated ``on``.

    The ledger runs it on the locked task, in the write's own transaction, after
    answering 404 for an unknown task and before its own checks.
    """
    def check(lead: str, support: list[str]) -> None:
        require_read(user, key, lead, support)
        require_report(user, key, lead, what)
        require_recent(on)

    return check


@router.get("/me")
def me(user: ApiUser) -> dict[str, Any]:
    """Who the token or session belongs to."""
    return {"name": user.name, "role": user.role, "unit": user.unit_id}


@router.get("/tasks", response_model=list[TaskOut])
def tasks(user: ApiUser, engine: EngineDep, directive: str | None = None,
          unit: str | None = None, status: Category = None, as_of: date | None = None,
          limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> list[TaskOut]:
    """Task instances as of a date, most urgent first; an officer sees its unit's tasks."""
    day = as_of or today()
    if user.role == "officer":
        if unit and unit != user.unit_id:
            raise NotAllowed(f"an officer of {user.unit_id} sees only its own unit's tasks")
        led = list_tasks(engine, day, Filters(directive, user.unit_id, status), limit)
        helping = list_tasks(engine, day, Filters(directive, None, status,
                                                  support=user.unit_id), limit)
        return [_out(t) for t in (led + helping)[:limit]]
    return [_out(t) for t in list_tasks(engine, day, Filters(directive, unit, status), limit)]


@router.get("/tasks/{key:path}", response_model=TaskDetailOut)
def task(key: str, user: ApiUser, engine: EngineDep,
         as_of: date | None = None) -> TaskDetailOut:
    """One task: details, prerequisites, dependents, its full ledger history and version."""
    lead, support = lead_and_support(engine, key)
    require_read(user, key, lead, support, issuer_of(engine, key))
    detail = show_task(engine, key, as_of or today())
    return TaskDetailOut(task=_out(detail.status), support=detail.support,
                         original_due_on=detail.original_due_on,
                         prerequisites=[_out(p) for p in detail.prerequisites],
                         dependents=detail.dependents,
                         events=[EventOut(**e) for e in detail.events],
                         version=len(detail.events))


def _written(done: Any) -> Written:
    return Written(event_id=done.event_id, task=done.task, kind=done.kind,
                   effective_on=done.effective_on, version=done.version)


@router.post("/tasks/{key:path}/progress", status_code=201, response_model=Written)
def progress(key: str, body: ProgressIn, user: ApiUser, engine: EngineDep) -> Written:
    """Report progress (officers of the lead unit)."""
    on = body.on or today()
    return _written(record_event(engine, key, "progress", on=on,
                                 unit=user.unit_id, percent=body.percent, note=body.note,
                                 values=_as_texts(body.values), recorded_by=user.name,
                                 expected_version=body.version,
                                 authorise=_may_report(user, key, on)))


@router.post("/tasks/{key:path}/done", status_code=201, response_model=Written)
def done(key: str, body: DoneIn, user: ApiUser, engine: EngineDep) -> Written:
    """Report the task done, with a note and an evidence reference (officers of the lead unit)."""
    on = body.on or today()
    return _written(record_event(engine, key, "done", on=on,
                                 unit=user.unit_id, note=body.note, evidence=body.evidence,
                                 values=_as_texts(body.values), recorded_by=user.name,
                                 expected_version=body.version,
                                 authorise=_may_report(user, key, on)))


@router.post("/tasks/{key:path}/verify", status_code=201, response_model=Written)
def verify(key: str, body: VerifyIn, user: ApiUser, engine: EngineDep) -> Written:
    """Verify a reported completion (steering committee)."""
    require_steering(user, "verify completions")
    return _written(record_event(engine, key, "verified", on=body.on or today(), note=body.note,
                                 recorded_by=user.name, expected_version=body.version))


@router.post("/tasks/{key:path}/return", status_code=201, response_model=Written)
def return_(key: str, body: ReturnIn, user: ApiUser, engine: EngineDep) -> Written:
    """Return a reported completion with a reason; the task reopens (steering committee)."""
    require_steering(user, "return completions")
    return _written(record_event(engine, key, "returned", on=body.on or today(),
                                 note=body.reason, recorded_by=user.name,
                                 expected_version=body.version))


@router.post("/tasks/{key:path}/extend", status_code=201, response_model=Written)
def extend(key: str, body: ExtendIn, user: ApiUser, engine: EngineDep) -> Written:
    """Extend the deadline by decision (steering committee), or grant the unit's waiting
    request with ``grant`` (steering committee, officers of the issuing unit)."""
    require_extend(user, issuer_of(engine, key), body.grant)
    return _written(record_event(engine, key, "extended", on=body.on or today(),
                                 new_due=body.to, decision=body.decision, note=body.note,
                                 actor=answering_body(user), recorded_by=user.name,
                                 expected_version=body.version, grants=body.grant))


@router.post("/tasks/{key:path}/request-extension", status_code=201, response_model=Written)
def request_extension(key: str, body: RequestIn, user: ApiUser, engine: EngineDep) -> Written:
    """Ask for a later deadline with the reason (officers of the lead unit); the committee
    grants it with /extend or refuses it with /refuse-extension."""
    on = body.on or today()
    return _written(record_event(engine, key, "requested", on=on, unit=user.unit_id,
                                 new_due=body.to, note=body.reason, recorded_by=user.name,
                                 expected_version=body.version,
                                 authorise=_may_report(user, key, on, ANSWER)))


@router.post("/tasks/{key:path}/refuse-extension", status_code=201, response_model=Written)
def refuse_extension(key: str, body: RefuseIn, user: ApiUser, engine: EngineDep) -> Written:
    """Refuse a waiting extension request, with the reason (steering committee, officers
    of the issuing unit); 409 once the unit has withdrawn it."""
    require_answer(user, issuer_of(engine, key), "refuse extensions")
    return _written(record_event(engine, key, "refused", on=body.on or today(),
                                 note=body.reason, decision=body.decision,
                                 actor=answering_body(user),
                                 recorded_by=user.name, expected_version=body.version))


@router.post("/tasks/{key:path}/withdraw-extension", status_code=201, response_model=Written)
def withdraw_extension(key: str, body: WithdrawIn, user: ApiUser, engine: EngineDep
                       ) -> Written:
    """Withdraw the unit's waiting extension request before it is answered (officers of
    the lead unit); it can then be neither granted nor refused."""
    on = body.on or today()
    return _written(record_event(engine, key, "withdrawn", on=on, unit=user.unit_id,
                                 note=body.note, recorded_by=user.name,
                                 expected_version=body.version,
                                 authorise=_may_report(user, key, on, WITHDRAW)))


@router.post("/tasks/{key:path}/difficulty", status_code=201, response_model=Written)
def difficulty(key: str, body: DifficultyIn, user: ApiUser, engine: EngineDep) -> Written:
    """Record a difficulty or a reason for delay on an open task (officers of the lead unit)."""
    on = body.on or today()
    return _written(record_event(engine, key, "difficulty", on=on, unit=user.unit_id,
                                 note=body.note, recorded_by=user.name,
                                 expected_version=body.version,
                                 authorise=_may_report(user, key, on, ANSWER)))


@router.get("/dashboard")
def dashboard(user: ApiUser, engine: EngineDep, as_of: date | None = None,
              directive: str | None = None) -> dict[str, Any]:
    """The four categories, overdue list, league table and completions awaiting verification."""
    if user.role == "officer":
        raise NotAllowed("the dashboard is for the steering committee and viewers")
    return build_dashboard(engine, as_of or today(), directive).as_json()


@router.get("/reviews/{quarter}")
def review(quarter: Annotated[str, Path(description="A quarter, e.g. 2024-Q2.")],
           jurisdiction: str, user: ApiUser, engine: EngineDep,
           as_of: date | None = None,
           locality: Annotated[str | None, Query(
               description="The review of the work one locality's bodies led (a commune's "
               "Party committee, People's Committee and Front committee together), e.g. "
               "hy-pho-hien; officers of those bodies may read it.")] = None
           ) -> dict[str, Any]:
    """The quarterly review as JSON; of one locality's bodies with ``locality``."""
    if user.role == "officer" and locality is None:
        raise NotAllowed(REVIEWS)
    from dirtrack.calendar import quarter_bounds

    try:
        quarter_bounds(quarter)
    except ValueError as exc:
        from dirtrack.errors import InvalidAction

        raise InvalidAction(str(exc)) from None
    if locality is not None:
        require_locality_review(engine, user, locality, jurisdiction)
    return build_review(engine, jurisdiction, quarter, as_of or today(),
                        locality=locality).as_json()
