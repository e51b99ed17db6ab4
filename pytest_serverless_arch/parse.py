"""Safe, fast, line-aware reading of YAML and JSON templates.

YAML goes through libyaml (``yaml.CSafeLoader``) with constructors for every
CloudFormation short tag, turned into the long form (``!Ref X`` ->
``{"Ref": "X"}``). Mappings and sequences come back as :class:`LineDict` and
:class:`LineList`, which remember the line of themselves and of each key or
item. Nothing is ever constructed from a Python tag and nothing is executed.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .files import MAX_FILE_BYTES, UnreadableFile, decode_text, read_text

__all__ = [
    "DuplicateKey",
    "MAX_EXPANDED_NODES",
    "MAX_FILE_BYTES",
    "MAX_NESTING_DEPTH",
    "MAX_PARSE_NODES",
    "LineDict",
    "describe_value",
    "LineList",
    "ParseError",
    "TaggedValue",
    "item_line",
    "key_line",
    "line_of",
    "strings_with_lines",
    "parse_json",
    "parse_text",
    "parse_yaml",
    "read_document",
]
# A template expanded through YAML aliases may not exceed this many nodes
# (a "billion laughs" document otherwise expands exponentially when walked).
MAX_EXPANDED_NODES = 2_000_000
# A file may not hold more values than this (the largest of 2,615 real templates holds 4,453): the
# parsers count as they build, so a huge file is refused in bounded memory.
MAX_PARSE_NODES = 250_000
# Real templates nest under 30 levels; the parsers recurse, so depth is refused (with its line) long
# before Python's recursion limit would end the parse without one.
MAX_NESTING_DEPTH = 100


class ParseError(Exception):
    """A file that is not a readable template, with the 1-based line where it went wrong."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class TooManyNodes(ParseError):
    """A document past :data:`MAX_PARSE_NODES`: refused whatever its syntax, never parsed again as YAML."""


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers where it, and each of its keys, was written."""

    __slots__ = ("line", "column", "key_lines")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.column = 0
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """Line of ``key`` (or of the mapping itself when the key is unknown)."""
        return self.key_lines.get(key, self.line)


class LineList(list):  # type: ignore[type-arg]
    """A sequence that remembers its line and each item's line."""

    __slots__ = ("line", "column", "item_lines")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.line = 0
        self.column = 0
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


@dataclass(frozen=True)
class TaggedValue:
    """A YAML value under a tag we do not interpret (``!Rain::Embed``, ``!Include``)."""

    tag: str
    value: Any
    line: int = 0


def line_of(value: Any, default: int = 0) -> int:
    """The line where ``value`` was written, when it is a mapping or sequence from a template."""
    line = getattr(value, "line", 0)
    return line or default


def key_line(mapping: Any, key: Any, default: int = 0) -> int:
    """The line where ``key`` of a template mapping was written, or ``default``."""
    lines = getattr(mapping, "key_lines", None)
    return lines.get(key, default) if lines else default


def item_line(items: Any, index: int, default: int = 0) -> int:
    """The line where item ``index`` of a template sequence was written, or ``default``."""
    return items.line_of(index) if isinstance(items, LineList) else default


def strings_with_lines(value: Any, line: int = 0) -> Iterator[tuple[Any, str, int]]:
    """Every string inside a parsed document: ``(key holding it or None, text, line)``."""
    stack: list[tuple[Any, Any, int]] = [(None, value, line)]
    while stack:
        key, node, node_line = stack.pop()
        if isinstance(node, str):
            yield key, node, node_line
        elif isinstance(node, Mapping):
            lines = getattr(node, "key_lines", {})
            stack.extend((child_key, item, lines.get(child_key, line_of(node, node_line))) for child_key, item in node.items())
        elif isinstance(node, list):
            stack.extend((None, item, item_line(node, index, line_of(node, node_line))) for index, item in enumerate(node))


def describe_value(value: Any) -> str:
    """What a YAML/JSON value is, in the words of the file (never a Python type name).

    >>> describe_value([1])
    'a list'
    """
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a tagged value" if value is not None else "empty"


# --- YAML -----------------------------------------------------------------

# Short tags whose long form is ``{"Fn::<Name>": value}``.
_FN_TAGS = (
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "GetStackOutput",
    "Length",
    "ToJsonString",
    "ForEach",
)


@dataclass(frozen=True)
class DuplicateKey:
    """A mapping key written twice: the value at ``line`` (the last) is the one kept."""

    key: str
    first_line: int
    line: int


class _BoundedComposer(yaml.composer.Composer):
    """Builds the node graph from libyaml's events, counting nodes as they are built.

    libyaml's own composer builds the whole graph before anything can look at
    it: a 19 MB flat list took 3.5 GB. Counting here stops a document at
    :data:`MAX_PARSE_NODES`, with memory bounded by that count.
    """

    _nodes = 0
    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._nodes += 1
        if self._nodes > MAX_PARSE_NODES:
            event = self.peek_event()  # type: ignore[attr-defined]  # libyaml's CParser provides it
            raise TooManyNodes(
                f"the document has more than {MAX_PARSE_NODES:,} values (keys, items and scalars); refusing to read it",
                event.start_mark.line + 1,
            )
        if self._depth >= MAX_NESTING_DEPTH:  # before Python's recursion limit, with the line
            event = self.peek_event()  # type: ignore[attr-defined]
            raise ParseError(
                f"YAML nesting is deeper than {MAX_NESTING_DEPTH} levels; refusing to read it", event.start_mark.line + 1
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _TemplateLoader(_BoundedComposer, yaml.CSafeLoader):  # type: ignore[misc]
    """libyaml's safe loader (its scanner and parser) with CloudFormation tags, line numbers and a node bound."""

    def __init__(self, stream: str) -> None:
        yaml.CSafeLoader.__init__(self, stream)
        self.anchors: dict[str, Any] = {}

    duplicates: list[DuplicateKey] | None = None  # a list: keep the last value and record; None: refuse


def _construct_tag_value(loader: _TemplateLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    # Build the tagged sequence/mapping with our own line-keeping constructors.
    if isinstance(node, yaml.SequenceNode):
        generator = _construct_sequence(loader, node)
    else:
        generator = _construct_mapping(loader, node)  # type: ignore[arg-type]
    data = next(generator)
    for _ in generator:
        pass
    return data


def _intrinsic(key: str, value: Any, node: yaml.Node) -> LineDict:
    result = LineDict()
    result[key] = value
    result.line = node.start_mark.line + 1
    result.column = node.start_mark.column + 1
    result.key_lines[key] = result.line
    return result


def _construct_ref(loader: _TemplateLoader, node: yaml.Node) -> LineDict:
    return _intrinsic("Ref", _construct_tag_value(loader, node), node)


def _construct_condition(loader: _TemplateLoader, node: yaml.Node) -> LineDict:
    return _intrinsic("Condition", _construct_tag_value(loader, node), node)


def _construct_getatt(loader: _TemplateLoader, node: yaml.Node) -> LineDict:
    value = _construct_tag_value(loader, node)
    if isinstance(value, str):
        # ``!GetAtt A.B.C`` names resource A and attribute ``B.C``.
        resource, _, attribute = value.partition(".")
        value = [resource, attribute] if attribute else [resource]
    return _intrinsic("Fn::GetAtt", value, node)


def _make_fn_constructor(name: str) -> Any:
    key = f"Fn::{name}"

    def construct(loader: _TemplateLoader, node: yaml.Node) -> LineDict:
        return _intrinsic(key, _construct_tag_value(loader, node), node)

    return construct


def _construct_unknown_tag(loader: _TemplateLoader, suffix: str, node: yaml.Node) -> TaggedValue:
    return TaggedValue(f"!{suffix}", _construct_tag_value(loader, node), node.start_mark.line + 1)


def _refuse_python_tag(loader: _TemplateLoader, suffix: str, node: yaml.Node) -> Any:
    raise ParseError(
        f"refused the Python object tag {node.tag!r}: templates may not construct objects",
        node.start_mark.line + 1,
    )


def _construct_mapping(loader: _TemplateLoader, node: yaml.MappingNode) -> Any:
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.column = node.start_mark.column + 1
    yield data
    written = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)  # resolves ``<<`` merge keys
    merged = len(node.value) - written
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=False)
        if isinstance(key, (dict, list)):
            raise ParseError("a mapping key must be a plain value", key_node.start_mark.line + 1)
        key_line = key_node.start_mark.line + 1
        if key in data and not _same_key(data, key):
            key = key_node.value  # ``1:`` and ``true:`` are two keys, though 1 == True in Python
        if index >= merged and key in data and data.key_lines.get(key, -1) >= 0:
            if loader.duplicates is None:
                raise ParseError(f"duplicate key {key!r} (first written on line {data.key_lines[key]})", key_line)
            loader.duplicates.append(DuplicateKey(str(key), data.key_lines[key], key_line))
        data[key] = loader.construct_object(value_node, deep=False)
        # A merged key is marked negative until an explicit key overrides it.
        data.key_lines[key] = key_line if index >= merged else -key_line
    for key, line in data.key_lines.items():
        if line < 0:
            data.key_lines[key] = -line


def _same_key(data: dict[Any, Any], key: Any) -> bool:
    """Whether the key ``data`` holds equal to ``key`` is also of its type (``1``, ``1.0`` and ``True`` are equal)."""
    return any(type(existing) is type(key) for existing in data if existing == key)


def _construct_sequence(loader: _TemplateLoader, node: yaml.SequenceNode) -> Any:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.column = node.start_mark.column + 1
    yield data
    data.extend(loader.construct_object(child, deep=False) for child in node.value)
    data.item_lines = [child.start_mark.line + 1 for child in node.value]


_TemplateLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_TemplateLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
# Dates stay strings: ``AWSTemplateFormatVersion: 2010-09-09`` is a version, not a date.
_TemplateLoader.add_constructor("tag:yaml.org,2002:timestamp", _TemplateLoader.construct_yaml_str)  # type: ignore[type-var]
_TemplateLoader.add_constructor("!Ref", _construct_ref)
_TemplateLoader.add_constructor("!Condition", _construct_condition)
_TemplateLoader.add_constructor("!GetAtt", _construct_getatt)
for _name in _FN_TAGS:
    _TemplateLoader.add_constructor(f"!{_name}", _make_fn_constructor(_name))
_TemplateLoader.add_multi_constructor("!", _construct_unknown_tag)
_TemplateLoader.add_multi_constructor("tag:yaml.org,2002:python/", _refuse_python_tag)


def _check_expansion(document: Any) -> None:
    """Refuse documents whose alias expansion is too large to walk."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the path from the root: meeting one again is a recursive alias
    stack: list[tuple[Any, bool]] = [(document, False)]
    while stack:
        value, done = stack.pop()
        if not isinstance(value, (dict, list)):
            continue
        key = id(value)
        if done:
            open_nodes.discard(key)
            children = value.values() if isinstance(value, dict) else value
            total = 1
            for child in children:
                total += sizes.get(id(child), 1)
            sizes[key] = total
            if total > MAX_EXPANDED_NODES:
                raise ParseError(
                    f"YAML aliases expand this document beyond {MAX_EXPANDED_NODES:,} nodes "
                    "(an alias bomb?); refusing to read it",
                    line_of(value),
                )
            continue
        if key in open_nodes:
            raise ParseError(
                "a recursive YAML alias (an anchor used inside its own value) makes this document infinite; refusing to read it",
                line_of(value),
            )
        if key in sizes:
            continue
        sizes[key] = 1
        open_nodes.add(key)
        stack.append((value, True))
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, False) for child in children if isinstance(child, (dict, list)))


# Python refuses to read integers longer than this (CVE-2020-10735); 0 means no limit.
_MAX_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300
_LONG_NUMBER = re.compile(rf"\d{{{_MAX_DIGITS},}}")


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def long_number_error(text: str, syntax: str) -> ParseError:
    """The error for a number too long for Python to read, at the line where it is written."""
    found = _LONG_NUMBER.search(text)
    return ParseError(
        f"invalid {syntax}: a number with more digits than can be read ({len(found.group(0)):,})"
        if found
        else f"invalid {syntax}: a number that cannot be read",
        _line_at(text, found.start()) if found else 1,
    )


def nesting_error(text: str, syntax: str, opening: str = "[{", closing: str = "]}", limit: int = 500) -> ParseError:
    """The error for a document nested too deep to read, at the line where the nesting passes ``limit``.

    The brackets are counted naively (strings are not skipped): the line only points a person at the place.
    """
    depth = 0
    for index, char in enumerate(text):
        if char in opening:
            depth += 1
            if depth > limit:
                return ParseError(f"{syntax} nesting is too deep to read (over {limit} levels)", _line_at(text, index))
        elif char in closing:
            depth = max(0, depth - 1)
    return ParseError(f"{syntax} nesting is too deep to read", 1)


def parse_yaml(text: str, duplicates: list[DuplicateKey] | None = None) -> Any:
    """Parse one YAML document with CloudFormation tags; raise :class:`ParseError`.

    A key written twice in one mapping is refused, unless ``duplicates`` is a
    list: then the last value is kept and each repeat is appended to it.

    >>> found = []
    >>> parse_yaml("a: 1\nb: 2\na: 3\n", found), found
    ({'a': 3, 'b': 2}, [DuplicateKey(key='a', first_line=1, line=3)])
    """
    loader = _TemplateLoader(text)
    loader.duplicates = duplicates
    try:
        document = loader.get_single_data()
    except ParseError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        raise ParseError(f"invalid YAML: {problem}{context}", line) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise nesting_error(text, "YAML") from None
    except ValueError:  # an integer longer than Python's int-to-string limit
        raise long_number_error(text, "YAML") from None
    finally:
        loader.dispose()
    _check_expansion(document)
    return document


# --- JSON -----------------------------------------------------------------


_NEWLINE = re.compile("\n")


def _newline_offsets(text: str) -> list[int]:
    """The offset of every newline in ``text``, in order.

    >>> _newline_offsets("a\\nb\\n")
    [1, 3]
    """
    return [match.start() for match in _NEWLINE.finditer(text)]


class _LineJSONDecoder(json.JSONDecoder):
    """A JSON decoder that builds :class:`LineDict`/:class:`LineList` with lines.

    The standard scanner tells where each value starts; we record those
    offsets per object/array and map them to lines once the container closes.
    """

    def __init__(self, text: str, duplicates: list[DuplicateKey] | None = None) -> None:
        super().__init__()
        self._duplicates = duplicates
        # the regex scans in C; a per-character comprehension was a tenth of a JSON template's parse time
        self._newlines = _newline_offsets(text)
        self._starts: list[list[int]] = []
        self._nodes = 0
        self.parse_object = self._parse_object  # type: ignore[assignment]
        self.parse_array = self._parse_array  # type: ignore[assignment]
        self._inner_scan = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]
        self.scan_once = self._inner_scan

    def _line(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1

    def _column(self, offset: int) -> int:
        index = bisect.bisect_left(self._newlines, offset)
        return offset - (self._newlines[index - 1] + 1 if index else 0) + 1

    def _scan(self, text: str, index: int) -> Any:
        self._nodes += 1
        if self._nodes > MAX_PARSE_NODES:
            raise TooManyNodes(
                f"the document has more than {MAX_PARSE_NODES:,} values "
                "(objects, arrays and scalars; keys are not counted); refusing to read it",
                self._line(index),
            )
        self._starts[-1].append(index)
        return self._inner_scan(text, index)

    def _parse_object(self, s_and_end: tuple[str, int], strict: bool, scan_once: Any, *args: Any) -> Any:
        start = s_and_end[1] - 1
        self._check_depth(start)
        self._starts.append([])
        try:
            pairs, end = json.decoder.JSONObject(  # type: ignore[attr-defined]
                s_and_end, strict, self._scan, None, lambda p: p, {}
            )
        finally:
            offsets = self._starts.pop()
        result = LineDict()
        result.line = self._line(start)
        result.column = self._column(start)
        for (key, value), offset in zip(pairs, offsets, strict=False):
            line = self._line(offset)
            if key in result:
                if self._duplicates is None:
                    raise ParseError(f"duplicate key {key!r} (first written on line {result.key_lines[key]})", line)
                self._duplicates.append(DuplicateKey(key, result.key_lines[key], line))
            result[key] = value
            result.key_lines[key] = line
        return result, end

    def _check_depth(self, offset: int) -> None:
        if len(self._starts) >= MAX_NESTING_DEPTH:
            raise ParseError(f"JSON nesting is deeper than {MAX_NESTING_DEPTH} levels; refusing to read it", self._line(offset))

    def _parse_array(self, s_and_end: tuple[str, int], scan_once: Any) -> Any:
        start = s_and_end[1] - 1
        self._check_depth(start)
        self._starts.append([])
        try:
            values, end = json.decoder.JSONArray(s_and_end, self._scan)  # type: ignore[attr-defined]
        finally:
            offsets = self._starts.pop()
        result = LineList(values)
        result.line = self._line(start)
        result.column = self._column(start)
        result.item_lines = [self._line(offset) for offset in offsets]
        return result, end


def parse_json(text: str, duplicates: list[DuplicateKey] | None = None) -> Any:
    """Parse JSON keeping lines; raise :class:`ParseError` with the line of the problem (see :func:`parse_yaml`)."""
    decoder = _LineJSONDecoder(text, duplicates)
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise nesting_error(text, "JSON") from None
    except ValueError:  # an integer longer than Python's int-to-string limit
        raise long_number_error(text, "JSON") from None


def parse_text(text: str, *, json_first: bool = False, duplicates: list[DuplicateKey] | None = None) -> Any:
    """Parse a template's text: JSON when it looks like JSON, YAML otherwise.

    Duplicate keys are refused, or kept last-wins and listed in ``duplicates`` (see :func:`parse_yaml`).
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if json_first or stripped.startswith(("{", "[")):
        found: list[DuplicateKey] = []
        try:
            document = parse_json(text.lstrip("\ufeff"), None if duplicates is None else found)
        except ParseError as json_error:
            if not stripped.startswith(("{", "[")) or isinstance(json_error, TooManyNodes):
                raise
            # JSON-looking YAML (flow style with tags) is still YAML.
            try:
                return parse_yaml(text, duplicates)
            except ParseError:
                raise json_error from None
        if duplicates is not None:
            duplicates.extend(found)
        return document
    return parse_yaml(text, duplicates)


def decode_bytes(data: bytes) -> str:
    """Decode a template file (see :func:`~pytest_serverless_arch.files.decode_text`); raise :class:`ParseError`."""
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(f"file is {len(data):,} bytes; templates over {MAX_FILE_BYTES:,} bytes are not read")
    try:
        return decode_text(data)
    except UnreadableFile as exc:
        raise ParseError(exc.reason, exc.line) from None


def read_document(path: Path, root: Path, *, json_first: bool | None = None) -> Any:
    """Read (through :func:`~pytest_serverless_arch.files.read_text`) and parse one template-like file.

    Raises :class:`~pytest_serverless_arch.files.UnreadableFile` when the file
    may not or cannot be read, :class:`ParseError` when it is no valid YAML/JSON.
    ``json_first`` defaults to "the name ends in .json".
    """
    text = read_text(path, root)
    return parse_text(text, json_first=path.suffix.lower() == ".json" if json_first is None else json_first)
