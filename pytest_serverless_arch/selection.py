"""Selectors: scope rules, assertions and the pattern classifier to part of a repository.

``graph.where(domain="orders")``, ``graph.where(unit="orders-*")`` or
``graph.where(tag="team=payments")`` returns a :class:`ScopedGraph`: a
read-only view that answers the same queries as a
:class:`~pytest_serverless_arch.graph.DeploymentGraph`, restricted to the
selected units and resources. Relations are still looked up in the whole
graph, so a function of the selection triggered from a unit outside it is
seen (that is what most rules look for).

>>> from pytest_serverless_arch import load
>>> graph = load("sample_repos/monolith-online-shop")  # doctest: +SKIP
>>> orders = graph.where(domain="shop", unit="online-*")  # doctest: +SKIP
>>> [function.name for function in orders.functions()]  # doctest: +SKIP
['OrderStreamFunction', 'PlaceOrderFunction', ...]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from .model import Edge, Resource, Unit

if TYPE_CHECKING:
    from .graph import DeploymentGraph, ExternalNode, Link, Trigger, UnitDependency

__all__ = ["ScopedGraph", "Selection", "TagSelector", "scope_of", "select", "whole_graph"]

TagSelector = str | Mapping[str, str] | None
"""``"key"`` (the tag is present), ``"key=value"``, or a mapping of keys to values (all must match)."""


def _tag_pairs(tag: TagSelector) -> tuple[tuple[str, str | None], ...]:
    if tag is None:
        return ()
    if isinstance(tag, Mapping):
        return tuple(sorted((str(key), str(value)) for key, value in tag.items()))
    key, separator, value = str(tag).partition("=")
    return ((key.strip(), value.strip() if separator else None),)


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(frozen=True)
class Selection:
    """What a scoped view keeps. Every criterion given must hold; several values of one criterion are alternatives.

    - ``domains``: resources of one of these domains (units holding one);
    - ``units``: units whose name matches one of these names or globs (``orders-*``);
    - ``tags``: resources carrying every one of these tags (``(key, value)``; value ``None`` = any value).
    """

    domains: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    tags: tuple[tuple[str, str | None], ...] = ()

    @classmethod
    def of(
        cls, *, domain: str | Iterable[str] | None = None, unit: str | Iterable[str] | None = None, tag: TagSelector = None
    ) -> Selection:
        return cls(_as_tuple(domain), _as_tuple(unit), _tag_pairs(tag))

    @property
    def everything(self) -> bool:
        return not (self.domains or self.units or self.tags)

    def unit_name_matches(self, name: str) -> bool:
        return not self.units or any(name == pattern or fnmatchcase(name, pattern) for pattern in self.units)

    def resource_matches(self, resource: Resource) -> bool:
        if not self.unit_name_matches(resource.unit):
            return False
        if self.domains and resource.domain not in self.domains:
            return False
        tags = resource.tag_map
        return all(key in tags and (value is None or tags[key] == value) for key, value in self.tags)

    def __str__(self) -> str:
        parts = []
        if self.domains:
            parts.append("domain=" + "|".join(self.domains))
        if self.units:
            parts.append("unit=" + "|".join(self.units))
        for key, value in self.tags:
            parts.append(f"tag={key}" + (f"={value}" if value is not None else ""))
        return ", ".join(parts) or "everything"


class ScopedGraph:
    """A read-only view of a :class:`DeploymentGraph` restricted to a :class:`Selection`.

    Subjects (``units()``, ``functions()``, ``resources()``) are the selected
    ones; relations (``trigger_edges()``, ``edges()``, ``cross_unit_links()``,
    ``unit_dependencies()``, ``unit_cycles()``) are those that touch the
    selection at either end; lookups by id (``resource()``, ``triggers_of()``,
    ``edges_from()``) and ``deploy_order()`` answer from the whole graph.
    Anything else is delegated to the whole graph.
    """

    def __init__(self, graph: DeploymentGraph, selections: Selection | tuple[Selection, ...] = ()) -> None:
        self.graph = graph
        # Narrowing a view stacks selections: a node is kept when every one of them keeps it.
        self.selections = (selections,) if isinstance(selections, Selection) else tuple(selections)
        resources_of: dict[str, list[Resource]] = {}
        for resource in graph.resources():
            resources_of.setdefault(resource.unit, []).append(resource)
        self._resource_ids = frozenset(
            resource.id
            for resources in resources_of.values()
            for resource in resources
            if all(selection.resource_matches(resource) for selection in self.selections)
        )
        self._unit_names = frozenset(
            unit.name for unit in graph.units() if self._selects_unit(unit, resources_of.get(unit.name, []))
        )

    # --- membership ----------------------------------------------------------

    def _selects_unit(self, unit: Unit, own: list[Resource]) -> bool:
        """A unit is selected when its name matches and, if resources are selected by domain or tag, it holds one."""
        if not all(selection.unit_name_matches(unit.name) for selection in self.selections):
            return False
        by_resource = [selection for selection in self.selections if selection.domains or selection.tags]
        if not by_resource:
            return True
        if own:
            return any(resource.id in self._resource_ids for resource in own)
        # A unit without resources still answers to its own domain and tags.
        unit_tags = dict(unit.tags)
        return all(
            (not selection.domains or unit.domain in selection.domains)
            and all(key in unit_tags and (value is None or unit_tags[key] == value) for key, value in selection.tags)
            for selection in by_resource
        )

    @property
    def selection(self) -> str:
        """The selection in words (``domain=orders, unit=orders-*``)."""
        return "; ".join(str(selection) for selection in self.selections if not selection.everything) or "everything"

    def contains(self, node_id: str) -> bool:
        """Whether the resource ``node_id`` is selected."""
        return node_id in self._resource_ids

    def selects_unit(self, name: str | None) -> bool:
        """Whether the unit ``name`` is selected."""
        return name is not None and name in self._unit_names

    def is_empty(self) -> bool:
        """True when the selection matches no unit and no resource (a typo, most likely)."""
        return not self._unit_names and not self._resource_ids

    def where(
        self, *, domain: str | Iterable[str] | None = None, unit: str | Iterable[str] | None = None, tag: TagSelector = None
    ) -> ScopedGraph:
        """Narrow this view further (every criterion of both must hold)."""
        return ScopedGraph(self.graph, (*self.selections, Selection.of(domain=domain, unit=unit, tag=tag)))

    # --- subjects ------------------------------------------------------------

    def units(self) -> list[Unit]:
        return [unit for unit in self.graph.units() if unit.name in self._unit_names]

    def unit(self, name: str) -> Unit:
        return self.graph.unit(name)

    def resources(self, *, kind: str | None = None, unit: str | None = None, domain: str | None = None) -> list[Resource]:
        return [
            resource
            for resource in self.graph.resources(kind=kind, unit=unit, domain=domain)
            if resource.id in self._resource_ids
        ]

    def functions(self, unit: str | None = None, domain: str | None = None) -> list[Resource]:
        return self.resources(kind="function", unit=unit, domain=domain)

    # --- relations -------------------------------------------------------------

    def _touches(self, edge_source: str, edge_target: str) -> bool:
        return edge_source in self._resource_ids or edge_target in self._resource_ids

    def edges(self, kind: str | None = None) -> list[Edge]:
        return [
            edge
            for edge in self.graph.edges(kind)
            if self._touches(edge.source, edge.target) or self.selects_unit(self._unit_node_name(edge.source))
        ]

    def _unit_node_name(self, node_id: str) -> str | None:
        return node_id[len("unit:") :] if node_id.startswith("unit:") else None

    def trigger_edges(self) -> list[Trigger]:
        return [trigger for trigger in self.graph.trigger_edges() if self._touches(trigger.source, trigger.function)]

    def cross_unit_links(self) -> list[Link]:
        return [
            link for link in self.graph.cross_unit_links() if self.selects_unit(link.from_unit) or self.selects_unit(link.to_unit)
        ]

    def unit_dependencies(self) -> list[UnitDependency]:
        return [
            dependency
            for dependency in self.graph.unit_dependencies()
            if self.selects_unit(dependency.unit) or self.selects_unit(dependency.depends_on)
        ]

    def unit_cycles(self) -> list[list[str]]:
        return [cycle for cycle in self.graph.unit_cycles() if any(self.selects_unit(name) for name in cycle)]

    def externals(self) -> list[ExternalNode]:
        touched = {edge.target for edge in self.edges()} | {edge.source for edge in self.edges()}
        return [node for node in self.graph.externals() if node.id in touched]

    # --- the rest ----------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # resource(), node(), triggers_of(), edges_from(), deploy_order(), errors, ... come from the whole graph
        return getattr(self.graph, name)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units())

    def __len__(self) -> int:
        return len(self._unit_names)

    def summary(self) -> str:
        return f"{self.selection}: {len(self.units())} units, {len(self.functions())} functions"

    def __repr__(self) -> str:
        return f"<ScopedGraph {self.selection}: {len(self._unit_names)} units, {len(self._resource_ids)} resources>"


def select(
    graph: DeploymentGraph | ScopedGraph,
    *,
    domain: str | Iterable[str] | None = None,
    unit: str | Iterable[str] | None = None,
    tag: TagSelector = None,
) -> ScopedGraph:
    """``graph.where(...)``: the view of ``graph`` keeping what matches every criterion given."""
    if isinstance(graph, ScopedGraph):
        return graph.where(domain=domain, unit=unit, tag=tag)
    return ScopedGraph(graph, Selection.of(domain=domain, unit=unit, tag=tag))


def scope_of(graph: DeploymentGraph | ScopedGraph) -> ScopedGraph:
    """``graph`` as a view (a whole graph becomes the view that selects everything)."""
    return graph if isinstance(graph, ScopedGraph) else ScopedGraph(graph)


def whole_graph(graph: DeploymentGraph | ScopedGraph) -> DeploymentGraph:
    """The whole graph behind a view (or the graph itself)."""
    return graph.graph if isinstance(graph, ScopedGraph) else graph
