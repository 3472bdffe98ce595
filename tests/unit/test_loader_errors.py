"""What ``read_plan`` reports for bad files: the exact ``path:line: key: message`` lines."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dirtrack.errors import ValidationFailed
from tests.unit.builders import (
    UNITS_YAML,
    catalog,
    directive_yaml,
    jurisdiction,
    plan,
    problems,
    write,
)

ROOT = Path(__file__).resolve().parents[2]
UNITS_HINT = "use an id from nb/units.yaml"

TEMPLATE = """
template: workers-month
title: "Workers' Month"
params:
  year: {type: int, required: true}
  lead: {type: unit, default: fatherland-front}
---
tasks:
  - id: launch
    title: "Launch Workers' Month {{ year }}"
    lead: {{ lead }}
    sector: cultural-social
    due: "{{ year }}-05-01"
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tmp_path, so shown paths are relative: ``nb/plan.yaml``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def cat(here: Path) -> Path:
    return catalog(here, {"workers-month": TEMPLATE})


def one_directive(here: Path, tasks: str, **header: str) -> Path:
    return jurisdiction(here, {"plan.yaml": directive_yaml(tasks, **header)})


# --- YAML and keys -------------------------------------------------------------------------


def test_yaml_syntax_error_names_the_line(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - id: book
          title: Publish the book: 100 typical models
          lead: pc-standing
          sector: political-system
          due: 2024-Q2
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:10: yaml: mapping values are not allowed in this context; "
        "fix the YAML syntax (quote values with ': ')",
    ]


def test_duplicate_yaml_key_names_the_second_line(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - id: book
          title: Publish the book
          lead: pc-standing
          sector: political-system
          due: 2024-Q2
          due: 2024-Q3
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:14: due: duplicate key; keep only one of them",
    ]


def test_unknown_task_key_suggests_the_right_one(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - id: book
          titel: Publish the book
          lead: pc-standing
          sector: political-system
          due: 2024-Q2
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: title: missing required key in task 'book'; add 'title:'",
        "nb/plan.yaml:10: titel: unknown key in task 'book'; allowed keys are id, title, lead, "
        "support, sector, deliverable, due, depends_on, for_each, scope, indicators, repeat, "
        "from, until, on_day_off, ahead (did you mean 'title'?)",
    ]


def test_unknown_directive_key_suggests_the_right_one(here: Path, cat: Path) -> None:
    text = directive_yaml("- {id: a, title: A, lead: pc-standing, sector: economic, due: 2024}")
    text = text.replace("  issued_on:", "  isued_on:")
    folder = jurisdiction(here, {"plan.yaml": text})
    assert problems(folder, cat) == [
        "nb/plan.yaml:2: issued_on: missing required key; add 'issued_on:'",
        "nb/plan.yaml:7: isued_on: unknown key; allowed keys are id, number, kind, title, "
        "issued_by, issued_on, source, parent, escalation (did you mean 'issued_on'?)",
    ]


def test_missing_required_directive_key(here: Path, cat: Path) -> None:
    text = directive_yaml("- {id: a, title: A, lead: pc-standing, sector: economic, due: 2024}")
    text = text.replace('  number: "45-KL/TU"\n', "")
    folder = jurisdiction(here, {"plan.yaml": text})
    assert problems(folder, cat) == [
        "nb/plan.yaml:2: number: missing required key; add 'number:'",
    ]


def test_missing_lead_is_required_without_for_each(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: a, title: A, sector: economic, due: 2024-Q2}
        - {id: b, title: B, sector: economic, due: 2024-Q2, for_each: district}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: lead: missing required key in task 'a'; add 'lead:'",
    ]


# --- units ---------------------------------------------------------------------------------


def test_unknown_lead_unit_suggests_the_right_one(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - id: book
          title: Publish the book
          lead: mass-mobilisation
          sector: political-system
          due: 2024-Q2
    """)
    assert problems(folder, cat) == [
        f"nb/plan.yaml:11: lead: unknown unit 'mass-mobilisation'; {UNITS_HINT} "
        "(did you mean 'mass-mobilization-commission'?)",
    ]


def test_unknown_support_units(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - id: book
          title: Publish the book
          lead: pc-standing
          support: [fatherland-front, fatherland-frnt, youth-union]
          sector: political-system
          due: 2024-Q2
    """)
    assert problems(folder, cat) == [
        f"nb/plan.yaml:12: support: unknown unit 'fatherland-frnt'; {UNITS_HINT} "
        "(did you mean 'fatherland-front'?)",
        f"nb/plan.yaml:12: support: unknown unit 'youth-union'; {UNITS_HINT}",
    ]


def test_unknown_issuer_unit(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: book, title: Book, lead: pc-standing, sector: economic, due: 2024-Q2}
    """, issued_by="pc-standng")
    assert problems(folder, cat) == [
        f"nb/plan.yaml:6: issued_by: unknown unit 'pc-standng'; {UNITS_HINT} "
        "(did you mean 'pc-standing'?)",
    ]


def test_reference_problems_are_reported_with_other_problems_of_the_file(
        here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: a, title: A, lead: pc-standing, sector: econ, due: 2024-05-01}
        - {id: b, title: B, lead: nobody, sector: economic, due: 2024-05-01}
        - {id: c, title: C, lead: pc-standing, sector: economic, due: 2024-05-01, depends_on: [x]}
    """, issued_by="pc-standng")
    assert problems(folder, cat) == [
        f"nb/plan.yaml:6: issued_by: unknown unit 'pc-standng'; {UNITS_HINT} "
        "(did you mean 'pc-standing'?)",
        "nb/plan.yaml:9: sector: 'econ' is not one of economic, cultural-social, "
        "defense-security, political-system (did you mean 'economic'?)",
        f"nb/plan.yaml:10: lead: unknown unit 'nobody'; {UNITS_HINT}",
        "nb/plan.yaml:11: depends_on: task 'c' depends on unknown task 'x'; "
        "use the id of a task of this directive",
    ]


def test_unknown_scope_unit(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: a, title: A, sector: economic, due: 2024-Q2, for_each: commune, scope: kim-sn}
    """)
    assert problems(folder, cat) == [
        f"nb/plan.yaml:9: scope: unknown unit 'kim-sn'; {UNITS_HINT} (did you mean 'kim-son'?)",
    ]


def test_duplicate_unit_id(here: Path, cat: Path) -> None:
    units = UNITS_YAML + '  - {id: kim-son, name: "Huyện Kim Sơn (2)", level: district, ' \
                         "kind: government, parent: pc-standing}\n"
    folder = jurisdiction(here, {}, units=units)
    assert problems(folder, cat) == [
        "nb/units.yaml:12: id: duplicate unit id 'kim-son' (first on line 7); "
        "give each unit its own id",
    ]


def test_unknown_parent_and_level_in_units(here: Path, cat: Path) -> None:
    units = UNITS_YAML + (
        "  - {id: yen-lam, name: Yen Lam, level: comune, kind: government, parent: yen-mo}\n"
        "  - {id: yen-hoa, name: Yen Hoa, level: commune, kind: government, parent: yen-m}\n")
    folder = jurisdiction(here, {}, units=units)
    assert problems(folder, cat) == [
        "nb/units.yaml:12: level: 'comune' is not one of central, province, district, commune "
        "(did you mean 'commune'?)",
        "nb/units.yaml:13: parent: unit 'yen-hoa' names unknown parent 'yen-m'; "
        "add that unit or fix the id (did you mean 'yen-mo'?)",
    ]


def test_reorganisation_on_key_is_a_date(here: Path, cat: Path) -> None:
    units = UNITS_YAML + (
        "  - {id: kim-son-town, name: Thị trấn Kim Sơn, level: commune, kind: government, "
        "parent: kim-son, established_on: 2025-07-01}\n"
        "reorganisations:\n"
        "  - {unit: hung-tien, into: kim-son-town, on: 2025-07-01, decision: 1670/NQ-UBTVQH15}\n"
        "  - unit: kim-dong\n"
        "    on: 2025-07-01\n")
    folder = jurisdiction(here, {}, units=units)
    (jur,) = plan(folder, cat).jurisdictions
    assert [(r.unit, r.into, r.on, r.decision) for r in jur.reorganisations] == [
        ("hung-tien", "kim-son-town", date(2025, 7, 1), "1670/NQ-UBTVQH15"),
        ("kim-dong", None, date(2025, 7, 1), ""),
    ]


def test_reorganisation_of_unknown_unit(here: Path, cat: Path) -> None:
    units = UNITS_YAML + (
        "reorganisations:\n"
        "  - {unit: hung-tein, into: kim-son-twn, on: 2025-07-01}\n")
    folder = jurisdiction(here, {}, units=units)
    assert problems(folder, cat) == [
        "nb/units.yaml:13: into: unknown unit 'kim-son-twn'; use an id listed under units: "
        "(did you mean 'kim-son'?)",
        "nb/units.yaml:13: unit: unknown unit 'hung-tein'; use an id listed under units: "
        "(did you mean 'hung-tien'?)",
    ]


def test_an_empty_unit_registry_is_named(here: Path, cat: Path) -> None:
    folder = jurisdiction(here, {}, units="")
    assert problems(folder, cat) == [
        "nb/units.yaml:1: units: the unit registry is empty; list the jurisdiction's units "
        "under 'units:'"]


def test_reorganisations_that_contradict_themselves(here: Path, cat: Path) -> None:
    units = UNITS_YAML + (
        "reorganisations:\n"
        "  - {unit: yen-thang, into: yen-thang, on: 2025-07-01}\n"
        "  - {unit: hung-tien, into: kim-dong, on: 2025-07-01}\n"
        "  - {unit: kim-dong, into: hung-tien, on: 2025-07-01}\n"
        "  - {unit: pc-standing, on: 2025-07-01}\n"
        "  - {unit: hung-tien, into: kim-son, on: 2025-08-01}\n")
    folder = jurisdiction(here, {}, units=units)
    assert problems(folder, cat) == [
        "nb/units.yaml:13: into: unit 'yen-thang' cannot merge into itself; name the unit it "
        "joins",
        "nb/units.yaml:14: into: units merge into each other: hung-tien -> kim-dong -> "
        "hung-tien; one of them must be the unit that continues",
        "nb/units.yaml:16: unit: unit 'pc-standing' has no parent to take over its work; name "
        "the unit it merges into ('into:')",
        "nb/units.yaml:17: unit: unit 'hung-tien' already ends on line 14; a unit ends once",
    ]


def test_a_merger_into_a_unit_already_gone_or_into_a_sub_unit(here: Path, cat: Path) -> None:
    units = UNITS_YAML + (
        "reorganisations:\n"
        "  - {unit: hung-tien, into: kim-dong, on: 2025-07-01}\n"
        "  - {unit: yen-thang, into: hung-tien, on: 2025-08-01}\n"
        "  - {unit: kim-son, into: kim-dong, on: 2025-07-01}\n")
    folder = jurisdiction(here, {}, units=units)
    assert problems(folder, cat) == [
        "nb/units.yaml:14: into: unit 'hung-tien' ends on 2025-07-01, before 'yen-thang' would "
        "merge into it on 2025-08-01; merge into the unit that continues",
        "nb/units.yaml:15: into: unit 'kim-son' cannot merge into 'kim-dong', one of its own "
        "sub-units; merge it into a unit beside or above it",
    ]


def test_a_list_or_mapping_where_one_value_is_meant(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: a, title: [Book, models], lead: [pc-standing], sector: economic, due: 2024-Q2}
        - {id: b, title: B, lead: pc-standing, sector: economic, deliverable: {x: 1}, due: 2024-Q2}
    """)
    hint = "write one value (put text holding ': ' or starting with '[' or '{' in quotes)"
    assert problems(folder, cat) == [
        f"nb/plan.yaml:9: lead: 'lead' in task 'a' is a list; {hint}",
        f"nb/plan.yaml:9: title: 'title' in task 'a' is a list; {hint}",
        f"nb/plan.yaml:10: deliverable: 'deliverable' in task 'b' is a mapping; {hint}",
    ]


def test_a_directive_file_outside_a_jurisdiction_folder(here: Path, cat: Path) -> None:
    lone = write(here / "loose", "plan.yaml", directive_yaml(
        "  - {id: a, title: A, lead: pc-standing, sector: economic, due: 2024-Q2}\n"))
    assert problems(lone, cat) == [
        "loose/plan.yaml:0: path: this file's folder has no units.yaml; a directive file sits "
        "in its jurisdiction's folder, beside the unit registry"]


def test_a_yml_file_in_a_jurisdiction_folder_is_a_warning_not_silence(here: Path,
                                                                       cat: Path) -> None:
    text = directive_yaml("  - {id: a, title: A, lead: pc-standing, sector: economic, "
                          "due: 2024-Q2}\n")
    folder = jurisdiction(here, {"plan.yml": text, "OTHER.YAML": text})
    found = plan(folder, cat)
    assert [str(p) for p in found.warnings] == [
        "nb/OTHER.YAML:0: file: warning: not read: directive files end in '.yaml'; rename it "
        "to OTHER.yaml",
        "nb/plan.yml:0: file: warning: not read: directive files end in '.yaml'; rename it to "
        "plan.yaml"]


# --- tasks and dependencies ----------------------------------------------------------------


def test_unknown_task_in_depends_on(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: book-100-models, title: Book, lead: pc-standing, sector: economic, due: 2024-Q2}
        - id: launch-book
          title: Launch the book
          lead: pc-standing
          sector: political-system
          depends_on:
            - book-100-model
          due: deps + 5d
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:15: depends_on: task 'launch-book' depends on unknown task "
        "'book-100-model'; use the id of a task of this directive "
        "(did you mean 'book-100-models'?)",
    ]


def test_unknown_task_in_deadline(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: book, title: Book, lead: pc-standing, sector: economic, due: 2024-Q2}
        - {id: launch, title: Launch, lead: pc-standing, sector: economic, due: bok + 5wd}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:10: due: deadline refers to unknown task 'bok'; use the id of a task of "
        "this directive (did you mean 'book'?)",
    ]


def test_duplicate_task_id(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: book, title: Book, lead: pc-standing, sector: economic, due: 2024-Q2}
        - {id: launch, title: Launch, lead: pc-standing, sector: economic, due: 2024-Q2}
        - {id: book, title: Book again, lead: pc-standing, sector: economic, due: 2024-Q3}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:11: id: duplicate task id 'book' (first at nb/plan.yaml:9); "
        "give each task its own id or a different 'as:' prefix",
    ]


def test_bad_deadline_expression(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: book, title: Book, lead: pc-standing, sector: economic, due: next week}
        - {id: hall, title: Hall, lead: pc-standing, sector: economic, due: issued + 3w}
        - {id: film, title: Film, lead: pc-standing, sector: economic, due: "2024-13-01"}
    """)
    hint = ("write a date (2024-05-31), a period (2024-Q2, 2024-H1, 2024-06), or an offset "
            "(issued + 30d, issued + 15wd, TASK + 10wd, deps + 5d)")
    assert problems(folder, cat) == [
        f"nb/plan.yaml:9: due: bad deadline 'next week'; {hint}",
        f"nb/plan.yaml:10: due: bad deadline 'issued + 3w'; {hint}",
        "nb/plan.yaml:11: due: '2024-13-01' is not a real date",
    ]


def test_impossible_unquoted_date_is_a_problem_not_a_crash(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: book, title: Book, lead: pc-standing, sector: economic, due: 2024-02-30}
    """, issued_on="2024-13-01")
    assert problems(folder, cat) == [
        "nb/plan.yaml:7: issued_on: '2024-13-01' is not a date; write it as YYYY-MM-DD",
        "nb/plan.yaml:9: due: '2024-02-30' is not a real date",
    ]


def test_deps_deadline_without_depends_on(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: book, title: Book, lead: pc-standing, sector: economic, due: deps + 5d}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: due: 'deps + 5d' needs prerequisites; add depends_on or use "
        "'issued + N' or a date",
    ]


def test_dependency_cycle_lists_its_tasks_in_order(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: a, title: A, lead: pc-standing, sector: economic, due: deps + 1d, depends_on: [c]}
        - {id: b, title: B, lead: pc-standing, sector: economic, due: deps + 1d, depends_on: [a]}
        - {id: c, title: C, lead: pc-standing, sector: economic, due: deps + 1d, depends_on: [b]}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: depends_on: dependency cycle: a -> b -> c -> a "
        "(each task waits for the one before it); remove one of these dependencies",
    ]


def test_deadline_anchor_closes_a_cycle_too(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: a, title: A, lead: pc-standing, sector: economic, due: b + 1d}
        - {id: b, title: B, lead: pc-standing, sector: economic, due: deps + 1d, depends_on: [a]}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: depends_on: dependency cycle: a -> b -> a "
        "(each task waits for the one before it); remove one of these dependencies",
    ]


_CYCLE_AMONG_OTHERS = directive_yaml("""
    - {id: a, title: A, lead: pc-standing, sector: economic, due: deps + 1d, depends_on: [c]}
    - {id: b, title: B, lead: pc-standing, sector: economic, due: deps + 1d, depends_on: [a]}
    - {id: c, title: C, lead: pc-standing, sector: economic, due: deps + 1d, depends_on: [b]}
    - {id: e, title: E, lead: pc-standing, sector: economic, due: 2024-05-01}
    - {id: f, title: F, lead: pc-standing, sector: economic, due: 2024-05-01}
    - {id: g, title: G, lead: pc-standing, sector: economic, due: 2024-05-01}
    - {id: h, title: H, lead: pc-standing, sector: economic, due: 2024-05-01}
""")

_PRINT_PROBLEMS = """
from pathlib import Path
from dirtrack.errors import ValidationFailed
from dirtrack.plan import read_plan
try:
    read_plan(Path("nb"), catalog=Path("catalog"))
except ValidationFailed as exc:
    print("\\n".join(str(p) for p in exc.problems))
"""


def test_cycle_message_is_the_same_on_every_run(here: Path, cat: Path) -> None:
    jurisdiction(here, {"plan.yaml": _CYCLE_AMONG_OTHERS})
    seen = set()
    for seed in ("0", "1"):  # these two seeds start the cycle at different tasks
        env = {**os.environ, "PYTHONHASHSEED": seed,
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        out = subprocess.run([sys.executable, "-c", _PRINT_PROBLEMS], cwd=here, env=env,
                             capture_output=True, text=True, check=True).stdout
        seen.add(out.strip())
    assert seen == {"nb/plan.yaml:9: depends_on: dependency cycle: a -> b -> c -> a "
                    "(each task waits for the one before it); remove one of these dependencies"}


@pytest.mark.parametrize(("written", "shown"), [("150%", "150%"), ("0%", "0%"), ("most", "most"),
                                                 ("-10%", "-10%")])
def test_bad_at_least(here: Path, cat: Path, written: str, shown: str) -> None:
    folder = one_directive(here, f"""
        - {{id: g, title: G, sector: economic, due: 2024-05-31, for_each: commune}}
        - id: d
          title: D
          sector: economic
          for_each: district
          depends_on: [{{task: g, at_least: {written}}}]
          due: deps + 10wd
    """)
    assert problems(folder, cat) == [
        f"nb/plan.yaml:14: at_least: '{shown}' is not a share; write a percentage such as 90% "
        "(or a fraction such as 0.9)",
    ]


def test_unknown_for_each_level(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: g, title: G, sector: economic, due: 2024-05-31, for_each: communes}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: for_each: 'communes' is not one of central, province, district, "
        "commune (did you mean 'commune'?)",
    ]


def test_scope_without_for_each(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - id: g
          title: G
          lead: pc-standing
          sector: economic
          scope: kim-son
          due: 2024-05-31
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:13: scope: 'scope' only applies to a task with 'for_each'; "
        "add for_each or remove scope",
    ]


def test_bad_sector_and_id(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: Book_100, title: Book, lead: pc-standing, sector: economy, due: 2024-Q2}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: id: 'Book_100' is not a valid id; use lower-case letters, digits and '-'",
        "nb/plan.yaml:9: sector: 'economy' is not one of economic, cultural-social, "
        "defense-security, political-system (did you mean 'economic'?)",
    ]


# --- templates -----------------------------------------------------------------------------


def test_unknown_template(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - use: workers-mnth
          with: {year: 2024}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: use: unknown template 'workers-mnth'; looked in catalog; templates there: "
        "workers-month (did you mean 'workers-month'?)",
    ]


def test_missing_template_parameter(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - use: workers-month
          as: wm
          with: {lead: pc-standing}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: with: template 'workers-month' needs parameter 'year' (int); "
        "add it under 'with:'",
    ]


def test_mistyped_template_parameter(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - use: workers-month
          with:
            year: abc
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:11: year: parameter 'year' of template 'workers-month' must be a whole "
        "number, got 'abc'",
    ]


def test_unknown_template_parameter(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - use: workers-month
          with:
            year: 2024
            leader: fatherland-front
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:12: leader: template 'workers-month' has no parameter 'leader'; "
        "its parameters are year, lead, tiers (did you mean 'lead'?)",
    ]


def test_unknown_key_in_use(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - use: workers-month
          prefix: wm
          with: {year: 2024}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:10: prefix: unknown key; allowed keys are use, as, with",
    ]


def test_problem_inside_a_template_names_the_template_line(here: Path) -> None:
    cat = catalog(here, {"workers-month": TEMPLATE.replace("cultural-social", "culture")})
    folder = one_directive(here, """
        - use: workers-month
          with: {year: 2024}
    """)
    assert (cat / "workers-month.yaml").read_text().splitlines()[10] == "    sector: culture"
    assert problems(folder, cat) == [
        "catalog/workers-month.yaml:11: sector: 'culture' is not one of economic, "
        "cultural-social, defense-security, political-system",
    ]


def test_problem_inside_a_template_after_a_blank_line(here: Path) -> None:
    text = TEMPLATE.replace("cultural-social", "culture").replace("---\n", "---\n\n")
    cat = catalog(here, {"workers-month": text})
    folder = one_directive(here, """
        - use: workers-month
          with: {year: 2024}
    """)
    assert (cat / "workers-month.yaml").read_text().splitlines()[11] == "    sector: culture"
    assert problems(folder, cat) == [
        "catalog/workers-month.yaml:12: sector: 'culture' is not one of economic, "
        "cultural-social, defense-security, political-system",
    ]


# --- all at once, and warnings -------------------------------------------------------------


def test_every_problem_of_a_run_is_reported_together(here: Path, cat: Path) -> None:
    folder = jurisdiction(here, {
        "a-plan.yaml": directive_yaml("""
            - {id: a, title: A, lead: pc-standing, sector: economic, due: soon}
        """, id="plan-a"),
        "b-plan.yaml": directive_yaml("""
            - {id: b, title: B, lead: kim-sn, sector: economic, due: 2024-Q2}
        """, id="plan-b"),
    })
    with pytest.raises(ValidationFailed) as info:
        plan(folder, cat)
    assert [str(p) for p in info.value.problems] == [
        "nb/a-plan.yaml:9: due: bad deadline 'soon'; write a date (2024-05-31), a period "
        "(2024-Q2, 2024-H1, 2024-06), or an offset (issued + 30d, issued + 15wd, TASK + 10wd, "
        "deps + 5d)",
        f"nb/b-plan.yaml:9: lead: unknown unit 'kim-sn'; {UNITS_HINT} (did you mean 'kim-son'?)",
    ]
    assert str(info.value) == "2 error(s) found; nothing was written"


def test_duplicate_directive_id_across_files(here: Path, cat: Path) -> None:
    task = "- {id: a, title: A, lead: pc-standing, sector: economic, due: 2024-Q2}"
    folder = jurisdiction(here, {"a.yaml": directive_yaml(task), "b.yaml": directive_yaml(task)})
    assert problems(folder, cat) == [
        "nb/b.yaml:2: id: directive id 'nb-2024-q2' is also used in nb/a.yaml; "
        "give each directive its own id",
    ]


def test_deadline_before_a_prerequisite_is_a_warning(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: book, title: Book, lead: pc-standing, sector: economic, due: 2024-06-30}
        - {id: launch, title: Launch, lead: pc-standing, sector: economic, due: 2024-06-15,
           depends_on: [book]}
    """)
    result = plan(folder, cat)
    assert [(p.severity, str(p)) for p in result.warnings] == [
        ("warning", "nb/plan.yaml:10: due: warning: task 'launch' is due before its "
                    "prerequisites in 1 instance(s); check the deadline"),
    ]


def test_fan_out_over_no_unit_is_a_warning(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: g, title: G, sector: economic, due: 2024-05-31, for_each: commune,
           scope: mass-mobilization-commission}
    """)
    result = plan(folder, cat)
    assert [(p.severity, str(p)) for p in result.warnings] == [
        ("warning", "nb/plan.yaml:9: for_each: warning: task 'g' fans out over no unit: no "
                    "commune inside 'mass-mobilization-commission' exists on 2024-04-05"),
    ]
    ((jur, spec),) = result.directives()
    assert result.expansion(jur, spec).instances == []


def test_warnings_sit_after_errors_when_both_occur(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: a, title: A, lead: pc-standing, sector: economic, due: 2024-Q2}
    """)
    text = (folder / "plan.yaml").read_text().replace("tasks:", "  parent: nb-2024-plan\ntasks:")
    write(folder, "plan.yaml", text)
    write(folder, "other.yaml", directive_yaml("- {id: b, title: B, lead: nobody, "
                                               "sector: economic, due: 2024-Q2}", id="other"))
    with pytest.raises(ValidationFailed) as info:
        plan(folder, cat)
    assert [(p.severity, str(p)) for p in info.value.problems] == [
        ("error", f"nb/other.yaml:9: lead: unknown unit 'nobody'; {UNITS_HINT}"),
        ("warning", "nb/plan.yaml:8: parent: warning: parent directive 'nb-2024-plan' is not "
                    "among the files read"),
    ]


def test_path_outside_the_working_folder_is_shown_as_given(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    folder = jurisdiction(tmp_path, {"plan.yaml": directive_yaml(
        "- {id: a, title: A, lead: pc-standing, sector: economic, due: later}")})
    cat = catalog(tmp_path)
    (line,) = problems(folder, cat)
    assert line.startswith(f"{folder}/plan.yaml:9: due: bad deadline 'later'; ")


# --- dates are dates -----------------------------------------------------------------------

DATE_TIME = "is a date and time; write a date (YYYY-MM-DD)"


def test_a_date_and_time_where_a_date_is_meant(here: Path, cat: Path) -> None:
    units = UNITS_YAML + (
        "  - {id: kim-son-town, name: Thị trấn Kim Sơn, level: commune, kind: government, "
        "parent: kim-son, established_on: 2025-07-01 08:00:00}\n"
        "reorganisations:\n"
        "  - {unit: hung-tien, into: kim-son-town, on: 2025-07-01T00:00:00}\n")
    folder = jurisdiction(here, {"plan.yaml": directive_yaml("""
        - {id: a, title: A, lead: pc-standing, sector: economic, due: 2024-05-31 17:00:00}
        - {id: b, title: B, lead: pc-standing, sector: economic, due: "2024-05-31T17:00"}
    """, issued_on="2024-04-05T09:30:00")}, units=units,
        calendar="extra_days_off: [2024-09-03 00:00:00]\n"
                 "extra_working_days: ['2024-05-04 08:00']\n")
    assert problems(folder, cat) == [
        f"nb/calendar.yaml:1: extra_days_off: '2024-09-03 00:00:00' {DATE_TIME}",
        f"nb/calendar.yaml:2: extra_working_days: '2024-05-04 08:00' {DATE_TIME}",
        f"nb/plan.yaml:7: issued_on: '2024-04-05T09:30:00' {DATE_TIME}",
        f"nb/plan.yaml:9: due: '2024-05-31 17:00:00' {DATE_TIME}",
        f"nb/plan.yaml:10: due: '2024-05-31T17:00' {DATE_TIME}",
        f"nb/units.yaml:12: established_on: '2025-07-01 08:00:00' {DATE_TIME}",
        f"nb/units.yaml:14: on: '2025-07-01T00:00:00' {DATE_TIME}",
    ]


def test_a_date_in_another_form_is_not_a_date(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - {id: a, title: A, lead: pc-standing, sector: economic, due: 2024-Q2}
    """, issued_on="20240405")
    write(folder, "calendar.yaml", "extra_days_off: [2024-W36-2, true]\n")
    assert problems(folder, cat) == [
        "nb/calendar.yaml:1: extra_days_off: '2024-W36-2' is not a date; write it as YYYY-MM-DD",
        "nb/calendar.yaml:1: extra_days_off: 'True' is not a date; write it as YYYY-MM-DD",
        "nb/plan.yaml:7: issued_on: '20240405' is not a date; write it as YYYY-MM-DD",
    ]


def test_a_date_and_time_for_a_date_parameter(here: Path) -> None:
    cat = catalog(here, {"dated": """
        template: dated
        params:
          start: {type: date, required: true}
        ---
        tasks:
          - {id: t, title: T, lead: pc-standing, sector: economic, due: "{{ start }}"}
    """})
    folder = one_directive(here, "- {use: dated, with: {start: 2024-05-01 10:00:00}}")
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: start: parameter 'start' of template 'dated' must be a date "
        "(YYYY-MM-DD), got the date and time '2024-05-01 10:00:00'",
    ]


def test_an_absurd_count_in_a_deadline_is_an_error_not_a_memory_error(here: Path,
                                                                      cat: Path) -> None:
    folder = one_directive(here, """
        - {id: a, title: A, lead: pc-standing, sector: economic, due: issued + 99999999999wd}
        - {id: b, title: B, lead: pc-standing, sector: economic, due: a + 2501wd}
        - {id: c, title: C, lead: pc-standing, sector: economic, due: issued + 3651d}
        - {id: d, title: D, lead: pc-standing, sector: economic, due: issued + 2500wd}
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: due: 'issued + 99999999999wd' counts more than 2,500 working days "
        "(about ten years); count from a later task or write the date",
        "nb/plan.yaml:10: due: 'a + 2501wd' counts more than 2,500 working days (about ten "
        "years); count from a later task or write the date",
        "nb/plan.yaml:11: due: 'issued + 3651d' counts more than 3,650 days (about ten years); "
        "count from a later task or write the date",
    ]


# --- files that say nothing ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# the plan comes later\n", "---\n"])
def test_an_empty_directive_file(here: Path, cat: Path, text: str) -> None:
    folder = jurisdiction(here, {"plan.yaml": text})
    assert problems(folder, cat) == [
        "nb/plan.yaml:1: directive: the file holds no directive; write its header under "
        "'directive:' and its tasks under 'tasks:', or remove the file",
    ]


def test_a_directive_that_is_its_own_parent(here: Path, cat: Path) -> None:
    task = "- {id: a, title: A, lead: pc-standing, sector: economic, due: 2024-Q2}"
    text = directive_yaml(task).replace("tasks:", "  parent: nb-2024-q2\ntasks:")
    folder = jurisdiction(here, {"plan.yaml": text})
    assert problems(folder, cat) == [
        "nb/plan.yaml:8: parent: directive 'nb-2024-q2' names itself as its parent; name the "
        "directive it implements, or remove 'parent:'",
    ]


def test_directives_that_name_each_other_as_parent(here: Path, cat: Path) -> None:
    task = "- {id: a, title: A, lead: pc-standing, sector: economic, due: 2024-Q2}"
    folder = jurisdiction(here, {
        f"{name}.yaml": directive_yaml(task, id=name).replace(
            "tasks:", f"  parent: {parent}\ntasks:")
        for name, parent in (("plan-a", "plan-b"), ("plan-b", "plan-c"), ("plan-c", "plan-a"))})
    assert problems(folder, cat) == [
        "nb/plan-a.yaml:8: parent: directives name each other as parent: plan-a -> plan-c -> "
        "plan-b -> plan-a; one of them is the directive the others implement: remove its "
        "'parent:'",
    ]


def test_an_id_longer_than_100_characters(here: Path, cat: Path) -> None:
    long_id = "a" * 101
    folder = one_directive(here, f"""
        - {{id: {long_id}, title: A, lead: pc-standing, sector: economic, due: 2024-Q2}}
        - {{id: {"b" * 100}, title: B, lead: pc-standing, sector: economic, due: 2024-Q2}}
    """, id=long_id)
    hint = "keep it to at most 100 (a short name such as 2024-q2-plan)"
    assert problems(folder, cat) == [
        f"nb/plan.yaml:2: id: the id is 101 characters long; {hint}",
        f"nb/plan.yaml:9: id: the id is 101 characters long; {hint}",
    ]


def test_a_title_longer_than_2000_characters(here: Path, cat: Path) -> None:
    folder = one_directive(here, f"""
        - {{id: a, title: "{'Dài ' * 501}", lead: pc-standing, sector: economic, due: 2024-Q2}}
        - {{id: b, title: "{'x' * 2000}", lead: pc-standing, sector: economic, due: 2024-Q2}}
    """)
    text = (folder / "plan.yaml").read_text(encoding="utf-8")
    write(folder, "plan.yaml", text.replace('"Key mass mobilization tasks"', "T" * 2001))
    hint = "keep it to at most 2,000: a short title, the full text stays in the source document"
    assert problems(folder, cat) == [
        f"nb/plan.yaml:5: title: 'title' is 2,001 characters long; {hint}",
        f"nb/plan.yaml:9: title: 'title' is 2,004 characters long; {hint}",
    ]


# --- the file channel's folder -------------------------------------------------------------


@pytest.mark.parametrize("written", ["../../etc", "/etc/cron.d", "alerts/../../out",
                                     "'C:\\Windows'"])
def test_a_file_channel_folder_cannot_leave_the_alerts_folder(here: Path, cat: Path,
                                                             written: str) -> None:
    folder = one_directive(here, """
        - {id: a, title: A, lead: pc-standing, sector: economic, due: 2024-Q2}
    """)
    write(folder, "escalation.yaml", f"channels:\n  file:\n    folder: {written}\n")
    shown = written.strip("'")
    assert problems(folder, cat) == [
        f"nb/escalation.yaml:3: folder: '{shown}' leads out of the alerts folder "
        "(DIRTRACK_ALERTS_DIR); write a folder inside it, such as ninh-binh, without '..'",
    ]


def test_a_file_channel_folder_inside_the_alerts_folder_is_kept(here: Path, cat: Path) -> None:
    folder = jurisdiction(here, {})
    write(folder, "escalation.yaml", "channels:\n  file: {folder: ninh-binh/digests}\n")
    (jur,) = plan(folder, cat).jurisdictions
    assert jur.settings.channels["file"] == {"folder": "ninh-binh/digests"}


# --- repeating tasks -----------------------------------------------------------------------

def test_repeating_task_mistakes_say_what_to_write(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - id: monthly
          title: Monthly report
          lead: pc-standing
          sector: political-system
          repeat: monthly
          from: 2024-04
          due: 2024-05-31
        - id: backwards
          title: Quarterly report
          lead: pc-standing
          sector: political-system
          repeat: quaterly
          from: 2024-Q3
          until: 2024-Q5
          on_day_off: later
          ahead: 20
          due: start - 2d
        - id: once
          title: Once
          lead: pc-standing
          sector: political-system
          until: 2024-Q4
          due: end
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:9: until: a repeating task needs 'until:', the last period it covers "
        "(2026-Q1, 2026-01, 2026-H1 or 2026)",
        "nb/plan.yaml:15: due: '2024-05-31' is one date for every occurrence; count it from "
        "the period instead: end, start + 10d, start + 5wd, end + 5wd, end - 3wd, day 15 of "
        "last month (or from a task: TASK + 5wd, deps + 5d)",
        "nb/plan.yaml:20: repeat: 'quaterly' is not one of monthly, quarterly, half-yearly, "
        "yearly (did you mean 'quarterly'?)",
        "nb/plan.yaml:22: until: '2024-Q5' is not a period; write 2026, 2026-H1, 2026-Q2 or "
        "2026-03",
        "nb/plan.yaml:23: on_day_off: 'later' is not one of keep, previous, next",
        "nb/plan.yaml:24: ahead: '20' is not a number of periods; write 0 to 12 (1: the "
        "current and the next period's occurrences exist)",
        "nb/plan.yaml:25: due: 'start - 2d' falls before its period; count from the start "
        "forward (start + 5d) or from the end (end - 3wd)",
        "nb/plan.yaml:30: until: 'until' only applies to a repeating task; add 'repeat: "
        "monthly' (or quarterly, half-yearly, yearly) or remove 'until'",
        "nb/plan.yaml:31: due: bad deadline 'end'; write a date (2024-05-31), a period "
        "(2024-Q2, 2024-H1, 2024-06), or an offset (issued + 30d, issued + 15wd, TASK + 10wd, "
        "deps + 5d)",
    ]


def test_until_before_from_is_an_error(here: Path, cat: Path) -> None:
    folder = one_directive(here, """
        - id: late
          title: Quarterly report
          lead: pc-standing
          sector: political-system
          repeat: quarterly
          from: 2024-Q3
          until: 2024-Q2
          due: end
    """)
    assert problems(folder, cat) == [
        "nb/plan.yaml:15: until: no quarter lies from 2024-Q3 until 2024-Q2; 'until' names "
        "the last period, on or after 'from'",
    ]
