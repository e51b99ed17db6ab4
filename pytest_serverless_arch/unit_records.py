"""What the graph needs of a cached unit it does not load: a small record kept beside the unit (``--arch-changed-since``).

A check against a ref links only the change's neighbourhood (:mod:`.neighbourhood`).
The warm cache keeps, beside each loader call's units, a :class:`LoadRecord`: for
each unit its :class:`UnitRecord` (the unit as the graph lists it, its domains
assigned, its load errors and notes, its link facts with their asks, its number
of functions and the resources that carry suppressions). The gate's load then
takes a unit the neighbourhood does not reach as a :class:`RecordedUnit` (the
record, and the pickled units it came from, unpickled only if asked), and the
graph answers the questions about the whole repository its header and items ask
(units, functions, load errors, suppressions, domains) from the records.

A record is made of the unit as its loader returned it, with the load's options:
what happens to a unit after all are loaded (the renames a name clash makes,
serverless-compose params, the pipelines' deployments) is not in it, so the load
takes records only when none of those happens (see ``loading._load``).

>>> from pytest_serverless_arch.config import LoadConfig
>>> from pytest_serverless_arch.model import LoadedUnit, Location, Resource
>>> unit = LoadedUnit("orders", "cloudformation", "orders/template.yaml")
>>> unit.resources.append(Resource("orders", "Fn", "AWS::Lambda::Function", "function", Location("orders/template.yaml", 3)))
>>> record = record_of([unit], [], [], LoadConfig()).units[0]
>>> record.unit.name, record.unit.resource_count, record.functions, record.facts.unit
('orders', 1, 1, 'orders')
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .config import LoadConfig
from .domains import assign_domains, unit_domains, with_domains
from .link_facts import UnitLinkFacts, unit_link_facts
from .model import LoadedUnit, LoadError, Note, Resource, Unit

__all__ = ["LoadRecord", "RecordedUnit", "UnitRecord", "graph_unit", "record_of"]


@dataclass(frozen=True)
class UnitRecord:
    """One unit as the graph lists it when its resources are not loaded."""

    unit: Unit  # its domains assigned with the load's options
    named_by_folder: bool
    errors: tuple[LoadError, ...]
    notes: tuple[Note, ...]
    facts: UnitLinkFacts  # with its asks
    functions: int
    suppressed: tuple[Resource, ...]  # the resources that carry suppressions (domains assigned)


@dataclass(frozen=True)
class LoadRecord:
    """One loader call's units as records, and what it added to discovery's errors and notes (as the cache keeps them)."""

    units: tuple[UnitRecord, ...]
    errors: tuple[LoadError, ...] = ()
    notes: tuple[Note, ...] = ()


def graph_unit(unit: LoadedUnit, resources: Sequence[Resource] | None = None) -> Unit:
    """The :class:`Unit` the graph lists for ``unit`` (``resources``: its resources, when they are not the unit's own)."""
    resources = unit.resources if resources is None else resources
    domains = unit_domains(resources)
    return Unit(
        unit.name,
        unit.format,
        unit.path,
        domain=next(iter(domains)) if len(domains) == 1 else None,
        domains=domains,
        region=unit.region,
        tags=tuple(sorted(unit.tags.items())),
        resource_count=len(resources),
        location=unit.location,
    )


def record_of(units: Sequence[LoadedUnit], errors: Sequence[LoadError], notes: Sequence[Note], config: LoadConfig) -> LoadRecord:
    """The record of one loader call's ``units`` (not changed: their domains are worked out on the side)."""
    records = []
    for unit in units:
        resources = with_domains(unit, config) if unit.resources else unit.resources
        records.append(
            UnitRecord(
                graph_unit(unit, resources),
                unit.named_by_folder,
                tuple(unit.errors),
                tuple(unit.notes),
                unit_link_facts(unit, asks=True),
                sum(1 for resource in resources if resource.kind == "function"),
                tuple(resource for resource in resources if resource.suppressions),
            )
        )
    return LoadRecord(tuple(records), tuple(errors), tuple(notes))


@dataclass(eq=False)
class DeferredLoad:
    """One loader call's pickled units, unpickled on first use, their domains assigned with the load's options."""

    payload: bytes
    unpickle: Callable[[bytes], list[LoadedUnit] | None]
    config: LoadConfig
    _units: list[LoadedUnit] | None = field(default=None, init=False)

    def units(self) -> list[LoadedUnit]:
        if self._units is None:
            units = self.unpickle(self.payload)
            if units is None:  # the pack was read and checked a moment ago: this is a bug, never a silent loss
                raise pickle.UnpicklingError("a cached unit's payload could not be read again")
            self._units = assign_domains(units, self.config)
        return self._units


@dataclass(eq=False)
class RecordedUnit(LoadedUnit):
    """A cached unit taken as its record: no resources, no edges, until :meth:`loaded` unpickles it."""

    record: UnitRecord | None = None
    deferred: DeferredLoad | None = None
    index: int = 0  # its place among its loader call's units

    def loaded(self) -> LoadedUnit:
        """The unit unpickled, with what the load gave this stand-in since (its pipelines' deployments)."""
        assert self.deferred is not None
        unit = self.deferred.units()[self.index]
        if unit.deployments is None and self.deployments is not None:
            unit.deployments = self.deployments
            unit.deployed_as = self.deployed_as
            unit.stack_refs.extend(self.stack_refs)  # what its pipeline reads at deploy time
        return unit

    def facts(self) -> UnitLinkFacts:
        """The record's link facts, with the stack names and deploy-time references its pipelines gave it since.

        The same as :func:`~pytest_serverless_arch.link_facts.unit_link_facts` of the unit unpickled:
        the record was made before any pipeline deployed it, and what they add comes last.
        """
        assert self.record is not None
        facts = self.record.facts
        if not self.deployed_as and not self.stack_refs:
            return facts
        asks = dict.fromkeys(facts.asks)
        asks.update(dict.fromkeys(stack_ref.ref for stack_ref in self.stack_refs))
        return dataclasses.replace(facts, stack_names=facts.stack_names + tuple(self.deployed_as), asks=tuple(asks))

    @classmethod
    def of(cls, record: UnitRecord, deferred: DeferredLoad, index: int) -> RecordedUnit:
        unit = record.unit
        return cls(
            unit.name,
            unit.format,
            unit.path,
            errors=list(record.errors),
            notes=list(record.notes),
            named_by_folder=record.named_by_folder,
            region=unit.region,
            location=unit.location,
            record=record,
            deferred=deferred,
            index=index,
        )
