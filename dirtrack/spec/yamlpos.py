"""YAML that remembers where each key and item came from.

>>> doc = parse_yaml("a: 1\\nb:\\n  - x\\n  - {c: 2024-05-31}\\n", "f.yaml")
>>> doc["b"][1]["c"], doc.line_of("b"), doc["b"].line_of(1)
(datetime.date(2024, 5, 31), 2, 4)
>>> parse_yaml("on: 2025-07-01\\nx: no\\ny: true", "f.yaml")
{'on': datetime.date(2025, 7, 1), 'x': 'no', 'y': True}
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from dirtrack.errors import Problem

try:  # the C composer is several times faster on large registries
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader


class _Loader(_Base):
    """Safe loader where only true/false are booleans: ``on:``, ``yes``, ``no`` stay text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class YMap(dict[str, Any]):
    """A mapping with the line of the mapping itself and of each key."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    """A sequence with the line of the sequence and of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YamlSyntaxError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


_constructor = SafeConstructor()


def _convert(node: yaml.Node, path: str, line_offset: int) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = YMap()
        out.line = node.start_mark.line + 1 + line_offset
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path, line_offset)
            key_line = key_node.start_mark.line + 1 + line_offset
            key = str(key)
            if key in out:
                raise YamlSyntaxError(
                    Problem(path, key_line, key, "duplicate key; keep only one of them")
                )
            out[key] = _convert(value_node, path, line_offset)
            out.key_lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = YList(_convert(item, path, line_offset) for item in node.value)
        seq.line = node.start_mark.line + 1 + line_offset
        seq.item_lines = [item.start_mark.line + 1 + line_offset for item in node.value]
        return seq
    try:
        return _constructor.construct_object(node)
    except ValueError:  # an impossible date such as 2024-02-30: the checks report it
        return node.value


def parse_yaml(text: str, path: str, line_offset: int = 0) -> Any:
    """Return the document in ``text`` as YMap/YList/scalars; raise YamlSyntaxError."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        what = exc.problem or "invalid YAML"
        raise YamlSyntaxError(
            Problem(path, line, "yaml", f"{what}; fix the YAML syntax (quote values with ': ')")
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked errors are rare
        raise YamlSyntaxError(Problem(path, 1 + line_offset, "yaml", str(exc))) from None
    if node is None:
        return None
    try:
        return _convert(node, path, line_offset)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        raise YamlSyntaxError(
            Problem(path, line, "yaml", f"{exc.problem}; fix the value")
        ) from None
