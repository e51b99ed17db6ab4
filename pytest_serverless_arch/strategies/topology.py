"""The abstract topology the strategies draw: units, functions, triggers, stores, accesses.

A :class:`Topology` is plain data (frozen dataclasses), independent of any
template format. It knows what a loaded graph of it must contain (its
``units``, ``functions``, ``triggers``, ``links``, ``deploy_order()``) and
which deployment ``pattern`` it is, by the classifier's definition, so
property tests can compare a loaded graph against it. ``write(directory)``
renders it as real files (see :mod:`.render`).

>>> topology = Topology(
...     units=(TopologyUnit("orders", "sam"),),
...     functions=(TopologyFunction("Fn0", "orders"),),
...     triggers=(TopologyTrigger("Queue0", "queue", "orders", "Fn0"),),
... )
>>> topology.pattern
'monolith'
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..patterns import DEFAULT_TOLERANCE

__all__ = [
    "Access",
    "DATA_STORE_KINDS",
    "EventBus",
    "FORMATS",
    "Function",
    "LINK_KINDS",
    "Link",
    "PATTERNS",
    "PUSH_KINDS",
    "Pipeline",
    "SUBSCRIBABLE_KINDS",
    "SYNTAXES",
    "Store",
    "TRIGGER_KINDS",
    "Topology",
    "TopologyAccess",
    "TopologyEventBus",
    "TopologyFunction",
    "TopologyLink",
    "TopologyPipeline",
    "TopologyStore",
    "TopologyTrigger",
    "TopologyUnit",
    "Trigger",
    "TriggerEdge",
    "Unit",
    "usable_link",
]

FORMATS: tuple[str, ...] = ("cloudformation", "sam", "serverless")
SYNTAXES: tuple[str, ...] = ("yaml-short", "yaml-long", "json")
PATTERNS: tuple[str, ...] = ("monolith", "infra-app-split", "function-per-unit", "trigger-grouped")
TRIGGER_KINDS: tuple[str, ...] = ("queue", "topic", "bucket", "table", "stream", "api", "event_rule", "schedule")
# How one unit points at another unit's resource. ``stack_output`` (``${cf:..}``) is
# written by serverless services, ``compose_param`` between two serverless services
# of one serverless-compose.yml; where they cannot be written, ``imports`` is drawn instead.
LINK_KINDS: tuple[str, ...] = ("imports", "name_reference", "ssm_parameter", "stack_output", "compose_param")
DATA_STORE_KINDS: tuple[str, ...] = ("table", "bucket", "stream")
# Sources that push to a function, which a Lambda permission authorises.
PUSH_KINDS: tuple[str, ...] = ("bucket", "topic", "event_rule", "schedule")
# Sources a function's unit can subscribe to itself (event source mappings, SNS subscriptions).
SUBSCRIBABLE_KINDS: tuple[str, ...] = ("queue", "topic", "table", "stream")
UNTAGGED_SOURCE_KINDS: tuple[str, ...] = ("event_rule", "schedule")

Wiring = Literal["source", "function"]
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]+")
_UNIT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


def usable_link(link: str, writer: TopologyUnit, provider: TopologyUnit) -> str:
    """``link`` if ``writer`` can name ``provider``'s resource that way, else ``imports``.

    ``stack_output`` (``${cf:stack.Output}``) is written in serverless.yml only;
    ``compose_param`` joins two serverless services of one compose file.
    """
    if link == "stack_output" and writer.format != "serverless":
        return "imports"
    if link == "compose_param" and not writer.format == provider.format == "serverless":
        return "imports"
    return link


@dataclass(frozen=True, order=True)
class TopologyUnit:
    """A deployment unit: ``name`` is the stack name the loader gives it."""

    name: str
    format: str = "cloudformation"  # cloudformation | sam | serverless
    syntax: str = "yaml-short"  # yaml-short | yaml-long | json (serverless.yml is always YAML)
    directory: str = ""  # where its files go, relative to the repository root; default services/<name>

    @property
    def path(self) -> str:
        return self.directory or f"services/{self.service}"

    @property
    def service(self) -> str:
        """The serverless ``service:`` (the unit is named ``<service>-dev``), else the name."""
        return self.name.removesuffix("-dev") if self.format == "serverless" else self.name


@dataclass(frozen=True, order=True)
class TopologyFunction:
    """A function; ``placeholder`` when its code comes from outside its unit (a parameter)."""

    name: str
    unit: str
    domain: str | None = None
    placeholder: bool = False

    @property
    def physical_name(self) -> str:
        return f"{self.name.lower()}-fn"


@dataclass(frozen=True, order=True)
class TopologyTrigger:
    """An event source ``name`` of ``kind`` in ``unit`` that invokes ``function``.

    When the source and the function live in different units, ``wiring`` says
    which side writes the connection (``source``: the source's unit names the
    function; ``function``: the function's unit names the source) and ``link``
    how it names it (``imports`` an export, or a ``name_reference`` ARN).

    ``permission``: the function's unit also grants the source an
    ``AWS::Lambda::Permission`` (kinds that push: bucket, topic, event rule,
    schedule), naming the source the same way when it is in another unit.
    It authorises the trigger; it is not a second trigger.
    """

    name: str
    kind: str
    unit: str
    function: str
    domain: str | None = None
    wiring: Wiring = "source"
    link: str = "imports"
    permission: bool = False
    bus: str | None = None  # an event rule's event bus (None: the account's default bus)
    bus_link: str = "imports"  # how the rule names a bus that lives in another unit

    @property
    def physical_name(self) -> str:
        return f"{self.name.lower()}-src"


@dataclass(frozen=True, order=True)
class TopologyStore:
    """A data store (table, bucket, stream) that functions access."""

    name: str
    kind: str
    unit: str
    domain: str | None = None

    @property
    def physical_name(self) -> str:
        return f"{self.name.lower()}-store"


@dataclass(frozen=True, order=True)
class TopologyEventBus:
    """A custom event bus; event rules in any unit may listen on it."""

    name: str
    unit: str
    domain: str | None = None

    @property
    def physical_name(self) -> str:
        return f"{self.name.lower()}-bus"


@dataclass(frozen=True, order=True)
class TopologyAccess:
    """``function`` reads and writes ``store``; across units through a ``link`` kind."""

    function: str
    store: str
    link: str = "imports"


@dataclass(frozen=True, order=True)
class TopologyLink:
    """A cross-unit link: ``from_unit`` needs ``target`` that ``to_unit`` provides."""

    kind: str
    from_unit: str
    to_unit: str
    target: str  # the name of the resource in ``to_unit``


@dataclass(frozen=True, order=True)
class TopologyPipeline:
    """A GitHub Actions workflow that deploys ``units`` in order, after the workflows in ``after``.

    ``makefile``: its steps run ``make deploy-<unit>`` targets of the repository's
    ``Makefile`` instead of the deploy commands themselves.
    """

    name: str
    units: tuple[str, ...]
    after: tuple[str, ...] = ()
    makefile: bool = False


@dataclass(frozen=True)
class TriggerEdge:
    """One trigger edge as a loaded graph holds it: ``source`` invokes ``function``, within a unit or across."""

    source: str
    function: str
    crosses: bool


@dataclass(frozen=True)
class Topology:
    """Units, functions, triggers, stores and accesses; see the module docstring.

    ``pipelines`` (drawn with ``topologies(pipelines=True)``) deploy the units;
    every CloudFormation/SAM unit a pipeline deploys then takes a ``DeployStage``
    parameter without ``Default`` that only the pipeline's ``--parameter-overrides`` supplies.
    """

    units: tuple[TopologyUnit, ...]
    functions: tuple[TopologyFunction, ...] = ()
    triggers: tuple[TopologyTrigger, ...] = ()
    stores: tuple[TopologyStore, ...] = ()
    accesses: tuple[TopologyAccess, ...] = ()
    buses: tuple[TopologyEventBus, ...] = ()
    pipelines: tuple[TopologyPipeline, ...] = ()
    _index: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [f.name for f in self.functions] + [t.name for t in self.triggers] + [s.name for s in self.stores]
        names += [b.name for b in self.buses]
        problems = [f"{name!r} is not an alphanumeric logical id" for name in names if not _LOGICAL_ID.fullmatch(name)]
        problems += [f"{name!r} names two things" for name in sorted({n for n in names if names.count(n) > 1})]
        unit_names = [unit.name for unit in self.units]
        problems += [f"unit {name!r} appears twice" for name in sorted({n for n in unit_names if unit_names.count(n) > 1})]
        problems += [
            f"unit name {unit.name!r} is not letters, digits and dashes"
            for unit in self.units
            if not _UNIT_NAME.fullmatch(unit.name)
        ]
        problems += [
            f"unit {unit.name!r} has format {unit.format!r}, not one of {', '.join(FORMATS)}"
            for unit in self.units
            if unit.format not in FORMATS
        ]
        problems += [
            f"unit {unit.name!r} has syntax {unit.syntax!r}, not one of {', '.join(SYNTAXES)}"
            for unit in self.units
            if unit.syntax not in SYNTAXES
        ]
        placed: list[tuple[str, str]] = [(f.name, f.unit) for f in self.functions]
        placed += [(t.name, t.unit) for t in self.triggers] + [(s.name, s.unit) for s in self.stores]
        placed += [(b.name, b.unit) for b in self.buses]
        problems += [f"{name} is in unknown unit {unit!r}" for name, unit in placed if unit not in unit_names]
        functions = {f.name for f in self.functions}
        problems += [
            f"trigger {t.name} invokes unknown function {t.function!r}" for t in self.triggers if t.function not in functions
        ]
        problems += [
            f"trigger {t.name} has kind {t.kind!r}, not one of {', '.join(TRIGGER_KINDS)}"
            for t in self.triggers
            if t.kind not in TRIGGER_KINDS
        ]
        buses = {b.name for b in self.buses}
        problems += [
            f"event rule {t.name} listens on unknown bus {t.bus!r}"
            for t in self.triggers
            if t.bus is not None and (t.bus not in buses or t.kind != "event_rule")
        ]
        stores = {s.name for s in self.stores}
        problems += [
            f"access {a.function} -> {a.store} names an unknown function or store"
            for a in self.accesses
            if a.function not in functions or a.store not in stores
        ]
        pipeline_names = [p.name for p in self.pipelines]
        problems += [
            f"pipeline {p.name} deploys unknown unit {unit!r}"
            for p in self.pipelines
            for unit in p.units
            if unit not in unit_names
        ]
        problems += [
            f"pipeline {p.name} runs after unknown pipeline {other!r}"
            for p in self.pipelines
            for other in p.after
            if other not in pipeline_names or other == p.name
        ]
        problems += [
            f"pipeline {name!r} appears twice" for name in sorted({n for n in pipeline_names if pipeline_names.count(n) > 1})
        ]
        if problems:
            raise ValueError("not a valid topology: " + "; ".join(problems))
        index = {f.name: f.unit for f in self.functions}
        index.update({t.name: t.unit for t in self.triggers})
        index.update({s.name: s.unit for s in self.stores})
        index.update({b.name: b.unit for b in self.buses})
        object.__setattr__(self, "_index", index)

    # --- lookups --------------------------------------------------------------

    def unit(self, name: str) -> TopologyUnit:
        for unit in self.units:
            if unit.name == name:
                return unit
        raise KeyError(f"no unit {name!r} in this topology; units: {[u.name for u in self.units]}")

    def function(self, name: str) -> TopologyFunction:
        for function in self.functions:
            if function.name == name:
                return function
        raise KeyError(f"no function {name!r} in this topology")

    def store(self, name: str) -> TopologyStore:
        for store in self.stores:
            if store.name == name:
                return store
        raise KeyError(f"no store {name!r} in this topology")

    def bus(self, name: str) -> TopologyEventBus:
        for bus in self.buses:
            if bus.name == name:
                return bus
        raise KeyError(f"no event bus {name!r} in this topology")

    def unit_of(self, name: str) -> str:
        """The unit of the function, trigger source or store called ``name``."""
        return self._index[name]

    def functions_in(self, unit: str) -> list[TopologyFunction]:
        return [f for f in self.functions if f.unit == unit]

    def triggers_in(self, unit: str) -> list[TopologyTrigger]:
        """The triggers whose source lives in ``unit``."""
        return [t for t in self.triggers if t.unit == unit]

    def stores_in(self, unit: str) -> list[TopologyStore]:
        return [s for s in self.stores if s.unit == unit]

    def buses_in(self, unit: str) -> list[TopologyEventBus]:
        return [b for b in self.buses if b.unit == unit]

    def pipelines_of(self, unit: str) -> list[TopologyPipeline]:
        """The pipelines that deploy ``unit``, in order."""
        return [pipeline for pipeline in self.pipelines if unit in pipeline.units]

    def is_cross_unit(self, trigger: TopologyTrigger) -> bool:
        return trigger.unit != self.unit_of(trigger.function)

    def cross_unit_triggers(self) -> list[TopologyTrigger]:
        return [t for t in self.triggers if self.is_cross_unit(t)]

    def is_cross_unit_access(self, access: TopologyAccess) -> bool:
        return self.unit_of(access.function) != self.unit_of(access.store)

    # --- what a loaded graph must show ------------------------------------------

    def links(self) -> list[TopologyLink]:
        """Every cross-unit link: cross-unit triggers and cross-unit accesses."""
        found = set()
        for trigger in self.cross_unit_triggers():
            function_unit = self.unit_of(trigger.function)
            if trigger.wiring == "function":
                found.add(TopologyLink(trigger.link, function_unit, trigger.unit, trigger.name))
            else:
                found.add(TopologyLink(trigger.link, trigger.unit, function_unit, trigger.function))
            if trigger.permission and trigger.wiring == "source":
                found.add(TopologyLink(trigger.link, function_unit, trigger.unit, trigger.name))
        for trigger in self.triggers:
            # a rule on another unit's bus is a link to that bus, never a cross-unit trigger
            if trigger.bus is not None and self.unit_of(trigger.bus) != trigger.unit:
                found.add(TopologyLink(trigger.bus_link, trigger.unit, self.unit_of(trigger.bus), trigger.bus))
        for access in self.accesses:
            if self.is_cross_unit_access(access):
                found.add(TopologyLink(access.link, self.unit_of(access.function), self.unit_of(access.store), access.store))
        return sorted(found)

    def unit_dependencies(self) -> set[tuple[str, str]]:
        """(unit, depends_on) pairs: the first deploys after the second."""
        return {(link.from_unit, link.to_unit) for link in self.links()}

    def deploy_order(self) -> list[list[str]] | None:
        """Waves of unit names (each sorted), or ``None`` when the units depend on each other in a cycle."""
        remaining = {unit.name for unit in self.units}
        needs = {name: set() for name in remaining}  # type: dict[str, set[str]]
        for unit, depends_on in self.unit_dependencies():
            needs[unit].add(depends_on)
        waves = []
        while remaining:
            wave = sorted(name for name in remaining if not needs[name] & remaining)
            if not wave:
                return None
            waves.append(wave)
            remaining -= set(wave)
        return waves

    def empty_units(self) -> list[str]:
        """Units that hold nothing (a change such as moving a trigger can leave one behind)."""
        held = set(self._index.values())
        return [unit.name for unit in self.units if unit.name not in held]

    def units_holding_functions_or_triggers(self) -> list[str]:
        held = {f.unit for f in self.functions} | {t.unit for t in self.triggers}
        return sorted(held)

    @property
    def pattern(self) -> str:
        """The deployment pattern, by the classifier's definition (``mixed`` when none fits)."""
        holding = self.units_holding_functions_or_triggers()
        if len(holding) <= 1:
            return "monolith"
        # A trigger into a placeholder counts as crossing units even inside one: the
        # function's code, the other half of the event contract, ships from elsewhere
        # (as pytest_serverless_arch.patterns documents).
        placeholders = {f.name for f in self.functions if f.placeholder}
        edges = self.trigger_edges()
        crossing = [edge for edge in edges if edge.crosses or edge.function in placeholders]
        infra = any(edge.crosses for edge in edges) or placeholders
        if infra and 2 * len(crossing) >= len(edges):
            return "infra-app-split"
        with_functions = {f.unit for f in self.functions}
        if len(with_functions) >= 2 and all(len(self.functions_in(unit)) == 1 for unit in with_functions):
            return "function-per-unit"
        # at most a DEFAULT_TOLERANCE share of the trigger edges may cross units
        if len(crossing) <= DEFAULT_TOLERANCE * len(edges):
            return "trigger-grouped"
        return "mixed"

    def trigger_edges(self) -> list[TriggerEdge]:
        """The trigger edges a loaded graph holds: one per (source, function), however many events share them.

        A serverless service's local ``http`` events all come from the one API the
        framework creates, so two of them on one function are one edge.
        """
        edges: dict[tuple[str, str], TriggerEdge] = {}
        for trigger in self.triggers:
            source = trigger.name
            if trigger.kind == "api" and self.unit(trigger.unit).format == "serverless" and not self.is_cross_unit(trigger):
                source = f"{trigger.unit}:ApiGatewayRestApi"
            edges.setdefault((source, trigger.function), TriggerEdge(source, trigger.function, self.is_cross_unit(trigger)))
        return list(edges.values())

    def source_domain(self, trigger: TopologyTrigger) -> str | None:
        """The domain a loaded graph shows on ``trigger``'s source: only sources written with tags carry one.

        Event rules and schedules have no ``Tags``; a serverless ``http`` event's
        API is created by the framework, untagged.
        """
        if trigger.kind in UNTAGGED_SOURCE_KINDS:
            return None
        if trigger.kind == "api" and self.unit(trigger.unit).format == "serverless" and not self.is_cross_unit(trigger):
            return None
        return trigger.domain

    def domains_of(self, unit: str, *, declared: bool = False) -> set[str]:
        """The domains of the resources of ``unit`` that carry one in the written files.

        ``declared=True`` counts the domain drawn for every source, even one its
        file cannot carry (an event rule); moving it into a unit of another format
        may make it visible.
        """
        domains = {f.domain for f in self.functions_in(unit)}
        domains |= {t.domain if declared else self.source_domain(t) for t in self.triggers_in(unit)}
        domains |= {s.domain for s in self.stores_in(unit)}
        domains |= {b.domain for b in self.buses_in(unit)}
        return {domain for domain in domains if domain is not None}

    # --- changes (for metamorphic properties) -----------------------------------

    def renamed(self, mapping: Mapping[str, str]) -> Topology:
        """The same topology with functions, sources and stores renamed (``old -> new``)."""

        def new(name: str) -> str:
            return mapping.get(name, name)

        return Topology(
            units=self.units,
            functions=tuple(dataclasses.replace(f, name=new(f.name)) for f in self.functions),
            triggers=tuple(
                dataclasses.replace(t, name=new(t.name), function=new(t.function), bus=new(t.bus) if t.bus else None)
                for t in self.triggers
            ),
            stores=tuple(dataclasses.replace(s, name=new(s.name)) for s in self.stores),
            accesses=tuple(dataclasses.replace(a, function=new(a.function), store=new(a.store)) for a in self.accesses),
            buses=tuple(dataclasses.replace(b, name=new(b.name)) for b in self.buses),
        )

    def with_units(self, units: Iterable[TopologyUnit]) -> Topology:
        """The same topology with its units replaced (same names; another syntax, order or directory)."""
        return dataclasses.replace(self, units=tuple(units))

    def reordered(self) -> Topology:
        """Every collection in reverse order: files and resources are written in another order."""
        return Topology(
            self.units[::-1], self.functions[::-1], self.triggers[::-1], self.stores[::-1], self.accesses[::-1], self.buses[::-1]
        )

    def with_trigger_moved_to_its_function(self, trigger: TopologyTrigger) -> Topology:
        """``trigger``'s source moved into the unit of the function it invokes."""
        moved = dataclasses.replace(trigger, unit=self.unit_of(trigger.function))
        changed = dataclasses.replace(self, triggers=tuple(moved if t == trigger else t for t in self.triggers))
        return changed.with_usable_links()

    def with_units_merged(self, keep: str, drop: str) -> Topology:
        """Everything of unit ``drop`` moved into unit ``keep``; ``drop`` disappears."""

        def new(unit: str) -> str:
            return keep if unit == drop else unit

        merged = Topology(
            units=tuple(u for u in self.units if u.name != drop),
            functions=tuple(dataclasses.replace(f, unit=new(f.unit)) for f in self.functions),
            triggers=tuple(dataclasses.replace(t, unit=new(t.unit)) for t in self.triggers),
            stores=tuple(dataclasses.replace(s, unit=new(s.unit)) for s in self.stores),
            accesses=self.accesses,
            buses=tuple(dataclasses.replace(b, unit=new(b.unit)) for b in self.buses),
        )
        return merged.with_usable_links()

    def with_usable_links(self) -> Topology:
        """Every link written the way its writing unit can (``imports`` where ``${cf:}`` cannot go)."""

        def unit_of(name: str) -> TopologyUnit:
            return self.unit(self.unit_of(name))

        triggers = []
        for t in self.triggers:
            writer, provider = (
                (unit_of(t.function), unit_of(t.name)) if t.wiring == "function" else (unit_of(t.name), unit_of(t.function))
            )
            link = usable_link(t.link, writer, provider)
            permission = t.permission and usable_link(link, unit_of(t.function), unit_of(t.name)) == link
            bus_link = usable_link(t.bus_link, unit_of(t.name), unit_of(t.bus)) if t.bus else t.bus_link
            triggers.append(dataclasses.replace(t, link=link, permission=permission, bus_link=bus_link))
        accesses = tuple(
            dataclasses.replace(a, link=usable_link(a.link, unit_of(a.function), unit_of(a.store))) for a in self.accesses
        )
        return dataclasses.replace(self, triggers=tuple(triggers), accesses=accesses)

    # --- files --------------------------------------------------------------

    def write(self, directory: str | Path) -> list[Path]:
        """Render every unit as real files under ``directory``; return the paths written."""
        from .render import write_topology

        return write_topology(self, Path(directory))

    def describe(self) -> str:
        """A few readable lines (hypothesis prints this for a failing example)."""
        lines = []
        for unit in self.units:
            lines.append(f"unit {unit.name} ({unit.format}, {unit.syntax}) at {unit.path}")
            for function in self.functions_in(unit.name):
                extra = " placeholder" if function.placeholder else ""
                lines.append(f"  function {function.name} [{function.domain}]{extra}")
            for trigger in self.triggers_in(unit.name):
                cross = f" cross-unit, wired in {trigger.wiring} unit by {trigger.link}" if self.is_cross_unit(trigger) else ""
                granted = ", with a permission" if trigger.permission else ""
                if trigger.bus:
                    granted += f", on bus {trigger.bus}" + (
                        f" by {trigger.bus_link}" if self.unit_of(trigger.bus) != trigger.unit else ""
                    )
                lines.append(f"  {trigger.kind} {trigger.name} [{trigger.domain}] -> {trigger.function}{cross}{granted}")
            for store in self.stores_in(unit.name):
                lines.append(f"  {store.kind} {store.name} [{store.domain}]")
            for bus in self.buses_in(unit.name):
                lines.append(f"  event bus {bus.name} [{bus.domain}]")
        for access in self.accesses:
            lines.append(f"access {access.function} -> {access.store} by {access.link}")
        for pipeline in self.pipelines:
            after = f" after {', '.join(pipeline.after)}" if pipeline.after else ""
            via = " via make" if pipeline.makefile else ""
            lines.append(f"pipeline {pipeline.name}{after}{via}: {' -> '.join(pipeline.units)}")
        return "\n".join(lines)


# The first names of these classes, kept importable: they read like the model's ``Unit`` and ``Trigger``,
# so the Topology-prefixed names are the ones to use.
Unit = TopologyUnit
Function = TopologyFunction
Trigger = TopologyTrigger
Link = TopologyLink
Store = TopologyStore
EventBus = TopologyEventBus
Access = TopologyAccess
Pipeline = TopologyPipeline
