"""Alerts for a unit that has ended go to the unit carrying its work that day, over every
merger in between, before a load has moved the task itself.

The jurisdiction of alerts_support.py, reorganised: commune c1 merges into c2 on
18/04, c2 into c3 on 19/04 (two hops), and the district d1 (c3's parent) is dissolved
on 25/04, the province's dept-a taking its work over. esc/local (c1, due 20/04) was
loaded on 01/04 and never reloaded.
"""

from __future__ import annotations

from dirtrack.escalation import check_deadlines

from .alerts_support import UNITS, d, days, outbox, setup

REORGANISED = UNITS + """\
  - {id: c2, name: "Xã Hai", level: commune, kind: government, parent: d1}
  - {id: c3, name: "Xã Ba", level: commune, kind: government, parent: d1}
reorganisations:
  - {unit: c1, into: c2, on: 2024-04-18, decision: "01/NQ-HĐND"}
  - {unit: c2, into: c3, on: 2024-04-19, decision: "02/NQ-HĐND"}
  - {unit: d1, into: dept-a, on: 2024-04-25, decision: "03/NQ-HĐND"}
"""


def test_each_step_reaches_the_unit_that_carries_the_work_on_its_day(engine, tmp_path):
    setup(engine, tmp_path, units=REORGANISED)

    for day in days("2024-04-06", "2024-05-06"):
        check_deadlines(engine, day)

    local = {a for a in outbox(engine) if a[0] == "esc/local"}
    assert local == {
        ("esc/local", "reminder", "c1", "2024-04-17"),    # c1 still exists
        # within the reminder's window each unit that takes the work over hears of it once
        ("esc/local", "reminder", "c2", "2024-04-18"),
        ("esc/local", "reminder", "c3", "2024-04-19"),
        ("esc/local", "overdue", "c3", "2024-04-21"),     # c1 -> c2 -> c3
        ("esc/local", "supervisor", "dept-a", "2024-04-27"),  # c3's district d1 is gone
        ("esc/local", "issuer", "prov", "2024-05-05"),
    }


def test_a_check_before_the_merger_still_addresses_the_old_unit(engine, tmp_path):
    setup(engine, tmp_path, units=REORGANISED)

    check_deadlines(engine, d("2024-04-17"))

    assert ("esc/local", "reminder", "c1", "2024-04-17") in outbox(engine)
