"""YAML read through PyYAML's composer so that every value keeps its line.

Only plain data is accepted: mappings with text keys, lists and scalars. Aliases are
refused (they are how "billion laughs" bombs work and no dossier needs them), and so are
custom tags. Dates are left as text: `2025-04-26` must reach the date parser unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem

MAX_DEPTH = 64

Value = str | int | float | bool | None | list["YNode"] | dict[str, "YNode"]

_SCALAR_TAGS = {
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:timestamp": "str",
}


@dataclass(frozen=True)
class YNode:
    """A YAML value with the 1-based line it starts on; `raw` is a scalar's source text."""

    value: Value
    line: int
    raw: str | None = None
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def kind(self) -> str:
        if isinstance(self.value, dict):
            return "mapping"
        if isinstance(self.value, list):
            return "list"
        if self.value is None:
            return "null"
        if isinstance(self.value, bool):
            return "boolean"
        if isinstance(self.value, (int, float)):
            return "number"
        return "text"


class _AliasRefused(yaml.MarkedYAMLError):
    """Raised while composing, so the alias is reported on its own line, not its anchor's."""


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent: Node | None, index: object) -> Node | None:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            raise _AliasRefused(
                problem="YAML aliases (*name) are not supported: write the value out",
                problem_mark=self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


class _Refused(Exception):
    def __init__(self, line: int, message: str, alias: bool = False) -> None:
        self.line = line
        self.message = message
        self.alias = alias


def _too_deep(text: str) -> int | None:
    """The line where flow nesting ([ or {) passes MAX_DEPTH, outside quotes and comments.

    libyaml's composer recurses in C and crashes the process on very deep nesting (at
    around 100,000 levels), so depth is checked before any parser sees the text.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth, line, quote, comment = 0, 1, "", False
    previous = "\n"
    for char in text:
        if char == "\n":
            line += 1
            comment = False
        elif comment:
            pass
        elif quote:
            if char == quote and previous != "\\":
                quote = ""
        elif char in "\"'" and previous in " \t\n[{,:":
            quote = char
        elif char == "#" and previous in " \t\n":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
        previous = char
    return None


def parse_yaml(text: str, path: str, line_offset: int = 0) -> tuple[YNode | None, list[Problem]]:
    """Parse one YAML document; on failure return None and the problems, each with its line."""
    deep = _too_deep(text)
    if deep is not None:
        return None, [Problem(path, deep + line_offset, f"YAML nested too deeply (more than {MAX_DEPTH} levels)")]
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader if yaml.__with_libyaml__ else _Loader)
    except _AliasRefused as err:
        assert err.problem_mark is not None and err.problem is not None
        return None, [Problem(path, err.problem_mark.line + 1 + line_offset, err.problem)]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        detail = err.problem or "invalid YAML"
        if err.context:
            detail = f"{err.context}: {detail}"
        return None, [Problem(path, line, f"YAML syntax error: {detail}")]
    except yaml.YAMLError as err:
        return None, [Problem(path, 1 + line_offset, f"YAML error: {err}")]
    except RecursionError:
        return None, [Problem(path, 1 + line_offset, f"YAML nested too deeply (more than {MAX_DEPTH} levels)")]
    if root is None:
        return YNode(None, 1 + line_offset), []
    try:
        return _convert(root, line_offset, set(), 0), []
    except _Refused as err:
        if err.alias:
            # libyaml shares the anchored node, so only the pure-Python composer knows the alias's own line.
            try:
                yaml.compose(text, Loader=_Loader)
            except _AliasRefused as alias:
                assert alias.problem_mark is not None and alias.problem is not None
                return None, [Problem(path, alias.problem_mark.line + 1 + line_offset, alias.problem)]
        return None, [Problem(path, err.line, err.message)]


def _convert(node: Node, offset: int, seen: set[int], depth: int) -> YNode:
    line = node.start_mark.line + 1 + offset
    if id(node) in seen:
        raise _Refused(line, "YAML aliases (*name) are not supported: write the value out", alias=True)
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise _Refused(line, f"YAML nested too deeply (more than {MAX_DEPTH} levels)")
    if isinstance(node, ScalarNode):
        return _scalar(node, line)
    if isinstance(node, SequenceNode):
        return YNode([_convert(item, offset, seen, depth + 1) for item in node.value], line)
    if isinstance(node, MappingNode):
        return _mapping(node, offset, seen, depth, line)
    raise _Refused(line, "unsupported YAML node")


def _mapping(node: MappingNode, offset: int, seen: set[int], depth: int, line: int) -> YNode:
    result: dict[str, YNode] = {}
    key_lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1 + offset
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise _Refused(key_line, "YAML merge keys (<<) are not supported: write the keys out")
        if not isinstance(key_node, ScalarNode):
            raise _Refused(key_line, "a YAML key must be plain text")
        key = str(key_node.value)  # raw text, so `no:` stays "no", not False
        if key in result:
            raise _Refused(key_line, f"duplicate key '{key}' (first on line {key_lines[key]})")
        result[key] = _convert(value_node, offset, seen, depth + 1)
        key_lines[key] = key_line
    return YNode(result, line, key_lines=key_lines)


def _scalar(node: ScalarNode, line: int) -> YNode:
    kind = _SCALAR_TAGS.get(node.tag)
    if kind is None:
        raise _Refused(line, f"unsupported YAML tag {node.tag}")
    raw = str(node.value)
    constructor = SafeConstructor()
    value: Value
    if kind == "null":
        value = None
    elif kind == "bool":
        value = constructor.construct_yaml_bool(node)
    elif kind == "int":
        value = constructor.construct_yaml_int(node)
    elif kind == "float":
        value = constructor.construct_yaml_float(node)
    else:
        value = raw
    return YNode(value, line, raw=raw)
