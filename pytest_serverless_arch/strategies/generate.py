"""Hypothesis strategies that draw abstract topologies and their pieces.

Style (hypothesis' own guide): plural names, keyword-only options, options
that are strategies, invalid arguments reported when a value is drawn. Every
count comes from ``st.lists`` and every rare case (a function of a stray
domain, a cross-unit trigger, a placeholder) sits behind ``st.booleans()``,
so a failing example shrinks toward one unit, one function, nothing unusual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .topology import (
    FORMATS,
    LINK_KINDS,
    PATTERNS,
    SUBSCRIBABLE_KINDS,
    SYNTAXES,
    TRIGGER_KINDS,
    UNTAGGED_SOURCE_KINDS,
    Access,
    Function,
    Store,
    Topology,
    Trigger,
    Unit,
    Wiring,
)

__all__ = ["DEFAULT_DOMAINS", "functions", "topologies", "triggers", "units"]

DEFAULT_DOMAINS: tuple[str, ...] = ("orders", "billing", "shipping")
_PREFIX = {"queue": "Queue", "topic": "Topic", "bucket": "Bucket", "table": "Table", "stream": "Stream",
           "api": "Api", "event_rule": "Rule", "schedule": "Schedule"}
_TRIGGER_LINKS = ("imports", "name_reference")  # how one unit names another's source or function

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
        raise InvalidArgument(f"{name}={value!r} must be a hypothesis strategy"
                              + (" or None" if optional else "") + f", not {type(value).__name__}")


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
def units(draw: Callable[..., Any], *, names: SearchStrategy[str] | None = None,
          formats: SearchStrategy[str] = ANY_FORMAT,
          syntaxes: SearchStrategy[str] = ANY_SYNTAX) -> Unit:
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
    return Unit(name, unit_format, syntax)


@st.composite
def functions(draw: Callable[..., Any], *, units: SearchStrategy[str],
              names: SearchStrategy[str] = _FUNCTION_NAMES,
              domains: SearchStrategy[str] | None = ANY_DOMAIN,
              placeholders: SearchStrategy[bool] = _NEVER) -> Function:
    """A function in one of ``units`` (unit names), of one of ``domains`` (None: no domain).

    Draw several with ``st.lists(functions(...), unique_by=lambda f: f.name)``.
    """
    _check_strategy("units", units)
    _check_strategy("names", names)
    _check_strategy("domains", domains, optional=True)
    _check_strategy("placeholders", placeholders)
    return Function(draw(names), draw(units), draw(domains) if domains is not None else None,
                    draw(placeholders))


@st.composite
def triggers(draw: Callable[..., Any], *, functions: SearchStrategy[str], units: SearchStrategy[str],
             kinds: SearchStrategy[str] = ANY_TRIGGER_KIND,
             names: SearchStrategy[str] | None = None,
             domains: SearchStrategy[str] | None = ANY_DOMAIN) -> Trigger:
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
    link = draw(st.sampled_from(_TRIGGER_LINKS))
    if wiring == "function" and kind == "table":
        link = "imports"  # a table's stream ARN carries a label nobody can write down
    return Trigger(name, kind, draw(units), draw(functions), draw(domains) if domains is not None else None,
                   wiring, link)


# --- whole topologies ------------------------------------------------------------------


def topologies(*, pattern: str | None = None,
               formats: SearchStrategy[str] = ANY_FORMAT,
               syntaxes: SearchStrategy[str] = ANY_SYNTAX,
               min_units: int = 1, max_units: int = 4, max_functions: int = 6,
               domains: SearchStrategy[str] | None = ANY_DOMAIN,
               cross_unit_links: SearchStrategy[str] | None = ANY_LINK,
               trigger_kinds: SearchStrategy[str] = ANY_TRIGGER_KIND) -> SearchStrategy[Topology]:
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

    >>> from hypothesis import given
    >>> @given(topologies(pattern="monolith"))
    ... def test_one_unit(topology):
    ...     assert topology.pattern == "monolith"
    """
    return _topologies(pattern=pattern, formats=formats, syntaxes=syntaxes, min_units=min_units,
                       max_units=max_units, max_functions=max_functions, domains=domains,
                       cross_unit_links=cross_unit_links, trigger_kinds=trigger_kinds)


_MINIMA = {  # (units, functions) a pattern needs
    None: (1, 1), "monolith": (1, 1), "function-per-unit": (2, 2), "trigger-grouped": (2, 3),
    "infra-app-split": (2, 1),
}


def _validate(pattern: str | None, formats: Any, syntaxes: Any, min_units: Any, max_units: Any,
              max_functions: Any, domains: Any, cross_unit_links: Any, trigger_kinds: Any) -> None:
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
        raise InvalidArgument(f"pattern={pattern!r} needs max_units >= {need_units} and "
                              f"max_functions >= {need_functions}")
    if pattern == "infra-app-split" and cross_unit_links is None:
        raise InvalidArgument("pattern='infra-app-split' needs cross_unit_links: its triggers cross units")


@st.composite
def _topologies(draw: Callable[..., Any], *, pattern: str | None, formats: Any, syntaxes: Any, min_units: int,
                max_units: int, max_functions: int, domains: Any, cross_unit_links: Any,
                trigger_kinds: Any) -> Topology:
    _validate(pattern, formats, syntaxes, min_units, max_units, max_functions, domains, cross_unit_links,
              trigger_kinds)
    need_units, need_functions = _MINIMA[pattern]
    unit_list = _draw_units(draw, formats, syntaxes, domains, max(min_units, need_units), max_units)
    homes = [_home(unit) for unit in unit_list]
    count = len(unit_list)

    def domain_for(home: str | None) -> str | None:
        """The home domain, or, rarely, another one."""
        if domains is None:
            return None
        return draw(domains) if draw(st.booleans()) else home

    # Which unit each function lives in, per pattern.
    if pattern == "monolith":
        places = [0] * draw(st.integers(1, max_functions))
    elif pattern == "function-per-unit":
        places = list(range(min(count, max_functions)))
    elif pattern == "trigger-grouped":
        grouped = draw(st.integers(2, max(2, min(max_functions - 1, 3))))
        places = [0] * grouped + draw(st.lists(st.integers(1, count - 1), min_size=1,
                                               max_size=max_functions - grouped))
    elif pattern == "infra-app-split":
        places = draw(st.lists(st.integers(1, count - 1), min_size=1, max_size=max_functions))
    else:
        places = draw(st.lists(st.integers(0, count - 1), min_size=need_functions, max_size=max_functions))

    function_list = []
    for index, place in enumerate(places):
        unit = unit_list[place]
        placeholder = (pattern is None and unit.format != "serverless"
                       and draw(st.booleans()) and draw(st.booleans()))
        function_list.append(Function(f"Fn{index}", unit.name, domain_for(homes[place]), placeholder))
    if pattern == "infra-app-split" and unit_list[0].format != "serverless" and draw(st.booleans()):
        # the infra unit also holds an empty function another pipeline ships code into
        function_list.append(Function(f"Fn{len(function_list)}", unit_list[0].name,
                                      domain_for(homes[0]), placeholder=True))

    # Triggers: each function gets a list of them; the source's unit depends on the pattern.
    trigger_list: list[Trigger] = []
    counter = 0
    for function in function_list:
        function_place = next(i for i, u in enumerate(unit_list) if u.name == function.unit)
        in_infra_unit = pattern == "infra-app-split" and function.unit == unit_list[0].name
        minimum = 1 if pattern == "infra-app-split" and not in_infra_unit else 0
        kinds = [] if in_infra_unit else draw(st.lists(_checked(trigger_kinds, TRIGGER_KINDS, "trigger_kinds"),
                                                       min_size=minimum, max_size=2))
        for kind in kinds:
            place = function_place
            if pattern == "infra-app-split":
                place = 0
            elif pattern is None and count > 1 and cross_unit_links is not None and draw(st.booleans()):
                other = draw(st.integers(0, count - 2))  # any unit but the function's
                place = other if other < function_place else other + 1
            trigger = _trigger(draw, kind, counter, unit_list[place], function, domain_for(homes[place]),
                               crossing=place != function_place, links=cross_unit_links,
                               function_unit=unit_list[function_place])
            trigger_list.append(trigger)
            counter += 1

    # Stores and the functions that access them.
    store_specs = draw(st.lists(st.tuples(st.sampled_from(("table", "bucket", "stream")),
                                          st.integers(0, count - 1)), max_size=2))
    store_list = [Store(f"{_PREFIX[kind]}{counter + i}", kind, unit_list[place].name, domain_for(homes[place]))
                  for i, (kind, place) in enumerate(store_specs)]
    counter += len(store_list)
    # Every unit holds something: an empty template is not a unit anyone deploys.
    for place, unit in enumerate(unit_list):
        held = {f.unit for f in function_list} | {t.unit for t in trigger_list} | {s.unit for s in store_list}
        if unit.name not in held:
            store_list.append(Store(f"Table{counter}", "table", unit.name, homes[place]))
            counter += 1
    access_list: list[Access] = []
    if store_list:
        pairs = draw(st.lists(st.tuples(st.integers(0, len(function_list) - 1),
                                        st.integers(0, len(store_list) - 1)), max_size=3, unique=True))
        for function_index, store_index in pairs:
            function, store = function_list[function_index], store_list[store_index]
            if function.unit == store.unit:
                access_list.append(Access(function.name, store.name, "reference"))
            elif cross_unit_links is not None:
                link = draw(_checked(cross_unit_links, LINK_KINDS, "cross_unit_links"))
                reader = next(unit for unit in unit_list if unit.name == function.unit)
                provider = next(unit for unit in unit_list if unit.name == store.unit)
                access_list.append(Access(function.name, store.name, usable_link(link, reader, provider)))
    topology = Topology(tuple(unit_list), tuple(function_list), tuple(trigger_list), tuple(store_list),
                        tuple(access_list))
    if pattern is not None and topology.pattern != pattern:  # pragma: no cover - a bug in this module
        raise AssertionError(f"drew a {topology.pattern} topology for pattern={pattern!r}:\n"
                             + topology.describe())
    return topology


def _draw_units(draw: Callable[..., Any], formats: Any, syntaxes: Any, domains: Any,
                min_units: int, max_units: int) -> list[Unit]:
    specs = draw(st.lists(st.tuples(_checked(formats, FORMATS, "formats"), _checked(syntaxes, SYNTAXES, "syntaxes"),
                                    domains if domains is not None else st.none()),
                          min_size=min_units, max_size=max_units))
    result = []
    for index, (unit_format, syntax, domain) in enumerate(specs):
        base = f"{domain or 'app'}-{index}"
        result.append(Unit(f"{base}-dev" if unit_format == "serverless" else base, unit_format, syntax))
    return result


def _home(unit: Unit) -> str | None:
    base = unit.service.rsplit("-", 1)[0]
    return None if base == "app" else base


def usable_link(link: str, writer: Unit, provider: Unit) -> str:
    """``link`` if ``writer`` can name ``provider``'s resource that way, else ``imports``.

    ``stack_output`` (``${cf:stack.Output}``) is written in serverless.yml only;
    ``compose_param`` joins two serverless services of one compose file.
    """
    if link == "stack_output" and writer.format != "serverless":
        return "imports"
    if link == "compose_param" and not writer.format == provider.format == "serverless":
        return "imports"
    return link


def _trigger(draw: Callable[..., Any], kind: str, index: int, unit: Unit, function: Function,
             domain: str | None, *, crossing: bool, links: Any, function_unit: Unit) -> Trigger:
    name = f"{_PREFIX[kind]}{index}"
    if kind in UNTAGGED_SOURCE_KINDS:
        domain = None  # an event rule has no Tags
    if not crossing:
        return Trigger(name, kind, unit.name, function.name, domain)
    wiring: Wiring = "function" if kind in SUBSCRIBABLE_KINDS and draw(st.booleans()) else "source"
    link = draw(_checked(links, LINK_KINDS, "cross_unit_links"))
    writer, provider = (function_unit, unit) if wiring == "function" else (unit, function_unit)
    link = usable_link(link, writer, provider)
    if link == "ssm_parameter" or (wiring == "function" and kind == "table" and link == "name_reference"):
        # SSM is drawn for store accesses; a table's stream ARN has a label nobody writes down
        link = "imports"
    return Trigger(name, kind, unit.name, function.name, domain, wiring, link)
