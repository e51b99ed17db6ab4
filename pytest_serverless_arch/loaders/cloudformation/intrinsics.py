"""Reading CloudFormation intrinsic functions without evaluating a stack.

Everything here is offline and partial on purpose: a value is resolved when
the template, its parameter values and the pseudo parameters determine it,
and left unresolved (``None``) otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from ...parse import line_of
from ...pseudo import ACCOUNT_ID, REGION

__all__ = [
    "PSEUDO_PARAMETERS",
    "Reference",
    "condition_alternatives",
    "is_no_value",
    "SUB_VARIABLE",
    "SSM_RESOLVE",
    "getatt_parts",
    "is_mapping",
    "references_in",
    "resolve_string",
    "sub_parts",
    "symbolic_string",
    "target_of",
]

SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}]+)\}")
SSM_RESOLVE = re.compile(r"\{\{resolve:ssm(?:-secure)?:([^}:]+?)(?::\d+)?\}\}")

# Region and account stay symbolic unless the unit's parameters give them (pseudo.py);
# the partition and URL suffix are those of the standard partition every example writes.
PSEUDO_PARAMETERS = {
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NoValue": "",
    "AWS::NotificationARNs": "",
    "AWS::StackName": "",
    "AWS::StackId": "",
}
# Pseudo parameters whose value is the same for every deployment of a template
# (callers pass ``AWS::Region``/``AWS::StackName`` of the unit in ``parameters``).
_KNOWN_PSEUDO = frozenset({"AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix"})


@dataclass(frozen=True)
class Reference:
    """A Ref/GetAtt/Sub variable/DependsOn naming ``logical_id`` at ``line``."""

    logical_id: str
    attribute: str | None
    line: int
    via: str  # Ref, GetAtt, Sub, DependsOn


def is_mapping(value: Any) -> TypeGuard[Mapping[Any, Any]]:
    """``isinstance(value, Mapping)``, answered without asking the ABC for the dicts and scalars a template is made of.

    The walks over every resource's properties ask this of millions of values;
    the ``Mapping`` ABC's check costs ten times a ``dict`` check.

    >>> is_mapping({"Ref": "Queue"}), is_mapping(["Queue"]), is_mapping(None)
    (True, False, False)
    """
    return isinstance(value, dict) or (
        value is not None and not isinstance(value, (str, list, int, float)) and isinstance(value, Mapping)
    )


def getatt_parts(value: Any) -> tuple[str, str | None] | None:
    """The logical id and attribute an ``Fn::GetAtt`` value names (list or dotted form), or None.

    >>> getatt_parts("Queue.Arn"), getatt_parts(["Queue", "Arn"]), getatt_parts(7)
    (('Queue', 'Arn'), ('Queue', 'Arn'), None)
    """
    if isinstance(value, list) and value and isinstance(value[0], str):
        attribute = value[1] if len(value) > 1 and isinstance(value[1], str) else None
        return value[0], attribute
    if isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return resource, attribute or None
    return None


def sub_parts(value: Any) -> tuple[str, Mapping[str, Any]] | None:
    """The template string and variable map of an ``Fn::Sub`` value."""
    if isinstance(value, str):
        return value, {}
    if isinstance(value, list) and value and isinstance(value[0], str):
        variables = value[1] if len(value) > 1 and isinstance(value[1], Mapping) else {}
        return value[0], variables
    return None


def references_in(value: Any, line: int = 0) -> Iterator[Reference]:
    """Every Ref, GetAtt and Sub variable in ``value`` that may name a logical id."""
    stack: list[tuple[Any, int]] = [(value, line)]
    while stack:
        node, node_line = stack.pop()
        node_line = line_of(node, node_line)
        if isinstance(node, Mapping):
            if len(node) == 1:
                ((key, inner),) = node.items()
                if key == "Ref" and isinstance(inner, str):
                    if not inner.startswith("AWS::"):
                        yield Reference(inner, None, node_line, "Ref")
                    continue
                if key == "Fn::GetAtt":
                    parts = getatt_parts(inner)
                    if parts:
                        yield Reference(parts[0], parts[1], node_line, "GetAtt")
                        if isinstance(inner, list) and len(inner) > 1 and not isinstance(inner[1], str):
                            stack.append((inner[1], node_line))
                    continue
                if key == "Fn::Sub":
                    pieces = sub_parts(inner)
                    if pieces:
                        template, variables = pieces
                        for match in SUB_VARIABLE.finditer(template):
                            name = match.group(1).strip()
                            if name in variables or name.startswith("AWS::"):
                                continue
                            resource, _, attribute = name.partition(".")
                            yield Reference(resource, attribute or None, node_line, "Sub")
                        stack.extend((v, node_line) for v in variables.values())
                    continue
            lines = getattr(node, "key_lines", {})
            stack.extend((child, lines.get(k, node_line)) for k, child in node.items())
        elif isinstance(node, list):
            item_lines = getattr(node, "item_lines", [])
            for index, child in enumerate(node):
                stack.append((child, item_lines[index] if index < len(item_lines) else node_line))


def target_of(value: Any, resources: Mapping[str, Any] | None = None) -> str | None:
    """The logical id an ARN/name-valued property points at, when it points at one.

    ``!Ref Queue``, ``!GetAtt Queue.Arn``, ``!Sub ${Queue.Arn}``, a ``Join``
    containing one, or an ``If`` whose branches agree. With ``resources``
    given, only ids in it count (parameters are not targets).
    """
    for reference in _direct_references(value):
        if resources is None or reference in resources:
            return reference
    return None


def _direct_references(value: Any) -> Iterator[str]:
    if is_mapping(value) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "Ref" and isinstance(inner, str):
            yield inner
        elif key == "Fn::GetAtt":
            parts = getatt_parts(inner)
            if parts:
                yield parts[0]
        elif key == "Fn::Sub":
            pieces = sub_parts(inner)
            if pieces:
                template, variables = pieces
                for match in SUB_VARIABLE.finditer(template):
                    name = match.group(1).strip()
                    if name in variables:
                        yield from _direct_references(variables[name])
                    elif not name.startswith("AWS::"):
                        yield name.partition(".")[0]
        elif key == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 and isinstance(inner[1], list):
            for part in inner[1]:
                yield from _direct_references(part)
        elif key == "Fn::If" and isinstance(inner, list) and len(inner) == 3:
            yield from _direct_references(inner[1])
            yield from _direct_references(inner[2])
        elif key in ("Fn::Select", "Fn::Split") and isinstance(inner, list) and len(inner) == 2:
            yield from _direct_references(inner[1])


def resolve_string(value: Any, parameters: Mapping[str, Any] | None = None) -> str | None:
    """A string a value certainly evaluates to, from literals, parameters and pseudo parameters."""
    parameters = parameters or {}
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if not isinstance(value, Mapping) or len(value) != 1:
        return None
    ((key, inner),) = value.items()
    if key == "Ref" and isinstance(inner, str):
        if inner in parameters:
            return resolve_string(parameters[inner], None)
        return PSEUDO_PARAMETERS.get(inner) if inner in _KNOWN_PSEUDO else None
    if key == "Fn::Sub":
        parts = sub_parts(inner)
        if parts is None:
            return None
        template, variables = parts
        failed = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal failed
            name = match.group(1).strip()
            if name in variables:
                resolved = resolve_string(variables[name], parameters)
            elif name in parameters:
                resolved = resolve_string(parameters[name], None)
            elif name in _KNOWN_PSEUDO:
                resolved = PSEUDO_PARAMETERS[name]
            else:
                resolved = None
            if resolved is None:
                failed = True
                return ""
            return resolved

        result = SUB_VARIABLE.sub(substitute, template).replace("${!", "${")
        return None if failed else result
    if key == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 and isinstance(inner[1], list):
        delimiter = resolve_string(inner[0], parameters)
        pieces = [resolve_string(part, parameters) for part in inner[1]]
        if delimiter is None or any(piece is None for piece in pieces):
            return None
        return delimiter.join(piece for piece in pieces if piece is not None)
    return None


def symbolic_string(value: Any, parameters: Mapping[str, Any] | None = None) -> str:
    """The string ``value`` evaluates to, with what is unknown offline kept as ``${Name}``.

    Two units that both name ``${Env}-orders-arn`` name the same thing whatever
    ``Env`` is at deploy time, so symbols are compared as text; an expression
    that is not a name at all becomes ``${Fn::If}`` (or similar), which matches anything.

    >>> symbolic_string({"Fn::Sub": "${Env}-orders-${AWS::Region}"})
    '${Env}-orders-${AWS::Region}'
    >>> symbolic_string({"Fn::Sub": "${Env}-orders-${AWS::Region}"}, {"AWS::Region": "eu-west-1"})
    '${Env}-orders-eu-west-1'
    >>> symbolic_string({"Fn::Join": ["-", [{"Ref": "Stage"}, "queue"]]}, {"Stage": "prod"})
    'prod-queue'
    """
    parameters = parameters or {}
    resolved = resolve_string(value, parameters)
    if resolved is not None:
        return resolved
    if isinstance(value, Mapping) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "Ref" and isinstance(inner, str):
            return "${" + inner + "}"
        if key == "Fn::Sub":
            parts = sub_parts(inner)
            if parts is not None:
                template, variables = parts

                def substitute(match: re.Match[str]) -> str:
                    name = match.group(1).strip()
                    if name in variables:
                        return symbolic_string(variables[name], parameters)
                    known = resolve_string({"Ref": name}, parameters)
                    return known if known is not None else "${" + name + "}"

                return SUB_VARIABLE.sub(substitute, template).replace("${!", "${")
        if key == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 and isinstance(inner[1], list):
            delimiter = resolve_string(inner[0], parameters)
            if delimiter is not None:
                return delimiter.join(symbolic_string(part, parameters) for part in inner[1])
        return "${" + str(key) + "}"
    return "${?}"


def condition_alternatives(value: Any) -> list[Any]:
    """The values an ``Fn::If`` may take (nested ones too), without ``AWS::NoValue``.

    Any other value is its own only alternative.

    >>> condition_alternatives({"Fn::If": ["C", {"Ref": "Q"}, {"Ref": "AWS::NoValue"}]})
    [{'Ref': 'Q'}]
    """
    if isinstance(value, Mapping) and len(value) == 1 and "Fn::If" in value:
        branches = value["Fn::If"]
        if isinstance(branches, list) and len(branches) == 3:
            return condition_alternatives(branches[1]) + condition_alternatives(branches[2])
        return []
    if is_no_value(value):
        return []
    return [value]


def is_no_value(value: Any) -> bool:
    """Whether ``value`` is ``{"Ref": "AWS::NoValue"}``."""
    return isinstance(value, Mapping) and len(value) == 1 and value.get("Ref") == "AWS::NoValue"
