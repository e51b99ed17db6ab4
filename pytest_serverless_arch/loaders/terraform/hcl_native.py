"""HCL's native syntax (``.tf``, ``.tfvars``) read with tree-sitter-hcl into blocks and attributes with lines.

tree-sitter-hcl is a C parser with exact positions on every node; this module
walks its tree and serializes attribute values the classic python-hcl2 way,
the shape everything downstream reads: strings without quotes (escapes
resolved), expressions as ``"${...}"`` strings, objects as dicts, tuples as
lists, numbers and ``true``/``false``/``null`` as Python values.

tree-sitter recovers from syntax errors; a file with any ERROR or MISSING
node is refused at the first one's line, never read in part.

>>> hcl = parse_native('resource "aws_sqs_queue" "jobs" {\\n  name = "jobs-${var.stage}"\\n}\\n', "main.tf")
>>> block = hcl.blocks[0]
>>> block.type, block.labels, block.line, block.attributes["name"].value, block.attributes["name"].line
('resource', ('aws_sqs_queue', 'jobs'), 1, 'jobs-${var.stage}', 2)
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any

from ...escape import excerpt
from ...parse import MAX_NESTING_DEPTH, long_number_error, nesting_error
from .hcl_errors import UNENDED_STRING, syntax_error
from .hcl_model import Attribute, Block, HclError, HclFile, undynamic

__all__ = ["parse_native"]

Node = Any  # a tree_sitter.Node (the package ships no types mypy reads here)

# Python refuses to turn longer digit strings into an int (sys.get_int_max_str_digits).
_MAX_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300
# Escaped template sequences are literal text whose backslashes are not escapes.
_ESCAPED_TEMPLATE = re.compile(r"(\$\$\{[^}]*\}|%%\{[^}]*\})")
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_UNICODE_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LABELS = frozenset({"identifier", "string_lit"})
_DIRECTIVE_TAGS = frozenset(
    {"template_if_intro", "template_else_intro", "template_if_end", "template_for_start", "template_for_end"}
)


_TEMPLATE_SEQUENCE = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")
_BLOCK_HEADER = "a block's type, labels and `{` are written on one line"


def _on_one_line(first: Node, rest: Any, rule: str, chain: bool = False) -> None:
    """Refuse a line break tree-sitter-hcl took for a blank: HCL ends an argument or a block header at the line's end.

    ``chain``: each node must start on the line the one before it ends on (else all on ``first``'s line).
    """
    row = first.end_point[0] if chain else first.start_point[0]
    for node in rest:
        if node.start_point[0] != row:
            raise HclError(
                f"HCL syntax error: unexpected `{excerpt(_text(node), 20)}`: {rule} (column {node.start_point[1] + 1})",
                _line(node),
            )
        if chain:
            row = node.end_point[0]


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def _kids(node: Node) -> list[Node]:
    return [child for child in node.children if child.type != "comment"]


def _text(node: Node) -> str:
    return bytes(node.text).decode("utf-8", "surrogatepass")


def _line(node: Node) -> int:
    return int(node.start_point[0]) + 1


def _dollar(value: str) -> str:
    """``${value}``, unless it already is one (python-hcl2's ``to_dollar_string``)."""
    return value if value.startswith("${") and value.endswith("}") else f"${{{value}}}"


def _resolve_escapes(text: str) -> str:
    """A quoted template's literal text as its value: ``\\n``, ``\\"``, ``\\uNNNN``... resolved in one pass."""
    if "\\" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "\\" or index + 1 >= len(text):
            out.append(char)
            index += 1
            continue
        marker = text[index + 1]
        if marker in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[marker])
            index += 2
            continue
        found = _UNICODE_ESCAPE.match(text, index)
        if found:
            code = int(found.group(1) or found.group(2), 16)
            if code <= 0x10FFFF and not 0xD800 <= code < 0xE000:
                out.append(chr(code))
                index = found.end()
                continue
        out.append(char + marker)  # an unknown escape stays as written
        index += 2
    return "".join(out)


def _literal_value(text: str) -> str:
    """Literal template text as a value: escapes resolved, ``$${...}`` and ``%%{...}`` kept as written."""
    if "\\" not in text:
        return text
    return "".join(part if index % 2 else _resolve_escapes(part) for index, part in enumerate(_ESCAPED_TEMPLATE.split(text)))


def _strip_closing_marker_line(body: str) -> str:
    """A heredoc body without the blanks before its closing marker and the line break before them."""
    body = body.rstrip(" \t")
    return body[:-1] if body.endswith("\n") else body


class _Reader:
    """One file's tree turned into blocks and values; ``object_lines`` collects per attribute."""

    def __init__(self, path: str, source: bytes) -> None:
        self.path = path
        self.source = source
        self.object_lines: list[int] = []
        self.depth = 0
        self.open = 0  # brackets, braces, parentheses and ${...} around the current node: line breaks mean nothing in them

    # --- bodies -------------------------------------------------------------------

    def body(self, node: Node | None) -> tuple[dict[str, Attribute], tuple[Block, ...], tuple[tuple[str, int], ...]]:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        duplicates: list[tuple[str, int]] = []
        if node is None:
            return attributes, (), ()
        for child in node.children:
            if child.type == "attribute":
                name_node, equals, value_node = _kids(child)
                name, line = _text(name_node), _line(child)
                _on_one_line(name_node, (equals, value_node), "an argument's name, `=` and value start on one line")
                if name in attributes:
                    duplicates.append((name, line))
                self.object_lines = []
                value = self.expression(value_node, False)
                attributes[name] = Attribute(name, value, line, tuple(self.object_lines))
            elif child.type == "block":
                blocks.extend(self.block(child))
        return attributes, tuple(blocks), tuple(duplicates)

    def block(self, node: Node) -> list[Block]:
        self.enter(node)
        kids = _kids(node)
        header = [kid for kid in kids if kid.type in _LABELS]
        _on_one_line(header[0], [*header[1:], *(kid for kid in kids if kid.type == "block_start")], _BLOCK_HEADER)
        labels = [self.label(kid) if kid.type == "string_lit" else _text(kid) for kid in header]
        body = next((kid for kid in kids if kid.type == "body"), None)
        attributes, blocks, duplicates = self.body(body)
        self.depth -= 1
        return undynamic(Block(labels[0], tuple(labels[1:]), _line(node), self.path, attributes, blocks, duplicates))

    def label(self, node: Node) -> str:
        text = self.string(node, False)
        if _TEMPLATE_SEQUENCE.search(self.source[node.start_byte : node.end_byte].decode("utf-8", "surrogatepass")):
            raise HclError("HCL syntax error: a block label is a plain string (no `${...}` or `%{...}`)", _line(node))
        return text

    # --- expressions --------------------------------------------------------------

    def enter(self, node: Node) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise _TooDeep(_line(node))

    def expression(self, node: Node, dollar: bool) -> Any:
        """An ``expression`` node; ``dollar`` is python-hcl2's "inside a ${...} string" context."""
        self.enter(node)
        kids = _kids(node)
        value = self.conditional(kids[0], dollar) if kids[0].type == "conditional" else self.term(kids, dollar)
        self.depth -= 1
        return value

    def term(self, kids: list[Node], dollar: bool) -> Any:
        """A term and its postfix accesses (``.attr``, ``[index]``, ``.0``, splats), as tree-sitter lays them side by side."""
        if kids[0].type == "(":
            base_end = next(index for index, kid in enumerate(kids) if kid.type == ")") + 1
        else:
            base_end = 1
        if base_end == len(kids):
            return self.base(kids, dollar)
        if not self.open:  # outside brackets a line break ends the expression: `x` then `.y` on the next line is no access
            _on_one_line(
                kids[base_end - 1], kids[base_end:], "an access (`.name`, `[key]`) continues its expression's line", chain=True
            )
        text = str(self.base(kids[:base_end], True)) + "".join(self.postfix(kid) for kid in kids[base_end:])
        return text if dollar else _dollar(text)

    def postfix(self, node: Node) -> str:
        kind = node.type
        if kind == "get_attr":
            return "." + _text(_kids(node)[1])
        if kind == "index":
            return self.postfix(_kids(node)[0])
        if kind == "new_index":
            self.open += 1
            index = self.expression(_kids(node)[1], True)
            self.open -= 1
            return f"[{index}]"
        if kind == "legacy_index":
            return "." + str(self.integer(_text(node)[1:].strip(), node))
        if kind == "splat":
            return self.postfix(_kids(node)[0])
        if kind in ("attr_splat", "full_splat"):
            kids = _kids(node)
            return _text(kids[0]) + "".join(self.postfix(kid) for kid in kids[1:])
        raise HclError(f"HCL syntax error: unexpected `{excerpt(_text(node), 20)}`", _line(node))

    def base(self, kids: list[Node], dollar: bool) -> Any:
        first = kids[0]
        kind = first.type
        if kind == "(":
            self.open += 1
            inner = self.expression(kids[1], dollar)
            self.open -= 1
            if isinstance(inner, str) and inner.startswith("${") and inner.endswith("}"):
                wrapped = f"${{({inner[2:-1]})}}"
            else:
                wrapped = f"({inner})"
            return wrapped if dollar else _dollar(wrapped)
        if kind == "literal_value":
            return self.literal(_kids(first)[0], dollar)
        if kind == "variable_expr":
            return _text(first)
        if kind == "template_expr":
            template = _kids(first)[0]
            return self.heredoc(template) if template.type == "heredoc_template" else self.string(template, dollar)
        if kind == "collection_value":
            collection = _kids(first)[0]
            return self.tuple(collection, dollar) if collection.type == "tuple" else self.object(collection, dollar)
        if kind == "function_call":
            return self.function_call(first, dollar)
        if kind == "for_expr":
            return self.for_expression(_kids(first)[0], dollar)
        if kind == "operation":
            operation = _kids(first)[0]
            return self.unary(operation, dollar) if operation.type == "unary_operation" else self.binary(operation, dollar)
        raise HclError(f"HCL syntax error: unexpected `{excerpt(_text(first), 20)}`", _line(first))

    def integer(self, digits: str, node: Node) -> int:
        if len(digits) > _MAX_DIGITS:
            raise ValueError(digits)
        return int(digits)

    def literal(self, node: Node, dollar: bool) -> Any:
        kind = node.type
        if kind == "string_lit":
            return self.string(node, dollar)
        text = _text(node)
        if kind == "bool_lit":
            return text if dollar else text == "true"
        if kind == "null_lit":
            return text if dollar else None
        if not _DECIMAL.fullmatch(text):  # 0x1F: tree-sitter-hcl takes it, Terraform does not
            raise HclError(f"HCL syntax error: unexpected `{excerpt(text, 20)}` (not a decimal number)", _line(node))
        if "e" in text or "E" in text:  # kept as written, as python-hcl2 preserves scientific notation
            return text if dollar else _dollar(text)
        number: int | float = float(text) if "." in text else self.integer(text, node)
        return str(number) if dollar else number

    def string(self, node: Node, dollar: bool) -> str:
        """A quoted template: its value (escapes resolved) at the top, its source form inside ``${...}``."""
        kids = node.children
        text = self.template(kids[1:-1], kids[0].end_byte, kids[-1].start_byte, resolve=not dollar)
        return f'"{text}"' if dollar else text

    def template(self, parts: list[Node], start: int, end: int, resolve: bool) -> str:
        """Template text from byte ``start`` to ``end``: literal text as written between the interpolations and directives.

        The literal text is cut from the source, not taken from ``template_literal``
        nodes: tree-sitter-hcl leaves the blanks next to ``${`` out of them.
        """
        out: list[str] = []
        cursor = start
        for part in parts:
            kind = part.type
            if kind not in ("template_interpolation", "template_directive"):
                continue  # literal chunks and anything the scanner took for a comment: read from the source below
            out.append(self.literal_text(cursor, part.start_byte, resolve))
            if kind == "template_interpolation":
                expression = next(kid for kid in part.children if kid.type == "expression")
                self.open += 1
                out.append(_dollar(str(self.expression(expression, True))))
                self.open -= 1
            else:
                out.append(self.directive(_kids(part)[0]))
            cursor = part.end_byte
        out.append(self.literal_text(cursor, end, resolve))
        return "".join(out)

    def literal_text(self, start: int, end: int, resolve: bool) -> str:
        text = self.source[start:end].decode("utf-8", "surrogatepass")
        if "\n" in text:  # tree-sitter-hcl lets a quoted string run on over lines; HCL (and Terraform) do not
            line = self.source.count(b"\n", 0, start) + 1
            raise HclError(UNENDED_STRING, line)
        return _literal_value(text) if resolve else text

    def directive(self, node: Node) -> str:
        """``%{ if }``/``%{ for }`` with bodies, in python-hcl2's spacing (literal bodies kept as written)."""
        self.enter(node)
        out: list[str] = []
        body: list[Node] = []
        cursor = node.start_byte
        for part in node.children:
            if part.type in _DIRECTIVE_TAGS:
                out.append(self.template(body, cursor, part.start_byte, resolve=False))
                out.append(self.directive_tag(part))
                body = []
                cursor = part.end_byte
            else:
                body.append(part)
        self.depth -= 1
        return "".join(out)

    def directive_tag(self, node: Node) -> str:
        kids = _kids(node)
        strip_open = len(kids) > 1 and kids[1].type == "strip_marker"
        strip_close = len(kids) > 2 and kids[-2].type == "strip_marker"
        words = [kid for kid in kids if kid.type not in ("template_directive_start", "template_directive_end", "strip_marker")]
        keyword = words[0].type
        if keyword == "if":
            inner = f"if {self.expression(words[1], True)}"
        elif keyword == "for":
            names = [_text(word) for word in words if word.type == "identifier"]
            collection = next(word for word in words if word.type == "expression")
            inner = f"for {', '.join(names)} in {self.expression(collection, True)}"
        else:
            inner = keyword
        return "%{" + ("~ " if strip_open else " ") + inner + (" ~" if strip_close else " ") + "}"

    def heredoc(self, node: Node) -> str:
        """A heredoc's body as written (``${...}`` kept as text); ``<<-`` drops the common indentation."""
        kids = _kids(node)
        start, end = kids[1], kids[-1]
        body = self.source[start.end_byte : end.start_byte].decode("utf-8", "surrogatepass")
        body = _strip_closing_marker_line(body[1:] if body.startswith("\n") else body)
        if _text(kids[0]) != "<<-":
            return body
        lines = body.split("\n")
        indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
        cut = min(indents) if indents else 0
        # As written, like `<<`: python-hcl2 escaped `\\` and `"` here (a policy's JSON became unreadable).
        return "\n".join(line[cut:] for line in lines)

    def tuple(self, node: Node, dollar: bool) -> Any:
        elements = [kid for kid in node.children if kid.type == "expression"]
        self.open += 1
        if not dollar:
            values = [self.expression(element, False) for element in elements]
            self.open -= 1
            return values
        text = "[" + ", ".join(str(self.expression(element, True)) for element in elements) + "]"
        self.open -= 1
        return text

    def object(self, node: Node, dollar: bool) -> Any:
        self.object_lines.append(_line(node))
        elements = [kid for kid in node.children if kid.type == "object_elem"]
        self.open += 1
        if not dollar:
            found: dict[str, Any] = {}
            for element in elements:
                key_node, value_node = element.child_by_field_name("key"), element.child_by_field_name("val")
                key = self.key(key_node, False)
                found[key] = self.expression(value_node, False)
            self.open -= 1
            return found
        pairs = []
        for element in elements:
            key_node, value_node = element.child_by_field_name("key"), element.child_by_field_name("val")
            pairs.append(f"{self.key(key_node, True)} = {self.expression(value_node, True)}")
        self.open -= 1
        return "{" + ", ".join(pairs) + "}"

    def key(self, node: Node, dollar: bool) -> str:
        """An object key: a name, string or number as itself, any other expression as ``${...}``."""
        kids = _kids(node)
        if len(kids) == 1:
            only = kids[0]
            if only.type == "variable_expr":
                return _text(only)
            if only.type == "literal_value":
                literal = _kids(only)[0]
                if literal.type in ("bool_lit", "null_lit"):
                    return _text(literal)
                return str(self.literal(literal, dollar))
            if only.type == "template_expr" and _kids(only)[0].type == "quoted_template":
                return self.string(_kids(only)[0], dollar)
        text = str(self.expression(node, True))
        return text if dollar else _dollar(text)

    def function_call(self, node: Node, dollar: bool) -> str:
        kids = _kids(node)
        arguments = next((kid for kid in kids if kid.type == "function_arguments"), None)
        listed = ""
        self.open += 1
        if arguments is not None:
            values = [str(self.expression(kid, True)) for kid in arguments.children if kid.type == "expression"]
            listed = ", ".join(values) + (" ..." if any(kid.type == "ellipsis" for kid in arguments.children) else "")
        self.open -= 1
        text = f"{_text(kids[0])}({listed})"
        return text if dollar else _dollar(text)

    def for_intro(self, node: Node) -> str:
        kids = _kids(node)
        names = [_text(kid) for kid in kids if kid.type == "identifier"]
        collection = next(kid for kid in kids if kid.type == "expression")
        return f"for {', '.join(names)} in {self.expression(collection, True)} : "

    def for_expression(self, node: Node, dollar: bool) -> str:
        self.open += 1
        kids = _kids(node)
        intro = self.for_intro(next(kid for kid in kids if kid.type == "for_intro"))
        expressions = [kid for kid in kids if kid.type == "expression"]
        condition = next((kid for kid in kids if kid.type == "for_cond"), None)
        if node.type == "for_tuple_expr":
            text = f"[{intro}{self.expression(expressions[0], True)}"
        else:
            text = f"{{{intro}{self.expression(expressions[0], True)} => {self.expression(expressions[1], True)}"
            if any(kid.type == "ellipsis" for kid in kids):
                text += "..."
        if condition is not None:
            text += f" if {self.expression(_kids(condition)[1], True)}"
        text += "]" if node.type == "for_tuple_expr" else "}"
        self.open -= 1
        return text if dollar else _dollar(text)

    def unary(self, node: Node, dollar: bool) -> Any:
        kids = _kids(node)
        operator, operand = _text(kids[0]), kids[1:]
        value = self.term(operand, True)
        if dollar:
            return f"{operator}{value}"
        if operator == "-" and len(operand) == 1 and operand[0].type == "literal_value":
            number = self.literal(_kids(operand[0])[0], False)
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                return -number
        return _dollar(f"{operator}{value}")

    def binary(self, node: Node, dollar: bool) -> str:
        kids = _kids(node)
        depth = 0
        split = 0
        for index, kid in enumerate(kids):  # the operator: the first unnamed token outside parentheses, past the left term
            if kid.type == "(":
                depth += 1
            elif kid.type == ")":
                depth -= 1
            elif index and depth == 0 and not kid.is_named:
                split = index
                break
        text = f"{self.term(kids[:split], True)} {_text(kids[split])} {self.term(kids[split + 1 :], True)}"
        return text if dollar else _dollar(text)

    def conditional(self, node: Node, dollar: bool) -> str:
        condition, if_true, if_false = (kid for kid in node.children if kid.type == "expression")
        text = f"{self.expression(condition, True)} ? {self.expression(if_true, True)} : {self.expression(if_false, True)}"
        return text if dollar else _dollar(text)


def parse_native(text: str, path: str) -> HclFile:
    """Parse HCL native syntax; raises :class:`HclError` with the line of the first syntax error."""
    # Terraform accepts a heredoc's closing marker followed by blanks, and so did the reader before
    # this one by dropping trailing blanks from every line; they carry no meaning elsewhere.
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    source = text.encode("utf-8", "surrogatepass")
    tree = _parser().parse(source)
    root = tree.root_node
    if root.has_error:
        raise syntax_error(root, source)
    reader = _Reader(path, source)
    body = next((child for child in root.children if child.type in ("body", "object")), None)
    if body is not None and body.type == "object":
        raise HclError("HCL syntax error: a file holding one object is JSON syntax; name it .tf.json", _line(body))
    try:
        attributes, blocks, _ = reader.body(body)
    except _TooDeep as exc:
        raise HclError(f"HCL nesting is deeper than {MAX_NESTING_DEPTH} levels; refusing to read it", exc.line) from None
    except RecursionError:  # a chain of operators hundreds long (operators do not count as nesting)
        error = nesting_error(text, "HCL", opening="[{(", closing="]})")
        raise HclError(error.message, error.line) from None
    except ValueError:  # an integer longer than Python's int-to-string limit
        error = long_number_error(text, "HCL")
        raise HclError(error.message, error.line) from None
    return HclFile(path, blocks, attributes)
