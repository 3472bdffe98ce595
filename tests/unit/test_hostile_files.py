"""Files written to hurt the loader: YAML that explodes, tags, links, templates that reach out.

Each is one ``path:line: key: message`` line among the others of the run, with
nothing read past it, and costs no more than a few MB.
"""

from __future__ import annotations

import os
import textwrap
import tracemalloc
from pathlib import Path

import pytest

from dirtrack.spec.yamlpos import MAX_DEPTH
from tests.unit.builders import catalog, directive_yaml, jurisdiction, plan, problems, write

TASK = "- {id: a, title: A, lead: pc-standing, sector: economic, due: 2024-Q2}"
ALIASES = "anchors (&{0}) and aliases (*{0}) are not allowed; write the value out in full"
TAGS = ("tags such as '{}' are not allowed; write a plain value (put it in quotes to keep it "
        "as text)")
TOO_DEEP = (f"nested deeper than {MAX_DEPTH} levels; a directive file needs a few: flatten the "
            "structure")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tmp_path, so shown paths are relative: ``nb/plan.yaml``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def billion_laughs() -> str:
    """Return a 1 kB file whose aliases of aliases would unfold into 10**9 strings."""
    lines = ['lol: &a ["' + "lol " * 120 + '"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{', '.join([f'*{previous}'] * 10)}]")
    lines.append("directive: {id: laughs, title: *i}")
    return "\n".join(lines) + "\n"


# --- YAML that explodes --------------------------------------------------------------------


def test_billion_laughs_is_refused_at_its_first_anchor(here: Path) -> None:
    text = billion_laughs()
    assert 700 < len(text.encode()) < 1100
    folder = jurisdiction(here, {"plan.yaml": text})
    assert problems(folder, catalog(here)) == [f"nb/plan.yaml:1: lol: {ALIASES.format('a')}"]


def test_billion_laughs_costs_less_than_a_few_megabytes(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": billion_laughs()})
    cat = catalog(here)
    tracemalloc.start()
    try:
        problems(folder, cat)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000


def test_a_recursive_alias_is_an_error_not_a_traceback(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": "a: &a [*a]\n"})
    assert problems(folder, catalog(here)) == [f"nb/plan.yaml:1: a: {ALIASES.format('a')}"]


def test_an_alias_is_named_where_it_is_written(here: Path) -> None:
    text = directive_yaml(TASK).replace('"Key mass mobilization tasks"', "*title")
    folder = jurisdiction(here, {"plan.yaml": text})
    assert problems(folder, catalog(here)) == [f"nb/plan.yaml:5: title: {ALIASES.format('title')}"]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 990, 10_000])
def test_deep_nesting_is_one_line(here: Path, depth: int) -> None:
    folder = jurisdiction(here, {"plan.yaml": "[" * depth + "]" * depth + "\n"})
    assert problems(folder, catalog(here)) == [f"nb/plan.yaml:1: yaml: {TOO_DEEP}"]


def test_nesting_within_the_bound_is_read(here: Path) -> None:
    nested = "[" * (MAX_DEPTH - 3) + "x" + "]" * (MAX_DEPTH - 3)
    text = directive_yaml(TASK).replace("tasks:", f"  source: {nested}\ntasks:")
    folder = jurisdiction(here, {"plan.yaml": text})
    # read, then refused by the ordinary check: one value is meant
    assert problems(folder, catalog(here)) == [
        "nb/plan.yaml:8: source: 'source' is a list; write one value (put text holding ': ' or "
        "starting with '[' or '{' in quotes)"]


def test_too_many_values_is_one_line(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dirtrack.spec.yamlpos.MAX_VALUES", 200)  # units.yaml holds 95
    folder = jurisdiction(here, {"plan.yaml": "items: [" + ", ".join(["0"] * 300) + "]\n"})
    assert problems(folder, catalog(here)) == [
        "nb/plan.yaml:1: yaml: more than 200 values in one file; split it into several files"]


def test_a_file_above_the_size_bound_is_not_read(here: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dirtrack.spec.files.MAX_FILE_BYTES", 1000)  # units.yaml: 872 bytes
    text = directive_yaml(TASK).replace("tasks:", f"  source: {'x' * 1000}\ntasks:")
    folder = jurisdiction(here, {"plan.yaml": text})
    assert problems(folder, catalog(here)) == [
        f"nb/plan.yaml:0: file: the file holds {len(text):,} bytes, more than 1,000; split it "
        "into several files"]


# --- tags ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "tag"), [
    ("!!binary aGVsbG8=", "!!binary"),
    ("!!python/object/apply:os.system ['true']", "!!python/object/apply:os.system"),
    ("!!python/name:os.system", "!!python/name:os.system"),
    ("!!set {a, b}", "!!set"),
    ("!!timestamp 2024-05-01T10:00:00", "!!timestamp"),
    ("!!str plain", "!!str"),
    ("!foo bar", "!foo"),
])
def test_a_tag_is_refused_with_its_key(here: Path, written: str, tag: str) -> None:
    text = directive_yaml(TASK).replace('"Key mass mobilization tasks"', written)
    folder = jurisdiction(here, {"plan.yaml": text})
    assert problems(folder, catalog(here)) == [f"nb/plan.yaml:5: title: {TAGS.format(tag)}"]


def test_shipped_files_use_no_anchor_alias_or_tag() -> None:
    from dirtrack.plan import read_plan

    root = Path(__file__).resolve().parents[2]
    result = read_plan(root / "directives", catalog=root / "tasks_catalog", expand_all=False)
    assert [d.id for _, d in result.directives()] == ["hy-2025-q1-models", "hy-2025-q2",
                                                      "hy-2025-q3", "nb-2024-reports",
                                                      "nb-2024-q2"]


# --- links ---------------------------------------------------------------------------------


LOOP = ("this is a link that leads back to itself (a loop of symbolic links); point it at a "
        "file or remove it")


def test_links_in_a_loop_are_one_line_each_with_the_other_problems(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(
        "- {id: a, title: A, lead: nobody, sector: economic, due: 2024-Q2}")})
    os.symlink("b.yaml", folder / "a.yaml")
    os.symlink("a.yaml", folder / "b.yaml")
    assert problems(folder, catalog(here)) == [
        f"nb/a.yaml:0: file: {LOOP}",
        f"nb/b.yaml:0: file: {LOOP}",
        "nb/plan.yaml:9: lead: unknown unit 'nobody'; use an id from nb/units.yaml",
    ]


def test_a_folder_linked_to_itself_is_not_walked(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(TASK)})
    os.symlink(".", folder / "loop")
    os.symlink(".", here / "loop")
    result = plan(here, catalog(here))
    assert [(j.id, [d.id for d in j.directives]) for j in result.jurisdictions] == [
        ("nb", ["nb-2024-q2"])]


def test_a_units_file_in_a_loop_is_named(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(TASK)})
    (folder / "units.yaml").unlink()
    os.symlink("units.yaml", folder / "units.yaml")
    assert problems(folder, catalog(here)) == [
        "nb/plan.yaml:6: issued_by: unknown unit 'pc-standing'; use an id from nb/units.yaml",
        "nb/plan.yaml:9: lead: unknown unit 'pc-standing'; use an id from nb/units.yaml",
        f"nb/units.yaml:0: file: {LOOP}"]


def test_a_broken_link_is_named(here: Path) -> None:
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(TASK)})
    os.symlink("gone.yaml", folder / "old.yaml")
    assert problems(folder, catalog(here)) == [
        "nb/old.yaml:0: file: this is a link to a file that does not exist; point it at a file "
        "or remove it"]


def test_catalog_links_in_a_loop_and_leading_out(here: Path) -> None:
    cat = catalog(here)
    os.symlink("b.yaml", cat / "a.yaml")
    os.symlink("a.yaml", cat / "b.yaml")
    secret = write(here / "elsewhere", "secret.yaml", "template: secret\n---\ntasks: []\n")
    os.symlink(secret, cat / "secret.yaml")
    folder = jurisdiction(here, {"plan.yaml": directive_yaml("- {use: secret}")})
    assert problems(folder, cat) == [
        f"catalog/a.yaml:0: file: {LOOP}",
        f"catalog/b.yaml:0: file: {LOOP}",
        "catalog/secret.yaml:0: file: this is a link to a file outside the catalog folder; "
        "copy the template into the catalog",
        "nb/plan.yaml:9: use: unknown template 'secret'; looked in catalog; templates there: none",
    ]


def test_a_link_inside_the_catalog_is_read(here: Path) -> None:
    cat = catalog(here, {"real": """
        template: real
        ---
        tasks:
          - {id: t, title: T, lead: pc-standing, sector: economic, due: 2024-Q2}
    """})
    os.symlink("real.yaml", cat / "alias.yaml")
    folder = jurisdiction(here, {"plan.yaml": directive_yaml("- {use: real}")})
    # the link is read as the file it points to: its template name differs from its own
    assert problems(folder, cat) == [
        "catalog/alias.yaml:1: template: template name 'real' differs from its file name; "
        "name it 'alias' or rename the file"]


@pytest.mark.parametrize("name", ["../elsewhere/secret", "/etc/passwd", "secret/../secret"])
def test_a_use_name_cannot_leave_the_catalog(here: Path, name: str) -> None:
    write(here / "elsewhere", "secret.yaml", "template: secret\n---\ntasks: []\n")
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(f"- {{use: '{name}'}}")})
    assert problems(folder, catalog(here)) == [
        f"nb/plan.yaml:9: use: unknown template '{name}'; looked in catalog; templates there: none"]


def test_a_catalog_file_not_in_utf8_is_one_line(here: Path) -> None:
    cat = catalog(here)
    (cat / "latin.yaml").write_bytes("template: latin\ntitle: Tỉnh\n---\ntasks: []\n"
                                     .encode().replace("ỉ".encode(), b"\xe9"))
    folder = jurisdiction(here, {"plan.yaml": directive_yaml(TASK)})
    assert problems(folder, cat) == [
        "catalog/latin.yaml:2: file: this is not UTF-8 text; save the file as UTF-8"]


# --- templates that reach out --------------------------------------------------------------


def _with_template(here: Path, line: str) -> list[str]:
    cat = catalog(here, {"reach": f"""
        template: reach
        params:
          year: {{type: int, default: 2024}}
        ---
        tasks:
          - id: t
            title: "{line}"
            lead: pc-standing
            sector: economic
            due: 2024-Q2
    """})
    folder = jurisdiction(here, {"plan.yaml": directive_yaml("- {use: reach}")})
    return problems(folder, cat)


@pytest.mark.parametrize(("expression", "refused"), [
    ("''.__class__.__mro__[1].__subclasses__()", "access to attribute '__class__' of 'str' "
                                                 "object is unsafe"),
    ("cycler.__init__.__globals__.os", "access to attribute '__init__' of 'type' object is "
                                       "unsafe"),
    ("lipsum.__globals__['os'].popen('id').read()", "access to attribute '__globals__' of "
                                                    "'function' object is unsafe"),
    ("'x' * 10 ** 9", "'*' would build 1,000,000,000 items; a template builds at most 100,000"),
])
def test_a_catalog_template_cannot_reach_the_server(here: Path, expression: str,
                                                    refused: str) -> None:
    assert _with_template(here, "{{ " + expression + " }}") == [
        f"catalog/reach.yaml:7: jinja: {refused}; a template reads its parameters only: remove "
        "that expression"]


def test_a_catalog_template_that_fails_while_rendering_names_its_line(here: Path) -> None:
    assert _with_template(here, "{{ year // 0 }}") == [
        "catalog/reach.yaml:7: jinja: ZeroDivisionError: integer division or modulo by zero; "
        "fix the template"]


def test_a_catalog_template_cannot_change_what_it_is_given(here: Path) -> None:
    cat = catalog(here, {"mutate": """
        template: mutate
        params:
          units: {type: units, default: [pc-standing]}
        ---
        {% set seen = [] %}{{ seen.append(1) }}
        tasks: []
    """})
    folder = jurisdiction(here, {"plan.yaml": directive_yaml("- {use: mutate}")})
    assert problems(folder, cat) == [
        "catalog/mutate.yaml:5: jinja: access to attribute 'append' of 'list' object is unsafe; "
        "a template reads its parameters only: remove that expression"]


def test_a_default_that_reaches_out_is_refused(here: Path) -> None:
    cat = catalog(here, {"dflt": """
        template: dflt
        params:
          title: {type: str, default: "{{ ''.__class__ }}"}
        ---
        tasks: []
    """})
    folder = jurisdiction(here, {"plan.yaml": directive_yaml("- {use: dflt}")})
    assert problems(folder, cat) == [
        "catalog/dflt.yaml:3: title: default does not render: access to attribute '__class__' "
        "of 'str' object is unsafe; a template reads its parameters only: remove that "
        "expression"]


def test_an_ordinary_template_renders_as_before(here: Path) -> None:
    cat = catalog(here, {"plain": textwrap.dedent("""
        template: plain
        params:
          year: {type: int, required: true}
          lead: {type: unit, default: fatherland-front}
        ---
        tasks:
        {% for part in ["launch", "summary"] %}
          - id: {{ part }}
            title: "{{ part|capitalize }} {{ year }} ({{ 'ab' * 2 }}, {{ 2 ** 10 }})"
            lead: {{ lead }}
            sector: cultural-social
            due: "{{ year }}-0{{ loop.index + 4 }}-01"
        {% endfor %}
    """)})
    folder = jurisdiction(here, {"plan.yaml": directive_yaml("- {use: plain, with: {year: 2024}}")})
    ((_, spec),) = plan(folder, cat).directives()
    assert [(t.id, t.title, t.lead, t.due.text) for t in spec.tasks] == [
        ("plain/launch", "Launch 2024 (abab, 1024)", "fatherland-front", "2024-05-01"),
        ("plain/summary", "Summary 2024 (abab, 1024)", "fatherland-front", "2024-06-01"),
    ]
