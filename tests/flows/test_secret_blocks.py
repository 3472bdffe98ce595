"""Channel secrets kept in Prefect Secret blocks (``url_block``, ``smtp_block`` in
escalation.yaml), saved on the tests' temporary Prefect server the way the README says
operators save them, and read by the deadline-check flow when it delivers: the digests
reach a real HTTP server and a real SMTP server on 127.0.0.1.

The jurisdiction is in tests/integration/alerts_support.py; as of 16/04 dept-a has two
alerts (prep overdue, the root cause of main) and dept-b one (main overdue), each unit
reached on the log channel and on the channels of its escalation.yaml.
"""

from __future__ import annotations

import uuid
from datetime import date

from dirtrack.alerts import list_alerts

from ..integration.alerts_support import SmtpReceiver, WebhookReceiver, alerts_in, deliveries
from ..integration.alerts_support import setup as setup_jurisdiction


def _save_secret(value: str) -> str:
    """Save ``value`` in a new Prefect Secret block; return the block's name."""
    from prefect.blocks.system import Secret

    name = f"dirtrack-test-{uuid.uuid4().hex[:12]}"
    Secret(value=value).save(name)
    return name


def test_webhook_and_smtp_urls_come_from_prefect_secret_blocks(database, tmp_path):
    from flows.deadline_check import deadline_check

    webhook, smtp = WebhookReceiver(), SmtpReceiver()
    try:
        hook_block, smtp_block = _save_secret(webhook.url()), _save_secret(smtp.url())
        setup_jurisdiction(database, tmp_path, language="vi", channels=f"""\
channels:
  webhook: {{url_block: {hook_block}}}
  email: {{smtp_block: {smtp_block}, sender: "canhbao@tinh.example"}}
routes:
  - {{channel: webhook, units: [dept-a]}}
  - {{channel: email, units: [dept-b]}}
""")

        result = deadline_check(as_of=date(2024, 4, 16), alerts_dir=str(tmp_path / "alerts"))
    finally:
        webhook.close()
        smtp.close()

    assert (result["digests_sent"], result["digests_failed"], result["errors"]) == (4, 0, [])
    assert result["by_channel"] == {"log": 2, "webhook": 1, "email": 1}
    ids = {(x["recipient_id"], x["channel"]): x["id"] for x in deliveries(database)}
    [post] = webhook.posts
    assert (post.key, post.path) == (ids[("dept-a", "webhook")], "/hook")
    assert sorted(alerts_in(post.payload)) == [("dept-a", "esc/main", "root-cause"),
                                               ("dept-a", "esc/prep", "overdue")]
    [mail] = smtp.messages
    assert (mail["To"], mail["Message-ID"]) == ("svh@tinh.example",
                                                f"<{ids[('dept-b', 'email')]}@dirtrack>")
    assert "- esc/main: Tổ chức hội nghị\n" in smtp.text(mail)


def test_a_secret_block_that_does_not_exist_fails_the_digest_which_waits(database, tmp_path,
                                                                        monkeypatch):
    from flows.deadline_check import deadline_check

    monkeypatch.setenv("DIRTRACK_RETRY_SECONDS", "0")
    setup_jurisdiction(database, tmp_path, channels="""\
channels:
  webhook: {url_block: dirtrack-test-never-saved}
routes:
  - {channel: webhook, units: [dept-a]}
""")

    result = deadline_check(as_of=date(2024, 4, 16), alerts_dir=str(tmp_path / "alerts"))

    assert (result["digests_sent"], result["digests_failed"]) == (2, 1)  # the log ones went
    assert result["errors"] == ["webhook to dept-a: webhook channel: Prefect Secret block "
                                "'dirtrack-test-never-saved' not found"]
    assert {(a.recipient, a.task, a.status) for a in list_alerts(database)
            if a.channel == "webhook"} == {("dept-a", "esc/prep", "pending"),
                                           ("dept-a", "esc/main", "pending")}
