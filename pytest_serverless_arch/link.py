"""Link loaded units into one :class:`DeploymentGraph`.

Every :class:`ForeignRef` endpoint a loader left behind is resolved here: to
a resource of another unit (adding a cross-unit link edge), or to an
``external`` node, so nothing referenced is ever dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

from .config import LoadConfig
from .graph import DeploymentGraph, ExternalNode
from .model import Edge, ForeignRef, LoadedUnit, LoadError, Note, Resource, Unit

__all__ = ["build_graph", "external_id"]


def external_id(ref: ForeignRef) -> str:
    return f"external:{ref.how}:{ref.key}"


def build_graph(units: Iterable[LoadedUnit], *, root: str, config: LoadConfig,
                errors: Iterable[LoadError] = (), notes: Iterable[Note] = ()) -> DeploymentGraph:
    """Put every unit's resources and edges into one graph, resolving foreign references."""
    graph = DeploymentGraph(root=root)
    graph.errors.extend(errors)
    graph.notes.extend(notes)
    loaded = list(units)
    for unit in loaded:
        graph.errors.extend(unit.errors)
        graph.notes.extend(unit.notes)
        graph.add_unit(Unit(unit.name, unit.format, unit.path, region=unit.region,
                            tags=tuple(sorted(unit.tags.items())), resource_count=len(unit.resources),
                            location=unit.location))
        for resource in unit.resources:
            graph.add_resource(resource)
    for unit in loaded:
        for edge in unit.edges:
            source = _endpoint_id(graph, unit, edge.source, edge)
            target = _endpoint_id(graph, unit, edge.target, edge)
            if source is None or target is None:
                continue
            cross_unit = graph.unit_of(source) != graph.unit_of(target)
            graph.add_edge(Edge(edge.kind, source, target, edge.location, edge.detail,
                                cross_unit=cross_unit if edge.kind == "triggers" else edge.cross_unit))
    return graph


def _endpoint_id(graph: DeploymentGraph, unit: LoadedUnit, endpoint: object, edge: Edge) -> str | None:
    if isinstance(endpoint, str):
        node_id = f"{unit.name}:{endpoint}"
        return node_id if graph.has_node(node_id) else None
    if isinstance(endpoint, ForeignRef):
        node_id = external_id(endpoint)
        graph.add_external(ExternalNode(node_id, endpoint.kind_hint, endpoint.key, edge.location))
        return node_id
    if isinstance(endpoint, Resource):
        return endpoint.id
    return None
