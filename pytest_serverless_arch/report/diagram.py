"""What every picture draws (HTML, Mermaid, DOT): units as boxes of their functions and trigger sources, and the edges.

Inside a unit: each function and each resource that triggers a function, and
the triggers, invokes and accesses between them. Between units: one
:class:`UnitEdge` per pair of units (provider or trigger source on the left,
the unit that depends on it on the right), summing the cross-unit links and
the triggers, invokes and accesses that cross. Units sit in deploy waves
(left to right); units in a cycle share the wave of their cycle.

>>> from pytest_serverless_arch import load
>>> diagram = build_diagram(load("tests/fixtures/report"))  # doctest: +SKIP
>>> [unit.name for unit in diagram.units]  # doctest: +SKIP
['orders/template.yaml']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..graph import DeploymentGraph
from ..waves import condensed_waves
from .findings import Finding

__all__ = ["Diagram", "DiagramEdge", "DiagramNode", "DiagramUnit", "UnitEdge", "build_diagram"]

# edge kinds drawn inside a unit (between two nodes of the picture)
NODE_EDGE_KINDS = ("triggers", "invokes", "accesses")


@dataclass(frozen=True)
class DiagramNode:
    """A function or a trigger source, with what a details panel shows about it."""

    id: str
    label: str
    kind: str
    type: str
    unit: str
    domain: str | None
    location: str
    violating: bool = False


@dataclass(frozen=True)
class DiagramEdge:
    """A trigger, invoke or access between two nodes (in one unit, or crossing when ``cross_unit``)."""

    source: str
    target: str
    kind: str
    location: str
    cross_unit: bool = False
    violating: bool = False


@dataclass(frozen=True)
class DiagramUnit:
    """A deployment unit: a box in its deploy wave."""

    name: str
    format: str
    path: str
    domain: str | None
    wave: int
    nodes: tuple[DiagramNode, ...] = ()
    violating: bool = False
    pipelines: tuple[str, ...] = ()  # the pipelines that deploy it

    @property
    def functions(self) -> int:
        return sum(1 for node in self.nodes if node.kind == "function")


@dataclass(frozen=True)
class UnitEdge:
    """``source`` must exist before ``target`` (``target`` needs it or is triggered by it); what makes it so."""

    source: str
    target: str
    kinds: tuple[str, ...]  # sorted link and edge kinds, e.g. ("imports", "triggers")
    count: int
    cross_unit_trigger: bool = False
    violating: bool = False


@dataclass(frozen=True)
class Diagram:
    units: tuple[DiagramUnit, ...]
    edges: tuple[DiagramEdge, ...]  # node to node (inside a unit, or cross-unit triggers/invokes/accesses)
    unit_edges: tuple[UnitEdge, ...]
    waves: int
    external_links: int = 0  # links to things outside the repository (not drawn)
    units_omitted: int = 0  # units left out by :meth:`only`
    nodes_by_id: dict[str, DiagramNode] = field(default_factory=dict, repr=False, compare=False)
    _inner_cache: dict[str, dict[str, list[DiagramEdge]]] = field(default_factory=dict, repr=False, compare=False)

    def node(self, node_id: str) -> DiagramNode:
        return self.nodes_by_id[node_id]

    def only(self, names: Iterable[str]) -> Diagram:
        """The picture restricted to the units in ``names`` (and the edges between them)."""
        keep = set(names)
        units = tuple(unit for unit in self.units if unit.name in keep)
        kept_nodes = {node.id for unit in units for node in unit.nodes}
        return Diagram(
            units=units,
            edges=tuple(edge for edge in self.edges if edge.source in kept_nodes and edge.target in kept_nodes),
            unit_edges=tuple(edge for edge in self.unit_edges if edge.source in keep and edge.target in keep),
            waves=self.waves,
            external_links=self.external_links,
            units_omitted=self.units_omitted + len(self.units) - len(units),
            nodes_by_id={node_id: node for node_id, node in self.nodes_by_id.items() if node_id in kept_nodes},
        )

    def inner_edges(self, unit: str) -> list[DiagramEdge]:
        """The edges drawn inside ``unit`` (both ends in it)."""
        by_unit: dict[str, list[DiagramEdge]] | None = self._inner_cache.get("by_unit")
        if by_unit is None:
            by_unit = {}
            for edge in self.edges:
                if not edge.cross_unit:
                    by_unit.setdefault(self.nodes_by_id[edge.source].unit, []).append(edge)
            self._inner_cache["by_unit"] = by_unit
        return list(by_unit.get(unit, ()))


def unit_waves(graph: DeploymentGraph) -> dict[str, int]:
    """Unit name -> deploy wave (0 first); the units of a cycle share one wave."""
    after: dict[str, list[str]] = {unit.name: [] for unit in graph.units()}
    for dependency in graph.unit_dependencies():
        after.setdefault(dependency.depends_on, []).append(dependency.unit)
    return condensed_waves(after)


def build_diagram(graph: DeploymentGraph, findings: Iterable[Finding] = ()) -> Diagram:
    """The picture of ``graph``; nodes, units and edges named in failing ``findings`` are marked violating."""
    failing = [finding.violation for finding in findings if finding.state == "new"]
    violating_nodes = {resource for violation in failing for resource in violation.resources}
    violating_units = {unit for violation in failing for unit in violation.units}
    violating_pairs = {frozenset((a, b)) for violation in failing for a in violation.units for b in violation.units if a != b}
    # an edge is violating when one finding names both its ends (a trigger and its function, say)
    violating_node_pairs = {
        frozenset((a, b)) for violation in failing for a in violation.resources for b in violation.resources if a != b
    }
    function_ids = {function.id for function in graph.functions()}
    sources = {trigger.source for trigger in graph.trigger_edges() if trigger.function in function_ids}
    drawn: dict[str, DiagramNode] = {}
    for resource in graph.resources():
        resource_id = resource.id  # a property that formats the id: once per resource
        if resource_id in function_ids or resource_id in sources:
            drawn[resource_id] = DiagramNode(
                id=resource_id,
                label=resource.name or resource.logical_id,
                kind=resource.kind,
                type=resource.type,
                unit=resource.unit,
                domain=resource.domain,
                location=str(resource.location),
                violating=resource_id in violating_nodes,
            )
    edges: list[DiagramEdge] = []
    pairs: dict[tuple[str, str], list[str]] = {}
    seen: set[tuple[str, str, str]] = set()
    for kind in NODE_EDGE_KINDS:
        for edge in graph.edges(kind):
            source, target = str(edge.source), str(edge.target)
            if source not in drawn or target not in drawn or (kind, source, target) in seen:
                continue  # a second policy or variable for the same access is one line in a picture
            seen.add((kind, source, target))
            if kind == "accesses" and drawn[target].kind == "function":
                continue  # a function "accessing" a function is an invoke the readers also record
            source_unit, target_unit = drawn[source].unit, drawn[target].unit
            cross = source_unit != target_unit
            edges.append(
                DiagramEdge(
                    source,
                    target,
                    kind,
                    str(edge.location),
                    cross,
                    violating=bool(violating_node_pairs) and frozenset((source, target)) in violating_node_pairs,
                )
            )
            if cross:
                # a trigger or invoke: the source exists first; an access: the data store exists first
                first, second = (target_unit, source_unit) if kind == "accesses" else (source_unit, target_unit)
                pairs.setdefault((first, second), []).append(kind)
    external = 0
    for link in graph.cross_unit_links():
        if link.to_unit is None:
            external += 1
            continue
        pairs.setdefault((link.to_unit, link.from_unit), []).append(link.kind)
    unit_edges = tuple(
        UnitEdge(
            source,
            target,
            tuple(sorted(set(kinds))),
            len(kinds),
            cross_unit_trigger="triggers" in kinds,
            violating=frozenset((source, target)) in violating_pairs,
        )
        for (source, target), kinds in sorted(pairs.items())
    )
    waves = unit_waves(graph)
    nodes_of: dict[str, list[DiagramNode]] = {}
    for node in drawn.values():
        nodes_of.setdefault(node.unit, []).append(node)
    units = []
    for unit in graph.units():
        nodes = tuple(sorted(nodes_of.get(unit.name, ()), key=lambda node: (node.kind == "function", node.label, node.id)))
        domain = unit.domain or _single_domain(nodes)
        units.append(
            DiagramUnit(
                unit.name,
                unit.format,
                unit.path,
                domain,
                waves.get(unit.name, 0),
                nodes,
                violating=unit.name in violating_units,
                pipelines=tuple(pipeline.name for pipeline in graph.pipelines_of(unit.name)),
            )
        )
    units.sort(key=lambda unit: (unit.wave, unit.name))
    return Diagram(
        units=tuple(units),
        edges=tuple(edges),
        unit_edges=unit_edges,
        waves=(max(waves.values()) + 1) if waves else 0,
        external_links=external,
        nodes_by_id=drawn,
    )


def _single_domain(nodes: tuple[DiagramNode, ...]) -> str | None:
    domains = {node.domain for node in nodes if node.domain}
    return domains.pop() if len(domains) == 1 else None
