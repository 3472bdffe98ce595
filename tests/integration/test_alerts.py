"""Alert delivery: one digest per recipient and channel, the text people read, real
webhook and SMTP servers that fail and recover, back-off, ``dirtrack alerts`` and secrets.

The jurisdiction is in alerts_support.py: prep (dept-a, due 10/04), main (dept-b,
due 15/04, blocked by prep), local (c1, due 20/04); prov is dept-a's, dept-b's and
d1's parent and the issuer. Every unit is reached on the log channel as well as on
the channels its jurisdiction routes to it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from dirtrack.alerts import deliver, list_alerts
from dirtrack.errors import DirtrackError
from dirtrack.escalation import check_deadlines
from dirtrack.store.tables import UnitRow

from .alerts_support import (
    EMAIL_ALL,
    SMTP_ENV,
    WEBHOOK_ALL,
    WEBHOOK_ENV,
    SmtpReceiver,
    WebhookReceiver,
    alerts_in,
    d,
    deliveries,
    jurisdiction_row,
    outbox_rows,
    record,
    setup,
    write_jurisdiction,
)

T0 = datetime(2024, 4, 16, 1, 0, tzinfo=UTC)


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebhookReceiver]:
    """A webhook receiver whose URL is in the environment variable escalation.yaml names."""
    receiver = WebhookReceiver()
    monkeypatch.setenv(WEBHOOK_ENV, receiver.url())
    yield receiver
    receiver.close()


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpReceiver]:
    """An SMTP server whose URL is in the environment variable escalation.yaml names."""
    receiver = SmtpReceiver()
    monkeypatch.setenv(SMTP_ENV, receiver.url())
    yield receiver
    receiver.close()


def _run(engine, day: str, now: datetime, tmp_path):
    """One deadline check and one delivery, as the deadline-check flow does."""
    check_deadlines(engine, d(day))
    return deliver(engine, now, tmp_path / "alerts")


def _by_recipient(posts) -> dict[str, list[tuple[str, str]]]:
    return {p.payload["recipient"]["id"]: sorted((a["task"], a["step"])
                                                 for a in p.payload["alerts"]) for p in posts}


def test_one_digest_per_recipient_and_channel_per_run(engine, tmp_path, webhook):
    setup(engine, tmp_path, channels=WEBHOOK_ALL)

    first = _run(engine, "2024-04-25", T0, tmp_path)  # 7 alerts reached at once

    assert (first.digests_sent, first.alerts_sent, first.digests_failed) == (8, 14, 0)
    assert dict(first.by_channel) == {"webhook": 4, "log": 4}
    assert _by_recipient(webhook.posts) == {
        "dept-a": [("esc/main", "root-cause"), ("esc/prep", "overdue")],
        "dept-b": [("esc/main", "overdue")],
        "prov": [("esc/main", "supervisor"), ("esc/prep", "issuer"), ("esc/prep", "supervisor")],
        "c1": [("esc/local", "overdue")],
    }
    assert [p.path for p in webhook.posts] == ["/hook"] * 4
    assert all(p.payload["delivery_id"] == p.key for p in webhook.posts)
    assert sorted(p.key for p in webhook.posts) == sorted(
        x["id"] for x in deliveries(engine) if x["channel"] == "webhook")

    second = _run(engine, "2024-04-27", T0 + timedelta(days=2), tmp_path)
    third = _run(engine, "2024-04-27", T0 + timedelta(days=2, hours=1), tmp_path)

    assert (second.digests_sent, second.alerts_sent) == (2, 2)
    assert _by_recipient(webhook.posts[4:]) == {"d1": [("esc/local", "supervisor")]}
    assert (third.digests_sent, third.alerts_sent) == (0, 0)
    assert len(webhook.posts) == 5
    assert {a.status for a in list_alerts(engine)} == {"delivered"}


def test_the_webhook_payload_names_the_blocking_task_and_its_unit(engine, tmp_path, webhook):
    setup(engine, tmp_path, channels=WEBHOOK_ALL)

    _run(engine, "2024-04-16", T0, tmp_path)

    post = next(p for p in webhook.posts if p.payload["recipient"]["id"] == "dept-b")
    assert post.payload == {
        "recipient": {"id": "dept-b", "name": "Sở Văn hóa"},
        "as_of": "2024-04-16",
        "language": "en",
        "subject": "[dirtrack] Tỉnh Thử Nghiệm: 1 task(s) need attention of Sở Văn hóa as of "
                   "16/04/2024",
        "alerts": [{"task": "esc/main", "title": "Tổ chức hội nghị", "directive": "12-KH/BCĐ",
                    "lead_name": "Sở Văn hóa", "due_on": "2024-04-15", "days_overdue": 1,
                    "step": "overdue",
                    "cause": {"task": "esc/prep", "title": "Ban hành kế hoạch",
                              "lead_name": "Sở Kế hoạch", "days_overdue": 6}}],
        "delivery_id": post.key,
    }
    to_dept_a = next(p.payload for p in webhook.posts if p.payload["recipient"]["id"] == "dept-a")
    assert [(a["task"], a["step"], a["cause"] and a["cause"]["task"])
            for a in to_dept_a["alerts"]] == [("esc/prep", "overdue", None),
                                              ("esc/main", "root-cause", "esc/prep")]


DIGESTS = {
    "en": [
        ("svh@tinh.example",
         "[dirtrack] Tỉnh Thử Nghiệm: 1 task(s) need attention of Sở Văn hóa as of 12/04/2024",
         "To: Sở Văn hóa\n"
         "As of 12/04/2024, these tasks need your attention.\n"
         "Reminder: due soon:\n"
         "- esc/main: Tổ chức hội nghị\n"
         "  directive 12-KH/BCĐ; lead: Sở Văn hóa; due 15/04/2024; 3 day(s) left\n"
         "  blocked by esc/prep (Ban hành kế hoạch), led by Sở Kế hoạch, 2 day(s) overdue\n"
         "\n"
         "Report progress or completion in dirtrack; this message was sent once for each step "
         "reached.\n"),
        ("ske@tinh.example",
         "[dirtrack] Tỉnh Thử Nghiệm: 1 task(s) need attention of Sở Kế hoạch as of 16/04/2024",
         "To: Sở Kế hoạch\n"
         "As of 16/04/2024, these tasks need your attention.\n"
         "Your overdue task is blocking another unit's task:\n"
         "- esc/main: Tổ chức hội nghị\n"
         "  directive 12-KH/BCĐ; lead: Sở Văn hóa; due 15/04/2024; 1 day(s) overdue\n"
         "  blocked by esc/prep (Ban hành kế hoạch), led by Sở Kế hoạch, 6 day(s) overdue\n"
         "\n"
         "Report progress or completion in dirtrack; this message was sent once for each step "
         "reached.\n"),
        ("x1@tinh.example",
         "[dirtrack] Tỉnh Thử Nghiệm: 1 task(s) need attention of Xã Một as of 20/04/2024",
         "To: Xã Một\n"
         "As of 20/04/2024, these tasks need your attention.\n"
         "Reminder: due soon:\n"
         "- esc/local: Họp dân\n"
         "  directive 12-KH/BCĐ; lead: Xã Một; due 20/04/2024; due today\n"
         "\n"
         "Report progress or completion in dirtrack; this message was sent once for each step "
         "reached.\n"),
    ],
    "vi": [
        ("svh@tinh.example",
         "[dirtrack] Tỉnh Thử Nghiệm: 1 nhiệm vụ cần Sở Văn hóa chú ý, tính đến ngày 12/04/2024",
         "Kính gửi: Sở Văn hóa\n"
         "Tính đến ngày 12/04/2024, các nhiệm vụ sau cần được quan tâm.\n"
         "Nhắc việc: sắp đến hạn:\n"
         "- esc/main: Tổ chức hội nghị\n"
         "  văn bản 12-KH/BCĐ; đơn vị chủ trì: Sở Văn hóa; hạn 15/04/2024; còn 3 ngày\n"
         "  bị chậm do esc/prep (Ban hành kế hoạch) của Sở Kế hoạch, quá hạn 2 ngày\n"
         "\n"
         "Đề nghị cập nhật tiến độ hoặc báo cáo hoàn thành trên dirtrack; thông báo này chỉ gửi "
         "một lần cho mỗi bước.\n"),
        ("ske@tinh.example",
         "[dirtrack] Tỉnh Thử Nghiệm: 1 nhiệm vụ cần Sở Kế hoạch chú ý, tính đến ngày 16/04/2024",
         "Kính gửi: Sở Kế hoạch\n"
         "Tính đến ngày 16/04/2024, các nhiệm vụ sau cần được quan tâm.\n"
         "Nhiệm vụ quá hạn của đơn vị đang làm chậm nhiệm vụ của đơn vị khác:\n"
         "- esc/main: Tổ chức hội nghị\n"
         "  văn bản 12-KH/BCĐ; đơn vị chủ trì: Sở Văn hóa; hạn 15/04/2024; quá hạn 1 ngày\n"
         "  bị chậm do esc/prep (Ban hành kế hoạch) của Sở Kế hoạch, quá hạn 6 ngày\n"
         "\n"
         "Đề nghị cập nhật tiến độ hoặc báo cáo hoàn thành trên dirtrack; thông báo này chỉ gửi "
         "một lần cho mỗi bước.\n"),
        ("x1@tinh.example",
         "[dirtrack] Tỉnh Thử Nghiệm: 1 nhiệm vụ cần Xã Một chú ý, tính đến ngày 20/04/2024",
         "Kính gửi: Xã Một\n"
         "Tính đến ngày 20/04/2024, các nhiệm vụ sau cần được quan tâm.\n"
         "Nhắc việc: sắp đến hạn:\n"
         "- esc/local: Họp dân\n"
         "  văn bản 12-KH/BCĐ; đơn vị chủ trì: Xã Một; hạn 20/04/2024; đến hạn hôm nay\n"
         "\n"
         "Đề nghị cập nhật tiến độ hoặc báo cáo hoàn thành trên dirtrack; thông báo này chỉ gửi "
         "một lần cho mỗi bước.\n"),
    ],
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_digest_email_in_the_jurisdictions_language_with_dates_dd_mm_yyyy(
        engine, tmp_path, smtp, language):
    setup(engine, tmp_path, language=language, channels=EMAIL_ALL)

    for n, day in enumerate(["2024-04-12", "2024-04-16", "2024-04-20"]):
        _run(engine, day, T0 + timedelta(days=n), tmp_path)

    received = {(m["To"], m["Subject"], smtp.text(m)) for m in smtp.messages}
    assert len(smtp.messages) == 6  # 2 recipients on each of the 3 days
    assert set(DIGESTS[language]) <= received
    assert {m["From"] for m in smtp.messages} == {"canhbao@tinh.example"}
    stored = {x["subject"]: x["body"] for x in deliveries(engine) if x["channel"] == "email"}
    for _, subject, body in DIGESTS[language]:
        assert stored[subject] == body


def test_digest_subject_counts_tasks_not_alerts(engine, tmp_path, webhook):
    setup(engine, tmp_path, channels=WEBHOOK_ALL)

    _run(engine, "2024-04-25", T0, tmp_path)  # prov: prep at supervisor and issuer, main

    to_prov = next(p.payload for p in webhook.posts if p.payload["recipient"]["id"] == "prov")
    assert len(to_prov["alerts"]) == 3
    assert to_prov["subject"] == ("[dirtrack] Tỉnh Thử Nghiệm: 2 task(s) need attention of "
                                  "Ban Thường vụ Tỉnh ủy as of 25/04/2024")


def test_a_failed_webhook_delivery_stays_pending_and_the_next_run_sends_it_once(
        engine, tmp_path, webhook, monkeypatch):
    monkeypatch.setenv("DIRTRACK_RETRY_SECONDS", "0")
    setup(engine, tmp_path, channels=WEBHOOK_ALL)
    webhook.fail_next = 2  # the server is down for dept-a's and dept-b's digests

    first = _run(engine, "2024-04-16", T0, tmp_path)

    assert (first.digests_sent, first.digests_failed, first.alerts_waiting) == (2, 2, 3)
    assert sorted(first.errors) == ["webhook to dept-a: webhook answered HTTP 503",
                                    "webhook to dept-b: webhook answered HTTP 503"]
    assert webhook.posts == []
    waiting = {(a.recipient, a.task, a.step, a.status, a.attempts, a.last_error)
               for a in list_alerts(engine) if a.channel == "webhook"}
    assert waiting == {
        ("dept-a", "esc/prep", "overdue", "pending", 1, "webhook answered HTTP 503"),
        ("dept-a", "esc/main", "root-cause", "pending", 1, "webhook answered HTTP 503"),
        ("dept-b", "esc/main", "overdue", "pending", 1, "webhook answered HTTP 503"),
    }
    failed = {x["recipient_id"]: x["id"] for x in deliveries(engine) if x["status"] == "failed"}
    failed_ids = set(failed.values())

    second = _run(engine, "2024-04-17", T0 + timedelta(days=1), tmp_path)  # recovered

    # the two stored digests go out under their first ids, with 17/04's new alerts
    assert (second.digests_failed, second.alerts_waiting) == (0, 0)
    assert set(webhook.key_counts().values()) == {1}
    keys = {p.payload["recipient"]["id"]: p.key for p in webhook.posts}
    assert sorted(keys) == ["c1", "dept-a", "dept-b", "prov"]
    assert {r: keys[r] for r in ("dept-a", "dept-b")} == failed
    assert set(webhook.key_counts()) == {x["id"] for x in deliveries(engine)
                                         if x["channel"] == "webhook"}
    got = Counter(alert for p in webhook.posts for alert in alerts_in(p.payload))
    assert got == Counter({("dept-a", "esc/prep", "overdue"): 1,
                           ("dept-a", "esc/main", "root-cause"): 1,
                           ("dept-b", "esc/main", "overdue"): 1,
                           ("prov", "esc/prep", "supervisor"): 1,
                           ("c1", "esc/local", "reminder"): 1})
    assert {(x["id"] in failed_ids, x["attempts"], x["status"]) for x in deliveries(engine)
            if x["channel"] == "webhook"} == {(True, 2, "delivered"), (False, 1, "delivered")}
    assert {a.status for a in list_alerts(engine)} == {"delivered"}

    third = _run(engine, "2024-04-17", T0 + timedelta(days=1, hours=1), tmp_path)
    assert (third.digests_sent, len(webhook.posts)) == (0, 4)


def test_a_non_zero_back_off_defers_the_retry(engine, tmp_path, webhook, monkeypatch):
    monkeypatch.setenv("DIRTRACK_RETRY_SECONDS", "300")
    setup(engine, tmp_path, channels=WEBHOOK_ALL)
    check_deadlines(engine, d("2024-04-11"))  # one alert: prep overdue, to dept-a
    webhook.fail_next = 2
    alerts = tmp_path / "alerts"

    failed_once = deliver(engine, T0, alerts)
    too_early = deliver(engine, T0 + timedelta(seconds=299), alerts)
    failed_twice = deliver(engine, T0 + timedelta(seconds=300), alerts)  # back-off over
    still_early = deliver(engine, T0 + timedelta(seconds=899), alerts)  # 300 + 600 doubled
    recovered = deliver(engine, T0 + timedelta(seconds=900), alerts)

    assert (failed_once.digests_failed, failed_once.digests_waiting) == (1, 0)
    assert (too_early.digests_sent, too_early.digests_failed, too_early.digests_waiting,
            too_early.alerts_waiting) == (0, 0, 1, 1)
    assert failed_twice.digests_failed == 1
    assert (still_early.digests_sent, still_early.digests_waiting) == (0, 1)
    assert (recovered.digests_sent, recovered.alerts_sent, recovered.alerts_waiting) == (1, 1, 0)
    assert webhook.refused == 2
    assert [alerts_in(p.payload) for p in webhook.posts] == [[("dept-a", "esc/prep", "overdue")]]
    [sent] = [x for x in deliveries(engine) if x["channel"] == "webhook"]
    assert (sent["attempts"], sent["status"]) == (3, "delivered")


def _wait(delivery: dict, now: datetime) -> timedelta:
    """How long a failed delivery waits before its next attempt (SQLite keeps UTC naive)."""
    due = delivery["next_attempt_at"]
    return (due if due.tzinfo else due.replace(tzinfo=UTC)) - now


def test_the_back_off_doubles_and_is_capped_at_six_hours(engine, tmp_path, webhook,
                                                          monkeypatch):
    """DIRTRACK_RETRY_SECONDS=3600: a digest the webhook keeps refusing waits 1, 2 and
    4 hours, then 6 hours (not 8), then 6 hours again; a run a second before its time
    does not try it."""
    monkeypatch.setenv("DIRTRACK_RETRY_SECONDS", "3600")
    setup(engine, tmp_path, channels=WEBHOOK_ALL)
    check_deadlines(engine, d("2024-04-11"))  # one alert: prep overdue, to dept-a
    webhook.fail_next = 5
    alerts, now, waits = tmp_path / "alerts", T0, []

    for _ in range(5):
        report = deliver(engine, now, alerts)
        assert (report.by_channel.get("webhook", 0), report.digests_failed) == (0, 1)
        [digest] = [x for x in deliveries(engine) if x["channel"] == "webhook"]
        waits.append(_wait(digest, now))
        early = deliver(engine, now + waits[-1] - timedelta(seconds=1), alerts)
        assert (early.digests_sent, early.digests_failed, early.digests_waiting) == (0, 0, 1)
        now += waits[-1]
    recovered = deliver(engine, now, alerts)

    assert waits == [timedelta(hours=h) for h in (1, 2, 4, 6, 6)]
    assert (digest["attempts"], digest["status"]) == (5, "failed")
    assert (recovered.digests_sent, recovered.alerts_sent, webhook.refused) == (1, 1, 5)
    assert [alerts_in(p.payload) for p in webhook.posts] == [[("dept-a", "esc/prep", "overdue")]]


def test_email_to_a_real_smtp_server_fails_then_recovers_without_duplicates(
        engine, tmp_path, smtp, monkeypatch):
    monkeypatch.setenv("DIRTRACK_RETRY_SECONDS", "0")
    setup(engine, tmp_path, language="vi", channels=EMAIL_ALL)
    smtp.fail_next = 2

    first = _run(engine, "2024-04-16", T0, tmp_path)

    port = smtp.controller.port
    assert sorted(first.errors) == [
        f"email to dept-a: SMTP server 127.0.0.1:{port} refused or unreachable: SMTPDataError",
        f"email to dept-b: SMTP server 127.0.0.1:{port} refused or unreachable: SMTPDataError"]
    assert smtp.messages == []
    assert {(a.recipient, a.status, a.attempts) for a in list_alerts(engine)
            if a.channel == "email"} == {("dept-a", "pending", 1), ("dept-b", "pending", 1)}

    second = _run(engine, "2024-04-16", T0 + timedelta(minutes=5), tmp_path)
    _run(engine, "2024-04-16", T0 + timedelta(minutes=10), tmp_path)

    assert (second.digests_sent, second.alerts_sent, second.digests_failed) == (2, 3, 0)
    ids = {x["recipient_id"]: x["id"] for x in deliveries(engine) if x["channel"] == "email"}
    assert sorted((m["To"], m["Message-ID"]) for m in smtp.messages) == [
        ("ske@tinh.example", f"<{ids['dept-a']}@dirtrack>"),
        ("svh@tinh.example", f"<{ids['dept-b']}@dirtrack>")]
    assert [(env[0], env[1]) for env in smtp.envelopes if env[1] == ["ske@tinh.example"]] == [
        ("canhbao@tinh.example", ["ske@tinh.example"])]
    body = smtp.text(next(m for m in smtp.messages if m["To"] == "ske@tinh.example"))
    assert "- esc/prep: Ban hành kế hoạch\n" in body
    assert "bị chậm do esc/prep (Ban hành kế hoạch) của Sở Kế hoạch, quá hạn 6 ngày\n" in body
    assert {a.status for a in list_alerts(engine)} == {"delivered"}


def test_a_channel_whose_secret_is_not_set_waits_and_is_sent_once_it_is(
        engine, tmp_path, monkeypatch):
    monkeypatch.setenv("DIRTRACK_RETRY_SECONDS", "0")
    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    setup(engine, tmp_path, channels=WEBHOOK_ALL)

    first = _run(engine, "2024-04-11", T0, tmp_path)

    assert first.errors == [f"webhook to dept-a: webhook channel: environment variable "
                            f"{WEBHOOK_ENV} is not set"]
    receiver = WebhookReceiver()
    try:
        monkeypatch.setenv(WEBHOOK_ENV, receiver.url())
        second = deliver(engine, T0 + timedelta(minutes=1), tmp_path / "alerts")
    finally:
        receiver.close()
    assert (second.digests_sent, second.alerts_sent) == (1, 1)
    assert [alerts_in(p.payload) for p in receiver.posts] == [[("dept-a", "esc/prep",
                                                                 "overdue")]]


MALFORMED = {  # a port that is not a number, as a typo in the environment variable makes it
    "webhook": (WEBHOOK_ALL, WEBHOOK_ENV, f"http://127.0.0.1:8o8o/hook?token={'tok-9f3a7c1e'}"),
    "email": (EMAIL_ALL, SMTP_ENV, "smtp://alerts:pw-5b2d8e@127.0.0.1:25x"),
}


@pytest.mark.parametrize("channel", ["webhook", "email"])
def test_a_malformed_channel_url_fails_that_digest_only(engine, tmp_path, monkeypatch, channel):
    channels, env, url = MALFORMED[channel]
    monkeypatch.setenv(env, url)
    setup(engine, tmp_path, channels=channels)

    report = _run(engine, "2024-04-16", T0, tmp_path)

    assert (report.digests_sent, report.digests_failed) == (2, 2)  # the log digests still go
    assert [e.split(":")[0] for e in sorted(report.errors)] == [f"{channel} to dept-a",
                                                                f"{channel} to dept-b"]
    assert not any(secret in e for e in report.errors
                   for secret in ("tok-9f3a7c1e", "pw-5b2d8e"))
    assert {(x["channel"], x["status"]) for x in deliveries(engine)} == {
        ("log", "delivered"), (channel, "failed")}


def test_the_file_channel_writes_one_file_per_digest(engine, tmp_path):
    setup(engine, tmp_path, channels="channels:\n  file: {folder: tinh-thu}\nroutes:\n"
                                      "  - {channel: file, units: [prov]}\n")

    report = _run(engine, "2024-04-25", T0, tmp_path)

    assert report.by_channel["file"] == 1
    [digest] = [x for x in deliveries(engine) if x["channel"] == "file"]
    [written] = (tmp_path / "alerts" / "tinh-thu" / "2024-04-25").iterdir()
    assert written.name == f"prov-{digest['id']}.txt"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("[dirtrack] Tỉnh Thử Nghiệm: ")
    assert text == f"{digest['subject']}\n\n{digest['body']}"
    assert "- esc/prep: Ban hành kế hoạch\n" in text and "- esc/main: Tổ chức hội nghị\n" in text


# --- the command line ------------------------------------------------------------------


def test_alerts_json_lists_recipient_task_step_status_and_attempts(
        cli, engine, tmp_path, webhook):
    setup(engine, tmp_path, channels="channels:\n  webhook: {url_env: " + WEBHOOK_ENV
          + "}\nroutes:\n  - {channel: webhook, units: [dept-a, dept-b]}\n")
    webhook.fail_next = 1
    _run(engine, "2024-04-11", T0, tmp_path)         # prep overdue: log sent, webhook fails
    check_deadlines(engine, d("2024-04-12"))          # main's reminder, not sent yet
    record(engine, "esc/main", "extended", "2024-04-13", new_due=d("2024-05-15"),
           decision="QĐ 60/QĐ-BCĐ")
    check_deadlines(engine, d("2024-04-13"))          # the reminder is withdrawn

    run = cli("alerts", "--json")
    pending = cli("alerts", "--json", "--status", "pending")
    for_b = cli("alerts", "--unit", "dept-b")

    assert run.exit_code == 0, run.stderr
    rows = json.loads(run.stdout)
    assert all(isinstance(r.pop("id"), int) for r in rows)
    assert rows == [
        {"recipient": "dept-b", "task": "esc/main", "step": "reminder", "channel": "log",
         "fired_on": "2024-04-12", "status": "cancelled", "attempts": 0, "last_error": "",
         "cause": "esc/prep"},
        {"recipient": "dept-b", "task": "esc/main", "step": "reminder", "channel": "webhook",
         "fired_on": "2024-04-12", "status": "cancelled", "attempts": 0, "last_error": "",
         "cause": "esc/prep"},
        {"recipient": "dept-a", "task": "esc/prep", "step": "overdue", "channel": "log",
         "fired_on": "2024-04-11", "status": "delivered", "attempts": 1, "last_error": "",
         "cause": None},
        {"recipient": "dept-a", "task": "esc/prep", "step": "overdue", "channel": "webhook",
         "fired_on": "2024-04-11", "status": "pending", "attempts": 1,
         "last_error": "webhook answered HTTP 503", "cause": None},
    ]
    assert [(r["recipient"], r["channel"]) for r in json.loads(pending.stdout)] == [
        ("dept-a", "webhook")]
    assert for_b.stdout.splitlines() == [
        "FIRED       RECIPIENT  TASK      STEP      CHANNEL  STATUS     ATTEMPTS",
        "2024-04-12  dept-b     esc/main  reminder  log      cancelled  0",
        "2024-04-12  dept-b     esc/main  reminder  webhook  cancelled  0"]
    assert cli("alerts", "--status", "lost").exit_code == 2


SECRET = "tok-9f3a7c1e"
PASSWORD = "pw-5b2d8e"


def test_secrets_in_channel_urls_never_appear_in_output_errors_or_stored_digests(
        cli, engine, tmp_path, monkeypatch, capfd, caplog):
    monkeypatch.setenv("DIRTRACK_RETRY_SECONDS", "0")
    hook = WebhookReceiver(fail_next=1, fail_status=500)
    mail = SmtpReceiver()  # offers no AUTH: logging in with the password fails
    monkeypatch.setenv(WEBHOOK_ENV, hook.url(f"/hook/{SECRET}?token={SECRET}"))
    monkeypatch.setenv(SMTP_ENV, f"smtp://alerts:{PASSWORD}@127.0.0.1:{mail.controller.port}")
    folder = write_jurisdiction(
        tmp_path, channels=(f"channels:\n  webhook: {{url_env: {WEBHOOK_ENV}}}\n"
                            f"  email: {{smtp_env: {SMTP_ENV}}}\nroutes:\n"
                            "  - {channel: webhook, units: [dept-a]}\n"
                            "  - {channel: email, units: [dept-b]}\n"))
    try:
        assert cli("load", str(folder), "--on", "2024-04-01").exit_code == 0
        failing = cli("escalate", "--as-of", "2024-04-16", "--alerts-dir",
                      str(tmp_path / "alerts"))
        hook.close()  # now the webhook is unreachable
        unreachable = cli("escalate", "--as-of", "2024-04-16", "--alerts-dir",
                          str(tmp_path / "alerts"))
    finally:
        hook.close()
        mail.close()
    listed = cli("alerts", "--json")
    port = mail.controller.port

    assert failing.exit_code == unreachable.exit_code == 0
    assert failing.stdout == (
        "deadline check as of 2024-04-16: 6 alert(s) recorded (overdue 4, root-cause 2), "
        "0 cancelled; 2 digest(s) sent (3 alert(s)), 2 failed, 3 alert(s) waiting\n")
    assert sorted(line for line in failing.stderr.splitlines()
                  if line.startswith("delivery failed")) == [
        "delivery failed, will be retried: email to dept-b: SMTP server "
        f"127.0.0.1:{port} refused or unreachable: SMTPNotSupportedError",
        "delivery failed, will be retried: webhook to dept-a: webhook answered HTTP 500"]
    assert unreachable.stdout == (
        "deadline check as of 2024-04-16: 0 alert(s) recorded, 0 cancelled; 0 digest(s) sent "
        "(0 alert(s)), 2 failed, 3 alert(s) waiting\n")
    assert "webhook to dept-a: webhook unreachable: ConnectError" in unreachable.stderr
    captured = capfd.readouterr()
    stored = json.dumps([deliveries(engine), outbox_rows(engine), jurisdiction_row(engine)],
                        default=str, ensure_ascii=False)
    everything = "\n".join([failing.stdout, failing.stderr, unreachable.stdout,
                            unreachable.stderr, listed.stdout, listed.stderr, captured.out,
                            captured.err, caplog.text, stored])
    assert "webhook unreachable: ConnectError" in stored  # the last error is kept, readable
    for secret in (SECRET, PASSWORD):
        assert secret not in everything
    assert hook.paths == [f"/hook/{SECRET}?token={SECRET}"]  # the secret was used, not shown


def test_a_long_digest_details_the_most_pressing_and_counts_the_rest(
        engine, tmp_path, webhook, monkeypatch):
    import dirtrack.alerts

    monkeypatch.setattr(dirtrack.alerts, "DIGEST_DETAIL", 1)
    setup(engine, tmp_path, channels=WEBHOOK_ALL)

    _run(engine, "2024-04-25", T0, tmp_path)

    prov = next(p for p in webhook.posts if p.payload["recipient"]["id"] == "prov")
    assert len(prov.payload["alerts"]) == 3  # the JSON keeps every alert
    body = next(x["body"] for x in deliveries(engine)
                if x["channel"] == "webhook" and x["recipient_id"] == "prov")
    assert body.count("- esc/") == 1  # the text details one: the highest step reached
    assert "esc/prep" in body.split("\n- ")[1]
    assert "...and 2 more alert(s): Overdue, reported to the supervising unit" in body


def _logged_subjects(caplog) -> dict[str, str]:
    return {r.args[1]: r.args[2] for r in caplog.records
            if r.name == "dirtrack.alerts" and r.msg.startswith("alert digest")}


def test_the_log_line_of_a_digest_is_the_subject_the_other_channels_send(
        engine, tmp_path, webhook, caplog):
    caplog.set_level("INFO", logger="dirtrack.alerts")
    setup(engine, tmp_path, channels=WEBHOOK_ALL)

    _run(engine, "2024-04-25", T0, tmp_path)

    sent = {p.payload["recipient"]["id"]: p.payload["subject"] for p in webhook.posts}
    assert _logged_subjects(caplog) == sent
    assert sent["prov"] == ("[dirtrack] Tỉnh Thử Nghiệm: 2 task(s) need attention of "
                            "Ban Thường vụ Tỉnh ủy as of 25/04/2024")
    log_digests = [x for x in deliveries(engine) if x["channel"] == "log"]
    assert {x["subject"] for x in log_digests} == set(sent.values())


def test_a_replaced_digest_template_without_a_subject_block_still_gives_the_log_its_subject(
        engine, tmp_path, monkeypatch, caplog):
    own = tmp_path / "templates"
    own.mkdir()
    for language in ("vi", "en"):
        (own / f"digest.{language}.txt.j2").write_text(
            "{{ recipient.name }}: {{ alerts|length }} alert(s)\n\n"
            "{% for a in alerts %}{{ a.task }}\n{% endfor %}", encoding="utf-8")
    monkeypatch.setenv("DIRTRACK_TEMPLATES", str(own))
    caplog.set_level("INFO", logger="dirtrack.alerts")
    setup(engine, tmp_path)

    _run(engine, "2024-04-25", T0, tmp_path)

    assert _logged_subjects(caplog)["prov"] == "Ban Thường vụ Tỉnh ủy: 3 alert(s)"


def test_alerts_to_a_unit_no_longer_known_stop_the_delivery_and_wait(engine, tmp_path):
    setup(engine, tmp_path)
    check_deadlines(engine, d("2024-04-25"))
    waiting = {(a.recipient, a.task, a.step) for a in list_alerts(engine)}
    U = UnitRow.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:  # a unit row gone from under its alerts
        conn.execute(delete(U).where(U.c.id == "dept-b"))

    with pytest.raises(DirtrackError) as refused:
        deliver(engine, T0, tmp_path / "alerts")

    assert str(refused.value) == ("alerts are waiting for unknown unit(s) dept-b; load the "
                                  "jurisdiction that has them, then run the check again")
    assert deliveries(engine) == []  # no digest made: nothing was passed over
    assert {(a.recipient, a.task, a.step, a.status) for a in list_alerts(engine)} == {
        (*alert, "pending") for alert in waiting}
    assert waiting == {  # as of 25/04 (test_escalation_settings.py), dept-b's among them
        ("dept-a", "esc/prep", "overdue"), ("prov", "esc/prep", "supervisor"),
        ("prov", "esc/prep", "issuer"), ("dept-b", "esc/main", "overdue"),
        ("dept-a", "esc/main", "root-cause"), ("prov", "esc/main", "supervisor"),
        ("c1", "esc/local", "overdue")}
