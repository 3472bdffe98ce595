"""A unit's deadlines as a calendar (iCalendar, .ics) that common calendar apps open.

One event per open task instance the unit leads, on its deadline, all day. A
deadline is a day, not a moment, so the event is a DATE value (``DTSTART;VALUE=DATE``):
it shows on the same calendar day in every app and zone, where a DATE-TIME at
midnight Asia/Ho_Chi_Minh would slide to the previous evening for a reader's
phone set to another zone, and would need a VTIMEZONE block many apps mishandle.
The calendar names its zone (``X-WR-TIMEZONE: Asia/Ho_Chi_Minh``). Each reminder
step of the directive's escalation ladder (``reminder``, so many days before)
becomes an alarm at 08:00 that morning, the start of the working day. The
event's UID is the instance's id, so a feed read again updates events instead
of adding them: a moved deadline moves, a finished task disappears.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, select

from dirtrack.config import now
from dirtrack.store.queries import Filters, check_known, list_tasks
from dirtrack.store.tables import DirectiveRow, JurisdictionRow, LadderRow, UnitRow

TIMEZONE = "Asia/Ho_Chi_Minh"
ALARM_HOUR = 8  # reminders at the start of the working day
KIND_WORDS = {"vi": {"plan": "Kế hoạch", "conclusion": "Kết luận", "resolution": "Nghị quyết",
                     "directive": "Chỉ thị", "decision": "Quyết định", "circular": "Thông tri",
                     "notice": "Thông báo"},
              "en": {"plan": "Plan", "conclusion": "Conclusion", "resolution": "Resolution",
                     "directive": "Directive", "decision": "Decision", "circular": "Circular",
                     "notice": "Notice"}}
WORDS = {
    "vi": {"calendar": "{unit}: hạn nhiệm vụ", "number": "số", "deliverable": "Sản phẩm",
           "task": "Mã nhiệm vụ", "overdue": "Quá hạn {n} ngày (tính đến {d})",
           "alarm": "Còn {n} ngày đến hạn: {title}"},
    "en": {"calendar": "{unit}: task deadlines", "number": "No.", "deliverable": "Deliverable",
           "task": "Task id", "overdue": "{n} days overdue (as of {d})",
           "alarm": "Due in {n} days: {title}"},
}


def alarm_trigger(days_before: int) -> timedelta:
    """Return the trigger of a reminder ``days_before`` a deadline, at 08:00 that day,
    relative to the start of an all-day event.

    >>> alarm_trigger(3)
    datetime.timedelta(days=-3, seconds=28800)
    """
    return timedelta(days=-days_before, hours=ALARM_HOUR)


def unit_calendar(engine: Engine, unit_id: str, as_of: date,
                  language: str | None = None) -> bytes:
    """Return the .ics calendar of the open task instances ``unit_id`` leads as of
    ``as_of``; ``language`` defaults to the unit's jurisdiction's."""
    from icalendar import Alarm, Calendar, Event

    check_known(engine, unit=unit_id)
    tasks = [t for t in list_tasks(engine, as_of, Filters(unit=unit_id))
             if t.status in ("open_on_time", "open_overdue")]
    tasks.sort(key=lambda t: (t.due_on, t.id))
    directives = sorted({t.directive for t in tasks})
    U, D = UnitRow.__table__, DirectiveRow.__table__  # type: ignore[attr-defined]
    J, L = JurisdictionRow.__table__, LadderRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        unit = conn.execute(select(U.c.name, J.c.language).select_from(
            U.outerjoin(J, J.c.id == U.c.jurisdiction)).where(U.c.id == unit_id)).one()
        heads = {r.id: r for r in conn.execute(select(D.c.id, D.c.number, D.c.kind, D.c.title)
                                               .where(D.c.id.in_(directives)))}
        reminders: dict[str, list[int]] = {}
        for r in conn.execute(select(L.c.directive_id, L.c.days).where(
                L.c.directive_id.in_(directives), L.c.days < 0, L.c.recipient == "lead")
                .order_by(L.c.directive_id, L.c.days)):
            reminders.setdefault(r.directive_id, []).append(-r.days)
    lang = language or unit.language or "vi"
    words, kinds = WORDS[lang], KIND_WORDS[lang]
    calendar = Calendar()
    calendar.add("prodid", "-//dirtrack//task deadlines//" + lang.upper())
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", words["calendar"].format(unit=unit.name))
    calendar.add("x-wr-timezone", TIMEZONE)
    stamp = now()
    for task in tasks:
        head = heads[task.directive]
        event = Event()
        event.add("uid", f"{task.id}@dirtrack")
        event.add("dtstamp", stamp)
        event.add("dtstart", task.due_on)
        event.add("dtend", task.due_on + timedelta(days=1))
        event.add("summary", task.title)
        lines = [f"{kinds.get(head.kind, head.kind)} {words['number']} {head.number}: "
                 f"{head.title}"]
        if task.deliverable:
            lines.append(f"{words['deliverable']}: {task.deliverable}")
        if task.status == "open_overdue":
            lines.append(words["overdue"].format(n=task.days_overdue,
                                                 d=as_of.strftime("%d/%m/%Y")))
        lines.append(f"{words['task']}: {task.id}")
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")  # a deadline does not make the day busy
        for days in reminders.get(task.directive, []):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", words["alarm"].format(n=days, title=task.title))
            alarm.add("trigger", alarm_trigger(days))
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
