"""The Prefect flows on a real Prefect engine with no server configured
(tests/prefect_runtime.py).

Each test checks what a user sees: the rows in the database, the files written, the
artifacts Prefect holds for the run (read back through Prefect's client), the
command's output. The flows are orchestration only, so a run holds a few coarse task
runs however many tracked tasks it covers. Every test runs on SQLite and on PostgreSQL
(the ``database`` fixture of conftest.py).

The tiny jurisdiction written here: a province, a department, a district and three
communes. Its directive (issued 2024-04-01) has ``tiny/plan`` (dept-a, due 2024-05-10)
and ``tiny/meeting`` fanned out over the communes (due 2024-05-15). Its ladder: overdue
one day after the deadline to the lead, supervisor after seven days to the lead's
parent; every unit is reached by the log and the file channel.
"""

from __future__ import annotations

import json
import textwrap
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine, func, select

TINY_UNITS = """\
jurisdiction:
  name: "Tỉnh Nhỏ"
units:
  - {id: prov, name: "Ban Thường vụ Tỉnh ủy", level: province, kind: party}
  - {id: dept-a, name: "Sở Nội vụ", level: province, kind: government, parent: prov}
  - {id: d1, name: "Huyện Một", level: district, kind: government, parent: prov}
  - {id: c1, name: "Xã Một", level: commune, kind: government, parent: d1}
  - {id: c2, name: "Xã Hai", level: commune, kind: government, parent: d1}
  - {id: c3, name: "Xã Ba", level: commune, kind: government, parent: d1}
"""
TINY_ESCALATION = """\
language: vi
ladder:
  - {step: overdue, after: 1, to: lead}
  - {step: supervisor, after: 7, to: parent}
channels:
  file: {folder: tiny}
routes:
  - {channel: file}
"""
TINY_DIRECTIVE = """\
directive:
  id: tiny
  number: "3-KH/BTV"
  kind: plan
  title: "Kế hoạch nhỏ"
  issued_by: prov
  issued_on: 2024-04-01
tasks:
  - {id: plan, title: "Ban hành kế hoạch", lead: dept-a, sector: political-system, due: 2024-05-10}
  - {id: meeting, title: "Họp dân", for_each: commune, sector: political-system, due: 2024-05-15}
"""


def write_tiny(folder: Path) -> Path:
    """Write the tiny jurisdiction into ``folder``/tiny; return that folder."""
    target = folder / "tiny"
    target.mkdir(parents=True)
    for name, text in (("units.yaml", TINY_UNITS), ("escalation.yaml", TINY_ESCALATION),
                       ("tiny.yaml", TINY_DIRECTIVE)):
        (target / name).write_text(text, encoding="utf-8")
    return target


def load(engine: Engine, path: Path, on: date) -> None:
    """Load ``path`` with the library (set-up, not under test here)."""
    from dirtrack.plan import read_plan
    from dirtrack.store.sync import load_plan

    load_plan(engine, read_plan(path), on=on)


def row_counts(engine: Engine) -> dict[str, int]:
    """Return the number of rows in every dirtrack table."""
    from sqlmodel import SQLModel

    from dirtrack.store import tables  # noqa: F401  (registers the tables)

    with engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in sorted(SQLModel.metadata.tables.items())}


def instances_by_directive(engine: Engine) -> dict[str, int]:
    from dirtrack.store.tables import InstanceRow

    instance: Any = InstanceRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return dict(conn.execute(select(instance.c.directive_id, func.count())
                                 .group_by(instance.c.directive_id)).tuples().all())


def instance_due_dates(engine: Engine, directive: str) -> list[date]:
    from dirtrack.store.tables import InstanceRow

    instance: Any = InstanceRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return list(conn.execute(select(instance.c.due_on)
                                 .where(instance.c.directive_id == directive)).scalars())


def leads_of_instances_due_by(engine: Engine, directive: str, last: date) -> set[str]:
    """The units leading the directive's instances due by ``last`` (as loaded)."""
    from dirtrack.store.tables import InstanceRow

    instance: Any = InstanceRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return set(conn.execute(select(instance.c.lead_id).where(
            instance.c.directive_id == directive, instance.c.due_on <= last)).scalars())


def artifacts_of(flow_run_id: UUID) -> dict[str, Any]:
    """Return the artifacts a flow run published, by key, read back from Prefect."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    return {str(a.key): a for a in found}


def task_runs_of(flow_run_id: UUID, timeout: float = 30.0) -> list[str]:
    """Return the names of a flow run's task runs once Prefect has recorded all of them.

    Task runs reach Prefect's database through events, a moment after the flow returns:
    read until every run is in a final state and two reads agree.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + timeout
    previous: list[Any] | None = None
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[flow_run_id])))
            final = runs and all(r.state is not None and r.state.is_final() for r in runs)
            if (final and previous is not None and len(previous) == len(runs)) \
                    or time.monotonic() > deadline:
                break
            previous = runs if final else None
            time.sleep(0.2)
    return sorted(r.name.rsplit("-", 1)[0] for r in runs)  # "<task name>-<suffix>"


# sync-directives


def test_sync_loads_the_shipped_demo_directives(database, project):
    from flows.sync import sync_directives

    state = sync_directives(path=str(project / "directives"), on=date(2024, 4, 15),
                            return_state=True)

    assert state.is_completed()
    # Ninh Bình's monthly reports: 3 months x 34 communes, April's and May's created on
    # 15 April (they exist from 1 April), June's waiting for 1 May.
    assert state.result() == [
        {"directive": "hy-2025-q1-models", "outcome": "new", "instances": 10, "added": 10,
         "revised": 0, "cancelled": 0, "waiting": 0},
        {"directive": "hy-2025-q2", "outcome": "new", "instances": 201, "added": 201,
         "revised": 0, "cancelled": 0, "waiting": 0},
        {"directive": "hy-2025-q3", "outcome": "new", "instances": 129, "added": 129,
         "revised": 0, "cancelled": 0, "waiting": 0},
        {"directive": "nb-2024-reports", "outcome": "new", "instances": 102, "added": 0,
         "revised": 0, "cancelled": 0, "waiting": 34},
        {"directive": "nb-2024-q2", "outcome": "new", "instances": 154, "added": 154,
         "revised": 0, "cancelled": 0, "waiting": 0},
        {"occurrences_opened": 68},
    ]
    assert instances_by_directive(database) == {"hy-2025-q1-models": 10, "hy-2025-q2": 201,
                                                "hy-2025-q3": 129, "nb-2024-q2": 154,
                                                "nb-2024-reports": 68}
    counts = row_counts(database)
    assert (counts["directive"], counts["jurisdiction"], counts["instance_state"],
            counts["event"]) == (5, 2, 562, 0)  # 10 + 201 + 129 + 154 + 68 instances
    assert task_runs_of(state.state_details.flow_run_id) == [
        "load into the database", "validate directives"]

    again = sync_directives(path=str(project / "directives"), on=date(2024, 4, 16))

    assert [(r["directive"], r["outcome"], r["instances"]) for r in again] == [
        ("hy-2025-q1-models", "unchanged", 10), ("hy-2025-q2", "unchanged", 201),
        ("hy-2025-q3", "unchanged", 129), ("nb-2024-reports", "unchanged", 102),
        ("nb-2024-q2", "unchanged", 154)]  # counted as when new: 68 open, 34 to come
    assert row_counts(database) == counts


def test_sync_of_a_broken_folder_fails_writes_nothing_and_leaves_the_errors(database, project):
    from dirtrack.errors import ValidationFailed
    from flows.sync import sync_directives

    directive = project / "directives" / "ninh-binh" / "2024-q2-mass-mobilization.yaml"
    text = directive.read_text(encoding="utf-8")
    broken = text.replace("    lead: mass-mobilization-commission\n    support: [party-office]",
                          "    lead: mass-mobilisation\n    support: [party-office]", 1)
    assert broken != text
    directive.write_text(broken, encoding="utf-8")
    before = row_counts(database)

    state = sync_directives(path=str(project / "directives"), on=date(2024, 4, 15),
                            return_state=True)

    assert state.is_failed()
    with pytest.raises(ValidationFailed, match=r"^1 error\(s\) found; nothing was written$"):
        state.result()
    assert row_counts(database) == before  # not even the valid Hưng Yên directive
    assert set(before.values()) == {0}
    problem = (f"{directive}:15: lead: unknown unit 'mass-mobilisation'; use an id from "
               f"{directive.parent / 'units.yaml'} (did you mean "
               "'mass-mobilization-commission'?)")
    artifact = artifacts_of(state.state_details.flow_run_id)["sync-errors"]
    assert artifact.type == "markdown"
    assert artifact.description == "1 error(s) found; nothing was written"
    assert artifact.data == f"# Validation failed\n\n- `{problem}`\n"


# deadline-check


def test_deadline_check_records_delivers_and_returns_the_counts(database, tmp_path):
    from flows.deadline_check import deadline_check

    load(database, write_tiny(tmp_path / "directives"), date(2024, 4, 1))
    alerts = tmp_path / "alerts"

    state = deadline_check(as_of=date(2024, 5, 20), alerts_dir=str(alerts), return_state=True)

    # overdue: dept-a (plan) and c1-c3 (meeting); supervisor: prov for the plan; each to
    # the log and the file channel, one digest per recipient and channel.
    assert state.result() == {
        "as_of": "2024-05-20", "opened": 0, "recorded": 10, "cancelled": 0,
        "by_step": {"overdue": 8, "supervisor": 2},
        "digests_sent": 10, "alerts_sent": 10, "digests_failed": 0, "alerts_waiting": 0,
        "by_channel": {"log": 5, "file": 5}, "errors": [],
        "pages_kept": 4,  # the dashboard; 2024-Q1's figures and document, 2024-Q2's figures
    }
    files = sorted((alerts / "tiny" / "2024-05-20").iterdir())
    assert [f.name.rsplit("-", 1)[0] for f in files] == ["c1", "c2", "c3", "dept-a", "prov"]
    to_prov = files[-1].read_text(encoding="utf-8").splitlines()
    assert to_prov[0] == ("[dirtrack] Tỉnh Nhỏ: 1 nhiệm vụ cần Ban Thường vụ Tỉnh ủy chú ý, "
                          "tính đến ngày 20/05/2024")
    assert "- tiny/plan: Ban hành kế hoạch" in to_prov
    assert task_runs_of(state.state_details.flow_run_id) == [
        "deliver digests", "keep the day's pages", "record due alerts"]

    again = deadline_check(as_of=date(2024, 5, 20), alerts_dir=str(alerts))

    assert (again["recorded"], again["digests_sent"], again["alerts_sent"]) == (0, 0, 0)
    assert len(list((alerts / "tiny" / "2024-05-20").iterdir())) == 5


def test_delivery_compiles_the_digest_template_once_per_run(database, tmp_path, monkeypatch):
    import jinja2

    from dirtrack import templating
    from flows.deadline_check import deadline_check

    load(database, write_tiny(tmp_path / "directives"), date(2024, 4, 1))
    templating._environment.cache_clear()  # as in a new process: nothing compiled yet
    compiled: list[str | None] = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return original(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)

    result = deadline_check(as_of=date(2024, 5, 20), alerts_dir=str(tmp_path / "alerts"))

    assert result["digests_sent"] == 10
    assert compiled.count("digest.vi.txt.j2") == 1


def test_deadline_check_over_2000_instances_is_three_task_runs(database, tmp_path):
    """The flow's task runs do not grow with the tracked tasks: the same three as above."""
    from flows.deadline_check import deadline_check

    folder = tmp_path / "directives" / "wide"
    folder.mkdir(parents=True)
    units = ['jurisdiction:\n  name: "Tỉnh Rộng"\nunits:\n',
             '  - {id: wide-prov, name: "Tỉnh ủy", level: province, kind: party}\n']
    for d in range(20):
        units.append(f'  - {{id: wd{d:02d}, name: "Huyện {d}", level: district, '
                     'kind: government, parent: wide-prov}\n')
        units += [f'  - {{id: wc{d:02d}-{c:02d}, name: "Xã {d}-{c}", level: commune, '
                  f'kind: government, parent: wd{d:02d}}}\n' for c in range(100)]
    (folder / "units.yaml").write_text("".join(units), encoding="utf-8")
    # Every alert goes to the issuer: one digest, so the run measures the check itself.
    (folder / "escalation.yaml").write_text(
        "ladder:\n  - {step: issuer, after: 1, to: issuer}\n", encoding="utf-8")
    (folder / "wide.yaml").write_text(textwrap.dedent("""\
        directive:
          id: wide
          number: "1-KH/TU"
          kind: plan
          title: "Báo cáo của từng xã"
          issued_by: wide-prov
          issued_on: 2024-04-01
        tasks:
          - {id: report, title: "Báo cáo", for_each: commune, sector: political-system,
             due: 2024-05-15}
        """), encoding="utf-8")
    load(database, folder, date(2024, 4, 1))
    assert instances_by_directive(database) == {"wide": 2000}

    state = deadline_check(as_of=date(2024, 5, 20), alerts_dir=str(tmp_path / "alerts"),
                           return_state=True)

    result = state.result()
    assert (result["recorded"], result["digests_sent"], result["alerts_sent"]) == (2000, 1, 2000)
    assert task_runs_of(state.state_details.flow_run_id) == [
        "deliver digests", "keep the day's pages", "record due alerts"]


# quarterly-review


def test_quarterly_review_writes_the_files_and_publishes_artifacts(database, project, tmp_path):
    from dirtrack.report import percent, render
    from dirtrack.review import build_review
    from flows.quarterly_review import quarterly_review

    load(database, project / "directives", date(2024, 4, 15))
    out = tmp_path / "reports"

    state = quarterly_review(quarter="2024-Q2", as_of=date(2024, 7, 1), out=str(out),
                             return_state=True)

    # Hưng Yên's directive is issued in 2025: only Ninh Bình has a review for 2024-Q2.
    names = [f"review-ninh-binh-2024-Q2.{fmt}" for fmt in ("md", "html", "json", "docx")]
    assert state.result() == [str(out / name) for name in names]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    review = build_review(database, "ninh-binh", "2024-Q2", date(2024, 7, 1), fresh=True)
    for fmt in ("md", "html", "json"):
        assert (out / f"review-ninh-binh-2024-Q2.{fmt}").read_text(encoding="utf-8") == \
            render(review, fmt)
    assert (out / "review-ninh-binh-2024-Q2.docx").read_bytes()[:2] == b"PK"
    figures = json.loads((out / "review-ninh-binh-2024-Q2.json").read_text(encoding="utf-8"))
    # Nothing recorded: every instance is in the quarter, those due by its end overdue
    # (the monthly reports of April and May too; June's was never created: no check ran).
    due = instance_due_dates(database, "nb-2024-q2") + instance_due_dates(
        database, "nb-2024-reports")
    due_in_q2 = sum(1 for d in due if d <= date(2024, 6, 30))
    assert (figures["quarter"], figures["as_of"], figures["totals"]["total"],
            figures["totals"]["open_overdue"], figures["totals"]["open_on_time"]) == (
        "2024-Q2", "2024-07-01", len(due), due_in_q2, len(due) - due_in_q2)

    artifacts = artifacts_of(state.state_details.flow_run_id)
    assert sorted(artifacts) == ["review-ninh-binh-2024-q2", "review-ninh-binh-2024-q2-units"]
    markdown = artifacts["review-ninh-binh-2024-q2"]
    assert (markdown.type, markdown.description) == ("markdown", "Tỉnh Ninh Bình 2024-Q2")
    assert markdown.data == render(review, "md")
    table = artifacts["review-ninh-binh-2024-q2-units"]
    assert table.type == "table"
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    # one row per unit leading a task in effect in the quarter (nothing recorded: all
    # still open, overdue if due by the review's date; no rate where nothing was due)
    leads, overdue = (
        leads_of_instances_due_by(database, "nb-2024-q2", last)
        | leads_of_instances_due_by(database, "nb-2024-reports", last)
        for last in (date(9999, 12, 31), date(2024, 6, 30)))
    assert sorted(u.unit for u in review.overall.by_unit) == sorted(leads)
    assert rows == [{"rank": n, "unit": u.name, "tasks": u.totals.total,
                     "done_on_time": 0, "done_late": 0,
                     "open_overdue": u.totals.open_overdue,
                     "on_time_rate": percent(0.0 if u.unit in overdue else None)}
                    for n, u in enumerate(review.overall.by_unit, 1)]
    assert sum(u.totals.open_overdue for u in review.overall.by_unit) == due_in_q2
    assert task_runs_of(state.state_details.flow_run_id) == [
        "build the review", "publish artifacts", "write the review files"]


def test_review_command_prints_the_files_it_wrote(cli, engine, tmp_path):
    from dirtrack.report import render
    from dirtrack.review import build_review

    assert cli("load", "directives", "--on", "2024-04-15").exit_code == 0
    out = tmp_path / "out"

    run = cli("review", "2024-Q2", "--as-of", "2024-07-01", "--out", str(out))

    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [str(out / f"review-ninh-binh-2024-Q2.{fmt}")
                                       for fmt in ("md", "html", "json", "docx")]
    review = build_review(engine, "ninh-binh", "2024-Q2", date(2024, 7, 1))
    for fmt in ("md", "html", "json"):
        assert (out / f"review-ninh-binh-2024-Q2.{fmt}").read_text(encoding="utf-8") == \
            render(review, fmt)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        Path(line).name for line in run.stdout.splitlines())


def test_review_command_writes_word_and_one_directives_review(cli, tmp_path):
    assert cli("load", "directives", "--on", "2024-04-15").exit_code == 0
    out = tmp_path / "out"

    word = cli("review", "2024-Q2", "--as-of", "2024-07-01", "--format", "docx",
               "--out", str(out))
    one = cli("review", "2024-Q2", "--as-of", "2024-07-01", "--directive", "nb-2024-q2",
              "--format", "md", "--out", str(out))

    assert (word.exit_code, word.stdout) == (0, f"{out / 'review-ninh-binh-2024-Q2.docx'}\n")
    assert (one.exit_code, one.stdout) == (
        0, f"{out / 'review-ninh-binh-2024-Q2-nb-2024-q2.md'}\n")
    text = (out / "review-ninh-binh-2024-Q2-nb-2024-q2.md").read_text(encoding="utf-8")
    assert "**kết quả thực hiện Kết luận số 45-KL/TU ngày 15/4/2024 quý II**<br>" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "docx", "--out", "-"], "a Word file is not printed; give --out a folder"),
    (["--format", "pdf"], "use md, html, json or docx"),
])
def test_review_command_refuses_what_it_cannot_write(cli, args, message):
    run = cli("review", "2024-Q2", *args)

    assert run.exit_code == 2
    assert message in run.stderr


def test_review_command_names_the_loaded_directives_for_an_unknown_one(cli):
    assert cli("load", "directives", "--on", "2024-04-15").exit_code == 0

    run = cli("review", "2024-Q2", "--directive", "nb-2024", "--out", "-", "--format", "md")

    assert (run.exit_code, run.stdout) == (1, "")
    assert run.stderr.strip().splitlines()[-1] == (
        "error: no directive 'nb-2024'; loaded directives: hy-2025-q1-models, hy-2025-q2, "
        "hy-2025-q3, nb-2024-q2, nb-2024-reports")


def test_escalate_command_prints_what_the_deadline_check_did(cli, project, tmp_path):
    write_tiny(project / "extra")
    assert cli("load", "extra/tiny", "--on", "2024-04-01").exit_code == 0

    run = cli("escalate", "--as-of", "2024-05-20", "--alerts-dir", str(tmp_path / "alerts"))

    assert run.exit_code == 0, run.stderr
    assert run.stdout == ("deadline check as of 2024-05-20: 10 alert(s) recorded (overdue 8, "
                          "supervisor 2), 0 cancelled; 10 digest(s) sent (10 alert(s)), "
                          "0 failed, 0 alert(s) waiting\n")
    assert len(list((tmp_path / "alerts" / "tiny" / "2024-05-20").iterdir())) == 5

