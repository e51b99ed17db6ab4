"""Where a broken HCL file is broken: the error tree-sitter-hcl's tree shows, at the line a person looks at.

tree-sitter recovers from syntax errors and keeps parsing, so the tree of a
broken file has ERROR and MISSING nodes; :func:`syntax_error` turns the first
of them into one :class:`~.hcl_model.HclError` with its line.

>>> from .hcl_native import parse_native
>>> try:
...     parse_native('resource "aws_sqs_queue" "jobs" {\\n  name = "jobs"\\n', "main.tf")
... except HclError as exc:
...     print(exc.line, exc.message)
1 HCL syntax error: the file ends before the block that starts here is closed (column 1)
"""

from __future__ import annotations

from typing import Any

from ...escape import excerpt
from .hcl_model import HclError

__all__ = ["UNENDED_STRING", "syntax_error"]

Node = Any  # a tree_sitter.Node

UNENDED_STRING = 'HCL syntax error: a quoted string does not end on its line (a `"` is missing)'


def _line(node: Node) -> int:
    return int(node.start_point[0]) + 1


def _text(node: Node) -> str:
    return bytes(node.text).decode("utf-8", "surrogatepass")


def _first_error(root: Node) -> Node | None:
    """The innermost of the first ERROR or MISSING nodes, where tree-sitter gave up matching.

    An ERROR node can stretch back over everything the parser had not closed yet
    (from the top of the file, say); the first erroneous node inside it is where
    the input stopped making sense. A loop, not recursion: a hostile file may nest deep.
    """
    node = root
    while not node.is_missing:
        inner = next((child for child in node.children if child.has_error or child.is_missing), None)
        if inner is None:
            return node if node.is_error else None
        node = inner
    return node


def _multiline_string(root: Node, end: int, source: bytes) -> Node | None:
    """The first string before byte ``end`` that runs on over a line break: the usual cause of a syntax error further down.

    tree-sitter-hcl lets a quoted string span lines, so a missing closing ``"``
    swallows the next lines and the parse breaks somewhere after them. Only
    whole string nodes count, not the loose quotes of error recovery.
    """
    nodes = [root]
    while nodes:
        node = nodes.pop()
        if node.start_byte >= end:
            continue
        if node.type in ("string_lit", "quoted_template") and node.start_point[0] != node.end_point[0]:
            kids = node.children
            for before, after in zip(kids, kids[1:], strict=False):
                if b"\n" in source[before.end_byte : after.start_byte] or (
                    after.type == "template_literal" and b"\n" in bytes(after.text)
                ):
                    return node
        nodes.extend(reversed(node.children))
    return None


# What a token left open at the end of the file belongs to, to point at the line it was opened on.
_OPENERS = {
    "block": "block",
    "object": "object",
    "tuple": "tuple",
    "function_call": "function call",
    "for_tuple_expr": "`for` expression",
    "for_object_expr": "`for` expression",
    "heredoc_template": "heredoc",
    "quoted_template": "string",
    "string_lit": "string",
    "template_interpolation": "`${`",
    "template_directive": "`%{`",
}


def _syntax_error(node: Node, size: int) -> HclError:
    """The error for the first ERROR or MISSING node; a file cut short points at what it left open, as Terraform does."""
    line, column = _line(node), int(node.start_point[1]) + 1
    if node.is_missing:
        if node.start_byte < size:
            return HclError(f"HCL syntax error: `{excerpt(node.type, 20)}` is missing (column {column})", line)
        opener = node.parent
        while opener is not None and opener.type not in _OPENERS:
            opener = opener.parent
        if opener is None:
            return HclError(f"HCL syntax error: the file ends too early (column {column})", line)
        return HclError(
            f"HCL syntax error: the file ends before the {_OPENERS[opener.type]} that starts here is closed "
            f"(column {opener.start_point[1] + 1})",
            _line(opener),
        )
    found = _text(node)
    what = f"unexpected `{excerpt(found, 20)}`" if found.strip() else "unexpected input"
    return HclError(f"HCL syntax error: {what} (column {column})", line)


def syntax_error(root: Node, source: bytes) -> HclError:
    """The error of a tree with errors: a string run on over lines before it if there is one, else its first error node."""
    error = _first_error(root)
    if error is None:
        return HclError("HCL syntax error", 1)
    quote = _multiline_string(root, error.end_byte, source)
    if quote is not None:
        return HclError(UNENDED_STRING, _line(quote))
    return _syntax_error(error, len(source))
