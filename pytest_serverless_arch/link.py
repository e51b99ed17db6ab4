"""Link loaded units into one :class:`DeploymentGraph`.

Every :class:`ForeignRef` endpoint a loader left behind is resolved here,
against an index of what every unit provides (export names, SSM parameter
names, stack names and outputs, physical names and the ARNs built from them):

- ``import`` -> the unit exporting that name: an ``imports`` link;
- ``ssm`` -> the unit writing that SSM parameter: an ``ssm_parameter`` link;
- ``stack_output`` (``stack/Output``) -> that stack's output: a ``stack_output`` link
  (``remote_state`` and ``compose_param`` likewise, each its own link kind);
- ``unit`` -> the unit deployed under that stack name: a ``depends_on`` link;
- ``arn``/``name`` -> another unit's resource with that physical name: a ``name_reference`` link;
- anything else, or nothing found -> an ``external`` node, never dropped.

The edge that carried the reference keeps its real endpoint (and is marked
``cross_unit`` when its two ends are in different units or one is external);
a link edge from the consumer resource to the provider is added beside it so
:meth:`DeploymentGraph.cross_unit_links` and :meth:`DeploymentGraph.deploy_order`
see it. Lookups are dictionary reads, so linking is linear in the number of edges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .arns import SQS_URL, arn_resource_name
from .collector import collector_paused
from .config import LoadConfig
from .graph import (
    DeployedPipeline,
    DeploymentGraph,
    ExternalNode,
    NameUse,
    ProvidedName,
    UnitDeployment,
    UnresolvedReference,
)
from .link_facts import UnitLinkFacts, unit_link_facts, unit_node
from .model import Edge, ForeignRef, LoadedUnit, LoadError, Location, Note, Resource
from .pseudo import WildcardKeys, field_matches
from .references import undecidable_notes
from .unit_records import RecordedUnit, graph_unit

__all__ = [
    "ProviderIndex",
    "arn_resource_name",
    "build_graph",
    "external_id",
    "link_kind_of",
]

# What each kind of foreign reference becomes once resolved to another unit.
_LINK_KIND_BY_HOW = {
    "import": "imports",
    "ssm": "ssm_parameter",
    "stack_output": "stack_output",
    "compose_param": "compose_param",
    "remote_state": "remote_state",
    "unit": "depends_on",
    "arn": "name_reference",
    "name": "name_reference",
}
# Unresolved references that still name another stack's value: a link to an external node.
_EXPLICIT_HOWS = frozenset({"import", "ssm", "stack_output", "compose_param", "remote_state", "unit"})
# Edges that follow an SSM parameter to the resource it names: a function triggered by, or using,
# the queue whose ARN a parameter holds is triggered by, or uses, that queue.
_FOLLOW_PARAMETER_VALUE = frozenset({"triggers", "accesses", "invokes"})


def external_id(ref: ForeignRef) -> str:
    """The node id of something referenced but defined nowhere in the repository: one ``external:`` prefix.

    >>> external_id(ForeignRef("ssm", "/shop/url"))
    'external:ssm:/shop/url'
    >>> external_id(ForeignRef("external", "default event bus"))
    'external:default event bus'
    """
    return f"external:{ref.key}" if ref.how == "external" else f"external:{ref.how}:{ref.key}"


def link_kind_of(ref: ForeignRef) -> str | None:
    """The link kind a resolved reference makes (``imports`` for ``Fn::ImportValue`` ...)."""
    return _LINK_KIND_BY_HOW.get(ref.how)


@dataclass(frozen=True)
class _Resolved:
    """Where a foreign reference leads: a node, the link kind it makes, and the unit owning it."""

    node: str
    unit: str | None
    link_kind: str | None
    value_node: str | None = None  # for an SSM parameter: the resource whose name or ARN it holds
    missing: str | None = None  # the stack exists but lacks the output named: what is missing


class ProviderIndex:
    """What every unit provides to the others, indexed by the names other units use.

    Built from each unit's :class:`~pytest_serverless_arch.link_facts.UnitLinkFacts`
    (:func:`~pytest_serverless_arch.link_facts.unit_link_facts`), in the units' order:
    the first unit to export a name keeps it.
    """

    def __init__(self, facts: Sequence[UnitLinkFacts], config: LoadConfig) -> None:
        self.config = config
        self.notes: list[Note] = []
        self.exports: dict[str, tuple[str, str]] = {}  # export name -> (unit, node id)
        self.outputs: dict[tuple[str, str], str] = {}  # (unit, output name) -> node id
        self.stacks: dict[str, str] = {}  # stack name -> unit name
        self.ssm: dict[str, str] = {}  # SSM parameter name -> node id
        self.by_name: dict[tuple[str, str], list[str]] = {}  # (kind, physical name) -> node ids
        self.by_bare_name: dict[str, list[str]] = {}  # physical name -> node ids
        self.unit_of: dict[str, str] = {}  # node id of a named resource -> unit name
        self.region_of: dict[str, str | None] = {}  # unit name -> region
        self.parameter_values: dict[str, str] = {}  # SSM parameter node -> the node its value names
        self.implicit_outputs: dict[str, re.Pattern[str]] = {}  # unit name -> outputs its deploying tool adds
        self._provided: list[ProvidedName] = []  # exports and SSM parameters; outputs are added per stack name
        self._output_locations: dict[tuple[str, str], Location] = {}  # (unit, output) -> its line
        self._wildcards: dict[str, WildcardKeys] = {}  # table -> its keys, for names with ``${AWS::Region}``
        for unit in facts:
            self._add_unit(unit)
        for key, value in config.stack_names.items():
            # the mapping may go stack name -> unit name, or template path -> stack name
            if value in self.region_of:
                self.stacks.setdefault(key, value)
            else:
                for unit in facts:
                    if unit.path == key:
                        self.stacks.setdefault(value, unit.unit)

    def _add_unit(self, facts: UnitLinkFacts) -> None:
        name = facts.unit
        self.region_of[name] = facts.region
        self.stacks.setdefault(name, name)
        if facts.implicit_outputs:
            self.implicit_outputs[name] = re.compile(facts.implicit_outputs)
        for stack_name in facts.stack_names:  # its stack name, and every one its pipelines deploy it as
            self.stacks.setdefault(stack_name, name)
        for named in facts.named:
            node, physical = named.node, named.physical_name
            self.unit_of[node] = name
            self.by_name.setdefault((named.kind, physical), []).append(node)
            self.by_bare_name.setdefault(physical, []).append(node)
            if named.kind == "parameter":
                self.ssm.setdefault(physical, node)
                if self.ssm[physical] == node:
                    self._provided.append(ProvidedName("ssm_parameter", physical, name, node, named.location))
        for parameter, value in facts.parameter_values:
            self.parameter_values[parameter] = value
        for offered in facts.outputs:
            node = offered.node
            self.outputs.setdefault((name, offered.output), node)
            self._output_locations.setdefault((name, offered.output), offered.location)
            export_name = offered.export_name
            if not export_name:
                continue
            if export_name in self.exports and self.exports[export_name][0] != name:
                other = self.exports[export_name][0]
                self.notes.append(
                    Note(
                        offered.location,
                        f"export name {export_name!r} is also exported by unit {other!r}; links go to {other!r}",
                    )
                )
                continue
            self.exports[export_name] = (name, node)
            self._provided.append(ProvidedName("export", export_name, name, node, offered.location))

    def provided_names(self) -> list[ProvidedName]:
        """Every export, SSM parameter and output (as ``stack/Output`` under each name its stack has)."""
        provided = list(self._provided)
        # grouped once by unit: sorting every output for every stack name was a fifth of a corpus run
        outputs_of: dict[str, list[tuple[str, Location]]] = {}
        for (owner, output), location in sorted(self._output_locations.items()):
            outputs_of.setdefault(owner, []).append((output, location))
        for stack, unit in sorted(self.stacks.items()):
            for output, location in outputs_of.get(unit, ()):
                provided.append(ProvidedName("output", f"{stack}/{output}", unit, self.outputs[(unit, output)], location))
        return provided

    # --- resolution -------------------------------------------------------------

    def resolve(self, ref: ForeignRef) -> _Resolved | None:
        """The node ``ref`` names in some unit, or None when the repository does not define it."""
        kind = link_kind_of(ref)
        if ref.how == "import":
            found = self.exports.get(ref.key) or self.exports.get(self._wildcard("exports", self.exports, ref.key) or "")
            return _Resolved(found[1], found[0], kind) if found else None
        if ref.how == "ssm":
            node = self._ssm_parameter(ref.key)
            return _Resolved(node, self.unit_of[node], kind, self.parameter_values.get(node)) if node else None
        if ref.how == "unit":
            unit = self.unit_named(ref.key)
            return _Resolved(unit_node(unit), unit, kind) if unit else None
        if ref.how in ("stack_output", "compose_param", "remote_state"):
            output = self.stack_output(ref.key, kind or "stack_output")
            if output is not None and ref.region and self.region_of.get(output.unit or "") not in (None, ref.region):
                return None  # ``${cf(eu-west-1):stack.Output}`` names that region's stack, not this one
            return output
        if ref.how == "arn":
            node = self._by_arn(ref.key)
            return _Resolved(node, self.unit_of[node], kind) if node else None
        if ref.how == "name":
            node = self._by_physical_name(ref.key, ref.kind_hint)
            return _Resolved(node, self.unit_of[node], kind) if node else None
        return None

    def unit_named(self, stack: str) -> str | None:
        """The unit deployed as stack ``stack`` (unit name, samconfig/serverless stack name, mapping)."""
        return self.stacks.get(stack) or self.stacks.get(self._wildcard("stacks", self.stacks, stack) or "")

    def stack_output(self, key: str, link_kind: str = "stack_output") -> _Resolved | None:
        stack, _, output = key.rpartition("/")  # stack names may hold "/" (Terraform units); outputs never do
        unit = self.unit_named(stack)
        if unit is None:
            return None
        node = self.outputs.get((unit, output))
        missing = None
        implicit = self.implicit_outputs.get(unit)
        if node is None and not (implicit is not None and implicit.fullmatch(output)):
            missing = f"unit {unit!r} (stack {stack!r}) declares no output {output!r}"
        return _Resolved(node or unit_node(unit), unit, link_kind, missing=missing)

    def _ssm_parameter(self, name: str) -> str | None:
        found = self.ssm.get(name)
        if found is None and name:
            # ``/a/b`` and ``a/b`` name the same parameter in ARNs and some tools
            found = self.ssm.get(name[1:] if name.startswith("/") else "/" + name)
        if found is None and name:
            found = self.ssm.get(self._wildcard("ssm", self.ssm, name) or "")
        return found

    def _by_physical_name(self, name: str, kind: str) -> str | None:
        url = SQS_URL.match(name)
        if url:
            name, kind = url.group(2), "queue"
        if kind != "other":
            found = self._named(kind, name)
            if found:
                return found[0]
            if kind == "parameter":
                return self._ssm_parameter(name)
        candidates = self.by_bare_name.get(name) or self.by_bare_name.get(
            self._wildcard("names", self.by_bare_name, name) or "", []
        )
        return candidates[0] if len(candidates) == 1 else None

    def _named(self, kind: str, name: str) -> list[str]:
        """Nodes of ``kind`` with physical name ``name`` (a pseudo-parameter in either matching any value)."""
        found = self.by_name.get((kind, name))
        if found:
            return found
        names = (physical for resource_kind, physical in self.by_name if resource_kind == kind)
        return self.by_name.get((kind, self._wildcard(f"names of {kind}", names, name) or ""), [])

    def _wildcard(self, table: str, keys: Iterable[str], name: str) -> str | None:
        """The one key of ``table`` that ``name`` matches with pseudo-parameters as wildcards (pseudo.py).

        Called after an exact lookup missed; none, or several (ambiguous), is None.
        """
        index = self._wildcards.get(table)
        if index is None:
            index = self._wildcards[table] = WildcardKeys(keys)
        found = index.matches(name)
        return found[0] if len(found) == 1 else None

    def _by_arn(self, arn: str) -> str | None:
        parsed = arn_resource_name(arn)
        if parsed is None:
            return None
        kind, name, region, account = parsed
        if not field_matches(account, self.config.account_id):
            return None  # another account's resource is outside the repository
        if kind == "parameter":
            return self._ssm_parameter(name)
        # An EventBridge rule ARN also names a rule that runs on a schedule.
        candidates = [
            *self._named(kind, name),
            *(self._named("schedule", name) if kind == "event_rule" else ()),
        ]
        for node in candidates:
            # a region nobody gave (None) or written as ``${AWS::Region}`` matches any region
            if field_matches(region, self.region_of.get(self.unit_of[node])):
                return node
        return None


class _Linker:
    """Adds every unit's edges to the graph, resolving foreign references through the index."""

    def __init__(self, graph: DeploymentGraph, index: ProviderIndex, unit_of: dict[str, str]) -> None:
        self.graph = graph
        self.index = index
        self.unit_of = unit_of  # node id of every resource linked -> its unit
        self._links: set[tuple[str, str, str]] = set()
        self._unit_links: set[tuple[str, str, str]] = set()  # (kind, consumer unit, provider node)
        self._pairs: set[tuple[str, str]] = set()
        self._triggers: set[tuple[str, str]] = set()  # (source, function) of every trigger added
        self._carried: set[tuple[str, ForeignRef]] = set()  # (unit, reference) some edge already carries
        self._unresolved: set[tuple[str, str, str, Location]] = set()
        self._uses: set[NameUse] = set()
        self._permission_edges: dict[int, list[Edge]] = {}  # id(unit) -> its permission triggers, for the second pass

    def endpoint(
        self, unit: LoadedUnit, endpoint: object, location: Location, consumer: str | None = None
    ) -> tuple[str, _Resolved | None] | None:
        """The node id of an edge end, and how it was resolved when it was a foreign reference.

        ``consumer`` is the node that needs a foreign end (recorded when nothing provides it).
        """
        if isinstance(endpoint, str):
            node_id = f"{unit.name}:{endpoint}"
            return (node_id, None) if self.graph.has_node(node_id) else None
        if isinstance(endpoint, Resource):
            return (endpoint.id, None) if self.graph.has_node(endpoint.id) else None
        if isinstance(endpoint, ForeignRef):
            resolved = self.index.resolve(endpoint)
            if resolved is not None:
                self.use(unit.name, endpoint, location, None if resolved.missing else resolved.unit)
                if resolved.missing and endpoint.how != "compose_param":  # compose params: at the compose file's line
                    self.unresolved(unit.name, endpoint, location, resolved.link_kind or "", resolved.missing, consumer)
                return resolved.node, resolved
            node_id = external_id(endpoint)
            self.graph.add_external(ExternalNode(node_id, endpoint.kind_hint, endpoint.key, location))
            kind = link_kind_of(endpoint) if endpoint.how in _EXPLICIT_HOWS else None
            if kind is not None and endpoint.how != "unit":  # a stack dependency names no value: not a dangling read
                self.use(unit.name, endpoint, location, None)
                self.unresolved(unit.name, endpoint, location, kind, _missing(endpoint), consumer)
            return node_id, _Resolved(node_id, None, kind)
        return None

    def use(self, unit: str, ref: ForeignRef, location: Location, provider: str | None) -> None:
        """Record that ``unit`` reads a provided name (an import, SSM read, output), once per line."""
        if ref.how not in _EXPLICIT_HOWS or ref.how == "unit":
            return
        use = NameUse(ref.how, ref.key, unit, provider, location)
        if use not in self._uses:
            self._uses.add(use)
            self.graph.uses.append(use)

    def unresolved(
        self, unit: str, ref: ForeignRef, location: Location, link_kind: str, reason: str, consumer: str | None = None
    ) -> None:
        """Record a cross-unit reference no unit provides (once per name and line)."""
        key = (unit, ref.how, ref.key, location)
        if key in self._unresolved:
            return
        self._unresolved.add(key)
        self.graph.unresolved.append(
            UnresolvedReference(ref.how, ref.key, unit, location, link_kind, reason, consumer or unit_node(unit))
        )

    def add_unit_edges(self, unit: LoadedUnit, *, permissions: bool = False) -> None:
        """The unit's edges; ``permissions=True`` adds only Lambda-permission triggers (a second pass).

        A permission only stands for a trigger no unit wires otherwise: the source's
        own unit (an S3 notification, a rule target) may wire the same trigger.
        """
        if permissions:
            edges = self._permission_edges.pop(id(unit), None)
            if edges is None:
                edges = [edge for edge in unit.edges if edge.kind == "triggers" and edge.detail == "Permission"]
        else:
            edges = []
            later = []
            for edge in unit.edges:
                if edge.kind == "triggers" and edge.detail == "Permission":
                    later.append(edge)
                else:
                    edges.append(edge)
            self._permission_edges[id(unit)] = later
        graph, carried, nodes = self.graph, self._carried, self.graph._nodes
        unit_of = self.unit_of.get  # _owner, inline: asked twice an edge
        node_prefix = f"{unit.name}:"
        unit_id = unit_node(unit.name)
        for edge in edges:
            raw_source, raw_target = edge.source, edge.target
            # the end this unit owns (the unit itself when both ends are foreign), and each end's node
            local = None
            source: tuple[str, _Resolved | None] | None
            target: tuple[str, _Resolved | None] | None
            source_foreign = target_foreign = False
            if isinstance(raw_source, str):
                source_id = node_prefix + raw_source
                source = (source_id, None) if source_id in nodes else None
                local = source_id
            elif isinstance(raw_source, Resource):
                source_id = raw_source.id
                source = (source_id, None) if source_id in nodes else None
                local = source_id
            else:
                source = None
                if isinstance(raw_source, ForeignRef):
                    source_foreign = True
                    carried.add((unit.name, _plain(raw_source)))
            if isinstance(raw_target, str):
                target_id = node_prefix + raw_target
                target = (target_id, None) if target_id in nodes else None
                if local is None:
                    local = target_id
            elif isinstance(raw_target, Resource):
                target_id = raw_target.id
                target = (target_id, None) if target_id in nodes else None
                if local is None:
                    local = target_id
            else:
                target = None
                if isinstance(raw_target, ForeignRef):
                    target_foreign = True
                    carried.add((unit.name, _plain(raw_target)))
            if local is None:
                local = unit_id
            if source_foreign:
                source = self.endpoint(unit, raw_source, edge.location, local)
            if target_foreign:
                target = self.endpoint(unit, raw_target, edge.location, local)
            if source is None or target is None or source[0] == target[0]:
                continue
            (source_id, source_ref), (target_id, target_ref) = source, target
            if edge.kind in _FOLLOW_PARAMETER_VALUE:
                source_id = _value_node(source_ref) or source_id
                target_id = _value_node(target_ref) or target_id
            source_unit = source_id[5:] if source_id.startswith("unit:") else unit_of(source_id)
            target_unit = target_id[5:] if target_id.startswith("unit:") else unit_of(target_id)
            cross_unit = source_unit != target_unit or source_unit is None or target_unit is None
            # A permission for a trigger some unit already wires adds no second trigger,
            # but the unit still names the other unit's resource: the link below stays.
            if not (permissions and (source_id, target_id) in self._triggers):
                if edge.kind == "triggers":
                    self._triggers.add((source_id, target_id))
                    if cross_unit and self._is_event_bus(source_id):
                        # The consumer owns its rule and pattern: a bus elsewhere is a link, not a foreign trigger.
                        cross_unit = False
                graph.add_edge(Edge(edge.kind, source_id, target_id, edge.location, edge.detail, cross_unit))
                self._pairs.add((source_id, target_id))
            # the link goes from the end this unit owns to the end it needs from elsewhere
            if target_ref is not None and target_ref.link_kind and source_ref is None:
                self.add_link(target_ref.link_kind, source_id, target_ref.node, edge.location, _detail(raw_target))
            elif source_ref is not None and source_ref.link_kind and target_ref is None:
                self.add_link(source_ref.link_kind, target_id, source_ref.node, edge.location, _detail(raw_source))
            elif source_ref is not None and target_ref is not None:
                for ref, raw in ((source_ref, raw_source), (target_ref, raw_target)):
                    if ref.link_kind:
                        self.add_link(ref.link_kind, unit_id, ref.node, edge.location, _detail(raw))

    def add_property_references(self, unit: LoadedUnit) -> None:
        """``Fn::ImportValue`` and the like inside a resource's properties (``Role``, ``VpcConfig`` ...).

        Only references no edge of the unit carries already: the unit's dependency is what counts.
        """
        for property_ref in unit.property_refs:
            ref, location = property_ref.ref, property_ref.location
            if (unit.name, _plain(ref)) in self._carried:
                continue  # a trigger, access or reference of this unit already links it
            resource_id = f"{unit.name}:{property_ref.resource}"
            found = self.endpoint(unit, ref, location, resource_id)
            if found is None or (resource_id, found[0]) in self._pairs:
                continue
            node_id, resolved = found
            cross_unit = self._owner(node_id) != unit.name
            self.graph.add_edge(Edge("references", resource_id, node_id, location, ref.how, cross_unit))
            self._pairs.add((resource_id, node_id))
            if resolved is not None and resolved.link_kind:
                self.add_link(resolved.link_kind, resource_id, node_id, location, ref.key)

    def add_stack_references(self, unit: LoadedUnit) -> None:
        """What the unit as a whole needs: SSM-typed parameters, values its pipeline reads at deploy time,
        compose params and dependencies, stack dependencies.

        Skipped where an edge of the unit carries the same reference, or one of its resources
        already has that link (at its own line): the unit's dependency is what counts.
        """
        for stack_ref in unit.stack_refs:
            ref = stack_ref.ref
            carried = (unit.name, _plain(ref)) in self._carried
            if carried and ref.how != "compose_param":
                continue
            found = self.endpoint(unit, ref, stack_ref.location, unit_node(unit.name))
            resolved = found[1] if found is not None else None
            if resolved is None or not resolved.link_kind:
                continue
            if resolved.missing and ref.how == "compose_param":  # reported at the compose file's line
                self.unresolved(unit.name, ref, stack_ref.location, "compose_param", resolved.missing)
            if carried or self.links_between(resolved.link_kind, unit.name, resolved.node):
                continue
            self.add_link(resolved.link_kind, unit_node(unit.name), resolved.node, stack_ref.location, stack_ref.detail)

    def add_link(self, kind: str, consumer: str, provider: str, location: Location, detail: str) -> None:
        """One link edge per (kind, consumer, provider); only between different units (or to external)."""
        consumer_unit, provider_unit = self._owner(consumer), self._owner(provider)
        if consumer_unit is None or consumer_unit == provider_unit:
            return
        key = (kind, consumer, provider)
        if key in self._links:
            return
        self._links.add(key)
        self._unit_links.add((kind, consumer_unit, provider))
        self.graph.add_edge(Edge(kind, consumer, provider, location, detail, cross_unit=True))

    def links_between(self, kind: str, consumer_unit: str, provider: str) -> bool:
        """Whether some resource of ``consumer_unit`` already has a ``kind`` link to ``provider``."""
        return (kind, consumer_unit, provider) in self._unit_links

    def _owner(self, node_id: str) -> str | None:
        if node_id.startswith("unit:"):
            return node_id[len("unit:") :]
        return self.unit_of.get(node_id)

    def _is_event_bus(self, node_id: str) -> bool:
        return self.graph.node_kind(node_id) == "event_bus"


def _local_end(unit: LoadedUnit, edge: Edge) -> str:
    """The node of ``unit`` at one end of ``edge`` (the unit itself when both ends are foreign)."""
    for end in (edge.source, edge.target):
        if isinstance(end, str):
            return f"{unit.name}:{end}"
        if isinstance(end, Resource):
            return end.id
    return unit_node(unit.name)


def _missing(ref: ForeignRef) -> str:
    """Why nothing in the repository answers ``ref``, in words."""
    if ref.how == "import":
        return f"no unit exports {ref.key!r}"
    if ref.how == "ssm":
        return f"no unit writes the SSM parameter {ref.key!r}"
    stack = ref.key.rpartition("/")[0]
    return f"no unit is deployed as stack {stack!r}"


def _value_node(resolved: _Resolved | None) -> str | None:
    return resolved.value_node if resolved is not None else None


def _plain(ref: ForeignRef) -> ForeignRef:
    """``ref`` without the hints a property sweep cannot know, for comparing what names the same thing."""
    return ForeignRef(ref.how, ref.key)


def _detail(endpoint: object) -> str:
    return endpoint.key if isinstance(endpoint, ForeignRef) else ""


def build_graph(
    units: Iterable[LoadedUnit],
    *,
    root: str,
    config: LoadConfig,
    errors: Iterable[LoadError] = (),
    notes: Iterable[Note] = (),
    pipelines: Iterable[DeployedPipeline] = (),
) -> DeploymentGraph:
    """Put every unit's resources and edges into one graph, resolving foreign references.

    ``pipelines`` are the CI pipelines that deploy the units.
    """
    # linking makes no cycles, and each full collection would walk every loaded unit again: half its time
    with collector_paused():
        return _build_graph(units, root=root, config=config, errors=errors, notes=notes, pipelines=pipelines)


def _build_graph(
    units: Iterable[LoadedUnit],
    *,
    root: str,
    config: LoadConfig,
    errors: Iterable[LoadError],
    notes: Iterable[Note],
    pipelines: Iterable[DeployedPipeline],
) -> DeploymentGraph:
    graph = DeploymentGraph(root=root, unit_level_setting=config.unit_level, external_names=config.external)
    for pipeline in pipelines:
        graph.add_pipeline(pipeline)
    graph.errors.extend(errors)
    graph.notes.extend(notes)
    loaded = list(units)
    units_given = list(loaded)  # loaded's units are replaced by the unpickled ones below
    choose = config.link_scope
    unit_of: dict[str, str] = {}
    for unit in loaded:
        graph.errors.extend(unit.errors)
        graph.notes.extend(unit.notes)
        if isinstance(unit, RecordedUnit) and unit.record is not None:
            graph.add_unit(unit.record.unit)  # its resources only if the neighbourhood reaches it (below)
            graph.absent[unit.name] = unit.record
        else:
            graph.add_unit(graph_unit(unit))
            unit_of.update(dict.fromkeys(graph.add_resources(unit.resources), unit.name))
        inputs = unit.deployments
        if inputs is not None:
            graph.add_deployments(
                unit.name,
                tuple(
                    UnitDeployment(
                        bound.pipeline,
                        bound.deployment.tool,
                        bound.deployment.location,
                        bound.deployment.stack_name,
                        bound.deployment.environment,
                        index == inputs.chosen_index,
                    )
                    for index, bound in enumerate(inputs.deployments)
                ),
            )
    facts = [
        unit.facts() if isinstance(unit, RecordedUnit) else unit_link_facts(unit, asks=choose is not None) for unit in loaded
    ]
    index = ProviderIndex(facts, config)
    graph.notes.extend(index.notes)
    graph.provided.extend(index.provided_names())
    scope = choose(facts, graph, index) if choose is not None else None  # every unit, resource and pipeline is in it
    if graph.absent:
        # units taken as their records (unit_records.py): only those the scope links, and those their
        # references reach, are unpickled; the others stay records
        present = scope.reached if scope is not None else None
        for position, unit in enumerate(loaded):
            if isinstance(unit, RecordedUnit) and (present is None or unit.name in present):
                loaded[position] = unit = unit.loaded()
                del graph.absent[unit.name]
                unit_of.update(dict.fromkeys(graph.add_resources(unit.resources), unit.name))
    if scope is not None:  # a neighbourhood (--arch-changed-since): only its units' edges are resolved
        graph.link_scope = scope
        loaded = [unit for unit in loaded if unit.name in scope.linked]
    linker = _Linker(graph, index, unit_of)
    for unit in loaded:
        linker.add_unit_edges(unit)
    for unit in loaded:
        linker.add_unit_edges(unit, permissions=True)
    for unit in loaded:
        linker.add_property_references(unit)
        linker.add_stack_references(unit)
    graph.notes.extend(undecidable_notes(graph))
    if graph.absent and any(record is None and node.rpartition(":")[0] in graph.absent for node, record in graph._nodes.items()):
        # an edge ends on a resource of a unit left as its record: never a graph that lacks it; load them all
        whole = [unit.loaded() if isinstance(unit, RecordedUnit) else unit for unit in units_given]
        return _build_graph(whole, root=root, config=config, errors=errors, notes=notes, pipelines=pipelines)
    return graph
