"""What a resource's properties name, found in one walk: logical ids, SSM parameters, imports and stack outputs.

:func:`~.intrinsics.references_in`, ``TemplateReader.ssm_names_in`` and
:func:`~.references.foreign_values_in` each walk a value on their own; a
resource's wiring needs all three of its properties, and a 19 MB template is
millions of values, so :func:`mentions_in` walks once and gives each list
exactly as its own walk would: the same items, order and lines (the walks stop
at different nodes and take a line differently, so each stack entry carries a
line for each walk and which walks are on).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ...parse import LineDict, LineList
from ...pseudo import without_pseudo
from .intrinsics import SSM_RESOLVE, SUB_VARIABLE, getatt_parts, sub_parts

__all__ = ["ForeignMention", "Mentions", "Walked", "mentions_in"]

_REFS = 1  # the walk of references_in: Ref, GetAtt and Sub variables that may name a logical id
_SSM = 2  # the walk of ssm_names_in: {{resolve:ssm:..}} in strings and in resolved Fn::Sub texts
_FOREIGN = 4  # the walk of foreign_values_in: Fn::ImportValue and Fn::GetStackOutput
_ALL = _REFS | _SSM | _FOREIGN
_SSM_MARK = "{{resolve:ssm"  # every SSM_RESOLVE match starts with it: a string without it is not walked
_NOT_MAPPINGS = (str, int, float, type(None))  # answered here, not by the Mapping ABC (ten times slower than a dict check)


@dataclass(frozen=True)
class ForeignMention:
    """An ``Fn::ImportValue`` (``kind`` ``import``) or ``Fn::GetStackOutput`` (``stack_output``) and its argument."""

    kind: str
    value: Any
    line: int


@dataclass(frozen=True)
class Mentions:
    """What a value names: logical ids and SSM parameter names (with the line of each), imports and stack outputs."""

    references: tuple[tuple[str, int], ...]
    ssm_names: tuple[tuple[str, int], ...]
    foreign: tuple[ForeignMention, ...] = ()


@dataclass(frozen=True, slots=True)
class Walked:
    """The imports and stack outputs one walk found in a resource's ``properties`` (walked from ``line``).

    Kept by the template's reader so that ``references.finish_unit`` does not walk
    the same properties again; it checks that they are the very same object.
    """

    properties: Any
    line: int
    foreign: tuple[ForeignMention, ...]


def mentions_in(value: Any, line: int, resolve: Callable[[Any], str | None]) -> Mentions:
    """``references_in(value, line)``, ``ssm_names_in(value)`` and ``foreign_values_in(value, .., line)`` in one walk.

    References come as (logical id, line) pairs; ``resolve`` gives the text an
    ``Fn::Sub`` certainly evaluates to (the template's parameters known).
    Imports and stack outputs come unresolved: the unit's parameters are final
    only once every resource is read (``references.finish_unit`` resolves them).

    >>> found = mentions_in({"Queue": {"Ref": "Orders"}, "Url": "{{resolve:ssm:/shop/url}}"}, 7, lambda value: None)
    >>> found.references, found.ssm_names
    ((('Orders', 7),), (('/shop/url', 0),))
    """
    references: list[tuple[str, int]] = []
    ssm_names: list[tuple[str, int]] = []
    foreign: list[ForeignMention] = []
    own = getattr(value, "line", 0)
    # (node, its line as each walk passes it: references, SSM names, imports; which walks are on)
    stack: list[tuple[Any, int, int, int, int]] = [(value, line, own or 0, line, _ALL)]
    pop, push = stack.pop, stack.append
    while stack:
        node, line_refs, line_ssm, line_foreign, walks = pop()
        kind = type(node)
        if kind is LineDict:  # most nodes are the parser's: their lines are slots
            own = node.line
            key_lines = node._key_lines  # None when every key sits on the mapping's own line (LineDict.key_lines)
        elif kind is LineList:
            own = node.line
        elif isinstance(node, str):
            if walks & _SSM:
                ssm_names.extend((match.group(1), line_ssm) for match in SSM_RESOLVE.finditer(node))
            continue
        else:
            own = getattr(node, "line", 0)
        if own:
            line_refs = line_ssm = line_foreign = own
        if kind is LineList or (kind is not LineDict and isinstance(node, list)):
            item_lines = getattr(node, "item_lines", ()) if walks & _REFS else ()
            count = len(item_lines)
            for index, child in enumerate(node):
                if isinstance(child, str):
                    if walks & _SSM and _SSM_MARK in child:
                        push((child, 0, line_ssm, 0, _SSM))
                elif isinstance(child, (dict, list)) or (not isinstance(child, _NOT_MAPPINGS) and isinstance(child, Mapping)):
                    push((child, item_lines[index] if index < count else line_refs, line_ssm, line_foreign, walks))
            continue
        if not isinstance(node, dict) and (isinstance(node, _NOT_MAPPINGS) or not isinstance(node, Mapping)):
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
                        push((inner[1], line_refs, 0, 0, _REFS))
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
                    if walks & (_REFS | _SSM):
                        for child in variables.values():
                            push((child, line_refs, line_ssm, 0, walks & (_REFS | _SSM)))
                    descend &= _FOREIGN  # foreign_values_in walks into a Sub like into any mapping
            elif key == "Fn::ImportValue":
                if walks & _FOREIGN:
                    foreign.append(ForeignMention("import", inner, line_foreign))
                    descend &= ~_FOREIGN
            elif key == "Fn::GetStackOutput":
                if walks & _FOREIGN and isinstance(inner, (dict, Mapping)):
                    foreign.append(ForeignMention("stack_output", inner, line_foreign))
                    descend &= ~_FOREIGN
        if not descend:
            continue
        lines = key_lines if kind is LineDict else (getattr(node, "key_lines", None) or {})
        for key, child in node.items():
            if isinstance(child, str):
                if descend & _SSM and _SSM_MARK in child:
                    push((child, 0, own if lines is None else lines.get(key, line_ssm), 0, _SSM))
            elif isinstance(child, (dict, list)) or (not isinstance(child, _NOT_MAPPINGS) and isinstance(child, Mapping)):
                line_of_key = own if lines is None else lines.get(key)
                if line_of_key is None:
                    push((child, line_refs, line_ssm, line_foreign, descend))
                else:
                    push((child, line_of_key, line_of_key, line_of_key, descend))
    return Mentions(tuple(references), tuple(ssm_names), tuple(foreign))
