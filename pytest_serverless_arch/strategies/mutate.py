"""``from_graph(graph)``: draw mutations of a real repository's deployment graph.

A team loads its own repository once and asks "what if": move a function to
another unit, merge two units, split one. Each drawn :class:`GraphMutation`
holds the mutated graph next to the original, so a property can say how a
rule's verdict may change (moving a function next to its trigger removes a
``trigger-colocated`` finding; merging two units of one domain adds no
``single-domain-units`` finding...).

>>> from hypothesis import given
>>> from pytest_serverless_arch import load
>>> graph = load("sample_repos/trigger-grouped-food-delivery")  # doctest: +SKIP
>>> @given(from_graph(graph, kinds=st.just("merge-units")))  # doctest: +SKIP
... def test_merging_never_creates_a_cycle(mutation):
...     assert not mutation.graph.unit_cycles()
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from ..graph import DeploymentGraph, ExternalNode
from ..model import Edge, Resource, Unit

__all__ = ["MUTATION_KINDS", "GraphMutation", "from_graph"]

MUTATION_KINDS: tuple[str, ...] = ("move-function", "merge-units", "split-unit")


@dataclass(frozen=True)
class GraphMutation:
    """One change to a graph: what was done, to which units, and the graph after it.

    ``moved`` maps each moved resource's old id to its new id.
    """

    kind: str
    description: str
    original: DeploymentGraph
    graph: DeploymentGraph
    units: tuple[str, ...]
    moved: Mapping[str, str]

    def __repr__(self) -> str:  # hypothesis prints this for a failing example
        return f"GraphMutation({self.description!r})"


def from_graph(graph: DeploymentGraph, *, kinds: SearchStrategy[str] | None = None) -> SearchStrategy[GraphMutation]:
    """Mutations of ``graph`` of one of ``kinds``: ``move-function``, ``merge-units``, ``split-unit``.

    ``kinds=None`` draws any kind that applies to ``graph``. A drawn kind that
    cannot apply (no second unit to merge with or move a function to, no unit
    with two resources to split) is rejected, so a strategy of kinds none of
    which applies ends in hypothesis' ``Unsatisfiable``; a graph to which no
    mutation applies at all fails with :class:`hypothesis.errors.InvalidArgument`.
    """
    return _mutations(graph, kinds)


@st.composite
def _mutations(draw: Callable[..., Any], graph: DeploymentGraph, kinds: Any) -> GraphMutation:
    if not isinstance(graph, DeploymentGraph):
        raise InvalidArgument(f"graph={graph!r} must be a DeploymentGraph (from pytest_serverless_arch.load)")
    if kinds is not None and not isinstance(kinds, SearchStrategy):
        raise InvalidArgument(f"kinds={kinds!r} must be a hypothesis strategy or None, not {type(kinds).__name__}")
    units = [unit.name for unit in graph.units()]
    splittable = [name for name in units if len(graph.resources(unit=name)) >= 2]
    applicable = {
        "move-function": len(units) >= 2 and bool(graph.functions()),
        "merge-units": len(units) >= 2,
        "split-unit": bool(splittable),
    }
    if not any(applicable.values()):
        raise InvalidArgument(f"no mutation applies to a graph of {len(units)} unit(s): {graph.summary()}")
    kind = draw(kinds if kinds is not None else st.sampled_from([k for k in MUTATION_KINDS if applicable[k]]))
    if kind not in MUTATION_KINDS:
        raise InvalidArgument(f"kinds drew {kind!r}; expected one of {', '.join(MUTATION_KINDS)}")
    if not applicable[kind]:
        draw(st.nothing())  # reject: this graph offers no such mutation
    if kind == "move-function":
        function = draw(st.sampled_from(graph.functions()))
        target = draw(st.sampled_from([name for name in units if name != function.unit]))
        return _apply(
            graph, kind, f"move function {function.id} to unit {target}", {function.id: target}, units=(function.unit, target)
        )
    if kind == "merge-units":
        keep, drop = draw(st.permutations(units))[:2]
        moves = {resource.id: keep for resource in graph.resources(unit=drop)}
        return _apply(graph, kind, f"merge unit {drop} into unit {keep}", moves, units=(keep, drop), drop=drop)
    unit = draw(st.sampled_from(splittable))
    resources = graph.resources(unit=unit)
    # a non-empty proper subset of the unit's resources leaves for a new unit
    chosen = draw(st.sets(st.integers(0, len(resources) - 1), min_size=1, max_size=len(resources) - 1))
    new_unit = _fresh_name(f"{unit}-split", units)
    moves = {resources[index].id: new_unit for index in sorted(chosen)}
    return _apply(
        graph,
        kind,
        f"split {len(moves)} of {len(resources)} resources of unit {unit} into unit {new_unit}",
        moves,
        units=(unit, new_unit),
        new_unit=(new_unit, graph.unit(unit)),
    )


def _fresh_name(name: str, taken: list[str]) -> str:
    candidate, index = name, 2
    while candidate in taken:
        candidate, index = f"{name}{index}", index + 1
    return candidate


def _apply(
    graph: DeploymentGraph,
    kind: str,
    description: str,
    moves: Mapping[str, str],
    *,
    units: tuple[str, ...],
    drop: str | None = None,
    new_unit: tuple[str, Unit] | None = None,
) -> GraphMutation:
    """A new graph with the resources in ``moves`` re-homed (ids follow their unit)."""
    raw = graph.to_networkx()
    taken = {node for node, data in raw.nodes(data=True) if data["node_type"] == "resource"} - set(moves)
    id_map: dict[str, str] = {}
    resources: list[Resource] = []
    for node, data in raw.nodes(data=True):
        if data["node_type"] != "resource":
            continue
        resource: Resource = data["record"]
        if node in moves:
            logical_id = resource.logical_id
            while f"{moves[node]}:{logical_id}" in taken:  # the target unit already has this logical id
                logical_id += "Moved"
            resource = dataclasses.replace(resource, unit=moves[node], logical_id=logical_id)
            taken.add(resource.id)
        id_map[node] = resource.id
        resources.append(resource)
    result = DeploymentGraph(root=graph.root, errors=list(graph.errors), notes=list(graph.notes))
    unit_records = [unit for unit in graph.units() if unit.name != drop]
    if new_unit is not None:
        name, template = new_unit
        unit_records.append(dataclasses.replace(template, name=name))
    for unit in unit_records:
        members = [r for r in resources if r.unit == unit.name]
        domains = frozenset(r.domain for r in members if r.domain)
        result.add_unit(
            dataclasses.replace(
                unit, resource_count=len(members), domains=domains, domain=next(iter(domains)) if len(domains) == 1 else None
            )
        )
    for resource in resources:
        result.add_resource(resource)
    for node, data in raw.nodes(data=True):
        if data["node_type"] == "external":
            record = data["record"]
            result.add_external(record if isinstance(record, ExternalNode) else ExternalNode(node, data["kind"], node))
    for _, _, data in raw.edges(data=True):
        edge: Edge = data["record"]
        source, target = id_map.get(edge.source, edge.source), id_map.get(edge.target, edge.target)
        if not (result.has_node(source) and result.has_node(target)):
            continue
        cross_unit = edge.cross_unit
        if edge.kind == "triggers":
            cross_unit = result.unit_of(source) != result.unit_of(target)
        result.add_edge(dataclasses.replace(edge, source=source, target=target, cross_unit=cross_unit))
    return GraphMutation(kind, description, graph, result, units, {old: id_map[old] for old in moves})
