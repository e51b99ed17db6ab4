"""Nested stacks join their parent's deployment unit.

An ``AWS::CloudFormation::Stack`` with a local ``TemplateURL``, or an
``AWS::Serverless::Application`` with a local ``Location``, is deployed by the
parent's pipeline step, so the child template's resources become resources of
the parent's unit. They keep their own ``file:line`` and get logical ids
prefixed with the stack resource's (``OrdersStack/Queue``), so two children
may use the same names. The stack's ``Parameters`` are wired: a literal (or a
parent parameter) becomes the child's parameter value; a ``Ref``/``GetAtt`` of
a parent resource makes the child's edges through that parameter end at the
parent's resource; ``!GetAtt Sibling.Outputs.X`` reaches into an earlier
sibling. Each child resource gets a ``nested_stack`` edge from the stack resource.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ...budget import ExpansionBudget, expanded_size
from ...files import UnreadableFile, note_reused
from ...model import Edge, Export, ForeignRef, LoadedUnit, LoadError, Location, Resource
from ...parse import ParseError, read_document
from .intrinsics import is_mapping, resolve_string, target_of

if TYPE_CHECKING:
    from ...config import LoadConfig
    from ...discover import Discovery

# read_template(unit, document, config, *, parameter_overrides=..., root=...) of loaders/templates.py
TemplateReaderFunction = Callable[..., LoadedUnit]

__all__ = ["MAX_NESTING", "join_nested_stacks"]

MAX_NESTING = 8
# What one nested stack instance is charged at least: reading and merging an instance costs
# about what 500 template nodes do, so a wide fan-out of tiny templates is bounded too.
NESTED_STACK_NODES = 500
_TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template", ".cfn"})
_LOCATION_PROPERTY = {"AWS::CloudFormation::Stack": "TemplateURL", "AWS::Serverless::Application": "Location"}


def join_nested_stacks(
    unit: LoadedUnit,
    document: Any,
    discovery: Discovery,
    config: LoadConfig,
    read_template: TemplateReaderFunction,
    *,
    _chain: tuple[str, ...] = (),
    _budget: ExpansionBudget | None = None,
) -> None:
    """Read every local nested stack of ``document`` into ``unit`` (recursively, cycles refused).

    ``read_template`` reads a child template (CloudFormation or SAM) into a unit;
    the caller passes it, so this module needs no reader of SAM's.

    Every child instance charges its template's size to the unit's expansion
    budget: a template nesting three children nine levels deep is refused at
    the stack where the budget runs out, not read 19,683 times.
    """
    budget = _budget or ExpansionBudget()
    if _budget is None:  # the outermost call: one report per place, however many instances met it
        try:
            _join(unit, document, discovery, config, read_template, _chain, budget)
        finally:
            unit.errors[:] = list(dict.fromkeys(unit.errors))
            unit.notes[:] = list(dict.fromkeys(unit.notes))
        return
    _join(unit, document, discovery, config, read_template, _chain, budget)


def _join(
    unit: LoadedUnit,
    document: Any,
    discovery: Discovery,
    config: LoadConfig,
    read_template: TemplateReaderFunction,
    _chain: tuple[str, ...],
    budget: ExpansionBudget,
) -> None:
    resources = document.get("Resources") if isinstance(document, Mapping) else None
    if not isinstance(resources, Mapping):
        return
    chain = _chain or (unit.path,)
    owners = _owners(unit.resources)
    outputs: dict[tuple[str, str], str] = {}  # (stack logical id, output) -> logical id in the parent
    for logical_id, spec in resources.items():
        if not is_mapping(spec) or not isinstance(spec.get("Type"), str) or spec["Type"] not in _LOCATION_PROPERTY:
            continue
        properties = spec.get("Properties")
        if not isinstance(properties, Mapping):
            continue
        key = _LOCATION_PROPERTY[spec["Type"]]
        line = properties.line_of(key) if hasattr(properties, "line_of") else 1
        from ...discover import is_local_template, nested_template_path

        child_path = nested_template_path(chain[-1], properties.get(key), discovery.root)
        if child_path is None:
            if is_local_template(properties.get(key)):
                unit.errors.append(
                    LoadError(
                        chain[-1],
                        line,
                        f"nested stack {logical_id}: {key} {properties.get(key)} leaves the repository "
                        "(read beside the template, from the repository root and from .aws-sam/build/); not read",
                    )
                )
            continue
        where = Location(chain[-1], line)
        if child_path not in chain and len(chain) > MAX_NESTING:
            unit.errors.append(
                LoadError(where.path, where.line, f"nested stack {logical_id}: nested stacks go deeper than {MAX_NESTING} levels")
            )
            continue
        if child_path in chain:
            unit.errors.append(
                LoadError(
                    where.path,
                    where.line,
                    f"nested stack {logical_id}: {child_path} "
                    "includes itself (directly or through other nested stacks); not read",
                )
            )
            continue
        child_document = _child_document(child_path, discovery, unit, where)
        if child_document is None:
            continue
        first = not budget.exhausted
        if not budget.spend(max(NESTED_STACK_NODES, expanded_size(child_document)), path=where.path, line=where.line):
            if first:
                unit.errors.append(
                    LoadError(
                        where.path, where.line, budget.message("nested stacks", "this stack and the ones after it are not read")
                    )
                )
            continue
        child = _read_child(
            unit,
            str(logical_id),
            child_path,
            child_document,
            properties.get("Parameters"),
            owners,
            outputs,
            discovery,
            config,
            read_template,
            chain + (child_path,),
            where,
            budget,
        )
        if child is not None:
            _merge(unit, str(logical_id), child, outputs, owners)


def _owners(resources: list[Resource]) -> dict[str, str]:
    owners = {}
    for resource in resources:
        owners[resource.logical_id] = resource.logical_id
        for alias in resource.aliases:
            owners.setdefault(alias, resource.logical_id)
    return owners


def _child_document(child_path: str, discovery: Discovery, unit: LoadedUnit, where: Location) -> Any:
    document = discovery.document_of(child_path)
    if document is not None:
        note_reused(discovery.root / child_path, discovery.root)  # the warm cache must know the unit read it
        return document
    try:
        document = read_document(discovery.root / child_path, discovery.root)
    except UnreadableFile as exc:
        unit.errors.append(LoadError(where.path, where.line, f"nested stack template {child_path} {exc.reason}"))
        return None
    except ParseError as exc:
        at = f" (line {exc.line})" if exc.line else ""
        unit.errors.append(LoadError(where.path, where.line, f"nested stack template {child_path}: {exc.message}{at}"))
        return None
    discovery.documents[child_path] = document
    return document


def _read_child(
    unit: LoadedUnit,
    stack_id: str,
    child_path: str,
    document: Any,
    parameters: Any,
    owners: Mapping[str, str],
    outputs: Mapping[tuple[str, str], str],
    discovery: Discovery,
    config: LoadConfig,
    read_template: TemplateReaderFunction,
    chain: tuple[str, ...],
    where: Location,
    budget: ExpansionBudget,
) -> tuple[LoadedUnit, dict[str, str]] | None:
    """The child template read as a unit of the parent's name, and its parameters wired to parent nodes."""
    from ...discover import classify

    child_format = classify(document)
    if child_format not in ("cloudformation", "sam"):
        unit.errors.append(
            LoadError(where.path, where.line, f"nested stack {stack_id}: {child_path} is not a CloudFormation or SAM template")
        )
        return None
    overrides: dict[str, Any] = {}
    wired: dict[str, str] = {}  # child parameter -> parent logical id it stands for
    if isinstance(parameters, Mapping):
        for name, value in parameters.items():
            parent_node = _parent_node(value, owners, outputs)
            if parent_node is not None:
                wired[str(name)] = parent_node
                overrides[str(name)] = None  # the child must not fall back to its default
                continue
            resolved = resolve_string(value, unit.parameters)
            if resolved is not None:
                overrides[str(name)] = resolved
    child = LoadedUnit(
        name=unit.name,
        format=child_format,
        path=child_path,
        region=unit.region,
        tags=dict(unit.tags),
        location=Location(child_path, 1),
    )
    read_template(child, document, config, parameter_overrides=overrides, root=discovery.root)
    join_nested_stacks(child, document, discovery, config, read_template, _chain=chain, _budget=budget)
    return child, wired


def _parent_node(value: Any, owners: Mapping[str, str], outputs: Mapping[tuple[str, str], str]) -> str | None:
    """The parent's node a parameter value names: ``!Ref Queue``, ``!GetAtt Queue.Arn``, a sibling's output."""
    if isinstance(value, Mapping) and len(value) == 1 and "Fn::GetAtt" in value:
        inner = value["Fn::GetAtt"]
        parts = inner.split(".") if isinstance(inner, str) else [str(part) for part in inner] if isinstance(inner, list) else []
        if len(parts) == 3 and parts[1] == "Outputs":
            return outputs.get((parts[0], parts[2]))
        if len(parts) == 2 and parts[1].startswith("Outputs."):
            return outputs.get((parts[0], parts[1][len("Outputs.") :]))
    target = target_of(value, None)
    return owners.get(target) if target is not None else None


def _merge(
    unit: LoadedUnit,
    stack_id: str,
    child_and_wiring: tuple[LoadedUnit, dict[str, str]],
    outputs: dict[tuple[str, str], str],
    owners: dict[str, str],
) -> None:
    """Move the child's resources, edges and exports into ``unit`` under ``<stack_id>/``."""
    child, wired = child_and_wiring
    prefix = f"{stack_id}/"
    wired_refs = {f"parameter {name} of {child.name}": node for name, node in wired.items()}

    def endpoint(value: Any) -> Any:
        if isinstance(value, str):
            return prefix + value
        if isinstance(value, ForeignRef) and value.how == "external" and value.key in wired_refs:
            return wired_refs[value.key]
        return value

    for resource in child.resources:
        moved = dataclasses.replace(
            resource, logical_id=prefix + resource.logical_id, aliases=tuple(prefix + alias for alias in resource.aliases)
        )
        unit.resources.append(moved)
        owners[moved.logical_id] = moved.logical_id
        if not resource.logical_id.count("/"):  # grandchildren hang off their own stack resource
            unit.edges.append(Edge("nested_stack", stack_id, moved.logical_id, resource.location, "nested stack"))
    for edge in child.edges:
        unit.edges.append(dataclasses.replace(edge, source=endpoint(edge.source), target=endpoint(edge.target)))
    for export in child.exports:
        target = prefix + export.target if export.target else None
        if target is not None:
            outputs[(stack_id, export.output)] = target
        if export.export_name:
            unit.exports.append(Export(export.output, export.export_name, target, export.location, export.value))
    unit.errors.extend(child.errors)
    unit.notes.extend(child.notes)
    unit.stack_refs.extend(child.stack_refs)
