"""Reading Terraform expressions as text: interpolations, traversals, literals.

Values come from :mod:`.hcl` in python-hcl2's classic shape: a
string holds literal text and ``${...}`` interpolations; a bare expression is
one interpolation. This module finds the pieces without evaluating anything.

>>> interpolations("arn:aws:sqs:${var.region}:${local.account}:jobs")
['var.region', 'local.account']
>>> traversals('jsonencode({Resource = aws_sqs_queue.jobs.arn, Name = "${var.prefix}-x"})')
['aws_sqs_queue.jobs.arn', 'var.prefix']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = ["interpolations", "split_template", "string_literal", "sole_interpolation", "traversals", "walk_strings"]

_TRAVERSAL = re.compile(r"[A-Za-z_][\w-]*(?:\[[^\]\[]*\]|\.[A-Za-z_][\w-]*|\.\*|\.\d+)*")
_KEYWORDS = frozenset({"true", "false", "null", "for", "in", "if", "endif", "else", "endfor"})


def _interpolation_end(text: str, start: int) -> int:
    """Index just past the ``}`` closing the interpolation whose body starts at ``start``."""
    depth = 1
    index = start
    while index < len(text):
        char = text[index]
        if char == '"':
            index = _string_end(text, index + 1)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(text)


def _string_end(text: str, start: int) -> int:
    """Index just past the ``"`` closing a quoted string whose content starts at ``start``."""
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index + 1
        if text.startswith("${", index):
            index = _interpolation_end(text, index + 2)
            continue
        index += 1
    return len(text)


def split_template(text: str) -> list[tuple[bool, str]]:
    """``(is_expression, piece)`` pairs of a template string (``$${`` is a literal ``${``).

    >>> split_template("arn:${var.region}:$${literal}:%{ if x }y%{ endif }")
    [(False, 'arn:'), (True, 'var.region'), (False, ':${literal}:'), (True, '%{if x}'), (False, 'y'), (True, '%{endif}')]
    """
    if "{" not in text:  # no ``${``, ``%{`` or ``$${``: one literal piece
        return [(False, text)] if text else []
    pieces: list[tuple[bool, str]] = []
    literal: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        # the literal text up to the next ``$`` or ``%`` in one slice, not a character at a time
        dollar = text.find("$", index)
        percent = text.find("%", index)
        stop = min(dollar if dollar >= 0 else length, percent if percent >= 0 else length)
        if stop > index:
            literal.append(text[index:stop])
            index = stop
            continue
        if text.startswith("$${", index):
            literal.append("${")
            index += 3
            continue
        if text.startswith("${", index) or text.startswith("%{", index):
            end = _interpolation_end(text, index + 2)
            if literal:
                pieces.append((False, "".join(literal)))
                literal = []
            body = text[index + 2 : end - 1].strip().strip("~").strip()
            pieces.append((True, body if text[index] == "$" else "%{" + body + "}"))
            index = end
            continue
        literal.append(text[index])
        index += 1
    if literal:
        pieces.append((False, "".join(literal)))
    return pieces


def interpolations(text: str) -> list[str]:
    """The expressions interpolated into a template string."""
    return [piece for is_expression, piece in split_template(text) if is_expression]


def sole_interpolation(text: Any) -> str | None:
    """The expression when ``text`` is exactly one ``${...}`` and nothing else."""
    if not isinstance(text, str):
        return None
    pieces = split_template(text)
    if len(pieces) == 1 and pieces[0][0]:
        return pieces[0][1]
    return None


def string_literal(expression: str) -> str | None:
    """The content of ``"..."`` when the expression is one quoted string."""
    expression = expression.strip()
    if len(expression) >= 2 and expression[0] == '"' and _string_end(expression, 1) == len(expression):
        return _unescape(expression[1:-1])
    return None


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\\\", "\\").replace("\\n", "\n")


def traversals(expression: str) -> list[str]:
    """Every reference (``var.x``, ``aws_sqs_queue.q.arn``, ``module.m.out``) in an expression."""
    found: list[str] = []
    _scan(expression, found)
    return found


def _scan(expression: str, found: list[str]) -> None:
    index = 0
    length = len(expression)
    while index < length:
        char = expression[index]
        if char == '"':
            end = _string_end(expression, index + 1)
            for inner in interpolations(expression[index + 1 : end - 1]):
                _scan(inner, found)
            index = end
            continue
        if char == "<" and expression.startswith("<<", index):
            index += 2  # heredoc bodies are serialized as strings; markers are skipped
            continue
        if char.isalpha() or char == "_":
            previous = expression[index - 1] if index else ""
            match = _TRAVERSAL.match(expression, index)
            assert match is not None
            end = match.end()
            word = match.group(0)
            after = expression[end : end + 1]
            if previous not in (".", "-") and after != "(" and word not in _KEYWORDS and "." in word:
                found.append(word)
                # subscripts may hold references of their own: aws_x.y[var.i]
                for subscript in re.findall(r"\[([^\]\[]*)\]", word):
                    _scan(subscript, found)
            index = end
            continue
        if char.isdigit():
            while index < length and (expression[index].isalnum() or expression[index] in "._"):
                index += 1
            continue
        index += 1


def walk_strings(value: Any, line: int = 0) -> Iterator[str]:
    """Every string inside a serialized HCL value (dict keys included, as HCL object keys may be expressions)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for key, item in node.items():
                if isinstance(key, str) and "${" in key:
                    yield key
                stack.append(item)
        elif isinstance(node, list):
            stack.extend(node)
