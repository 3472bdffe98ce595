"""``dirtrack init``: a two-tier province that validates and loads; the catalog's errors
through the command line, as one line each."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from dirtrack.skeleton import skeleton
from dirtrack.store.tables import DependencyRow, InstanceRow

DOCS = Path(__file__).resolve().parents[2] / "docs" / "format.md"
QT = "directives/quang-tri"


def _init(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("init", "quang-tri", "--province", "Tỉnh Quảng Trị")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"wrote {QT}/units.yaml", f"wrote {QT}/calendar.yaml", f"wrote {QT}/escalation.yaml",
        f"wrote {QT}/2025-mttq-congress.yaml",
        f"next: list your communes and wards in {QT}/units.yaml, then run dirtrack plan {QT}"]
    assert run.stderr == ""


def _edit(project: Path, file: str, old: str, new: str) -> None:
    path = project / QT / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_skeleton_loads_with_the_cascade_deadlines_worked_by_hand(cli, project, engine):
    _init(cli, project)

    run = cli("load", QT, "--on", "2025-08-04")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == "quang-tri-2025-mttq: new, 7 task instance(s)\n"
    rows = InstanceRow.__table__
    with engine.connect() as conn:
        dues = dict(conn.execute(select(rows.c.key, rows.c.due_on)).tuples().all())
        keys = dict(conn.execute(select(rows.c.pk, rows.c.key)).tuples().all())
        waits = conn.execute(select(DependencyRow.__table__)).mappings().all()
    d = "quang-tri-2025-mttq"
    communes = ["an-binh", "hoa-binh", "tan-lap", "thanh-son"]
    # 4 August 2025 + 10 working days; 15 September; + 45 days; + 10 working days
    assert dues == {
        f"{d}/guidance": date(2025, 8, 18),
        **{f"{d}/congress/grassroots@quang-tri-{c}": date(2025, 9, 15) for c in communes},
        f"{d}/congress/province": date(2025, 10, 30),
        f"{d}/summary": date(2025, 11, 13),
    }
    # the province waits for 90% of the four communes and wards, the summary for it
    assert sorted((keys[w["instance_pk"]], keys[w["prereq_pk"]], w["at_least"])
                  for w in waits) == [
        *[(f"{d}/congress/province", f"{d}/congress/grassroots@quang-tri-{c}", 0.9)
          for c in communes],
        (f"{d}/summary", f"{d}/congress/province", 1.0),
    ]


def test_the_skeleton_is_the_worked_example_of_the_docs() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name, text in skeleton("quang-tri", "Tỉnh Quảng Trị").items():
        assert f"```yaml\n# directives/quang-tri/{name}\n{text}```\n" in docs, name


def test_init_refuses_an_existing_folder_and_writes_nothing(cli, project):
    _init(cli, project)
    (project / QT / "units.yaml").write_text("mine", encoding="utf-8")

    run = cli("init", "quang-tri")

    assert run.exit_code == 1
    assert run.stderr == (f"error: {QT} already exists; nothing was written: choose another "
                          "name, or remove that folder first\n")
    assert (project / QT / "units.yaml").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(("args", "line"), [
    (["Quảng Trị"], "error: 'Quảng Trị' is not a jurisdiction name; use lower-case letters, "
                    "digits and '-', at most 60 characters (quang-tri)"),
    (["quang-tri", "--province", 'Tỉnh "QT"'],
     "error: 'Tỉnh \"QT\"' is not a province name; write it on one line, without quotes "
     "(\"Tỉnh Quảng Trị\")"),
    (["quang-tri", "--directives", "README.txt"],
     "error: README.txt is not a folder; give the directives folder"),
])
def test_init_mistakes_are_one_line(cli, project, args, line):
    (project / "README.txt").write_text("", encoding="utf-8")

    run = cli("init", *args)

    assert (run.exit_code, run.stderr, run.stdout) == (1, line + "\n", "")
    assert not (project / QT).exists()


def test_a_role_the_province_lacks_is_one_line_at_the_use(cli, project):
    _init(cli, project)
    _edit(project, "units.yaml", "  labour-federation: quang-tri-labour-federation\n", "")
    _edit(project, "2025-mttq-congress.yaml", "  - id: summary\n",
          "  - use: workers-month\n    with: {year: 2026}\n  - id: summary\n")

    run = cli("validate", QT)

    assert run.exit_code == 1
    assert run.stderr.splitlines() == [
        f"{QT}/2025-mttq-congress.yaml:21: lead: parameter 'lead' of template "
        "'workers-month' by default names the role 'labour-federation', which "
        f"{QT}/units.yaml does not give; add 'roles: {{labour-federation: UNIT}}' to "
        f"{QT}/units.yaml, or give 'lead' under 'with:'",
        "error: 1 error(s) found; nothing was written"]


def test_three_tiers_asked_of_a_two_tier_province_is_an_error(cli, project):
    _init(cli, project)
    _edit(project, "2025-mttq-congress.yaml", 'grassroots_due: 2025-09-15}',
          'grassroots_due: 2025-09-15, tiers: 3}')

    run = cli("validate", QT)

    assert run.exit_code == 1
    assert run.stderr.splitlines()[:1] == [
        "tasks_catalog/fatherland-front-congress.yaml:38: depends_on: task 'congress/province' "
        "depends on 'congress/district', which has no instance: no district exists on "
        "2025-08-04; remove 'congress/district' from 'depends_on', or make it fan out over "
        "units that exist"]


def test_a_province_template_replaces_the_shared_one(cli, project):
    _init(cli, project)
    shared = (project / "tasks_catalog" / "fatherland-front-congress.yaml").read_text(
        encoding="utf-8")
    own = project / QT / "tasks_catalog"
    own.mkdir()
    (own / "fatherland-front-congress.yaml").write_text(
        shared.replace("{{ 'district' if tiers == 3 else 'grassroots' }} + 45d",
                       "{{ 'district' if tiers == 3 else 'grassroots' }} + 30d"),
        encoding="utf-8")

    run = cli("plan", QT, "--json")

    assert run.exit_code == 0, run.stderr
    assert "2025-10-15" in run.stdout and "2025-10-30" not in run.stdout


def test_a_changed_catalog_template_is_recomputed_on_the_next_load(cli, project, engine):
    _init(cli, project)
    assert cli("load", QT, "--on", "2025-08-04").exit_code == 0
    template = project / "tasks_catalog" / "fatherland-front-congress.yaml"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("else 'grassroots' }} + 45d", "else 'grassroots' }} + 40d"),
                        encoding="utf-8")

    run = cli("load", QT, "--on", "2025-08-05")

    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines()[0] == (
        "quang-tri-2025-mttq: updated: 0 added, 2 revised, 0 cancelled, 0 restored")
    rows = InstanceRow.__table__
    with engine.connect() as conn:
        dues = dict(conn.execute(select(rows.c.key, rows.c.spec_due_on)).tuples().all())
    # 15 September + 40 days; Saturday 25 October + 10 working days
    assert dues["quang-tri-2025-mttq/congress/province"] == date(2025, 10, 25)
    assert dues["quang-tri-2025-mttq/summary"] == date(2025, 11, 7)


def test_a_district_deadline_given_in_a_two_tier_province_is_a_warning(cli, project):
    _init(cli, project)
    before = cli("plan", QT)
    _edit(project, "2025-mttq-congress.yaml", 'grassroots_due: 2025-09-15}',
          'grassroots_due: 2025-09-15,\n           district_due: 2025-10-15}')

    for command in ("validate", "plan"):
        run = cli(command, QT)
        assert run.exit_code == 0, run.stderr
        assert run.stderr.splitlines() == [
            f"{QT}/2025-mttq-congress.yaml:21: district_due: warning: template "
            "'fatherland-front-congress' does not use 'district_due' in 2 tiers (no district "
            "in effect on the issue date): its value is ignored and no task takes it; remove "
            "it, or write 'tiers: 3' for a plan of three tiers"]
    assert run.stdout == before.stdout  # the deadlines shown are those without it
    assert "1 warning(s)" in cli("validate", QT).stdout


def test_a_district_deadline_given_in_a_three_tier_province_is_used(cli, project):
    plan = project / "directives" / "ninh-binh" / "2024-q2-mass-mobilization.yaml"
    text = plan.read_text(encoding="utf-8")
    old = 'with: {term: "2024 - 2029", grassroots_due: 2024-05-31}'
    assert old in text
    plan.write_text(text.replace(old, 'with: {term: "2024 - 2029", grassroots_due: '
                                      '2024-05-31, district_due: 2024-06-28}'),
                    encoding="utf-8")

    run = cli("validate", "directives/ninh-binh")

    assert (run.exit_code, run.stderr) == (0, "")
    assert "0 warning(s)" in run.stdout
