"""What ``escalation.yaml`` and a directive's own ``escalation:`` decide (docs/format.md):
a directive's own ladder, the default ladder when there is no file, a step sent to a
named unit, and routes chosen by kind of unit.

The jurisdiction is in alerts_support.py: prep (dept-a, due 10/04), main (dept-b, due
15/04, depends on prep), local (c1, due 20/04); prov (the party committee, kind
``party``) is the parent of dept-a, dept-b and d1 and issues the directive; d1 is c1's
parent; every other unit is of kind ``government``.

Checked once as of 25/04 with the ladder of alerts_support.py (reminder 3 days before to
the lead, overdue after 1, supervisor after 7 to the parent, issuer after 15), the
outbox holds seven alerts per channel reaching their recipient (LADDER_AS_OF_25_04).
"""

from __future__ import annotations

from datetime import UTC, datetime

from dirtrack.alerts import deliver, list_alerts
from dirtrack.escalation import check_deadlines

from .alerts_support import (
    d,
    days,
    deliveries,
    jurisdiction_row,
    outbox,
    setup,
    write_jurisdiction,
)
from .alerts_support import load as load_folder

LADDER_AS_OF_25_04 = {
    ("esc/prep", "overdue", "dept-a", "2024-04-25"),
    ("esc/prep", "supervisor", "prov", "2024-04-25"),   # dept-a's parent
    ("esc/prep", "issuer", "prov", "2024-04-25"),
    ("esc/main", "overdue", "dept-b", "2024-04-25"),
    ("esc/main", "root-cause", "dept-a", "2024-04-25"),  # prep, overdue, blocks it
    ("esc/main", "supervisor", "prov", "2024-04-25"),
    ("esc/local", "overdue", "c1", "2024-04-25"),
}
OWN_LADDER = """\
directive:
  id: own
  number: "13-KH/BCĐ"
  kind: plan
  title: "Kế hoạch có thang cảnh báo riêng"
  issued_by: prov
  issued_on: 2024-04-01
  escalation:
    ladder:
      - {step: late, after: 2, to: issuer}
tasks:
  - {id: task, title: "Báo cáo", lead: dept-a, sector: political-system, due: 2024-04-10}
"""


def test_a_directive_s_own_ladder_replaces_the_jurisdiction_s_for_its_tasks(engine, tmp_path):
    """own/task (dept-a, due 10/04) has only its directive's step, 'late' to the issuer
    after two days; the esc directive beside it keeps the jurisdiction's ladder."""
    folder = write_jurisdiction(tmp_path)
    (folder / "own.yaml").write_text(OWN_LADDER, encoding="utf-8")
    load_folder(engine, folder)

    result = check_deadlines(engine, d("2024-04-25"))

    assert outbox(engine) == LADDER_AS_OF_25_04 | {("own/task", "late", "prov", "2024-04-25")}
    assert result.by_step == {"overdue": 3, "supervisor": 2, "issuer": 1, "root-cause": 1,
                              "late": 1}


# The default ladder fires, for the esc directive checked every day from 06/04 to 06/05,
# exactly what alerts_support.py's ladder does (the same steps): test_escalation.py's
# FULL_LADDER, worked out there by hand.
DEFAULT_LADDER_ALERTS = {
    ("esc/prep", "reminder", "dept-a", "2024-04-07"),
    ("esc/prep", "overdue", "dept-a", "2024-04-11"),
    ("esc/prep", "supervisor", "prov", "2024-04-17"),
    ("esc/prep", "issuer", "prov", "2024-04-25"),
    ("esc/main", "reminder", "dept-b", "2024-04-12"),
    ("esc/main", "overdue", "dept-b", "2024-04-16"),
    ("esc/main", "root-cause", "dept-a", "2024-04-16"),
    ("esc/main", "supervisor", "prov", "2024-04-22"),
    ("esc/main", "issuer", "prov", "2024-04-30"),
    ("esc/local", "reminder", "c1", "2024-04-17"),
    ("esc/local", "overdue", "c1", "2024-04-21"),
    ("esc/local", "supervisor", "d1", "2024-04-27"),
    ("esc/local", "issuer", "prov", "2024-05-05"),
}


def test_without_escalation_yaml_the_default_ladder_in_vietnamese_on_the_log_channel(
        engine, tmp_path):
    """No escalation.yaml: reminder 3 days before, then overdue, supervisor and issuer
    after 1, 7 and 15 days, in Vietnamese, on the log channel only."""
    folder = write_jurisdiction(tmp_path)
    (folder / "escalation.yaml").unlink()
    load_folder(engine, folder)

    for day in days("2024-04-06", "2024-05-06"):
        check_deadlines(engine, day)
    report = deliver(engine, datetime(2024, 5, 6, 1, 0, tzinfo=UTC), tmp_path / "alerts")

    assert outbox(engine) == DEFAULT_LADDER_ALERTS
    assert {a.channel for a in list_alerts(engine)} == {"log"}
    assert len(list_alerts(engine)) == len(DEFAULT_LADDER_ALERTS)
    assert jurisdiction_row(engine)["language"] == "vi"
    assert (report.digests_sent, report.alerts_sent, dict(report.by_channel)) == (
        5, 13, {"log": 5})
    to_prov = [x["subject"] for x in deliveries(engine) if x["recipient_id"] == "prov"]
    assert to_prov == ["[dirtrack] Tỉnh Thử Nghiệm: 3 nhiệm vụ cần Ban Thường vụ Tỉnh ủy "
                       "chú ý, tính đến ngày 05/05/2024"]


def test_a_step_sent_to_a_named_unit_goes_to_that_unit(engine, tmp_path):
    """'to: d1' names a unit: every task past two days reaches d1, whoever leads it."""
    setup(engine, tmp_path, ladder="""\
ladder:
  - {step: overdue, after: 1, to: lead}
  - {step: committee, after: 2, to: d1}
""")

    check_deadlines(engine, d("2024-04-25"))

    assert outbox(engine) == {
        ("esc/prep", "overdue", "dept-a", "2024-04-25"),
        ("esc/prep", "committee", "d1", "2024-04-25"),
        ("esc/main", "overdue", "dept-b", "2024-04-25"),
        ("esc/main", "root-cause", "dept-a", "2024-04-25"),
        ("esc/main", "committee", "d1", "2024-04-25"),
        ("esc/local", "overdue", "c1", "2024-04-25"),
        ("esc/local", "committee", "d1", "2024-04-25"),
    }


def test_a_route_by_kind_reaches_the_units_of_that_kind_and_the_units_it_lists(
        engine, tmp_path):
    """The file channel routed to kind 'party' (prov) and to unit c1: their alerts go on
    the file channel too; dept-a's, dept-b's (government) stay on the log channel."""
    setup(engine, tmp_path, channels="""\
channels:
  file: {folder: tinh-thu}
routes:
  - {channel: file, units: [c1], kinds: [party]}
""")

    check_deadlines(engine, d("2024-04-25"))

    on_file = {(a.task, a.step, a.recipient, a.fired_on.isoformat())
               for a in list_alerts(engine) if a.channel == "file"}
    assert outbox(engine) == LADDER_AS_OF_25_04  # the log channel reaches every unit
    assert on_file == {
        ("esc/prep", "supervisor", "prov", "2024-04-25"),
        ("esc/prep", "issuer", "prov", "2024-04-25"),
        ("esc/main", "supervisor", "prov", "2024-04-25"),
        ("esc/local", "overdue", "c1", "2024-04-25"),
    }
