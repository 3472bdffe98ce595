"""YAML that remembers where each key and item came from, and refuses what could explode.

>>> doc = parse_yaml("a: 1\\nb:\\n  - x\\n  - {c: 2024-05-31}\\n", "f.yaml")
>>> doc["b"][1]["c"], doc.line_of("b"), doc["b"].line_of(1)
(datetime.date(2024, 5, 31), 2, 4)
>>> parse_yaml("on: 2025-07-01\\nx: no\\ny: true", "f.yaml")
{'on': datetime.date(2025, 7, 1), 'x': 'no', 'y': True}

The document is built straight from the parser's events, one at a time: an
anchor, an alias or a tag is refused where it is written (an alias repeats a
value, so a 1 kB file of aliases of aliases would unfold into billions of
values), and the nesting depth and the number of values are bounded before
anything is built past them.

>>> parse_yaml("a: &x [1]\\nb: *x\\n", "f.yaml")
Traceback (most recent call last):
...
dirtrack.spec.yamlpos.YamlSyntaxError: f.yaml:1: a: anchors (&x) and aliases (*x) are not \
allowed; write the value out in full
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from dirtrack.errors import Problem

MAX_DEPTH = 50  # a directive file nests five or six levels
MAX_VALUES = 1_000_000  # the national registry of 4,500 units holds about 54,000

try:  # the C parser is several times faster on large registries
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


_STR = "tag:yaml.org,2002:str"
# The constructor functions are called directly: construct_object would keep every
# node it ever saw in its cache.
_SCALARS = SafeConstructor.yaml_constructors
_constructor = SafeConstructor()
_NO_KEY = object()
_TOO_DEEP = (f"nested deeper than {MAX_DEPTH} levels; a directive file needs a few: flatten "
             "the structure")


def _scalar(loader: Any, event: yaml.ScalarEvent) -> Any:
    tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR:
        return event.value
    node = yaml.ScalarNode(tag, event.value, None, None)
    try:
        value = _SCALARS[tag](_constructor, node)
    except ValueError:  # an impossible date such as 2024-02-30: the checks report it
        return event.value
    # No key takes a time of day: a date and time stays the text written, which the
    # date checks name as it was written.
    return event.value if isinstance(value, datetime) else value


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:") else tag


def _refused(event: yaml.Event) -> str | None:
    """Return why ``event`` is refused (an anchor, alias or tag), or None."""
    anchor = getattr(event, "anchor", None)
    if anchor is not None:
        return (f"anchors (&{anchor}) and aliases (*{anchor}) are not allowed; write the "
                "value out in full")
    tag = getattr(event, "tag", None)
    if tag is not None:
        return (f"tags such as '{_short_tag(tag)}' are not allowed; write a plain value "
                "(put it in quotes to keep it as text)")
    return None


class _Builder:
    """Turns the parser's events into YMap/YList/scalars, one event at a time."""

    def __init__(self, path: str, line_offset: int) -> None:
        self.path, self.line_offset = path, line_offset
        # Open collections: (YMap or YList, pending key of a mapping and its line).
        self.stack: list[list[Any]] = []
        self.values = 0
        self.root: Any = None

    def fail(self, event: yaml.Event, message: str) -> YamlSyntaxError:
        """Return the error at ``event``, under the key whose value it is (else 'yaml')."""
        key = "yaml"
        if self.stack and isinstance(self.stack[-1][0], YMap) and self.stack[-1][1] is not _NO_KEY:
            key = self.stack[-1][1]
        return YamlSyntaxError(Problem(self.path, self.line(event), key, message))

    def line(self, event: yaml.Event) -> int:
        mark: Any = event.start_mark  # the C parser marks every event
        return int(mark.line) + 1 + self.line_offset

    def add(self, event: yaml.Event, value: Any) -> None:
        """Place a finished value in the collection it belongs to."""
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        container = frame[0]
        if isinstance(container, YList):
            container.append(value)
            container.item_lines.append(self.line(event))
        elif frame[1] is _NO_KEY:
            frame[1], frame[2] = str(value), self.line(event)
        else:
            key, key_line = frame[1], frame[2]
            if key in container:
                raise YamlSyntaxError(Problem(self.path, key_line, key,
                                              "duplicate key; keep only one of them"))
            container[key] = value
            container.key_lines[key] = key_line
            frame[1] = _NO_KEY

    def open(self, event: yaml.Event, container: YMap | YList) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(event, _TOO_DEEP)
        container.line = self.line(event)
        if isinstance(container, YMap):
            container.key_lines = {}
        else:
            container.item_lines = []
        self.stack.append([container, _NO_KEY, 0, event])

    def close(self) -> None:
        container, _, _, start = self.stack.pop()
        self.add(start, container)

    def count(self, event: yaml.Event) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.fail(event, f"more than {MAX_VALUES:,} values in one file; split it "
                                   "into several files")


def _build(loader: Any, path: str, line_offset: int) -> Any:
    builder = _Builder(path, line_offset)
    documents = 0
    while True:
        event = loader.get_event()
        if isinstance(event, yaml.StreamEndEvent):
            return builder.root
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise builder.fail(event, "expected a single document in the file, found a "
                                          "second one ('---'); keep one document per file")
            continue
        if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentEndEvent)):
            continue
        if isinstance(event, yaml.AliasEvent):
            raise builder.fail(event, f"anchors (&{event.anchor}) and aliases (*{event.anchor})"
                                      " are not allowed; write the value out in full")
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            builder.close()
            continue
        why = _refused(event)
        if why is not None:
            raise builder.fail(event, why)
        builder.count(event)
        if isinstance(event, yaml.ScalarEvent):
            builder.add(event, _scalar(loader, event))
        elif isinstance(event, yaml.MappingStartEvent):
            builder.open(event, YMap())
        else:
            builder.open(event, YList())


def parse_yaml(text: str, path: str, line_offset: int = 0) -> Any:
    """Return the document in ``text`` as YMap/YList/scalars; raise YamlSyntaxError."""
    loader = _Loader(text)
    try:
        return _build(loader, path, line_offset)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        what = exc.problem or "invalid YAML"
        if "nesting depth" in what:  # libyaml's own bound, past ours
            raise YamlSyntaxError(Problem(path, line, "yaml", _TOO_DEEP)) from None
        raise YamlSyntaxError(
            Problem(path, line, "yaml", f"{what}; fix the YAML syntax (quote values with ': ')")
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked errors are rare
        raise YamlSyntaxError(Problem(path, 1 + line_offset, "yaml", str(exc))) from None
    finally:
        loader.dispose()
