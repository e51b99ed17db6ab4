"""What a resource's properties name, found in one walk: logical ids (Ref/GetAtt/Sub) and SSM parameters.

:func:`~.intrinsics.references_in` and ``TemplateReader.ssm_names_in`` each
walk a value on their own; a resource's wiring needs both of its properties,
and a 19 MB template is millions of values, so :func:`mentions_in` walks once
and gives each list exactly as its own walk would: the same items, order and
lines (the two walks stop at different nodes and take a list item's line
differently, so each stack entry carries both lines and which walks are on).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...pseudo import without_pseudo
from .intrinsics import SSM_RESOLVE, SUB_VARIABLE, getatt_parts, is_mapping, sub_parts

__all__ = ["Mentions", "mentions_in"]

_REFS = 1  # the walk of references_in: Ref, GetAtt and Sub variables that may name a logical id
_SSM = 2  # the walk of ssm_names_in: {{resolve:ssm:..}} in strings and in resolved Fn::Sub texts
_SSM_MARK = "{{resolve:ssm"  # every SSM_RESOLVE match starts with it: a string without it is not walked


@dataclass(frozen=True)
class Mentions:
    """Logical ids named in a value (with the line of each mention) and SSM parameter names read there."""

    references: tuple[tuple[str, int], ...]
    ssm_names: tuple[tuple[str, int], ...]


def mentions_in(value: Any, line: int, resolve: Callable[[Any], str | None]) -> Mentions:
    """``references_in(value, line)`` as (logical id, line) pairs and the SSM names ``ssm_names_in(value)`` finds.

    ``resolve`` gives the text an ``Fn::Sub`` certainly evaluates to (the template's parameters known).

    >>> found = mentions_in({"Queue": {"Ref": "Orders"}, "Url": "{{resolve:ssm:/shop/url}}"}, 7, lambda value: None)
    >>> found.references, found.ssm_names
    ((('Orders', 7),), (('/shop/url', 0),))
    """
    references: list[tuple[str, int]] = []
    ssm_names: list[tuple[str, int]] = []
    root_ssm_line = getattr(value, "line", 0) or 0
    # (node, line as references_in passes it, line as ssm_names_in passes it, which walks are on)
    stack: list[tuple[Any, int, int, int]] = [(value, line, root_ssm_line, _REFS | _SSM)]
    pop, push = stack.pop, stack.append
    while stack:
        node, line_refs, line_ssm, walks = pop()
        if isinstance(node, str):
            if walks & _SSM:
                ssm_names.extend((match.group(1), line_ssm) for match in SSM_RESOLVE.finditer(node))
            continue
        own_line = getattr(node, "line", 0)
        if own_line:
            line_refs = line_ssm = own_line
        if isinstance(node, list):
            item_lines = getattr(node, "item_lines", ()) if walks & _REFS else ()
            count = len(item_lines)
            for index, child in enumerate(node):
                if isinstance(child, str):
                    if walks & _SSM and _SSM_MARK in child:
                        push((child, line_refs, line_ssm, _SSM))
                elif isinstance(child, (dict, list)) or is_mapping(child):
                    push((child, item_lines[index] if index < count else line_refs, line_ssm, walks))
            continue
        if not is_mapping(node):
            continue
        descend = walks  # the walks that go on into every value of this mapping
        if len(node) == 1:
            ((key, inner),) = node.items()
            if key == "Ref":
                if isinstance(inner, str):
                    if walks & _REFS and not inner.startswith("AWS::"):
                        references.append((inner, line_refs))
                    descend &= ~_REFS
            elif key == "Fn::GetAtt":
                parts = getatt_parts(inner) if walks & _REFS else None
                if parts:
                    references.append((parts[0], line_refs))
                    if isinstance(inner, list) and len(inner) > 1 and not isinstance(inner[1], str):
                        push((inner[1], line_refs, 0, _REFS))
                descend &= ~_REFS  # references_in stops at a GetAtt, whatever it holds
            elif key == "Fn::Sub":
                descend &= ~_REFS  # references_in stops at a Sub, whatever it holds; ssm_names_in only at one it reads
                pieces = sub_parts(inner)
                if pieces:
                    template, variables = pieces
                    if walks & _REFS:
                        for match in SUB_VARIABLE.finditer(template):
                            name = match.group(1).strip()
                            if name in variables or name.startswith("AWS::"):
                                continue
                            references.append((name.partition(".")[0], line_refs))
                    if walks & _SSM:
                        resolved = resolve(node)
                        text = resolved if resolved is not None else template
                        ssm_names.extend(
                            (match.group(1), line_ssm)
                            for match in SSM_RESOLVE.finditer(text)
                            if "${" not in without_pseudo(match.group(1))
                        )
                    for child in variables.values():
                        push((child, line_refs, line_ssm, walks))
                    continue
        if not descend:
            continue
        lines = getattr(node, "key_lines", None) or {}
        for key, child in node.items():
            if isinstance(child, str):
                if descend & _SSM and _SSM_MARK in child:
                    push((child, line_refs, lines.get(key, line_ssm), _SSM))
            elif isinstance(child, (dict, list)) or is_mapping(child):
                push((child, lines.get(key, line_refs), lines.get(key, line_ssm), descend))
    return Mentions(tuple(references), tuple(ssm_names))
