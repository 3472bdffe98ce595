"""``dirtrack graph``: a text tree or Graphviz DOT, fan-outs drawn once, critical path marked."""

from __future__ import annotations

import re
import subprocess

from tests.requirements import need

from .support import load_mini

LEGEND = ("(* on the critical path; a task with several prerequisites is drawn under the first "
          "and referred to under the others)")


def test_text_tree_of_a_small_directive(cli, project):
    load_mini(cli, project)

    run = cli("graph", "mini")

    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "mini: 1-KH/BTV Mini plan (issued 2024-04-01)",
        LEGEND,
        "- plan  due 2024-04-10  lead dept-a",
        "  - execute  due 2024-05-31  lead dept-b",
        "* report  due 2024-06-30  lead dept-a",
        "- grassroots x10  due 2024-05-15  lead each commune",
        "  - summary  due 2024-05-20  lead dept-b [needs 90% of grassroots]",
    ]


def test_text_tree_of_the_demo_directive(cli):
    assert cli("load", "directives/ninh-binh", "--on", "2024-04-15").exit_code == 0

    lines = cli("graph", "nb-2024-q2").stdout.splitlines()

    assert lines[0] == ("nb-2024-q2: 45-KL/TU Nhiệm vụ trọng tâm công tác dân vận quý II năm "
                        "2024 (issued 2024-04-15)")
    # a fanned-out task is drawn once, with its number of instances
    grassroots = [ln for ln in lines if "ff-congress/grassroots x" in ln]
    assert grassroots == ["- ff-congress/grassroots x34  due 2024-05-31  lead each commune"]
    assert "  - ff-congress/district x8  due 2024-06-30  lead each district [needs 90% of " \
           "ff-congress/grassroots]" in lines
    # the critical path is the youth congress cascade, ending at the latest deadline
    starred = [ln.strip() for ln in lines if ln.lstrip().startswith("* ")]
    assert starred == [
        "* youth-congress/grassroots x34  due 2024-06-15  lead each commune",
        "* youth-congress/district x8  due 2024-07-15  lead each district [needs 90% of "
        "youth-congress/grassroots]",
        "* youth-congress/province  due 2024-08-29  lead youth-union",
    ]
    # a task with several prerequisites is drawn under the first, referred to under the others
    assert "    - dien-bien-phu/summary (see above)" in lines
    assert sum(ln.strip().startswith("- dien-bien-phu/summary  due") for ln in lines) == 1


NODE = re.compile(r'^  "([^"]+)" \[label="[^"]*"(, color=red, penwidth=2)?\];$')
EDGE = re.compile(r'^  "([^"]+)" -> "([^"]+)"( \[[^\]]*\])?;$')
SETTING = re.compile(r'^  (label="(?:[^"\\]|\\.)*"|labelloc=t|rankdir=LR|node \[[^\]]*\]);$')


def _check_dot(text: str) -> tuple[dict[str, bool], list[tuple[str, str, str]]]:
    """Return {node: critical} and the edges, failing on any line that is not DOT we know."""
    lines = text.splitlines()
    assert re.fullmatch(r'digraph "[^"]+" \{', lines[0])
    assert lines[-1] == "}"
    nodes: dict[str, bool] = {}
    edges = []
    for line in lines[1:-1]:
        if m := NODE.match(line):
            nodes[m.group(1)] = bool(m.group(2))
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3) or ""))
        else:
            assert SETTING.match(line), f"not a DOT statement: {line!r}"
    for a, b, _ in edges:
        assert a in nodes and b in nodes, f"edge {a} -> {b} names an undeclared node"
    return nodes, edges


def test_dot_of_a_small_directive(cli, project):
    load_mini(cli, project)

    run = cli("graph", "mini", "--format", "dot")

    assert run.exit_code == 0, run.stderr
    nodes, edges = _check_dot(run.stdout)
    assert nodes == {"plan": False, "execute": False, "report": True, "grassroots": False,
                     "summary": False}
    assert edges == [("plan", "execute", ""), ("grassroots", "summary", ' [label="90%"]')]
    assert '  "grassroots" [label="grassroots (x10)\\n2024-05-15\\neach commune"];' \
        in run.stdout.splitlines()
    assert '  "report" [label="report\\n2024-06-30\\ndept-a", color=red, penwidth=2];' \
        in run.stdout.splitlines()


def test_dot_of_the_demo_directive(cli):
    assert cli("load", "directives/ninh-binh", "--on", "2024-04-15").exit_code == 0

    run = cli("graph", "nb-2024-q2", "--format", "dot")

    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith('digraph "nb-2024-q2" {\n')
    nodes, edges = _check_dot(run.stdout)
    assert {n for n, critical in nodes.items() if critical} == {
        "youth-congress/grassroots", "youth-congress/district", "youth-congress/province"}
    assert ("youth-congress/grassroots", "youth-congress/district",
            ' [label="90%", color=red, penwidth=2]') in edges
    assert ("book-select-models", "book-100-models", "") in edges


def test_graphviz_reads_the_dot(cli):
    need("graphviz")
    assert cli("load", "directives/ninh-binh", "--on", "2024-04-15").exit_code == 0
    run = cli("graph", "nb-2024-q2", "--format", "dot")

    parsed = subprocess.run(["dot", "-Tsvg"], input=run.stdout, capture_output=True, text=True,
                            timeout=60)
    assert parsed.returncode == 0, parsed.stderr
    assert "<svg" in parsed.stdout


def test_unknown_directive_lists_the_loaded_ones(cli, engine):
    empty = cli("graph", "nb-2025-q2")  # a database made, nothing loaded yet
    assert empty.exit_code == 1
    assert empty.stderr == "error: no directive 'nb-2025-q2'; loaded directives: none\n"

    assert cli("load", "--on", "2025-04-15").exit_code == 0
    run = cli("graph", "nb-2025-q2")

    assert run.exit_code == 1
    assert run.stdout == ""
    assert run.stderr == ("error: no directive 'nb-2025-q2'; loaded directives: "
                          "hy-2025-q1-models, hy-2025-q2, hy-2025-q3, nb-2024-q2, "
                          "nb-2024-reports\n")


def test_unknown_format_is_a_usage_error(cli, project):
    load_mini(cli, project)

    run = cli("graph", "mini", "--format", "svg")

    assert run.exit_code == 2
    assert "--format" in run.stderr


def test_a_task_that_fans_out_over_nothing_is_drawn(cli, project):
    from .support import DIRECTIVE, MINI, write_mini

    write_mini(project, directive=DIRECTIVE + """\
  - id: ghost
    title: "Each central body reports"
    for_each: central
    sector: political-system
    due: 2024-06-30
""")
    assert cli("load", MINI, "--on", "2024-04-01").exit_code == 0

    text = cli("graph", "mini").stdout.splitlines()
    dot = cli("graph", "mini", "--format", "dot").stdout.splitlines()

    assert text[-1] == "- ghost x0  due no instance  lead each central"
    assert '  "ghost" [label="ghost (x0)\\nno instance\\neach central"];' in dot
