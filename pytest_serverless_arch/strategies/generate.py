"""Hypothesis strategies that draw abstract topologies and their pieces.

Style (hypothesis' own guide): plural names, keyword-only options, options
that are strategies, invalid arguments reported when a value is drawn. Every
count comes from ``st.lists`` and every rare case (a function of a stray
domain, a cross-unit trigger, a placeholder) sits behind ``st.booleans()``,
so a failing example shrinks toward one unit, one function, nothing unusual.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .topology import (
    FORMATS,
    LINK_KINDS,
    PATTERNS,
    PUSH_KINDS,
    SUBSCRIBABLE_KINDS,
    SYNTAXES,
    TRIGGER_KINDS,
    UNTAGGED_SOURCE_KINDS,
    Topology,
    TopologyAccess,
    TopologyEventBus,
    TopologyFunction,
    TopologyPipeline,
    TopologyStore,
    TopologyTrigger,
    TopologyUnit,
    Wiring,
    usable_link,
)

__all__ = ["DEFAULT_DOMAINS", "functions", "topologies", "triggers", "units"]

DEFAULT_DOMAINS: tuple[str, ...] = ("orders", "billing", "shipping")
_PREFIX = {
    "queue": "Queue",
    "topic": "Topic",
    "bucket": "Bucket",
    "table": "Table",
    "stream": "Stream",
    "api": "Api",
    "event_rule": "Rule",
    "schedule": "Schedule",
}

# Default option values (module-level so every call shares them).
ANY_FORMAT: SearchStrategy[str] = st.sampled_from(FORMATS)
ANY_SYNTAX: SearchStrategy[str] = st.sampled_from(SYNTAXES)
ANY_DOMAIN: SearchStrategy[str] = st.sampled_from(DEFAULT_DOMAINS)
ANY_LINK: SearchStrategy[str] = st.sampled_from(LINK_KINDS)
ANY_TRIGGER_KIND: SearchStrategy[str] = st.sampled_from(TRIGGER_KINDS)
_FUNCTION_NAMES: SearchStrategy[str] = st.sampled_from([f"Fn{i}" for i in range(10)])
_NEVER: SearchStrategy[bool] = st.just(False)


def _check_strategy(name: str, value: Any, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if not isinstance(value, SearchStrategy):
        raise InvalidArgument(
            f"{name}={value!r} must be a hypothesis strategy" + (" or None" if optional else "") + f", not {type(value).__name__}"
        )


def _check_int(name: str, value: Any, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InvalidArgument(f"{name}={value!r} must be an integer >= {minimum}")


def _checked(values: SearchStrategy[str], allowed: tuple[str, ...], name: str) -> SearchStrategy[str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise InvalidArgument(f"{name} drew {value!r}; expected one of {', '.join(allowed)}")
        return value

    return values.map(check)


# --- the pieces -------------------------------------------------------------------------


@st.composite
def units(
    draw: Callable[..., Any],
    *,
    names: SearchStrategy[str] | None = None,
    formats: SearchStrategy[str] = ANY_FORMAT,
    syntaxes: SearchStrategy[str] = ANY_SYNTAX,
) -> TopologyUnit:
    """A deployment unit of one of ``formats``, written in one of ``syntaxes``.

    >>> units(formats=st.just("sam")).example().format  # doctest: +SKIP
    'sam'
    """
    _check_strategy("formats", formats)
    _check_strategy("syntaxes", syntaxes)
    _check_strategy("names", names, optional=True)
    unit_format = draw(_checked(formats, FORMATS, "formats"))
    syntax = draw(_checked(syntaxes, SYNTAXES, "syntaxes"))
    name = draw(names if names is not None else st.sampled_from(DEFAULT_DOMAINS))
    if unit_format == "serverless" and not name.endswith("-dev"):
        name += "-dev"  # the framework names the stack <service>-<stage>
    return TopologyUnit(name, unit_format, syntax)


@st.composite
def functions(
    draw: Callable[..., Any],
    *,
    units: SearchStrategy[str],
    names: SearchStrategy[str] = _FUNCTION_NAMES,
    domains: SearchStrategy[str] | None = ANY_DOMAIN,
    placeholders: SearchStrategy[bool] = _NEVER,
) -> TopologyFunction:
    """A function in one of ``units`` (unit names), of one of ``domains`` (None: no domain).

    Draw several with ``st.lists(functions(...), unique_by=lambda f: f.name)``.
    """
    _check_strategy("units", units)
    _check_strategy("names", names)
    _check_strategy("domains", domains, optional=True)
    _check_strategy("placeholders", placeholders)
    return TopologyFunction(draw(names), draw(units), draw(domains) if domains is not None else None, draw(placeholders))


@st.composite
def triggers(
    draw: Callable[..., Any],
    *,
    functions: SearchStrategy[str],
    units: SearchStrategy[str],
    kinds: SearchStrategy[str] = ANY_TRIGGER_KIND,
    names: SearchStrategy[str] | None = None,
    domains: SearchStrategy[str] | None = ANY_DOMAIN,
) -> TopologyTrigger:
    """A trigger of one of ``kinds`` whose source lives in one of ``units`` and invokes one of ``functions``.

    How a cross-unit trigger is wired (which side names the other, and how) is
    drawn too; a ``Topology`` decides whether it crosses units.
    """
    for name, value in (("functions", functions), ("units", units), ("kinds", kinds)):
        _check_strategy(name, value)
    _check_strategy("names", names, optional=True)
    _check_strategy("domains", domains, optional=True)
    kind = draw(_checked(kinds, TRIGGER_KINDS, "kinds"))
    name = draw(names) if names is not None else f"{_PREFIX[kind]}{draw(st.integers(0, 9))}"
    wiring: Wiring = "function" if kind in SUBSCRIBABLE_KINDS and draw(st.booleans()) else "source"
    link = draw(st.sampled_from(("imports", "name_reference", "ssm_parameter")))
    if wiring == "function" and kind == "table":
        link = "imports"  # a table's stream ARN carries a label nobody can write down
    return TopologyTrigger(name, kind, draw(units), draw(functions), draw(domains) if domains is not None else None, wiring, link)


# --- whole topologies ------------------------------------------------------------------


def topologies(
    *,
    pattern: str | None = None,
    formats: SearchStrategy[str] = ANY_FORMAT,
    syntaxes: SearchStrategy[str] = ANY_SYNTAX,
    min_units: int = 1,
    max_units: int = 4,
    max_functions: int = 6,
    domains: SearchStrategy[str] | None = ANY_DOMAIN,
    cross_unit_links: SearchStrategy[str] | None = ANY_LINK,
    trigger_kinds: SearchStrategy[str] = ANY_TRIGGER_KIND,
    pipelines: bool = False,
) -> SearchStrategy[Topology]:
    """Abstract topologies: units, functions, triggers of every kind, stores, domains, cross-unit links.

    - ``pattern``: one of ``monolith``, ``infra-app-split``, ``function-per-unit``,
      ``trigger-grouped`` to draw only topologies of that pattern (by the
      classifier's definition); None for any, ``mixed`` included.
    - ``formats``/``syntaxes``: each unit's format (``cloudformation``, ``sam``,
      ``serverless``) and syntax (``yaml-short``, ``yaml-long``, ``json``).
    - ``domains``: each unit's domain (its resources take it, a rare one
      strays to another); None: no resource has a domain.
    - ``cross_unit_links``: how a unit names another's resource (``imports``,
      ``name_reference``, ``ssm_parameter``); None: units never point at
      each other (no cross-unit trigger or access).
    - ``pipelines``: also draw the GitHub Actions workflows that deploy the
      units (each unit in at most one, rarely in none; some run after earlier
      ones; some call ``make`` targets), written beside the templates with
      each template's ``DeployStage`` parameter passed as a parameter override.
      ``topology.pattern`` stays the pattern of the stacks.

    >>> from hypothesis import given
    >>> @given(topologies(pattern="monolith"))
    ... def test_one_unit(topology):
    ...     assert topology.pattern == "monolith"
    """
    return _topologies(
        pattern=pattern,
        formats=formats,
        syntaxes=syntaxes,
        min_units=min_units,
        max_units=max_units,
        max_functions=max_functions,
        domains=domains,
        cross_unit_links=cross_unit_links,
        trigger_kinds=trigger_kinds,
        pipelines=pipelines,
    )


_MINIMA = {  # (units, functions) a pattern needs
    None: (1, 1),
    "monolith": (1, 1),
    "function-per-unit": (2, 2),
    "trigger-grouped": (2, 3),
    "infra-app-split": (2, 1),
}


def _validate(
    pattern: str | None,
    formats: Any,
    syntaxes: Any,
    min_units: Any,
    max_units: Any,
    max_functions: Any,
    domains: Any,
    cross_unit_links: Any,
    trigger_kinds: Any,
) -> None:
    if pattern is not None and pattern not in PATTERNS:
        raise InvalidArgument(f"pattern={pattern!r}; expected None or one of {', '.join(PATTERNS)}")
    _check_strategy("formats", formats)
    _check_strategy("syntaxes", syntaxes)
    _check_strategy("domains", domains, optional=True)
    _check_strategy("cross_unit_links", cross_unit_links, optional=True)
    _check_strategy("trigger_kinds", trigger_kinds)
    _check_int("min_units", min_units, 1)
    _check_int("max_units", max_units, 1)
    _check_int("max_functions", max_functions, 1)
    if min_units > max_units:
        raise InvalidArgument(f"min_units={min_units} is more than max_units={max_units}")
    need_units, need_functions = _MINIMA[pattern]
    if max_units < need_units or max_functions < need_functions:
        raise InvalidArgument(f"pattern={pattern!r} needs max_units >= {need_units} and max_functions >= {need_functions}")
    if pattern == "infra-app-split" and cross_unit_links is None:
        raise InvalidArgument("pattern='infra-app-split' needs cross_unit_links: its triggers cross units")


@st.composite
def _topologies(
    draw: Callable[..., Any],
    *,
    pattern: str | None,
    formats: Any,
    syntaxes: Any,
    min_units: int,
    max_units: int,
    max_functions: int,
    domains: Any,
    cross_unit_links: Any,
    trigger_kinds: Any,
    pipelines: bool = False,
) -> Topology:
    _validate(pattern, formats, syntaxes, min_units, max_units, max_functions, domains, cross_unit_links, trigger_kinds)
    if not isinstance(pipelines, bool):
        raise InvalidArgument(f"pipelines={pipelines!r}; expected True or False")
    need_units, _ = _MINIMA[pattern]
    drawing = _Drawing(
        draw,
        pattern,
        domains,
        cross_unit_links,
        _draw_units(draw, formats, syntaxes, domains, max(min_units, need_units), max_units),
    )
    function_list = drawing.functions(max_functions)
    trigger_list = drawing.triggers(function_list, _checked(trigger_kinds, TRIGGER_KINDS, "trigger_kinds"))
    store_list = drawing.stores(function_list, trigger_list, first_index=len(trigger_list))
    access_list = drawing.accesses(function_list, store_list)
    topology = Topology(
        tuple(drawing.units),
        tuple(function_list),
        tuple(trigger_list),
        tuple(store_list),
        tuple(access_list),
        tuple(drawing.buses),
    )
    if pattern is not None and topology.pattern != pattern:  # pragma: no cover - a bug in this module
        raise AssertionError(f"drew a {topology.pattern} topology for pattern={pattern!r}:\n" + topology.describe())
    if pipelines:
        topology = dataclasses.replace(topology, pipelines=_draw_pipelines(draw, drawing.units))
    return topology


def _draw_pipelines(draw: Callable[..., Any], units: list[TopologyUnit]) -> tuple[TopologyPipeline, ...]:
    """Workflows over ``units``: each unit joins an earlier workflow or starts a new one (rarely none)."""
    groups: list[list[str]] = []
    for unit in units:
        if draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()):
            continue  # a stack no pipeline deploys
        choice = draw(st.integers(0, len(groups)))
        if choice == len(groups):
            groups.append([unit.name])
        else:
            groups[choice].append(unit.name)
    found: list[TopologyPipeline] = []
    for index, members in enumerate(groups):
        earlier = [pipeline.name for pipeline in found]
        after = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        found.append(TopologyPipeline(f"deploy-{index}", tuple(members), tuple(after), draw(st.booleans())))
    return tuple(found)


class _Drawing:
    """The pieces of one topology, drawn in order: functions, their triggers, stores, accesses."""

    def __init__(
        self, draw: Callable[..., Any], pattern: str | None, domains: Any, links: Any, units: list[TopologyUnit]
    ) -> None:
        self.draw = draw
        self.pattern = pattern
        self.domains = domains
        self.links = links
        self.units = units
        self.homes = [_home(unit) for unit in units]
        self.buses: list[TopologyEventBus] = []

    def place_of(self, unit_name: str) -> int:
        return next(index for index, unit in enumerate(self.units) if unit.name == unit_name)

    def domain_for(self, place: int) -> str | None:
        """The home domain of the unit at ``place``, or, rarely, another one."""
        if self.domains is None:
            return None
        home = self.homes[place]
        return self.draw(self.domains) if self.draw(st.booleans()) else home

    def functions(self, max_functions: int) -> list[TopologyFunction]:
        """Functions, placed in units as the pattern asks."""
        draw, pattern, count = self.draw, self.pattern, len(self.units)
        if pattern == "monolith":
            places = [0] * draw(st.integers(1, max_functions))
        elif pattern == "function-per-unit":
            places = list(range(min(count, max_functions)))
        elif pattern == "trigger-grouped":  # unit 0 holds two or three, every other unit at least one
            grouped = draw(st.integers(2, max(2, min(max_functions - 1, 3))))
            places = [0] * grouped + draw(st.lists(st.integers(1, count - 1), min_size=1, max_size=max_functions - grouped))
        elif pattern == "infra-app-split":  # unit 0 is the infrastructure unit
            places = draw(st.lists(st.integers(1, count - 1), min_size=1, max_size=max_functions))
        else:
            places = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=max_functions))
        found = []
        for index, place in enumerate(places):
            # a placeholder is rare (two booleans), and serverless.yml ships its own code
            placeholder = (
                pattern is None and self.units[place].format != "serverless" and draw(st.booleans()) and draw(st.booleans())
            )
            found.append(TopologyFunction(f"Fn{index}", self.units[place].name, self.domain_for(place), placeholder))
        if (
            pattern == "infra-app-split"
            and self.units[0].format != "serverless"
            and len(found) < max_functions
            and draw(st.booleans())
        ):
            # the infrastructure unit also holds an empty function another pipeline ships code into
            found.append(TopologyFunction(f"Fn{len(found)}", self.units[0].name, self.domain_for(0), placeholder=True))
        return found

    def triggers(self, functions: list[TopologyFunction], kinds: SearchStrategy[str]) -> list[TopologyTrigger]:
        """Up to two triggers per function; the source lives in the function's unit unless the pattern moves it."""
        draw, pattern, count = self.draw, self.pattern, len(self.units)
        found: list[TopologyTrigger] = []
        for function in functions:
            function_place = self.place_of(function.unit)
            if pattern == "infra-app-split" and function_place == 0:
                continue  # the infrastructure unit's placeholder: its triggers are not drawn
            minimum = 1 if pattern == "infra-app-split" else 0
            for kind in draw(st.lists(kinds, min_size=minimum, max_size=2)):
                place = function_place
                if pattern == "infra-app-split":
                    place = 0
                elif pattern is None and count > 1 and self.links is not None and draw(st.booleans()):
                    other = draw(st.integers(0, count - 2))  # any unit but the function's
                    place = other if other < function_place else other + 1
                trigger = _trigger(
                    draw,
                    kind,
                    len(found),
                    self.units[place],
                    function,
                    self.domain_for(place),
                    crossing=place != function_place,
                    links=self.links,
                    function_unit=self.units[function_place],
                )
                if kind == "event_rule" and draw(st.booleans()) and draw(st.booleans()):
                    trigger = self.on_a_bus(trigger, place)
                found.append(trigger)
        return found

    def on_a_bus(self, rule: TopologyTrigger, rule_place: int) -> TopologyTrigger:
        """``rule`` listening on a custom bus, in its own unit or (rarely) another one."""
        place = rule_place
        if len(self.units) > 1 and self.links is not None and self.draw(st.booleans()):
            other = self.draw(st.integers(0, len(self.units) - 2))
            place = other if other < rule_place else other + 1
        bus = TopologyEventBus(f"Bus{len(self.buses)}", self.units[place].name, self.domain_for(place))
        self.buses.append(bus)
        link = "imports"
        if place != rule_place:
            drawn = self.draw(_checked(self.links, LINK_KINDS, "cross_unit_links"))
            link = usable_link(drawn, self.units[rule_place], self.units[place])
        return dataclasses.replace(rule, bus=bus.name, bus_link=link)

    def stores(self, functions: list[TopologyFunction], triggers: list[TopologyTrigger], first_index: int) -> list[TopologyStore]:
        """Up to two data stores, and one more in every unit that would otherwise be empty."""
        specs = self.draw(
            st.lists(st.tuples(st.sampled_from(("table", "bucket", "stream")), st.integers(0, len(self.units) - 1)), max_size=2)
        )
        found = [
            TopologyStore(f"{_PREFIX[kind]}{first_index + index}", kind, self.units[place].name, self.domain_for(place))
            for index, (kind, place) in enumerate(specs)
        ]
        # Every unit holds something: an empty template is not a unit anyone deploys.
        held = {f.unit for f in functions} | {t.unit for t in triggers} | {s.unit for s in found}
        held |= {b.unit for b in self.buses}
        for place, unit in enumerate(self.units):
            if unit.name not in held:
                found.append(TopologyStore(f"Table{first_index + len(found)}", "table", unit.name, self.homes[place]))
        return found

    def accesses(self, functions: list[TopologyFunction], stores: list[TopologyStore]) -> list[TopologyAccess]:
        """Up to three (function, store) pairs; across units through a drawn link kind."""
        if not stores:
            return []
        pairs = self.draw(
            st.lists(st.tuples(st.integers(0, len(functions) - 1), st.integers(0, len(stores) - 1)), max_size=3, unique=True)
        )
        found = []
        for function_index, store_index in pairs:
            function, store = functions[function_index], stores[store_index]
            if function.unit == store.unit:
                found.append(TopologyAccess(function.name, store.name, "reference"))
            elif self.links is not None:
                link = self.draw(_checked(self.links, LINK_KINDS, "cross_unit_links"))
                reader, provider = self.units[self.place_of(function.unit)], self.units[self.place_of(store.unit)]
                found.append(TopologyAccess(function.name, store.name, usable_link(link, reader, provider)))
        return found


def _draw_units(
    draw: Callable[..., Any], formats: Any, syntaxes: Any, domains: Any, min_units: int, max_units: int
) -> list[TopologyUnit]:
    specs = draw(
        st.lists(
            st.tuples(
                _checked(formats, FORMATS, "formats"),
                _checked(syntaxes, SYNTAXES, "syntaxes"),
                domains if domains is not None else st.none(),
            ),
            min_size=min_units,
            max_size=max_units,
        )
    )
    result = []
    for index, (unit_format, syntax, domain) in enumerate(specs):
        base = f"{domain or 'app'}-{index}"
        result.append(TopologyUnit(f"{base}-dev" if unit_format == "serverless" else base, unit_format, syntax))
    return result


def _home(unit: TopologyUnit) -> str | None:
    base = unit.service.rsplit("-", 1)[0]
    return None if base == "app" else base


def _trigger(
    draw: Callable[..., Any],
    kind: str,
    index: int,
    unit: TopologyUnit,
    function: TopologyFunction,
    domain: str | None,
    *,
    crossing: bool,
    links: Any,
    function_unit: TopologyUnit,
) -> TopologyTrigger:
    name = f"{_PREFIX[kind]}{index}"
    if kind in UNTAGGED_SOURCE_KINDS:
        domain = None  # an event rule has no Tags
    permission = kind in PUSH_KINDS and draw(st.booleans()) and draw(st.booleans())  # rare
    if not crossing:
        return TopologyTrigger(name, kind, unit.name, function.name, domain, permission=permission)
    wiring: Wiring = "function" if kind in SUBSCRIBABLE_KINDS and draw(st.booleans()) else "source"
    link = draw(_checked(links, LINK_KINDS, "cross_unit_links"))
    writer, provider = (function_unit, unit) if wiring == "function" else (unit, function_unit)
    link = usable_link(link, writer, provider)
    if wiring == "function" and kind == "table" and link == "name_reference":
        link = "imports"  # a table's stream ARN carries a label nobody can write down
    # the function's unit writes the permission, naming the source the same way: only where it can
    permission = permission and wiring == "source" and usable_link(link, function_unit, unit) == link
    return TopologyTrigger(name, kind, unit.name, function.name, domain, wiring, link, permission)
