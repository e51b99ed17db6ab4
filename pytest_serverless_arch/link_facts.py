"""What one unit offers the others, and what it asks of them: the per-unit facts linking resolves against.

:func:`unit_link_facts` reads them off a loaded unit; :class:`~pytest_serverless_arch.link.ProviderIndex`
is built from nothing else, for the whole repository (``build_graph``) as for the
repository at a git ref or a neighbourhood of a change (``--arch-changed-since``),
so every resolution goes through the one index and its rules (first exporter wins,
a physical name resolves only when one unit holds it, wildcard names only when one
key matches). The facts are small and picklable: a cache keeps them beside the unit.

>>> from pytest_serverless_arch.model import Export, LoadedUnit, Location, Resource
>>> unit = LoadedUnit("orders", "cloudformation", "orders/template.yaml")
>>> unit.resources.append(Resource("orders", "Queue", "AWS::SQS::Queue", "queue", Location("t", 3), physical_name="jobs"))
>>> unit.exports.append(Export("QueueArn", "orders-queue", "Queue", Location("t", 9)))
>>> facts = unit_link_facts(unit)
>>> [(named.node, named.kind, named.physical_name) for named in facts.named]
[('orders:Queue', 'queue', 'jobs')]
>>> [(output.output, output.node, output.export_name) for output in facts.outputs]
[('QueueArn', 'orders:Queue', 'orders-queue')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from .model import Edge, ForeignRef, LoadedUnit, Location

if TYPE_CHECKING:
    from .graph import Link

__all__ = [
    "FactsCapture",
    "LinkScope",
    "NamedResource",
    "OfferedOutput",
    "UnitLinkFacts",
    "unit_asks",
    "unit_link_facts",
    "unit_node",
]


def unit_node(unit: str) -> str:
    """The node id of a unit itself.

    >>> unit_node("orders")
    'unit:orders'
    """
    return f"unit:{unit}"


class NamedResource(NamedTuple):
    """A resource another unit can name: by its physical name (or ARN), or as an SSM parameter.

    (A named tuple: a unit may have thousands, and linking makes one of each every run.)
    """

    node: str
    kind: str
    physical_name: str
    location: Location


class OfferedOutput(NamedTuple):
    """An output of the unit (``stack/Output``), exported under ``export_name`` when it has one."""

    output: str
    node: str  # the resource it names, else the unit itself
    export_name: str | None
    location: Location


@dataclass(frozen=True)
class UnitLinkFacts:
    """What linking needs of one unit to resolve the other units' references to it, and its own.

    ``stack_names`` are the names it is deployed as besides its own (its stack
    name, then each name its pipelines deploy it as); ``parameter_values`` pairs
    an SSM parameter with the resource whose name or ARN its value holds.
    ``asks`` (filled by :func:`unit_asks`) are the foreign references it makes.
    """

    unit: str
    format: str
    path: str
    region: str | None
    stack_names: tuple[str, ...]
    implicit_outputs: str
    named: tuple[NamedResource, ...]
    parameter_values: tuple[tuple[str, str], ...]
    outputs: tuple[OfferedOutput, ...]
    asks: tuple[ForeignRef, ...] = ()


@dataclass(frozen=True)
class LinkScope:
    """What linking puts in the graph when it links a neighbourhood, not the whole repository.

    Every unit is still added (and its resources, unless the load took it as its record and
    nothing linked reaches it: see :mod:`.unit_records`), and every unit's facts make the index; only the
    units in ``linked`` have their edges resolved and added. The graph's cross-unit links are
    those its edges make for the units in ``own_links``, and ``fixed_links`` for every other
    unit (known from elsewhere: the graph at a git ref, for units the change left alone).
    ``reached`` is ``linked`` and every unit a reference of one of them resolves to: the units
    whose resources the linked units' edges end on.
    """

    linked: frozenset[str]
    own_links: frozenset[str]
    fixed_links: tuple[Link, ...] = ()
    reached: frozenset[str] = frozenset()


@dataclass
class FactsCapture:
    """A ``LoadConfig.link_scope`` that keeps every unit's link facts (with their asks) and links the whole graph.

    >>> capture = FactsCapture()
    >>> capture([], None, None) is None, capture.facts
    (True, ())
    """

    facts: tuple[UnitLinkFacts, ...] = ()

    def __call__(self, facts: Sequence[UnitLinkFacts], graph: object, index: object) -> LinkScope | None:
        self.facts = tuple(facts)
        return None


def unit_link_facts(unit: LoadedUnit, *, asks: bool = False) -> UnitLinkFacts:
    """What ``unit`` offers (and, with ``asks``, what it asks: see :func:`unit_asks`)."""
    name = unit.name
    stack_names = (unit.stack_name, *unit.deployed_as) if unit.stack_name else tuple(unit.deployed_as)
    node_ids: dict[str, str] | None = None
    named = []
    values = []
    for resource in unit.resources:
        physical = resource.physical_name
        if physical:
            named.append(NamedResource(resource.id, resource.kind, physical, resource.location))
            if resource.kind == "parameter" and resource.value_target is not None:
                if node_ids is None:
                    node_ids = {key: f"{name}:{logical_id}" for key, logical_id in unit.logical_ids().items()}
                value = node_ids.get(resource.value_target)
                if value is not None and value != resource.id:
                    values.append((resource.id, value))
    outputs = []
    if unit.exports:
        if node_ids is None:
            node_ids = {key: f"{name}:{logical_id}" for key, logical_id in unit.logical_ids().items()}
        default = unit_node(name)
        for export in unit.exports:
            node = node_ids.get(export.target or "", default)
            outputs.append(OfferedOutput(export.output, node, export.export_name or None, export.location))
    return UnitLinkFacts(
        name,
        unit.format,
        unit.path,
        unit.region,
        stack_names,
        unit.implicit_outputs,
        tuple(named),
        tuple(values),
        tuple(outputs),
        unit_asks(unit) if asks else (),
    )


def unit_asks(unit: LoadedUnit) -> tuple[ForeignRef, ...]:
    """Every foreign reference ``unit`` makes (edge ends, property and stack references), once each, in order.

    >>> from pytest_serverless_arch.model import Location, StackRef
    >>> unit = LoadedUnit("app", "serverless", "serverless.yml")
    >>> unit.stack_refs.append(StackRef(ForeignRef("ssm", "/shop/url"), Location("serverless.yml", 4), "url"))
    >>> unit_asks(unit)
    (ForeignRef(how='ssm', key='/shop/url', kind_hint='other', region=None),)
    """
    found: dict[ForeignRef, None] = {}
    edge: Edge
    for edge in unit.edges:
        if isinstance(edge.source, ForeignRef):
            found.setdefault(edge.source)
        if isinstance(edge.target, ForeignRef):
            found.setdefault(edge.target)
    for property_ref in unit.property_refs:
        found.setdefault(property_ref.ref)
    for stack_ref in unit.stack_refs:
        found.setdefault(stack_ref.ref)
    return tuple(found)
