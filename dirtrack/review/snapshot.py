"""Keep a built review, and hand it back while nothing it was read from has changed.

A national review reads a million instances; the same question asked again (the
review page, the files of the flow) is answered from the stored review instead. It
stands while:

* no ledger event and no alert dated on or before the review's date has been recorded
  since: the events recorded after it (ids past the highest then) are all dated later,
  and there are exactly that many more rows (an event whose id was taken before the
  review was built but committed after it shows in the count);
* no instance was added and no directive loaded (the highest ids are the same);
* the jurisdiction, its directives, the units (names, levels, parents, endings), its
  review settings and the quarter's narrative read the same, and so does the code that
  counts (``context``, a SHA-256 of them and of the review's own source files: a new
  release with other counting rules never hands back a review its predecessor built).

Reviews are encoded as JSON that names no class: a stored row cannot make the reader
run anything.
"""

from __future__ import annotations

import hashlib
import json
import logging
import types
import typing
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from dirtrack.review.model import Review, Totals, UnitLine
from dirtrack.status import CATEGORIES
from dirtrack.store.tables import (
    EventRow,
    InstanceRow,
    LoadRow,
    OutboxRow,
    ReviewSnapshotRow,
)

E, O, I = EventRow.__table__, OutboxRow.__table__, InstanceRow.__table__  # type: ignore[attr-defined]
L, R = LoadRow.__table__, ReviewSnapshotRow.__table__  # type: ignore[attr-defined]
log = logging.getLogger(__name__)
KEEP = 4  # snapshots kept per jurisdiction, quarter and directive (the latest dates)
DECODED = 8  # stored reviews kept decoded per process
_DECODED: dict[tuple[Any, ...], Review] = {}


# Encoding


def _encode(value: Any) -> Any:
    if isinstance(value, Totals):  # the bulk of a league table: kept as plain lists
        return [getattr(value, c) for c in CATEGORIES]
    if isinstance(value, UnitLine):
        return [value.unit, value.name, _encode(value.totals), value.overdue_days,
                value.carried_days, value.carried_from]
    if is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list) and value and isinstance(value[0], UnitLine):
        return [[u.unit, u.name, [getattr(u.totals, c) for c in CATEGORIES], u.overdue_days,
                 u.carried_days, u.carried_from] for u in value]
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decoder(kind: Any) -> Any:
    """Return a function turning the JSON of a value of type ``kind`` back into it."""
    if kind is Totals:
        return lambda v: Totals(*v)
    if kind is UnitLine:
        return lambda v: UnitLine(v[0], v[1], Totals(*v[2]), *v[3:])
    if isinstance(kind, type) and is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        parts = {f.name: _decoder(hints[f.name]) for f in fields(kind) if f.init}
        return lambda v: kind(**{k: parts[k](x) for k, x in v.items() if k in parts})
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        inner = [_decoder(a) for a in args if a is not type(None)]
        return lambda v: None if v is None else inner[0](v)
    if origin is list:
        item = _decoder(args[0])
        return lambda v: [item(x) for x in v]
    if origin is tuple and (len(args) == 1 or args[1:] == (Ellipsis,)):
        item = _decoder(args[0])
        return lambda v: tuple(item(x) for x in v)
    if origin is tuple:  # one type per place: (directive, title, counts)
        items = [_decoder(a) for a in args]
        return lambda v: tuple(d(x) for d, x in zip(items, v, strict=True))
    if origin is dict:
        item = _decoder(args[1])
        return lambda v: {k: item(x) for k, x in v.items()}
    if kind is date:
        return date.fromisoformat
    return lambda v: v


_REVIEW = _decoder(Review)


def encode(review: Review) -> str:
    return json.dumps(_encode(review), ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Review:
    return _REVIEW(json.loads(text))  # type: ignore[no-any-return]


# When a stored review stands


@dataclass(frozen=True)
class Marks:
    event_mark: int
    event_count: int
    outbox_mark: int
    outbox_count: int
    instance_mark: int
    load_mark: int
    context: str


def marks(conn: Connection, context: list[Any]) -> Marks:
    """Return where the ledger, the outbox, the instances and the loads stand now."""
    row = conn.execute(select(
        select(func.coalesce(func.max(E.c.id), 0)).scalar_subquery(),
        select(func.count()).select_from(E).scalar_subquery(),
        select(func.coalesce(func.max(O.c.id), 0)).scalar_subquery(),
        select(func.count()).select_from(O).scalar_subquery(),
        select(func.coalesce(func.max(I.c.pk), 0)).scalar_subquery(),
        select(func.coalesce(func.max(L.c.id), 0)).scalar_subquery())).one()
    digest = hashlib.sha256(json.dumps(context, default=str, ensure_ascii=False).encode())
    digest.update(_code())
    event_mark, event_count, outbox_mark, outbox_count, instance_mark, load_mark = map(int, row)
    return Marks(event_mark, event_count, outbox_mark, outbox_count, instance_mark, load_mark,
                 digest.hexdigest())


@lru_cache(maxsize=1)
def _code() -> bytes:
    """Return a digest of the source files that decide a review's figures."""
    import dirtrack

    root = Path(dirtrack.__file__).parent
    files = sorted((root / "review").glob("*.py")) + [root / "status.py",
                                                       root / "store" / "queries.py"]
    code = hashlib.sha256()
    for path in files:
        code.update(path.read_bytes())
    return code.digest()


def _key(jurisdiction: str, quarter: str, as_of: date, directive: str | None) -> Any:
    return and_(R.c.jurisdiction == jurisdiction, R.c.quarter == quarter, R.c.as_of == as_of,
                R.c.directive == (directive or ""))


def stands(conn: Connection, row: Any, now: Marks, as_of: date) -> bool:
    """Whether something built as of ``as_of`` with the marks of ``row`` still stands now:
    the same instances, loads and context, and no event or alert dated on or before
    ``as_of`` recorded since (see the module's docstring)."""
    if (row.instance_mark, row.load_mark, row.context) != (
            now.instance_mark, now.load_mark, now.context):
        return False
    for table, mark, count, dated, new_mark, new_count in (
            (E, row.event_mark, row.event_count, E.c.effective_on, now.event_mark,
             now.event_count),
            (O, row.outbox_mark, row.outbox_count, O.c.fired_on, now.outbox_mark,
             now.outbox_count)):
        if (new_mark, new_count) == (mark, count):
            continue
        later = conn.execute(select(func.count(), func.min(dated)).select_from(table)
                             .where(table.c.id > mark)).one()
        if new_count - count != later[0] or (later[1] is not None and later[1] <= as_of):
            return False
    return True


def stored(conn: Connection, jurisdiction: str, quarter: str, as_of: date,
           directive: str | None, now: Marks) -> Review | None:
    """Return the stored review of this question if it still stands, else None.

    The same stored row read again gives the same ``Review`` object (decoding a
    national review costs a tenth of a second), which a page may then keep its
    rendering of: treat it as read-only."""
    wanted = [c for c in R.c if c.name != "data"]
    row = conn.execute(select(*wanted).where(_key(jurisdiction, quarter, as_of,
                                                   directive))).first()
    if row is None or not stands(conn, row, now, as_of):
        return None
    ident = (conn.engine.url.render_as_string(), jurisdiction, quarter, as_of, directive,
             instant(row.built_at), row.context)
    kept = _DECODED.get(ident)
    if kept is None:
        data = conn.execute(select(R.c.data).where(_key(jurisdiction, quarter, as_of,
                                                         directive))).scalar_one()
        kept = decode(data)
        _remember(ident, kept)
    return kept


def instant(moment: datetime) -> datetime:
    """A stored time as UTC without its zone: SQLite hands it back naive, PostgreSQL in
    the session's zone."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _remember(ident: tuple[Any, ...], review: Review) -> None:
    _DECODED[ident] = review
    while len(_DECODED) > DECODED:
        _DECODED.pop(next(iter(_DECODED)))


def store(engine: Engine, review: Review, then: Marks) -> None:
    """Keep ``review`` with the marks read before it was built; drop older ones.

    Keeping it is a help, not part of the answer: when another process stores the same
    review at the same moment, or the database is busy, the review is simply not kept.
    """
    try:
        with engine.begin() as conn:
            built_at = _store(conn, review, then)
    except (IntegrityError, OperationalError) as exc:
        log.info("review %s %s not kept: %s", review.jurisdiction, review.quarter,
                 str(exc).splitlines()[0])
        return
    # Read back as this very object: the next page asking the same question neither
    # decodes it nor renders it again.
    _remember((engine.url.render_as_string(), review.jurisdiction, review.quarter,
               review.as_of, review.directive, instant(built_at), then.context), review)


def _store(conn: Connection, review: Review, then: Marks) -> datetime:
    key = _key(review.jurisdiction, review.quarter, review.as_of, review.directive)
    conn.execute(delete(R).where(key))
    built_at = datetime.now(UTC)
    conn.execute(insert(R).values(
        jurisdiction=review.jurisdiction, quarter=review.quarter, as_of=review.as_of,
        directive=review.directive or "", built_at=built_at, data=encode(review),
        **{f.name: getattr(then, f.name) for f in fields(then)}))
    same = and_(R.c.jurisdiction == review.jurisdiction, R.c.quarter == review.quarter,
                R.c.directive == (review.directive or ""))
    keep = select(R.c.as_of).where(same).order_by(R.c.built_at.desc()).limit(KEEP)
    conn.execute(delete(R).where(same, R.c.as_of.not_in(keep)))
    return built_at
