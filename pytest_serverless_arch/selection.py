"""Selectors: scope rules, assertions and the pattern classifier to part of a repository.

``graph.where(domain="orders")``, ``graph.where(unit="orders-*")``,
``graph.where(tag="team=payments")``, ``graph.where(kind="function")`` or a
selector string ``graph.where("domain:orders, kind:function")`` returns a :class:`ScopedGraph`: a
read-only view that answers the same queries as a
:class:`~pytest_serverless_arch.graph.DeploymentGraph`, restricted to the
selected units and resources. Relations are still looked up in the whole
graph, so a function of the selection triggered from a unit outside it is
seen (that is what most rules look for).

Selector strings are the vocabulary configuration uses (contracts):
``domain:NAME``, ``tag:KEY`` or ``tag:KEY=VALUE``, ``kind:KIND`` (a resource
kind), ``unit:GLOB`` or a bare unit name glob; several joined by ``,`` must
all hold. Edge kinds have one vocabulary too (:func:`edge_kinds`): ``links``
(every cross-unit link kind), ``triggers``, ``accesses``, ``invokes``,
``references``, or one link kind (``ssm_parameter``, ``imports``, ...).

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
from typing import TYPE_CHECKING, Any, cast

from .model import EDGE_KINDS, LINK_KINDS, RESOURCE_KINDS, Edge, LoadError, Note, Resource, Unit
from .view import GraphView

if TYPE_CHECKING:
    from .graph import DeployedPipeline, DeploymentGraph, ExternalNode, Link, Trigger, UnitDependency

__all__ = [
    "DEPENDENCY_EDGE_KINDS",
    "EDGE_KIND_WORDS",
    "ScopedGraph",
    "Selection",
    "SelectorError",
    "TagSelector",
    "edge_kinds",
    "scope_of",
    "select",
    "whole_graph",
]

EDGE_KIND_WORDS: tuple[str, ...] = ("links", *EDGE_KINDS)
"""The words that name edge kinds: ``links`` (every cross-unit link kind) and each edge kind."""

DEPENDENCY_EDGE_KINDS: tuple[str, ...] = ("links", "triggers", "accesses", "invokes")
"""What counts as one thing depending on another when nothing else is said (``references`` are
a unit's own wiring: Ref, GetAtt, DependsOn)."""


class SelectorError(ValueError):
    """A selector or an edge kind that cannot be understood."""


def edge_kinds(words: str | Iterable[str] | None = None) -> frozenset[str]:
    """The edge kinds that ``words`` name (default :data:`DEPENDENCY_EDGE_KINDS`).

    >>> sorted(edge_kinds(["accesses", "invokes"]))
    ['accesses', 'invokes']
    >>> "ssm_parameter" in edge_kinds("links")
    True
    """
    chosen = DEPENDENCY_EDGE_KINDS if words is None else _as_tuple(words)
    kinds: set[str] = set()
    for word in chosen:
        if word == "links":
            kinds.update(LINK_KINDS)
        elif word in EDGE_KINDS:
            kinds.add(word)
        else:
            raise SelectorError(f"unknown edge kind {word!r}; edge kinds: {', '.join(EDGE_KIND_WORDS)}")
    return frozenset(kinds)


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
    - ``tags``: resources carrying every one of these tags (``(key, value)``; value ``None`` = any value);
    - ``kinds``: resources of one of these kinds (``function``, ``queue``, ...); a unit itself has no kind.
    """

    domains: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    tags: tuple[tuple[str, str | None], ...] = ()
    kinds: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        domain: str | Iterable[str] | None = None,
        unit: str | Iterable[str] | None = None,
        tag: TagSelector = None,
        kind: str | Iterable[str] | None = None,
    ) -> Selection:
        kinds = _as_tuple(kind)
        unknown = [name for name in kinds if name not in RESOURCE_KINDS]
        if unknown:
            raise SelectorError(f"unknown resource kind {unknown[0]!r}; kinds: {', '.join(RESOURCE_KINDS)}")
        return cls(_as_tuple(domain), _as_tuple(unit), _tag_pairs(tag), kinds)

    @classmethod
    def parse(cls, selector: str) -> Selection:
        """A selector string: ``domain:NAME``, ``tag:KEY[=VALUE]``, ``kind:KIND``, ``unit:GLOB`` or a bare
        unit name glob; several parts joined by ``,`` must all hold.

        >>> Selection.parse("domain:orders, kind:function")
        Selection(domains=('orders',), units=(), tags=(), kinds=('function',))
        >>> str(Selection.parse("orders-*"))
        'unit=orders-*'
        """
        domains: list[str] = []
        units: list[str] = []
        tags: list[tuple[str, str | None]] = []
        kinds: list[str] = []
        parts = [part.strip() for part in str(selector).split(",")]
        if not any(parts):
            raise SelectorError("an empty selector")
        for part in parts:
            prefix, colon, value = part.partition(":")
            prefix, value = prefix.strip(), value.strip()
            if not part or (colon and not value):
                raise SelectorError(f"selector {selector!r}: {part or 'an empty part'!r} names nothing")
            if not colon:
                units.append(part)
            elif prefix == "domain":
                domains.append(value)
            elif prefix == "unit":
                units.append(value)
            elif prefix == "kind":
                kinds.append(value)
            elif prefix == "tag":
                tags.extend(_tag_pairs(value))
            else:
                raise SelectorError(
                    f"selector {selector!r}: unknown prefix {prefix + ':'!r}; selectors are domain:NAME, "
                    "tag:KEY=VALUE, kind:KIND, unit:GLOB or a unit name glob"
                )
        if len(domains) > 1 or len(kinds) > 1 or len(units) > 1:
            raise SelectorError(f"selector {selector!r}: a criterion given twice can never hold; list alternatives instead")
        kinds_checked = cls.of(kind=kinds).kinds
        return cls(tuple(domains), tuple(units), tuple(sorted(tags, key=lambda pair: (pair[0], pair[1] or ""))), kinds_checked)

    @property
    def everything(self) -> bool:
        return not (self.domains or self.units or self.tags or self.kinds)

    def unit_name_matches(self, name: str) -> bool:
        return not self.units or any(name == pattern or fnmatchcase(name, pattern) for pattern in self.units)

    def resource_matches(self, resource: Resource) -> bool:
        if not self.unit_name_matches(resource.unit):
            return False
        if self.domains and resource.domain not in self.domains:
            return False
        if self.kinds and resource.kind not in self.kinds:
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
        if self.kinds:
            parts.append("kind=" + "|".join(self.kinds))
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
        if all(selection.everything for selection in self.selections):
            # the view of the whole graph (every rule's scope_of): every resource and unit, nothing to match
            self._resource_ids = graph._resource_ids()
            self._unit_names = frozenset(graph.units_by_name)
            return
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
        by_resource = [selection for selection in self.selections if selection.domains or selection.tags or selection.kinds]
        if not by_resource:
            return True
        if own:
            return any(resource.id in self._resource_ids for resource in own)
        if any(selection.kinds for selection in by_resource):
            return False  # a unit without resources holds no resource of any kind
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

    def node_ids(self) -> frozenset[str]:
        """The ids of the selected graph nodes: resources, and unit nodes (``unit:NAME``) unless a kind is asked for."""
        units = (
            frozenset()
            if any(selection.kinds for selection in self.selections)
            else frozenset(f"unit:{name}" for name in self._unit_names)
        )
        return self._resource_ids | units

    def is_empty(self) -> bool:
        """True when the selection matches no unit and no resource (a typo, most likely)."""
        return not self._unit_names and not self._resource_ids

    def where(
        self,
        selector: str | None = None,
        *,
        domain: str | Iterable[str] | None = None,
        unit: str | Iterable[str] | None = None,
        tag: TagSelector = None,
        kind: str | Iterable[str] | None = None,
    ) -> ScopedGraph:
        """Narrow this view further (every criterion of both must hold)."""
        return ScopedGraph(self.graph, (*self.selections, *_selections(selector, domain, unit, tag, kind)))

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
        if kind is not None and kind not in EDGE_KINDS:
            kinds = edge_kinds(kind)  # a word such as ``links``
            return [edge for edge in self.edges() if edge.kind in kinds]
        return [
            edge
            for edge in self.graph.edges(kind)
            if self._touches(edge.source, edge.target) or self.selects_unit(self._unit_node_name(edge.source))
        ]

    def _unit_node_name(self, node_id: str) -> str | None:
        return node_id[len("unit:") :] if node_id.startswith("unit:") else None

    def trigger_edges(self) -> list[Trigger]:
        return [trigger for trigger in self.graph.trigger_edges() if self._touches(trigger.source, trigger.function)]

    def cross_unit_links(self, kind: str | None = None) -> list[Link]:
        return [
            link
            for link in self.graph.cross_unit_links(kind)
            if self.selects_unit(link.from_unit) or self.selects_unit(link.to_unit)
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

    # --- lookups by id and whole-repository facts: answered by the whole graph ------------------

    @property
    def errors(self) -> list[LoadError]:
        return self.graph.errors

    @property
    def notes(self) -> list[Note]:
        return self.graph.notes

    def node(self, node_id: str) -> Resource | ExternalNode:
        return self.graph.node(node_id)

    def node_kind(self, node_id: str) -> str | None:
        return self.graph.node_kind(node_id)

    def resource(self, resource_id: str) -> Resource:
        return self.graph.resource(resource_id)

    def edges_from(self, node_id: str, kind: str | None = None) -> list[Edge]:
        return self.graph.edges_from(node_id, kind)

    def edges_to(self, node_id: str, kind: str | None = None) -> list[Edge]:
        return self.graph.edges_to(node_id, kind)

    def triggers_of(self, function: str | Resource) -> list[Trigger]:
        return self.graph.triggers_of(function)

    def unit_of(self, node_id: str) -> str | None:
        return self.graph.unit_of(node_id)

    def deploy_order(self) -> list[list[str]] | None:
        return self.graph.deploy_order()

    def pipelines(self) -> list[DeployedPipeline]:
        return self.graph.pipelines()

    def pipelines_of(self, unit: str | Unit) -> list[DeployedPipeline]:
        return self.graph.pipelines_of(unit)

    def __getattr__(self, name: str) -> Any:
        # anything else the whole graph offers (to_networkx(), root, ...), for power users
        return getattr(self.graph, name)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units())

    def __len__(self) -> int:
        return len(self._unit_names)

    def summary(self) -> str:
        return f"{self.selection}: {len(self.units())} units, {len(self.functions())} functions"

    def __repr__(self) -> str:
        return f"<ScopedGraph {self.selection}: {len(self._unit_names)} units, {len(self._resource_ids)} resources>"


def _selections(
    selector: str | None,
    domain: str | Iterable[str] | None,
    unit: str | Iterable[str] | None,
    tag: TagSelector,
    kind: str | Iterable[str] | None,
) -> tuple[Selection, ...]:
    keywords = Selection.of(domain=domain, unit=unit, tag=tag, kind=kind)
    if selector is None:
        return (keywords,)
    parsed = Selection.parse(selector)
    return (parsed,) if keywords.everything else (parsed, keywords)


def select(
    graph: GraphView,
    selector: str | None = None,
    *,
    domain: str | Iterable[str] | None = None,
    unit: str | Iterable[str] | None = None,
    tag: TagSelector = None,
    kind: str | Iterable[str] | None = None,
) -> ScopedGraph:
    """``graph.where(...)``: the view of ``graph`` keeping what matches every criterion given.

    ``selector`` is a selector string (``"domain:orders, kind:function"``); keywords add criteria.
    """
    if isinstance(graph, ScopedGraph):
        return graph.where(selector, domain=domain, unit=unit, tag=tag, kind=kind)
    return ScopedGraph(whole_graph(graph), _selections(selector, domain, unit, tag, kind))


def scope_of(graph: GraphView) -> ScopedGraph:
    """``graph`` as a view (a whole graph becomes the view that selects everything)."""
    return graph if isinstance(graph, ScopedGraph) else ScopedGraph(whole_graph(graph))


def whole_graph(graph: GraphView) -> DeploymentGraph:
    """The whole graph behind a view (or the graph itself)."""
    # a GraphView is one of the two; DeploymentGraph is not imported here at run time (graph.py imports this module)
    return graph.graph if isinstance(graph, ScopedGraph) else cast("DeploymentGraph", graph)
