"""``make demo``: load the demo directives and replay a quarter of unit actions.

The replay is deterministic: named actions tell the stories a review conference
discusses (a book published and verified, a district summary returned, a
deadline extended by decision, a merger moving open work), and every other
instance gets an outcome from a stable hash of its id: most units finish on
time, some late, some never.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dirtrack.calendar import quarter_bounds
from dirtrack.errors import DirtrackError
from dirtrack.plan import Plan
from dirtrack.present import counts, overdue_table, task_detail
from dirtrack.store.ledger import SECRETARIAT, record_event
from dirtrack.store.queries import Filters, list_tasks, overdue, show_task, status_counts

PROJECT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Action:
    day: date
    kind: str  # progress | done | verified | returned | extended | requested | withdrawn
    #            | refused | difficulty
    task: str
    unit: str | None = None
    note: str = ""
    evidence: str = ""
    percent: int | None = None
    new_due: date | None = None
    decision: str = ""
    values: tuple[str, ...] = ()  # indicator values, NAME=N or NAME.PART=N
    answered_by: str = ""  # an extension granted or refused by an officer of this unit
    officer: str = ""  # that officer's user name, as the web app records it


# The named stories; every other instance follows the hash rule below.
STORY = [
    Action(date(2024, 5, 15), "progress", "nb-2024-q2/book-100-models",
           "mass-mobilization-commission", "Đã biên tập xong bản thảo 100 mô hình", percent=40),
    Action(date(2024, 6, 25), "done", "nb-2024-q2/book-100-models",
           "mass-mobilization-commission", "Sách đã in và phát hành",
           evidence="Giấy phép xuất bản số 215/QĐ-NXB, in 1.000 cuốn"),
    Action(date(2024, 6, 28), "verified", "nb-2024-q2/book-100-models",
           note="Đã đối chiếu với Kế hoạch số 24-KH/BCĐ"),
    Action(date(2024, 6, 10), "done", "nb-2024-q2/district-summary@kim-son", "kim-son",
           "Tổng kết 10 đại hội cấp cơ sở", evidence="Báo cáo số 31/BC-MTTQ"),
    Action(date(2024, 6, 12), "returned", "nb-2024-q2/district-summary@kim-son",
           note="Thiếu số liệu của xã Hùng Tiến; bổ sung và gửi lại"),
    Action(date(2024, 6, 20), "done", "nb-2024-q2/district-summary@kim-son", "kim-son",
           "Đã bổ sung số liệu xã Hùng Tiến", evidence="Báo cáo số 35/BC-MTTQ"),
    Action(date(2024, 6, 10), "extended", "nb-2024-q2/trang-an-promotion",
           new_due=date(2024, 9, 30), decision="1025/QĐ-UBND",
           note="Điều chỉnh theo thời điểm tổ chức lễ kỷ niệm 10 năm vào tháng 9"),
]
# Hưng Yên, first quarter of 2025: each district's "Dân vận khéo" models by sector
# (economic, cultural-social, defence-security, political system); the province's
# totals are the seed's 761, 1,284, 692 and 425, together 3,162. The split by
# district is illustrative. Two districts stay below the target of 300: Văn Giang asks
# for more time, Phù Cừ finishes below it and says why.
HY_MODELS = "hy-2025-q1-models/district-models@"
HY_COUNTS = {  # district: (day, economic, cultural-social, defense-security, political)
    "hy-hung-yen-city": (date(2025, 3, 14), 90, 150, 80, 50),
    "hy-my-hao": (date(2025, 3, 17), 80, 135, 75, 46),
    "hy-van-lam": (date(2025, 3, 18), 75, 128, 70, 44),
    "hy-van-giang": (date(2025, 3, 24), 70, 120, 65, 40),
    "hy-yen-my": (date(2025, 3, 19), 78, 130, 72, 44),
    "hy-khoai-chau": (date(2025, 3, 20), 72, 125, 66, 41),
    "hy-an-thi": (date(2025, 3, 21), 76, 128, 68, 42),
    "hy-kim-dong": (date(2025, 3, 25), 74, 122, 66, 40),
    "hy-phu-cu": (date(2025, 3, 28), 70, 118, 62, 36),
    "hy-tien-lu": (date(2025, 3, 26), 76, 128, 68, 42),
}


def _models(day: date, kind: str, unit: str, counts: tuple[int, ...], note: str,
            percent: int | None = None) -> Action:
    parts = ("economic", "cultural-social", "defense-security", "political-system")
    return Action(day, kind, HY_MODELS + unit, unit, note, percent=percent,
                  values=tuple(f"models.{p}={n}" for p, n in zip(parts, counts, strict=True)))


STORY += [
    _models(day, "progress" if unit == "hy-van-giang" else "done", unit, tuple(counts),
            "Đang hoàn thiện hồ sơ công nhận mô hình" if unit == "hy-van-giang"
            else "Báo cáo số mô hình “Dân vận khéo” quý I", percent=90
            if unit == "hy-van-giang" else None)
    for unit, (day, *counts) in HY_COUNTS.items()]
STORY += [
    Action(date(2025, 3, 24), "requested", HY_MODELS + "hy-van-giang", "hy-van-giang",
           "Còn 5 mô hình chờ Hội đồng thi đua huyện công nhận; đề nghị lùi thời hạn báo "
           "cáo", new_due=date(2025, 4, 30)),
    Action(date(2025, 3, 20), "difficulty", HY_MODELS + "hy-phu-cu", "hy-phu-cu",
           "Một số xã chưa bố trí được kinh phí duy trì mô hình; việc công nhận mô hình "
           "ở cơ sở còn chậm"),
]
# Hưng Yên, third quarter of 2025: units answer back. Mỹ Hào ward asks for more time on
# its report of the merged commune's models, then withdraws the request before any answer
# and reports on time; Yên Mỹ commune asks for more time to open its public service
# centre, and an officer of the issuing body (the Provincial Party Standing Committee's
# office, in the web app) grants it, not the steering committee.
HY_Q3 = "hy-2025-q3/"
STORY += [
    Action(date(2025, 9, 1), "requested", HY_Q3 + "skilled-models-merged@hy-my-hao-ward",
           "hy-my-hao-ward", "Chờ tổng hợp số liệu mô hình của các xã, phường cũ trước khi "
           "sắp xếp", new_due=date(2025, 9, 30)),
    Action(date(2025, 9, 5), "withdrawn", HY_Q3 + "skilled-models-merged@hy-my-hao-ward",
           "hy-my-hao-ward", "Đã tổng hợp đủ số liệu, báo cáo đúng hạn"),
    Action(date(2025, 9, 10), "done", HY_Q3 + "skilled-models-merged@hy-my-hao-ward",
           "hy-my-hao-ward", "Hoàn thành theo kế hoạch"),
    Action(date(2025, 8, 11), "requested", HY_Q3 + "public-service-centres@hy-xa-yen-my",
           "hy-xa-yen-my", "Trụ sở Trung tâm phục vụ hành chính công của xã đang sửa chữa",
           new_due=date(2025, 9, 15)),
    Action(date(2025, 8, 13), "extended", HY_Q3 + "public-service-centres@hy-xa-yen-my",
           note="Đồng ý gia hạn đến ngày 15/09/2025", new_due=date(2025, 9, 15),
           decision="Công văn số 312-CV/TU", answered_by="hy-pc-standing",
           officer="btv.vanphong"),
]
NEVER = {"nb-2024-q2/leadership-documents", "nb-2024-q2/ff-congress/grassroots@kim-dong"}


def _fraction(key: str) -> float:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def _planned(plan: Plan, quarter_end: date) -> list[Action]:
    """Return the hash-rule actions: 75% on time, 13% late, 12% never."""
    named = {a.task for a in STORY} | NEVER
    out = []
    for jur, spec in plan.directives():
        for inst in plan.expansion(jur, spec).instances:
            if inst.key in named:
                continue
            x = _fraction(inst.key)
            if x < 0.75:
                day = inst.due_on - timedelta(days=int(x * 12))
            elif x < 0.88:
                day = inst.due_on + timedelta(days=1 + int((x - 0.75) * 150))
            else:
                continue
            day = max(day, spec.issued_on)
            note = "Hoàn thành theo kế hoạch" if day <= inst.due_on else "Hoàn thành chậm"
            out.append(Action(day, "done", inst.key, inst.lead, note))
    return out


def actions_for(plan: Plan, directive_id: str) -> list[Action]:
    """Return the scripted actions of one directive in date order."""
    quarter_end = max(
        (quarter_bounds(quarter_of(d.issued_on))[1] for _, d in plan.directives()
         if d.id == directive_id))
    return sorted((a for a in STORY + _planned(plan, quarter_end)
                   if a.task.startswith(directive_id + "/")), key=lambda a: (a.day, a.task))


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def perform(engine, registry, action: Action) -> str | None:  # type: ignore[no-untyped-def]
    """Record one action as its unit would; return why it was refused, or None."""
    unit = registry.final_successor(action.unit, action.day) if action.unit else None
    try:
        record_event(engine, action.task, action.kind, on=action.day, unit=unit,
                     note=action.note, evidence=action.evidence, percent=action.percent,
                     new_due=action.new_due, decision=action.decision,
                     values=action.values,
                     # an answer by an officer of the issuing unit, as the web app records it
                     actor=action.answered_by or SECRETARIAT, recorded_by=action.officer,
                     grants=bool(action.answered_by) and action.kind == "extended")
    except DirtrackError as exc:
        return str(exc)
    return None


def quarter_report(engine, directive_id: str, as_of: date,  # type: ignore[no-untyped-def]
                   echo: Callable[[str], None]) -> None:
    """Print a directive's status at the quarter's end, its overdue list and its stories."""
    _report(engine, directive_id, as_of, echo)
    _reporting(engine, directive_id, as_of, echo)
    _stories(engine, directive_id, as_of, echo)


def moved_examples(engine, jur, registry, day: date, directive_id: str,  # type: ignore[no-untyped-def]
                   echo: Callable[[str], None]) -> None:
    """Print a few tasks a reorganisation moved to successor units."""
    heirs = sorted({r.into for r in jur.reorganisations if r.on == day and r.into})
    for heir in heirs:
        moved = [t for t in list_tasks(engine, day, Filters(directive_id, heir))
                 if not t.id.endswith("@" + heir)]  # not the heir's own instances
        for t in moved[:2]:
            echo(f"     {t.id} is now led by {heir} ({registry[heir].name})")


def _report(engine, directive_id: str, as_of: date, echo: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    echo("")
    for line in counts(status_counts(engine, as_of, Filters(directive_id)), as_of,
                       directive_id).splitlines():
        echo("   " + line)
    late = overdue(engine, as_of, Filters(directive_id))
    echo(f"   overdue on {as_of}: {len(late)} task(s); the longest overdue:")
    for line in overdue_table(late[:8]).splitlines():
        echo("     " + line)
    if len(late) > 8:
        echo(f"     ... {len(late) - 8} more: dirtrack overdue --directive {directive_id} "
             f"--as-of {as_of}")


def _reporting(engine, directive_id: str, as_of: date,  # type: ignore[no-untyped-def]
               echo: Callable[[str], None]) -> None:
    """Print the reporting rates of a directive's repeating tasks, when it has some."""
    from sqlalchemy import select

    from dirtrack.review import build_review
    from dirtrack.store.tables import DirectiveRow

    D = DirectiveRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        jurisdiction = conn.execute(select(D.c.jurisdiction).where(D.c.id == directive_id)
                                    ).scalar_one()
    reporting = build_review(engine, jurisdiction, quarter_of(as_of), as_of,
                             directive_id).overall.reporting
    if reporting is None:
        return
    t = reporting.total
    echo(f"   recurring reports due by {as_of}: {t.expected} expected, {t.received} received "
         f"(reporting rate {_pct(t.rate)}), {t.on_time} on time ({_pct(t.on_time_rate)})")


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _stories(engine, directive_id: str, as_of: date, echo: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    for key in sorted({a.task for a in STORY if a.task.startswith(directive_id + "/")}):
        detail = show_task(engine, key, as_of)
        lines = task_detail(detail).split("\n")
        status = next(line for line in lines if line.strip().startswith("status"))
        echo("")
        echo(f"   {key}: {status.strip()[len('status'):].strip()}")
        for line in lines[lines.index("history:") + 1:]:
            echo("     " + line.strip())
