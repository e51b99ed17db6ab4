"""``DeploymentGraph``: the repository's units, resources and edges, with domain verbs.

The graph keeps its own adjacency (each node's record, each node's edges in
and out, in the order they were added) and never subclasses networkx;
``to_networkx()`` hands out a frozen ``networkx.MultiDiGraph`` copy for power
users. networkx is imported only for that and for listing unit cycles, so a
run that needs neither never pays for its import (about 0.1 s).

>>> from pytest_serverless_arch import load
>>> graph = load("sample_repos/monolith-online-shop")  # doctest: +SKIP
>>> [unit.name for unit in graph.units()]  # doctest: +SKIP
['online-shop']
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import EDGE_KINDS, LINK_KINDS, Edge, LoadError, Location, Note, Resource, Unit
from .waves import generations

if TYPE_CHECKING:
    import networkx as nx

    from .link_facts import LinkScope
    from .unit_records import UnitRecord

__all__ = [
    "DeployedPipeline",
    "DeploymentGraph",
    "ExternalNode",
    "Link",
    "NameUse",
    "ProvidedName",
    "Trigger",
    "UnitDependency",
    "UnitLevel",
    "UnresolvedReference",
]


@dataclass(frozen=True)
class ExternalNode:
    """Something referenced but defined nowhere in the repository."""

    id: str
    kind: str
    name: str
    location: Location | None = None

    @property
    def unit(self) -> None:
        return None


@dataclass(frozen=True)
class Trigger:
    """An event source invoking a function."""

    source: str
    source_kind: str
    function: str
    cross_unit: bool
    location: Location
    detail: str = ""
    cross_pipeline: bool | None = None  # None when either end is deployed by no known pipeline


@dataclass(frozen=True)
class Link:
    """A cross-unit link: ``from_unit`` needs something ``to_unit`` provides."""

    kind: str
    from_unit: str
    to_unit: str | None  # None when the target is external
    source: str
    target: str
    location: Location
    detail: str = ""
    cross_pipeline: bool | None = None  # None when either end is deployed by no known pipeline
    used_by: tuple[str, ...] = ()  # ids of the resources of ``from_unit`` that use it, sorted (none: the unit itself)


@dataclass(frozen=True)
class DeployedPipeline:
    """A CI pipeline as the graph sees it: the units it deploys, in deploy order.

    >>> DeployedPipeline("deploy", "github-actions", Location(".github/workflows/deploy.yml", 1), ("infra", "app"))
    ... # doctest: +ELLIPSIS
    DeployedPipeline(name='deploy', system='github-actions', ...)
    """

    name: str
    system: str
    location: Location
    units: tuple[str, ...] = ()  # unit names, in deploy order
    after: tuple[str, ...] = ()  # names of pipelines that must run before it
    paths: tuple[str, ...] = ()  # path filters that start it
    # (unit, location of the deploy command) for each unit, the line a person edits to reorder it
    unit_locations: tuple[tuple[str, Location], ...] = ()

    def location_of(self, unit: str) -> Location:
        """Where this pipeline deploys ``unit`` (its own location when not known)."""
        return dict(self.unit_locations).get(unit, self.location)


@dataclass(frozen=True)
class UnitDeployment:
    """One deploy command of a unit: a template deployed as ``shop-int`` and as ``shop-live`` has two.

    ``chosen`` marks the one whose stack name and parameter values the unit took
    (``serverless_arch_stage`` names it by stack name, job environment or stage; else the first).
    """

    pipeline: str
    tool: str
    location: Location
    stack_name: str | None = None
    environment: str | None = None
    chosen: bool = False


@dataclass(frozen=True)
class UnitLevel:
    """The level the classifier and the level-aware rules work at, and why.

    ``level`` is ``stack`` (a unit is a stack, service, root module) or
    ``pipeline`` (a unit is what one pipeline deploys).
    """

    level: str = "stack"
    reason: str = "no pipeline deploys any unit"
    configured: str = "auto"


@dataclass(frozen=True)
class UnitDependency:
    """``unit`` must deploy after ``depends_on``, because of ``links``."""

    unit: str
    depends_on: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class ProvidedName:
    """A name a unit offers other units: an export, an SSM parameter it writes, a stack output.

    ``kind`` is ``export``, ``ssm_parameter`` or ``output``; an output's ``name``
    is ``stack/Output`` for every name the stack is deployed as (unit name,
    samconfig or serverless stack name), the key ``${cf:stack.Output}`` and
    compose params use.
    """

    kind: str
    name: str
    unit: str
    node: str  # the resource (or unit) it provides
    location: Location  # the line that provides it (the output, the parameter resource)


@dataclass(frozen=True)
class NameUse:
    """One unit reading a name another unit provides (an import, an SSM read, a stack output).

    ``provider`` is the unit that provides it, None when none does. Comparing
    the uses of two versions of a repository says which references a change adds.
    """

    how: str  # import, ssm, stack_output, compose_param
    name: str
    unit: str
    provider: str | None
    location: Location


@dataclass(frozen=True)
class UnresolvedReference:
    """A cross-unit reference no unit of the repository provides.

    ``how`` is the :class:`~pytest_serverless_arch.model.ForeignRef` kind
    (``import``, ``ssm``, ``stack_output``, ``compose_param``), ``name`` what it
    names (export name, SSM name, ``stack/Output``), ``link_kind`` the link it
    would have made (``imports``, ``remote_state`` ...). ``reason`` says what is missing.
    """

    how: str
    name: str
    unit: str  # the unit that needs it
    location: Location
    link_kind: str
    reason: str
    source: str = ""  # the node that needs it: a resource id, or ``unit:<name>`` for the unit itself


def _networkx() -> Any:
    """networkx, imported only when an algorithm or a copy needs it (``to_networkx()``, unit cycles)."""
    import networkx

    return networkx


# A node's record: a unit, a resource, or something external (None: a node only an edge named).
NodeRecord = Unit | Resource | ExternalNode


@dataclass
class DeploymentGraph:
    """One repository's deployment graph. Build it with :func:`pytest_serverless_arch.load`."""

    root: str = "."
    # Node id -> its record, in the order nodes were added; edges in the order they were added,
    # and each node's edges out and in (what networkx's MultiDiGraph kept, without its per-edge dicts).
    _nodes: dict[str, NodeRecord | None] = field(default_factory=dict, repr=False)
    _edges: list[Edge] = field(default_factory=list, repr=False)
    _out: dict[str, list[Edge]] = field(default_factory=dict, repr=False)
    _in: dict[str, list[Edge]] = field(default_factory=dict, repr=False)
    errors: list[LoadError] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    units_by_name: dict[str, Unit] = field(default_factory=dict, repr=False)
    _pipelines: list[DeployedPipeline] = field(default_factory=list, repr=False)
    _deployments: dict[str, tuple[UnitDeployment, ...]] = field(default_factory=dict, repr=False)
    unit_level_setting: str = "auto"  # serverless_arch_unit_level: auto | stack | pipeline
    # What units offer each other, and what they need that no unit offers (see link.py).
    provided: list[ProvidedName] = field(default_factory=list, repr=False)
    unresolved: list[UnresolvedReference] = field(default_factory=list, repr=False)
    uses: list[NameUse] = field(default_factory=list, repr=False)
    # What changed since a git ref (``--arch-changed-since``), when asked: a changes.ChangeSet.
    changes: Any = field(default=None, repr=False, compare=False)
    # Names declared as provided from outside the repository (``serverless_arch_external`` globs).
    external_names: tuple[str, ...] = ()
    # Linked as a neighbourhood (--arch-changed-since): whose edges were resolved, whose links come from
    # elsewhere (a link_facts.LinkScope); None when the whole repository was linked.
    link_scope: LinkScope | None = field(default=None, repr=False, compare=False)
    # Units in the graph whose resources and edges are not (a neighbourhood's load through the warm cache):
    # unit name -> its unit_records.UnitRecord, which answers for it what the whole repository is asked
    absent: dict[str, UnitRecord] = field(default_factory=dict, repr=False, compare=False)
    # Sorted edges, links and resources, computed once per state: rules ask per unit, many times.
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    # --- building (used by the linker) ------------------------------------

    def add_unit(self, unit: Unit) -> None:
        self._cache.clear()
        self.units_by_name[unit.name] = unit
        self._nodes[unit.id] = unit

    def add_resource(self, resource: Resource) -> None:
        self._cache.clear()
        self._nodes[resource.id] = resource

    def add_resources(self, resources: Iterable[Resource]) -> list[str]:
        """Add every resource of ``resources``; their node ids, in order (a unit's thousands: one call)."""
        self._cache.clear()
        nodes = self._nodes
        added = []
        for resource in resources:
            resource_id = resource.id
            nodes[resource_id] = resource
            added.append(resource_id)
        return added

    def add_external(self, node: ExternalNode) -> None:
        if self._nodes.get(node.id) is None:
            self._cache.clear()
            self._nodes[node.id] = node

    def add_edge(self, edge: Edge) -> None:
        self._cache.clear()
        source, target = edge.source, edge.target
        nodes = self._nodes
        if source not in nodes:  # an end no unit, resource or external node is: a bare node, as networkx adds
            nodes[source] = None
        if target not in nodes:
            nodes[target] = None
        self._edges.append(edge)
        out = self._out.get(source)
        if out is None:
            self._out[source] = [edge]
        else:
            out.append(edge)
        into = self._in.get(target)
        if into is None:
            self._in[target] = [edge]
        else:
            into.append(edge)

    def add_pipeline(self, pipeline: DeployedPipeline) -> None:
        self._cache.clear()
        self._pipelines.append(pipeline)

    def add_deployments(self, unit: str, deployments: tuple[UnitDeployment, ...]) -> None:
        self._deployments[unit] = deployments

    def has_node(self, node_id: str) -> bool:
        return node_id in self._nodes

    def node_kind(self, node_id: str) -> str | None:
        """The ``kind`` of a resource or external node (``unit`` for a unit node), None if absent."""
        record = self._nodes.get(node_id)
        if record is None:
            return None
        return "unit" if isinstance(record, Unit) else record.kind

    # --- queries ---------------------------------------------------------

    def units(self) -> list[Unit]:
        """Every deployment unit, sorted by name."""
        return sorted(self.units_by_name.values(), key=lambda unit: unit.name)

    def unit(self, name: str) -> Unit:
        try:
            return self.units_by_name[name]
        except KeyError:
            raise KeyError(f"no unit named {name!r}; units: {sorted(self.units_by_name)}") from None

    def node(self, node_id: str) -> Resource | ExternalNode:
        """The resource or external node with this id."""
        record = self._nodes.get(node_id)
        if record is None:
            raise KeyError(f"no resource {node_id!r} in the graph")
        if isinstance(record, Unit):
            raise KeyError(f"{node_id!r} is a unit, not a resource")
        return record

    def resource(self, resource_id: str) -> Resource:
        """The resource with id ``"<unit>:<logical id>"``."""
        record = self.node(resource_id)
        if not isinstance(record, Resource):
            raise KeyError(f"{resource_id!r} is an external node, not a resource")
        return record

    def resources(self, *, kind: str | None = None, unit: str | None = None, domain: str | None = None) -> list[Resource]:
        """Resources, optionally of one kind, unit or domain, in a stable order."""
        every: list[Resource] | None = self._cache.get("resources")
        if every is None:
            every = sorted(
                (record for record in self._nodes.values() if isinstance(record, Resource)),
                key=_BY_UNIT_AND_LOGICAL_ID,  # in C: a lambda was most of a warm gate's sorting
            )
            self._cache["resources"] = every
        if unit is not None:
            # indexed by unit: asking every unit for its resources stays linear in the units (issue 13)
            by_unit: dict[str, list[Resource]] | None = self._cache.get("resources_by_unit")
            if by_unit is None:
                by_unit = {}
                for resource in every:
                    by_unit.setdefault(resource.unit, []).append(resource)
                self._cache["resources_by_unit"] = by_unit
            every = by_unit.get(unit, [])
        elif kind is not None:
            # indexed by kind: the rules and the report ask for every function many times
            by_kind: dict[str, list[Resource]] | None = self._cache.get("resources_by_kind")
            if by_kind is None:
                by_kind = {}
                for resource in every:
                    by_kind.setdefault(resource.kind, []).append(resource)
                self._cache["resources_by_kind"] = by_kind
            every = by_kind.get(kind, [])
            if domain is None:
                return list(every)
        elif domain is None:
            return list(every)
        return [
            resource
            for resource in every
            if (kind is None or resource.kind == kind) and (domain is None or resource.domain == domain)
        ]

    def functions(self, unit: str | None = None, domain: str | None = None) -> list[Resource]:
        """Functions, optionally of one unit or domain."""
        return self.resources(kind="function", unit=unit, domain=domain)

    def externals(self) -> list[ExternalNode]:
        return sorted((record for record in self._nodes.values() if isinstance(record, ExternalNode)), key=lambda node: node.id)

    def edges(self, kind: str | None = None) -> list[Edge]:
        """Edges, optionally of one kind (or ``links``: every cross-unit link kind), in a stable order."""
        if kind is not None and kind not in EDGE_KINDS:
            from .selection import edge_kinds

            kinds = edge_kinds(kind)  # raises for a word that names no edge kind
            return [edge for edge in self.edges() if edge.kind in kinds]
        return list(self._sorted_edges(kind))

    def _sorted_edges(self, kind: str | None) -> list[Edge]:
        """The edges of one kind (None: every edge), sorted by kind, source, target and line; cached, not a copy.

        Each kind is sorted only when asked for, on its own: the stable sort of one kind's edges
        (in the order they were added) is exactly that kind's part of the sorted list of every edge.
        """
        sorted_by_kind: dict[str | None, list[Edge]] | None = self._cache.get("edges")
        if sorted_by_kind is None:
            sorted_by_kind = self._cache["edges"] = {}
        found = sorted_by_kind.get(kind)
        if found is None:
            added = self._edges_by_kind()
            if kind is None:
                found = [edge for each in sorted(added) for edge in self._sorted_edges(each)]
            else:
                found = sorted(added.get(kind, ()), key=_edge_sort_key)
            sorted_by_kind[kind] = found
        return found

    def _edges_by_kind(self) -> dict[str, list[Edge]]:
        """Kind -> its edges in the order they were added."""
        added: dict[str, list[Edge]] | None = self._cache.get("edges_by_kind")
        if added is None:
            added = {}
            for edge in self._edges:
                bucket = added.get(edge.kind)
                if bucket is None:
                    added[edge.kind] = [edge]
                else:
                    bucket.append(edge)
            self._cache["edges_by_kind"] = added
        return added

    def edges_from(self, node_id: str, kind: str | None = None) -> list[Edge]:
        return sorted((edge for edge in self._out.get(node_id, ()) if kind is None or edge.kind == kind), key=_edge_sort_key)

    def edges_to(self, node_id: str, kind: str | None = None) -> list[Edge]:
        return sorted((edge for edge in self._in.get(node_id, ()) if kind is None or edge.kind == kind), key=_edge_sort_key)

    def _trigger(self, edge: Edge) -> Trigger:
        return Trigger(
            edge.source,
            self.node_kind(edge.source) or "other",
            edge.target,
            edge.cross_unit,
            edge.location,
            edge.detail,
            self.cross_pipeline(self._owning_unit(edge.source), self._owning_unit(edge.target)),
        )

    # --- pipelines ---------------------------------------------------------

    def pipelines(self) -> list[DeployedPipeline]:
        """Every pipeline found in the repository, in the order they were read."""
        return list(self._pipelines)

    def pipeline(self, name: str) -> DeployedPipeline:
        for pipeline in self._pipelines:
            if pipeline.name == name:
                return pipeline
        raise KeyError(f"no pipeline named {name!r}; pipelines: {[p.name for p in self._pipelines]}")

    def pipelines_of(self, unit: str | Unit) -> list[DeployedPipeline]:
        """The pipelines that deploy ``unit`` (a unit or its name), in the order they were read."""
        name = unit.name if isinstance(unit, Unit) else unit
        by_unit: dict[str, list[DeployedPipeline]] | None = self._cache.get("pipelines_by_unit")
        if by_unit is None:
            by_unit = {}
            for pipeline in self._pipelines:
                for member in dict.fromkeys(pipeline.units):
                    by_unit.setdefault(member, []).append(pipeline)
            self._cache["pipelines_by_unit"] = by_unit
        return list(by_unit.get(name, ()))

    def deployments_of(self, unit: str | Unit) -> list[UnitDeployment]:
        """Every deploy command that deploys ``unit``, in pipeline order; the one it took its inputs from is ``chosen``."""
        name = unit.name if isinstance(unit, Unit) else unit
        return list(self._deployments.get(name, ()))

    def cross_pipeline(self, unit: str | None, other: str | None) -> bool | None:
        """Whether no pipeline deploys both units; None when either is deployed by no known pipeline.

        >>> DeploymentGraph().cross_pipeline("a", "b") is None
        True
        """
        if unit is None or other is None:
            return None
        mine = {pipeline.name for pipeline in self.pipelines_of(unit)}
        theirs = {pipeline.name for pipeline in self.pipelines_of(other)}
        if not mine or not theirs:
            return None
        return not (mine & theirs)

    def unit_level(self) -> UnitLevel:
        """The level rules and the classifier work at (``serverless_arch_unit_level``), with the reason.

        ``auto`` is ``pipeline`` when the pipelines deploy every unit holding a function, else ``stack``.
        Resolved once per graph state: every level-aware rule asks.
        """
        cached: UnitLevel | None = self._cache.get("unit_level")
        if cached is None:
            cached = self._resolve_unit_level()
            self._cache["unit_level"] = cached
        return cached

    def _resolve_unit_level(self) -> UnitLevel:
        setting = self.unit_level_setting
        if setting == "auto" and not self._pipelines:
            return UnitLevel("stack", "auto: no pipeline was found", setting)
        deployed = [unit.name for unit in self.units() if self.pipelines_of(unit.name)]
        if setting == "stack":
            return UnitLevel("stack", "serverless_arch_unit_level = stack", setting)
        if setting == "pipeline":
            return UnitLevel(
                "pipeline",
                f"serverless_arch_unit_level = pipeline; {len(self.pipelines())} pipelines deploy "
                f"{len(deployed)} of {len(self.units())} units",
                setting,
            )
        if not self.pipelines():
            return UnitLevel("stack", "auto: no pipeline was found", setting)
        holding = sorted(
            {function.unit for function in self.functions()} | {name for name, record in self.absent.items() if record.functions}
        )
        missing = [name for name in holding if not self.pipelines_of(name)]
        if missing:
            shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
            many = len(missing) > 1
            return UnitLevel(
                "stack",
                f"auto: no pipeline deploys unit{'s' if many else ''} {shown}, which hold{'' if many else 's'} functions",
                setting,
            )
        if not deployed:
            return UnitLevel("stack", "auto: the pipelines deploy no unit of this repository", setting)
        if not holding:
            return UnitLevel(
                "pipeline",
                f"auto: no unit holds a function; the pipelines deploy {len(deployed)} of {len(self.units())} units",
                setting,
            )
        count = len(self.pipelines())
        return UnitLevel(
            "pipeline",
            f"auto: the {count} pipeline{'s deploy' if count != 1 else ' deploys'} every unit holding a function "
            f"({len(holding)} unit{'s' if len(holding) != 1 else ''})",
            setting,
        )

    def trigger_edges(self) -> list[Trigger]:
        """Every trigger: an event source invoking a function."""
        triggers: list[Trigger] | None = self._cache.get("triggers")
        if triggers is None:  # the rules and the report each ask
            triggers = self._cache["triggers"] = [self._trigger(edge) for edge in self.edges("triggers")]
        return list(triggers)

    def _resource_ids(self) -> frozenset[str]:
        """The ids of every resource (every view that selects everything shares it)."""
        ids: frozenset[str] | None = self._cache.get("resource_ids")
        if ids is None:
            ids = self._cache["resource_ids"] = frozenset(
                node_id for node_id, record in self._nodes.items() if isinstance(record, Resource)
            )
        return ids

    def triggers_of(self, function: str | Resource) -> list[Trigger]:
        """The triggers that invoke ``function`` (a resource or its id)."""
        function_id = function.id if isinstance(function, Resource) else function
        return [self._trigger(edge) for edge in self.edges_to(function_id, "triggers")]

    def unit_of(self, node_id: str) -> str | None:
        """The unit holding resource ``node_id`` (None for a unit node, an external node or an unknown id)."""
        record = self._nodes.get(node_id)
        return record.unit if isinstance(record, Resource) else None

    def cross_unit_links(self, kind: str | None = None) -> list[Link]:
        """Every link between units (or from a unit to something external), optionally of one kind.

        A link goes from the unit that needs something (``from_unit``) to the unit
        that provides it (``to_unit``, None when it is defined outside the repository).
        """
        links: list[Link] | None = self._cache.get("links")
        if links is None:
            scope = self.link_scope
            # One link per (kind, from unit, target), however many resources use it: the edges stay
            # per resource (rules read their sources), the link names its users in its detail.
            uses: dict[tuple[str, str, str], list[Edge]] = {}
            link_edges = (
                edge for kind in sorted(self._edges_by_kind()) if kind in LINK_KINDS for edge in self._sorted_edges(kind)
            )
            for edge in link_edges:
                from_unit = self._owning_unit(edge.source)
                to_unit = self._owning_unit(edge.target)
                if from_unit is None or from_unit == to_unit:
                    continue  # a nested stack's wiring stays inside its parent's unit
                if scope is not None and from_unit not in scope.own_links:
                    continue  # linked for its neighbours' sake: its own links are the scope's fixed ones
                uses.setdefault((edge.kind, from_unit, edge.target), []).append(edge)
            links = []
            for (_, from_unit, _), edges in uses.items():
                first = min(edges, key=lambda edge: (edge.location, edge.source))
                to_unit = self._owning_unit(first.target)
                links.append(
                    Link(
                        first.kind,
                        from_unit,
                        to_unit,
                        first.source,
                        first.target,
                        first.location,
                        _used_by(first.detail, edges),
                        self.cross_pipeline(from_unit, to_unit),
                        tuple(sorted({edge.source for edge in edges if not edge.source.startswith("unit:")})),
                    )
                )
            if scope is not None:  # in a stable order of their own (a whole graph's follows its sorted edges)
                links = sorted([*links, *scope.fixed_links], key=lambda link: (link.kind, link.from_unit, link.target))
            self._cache["links"] = links
        return [link for link in links if kind is None or link.kind == kind]

    def links_of(self, unit: str) -> list[Link]:
        """The cross-unit links from or to ``unit``."""
        by_unit: dict[str, list[Link]] | None = self._cache.get("links_by_unit")
        if by_unit is None:
            by_unit = {}
            for link in self.cross_unit_links():
                by_unit.setdefault(link.from_unit, []).append(link)
                if link.to_unit is not None and link.to_unit != link.from_unit:
                    by_unit.setdefault(link.to_unit, []).append(link)
            self._cache["links_by_unit"] = by_unit
        return list(by_unit.get(unit, ()))

    def _owning_unit(self, node_id: str) -> str | None:
        record = self._nodes.get(node_id)
        if isinstance(record, Unit):
            return record.name
        if isinstance(record, Resource):
            return record.unit or None
        return None

    def unit_dependencies(self) -> list[UnitDependency]:
        """Which unit must deploy after which, from every cross-unit link."""
        grouped: dict[tuple[str, str], list[Link]] = {}
        for link in self.cross_unit_links():
            if link.to_unit is None or link.to_unit == link.from_unit:
                continue
            grouped.setdefault((link.from_unit, link.to_unit), []).append(link)
        return [UnitDependency(unit, depends_on, tuple(links)) for (unit, depends_on), links in sorted(grouped.items())]

    def _unit_dependency_graph(self) -> dict[str, list[str]]:
        """Unit name -> the units that need it: an edge provider -> consumer, the provider deploys first."""
        after: dict[str, list[str]] = {name: [] for name in self.units_by_name}
        for dependency in self.unit_dependencies():
            after.setdefault(dependency.depends_on, []).append(dependency.unit)
        return after

    def deploy_order(self) -> list[list[str]] | None:
        """Waves of unit names; each wave deploys in parallel after the earlier ones.

        ``None`` when the units depend on each other in a cycle (see :meth:`unit_cycles`).
        """
        return generations(self._unit_dependency_graph())

    def unit_cycles(self) -> list[list[str]]:
        """Each elementary cycle of units, starting at its smallest name, providers before consumers.

        ``["a", "c", "b"]`` reads: ``c`` needs ``a``, ``b`` needs ``c``, ``a`` needs ``b``.
        """
        after = self._unit_dependency_graph()
        if generations(after) is not None:
            return []  # no cycle: networkx (the one algorithm kept from it) is not even imported
        digraph = _networkx().DiGraph()
        digraph.add_nodes_from(after)
        digraph.add_edges_from((provider, consumer) for provider, consumers in after.items() for consumer in consumers)
        cycles = []
        for cycle in _networkx().simple_cycles(digraph):
            start = cycle.index(min(cycle))
            cycles.append(cycle[start:] + cycle[:start])
        return sorted(cycles)

    def provided_names(self, kind: str | None = None) -> list[ProvidedName]:
        """What units offer other units (exports, SSM parameters, outputs), optionally of one kind."""
        return sorted(
            (provided for provided in self.provided if kind is None or provided.kind == kind),
            key=lambda provided: (provided.kind, provided.name, provided.unit),
        )

    def name_uses(self) -> list[NameUse]:
        """Every cross-unit read of a provided name (resolved or not), in file order."""
        return sorted(self.uses, key=lambda use: (use.location, use.how, use.name))

    def unresolved_references(self) -> list[UnresolvedReference]:
        """Cross-unit references (imports, SSM reads, stack outputs, compose params) no unit provides."""
        return sorted(self.unresolved, key=lambda ref: (ref.location, ref.how, ref.name))

    def to_networkx(self) -> nx.MultiDiGraph:
        """A frozen ``networkx.MultiDiGraph`` copy of the graph, for power users.

        Each node carries ``node_type`` (``unit``, ``resource``, ``external``), its ``record``
        and its fields; each edge its ``kind``, ``record``, ``location``, ``cross_unit`` and ``detail``.
        """
        nx = _networkx()
        copy = nx.MultiDiGraph()
        for node_id, record in self._nodes.items():
            copy.add_node(node_id, **_node_attributes(record))
        for edge in self._edges:
            copy.add_edge(
                edge.source,
                edge.target,
                kind=edge.kind,
                record=edge,
                location=edge.location,
                cross_unit=edge.cross_unit,
                detail=edge.detail,
            )
        return nx.freeze(copy)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units())

    def __len__(self) -> int:
        return len(self.units_by_name)

    def summary(self) -> str:
        """One line: what was loaded (the pytest report header uses it)."""
        formats: dict[str, int] = {}
        for unit in self.units_by_name.values():
            formats[unit.format] = formats.get(unit.format, 0) + 1
        parts = ", ".join(f"{name} {count}" for name, count in sorted(formats.items()))
        units = len(self.units_by_name)
        triggers = f"{len(self.edges('triggers'))} triggers"
        if self.link_scope is not None:  # only the neighbourhood's edges were resolved: say so, never a wrong count
            linked = len(self.link_scope.linked)
            triggers += f" in the {linked} unit{'s' if linked != 1 else ''} linked"
        return (
            f"{units} unit{'s' if units != 1 else ''}"
            + (f" ({parts})" if parts else "")
            + f", {len(self.functions()) + sum(record.functions for record in self.absent.values())} functions, {triggers}, "
            f"{len(self.errors)} load error{'s' if len(self.errors) != 1 else ''}" + self._pipeline_summary()
        )

    def _pipeline_summary(self) -> str:
        """``, 2 pipelines (unit level pipeline)``: how to read the rules' findings; empty without pipelines."""
        if not self._pipelines:
            return ""
        count = len(self._pipelines)
        return f", {count} pipeline{'s' if count != 1 else ''} (unit level {self.unit_level().level})"

    def where(
        self, selector: str | None = None, *, domain: Any = None, unit: Any = None, tag: Any = None, kind: Any = None
    ) -> Any:
        """A read-only view scoped to a domain, units (names or globs), tags or resource kinds, or to a
        selector string (``"domain:orders, kind:function"``); see :mod:`.selection`."""
        from .selection import select

        return select(self, selector, domain=domain, unit=unit, tag=tag, kind=kind)


def _node_attributes(record: NodeRecord | None) -> dict[str, Any]:
    """The attributes a node of :meth:`DeploymentGraph.to_networkx` carries."""
    if isinstance(record, Unit):
        return {
            "node_type": "unit",
            "record": record,
            "name": record.name,
            "format": record.format,
            "path": record.path,
            "domain": record.domain,
        }
    if isinstance(record, Resource):
        return {
            "node_type": "resource",
            "record": record,
            "type": record.type,
            "kind": record.kind,
            "unit": record.unit,
            "domain": record.domain,
            "physical_name": record.physical_name,
            "tags": record.tag_map,
            "location": record.location,
            "properties": record.properties,
        }
    if isinstance(record, ExternalNode):
        return {
            "node_type": "external",
            "record": record,
            "kind": record.kind,
            "name": record.name,
            "location": record.location,
            "unit": None,
            "domain": None,
        }
    return {}


_BY_UNIT_AND_LOGICAL_ID = operator.attrgetter("unit", "logical_id")


def _edge_sort_key(edge: Edge) -> tuple[Any, ...]:
    return (edge.kind, str(edge.source), str(edge.target), edge.location)


def _used_by(detail: str, edges: list[Edge]) -> str:
    """A link's detail naming the resources that use it, when more than one does.

    >>> from pytest_serverless_arch.model import Location
    >>> uses = [Edge("ssm_parameter", f"svc:{name}", "rates:Url", Location("t.yaml", 9), "/rates/url") for name in "BA"]
    >>> _used_by("/rates/url", uses)
    '/rates/url; used by 2: A, B'
    """
    users = sorted({edge.source for edge in edges if not edge.source.startswith("unit:")})
    if len(users) < 2:
        return detail
    shown = f"used by {len(users)}: " + ", ".join(user.split(":", 1)[1] for user in users)
    return f"{detail}; {shown}" if detail else shown
