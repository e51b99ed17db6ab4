"""HCL files as blocks and attributes that keep their line numbers.

python-hcl2 8 parses HCL into a tree whose nodes carry lark positions, but
its ``with_meta`` serialization option is not implemented, so this module
walks the tree itself: every :class:`Block` and :class:`Attribute` knows its
line, and attribute values are serialized the classic python-hcl2 way
(strings without quotes, expressions as ``"${...}"`` strings, objects as
dicts, tuples as lists).

>>> hcl = parse_hcl('resource "aws_sqs_queue" "jobs" {\\n  name = "jobs-${var.stage}"\\n}\\n', "main.tf")
>>> block = hcl.blocks[0]
>>> block.type, block.labels, block.line, block.attributes["name"].value, block.attributes["name"].line
('resource', ('aws_sqs_queue', 'jobs'), 1, 'jobs-${var.stage}', 2)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Attribute", "Block", "HclError", "HclFile", "parse_expression", "parse_hcl", "read_hcl_file"]

MAX_HCL_BYTES = 2_000_000


class HclError(Exception):
    """An HCL file that cannot be parsed, with the line of the problem."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Attribute:
    """``name = value`` with the line it starts on."""

    name: str
    value: Any
    line: int


@dataclass(frozen=True)
class Block:
    """``type "label" ... { body }``: attributes and nested blocks, with lines."""

    type: str
    labels: tuple[str, ...]
    line: int
    path: str  # the file, relative to the repository root
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()
    duplicates: tuple[tuple[str, int], ...] = ()  # attribute names given twice, with the later line

    def get(self, name: str, default: Any = None) -> Any:
        attribute = self.attributes.get(name)
        return attribute.value if attribute is not None else default

    def line_of(self, name: str) -> int:
        attribute = self.attributes.get(name)
        return attribute.line if attribute is not None else self.line

    def children(self, type_name: str) -> list[Block]:
        return [block for block in self.blocks if block.type == type_name]


@dataclass(frozen=True)
class HclFile:
    """One parsed ``.tf`` or ``.tfvars`` file."""

    path: str
    blocks: tuple[Block, ...]
    attributes: dict[str, Attribute]


@functools.lru_cache(maxsize=1)
def _options() -> Any:
    from hcl2 import SerializationOptions

    return SerializationOptions(with_comments=False, strip_string_quotes=True, explicit_blocks=False,
                                preserve_heredocs=False)


def _line(node: Any) -> int:
    meta = getattr(node, "_meta", None)
    return int(getattr(meta, "line", 0) or 0)


def _label(node: Any) -> str:
    return str(node.serialize(_options()))


def _body(body: Any, path: str) -> tuple[dict[str, Attribute], tuple[Block, ...], tuple[tuple[str, int], ...]]:
    from hcl2.rules.base import AttributeRule, BlockRule

    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    duplicates: list[tuple[str, int]] = []
    for child in body.children:
        if isinstance(child, AttributeRule):
            name = _label(child.identifier)
            line = _line(child)
            if name in attributes:
                duplicates.append((name, line))
            attributes[name] = Attribute(name, child.expression.serialize(_options()), line)
        elif isinstance(child, BlockRule):
            labels = [_label(label) for label in child.labels]
            inner_attributes, inner_blocks, inner_duplicates = _body(child.body, path)
            blocks.append(Block(labels[0], tuple(labels[1:]), _line(child), path, inner_attributes,
                                inner_blocks, inner_duplicates))
    return attributes, tuple(blocks), tuple(duplicates)


def parse_hcl(text: str, path: str) -> HclFile:
    """Parse HCL text; raises :class:`HclError` with the line of a syntax error."""
    import hcl2
    from lark.exceptions import LarkError, UnexpectedInput

    # Terraform accepts a heredoc's closing marker followed by blanks; python-hcl2 does not.
    # Trailing blanks carry no meaning anywhere else, and dropping them keeps every line number.
    text = "\n".join(line.rstrip() for line in text.splitlines())
    try:
        tree = hcl2.parses(text, discard_comments=True)
        attributes, blocks, _ = _body(tree.body, path)
    except UnexpectedInput as exc:
        message = str(exc).split("\n", 1)[0]
        raise HclError(f"HCL syntax error: {message}", int(getattr(exc, "line", 0) or 0)) from None
    except (LarkError, RuntimeError, ValueError, TypeError) as exc:
        raise HclError(f"HCL cannot be read: {exc}", 0) from None
    return HclFile(path, blocks, attributes)


@functools.lru_cache(maxsize=512)
def _cached_parse(real_path: str, mtime_ns: int, size: int, relpath: str) -> HclFile | HclError:
    try:
        text = Path(real_path).read_text(encoding="utf-8", errors="replace")
        return parse_hcl(text, relpath)
    except HclError as exc:
        return exc
    except OSError as exc:
        return HclError(f"cannot read file: {exc.strerror}", 0)


def read_hcl_file(path: Path, relpath: str) -> HclFile:
    """Read and parse one file, once per run (cached by path, size and mtime)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise HclError(f"cannot read file: {exc.strerror}", 0) from None
    if stat.st_size > MAX_HCL_BYTES:
        raise HclError(f"file is {stat.st_size:,} bytes; HCL files over {MAX_HCL_BYTES:,} bytes are not read", 0)
    result = _cached_parse(str(path.resolve()), stat.st_mtime_ns, stat.st_size, relpath)
    if isinstance(result, HclError):
        raise HclError(result.message, result.line)
    return result


@functools.lru_cache(maxsize=1024)
def _parse_expression_cached(text: str) -> Any:
    import hcl2

    tree = hcl2.parses(f"value = {text}\n", discard_comments=True)
    attributes, _, _ = _body(tree.body, "")
    return attributes["value"].value


def parse_expression(text: str) -> Any:
    """An HCL expression (an object or tuple constructor, say) as a Python value, or None."""
    try:
        return _parse_expression_cached(text)
    except Exception:  # noqa: BLE001 - any parser failure means "not a literal we can read"
        return None
