"""Reading template YAML without trusting it.

A template file may come from an operator's folder or a facilitator's upload, so the
reader caps the size, refuses aliases (the "billion laughs" YAML bomb needs them and
templates never do), caps nesting, and keeps the node tree so problems can name the
line they are on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

MAX_BYTES = 256 * 1024
MAX_DEPTH = 32


class YamlProblem(Exception):
    """The text is not a YAML document we are willing to read; message says why and where."""


class _Loader(yaml.SafeLoader):
    """`yaml.SafeLoader` (only plain data types) that also refuses aliases and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            where = _where(event.start_mark)
            raise YamlProblem(f"{where}: aliases (*{event.anchor}) are not allowed in templates")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlProblem(f"{_where(mark)}: nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        # YAML lets a later duplicate key silently win; in a hand-edited file that
        # hides a mistake (two `nb:` and no `en:`), so it is an error here.
        seen: set[Any] = set()
        for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else []:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    where = _where(key_node.start_mark)
                    raise YamlProblem(f"{where}: the key {key_node.value!r} appears twice")
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "?"


def parse_yaml(text: str) -> tuple[Any, Any]:
    """Return (data, node tree) of one YAML document, or raise `YamlProblem`."""
    if not isinstance(text, str):
        raise YamlProblem("a template must be text")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise YamlProblem(f"file is {size} bytes; a template may be at most {MAX_BYTES} bytes")
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(f"{_where(mark)}: not valid YAML: {exc.problem or exc.context}") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        # Constructors raise ValueError/TypeError for e.g. unhashable keys or bad timestamps.
        raise YamlProblem(f"not valid YAML: {str(exc)[:200]}") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def line_of(node: Any, path: Sequence[str | int]) -> int | None:
    """1-based line of the value at `path` in the node tree, or of its nearest parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == step:
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step >= 0:
            child = node.value[step] if step < len(node.value) else None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line
