"""Hostile files through the command line and the database, on SQLite and PostgreSQL.

``validate`` prints every problem of the run at once and exits 1; ``load`` writes
nothing from a path that fails; a new holiday list re-computes deadlines; the file
channel writes nowhere outside the alerts folder.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dirtrack import calendar
from dirtrack.alerts import build_channel, deliver
from dirtrack.escalation import check_deadlines

from .alerts_support import deliveries, setup
from .support import MINI, as_json, by_id, counts, events_of, write_mini

HOLIDAY_DIRECTIVE = """\
directive:
  id: mini
  number: "1-KH/BTV"
  kind: plan
  title: "Mini plan"
  issued_by: prov
  issued_on: 2024-04-01
tasks:
  - id: plan
    title: "Issue the plan"
    lead: dept-a
    sector: political-system
    due: issued + 5wd
  - id: report
    title: "Report to the province"
    lead: dept-a
    sector: political-system
    due: 2024-06-30
"""


def _write_hostile_files(project: Path) -> None:
    """Write one hostile file of each kind into the shipped directives and catalog."""
    nb = project / "directives" / "ninh-binh"
    (nb / "laughs.yaml").write_text('a: &a ["lol", "lol"]\nb: [*a, *a]\n', encoding="utf-8")
    (nb / "empty.yaml").write_text("# to be written\n", encoding="utf-8")
    os.symlink("loop-b.yaml", nb / "loop-a.yaml")
    os.symlink("loop-a.yaml", nb / "loop-b.yaml")
    text = (nb / "2024-q2-mass-mobilization.yaml").read_text(encoding="utf-8")
    assert "  issued_on: 2024-04-15\n" in text
    (nb / "2024-q2-mass-mobilization.yaml").write_text(
        text.replace("  issued_on: 2024-04-15\n", "  issued_on: 2024-04-15 08:00:00\n"),
        encoding="utf-8")
    (project / "tasks_catalog" / "latin.yaml").write_bytes(b"template: latin\ntitle: T\xe9t\n")
    (project / "tasks_catalog" / "reach.yaml").write_text(
        "template: reach\n---\ntasks: {{ ''.__class__.__mro__ }}\n", encoding="utf-8")


EXPECTED = [
    "directives/ninh-binh/2024-q2-mass-mobilization.yaml:9: issued_on: '2024-04-15 08:00:00' "
    "is a date and time; write a date (YYYY-MM-DD)",
    "directives/ninh-binh/empty.yaml:1: directive: the file holds no directive; write its "
    "header under 'directive:' and its tasks under 'tasks:', or remove the file",
    "directives/ninh-binh/laughs.yaml:1: a: anchors (&a) and aliases (*a) are not allowed; "
    "write the value out in full",
    "directives/ninh-binh/loop-a.yaml:0: file: this is a link that leads back to itself (a "
    "loop of symbolic links); point it at a file or remove it",
    "directives/ninh-binh/loop-b.yaml:0: file: this is a link that leads back to itself (a "
    "loop of symbolic links); point it at a file or remove it",
    "tasks_catalog/latin.yaml:2: file: this is not UTF-8 text; save the file as UTF-8",
]


def test_validate_prints_every_hostile_file_at_once(cli, project):
    _write_hostile_files(project)

    run = cli("validate", "directives")

    assert run.exit_code == 1
    assert run.stderr.splitlines() == [*EXPECTED,
                                       "error: 6 error(s) found; nothing was written"]


def test_load_writes_nothing_from_a_path_with_a_hostile_file(cli, project, engine):
    _write_hostile_files(project)

    run = cli("load", "directives", "--on", "2024-04-15")

    assert run.exit_code == 1
    assert run.stderr.splitlines()[-1] == "error: 6 error(s) found; nothing was written"
    assert counts(engine) == (0, 0, 0)
    assert cli("tasks", "--json").stdout.strip() == "[]"


def test_a_catalog_template_walking_attributes_is_refused_when_used(cli, project, engine):
    (project / "tasks_catalog" / "reach.yaml").write_text(
        "template: reach\n---\ntasks:\n  - {id: t, title: \"{{ cycler.__init__.__globals__ }}\","
        " lead: pc-standing, sector: economic, due: 2024-Q2}\n", encoding="utf-8")
    nb = project / "directives" / "ninh-binh" / "2024-q2-mass-mobilization.yaml"
    nb.write_text(nb.read_text(encoding="utf-8") + "  - {use: reach}\n", encoding="utf-8")

    run = cli("load", "directives", "--on", "2024-04-15")

    assert run.exit_code == 1
    assert run.stderr.splitlines() == [
        "tasks_catalog/reach.yaml:4: jinja: access to attribute '__init__' of 'type' object is "
        "unsafe; a template reads its parameters only: remove that expression",
        "error: 1 error(s) found; nothing was written"]
    assert counts(engine) == (0, 0, 0)


def test_a_new_holiday_recomputes_deadlines_on_the_next_load(cli, project, engine, monkeypatch):
    write_mini(project, HOLIDAY_DIRECTIVE)
    first = cli("load", MINI, "--on", "2024-04-01")
    assert first.stdout == "mini: new, 2 task instance(s)\n"
    # Mon 1 Apr + 5 working days: Mon 8 Apr
    assert by_id(as_json(cli("tasks", "--json")))["mini/plan"]["due_on"] == "2024-04-08"
    assert cli("load", MINI, "--on", "2024-04-02").stdout == \
        "mini: unchanged (2 task instance(s))\n"

    # A newer holidays package declares Thursday 4 April a day off.
    before = calendar._public_holidays

    def with_a_new_holiday(country: str, first_year: int, last_year: int) -> frozenset[date]:
        found = before(country, first_year, last_year)
        return found | {date(2024, 4, 4)} if first_year <= 2024 <= last_year else found

    monkeypatch.setattr(calendar, "_public_holidays", with_a_new_holiday)
    run = cli("load", MINI, "--on", "2024-04-03")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == "mini: updated: 0 added, 1 revised, 0 cancelled, 0 restored\n"
    [event] = events_of(engine, "mini/plan")
    assert (event["kind"], event["new_due"]) == ("revised", date(2024, 4, 9))
    assert by_id(as_json(cli("tasks", "--json")))["mini/plan"]["due_on"] == "2024-04-09"


def test_the_shipped_directives_load_and_reload_unchanged(cli):
    assert cli("load", "--on", "2024-04-15").exit_code == 0
    assert cli("load", "--on", "2024-04-16").stdout.splitlines() == [
        "hy-2025-q1-models: unchanged (10 task instance(s))",
        "hy-2025-q2: unchanged (201 task instance(s))",
        "hy-2025-q3: unchanged (129 task instance(s))",
        "nb-2024-reports: unchanged (102 task instance(s))",  # 68 open, 34 to come
        "nb-2024-q2: unchanged (154 task instance(s))"]


# --- the file channel's folder -------------------------------------------------------------


def test_a_file_channel_folder_linked_out_of_the_alerts_folder_writes_nothing(engine, tmp_path):
    setup(engine, tmp_path, channels="channels:\n  file: {folder: tinh-thu}\nroutes:\n"
                                      "  - {channel: file, units: [prov]}\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / "tinh-thu").symlink_to(outside)
    check_deadlines(engine, date(2024, 4, 25))

    report = deliver(engine, datetime(2024, 4, 16, 1, 0, tzinfo=UTC), tmp_path / "alerts")

    assert [e for e in report.errors if e.startswith("file")] == [
        f"file to prov: file channel: folder 'tinh-thu' leads out of the alerts folder "
        f"{tmp_path / 'alerts'}; fix it in escalation.yaml"]
    assert list(outside.iterdir()) == []
    assert {(x["channel"], x["status"]) for x in deliveries(engine)
            if x["channel"] == "file"} == {("file", "failed")}


@pytest.mark.parametrize("folder", ["../outside", "/tmp", "a/../../outside"])
def test_the_file_channel_refuses_a_folder_leading_out(tmp_path, folder):
    from dirtrack.alerts import DeliveryError

    with pytest.raises(DeliveryError) as info:
        build_channel("file", {"folder": folder}, tmp_path / "alerts")
    assert str(info.value) == (f"file channel: folder '{folder}' leads out of the alerts "
                               f"folder {tmp_path / 'alerts'}; fix it in escalation.yaml")
