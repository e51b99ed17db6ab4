"""What every HCL reader gives: files of blocks and attributes that keep their lines.

The native syntax (:mod:`.hcl_native`) and the JSON syntax (:mod:`.hcl`) both
produce these; a ``dynamic`` block is read as the blocks of its content.

>>> block = Block("resource", ("aws_sqs_queue", "jobs"), 1, "main.tf", {"name": Attribute("name", "jobs", 2)})
>>> block.get("name"), block.line_of("name"), block.line_of("tags")
('jobs', 2, 1)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Attribute", "Block", "HclError", "HclFile", "dynamic_blocks", "undynamic"]


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
    object_lines: tuple[int, ...] = ()  # the line of every ``{...}`` constructor in the value, in source order


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
    repeated_by: Any = None  # a ``dynamic`` block's ``for_each``: this block is its ``content``, repeated per item

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


def undynamic(block: Block) -> list[Block]:
    """A ``dynamic "x" { for_each = ...; content { ... } }`` block as ``x`` blocks of its content.

    A ``for_each`` written out as a tuple or an object gives one block per item, a value
    that is exactly ``${x.value}`` (or ``${x.key}``) replaced by the item. Any other
    ``for_each`` gives one block read once, keeping the triggers and accesses it wires
    (iterator references stay unresolved); it keeps the ``dynamic`` line and its
    ``for_each`` in ``repeated_by``. Blocks that are not dynamic pass through.
    """
    if block.type != "dynamic" or len(block.labels) != 1:
        return [block]
    contents = block.children("content")
    if not contents:
        return [block]
    content = contents[0]
    for_each = block.get("for_each", "?")
    iterator = str(block.get("iterator") or block.labels[0]).strip("${} ")
    items: list[tuple[Any, Any]] | None = None
    if isinstance(for_each, list):
        items = list(enumerate(for_each))
    elif isinstance(for_each, dict):
        items = list(for_each.items())
    if items is None:
        return [
            Block(
                block.labels[0],
                (),
                block.line,
                block.path,
                dict(content.attributes),
                content.blocks,
                content.duplicates,
                repeated_by=for_each,
            )
        ]
    return [
        _dynamic_instance(block, content, {f"${{{iterator}.key}}": key, f"${{{iterator}.value}}": value}) for key, value in items
    ]


def _dynamic_instance(block: Block, content: Block, replacements: dict[str, Any]) -> Block:
    """One ``for_each`` item of a dynamic block: its content with the iterator put in."""
    body = _substituted(content, replacements)
    return Block(block.labels[0], (), block.line, block.path, body.attributes, body.blocks, body.duplicates)


def _substituted(block: Block, replacements: dict[str, Any]) -> Block:
    def substitute(value: Any) -> Any:
        if isinstance(value, str):
            return replacements.get(value.replace(" ", ""), value)
        if isinstance(value, list):
            return [substitute(item) for item in value]
        if isinstance(value, dict):
            return {key: substitute(item) for key, item in value.items()}
        return value

    attributes = {
        name: Attribute(name, substitute(attribute.value), attribute.line, attribute.object_lines)
        for name, attribute in block.attributes.items()
    }
    blocks = tuple(_substituted(child, replacements) for child in block.blocks)
    return Block(block.type, block.labels, block.line, block.path, attributes, blocks, block.duplicates, block.repeated_by)


def dynamic_blocks(block: Block) -> Iterator[Block]:
    """The blocks inside ``block`` (at any depth) read from a ``dynamic`` block's content."""
    for child in block.blocks:
        if child.repeated_by is not None:
            yield child
        yield from dynamic_blocks(child)
