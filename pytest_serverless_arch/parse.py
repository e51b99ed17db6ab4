"""Safe, fast, line-aware reading of YAML and JSON templates.

YAML goes through libyaml (``yaml.CSafeLoader``) with constructors for every
CloudFormation short tag, turned into the long form (``!Ref X`` ->
``{"Ref": "X"}``). Mappings and sequences come back as :class:`LineDict` and
:class:`LineList`, which remember the line of themselves and of each key or
item. Nothing is ever constructed from a Python tag and nothing is executed.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import json.decoder
import json.scanner
import re
import sys
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .collector import collector_paused
from .files import MAX_FILE_BYTES, UnreadableFile, decode_text, read_text

__all__ = [
    "DuplicateKey",
    "MAX_EXPANDED_NODES",
    "MAX_FILE_BYTES",
    "MAX_NESTING_DEPTH",
    "MAX_PARSE_NODES",
    "PARSE_CHARACTERS_PER_NODE",
    "LineDict",
    "describe_value",
    "LineList",
    "ParseError",
    "TaggedValue",
    "item_line",
    "key_line",
    "line_of",
    "node_limit",
    "strings_with_lines",
    "parse_json",
    "parse_text",
    "parse_yaml",
    "read_document",
]
# YAML aliases may add at most this many nodes to what a document holds when walked
# (a "billion laughs" document otherwise expands exponentially when walked).
MAX_EXPANDED_NODES = 2_000_000
# A file may hold this many values (the largest of 2,615 real templates holds 4,453) plus one for every
# PARSE_CHARACTERS_PER_NODE characters of its text: the parsers count as they build, so memory stays
# proportional to the file's size. Written text needs at least two characters a value (``[a,a,a]``), so
# only what is built beyond the text (YAML merge keys copying mappings) or the densest shapes reach it.
MAX_PARSE_NODES = 250_000
PARSE_CHARACTERS_PER_NODE = 2
# Real templates nest under 30 levels; the parsers recurse, so depth is refused (with its line) long
# before Python's recursion limit would end the parse without one.
MAX_NESTING_DEPTH = 100


def node_limit(text: str) -> int:
    """How many values a document of ``text`` may hold: :data:`MAX_PARSE_NODES` plus one per two characters.

    >>> node_limit("a" * 1_000_000)
    750000
    """
    return MAX_PARSE_NODES + len(text) // PARSE_CHARACTERS_PER_NODE


class ParseError(Exception):
    """A file that is not a readable template, with the 1-based line where it went wrong."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class TooManyNodes(ParseError):
    """A document past its :func:`node_limit`: refused whatever its syntax, never parsed again as YAML."""


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers where it, and each of its keys, was written.

    ``key_lines`` maps each key to its line. A mapping whose keys all sit on
    its own line (a one-line JSON object) keeps no dict of them: its
    ``key_lines`` is a view that answers with the mapping's line, and becomes a
    dict of its own on the first write (19 MB of small JSON objects would
    otherwise hold millions of one-key dicts).

    >>> one_line = LineDict(a=1, b=2)
    >>> one_line.line, one_line._key_lines = 3, None
    >>> dict(one_line.key_lines), one_line.line_of("b")
    ({'a': 3, 'b': 3}, 3)
    """

    __slots__ = ("line", "column", "_key_lines")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.column = 0
        self._key_lines: dict[Any, int] | None = {}

    @property
    def key_lines(self) -> MutableMapping[Any, int]:
        lines = self._key_lines
        return _KeysOnOwnLine(self) if lines is None else lines

    @key_lines.setter
    def key_lines(self, lines: MutableMapping[Any, int]) -> None:
        self._key_lines = lines if isinstance(lines, dict) else dict(lines)

    def _own_key_lines(self) -> dict[Any, int]:
        if self._key_lines is None:
            self._key_lines = dict.fromkeys(self, self.line)
        return self._key_lines

    def line_of(self, key: Any) -> int:
        """Line of ``key`` (or of the mapping itself when the key is unknown)."""
        lines = self._key_lines
        return self.line if lines is None else lines.get(key, self.line)


class _KeysOnOwnLine(MutableMapping[Any, int]):
    """``key_lines`` of a :class:`LineDict` whose keys all sit on its own line: every key answers its line."""

    __slots__ = ("_owner",)

    def __init__(self, owner: LineDict) -> None:
        self._owner = owner

    def __getitem__(self, key: Any) -> int:
        if dict.__contains__(self._owner, key):
            return self._owner.line
        raise KeyError(key)

    def get(self, key: Any, default: Any = None) -> Any:
        return self._owner.line if dict.__contains__(self._owner, key) else default

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self._owner, key)

    def __iter__(self) -> Iterator[Any]:
        return iter(dict.keys(self._owner))

    def __len__(self) -> int:
        return dict.__len__(self._owner)

    def __setitem__(self, key: Any, line: int) -> None:
        self._owner._own_key_lines()[key] = line

    def __delitem__(self, key: Any) -> None:
        del self._owner._own_key_lines()[key]

    def __repr__(self) -> str:
        return repr(dict(self))


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
    :attr:`node_limit` values (a base plus one for every two characters of the
    text, see :func:`node_limit`), with memory bounded by that count. A plain
    scalar inside a list or mapping, most of a template, takes a short path
    that builds its node without the general composer's per-node calls.
    """

    _nodes = 0
    _depth = 0
    node_limit = MAX_PARSE_NODES

    def _count(self, event: Any) -> None:
        self._nodes += 1
        if self._nodes > self.node_limit:
            raise TooManyNodes(
                f"the document has more than {self.node_limit:,} values (keys, items and scalars); refusing to read it",
                event.start_mark.line + 1,
            )
        if self._depth >= MAX_NESTING_DEPTH:  # before Python's recursion limit, with the line
            raise ParseError(
                f"YAML nesting is deeper than {MAX_NESTING_DEPTH} levels; refusing to read it", event.start_mark.line + 1
            )

    def count_merged(self, values: int, node: yaml.Node) -> None:
        """Count ``values`` that merge keys (``<<``) copied into ``node`` while constructing it."""
        self._nodes += values
        if self._nodes > self.node_limit:
            raise TooManyNodes(
                f"YAML merge keys (<<) copy this document past {self.node_limit:,} values; refusing to read it",
                node.start_mark.line + 1,
            )

    @property
    def nodes(self) -> int:
        """The values built so far (aliases count once, merged pairs as copied)."""
        return self._nodes

    aliased = False  # an alias was met: the document may share a value in many places

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[attr-defined]  # libyaml's CParser provides it
        self._count(event)
        if type(event) is yaml.AliasEvent:
            self.aliased = True
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _plain_scalar(self, event: Any) -> yaml.ScalarNode:
        """The node of a scalar event without an anchor, counted (the short path of :meth:`compose_node`)."""
        self.get_event()  # type: ignore[attr-defined]
        self._count(event)
        tag = event.tag
        if tag is None or tag == "!":
            tag = _resolve_scalar(event.value, event.implicit)
        # no end mark: nothing reads it, and a 19 MB list holds a million of them
        return yaml.ScalarNode(tag, event.value, event.start_mark, None, style=event.style)

    def compose_sequence_node(self, anchor: Any) -> Any:
        start_event = self.get_event()  # type: ignore[attr-defined]
        tag = start_event.tag
        if tag is None or tag == "!":
            tag = self.resolve(yaml.SequenceNode, None, start_event.implicit)  # type: ignore[attr-defined]
        node = yaml.SequenceNode(tag, [], start_event.start_mark, None, flow_style=start_event.flow_style)
        if anchor is not None:
            self.anchors[anchor] = node
        append = node.value.append
        peek = self.peek_event  # type: ignore[attr-defined]
        index = 0
        while True:
            event = peek()
            kind = type(event)
            if kind is yaml.SequenceEndEvent:
                break
            if kind is yaml.ScalarEvent and event.anchor is None:
                append(self._plain_scalar(event))
            else:
                append(self.compose_node(node, index))
            index += 1
        node.end_mark = self.get_event().end_mark  # type: ignore[attr-defined]
        return node

    def compose_mapping_node(self, anchor: Any) -> Any:
        start_event = self.get_event()  # type: ignore[attr-defined]
        tag = start_event.tag
        if tag is None or tag == "!":
            tag = self.resolve(yaml.MappingNode, None, start_event.implicit)  # type: ignore[attr-defined]
        node = yaml.MappingNode(tag, [], start_event.start_mark, None, flow_style=start_event.flow_style)
        if anchor is not None:
            self.anchors[anchor] = node
        append = node.value.append
        peek = self.peek_event  # type: ignore[attr-defined]
        while True:
            event = peek()
            kind = type(event)
            if kind is yaml.MappingEndEvent:
                break
            key = (
                self._plain_scalar(event) if kind is yaml.ScalarEvent and event.anchor is None else self.compose_node(node, None)
            )
            event = peek()
            if type(event) is yaml.ScalarEvent and event.anchor is None:
                append((key, self._plain_scalar(event)))
            else:
                append((key, self.compose_node(node, key)))
        node.end_mark = self.get_event().end_mark  # type: ignore[attr-defined]
        return node


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


# The long form of each CloudFormation short tag: ``!Ref X`` -> ``{"Ref": "X"}``.
_INTRINSIC_KEYS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
    **{f"!{name}": f"Fn::{name}" for name in _FN_TAGS},
}


def _intrinsic(key: str, value: Any, mark: Any) -> LineDict:
    """``{key: value}`` written at ``mark`` (a node's or an event's start mark); ``!GetAtt A.B.C`` splits its name.

    >>> _intrinsic("Fn::GetAtt", "Queue.Arn", yaml.Mark("t", 0, 4, 2, None, None))
    {'Fn::GetAtt': ['Queue', 'Arn']}
    """
    if key == "Fn::GetAtt" and isinstance(value, str):
        # ``!GetAtt A.B.C`` names resource A and attribute ``B.C``.
        resource, _, attribute = value.partition(".")
        value = [resource, attribute] if attribute else [resource]
    result = _new_mapping(LineDict)  # the slots are set here: LineDict.__init__ is a Python call a tag
    result[key] = value
    result.line = line = mark.line + 1
    result.column = mark.column + 1
    result._key_lines = {key: line}
    return result


def _construct_intrinsic(loader: _TemplateLoader, node: yaml.Node) -> LineDict:
    return _intrinsic(_INTRINSIC_KEYS[node.tag], _construct_tag_value(loader, node), node.start_mark)


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
    if merged:  # merge keys copy pairs: count them as built, or chained merges grow a document quadratically
        loader.count_merged(2 * merged, node)
    lines = data._own_key_lines()  # a dict: this mapping's keys may sit on many lines
    for index, (key_node, value_node) in enumerate(node.value):
        key = _construct_child(loader, key_node)
        if isinstance(key, (dict, list)):
            raise ParseError("a mapping key must be a plain value", key_node.start_mark.line + 1)
        key_line = key_node.start_mark.line + 1
        if key in data and not _same_key(data, key):
            key = key_node.value  # ``1:`` and ``true:`` are two keys, though 1 == True in Python
        if index >= merged and key in data and lines.get(key, -1) >= 0:
            if loader.duplicates is None:
                raise ParseError(f"duplicate key {key!r} (first written on line {lines[key]})", key_line)
            loader.duplicates.append(DuplicateKey(str(key), lines[key], key_line))
        data[key] = _construct_child(loader, value_node)
        # A merged key is marked negative until an explicit key overrides it.
        lines[key] = key_line if index >= merged else -key_line
    for key, line in lines.items():
        if line < 0:
            lines[key] = -line


_STR_TAG = "tag:yaml.org,2002:str"


def _construct_child(loader: _TemplateLoader, node: yaml.Node) -> Any:
    """``loader.construct_object(node)``, with a plain string's value taken directly (most of a template)."""
    if type(node) is yaml.ScalarNode and node.tag == _STR_TAG:
        return node.value  # what construct_yaml_str returns; a string needs no memo
    return loader.construct_object(node, deep=False)


def _same_key(data: dict[Any, Any], key: Any) -> bool:
    """Whether the key ``data`` holds equal to ``key`` is also of its type (``1``, ``1.0`` and ``True`` are equal)."""
    return any(type(existing) is type(key) for existing in data if existing == key)


def _construct_sequence(loader: _TemplateLoader, node: yaml.SequenceNode) -> Any:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.column = node.start_mark.column + 1
    yield data
    data.extend(_construct_child(loader, child) for child in node.value)
    data.item_lines = [child.start_mark.line + 1 for child in node.value]


_TemplateLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_TemplateLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
# Dates stay strings: ``AWSTemplateFormatVersion: 2010-09-09`` is a version, not a date.
_TemplateLoader.add_constructor("tag:yaml.org,2002:timestamp", _TemplateLoader.construct_yaml_str)  # type: ignore[type-var]
for _tag in _INTRINSIC_KEYS:
    _TemplateLoader.add_constructor(_tag, _construct_intrinsic)
_TemplateLoader.add_multi_constructor("!", _construct_unknown_tag)
_TemplateLoader.add_multi_constructor("tag:yaml.org,2002:python/", _refuse_python_tag)


def _checked_scalar(construct: Any) -> Any:
    """``construct`` (of ``!!int``, ``!!float``, ``!!bool``) refusing, at its line, a text it has no value for."""

    def checked(loader: _TemplateLoader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (IndexError, KeyError, ValueError):  # ``!!int ""``, ``!!bool maybe``, ``!!float x``
            if _LONG_NUMBER.search(node.value):
                raise  # an integer too long for Python: long_number_error names it
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise ParseError(f"invalid YAML: {node.value!r} is no {tag} value", node.start_mark.line + 1) from None

    return checked


for _tag in ("int", "float", "bool"):
    _TemplateLoader.add_constructor(
        f"tag:yaml.org,2002:{_tag}", _checked_scalar(_TemplateLoader.yaml_constructors[f"tag:yaml.org,2002:{_tag}"])
    )
# The implicit resolvers of a plain scalar by its first character (with those for any character), for
# _resolve_scalar; the loader has no path resolvers, so this is all Resolver.resolve does for a scalar.
_IMPLICIT_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    first: [*resolvers, *_TemplateLoader.yaml_implicit_resolvers.get(None, [])]
    for first, resolvers in _TemplateLoader.yaml_implicit_resolvers.items()
    if first is not None
}
_ANY_FIRST: list[tuple[str, re.Pattern[str]]] = _TemplateLoader.yaml_implicit_resolvers.get(None) or []


def _resolve_scalar(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag of an untagged scalar, as ``Resolver.resolve(ScalarNode, value, implicit)`` gives it.

    >>> _resolve_scalar("12", (True, False)), _resolve_scalar("12", (False, True)), _resolve_scalar("yes", (True, False))
    ('tag:yaml.org,2002:int', 'tag:yaml.org,2002:str', 'tag:yaml.org,2002:bool')
    """
    if implicit[0]:
        for tag, pattern in _IMPLICIT_RESOLVERS.get(value[:1], _ANY_FIRST):
            if pattern.match(value):
                return tag
    return _STR_TAG


def _check_expansion(document: Any, built: int = 0) -> None:
    """Refuse documents whose aliases add more than :data:`MAX_EXPANDED_NODES` to the ``built`` values when walked."""
    limit = MAX_EXPANDED_NODES + built
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the path from the root: meeting one again is a recursive alias
    stack: list[tuple[Any, bool]] = [(document, False)]
    while stack:
        value, done = stack.pop()
        if not isinstance(value, (dict, list, TaggedValue)):
            continue
        key = id(value)
        if done:
            open_nodes.discard(key)
            total = 1
            for child in _children(value):
                total += sizes.get(id(child), 1)
            sizes[key] = total
            if total > limit:
                raise ParseError(
                    f"YAML aliases expand this document by more than {MAX_EXPANDED_NODES:,} nodes "
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
        stack.extend((child, False) for child in _children(value) if isinstance(child, (dict, list, TaggedValue)))


def _children(value: dict[Any, Any] | list[Any] | TaggedValue) -> Any:
    """The values inside a mapping, a sequence or a tagged value (``!Foo [*a, *a]`` may hide aliases too)."""
    if isinstance(value, dict):
        return value.values()
    return (value.value,) if isinstance(value, TaggedValue) else value


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


class _NotPlainYAML(Exception):
    """The short reader met what it leaves to the composer and constructor (see :class:`_FastYAMLReader`)."""


def _too_many_values(limit: int, line: int) -> TooManyNodes:
    return TooManyNodes(f"the document has more than {limit:,} values (keys, items and scalars); refusing to read it", line)


def _too_deep(line: int) -> ParseError:
    return ParseError(f"YAML nesting is deeper than {MAX_NESTING_DEPTH} levels; refusing to read it", line)


def _event_line(event: Any) -> int:
    return event.start_mark.line + 1  # type: ignore[no-any-return]


_MERGE_TAG = "tag:yaml.org,2002:merge"
# What an untagged plain scalar resolved to its tag becomes: the loader's constructor of that tag. A
# merge key (``<<``) and ``=`` (the value tag, which the loader cannot construct) are left to the loader.
_PLAIN_CONSTRUCTORS: dict[str, Any] = {
    tag: _TemplateLoader.yaml_constructors[tag]
    for resolvers in _TemplateLoader.yaml_implicit_resolvers.values()
    for tag, _ in resolvers
    if tag != _MERGE_TAG and tag in _TemplateLoader.yaml_constructors
}
_SCALARS = yaml.constructor.SafeConstructor()  # what the constructors of int, float, bool and null are called on
_MISSING = object()


class _AnyText:
    def __contains__(self, first: object) -> bool:
        return True


# The first characters of a plain scalar that may resolve to a tag other than str ("1", "t", "~", "<"...);
# every character, should a resolver look at any first character.
_MAY_RESOLVE: Any = _AnyText() if _ANY_FIRST else frozenset(_IMPLICIT_RESOLVERS)
_ScalarEvent = yaml.ScalarEvent
_MappingStart = yaml.MappingStartEvent
_MappingEnd = yaml.MappingEndEvent
_SequenceStart = yaml.SequenceStartEvent
_SequenceEnd = yaml.SequenceEndEvent
_new_list = list.__new__


class _FastYAMLReader:
    """Builds a template's values straight from libyaml's events, without nodes or the constructor layer.

    It gives what :class:`_TemplateLoader` gives, value for value and line for
    line, counting values and depth the same way and at the same events, so a
    document past a bound is refused with the same message at the same line,
    and a syntax error is libyaml's own. What it does not build itself it
    leaves to the loader, which reads the text again: anchors and aliases, merge
    keys, a key written twice (or ``1`` beside ``true``), a key that is not an
    untagged scalar, explicit YAML tags (``!!int``), a scalar the loader's
    constructor would refuse, a second document. Those raise
    :class:`_NotPlainYAML` (2 of 1,755 YAML templates of the shared corpus).

    >>> document = _FastYAMLReader("a:\\n  - !Ref B\\n  - 2\\n", 100).read()
    >>> document, document["a"].item_lines, document["a"][0].line
    ({'a': [{'Ref': 'B'}, 2]}, [2, 3], 2)
    """

    def __init__(self, text: str, node_limit: int) -> None:
        self._parser = yaml._yaml.CParser(text)  # libyaml's parser alone: the events
        self._get: Callable[[], Any] = self._parser.get_event
        self._node_limit = node_limit
        self._nodes = 0
        self._plain: dict[str, Any] = {}  # each plain scalar's text -> its value, resolved once a document

    def read(self) -> Any:
        get = self._get
        try:
            get()  # the stream's start
            if type(get()) is yaml.StreamEndEvent:  # else the document's start
                return None
            value = self._node(get(), 0)
            get()  # the document's end
            if type(get()) is not yaml.StreamEndEvent:
                raise _NotPlainYAML  # a second document: the composer words the error
            return value
        finally:
            self._parser.dispose()

    def _node(self, event: Any, depth: int) -> Any:
        """The value of the node ``event`` starts, ``depth`` containers deep, counted (the composer's ``_count``)."""
        self._nodes += 1
        if self._nodes > self._node_limit:
            raise _too_many_values(self._node_limit, event.start_mark.line + 1)
        if depth >= MAX_NESTING_DEPTH:
            raise _too_deep(event.start_mark.line + 1)
        if event.anchor is not None:  # an anchor, or an alias (which has only its anchor)
            raise _NotPlainYAML
        kind = type(event)
        if kind is _ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                return self._resolved(event.value) if event.implicit[0] else event.value
            return self._tagged(tag, event.value, event.start_mark)
        value: LineDict | LineList
        if kind is _MappingStart:
            value = self._mapping(event, depth)
        elif kind is _SequenceStart:
            value = self._sequence(event, depth)
        else:
            raise _NotPlainYAML
        tag = event.tag
        return value if tag is None or tag == "!" else self._tagged(tag, value, event.start_mark)

    def _tagged(self, tag: str, value: Any, mark: Any) -> Any:
        """A value under an explicit tag: a short tag's long form, or a :class:`TaggedValue` of an unknown ``!tag``."""
        key = _INTRINSIC_KEYS.get(tag)
        if key is not None:
            return _intrinsic(key, value, mark)
        if tag.startswith("!") and tag not in _TemplateLoader.yaml_constructors:
            return TaggedValue(tag, value, mark.line + 1)
        raise _NotPlainYAML  # ``!!int``, ``!!python/...``: the constructor's own

    def _resolved(self, text: str) -> Any:
        """A plain (unquoted, untagged) scalar's value: its text, or what the tag it resolves to makes of it (``12`` -> 12).

        The readers ask only for a text whose first character some implicit
        resolver looks at (:data:`_MAY_RESOLVE`): any other is a string.
        """
        value = self._plain.get(text, _MISSING)
        if value is _MISSING:
            tag = _resolve_scalar(text, (True, False))
            if tag == _STR_TAG:
                value = text
            else:
                constructor = _PLAIN_CONSTRUCTORS.get(tag)
                if constructor is None:
                    raise _NotPlainYAML
                try:
                    value = constructor(_SCALARS, yaml.ScalarNode(tag, text))
                except (ValueError, yaml.YAMLError):  # an integer too long to read: the loader words it
                    raise _NotPlainYAML from None
            self._plain[text] = value
        return value

    def _mapping(self, start: Any, depth: int) -> LineDict:
        data: LineDict = _new_mapping(LineDict)  # the slots are set here: LineDict.__init__ is a Python call a mapping
        mark = start.start_mark
        data.line = mark.line + 1
        data.column = mark.column + 1
        lines: dict[Any, int] = {}
        data._key_lines = lines
        get = self._get
        inner = depth + 1
        plain = inner < MAX_NESTING_DEPTH  # children may take the short path (it skips the depth check)
        limit = self._node_limit
        while True:
            event = get()
            if type(event) is _MappingEnd:
                return data
            line = event.start_mark.line + 1
            if plain and type(event) is _ScalarEvent and event.tag is None and event.anchor is None:
                self._nodes += 1
                if self._nodes > limit:
                    raise _too_many_values(limit, line)
                key = event.value
                if event.implicit[0] and key[:1] in _MAY_RESOLVE:
                    key = self._resolved(key)
            else:
                key = self._node(event, inner)
                if isinstance(key, (dict, list, TaggedValue)):
                    raise _NotPlainYAML  # refused (or kept) by the constructor, with its words
            if key in data:
                raise _NotPlainYAML  # written twice (or ``1`` beside ``true``): the constructor refuses or records it
            event = get()
            if plain and type(event) is _ScalarEvent and event.tag is None and event.anchor is None:
                self._nodes += 1
                if self._nodes > limit:
                    raise _too_many_values(limit, _event_line(event))
                value = event.value
                data[key] = self._resolved(value) if event.implicit[0] and value[:1] in _MAY_RESOLVE else value
            else:
                data[key] = self._node(event, inner)
            lines[key] = line

    def _sequence(self, start: Any, depth: int) -> LineList:
        data = _new_list(LineList)
        mark = start.start_mark
        data.line = mark.line + 1
        data.column = mark.column + 1
        item_lines: list[int] = []
        data.item_lines = item_lines
        append = data.append
        get = self._get
        inner = depth + 1
        plain = inner < MAX_NESTING_DEPTH
        limit = self._node_limit
        while True:
            event = get()
            if type(event) is _SequenceEnd:
                return data
            line = event.start_mark.line + 1
            if plain and type(event) is _ScalarEvent and event.tag is None and event.anchor is None:
                self._nodes += 1
                if self._nodes > limit:
                    raise _too_many_values(limit, line)
                value = event.value
                append(self._resolved(value) if event.implicit[0] and value[:1] in _MAY_RESOLVE else value)
            else:
                append(self._node(event, inner))
            item_lines.append(line)


def _yaml_error(exc: yaml.YAMLError) -> ParseError:
    """PyYAML's error in our words, at its line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        return ParseError(f"invalid YAML: {problem}{context}", line)
    return ParseError(f"invalid YAML: {exc}")


def parse_yaml(text: str, duplicates: list[DuplicateKey] | None = None) -> Any:
    """Parse one YAML document with CloudFormation tags; raise :class:`ParseError`.

    A key written twice in one mapping is refused, unless ``duplicates`` is a
    list: then the last value is kept and each repeat is appended to it.

    >>> found = []
    >>> parse_yaml("a: 1\\nb: 2\\na: 3\\n", found), found
    ({'a': 3, 'b': 2}, [DuplicateKey(key='a', first_line=1, line=3)])
    """
    try:
        return _FastYAMLReader(text, node_limit(text)).read()
    except _NotPlainYAML:
        return _load_yaml(text, duplicates)
    except ParseError:
        raise
    except yaml.YAMLError as exc:
        raise _yaml_error(exc) from None


def _load_yaml(text: str, duplicates: list[DuplicateKey] | None) -> Any:
    """:func:`parse_yaml` through the composer and constructor (:class:`_TemplateLoader`): every YAML document."""
    loader = _TemplateLoader(text)
    loader.duplicates = duplicates
    loader.node_limit = node_limit(text)
    try:
        document = loader.get_single_data()
    except ParseError:
        raise
    except yaml.YAMLError as exc:
        raise _yaml_error(exc) from None
    except RecursionError:
        raise nesting_error(text, "YAML") from None
    except ValueError:  # an integer longer than Python's int-to-string limit
        raise long_number_error(text, "YAML") from None
    finally:
        loader.dispose()
    # without aliases a walk meets each value once, and every value was counted as built: no walk needed
    if loader.aliased:  # aliases may add MAX_EXPANDED_NODES to what was built
        _check_expansion(document, loader.nodes)
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
        self._node_limit = node_limit(text)
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
        if self._nodes > self._node_limit:
            raise TooManyNodes(
                f"the document has more than {self._node_limit:,} values "
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


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {"n": ("null", None), "t": ("true", True), "f": ("false", False)}
_DIGITS = frozenset("-0123456789")
# an integer not followed by a fraction or an exponent (else _NUMBER reads it, as a float)
_INTEGER = re.compile(r"-?(?:0|[1-9]\d*)(?![.eE\d])")


_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # the C scanner of JSON strings
_new_mapping = dict.__new__


class _NotPlainJSON(Exception):
    """The short reader met what it leaves to the exact decoder: an error, NaN, a duplicate key, too deep."""


class _FastJSONReader:
    """A line-aware JSON reader for valid documents, about twice as fast as :class:`_LineJSONDecoder`.

    It reads left to right in one pass, so the offsets where values start only
    grow: one cursor counts the newlines behind it instead of a search per value.
    Anything but a plain valid document (a syntax error, ``NaN``, a duplicate
    key, nesting past the bound) raises :class:`_NotPlainJSON`, and the exact
    decoder reads the text again to word the error; a document past the node
    bound is refused here, at the line of the first value too many.

    >>> _FastJSONReader('{"a": [1,\\n 2]}', 100).read().key_lines, _FastJSONReader('[1,\\n 2]', 100).read().item_lines
    ({'a': 1}, [1, 2])
    """

    def __init__(self, text: str, node_limit: int) -> None:
        self._text = text
        self._node_limit = node_limit
        self._nodes = 0
        self._depth = 0
        self._cursor = 0  # newlines are counted up to here
        self._line = 1  # the line at the cursor
        self._line_start = 0  # the offset where that line starts

    def read(self) -> Any:
        text = self._text
        index = _WHITESPACE.match(text, 0).end()  # type: ignore[union-attr]
        line = self._at(index)  # the top value is not counted, as in the exact decoder
        value, end = self._value(index, line)
        if _WHITESPACE.match(text, end).end() != len(text):  # type: ignore[union-attr]
            raise _NotPlainJSON  # extra data
        return value

    def _at(self, offset: int) -> int:
        """The line of ``offset``, which is never before the last offset asked about."""
        count = self._text.count("\n", self._cursor, offset)
        if count:
            self._line += count
            self._line_start = self._text.rfind("\n", self._cursor, offset) + 1
        self._cursor = offset
        return self._line

    def _counted(self, offset: int) -> int:
        """Count the value starting at ``offset``; its line (:meth:`_at`, inlined: it runs once a value)."""
        self._nodes += 1
        count = self._text.count("\n", self._cursor, offset)
        if count:
            self._line += count
            self._line_start = self._text.rfind("\n", self._cursor, offset) + 1
        self._cursor = offset
        if self._nodes > self._node_limit:
            raise TooManyNodes(
                f"the document has more than {self._node_limit:,} values "
                "(objects, arrays and scalars; keys are not counted); refusing to read it",
                self._line,
            )
        return self._line

    def _value(self, index: int, line: int) -> tuple[Any, int]:
        """The value starting at ``index`` (on ``line``, where the cursor is) and the offset after it."""
        text = self._text
        char = text[index : index + 1]
        if char == '"':
            return _scanstring(text, index + 1, True)  # type: ignore[no-any-return]
        if char == "{":
            return self._object(index, line)
        if char == "[":
            return self._array(index, line)
        literal = _LITERALS.get(char)
        if literal is not None:
            if not text.startswith(literal[0], index):
                raise _NotPlainJSON
            return literal[1], index + len(literal[0])
        number = _NUMBER.match(text, index)
        if number is None:
            raise _NotPlainJSON  # NaN, Infinity or no value at all
        integer, fraction, exponent = number.groups()
        if fraction or exponent:
            return float(integer + (fraction or "") + (exponent or "")), number.end()
        return int(integer), number.end()

    def _object(self, start: int, line: int) -> tuple[LineDict, int]:
        if self._depth >= MAX_NESTING_DEPTH:
            raise _NotPlainJSON
        self._depth += 1
        text = self._text
        whitespace = _WHITESPACE.match
        result = _new_mapping(LineDict)  # the slots are set here: LineDict.__init__ is a Python call a mapping
        result.line = line
        result.column = start - self._line_start + 1
        key_lines: dict[Any, int] | None = None  # stays None while every key is on the mapping's line
        index = whitespace(text, start + 1).end()  # type: ignore[union-attr]
        if text[index : index + 1] != "}":
            while True:
                if text[index : index + 1] != '"':
                    raise _NotPlainJSON
                key, index = _scanstring(text, index + 1, True)
                index = whitespace(text, index).end()  # type: ignore[union-attr]
                if text[index : index + 1] != ":":
                    raise _NotPlainJSON
                index = whitespace(text, index + 1).end()  # type: ignore[union-attr]
                value_line = self._counted(index)
                char = text[index : index + 1]
                if char == '"':
                    value, index = _scanstring(text, index + 1, True)
                elif char in _DIGITS and (number := _INTEGER.match(text, index)) is not None:
                    value, index = int(number.group()), number.end()  # a plain integer, the common number
                else:
                    value, index = self._value(index, value_line)
                if dict.__contains__(result, key):
                    raise _NotPlainJSON  # the exact decoder refuses or records it
                dict.__setitem__(result, key, value)
                if key_lines is None and value_line != line:
                    key_lines = dict.fromkeys(result, line)
                if key_lines is not None:
                    key_lines[key] = value_line
                index = whitespace(text, index).end()  # type: ignore[union-attr]
                char = text[index : index + 1]
                if char == "}":
                    break
                if char != ",":
                    raise _NotPlainJSON
                index = whitespace(text, index + 1).end()  # type: ignore[union-attr]
        result._key_lines = key_lines
        self._depth -= 1
        return result, index + 1

    def _array(self, start: int, line: int) -> tuple[LineList, int]:
        if self._depth >= MAX_NESTING_DEPTH:
            raise _NotPlainJSON
        self._depth += 1
        text = self._text
        whitespace = _WHITESPACE.match
        result = LineList()
        result.line = line
        result.column = start - self._line_start + 1
        append = result.append
        item_lines = result.item_lines
        index = whitespace(text, start + 1).end()  # type: ignore[union-attr]
        if text[index : index + 1] != "]":
            while True:
                item_line = self._counted(index)
                item_lines.append(item_line)
                if text[index : index + 1] == "{":
                    value, index = self._object(index, item_line)
                else:
                    value, index = self._value(index, item_line)
                append(value)
                index = whitespace(text, index).end()  # type: ignore[union-attr]
                char = text[index : index + 1]
                if char == "]":
                    break
                if char != ",":
                    raise _NotPlainJSON
                index = whitespace(text, index + 1).end()  # type: ignore[union-attr]
        self._depth -= 1
        return result, index + 1


_INDENTATION = re.compile(r"\n[ \t]+")


def _refuse_constant(name: str) -> Any:
    raise _NotPlainJSON  # NaN and Infinity: the exact decoder's (the short reader leaves them to it)


def _read_laid_out(text: str, node_limit: int) -> Any:
    r"""A JSON document laid out one value to a line (``json.dumps(..., indent=2)``, ``JSON.stringify(..., null, 2)``).

    Parsed by the C ``json`` module; its lines follow from its structure
    once the layout is proven, in C-speed string operations: with each line's
    indentation removed and the line breaks after an opening and before a
    closing bracket joined, the text must be exactly ``json.dumps`` of its
    value with ``",\n"`` between items, with one break after every opening and
    before every closing bracket of a non-empty list or mapping. Then every
    value of a list or mapping starts its own line, in order, and a key shares
    the line of its value. Anything else (another layout, a key written twice,
    ``NaN``, nesting past the bound, too many values) raises
    :class:`_NotPlainJSON`, and the short reader reads the text.

    >>> document = _read_laid_out('{\n  "a": [\n    1,\n    {}\n  ],\n  "b": "x"\n}\n', 100)
    >>> document.key_lines, document["a"].item_lines, (document["a"][1].line, document["a"][1].column)
    ({'a': 2, 'b': 6}, [3, 4], (4, 5))
    """
    start = len(text) - len(text.lstrip(" \t\r\n"))
    body = text[start:].rstrip(" \t\r\n")
    if "\r" in body:
        body = body.replace("\r\n", "\n")  # a lone \r is left, for the comparison below to refuse
    joined = _INDENTATION.sub("\n", body)
    if "{\n}" in joined or "[\n]" in joined:
        raise _NotPlainJSON  # an empty mapping or list over two lines: its structure does not say so
    openings = joined.count("{\n") + joined.count("[\n")
    closings = joined.count("\n}") + joined.count("\n]")
    joined = joined.replace("{\n", "{").replace("[\n", "[").replace("\n}", "}").replace("\n]", "]")
    try:
        value = json.loads(joined, parse_constant=_refuse_constant)
        laid_out = json.dumps(value, separators=(",\n", ": "), ensure_ascii=joined.isascii())
    except (ValueError, RecursionError):  # not JSON, an integer too long for Python, nesting past the C limit
        raise _NotPlainJSON from None
    if laid_out != joined:
        raise _NotPlainJSON
    if not isinstance(value, (dict, list)):
        return value
    lines = body.split("\n")
    walk = _LaidOutWalk(lines, text.count("\n", 0, start), start - (text.rfind("\n", 0, start) + 1), node_limit)
    try:
        document, last = walk.container(value, 0, 0)
    except IndexError:  # more values than lines: some share a line (``[\n{"a": 1},\n{"a": 2}\n]``)
        raise _NotPlainJSON from None
    if not openings == closings == walk.closed or last != len(lines) - 1:
        raise _NotPlainJSON  # a break missing after an opening or before a closing bracket
    return document


class _LaidOutWalk:
    """Builds :class:`LineDict`/:class:`LineList` from a laid-out document's value, one line a value (:func:`_read_laid_out`)."""

    def __init__(self, lines: list[str], first_line: int, first_column: int, node_limit: int) -> None:
        self._lines = lines
        self._first_line = first_line + 1  # the line of the text that lines[0] is (1-based)
        self._first_column = first_column  # where lines[0] starts on that line
        self._node_limit = node_limit
        self._nodes = 0
        self.closed = 0  # non-empty lists and mappings: each has a line of its own for its closing bracket

    def container(self, value: dict[str, Any] | list[Any], depth: int, at: int) -> tuple[LineDict | LineList, int]:
        """``value`` opened on ``lines[at]``, with its lines, and the index of its closing line."""
        if depth >= MAX_NESTING_DEPTH:
            raise _NotPlainJSON  # the exact decoder refuses it, at its line
        first = self._first_line
        shift = self._first_column if at == 0 else 0
        nodes, limit, cursor = self._nodes, self._node_limit, at
        data: LineDict | LineList
        if type(value) is dict:
            data = _new_mapping(LineDict)
            data.line, data.column = at + first, self._lines[at].rfind("{") + 1 + shift
            if not value:
                data._key_lines = None
                return data, at
            key_lines: dict[Any, int] = {}
            data._key_lines = key_lines
            for key, child in value.items():
                cursor += 1
                nodes += 1
                if nodes > limit:
                    raise _NotPlainJSON  # the short reader refuses it, at the line of the value too many
                key_lines[key] = cursor + first
                if type(child) is dict or type(child) is list:
                    self._nodes = nodes
                    child, cursor = self.container(child, depth + 1, cursor)
                    nodes = self._nodes
                data[key] = child
        else:
            data = _new_list(LineList)
            data.line, data.column = at + first, self._lines[at].rfind("[") + 1 + shift
            item_lines: list[int] = []
            data.item_lines = item_lines
            if not value:
                return data, at
            append, add_line = data.append, item_lines.append
            for child in value:
                cursor += 1
                nodes += 1
                if nodes > limit:
                    raise _NotPlainJSON
                add_line(cursor + first)
                if type(child) is dict or type(child) is list:
                    self._nodes = nodes
                    child, cursor = self.container(child, depth + 1, cursor)
                    nodes = self._nodes
                append(child)
        self._nodes = nodes
        self.closed += 1
        return data, cursor + 1  # the closing bracket's line


def parse_json(text: str, duplicates: list[DuplicateKey] | None = None) -> Any:
    """Parse JSON keeping lines; raise :class:`ParseError` with the line of the problem (see :func:`parse_yaml`)."""
    with contextlib.suppress(_NotPlainJSON):
        return _read_laid_out(text, node_limit(text))
    return _read_json(text, duplicates)


def _read_json(text: str, duplicates: list[DuplicateKey] | None) -> Any:
    """:func:`parse_json` by the short reader, or the exact decoder when that one declines: any JSON document."""
    try:
        return _FastJSONReader(text, node_limit(text)).read()
    except (_NotPlainJSON, ValueError, IndexError):  # JSONDecodeError is a ValueError: word it exactly below
        pass
    decoder = _LineJSONDecoder(text, duplicates)
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise nesting_error(text, "JSON") from None
    except ValueError:  # an integer longer than Python's int-to-string limit
        raise long_number_error(text, "JSON") from None


# Past this size the cyclic garbage collector is paused while parsing: a parse builds millions of
# containers and no cycles, and each collection would walk all of them again (a quarter of a 19 MB parse).
_GC_PAUSE_CHARACTERS = 1_000_000


def _gc_paused(text: str) -> contextlib.AbstractContextManager[None]:
    if len(text) < _GC_PAUSE_CHARACTERS:
        return contextlib.nullcontext()
    return collector_paused(hold=True)


def parse_text(text: str, *, json_first: bool = False, duplicates: list[DuplicateKey] | None = None) -> Any:
    """Parse a template's text: JSON when it looks like JSON, YAML otherwise.

    Duplicate keys are refused, or kept last-wins and listed in ``duplicates`` (see :func:`parse_yaml`).
    """
    with _gc_paused(text):
        return _parse_text(text, json_first=json_first, duplicates=duplicates)


def _parse_text(text: str, *, json_first: bool, duplicates: list[DuplicateKey] | None) -> Any:
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
