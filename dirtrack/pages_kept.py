"""Pages kept in the database: the dashboard, the review's figures beside it, the review's
document. The daily deadline check builds the day's and keeps them, so the first user
of the day is answered at once.

At national scale the dashboard counts a million instances and the review behind its
figures as many again (seconds each), and the review page renders a document with
thousands of rows. Each is kept here, built, with the marks of a kept review
(``review.snapshot``), and handed back while it stands by the same rule: no ledger event
or alert dated on or before its date recorded since, no instance added, no directive
loaded, the same jurisdiction, directives, units, review settings and narrative, and the
same code (the counting and the wording). A page that no longer stands (say, a unit
reported a task done today) is built anew by the request that finds it so, and kept; the
web pages instead show the page kept, labelled with the time it was counted, while it is
built anew in the background (``shown``, ``rebuild_later``; docs/review.md) -- once the
database holds ``DIRTRACK_PAGES_REBUILT_IN_REQUEST_BELOW`` task instances or more (20,000
by default, a build of a fraction of a second below): a smaller province sees a report at
once, as in the request.

Read again in the same process, a kept page is the same object: decoded once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, and_, delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from dirtrack.documents.outline import Summary
from dirtrack.review.model import Review, UnitLine
from dirtrack.review.snapshot import _decoder, _encode, instant, marks, stands
from dirtrack.store.tables import JurisdictionRow, OutboxRow, PageSnapshotRow, UnitRow

P, O = PageSnapshotRow.__table__, OutboxRow.__table__  # type: ignore[attr-defined]
J, U = JurisdictionRow.__table__, UnitRow.__table__  # type: ignore[attr-defined]
log = logging.getLogger(__name__)
LEAGUE = 50  # league lines the dashboard shows
KEEP = 4  # dates kept per page and question (the latest built)
DECODED = 16  # kept pages held decoded per process
_DECODED: dict[tuple[Any, ...], Any] = {}
_LOCK = threading.Lock()
Made = TypeVar("Made")


@dataclass
class ReviewFigures:
    """What the dashboard shows of a quarter's review: its headline and tables (the
    document's own cells) and the head of its league table."""

    jurisdiction: str
    jurisdiction_name: str
    quarter: str  # 2025-Q2
    awaiting_total: int
    league: list[UnitLine]
    summary: Summary


def figures_of(review: Review) -> ReviewFigures:
    from dirtrack.documents.outline import summary

    o = review.overall
    return ReviewFigures(review.jurisdiction, review.jurisdiction_name, review.quarter,
                         o.awaiting_total, o.by_unit[:LEAGUE], summary(review))


@lru_cache(maxsize=1)
def _code() -> str:
    """A digest of the source files that decide what a kept page holds beyond the review's
    counting (which the marks cover): the dashboard's counts, the document's words."""
    import dirtrack

    root = Path(dirtrack.__file__).parent
    files = sorted([*(root / "documents").glob("*.py"), *(root / "templates").glob("*"),
                    root / "report.py", root / "dashboard.py", Path(__file__)])
    code = hashlib.sha256()
    for path in files:
        code.update(path.read_bytes())
    return code.hexdigest()


def _key(page: str, question: str, as_of: date) -> Any:
    return and_(P.c.page == page, P.c.question == question, P.c.as_of == as_of)


@dataclass(frozen=True)
class Shown:
    """A page as a web request shows it: ``value``, and ``counted_at`` (UTC) when it is
    the page kept earlier, shown while it is built anew in the background because the
    ledger changed since (the page says when its figures were counted); None when it
    stands as the ledger is now."""

    value: Any
    counted_at: datetime | None = None


def kept(engine: Engine, page: str, question: str, as_of: date, context: list[Any],
         make: Callable[[], Made], kind: Any, *, fresh: bool = False) -> Made:
    """Return the page ``page`` for ``question`` as of ``as_of``: the one kept while it
    stands (see the module's docstring), else ``make()``, kept. ``context`` is what it
    read besides the ledger (names, settings...); ``kind`` its type, to decode it."""
    return shown(engine, page, question, as_of, context, make, kind,  # type: ignore[no-any-return]
                 fresh=fresh).value


def shown(engine: Engine, page: str, question: str, as_of: date, context: list[Any],
          make: Callable[[], Any], kind: Any, *, fresh: bool = False,
          wait: bool = True) -> Shown:
    """As ``kept``; with ``wait`` False a kept page that no longer stands only because the
    ledger moved on (same code, names and settings) is handed back with the time it was
    counted, and built anew in the background (``rebuild_later``)."""
    url = engine.url.render_as_string()
    with engine.connect() as conn:
        then = marks(conn, [page, question, context, _code()])
        row = None if fresh else conn.execute(
            select(*[c for c in P.c if c.name != "data"])
            .where(_key(page, question, as_of))).first()
        if row is not None and stands(conn, row, then, as_of):
            return Shown(_read(conn, url, page, question, as_of, row, kind))
        if row is not None and not wait and row.context == then.context \
                and then.instance_mark >= _in_request_below():
            found = _read(conn, url, page, question, as_of, row, kind)
            rebuild_later(engine, page, question, as_of, context, make)
            return Shown(found, instant(row.built_at).replace(tzinfo=UTC))
    return Shown(_make_and_keep(engine, page, question, as_of, context, make, then))


def _in_request_below() -> int:
    """The number of task instances (by the highest instance key, as the marks read it)
    below which a page the ledger has moved past is built in the request."""
    from dirtrack.config import settings

    return settings().pages_rebuilt_in_request_below


def _read(conn: Any, url: str, page: str, question: str, as_of: date, row: Any,
          kind: Any) -> Any:
    ident = (url, page, question, as_of, instant(row.built_at), row.context)
    found = _DECODED.get(ident)
    if found is None:
        data = conn.execute(select(P.c.data).where(_key(page, question, as_of))).scalar_one()
        found = _decoder(kind)(json.loads(data))
        _remember(ident, found)
    return found


def _make_and_keep(engine: Engine, page: str, question: str, as_of: date,
                   context: list[Any], make: Callable[[], Made],
                   then: Any = None) -> Made:
    """Build the page and keep it with the marks read before building it: its time
    (``built_at``) is when counting began, so what it shows holds at least every event
    recorded before then."""
    url = engine.url.render_as_string()
    built_at = datetime.now(UTC)
    if then is None:
        with engine.connect() as conn:
            then = marks(conn, [page, question, context, _code()])
    made = make()
    try:
        with engine.begin() as conn:
            conn.execute(delete(P).where(_key(page, question, as_of)))
            conn.execute(insert(P).values(
                page=page, question=question, as_of=as_of, built_at=built_at,
                data=json.dumps(_encode(made), ensure_ascii=False, separators=(",", ":")),
                event_mark=then.event_mark, event_count=then.event_count,
                outbox_mark=then.outbox_mark, outbox_count=then.outbox_count,
                instance_mark=then.instance_mark, load_mark=then.load_mark,
                context=then.context))
            same = and_(P.c.page == page, P.c.question == question)
            latest = (select(P.c.as_of).where(same).order_by(P.c.built_at.desc())
                      .limit(KEEP))
            conn.execute(delete(P).where(same, P.c.as_of.not_in(latest)))
    except (IntegrityError, OperationalError) as exc:  # kept or not, the answer is made
        log.info("page %s %s not kept: %s", page, question, str(exc).splitlines()[0])
        return made
    _remember((url, page, question, as_of, instant(built_at), then.context), made)
    return made


# Building anew in the background: one page at a time in a process (one thread works
# through the pages asked for), and one process at a time for a page: the process that
# starts building a page leaves a claim row in ``page_snapshot`` (page "rebuilding"),
# which the other workers of ``serve --workers N`` see; a claim older than CLAIM_AGE
# (its process stopped) is taken over.

CLAIM = "rebuilding"
CLAIM_AGE = timedelta(minutes=10)
# The build waits this long before it starts, so the request that asked for it (and the
# next pages a user opens at once) are answered first instead of sharing the CPU with it.
DELAY = 1.0
_JOBS: queue.Queue[tuple[Any, ...]] = queue.Queue()
_PENDING: set[tuple[Any, ...]] = set()
_WORKER: list[threading.Thread] = []


def rebuild_later(engine: Engine, page: str, question: str, as_of: date,
                  context: list[Any], make: Callable[[], Any]) -> None:
    """Have the page built anew and kept by this process's background thread, unless it
    is already waiting for it."""
    ident = (engine.url.render_as_string(), page, question, as_of)
    with _LOCK:
        if ident in _PENDING:
            return
        _PENDING.add(ident)
        _JOBS.put((ident, engine, page, question, as_of, context, make))
        if not _WORKER or not _WORKER[0].is_alive():
            _WORKER[:] = [threading.Thread(target=_work, name="pages-rebuild", daemon=True)]
            _WORKER[0].start()


def _work() -> None:
    while True:
        ident, engine, page, question, as_of, context, make = _JOBS.get()
        try:
            time.sleep(DELAY)
            if _claim(engine, page, question, as_of):
                try:
                    _make_and_keep(engine, page, question, as_of, context, make)
                finally:
                    _release(engine, page, question, as_of)
        except Exception:  # the next request finds the page still old and asks again
            log.exception("page %s %s not built anew", page, question)
        finally:
            with _LOCK:
                _PENDING.discard(ident)
            _JOBS.task_done()


def _claim(engine: Engine, page: str, question: str, as_of: date) -> bool:
    key = _key(CLAIM, f"{page}|{question}", as_of)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            since = conn.execute(select(P.c.built_at).where(key)).scalar()
            if since is not None:
                if instant(since) > now.replace(tzinfo=None) - CLAIM_AGE:
                    return False  # another worker is building it
                conn.execute(delete(P).where(key))
            conn.execute(insert(P).values(page=CLAIM, question=f"{page}|{question}",
                                          as_of=as_of, built_at=now, data="",
                                          context=""))
    except (IntegrityError, OperationalError):  # another worker claimed it first
        return False
    return True


def _release(engine: Engine, page: str, question: str, as_of: date) -> None:
    with engine.begin() as conn:
        conn.execute(delete(P).where(_key(CLAIM, f"{page}|{question}", as_of)))


def settle(timeout: float = 600.0) -> bool:
    """Wait until the pages asked to be built anew in this process are built; return
    whether they were within ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while _JOBS.unfinished_tasks:
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def _remember(ident: tuple[Any, ...], value: Any) -> None:
    with _LOCK:  # the web app answers requests in several threads
        _DECODED[ident] = value
        while len(_DECODED) > DECODED:
            _DECODED.pop(next(iter(_DECODED)))


# The pages


def dashboard(engine: Engine, as_of: date, directive: str | None = None,
              *, fresh: bool = False, wait: bool = True) -> Any:
    """The dashboard's own counts and lists as of ``as_of`` (``dashboard.Dashboard``);
    with ``wait`` False, as ``Shown`` (see ``shown``)."""
    from dirtrack.dashboard import Dashboard, _build
    from dirtrack.store.queries import check_known

    check_known(engine, directive)
    with engine.connect() as conn:
        names = dict(conn.execute(select(U.c.id, U.c.name)).tuples().all())
        # An alert is cancelled in place (its task done before it was sent), and the
        # dashboard leaves cancelled ones out of the escalation step it shows.
        cancelled = conn.execute(select(func.count()).select_from(O)  # ix_outbox_cancelled
                                 .where(text("status = 'cancelled'"))).scalar_one()
    page = shown(engine, "dashboard", directive or "", as_of, [names, cancelled],
                 lambda: _build(engine, as_of, directive), Dashboard, fresh=fresh, wait=wait)
    return page.value if wait else page


def _review_context(engine: Engine, jurisdiction: str, quarter: str, as_of: date,
                    directive: str | None) -> list[Any]:
    from dirtrack.review.build import _bounds, question

    _bounds(quarter, as_of)  # a quarter out of range: the review's own message
    with engine.connect() as conn:
        return question(conn, jurisdiction, quarter, as_of, directive).context


def review_figures(engine: Engine, jurisdiction: str, quarter: str, as_of: date,
                   directive: str | None = None, *, fresh: bool = False,
                   wait: bool = True) -> Any:
    """The review's figures the dashboard shows (``figures_of``), of the review that
    ``build_review`` gives for the same question; with ``wait`` False, as ``Shown``."""
    from dirtrack.review import build_review

    context = _review_context(engine, jurisdiction, quarter, as_of, directive)
    page = shown(engine, "review-figures", f"{jurisdiction}/{quarter}/{directive or ''}",
                 as_of, context, lambda: figures_of(build_review(
                     engine, jurisdiction, quarter, as_of, directive, fresh=fresh)),
                 ReviewFigures, fresh=fresh, wait=wait)
    return page.value if wait else page


def review_document(engine: Engine, jurisdiction: str, quarter: str, as_of: date,
                    *, fresh: bool = False, wait: bool = True) -> Any:
    """The review as its HTML document, as the review page shows it; with ``wait``
    False, as ``Shown``."""
    from dirtrack.report import render
    from dirtrack.review import build_review

    context = _review_context(engine, jurisdiction, quarter, as_of, None)
    page = shown(engine, "review-document", f"{jurisdiction}/{quarter}/", as_of, context,
                 lambda: str(render(build_review(engine, jurisdiction, quarter, as_of,
                                                 fresh=fresh), "html")), str,
                 fresh=fresh, wait=wait)
    return page.value if wait else page


def keep_days_pages(engine: Engine, day: date) -> dict[str, Any]:
    """Build and keep the pages the first users of ``day`` ask for: the dashboard of every
    directive; for each jurisdiction the review's figures of the quarter just ended and
    of the current one to date (the dashboard shows the current quarter's by default,
    the previous one's in the weeks of the conference), and the document of the quarter
    just ended (what the review page opens). Returns what was kept."""
    from dirtrack.review import previous_quarter_end, quarter_of

    dashboard(engine, day)
    with engine.connect() as conn:
        jurisdictions = conn.execute(select(J.c.id).order_by(J.c.id)).scalars().all()
    ended, current = previous_quarter_end(day)[0], quarter_of(day)
    for jurisdiction in jurisdictions:
        review_figures(engine, jurisdiction, ended, day)
        review_document(engine, jurisdiction, ended, day)
        review_figures(engine, jurisdiction, current, day)
    return {"pages_kept": 1 + 3 * len(jurisdictions), "jurisdictions_kept": list(jurisdictions),
            "quarters_kept": [ended, current]}
