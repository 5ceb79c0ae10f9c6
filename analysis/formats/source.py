"""Reading YAML safely, with the line of every value and bounds on size.

PyYAML's safe loader alone silently keeps the last of two duplicate keys,
reads ``yes``/``no``/``on``/``off`` as booleans (YAML 1.1) and forgets where
each value stood. This module reads a document once as a node graph, records
the line of every location, reports duplicate keys, enforces the size bounds
below and only then builds plain Python data.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import Problem, ScenarioError, format_location

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NODES", "Document", "parse_yaml", "read_text",
           "read_yaml"]

#: Bounds on a sane input file. A larger or deeper document is rejected
#: before it is interpreted (this also defeats YAML "billion laughs" aliases).
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 24
MAX_NODES = 50_000


#: libyaml's parser (C) when PyYAML was built with it: five to ten times faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """Safe loader with YAML 1.2's booleans and floats, and located construction errors."""

    def construct_object(self, node, deep=False):
        """Build a value; a value its tag cannot make is a located YAML error."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            kind = node.tag.rsplit(":", 1)[-1]
            value = getattr(node, "value", "")
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {value!r} as a {kind}: {exc}", node.start_mark
            ) from None


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
# YAML 1.2 floats: also 1e-3 and 2E5, which YAML 1.1 reads as strings.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


@dataclass(frozen=True)
class Document:
    """A parsed YAML document and the line of each location inside it."""

    data: Any
    file: str
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, loc: tuple[str | int, ...]) -> int | None:
        """Return the line of ``loc``, or of its nearest recorded ancestor."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return None

    def problem(self, loc: tuple[str | int, ...], message: str) -> Problem:
        """Build a :class:`Problem` located at ``loc`` in this document."""
        return Problem(self.file, self.line_of(loc), format_location(loc), message)


def read_yaml(path: str | Path) -> Document:
    """Read a YAML file into a :class:`Document`.

    Raises
    ------
    ScenarioError
        If the file is missing, too large, not valid YAML, has duplicate keys
        or is nested beyond the bounds.
    """
    return parse_yaml(read_text(path, expected="a YAML file"), str(path))


def read_text(path: str | Path, *, expected: str, limit: int = MAX_FILE_BYTES) -> str:
    """Read a regular file of at most ``limit`` bytes as UTF-8 text, safely.

    ``expected`` says what the file should be (``"a YAML file"``), for
    messages. A pipe cannot hang the open, and a folder, a pipe or a device
    is refused.

    Raises
    ------
    ScenarioError
        If the file is missing, not a regular file, unreadable, larger than
        ``limit`` or not UTF-8, naming the file.
    """
    path = Path(path)
    name = str(path)
    try:
        # Without blocking, so that a pipe cannot hang the open; then only regular files.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # a folder, a pipe or a device could hang
                raise ScenarioError([Problem(name, None, "(document)",
                                             f"not a regular file, expected {expected}")])
            if info.st_size > limit:
                raise ScenarioError(
                    [Problem(name, None, "(document)",
                             f"file is {info.st_size} bytes, expected at most {limit}")]
                )
            chunks = []
            while sum(map(len, chunks)) <= limit:
                chunk = os.read(fd, limit + 1)
                if not chunk:
                    break
                chunks.append(chunk)
            raw = b"".join(chunks)
        finally:
            os.close(fd)
        return raw.decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(name, None, "(document)", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem(name, None, "(document)", f"file is not UTF-8 text ({exc.reason})")]
        ) from None
    except OSError as exc:  # permission denied, a folder, an I/O error...
        raise ScenarioError([Problem(name, None, "(document)",
                                     f"cannot read the file: {exc.strerror or exc}")]) from None


def parse_yaml(text: str, file: str = "<string>") -> Document:
    """Parse YAML ``text`` (named ``file`` in messages) into a :class:`Document`."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ScenarioError(
            [Problem(file, None, "(document)", f"text is longer than {MAX_FILE_BYTES} bytes")]
        )
    try:
        _check_depth(text, file)  # PyYAML's composer recurses: bound the depth first
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                raise ScenarioError(
                    [Problem(file, 1, "(document)", "file is empty, expected a mapping")])
            lines: dict[tuple[str | int, ...], int] = {}
            problems: list[Problem] = []
            _walk(root, (), lines, problems, file, [0])
            if problems:
                raise ScenarioError(problems)
            data = loader.construct_document(root)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        message = f"invalid YAML: {reason}" + (f" ({context})" if context else "")
        raise ScenarioError([Problem(file, line, "(document)", message)]) from None
    return Document(data, file, lines)


def _check_depth(text: str, file: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:
                raise ScenarioError([Problem(file, event.start_mark.line + 1, "(document)",
                                             f"nested deeper than {MAX_DEPTH} levels")])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _walk(node, loc, lines, problems, file, count) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        if count[0] == MAX_NODES + 1:
            problems.append(Problem(file, node.start_mark.line + 1, format_location(loc),
                                    f"document has more than {MAX_NODES} values "
                                    "(aliases included), expected a smaller file"))
        return
    if len(loc) > MAX_DEPTH:
        problems.append(Problem(file, node.start_mark.line + 1, format_location(loc),
                                f"nested deeper than {MAX_DEPTH} levels"))
        return
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if key is None:
                problems.append(Problem(file, line, format_location(loc),
                                        "a key is a collection, expected a plain name"))
                continue
            if key in seen:
                problems.append(Problem(file, line, format_location((*loc, key)),
                                        f"duplicate key {key!r} (first on line {seen[key]})"))
                continue
            seen[key] = line
            lines.setdefault((*loc, key), line)
            _walk(value_node, (*loc, key), lines, problems, file, count)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*loc, index), lines, problems, file, count)
