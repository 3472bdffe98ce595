"""Catalog templates: parameters, prefixes, and how references inside a template resolve."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dirtrack.spec.model import TaskSpec
from tests.unit.builders import catalog, directive_yaml, jurisdiction, plan, problems

CONGRESS = """
template: congress
title: "Congress cascade"
params:
  year: {type: int, required: true}
  start: {type: date, required: true}
  lead: {type: unit, default: fatherland-front}
  helpers: {type: units, default: [mass-mobilization-commission]}
  level: {type: level, default: commune}
  due: {type: deadline, default: "{{ year }}-06-30"}
---
tasks:
  - id: launch
    title: "Launch the {{ year }} congresses"
    lead: {{ lead }}
    support: {{ helpers }}
    sector: political-system
    due: "{{ start }}"
  - id: grassroots
    title: "Grassroots congress {{ year }}"
    for_each: {{ level }}
    sector: political-system
    depends_on: [launch]
    due: launch + 5wd
  - id: summary
    title: "Summary of the {{ year }} congresses"
    lead: {{ lead }}
    sector: political-system
    depends_on: [{task: grassroots, at_least: 90%}]
    due: "{{ due }}"
  - id: press
    title: "Press coverage of the book"
    lead: {{ lead }}
    sector: political-system
    depends_on: [book]
    due: book + 3d
"""

DIRECTIVE = directive_yaml("""
    - {id: book, title: Book, lead: pc-standing, sector: political-system, due: 2024-05-15}
    - {id: launch, title: Own launch, lead: pc-standing, sector: political-system, due: 2024-12-01}
    - use: congress
      as: ff
      with: {year: 2024, start: 2024-04-15}
    - use: congress
      as: youth
      with:
        year: 2024
        start: 2024-04-22
        lead: mass-mobilization-commission
        helpers: [fatherland-front, pc-standing]
        level: district
        due: launch + 20wd
""")


@pytest.fixture
def tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, TaskSpec]:
    monkeypatch.chdir(tmp_path)
    folder = jurisdiction(tmp_path, {"plan.yaml": DIRECTIVE})
    result = plan(folder, catalog(tmp_path, {"congress": CONGRESS}), expand_all=False)
    ((_, spec),) = result.directives()
    return {t.id: t for t in spec.tasks}


def test_template_tasks_get_the_use_prefix(tasks: dict[str, TaskSpec]) -> None:
    assert list(tasks) == [
        "book", "launch",
        "ff/launch", "ff/grassroots", "ff/summary", "ff/press",
        "youth/launch", "youth/grassroots", "youth/summary", "youth/press",
    ]
    assert {tasks[t].template for t in tasks} == {None, "congress"}
    assert tasks["launch"].template is None
    assert tasks["ff/launch"].template == "congress"


def test_local_dependency_and_deadline_refer_to_the_template_task(
        tasks: dict[str, TaskSpec]) -> None:
    # The directive's own 'launch' exists, but inside the template 'launch' is its own task.
    for prefix in ("ff", "youth"):
        grassroots = tasks[f"{prefix}/grassroots"]
        assert [d.task for d in grassroots.depends_on] == [f"{prefix}/launch"]
        assert (grassroots.due.kind, grassroots.due.ref, grassroots.due.text) == (
            "task", f"{prefix}/launch", f"{prefix}/launch + 5wd")
        summary = tasks[f"{prefix}/summary"]
        assert [(d.task, d.at_least) for d in summary.depends_on] == [
            (f"{prefix}/grassroots", 0.9)]


def test_reference_to_a_directive_task_stays_unqualified(tasks: dict[str, TaskSpec]) -> None:
    for prefix in ("ff", "youth"):
        press = tasks[f"{prefix}/press"]
        assert [d.task for d in press.depends_on] == ["book"]
        assert (press.due.ref, press.due.text, press.due.amount, press.due.unit) == (
            "book", "book + 3d", 3, "d")


def test_parameters_and_defaults_are_rendered(tasks: dict[str, TaskSpec]) -> None:
    ff, youth = tasks["ff/launch"], tasks["youth/launch"]
    assert (ff.title, ff.lead, ff.support, ff.due.day) == (
        "Launch the 2024 congresses", "fatherland-front", ["mass-mobilization-commission"],
        date(2024, 4, 15))
    assert (youth.lead, youth.support, youth.due.day) == (
        "mass-mobilization-commission", ["fatherland-front", "pc-standing"], date(2024, 4, 22))
    assert tasks["ff/grassroots"].for_each == "commune"
    assert tasks["youth/grassroots"].for_each == "district"
    # The default "{{ year }}-06-30" uses the earlier parameter 'year'.
    assert (tasks["ff/summary"].due.kind, tasks["ff/summary"].due.day) == (
        "date", date(2024, 6, 30))


def test_deadline_parameter_naming_a_template_task_is_qualified(
        tasks: dict[str, TaskSpec]) -> None:
    summary = tasks["youth/summary"]
    assert (summary.due.kind, summary.due.ref, summary.due.text) == (
        "task", "youth/launch", "youth/launch + 20wd")


def test_template_instances_and_deadlines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = jurisdiction(tmp_path, {"plan.yaml": DIRECTIVE})
    result = plan(folder, catalog(tmp_path, {"congress": CONGRESS}))
    ((jur, spec),) = result.directives()
    due = {i.key: i.due_on for i in result.expansion(jur, spec).instances}
    assert due == {
        "nb-2024-q2/book": date(2024, 5, 15),
        "nb-2024-q2/launch": date(2024, 12, 1),
        "nb-2024-q2/ff/launch": date(2024, 4, 15),
        # Mon 15 Apr + 5 wd: Thu 18 Apr is Hùng Kings' day.
        "nb-2024-q2/ff/grassroots@hung-tien": date(2024, 4, 23),
        "nb-2024-q2/ff/grassroots@kim-dong": date(2024, 4, 23),
        "nb-2024-q2/ff/grassroots@yen-thang": date(2024, 4, 23),
        "nb-2024-q2/ff/summary": date(2024, 6, 30),
        "nb-2024-q2/ff/press": date(2024, 5, 18),
        "nb-2024-q2/youth/launch": date(2024, 4, 22),
        "nb-2024-q2/youth/grassroots@kim-son": date(2024, 5, 2),
        "nb-2024-q2/youth/grassroots@yen-mo": date(2024, 5, 2),
        # Mon 22 Apr + 20 wd, with 29 Apr, 30 Apr and 1 May off.
        "nb-2024-q2/youth/summary": date(2024, 5, 23),
        "nb-2024-q2/youth/press": date(2024, 5, 18),
    }
    assert result.warnings == []


def test_use_without_as_prefixes_with_the_template_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = jurisdiction(tmp_path, {"plan.yaml": directive_yaml("""
        - {id: book, title: Book, lead: pc-standing, sector: political-system, due: 2024-05-15}
        - use: congress
          with: {year: 2025, start: 2025-03-03}
    """)})
    result = plan(folder, catalog(tmp_path, {"congress": CONGRESS}), expand_all=False)
    ((_, spec),) = result.directives()
    assert [t.id for t in spec.tasks][1:] == [
        "congress/launch", "congress/grassroots", "congress/summary", "congress/press"]
    assert spec.tasks[3].due.day == date(2025, 6, 30)


def test_same_prefix_twice_is_a_duplicate_task_id(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = jurisdiction(tmp_path, {"plan.yaml": directive_yaml("""
        - {id: book, title: Book, lead: pc-standing, sector: political-system, due: 2024-05-15}
        - use: congress
          as: ff
          with: {year: 2024, start: 2024-04-15}
        - use: congress
          as: ff
          with: {year: 2025, start: 2025-04-15}
    """)})
    # With a blank line after '---' the tasks start on lines 13, 19, 25 and 31.
    cat = catalog(tmp_path, {"congress": CONGRESS.replace("---\n", "---\n\n")})
    assert (cat / "congress.yaml").read_text().splitlines()[18] == "  - id: grassroots"
    assert problems(folder, cat) == [
        f"catalog/congress.yaml:{line}: id: duplicate task id 'ff/{task}' "
        f"(first at catalog/congress.yaml:{line}); "
        "give each task its own id or a different 'as:' prefix"
        for line, task in [(13, "launch"), (19, "grassroots"), (25, "summary"), (31, "press")]
    ]


@pytest.mark.parametrize(("given", "problem"), [
    ("{year: 2024, start: soon}",
     "nb/plan.yaml:11: start: parameter 'start' of template 'congress' must be a date "
     "(YYYY-MM-DD), got 'soon'"),
    ("{year: 2024, start: 2024-04-15, level: ward}",
     "nb/plan.yaml:11: level: parameter 'level' of template 'congress' must be a level "
     "(central, province, district, commune), got 'ward'"),
    ("{year: 2024, start: 2024-04-15, due: whenever}",
     "nb/plan.yaml:11: due: parameter 'due' of template 'congress' bad deadline 'whenever'; "
     "write a date (2024-05-31), a period (2024-Q2, 2024-H1, 2024-06), or an offset "
     "(issued + 30d, issued + 15wd, TASK + 10wd, deps + 5d)"),
])
def test_mistyped_parameters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str,
                             problem: str) -> None:
    monkeypatch.chdir(tmp_path)
    folder = jurisdiction(tmp_path, {"plan.yaml": directive_yaml(f"""
        - {{id: book, title: Book, lead: pc-standing, sector: political-system, due: 2024-05-15}}
        - use: congress
          with: {given}
    """)})
    assert problems(folder, catalog(tmp_path, {"congress": CONGRESS})) == [problem]


def test_mistyped_parameter_is_reported_once(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = jurisdiction(tmp_path, {"plan.yaml": directive_yaml("""
        - {id: book, title: Book, lead: pc-standing, sector: political-system, due: 2024-05-15}
        - use: congress
          with: {year: twenty, start: 2024-04-15}
    """)})
    assert problems(folder, catalog(tmp_path, {"congress": CONGRESS})) == [
        "nb/plan.yaml:11: year: parameter 'year' of template 'congress' must be a whole number, "
        "got 'twenty'",
    ]


def test_unknown_unit_parameter_is_reported_at_the_use(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = jurisdiction(tmp_path, {"plan.yaml": directive_yaml("""
        - {id: book, title: Book, lead: pc-standing, sector: political-system, due: 2024-05-15}
        - use: congress
          with: {year: 2024, start: 2024-04-15, lead: nobody, helpers: [pc-standng]}
    """)})
    lines = problems(folder, catalog(tmp_path, {"congress": CONGRESS}))
    # Exact wording is the fixer's choice; where it points and what it names are not.
    assert [line.split(": ", 2)[:2] for line in lines] == [
        ["nb/plan.yaml:11", "helpers"], ["nb/plan.yaml:11", "lead"]]
    assert "'pc-standng'" in lines[0] and "(did you mean 'pc-standing'?)" in lines[0]
    assert "'nobody'" in lines[1]


# --- replaced digest and review templates (DIRTRACK_TEMPLATES) ------------------------------


def _replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> Path:
    own = tmp_path / "templates"
    own.mkdir(exist_ok=True)
    (own / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("DIRTRACK_TEMPLATES", str(own))
    return own


def _render_error(name: str, **context: object) -> str:
    from dirtrack.errors import ConfigError
    from dirtrack.templating import environment

    with pytest.raises(ConfigError) as info:
        environment().get_template(name).render(**context)
    return str(info.value)


@pytest.mark.parametrize(("expression", "refused"), [
    ("''.__class__.__mro__[1].__subclasses__()",
     "access to attribute '__class__' of 'str' object is unsafe."),
    ("cycler.__init__.__globals__.os",
     "access to attribute '__init__' of 'type' object is unsafe."),
    ("recipient.name.__class__.__base__.__subclasses__()",
     "access to attribute '__class__' of 'str' object is unsafe."),
    ("alerts.clear()", "access to attribute 'clear' of 'list' object is unsafe."),
])
def test_a_replaced_template_cannot_reach_the_server(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     expression: str, refused: str) -> None:
    own = _replaced(tmp_path, monkeypatch, "digest.vi.txt.j2",
                    "Kính gửi {{ recipient.name }}\n\n{{ " + expression + " }}\n")
    assert _render_error("digest.vi.txt.j2", recipient={"name": "Ban"}, alerts=[1]) == (
        f"template error: {own}/digest.vi.txt.j2:3: {refused}; check the templates in "
        f"DIRTRACK_TEMPLATES ({own})")


def test_a_replaced_template_failing_while_rendering_names_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = _replaced(tmp_path, monkeypatch, "review.md.j2", "# Review\n{{ 1 // zero }}\n")
    assert _render_error("review.md.j2", zero=0) == (
        f"template error: {own}/review.md.j2:2: ZeroDivisionError: integer division or modulo "
        f"by zero; check the templates in DIRTRACK_TEMPLATES ({own})")


def test_a_replaced_template_cannot_include_a_file_outside_its_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "secret.txt").write_text("the server's secret\n", encoding="utf-8")
    own = _replaced(tmp_path, monkeypatch, "review.md.j2",
                    "# Review\n{% include '../secret.txt' %}\n")
    assert _render_error("review.md.j2") == (
        f"template error: {own}/review.md.j2:2: no template '../secret.txt' (a template "
        f"includes files of its folder only); check the templates in DIRTRACK_TEMPLATES ({own})")


def test_a_link_leading_out_of_the_templates_folder_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "secret.txt").write_text("the server's secret\n", encoding="utf-8")
    own = _replaced(tmp_path, monkeypatch, "review.md.j2",
                    "# Review\n{% include 'notes.txt' %}\n")
    (own / "notes.txt").symlink_to(tmp_path / "secret.txt")
    (own / "digest.en.txt.j2").symlink_to(tmp_path / "secret.txt")
    link_out = ("is a link to a file outside the folder; copy the file itself into it; check "
                f"the templates in DIRTRACK_TEMPLATES ({own})")
    assert _render_error("review.md.j2") == f"template error: {own}/notes.txt {link_out}"
    assert _render_error("digest.en.txt.j2") == f"template error: {own}/digest.en.txt.j2 {link_out}"


def test_a_link_inside_the_templates_folder_is_followed(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from dirtrack.templating import environment

    own = _replaced(tmp_path, monkeypatch, "shared.j2", "Kính gửi {{ name }}\n")
    (own / "digest.vi.txt.j2").symlink_to(own / "shared.j2")
    assert environment().get_template("digest.vi.txt.j2").render(name="Ban") == "Kính gửi Ban\n"


def test_a_replaced_template_not_in_utf8_is_one_line(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from dirtrack.errors import ConfigError
    from dirtrack.templating import environment

    own = _replaced(tmp_path, monkeypatch, "review.md.j2", "")
    (own / "review.md.j2").write_bytes("# Báo cáo\n".encode("cp1258"))
    with pytest.raises(ConfigError) as info:
        environment().get_template("review.md.j2")
    assert str(info.value) == (
        f"template error: {own}/review.md.j2: this is not UTF-8 text; save the file as UTF-8; "
        f"check the templates in DIRTRACK_TEMPLATES ({own})")
