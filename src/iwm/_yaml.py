"""Reading YAML a user wrote (scenarios, sweeps, mix files, column mappings) with limits.

A YAML file is a small program for a parser: aliases can make a few hundred bytes stand for
billions of values (the "billion laughs" bomb), and deep nesting exhausts the recursion of
the parser and of everything that walks the result later. Every YAML input of iwm goes
through :func:`load_yaml`, which refuses, while parsing and before building any object:

- more than :data:`MAX_BYTES` bytes of text,
- more than :data:`MAX_ALIASES` aliases, or aliases that expand to more than
  :data:`MAX_NODES` values, or that refer to themselves,
- nesting deeper than :data:`MAX_DEPTH` levels (counted after expanding aliases),
- a key given twice in one mapping (YAML would silently keep the last).

Each refusal is an :class:`~iwm._errors.InputError` naming the file and the limit.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from iwm._errors import InputError
from iwm._files import read_regular_file

MAX_BYTES = 1024 * 1024
"""Largest YAML text read (a scenario or sweep is a few kilobytes; 1 MiB parses in about a second)."""
MAX_ALIASES = 1_000
"""Most aliases (``*name``) in one document."""
MAX_NODES = 200_000
"""Most values a document may stand for once every alias is expanded."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists, aliases expanded."""


class _Refused(Exception):
    """A limit broken while parsing (becomes an InputError naming the file)."""


class SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader (no arbitrary objects) with limits on aliases and depth, checked
    while the document is composed, and a key given twice refused."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(f"more than {MAX_ALIASES:,} aliases (*name), the limit")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels, the limit (line {mark.line + 1})")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, f"a mapping key must be a single value; got {type(key).__name__}", key_node.start_mark
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} appears twice (lines {seen[key] + 1} and {key_node.start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def check_expansion(root: yaml.Node) -> None:
    """Refuse a composed document whose aliases expand too far: count the values and the depth
    it stands for, each shared node measured once (so a bomb is refused in microseconds)."""
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) once expanded
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:  # an explicit stack: the graph may be deeper than Python's recursion allows
        node, finished = stack.pop()
        key = id(node)
        if finished:
            kids = [measured[id(k)] for k in _children(node)]
            values = 1 + sum(k[0] for k in kids)
            depth = 1 + max((k[1] for k in kids), default=0)
            open_nodes.discard(key)
            if values > MAX_NODES:
                raise _Refused(f"its aliases expand to more than {MAX_NODES:,} values, the limit (an alias bomb?)")
            if depth > MAX_DEPTH:
                raise _Refused(f"its aliases expand to nesting deeper than {MAX_DEPTH} levels, the limit")
            measured[key] = (values, depth)
            continue
        if key in measured:
            continue
        if key in open_nodes:
            raise _Refused(f"an alias refers to the value that contains it (line {node.start_mark.line + 1})")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def load_yaml(text: str, where: str) -> Any:
    """Parse YAML text with the limits of this module; ``where`` (the file) names it in errors."""
    if len(text) > MAX_BYTES:
        raise InputError(where, f"{len(text):,} characters, over the limit of {MAX_BYTES:,} for a YAML file")
    try:
        loader = SafeLoader(text)
    except yaml.YAMLError as exc:  # a character YAML does not allow, found before parsing
        raise InputError(where, f"not valid YAML: {' '.join(str(exc).split())}") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_expansion(node)
        return loader.construct_document(node)
    except _Refused as exc:
        raise InputError(where, f"refused: {exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(where, f"not valid YAML: {' '.join(str(exc).split())}") from None
    except (RecursionError, MemoryError):  # a last guard; the limits above should come first
        raise InputError(where, "refused: too deeply nested or too large to read") from None
    except Exception as exc:  # PyYAML's own slips, e.g. ValueError on an escape "\U7fffffff" out of range
        raise InputError(where, f"not valid YAML ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None
    finally:
        loader.dispose()


def read_yaml(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> Any:
    """Read and parse a YAML file with the limits of this module; errors name the file."""
    p = Path(path)
    raw = read_regular_file(p, max_bytes=max_bytes, what="YAML file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{p}, line {row}", f"byte 0x{raw[exc.start]:02x} is not UTF-8 text") from None
    return load_yaml(text, str(p))
