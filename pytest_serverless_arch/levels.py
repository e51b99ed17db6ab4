"""The unit of deployment: a stack, or what one pipeline deploys (``serverless_arch_unit_level``).

The seed's four patterns are cuts *by pipeline*: one workflow that deploys an
infrastructure stack and then an application stack ships both together, so
its cross-stack triggers ship with their functions. At the ``pipeline`` level
every pipeline's stacks are merged into one unit named after the pipeline (a
stack that no pipeline deploys stays its own unit; a stack several pipelines
deploy joins the first of them). ``auto`` takes the pipeline level when the
pipelines deploy every unit holding a function.

The classifier and the rules ``trigger-colocated``, ``no-unit-cycles``,
``max-cross-unit-links`` and ``single-domain-units`` run on
:func:`at_unit_level` of the graph; everything else sees stacks.

>>> from pytest_serverless_arch.graph import DeploymentGraph
>>> resolve_unit_level(DeploymentGraph()).level
'stack'
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .graph import DeploymentGraph, ExternalNode, UnitLevel
from .model import Location, Resource, Unit
from .view import GraphView

__all__ = ["UNIT_LEVELS", "at_unit_level", "pipeline_groups", "resolve_unit_level"]

UNIT_LEVELS = ("auto", "stack", "pipeline")


def resolve_unit_level(graph: DeploymentGraph) -> UnitLevel:
    """Which level ``graph``'s setting means for this repository, and why (:meth:`DeploymentGraph.unit_level`)."""
    return graph.unit_level()


def pipeline_groups(graph: DeploymentGraph) -> dict[str, str]:
    """Unit name -> the name of its unit at the pipeline level (the first pipeline deploying it, else itself)."""
    stacks = set(graph.units_by_name)
    groups: dict[str, str] = {}
    for unit in graph.units():
        deployed_by = graph.pipelines_of(unit.name)
        if not deployed_by:
            groups[unit.name] = unit.name
            continue
        pipeline = deployed_by[0]
        # a pipeline named like a stack it does not deploy must not merge with that stack
        clash = pipeline.name in stacks and pipeline.name not in pipeline.units
        groups[unit.name] = f"{pipeline.name} (pipeline)" if clash else pipeline.name
    return groups


def at_unit_level(graph: GraphView) -> Any:
    """``graph`` at its unit level: itself at ``stack`` level (and for scoped views), else merged by pipeline."""
    if not isinstance(graph, DeploymentGraph) or graph.unit_level().level != "pipeline":
        return graph
    cached = graph._cache.get("pipeline_level")
    if cached is None:
        cached = _merge_by_pipeline(graph)
        graph._cache["pipeline_level"] = cached
    return cached


def _merge_by_pipeline(graph: DeploymentGraph) -> DeploymentGraph:
    groups = pipeline_groups(graph)
    result = DeploymentGraph(root=graph.root, errors=list(graph.errors), notes=list(graph.notes), unit_level_setting="stack")
    taken: set[str] = set()
    id_map: dict[str, str] = {f"unit:{unit}": f"unit:{group}" for unit, group in groups.items()}
    resources: list[Resource] = []
    for resource in graph.resources():
        group = groups.get(resource.unit, resource.unit)
        logical_id = resource.logical_id
        if f"{group}:{logical_id}" in taken:  # two stacks of one pipeline use one logical id
            logical_id = f"{resource.unit}/{logical_id}"
        moved = dataclasses.replace(resource, unit=group, logical_id=logical_id)
        taken.add(moved.id)
        id_map[resource.id] = moved.id
        resources.append(moved)
    pipelines = {pipeline.name: pipeline for pipeline in graph.pipelines()}
    for group in dict.fromkeys(groups[name] for name in sorted(groups)):
        members = [name for name in sorted(groups) if groups[name] == group]
        records = [graph.unit(name) for name in members]
        held = [resource for resource in resources if resource.unit == group]
        domains = frozenset(resource.domain for resource in held if resource.domain)
        formats = sorted({record.format for record in records})
        pipeline = pipelines.get(group) or pipelines.get(group.removesuffix(" (pipeline)"))
        if len(records) == 1 and pipeline is None:
            result.add_unit(records[0])
            continue
        location = pipeline.location if pipeline is not None else records[0].location
        result.add_unit(
            Unit(
                group,
                formats[0] if len(formats) == 1 else "+".join(formats),
                location.path if isinstance(location, Location) else records[0].path,
                domain=next(iter(domains)) if len(domains) == 1 else None,
                domains=domains,
                region=records[0].region,
                resource_count=len(held),
                location=location,
            )
        )
    for resource in resources:
        result.add_resource(resource)
    for node in graph.externals():
        result.add_external(node if isinstance(node, ExternalNode) else ExternalNode(node.id, "other", node.id))
    for edge in graph.edges():
        source = id_map.get(str(edge.source), edge.source)
        target = id_map.get(str(edge.target), edge.target)
        if not (result.has_node(source) and result.has_node(target)):
            continue
        source_unit, target_unit = result.unit_of(source), result.unit_of(target)
        if str(source).startswith("unit:"):
            source_unit = str(source)[5:]
        if str(target).startswith("unit:"):
            target_unit = str(target)[5:]
        cross_unit = edge.cross_unit and (source_unit is None or target_unit is None or source_unit != target_unit)
        result.add_edge(dataclasses.replace(edge, source=source, target=target, cross_unit=cross_unit))
    for pipeline in graph.pipelines():
        units = tuple(dict.fromkeys(groups.get(name, name) for name in pipeline.units))
        locations = tuple((groups.get(name, name), location) for name, location in pipeline.unit_locations)
        result.add_pipeline(dataclasses.replace(pipeline, units=units, unit_locations=locations))
    return result
