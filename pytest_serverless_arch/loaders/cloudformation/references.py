"""What a CloudFormation-family unit needs from other units, said as typed facts for the linker.

- ``Fn::ImportValue`` and ``Fn::GetStackOutput`` anywhere in a resource's
  properties (``Role``, ``VpcConfig``...): :class:`~...model.PropertyRef`;
- ``AWS::SSM::Parameter::Value<..>`` template parameters, which CloudFormation
  reads at every deploy, used or not: :class:`~...model.StackRef`;
- an ``AWS::SSM::Parameter`` whose ``Value`` is a ``Ref``/``GetAtt`` of a
  resource of its own unit: ``Resource.value_target``, so the linker can follow
  a parameter another unit reads to the resource it names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ...model import ForeignRef, LoadedUnit, Location, PropertyRef
from .intrinsics import is_mapping, resolve_string, target_of
from .kinds import name_in_arn
from .mentions import ForeignMention, Walked

__all__ = ["finish_unit", "foreign_values_in", "resolved_foreign", "ssm_typed_parameters"]


def finish_unit(unit: LoadedUnit, walked: Mapping[str, Walked] | None = None) -> None:
    """Record the unit's property references and its SSM parameters' value targets (after every resource is read).

    ``walked`` is what the wiring already found in each resource's properties
    (see :class:`~.mentions.Walked`): those properties are not walked again.
    """
    logical_ids: dict[str, str] | None = None  # built when a parameter first asks (most units have none)
    walked = walked or {}
    resources = []
    for resource in unit.resources:
        properties = resource.properties if is_mapping(resource.properties) else None
        if properties and not resource.implicit:  # empty properties name nothing
            seen = walked.get(resource.logical_id)
            if seen is not None and seen.properties is properties and seen.line == resource.location.line:
                found: Iterable[tuple[ForeignRef, int]] = resolved_foreign(seen.foreign, unit.parameters)
            else:
                found = foreign_values_in(properties, unit.parameters, resource.location.line)
            for ref, line in found:
                unit.property_refs.append(PropertyRef(resource.logical_id, ref, Location(resource.location.path, line)))
        if resource.kind == "parameter" and properties is not None and resource.value_target is None:
            if logical_ids is None:
                logical_ids = unit.logical_ids()
            target = logical_ids.get(target_of(properties.get("Value"), None) or "") or _named_by_value(unit, properties)
            if target is not None and target != resource.logical_id:
                resource = dataclasses.replace(resource, value_target=target)
        resources.append(resource)
    unit.resources = resources


def _named_by_value(unit: LoadedUnit, properties: Mapping[str, Any]) -> str | None:
    """The one resource of ``unit`` whose physical name (or ARN) an SSM parameter's ``Value`` spells out.

    ``Value: !Sub "${AWS::StackName}-refunds"`` names the queue ``QueueName: !Sub "${AWS::StackName}-refunds"``
    as surely as ``!GetAtt RefundQueue.QueueName`` does.
    """
    known = {**unit.parameters, "AWS::StackName": unit.stack_name or unit.name}
    value = resolve_string(properties.get("Value"), known)
    if not value:
        return None
    name = name_in_arn(value) if value.startswith("arn:") else value
    named = [r.logical_id for r in unit.resources if r.physical_name and r.physical_name == name and r.kind != "parameter"]
    return named[0] if len(named) == 1 else None


def ssm_typed_parameters(unit: LoadedUnit, document: Any) -> list[tuple[ForeignRef, Location, str]]:
    """``AWS::SSM::Parameter::Value<..>`` parameters and the SSM name each reads (default or override).

    >>> from pytest_serverless_arch.model import LoadedUnit
    >>> unit = LoadedUnit("shop", "cloudformation", "t.yaml", parameters={"Url": "/shop/url"})
    >>> [(ref.key, detail) for ref, _, detail in ssm_typed_parameters(
    ...     unit, {"Parameters": {"Url": {"Type": "AWS::SSM::Parameter::Value<String>"}}})]
    [('/shop/url', '/shop/url (parameter Url)')]
    """
    parameters = document.get("Parameters") if isinstance(document, Mapping) else None
    if not isinstance(parameters, Mapping):
        return []
    lines = getattr(parameters, "key_lines", {})
    found = []
    for name, spec in parameters.items():
        if not isinstance(spec, Mapping) or not str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
            continue
        value = resolve_string(unit.parameters.get(str(name)), None)
        if value:
            found.append((ForeignRef("ssm", value), Location(unit.path, lines.get(name, 0)), f"{value} (parameter {name})"))
    return found


def resolved_foreign(mentions: Iterable[ForeignMention], parameters: Mapping[str, Any]) -> Iterator[tuple[ForeignRef, int]]:
    """The imports and stack outputs :func:`~.mentions.mentions_in` found, with their names resolved as far as possible.

    >>> from pytest_serverless_arch.loaders.cloudformation.mentions import ForeignMention
    >>> [(ref.key, line) for ref, line in resolved_foreign([ForeignMention("import", {"Ref": "Shared"}, 5)], {"Shared": "vpc"})]
    [('vpc', 5)]
    """
    for mention in mentions:
        if mention.kind == "import":
            name = resolve_string(mention.value, parameters)
            if name is not None:
                yield ForeignRef("import", name), mention.line
        else:
            stack_name = resolve_string(mention.value.get("StackName"), parameters)
            output = resolve_string(mention.value.get("OutputName"), parameters)
            if stack_name and output:
                yield ForeignRef("stack_output", f"{stack_name}/{output}"), mention.line


def foreign_values_in(value: Any, parameters: Mapping[str, Any], line: int = 0) -> Iterator[tuple[ForeignRef, int]]:
    """``Fn::ImportValue`` and ``Fn::GetStackOutput`` inside ``value``, names resolved where possible.

    >>> [(ref.key, line) for ref, line in foreign_values_in({"Role": {"Fn::ImportValue": "shop-role"}}, {}, 4)]
    [('shop-role', 4)]
    """
    stack: list[tuple[Any, int]] = [(value, line)]
    pop, push = stack.pop, stack.append
    while stack:
        node, node_line = pop()
        node_line = getattr(node, "line", 0) or node_line
        if isinstance(node, list):
            # only mappings and lists can hold what this looks for: scalars are not walked
            for child in node:
                if isinstance(child, (dict, list)) or is_mapping(child):
                    push((child, node_line))
            continue
        if not is_mapping(node):
            continue
        if len(node) == 1:
            ((key, inner),) = node.items()
            if key == "Fn::ImportValue":
                name = resolve_string(inner, parameters)
                if name is not None:
                    yield ForeignRef("import", name), node_line
                continue
            if key == "Fn::GetStackOutput" and is_mapping(inner):
                stack_name = resolve_string(inner.get("StackName"), parameters)
                output = resolve_string(inner.get("OutputName"), parameters)
                if stack_name and output:
                    yield ForeignRef("stack_output", f"{stack_name}/{output}"), node_line
                continue
        lines = getattr(node, "key_lines", None) or {}
        for key, child in node.items():
            if isinstance(child, (dict, list)) or is_mapping(child):
                push((child, lines.get(key, node_line)))
