"""Deadline check: record the escalation steps due as of a date, then deliver digests."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from dirtrack.alerts import check_delivery_settings, deliver
from dirtrack.config import now, settings, today
from dirtrack.escalation import check_deadlines
from flows.runtime import run_logger, step
from flows.steps import database


@step("record due alerts")
def record_alerts(as_of: date) -> dict[str, Any]:
    result = check_deadlines(database(), as_of)
    return {"as_of": as_of.isoformat(), "opened": result.opened, "recorded": result.recorded,
            "cancelled": result.cancelled, "by_step": result.by_step}


@step("deliver digests")
def deliver_digests(alerts_dir: str) -> dict[str, Any]:
    report = deliver(database(), now(), Path(alerts_dir))
    return {"digests_sent": report.digests_sent, "alerts_sent": report.alerts_sent,
            "digests_failed": report.digests_failed, "alerts_waiting": report.alerts_waiting,
            "by_channel": dict(report.by_channel), "errors": report.errors}


@step("keep the day's pages")
def keep_pages(as_of: date) -> dict[str, Any]:
    from dirtrack.pages_kept import keep_days_pages

    kept = keep_days_pages(database(), as_of)
    return {"pages_kept": kept["pages_kept"]}


@step("deadline-check", kind="flow")
def deadline_check(as_of: date | None = None, alerts_dir: str | None = None,
                   pages: bool = True) -> dict[str, Any]:
    """Record the reminders and escalations due as of ``as_of`` and send one digest per
    recipient and channel; failed sends stay pending for the next run. Then build and keep
    the day's dashboard and reviews (with ``pages``), so the first user of the day reads
    them at once (``dirtrack.pages_kept``)."""
    day = as_of or today()
    folder = alerts_dir or str(settings().alerts_dir)
    check_delivery_settings()  # before anything is recorded
    recorded = record_alerts(day)
    delivered = deliver_digests(folder)
    kept = keep_pages(day) if pages else {"pages_kept": 0}
    logger = run_logger()
    logger.info("deadline check as of %s: %s alerts recorded, %s digests sent, %s failed, "
                "%s pages kept", day, recorded["recorded"], delivered["digests_sent"],
                delivered["digests_failed"], kept["pages_kept"])
    for error in delivered["errors"]:
        logger.warning("delivery failed, will retry: %s", error)
    return {**recorded, **delivered, **kept}
