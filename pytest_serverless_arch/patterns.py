"""Classify how a repository is cut into deployment units (DESIGN.md section 1).

Only units that hold functions or trigger sources take part; triggers whose
source is outside the repository are not counted. The verdicts are tried in
this order, the first that holds wins:

1. ``monolith``: one unit holds every function and every trigger;
2. ``infra-app-split``: some unit holds triggers for functions in other units
   (or placeholder functions, whose code another pipeline ships), and at least
   half of all trigger edges cross units;
3. ``function-per-unit``: at least two units hold functions, each exactly one;
4. ``trigger-grouped``: the trigger edges stay inside their unit, all but a
   share of at most ``tolerance`` (:data:`DEFAULT_TOLERANCE`, 10%), each of
   which the verdict names with its ``file:line`` as an exception;
5. ``mixed``: no pattern dominates.

A trigger edge into a placeholder function counts as crossing units even when
the function is defined beside its trigger: its code, the other half of the
event contract, ships from another unit.

>>> from pytest_serverless_arch import load
>>> verdict = classify_pattern(load("sample_repos/monolith-online-shop"))  # doctest: +SKIP
>>> verdict.repo  # doctest: +SKIP
'monolith'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .levels import at_unit_level
from .model import Location
from .selection import whole_graph
from .view import GraphView

__all__ = ["DEFAULT_TOLERANCE", "PATTERNS", "PatternException", "PatternVerdict", "UnitPattern", "classify_pattern"]

PATTERNS = ("monolith", "infra-app-split", "function-per-unit", "trigger-grouped", "mixed")
"""Every verdict ``classify_pattern`` can give, in the order they are tried."""

DEFAULT_TOLERANCE = 0.1
"""The share of trigger edges that may cross units in a repository still called ``trigger-grouped``.

The boundaries are not a hard and fast rule: one AppSync resolver calling into
another stack does not make 23 well-grouped triggers ``mixed``. Below one half,
so that a ``trigger-grouped`` verdict always means most triggers stay home.
"""


@dataclass(frozen=True)
class PatternException:
    """A trigger edge that does not follow the repository's pattern (it crosses units)."""

    source: str
    function: str
    location: Location

    def __str__(self) -> str:
        return f"{self.source} -> {self.function} at {self.location}"


@dataclass(frozen=True)
class UnitPattern:
    """One unit's part in the verdict.

    ``pattern`` is the unit's role: ``monolith``; ``infra`` (holds triggers for
    functions elsewhere, or placeholder functions); ``app`` (its functions are
    triggered from other units); ``function-per-unit`` (one function, its
    triggers inside); ``trigger-grouped`` (several functions, their triggers inside).
    """

    unit: str
    pattern: str
    functions: int
    triggers_inside: int  # trigger edges with source and function in this unit
    triggers_out: int  # sources here, functions in other units
    triggers_in: int  # functions here, sources in other units
    placeholders: int  # functions here whose code comes from outside the unit

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "functions": self.functions,
            "triggers_inside": self.triggers_inside,
            "triggers_out": self.triggers_out,
            "triggers_in": self.triggers_in,
            "placeholders": self.placeholders,
        }


@dataclass(frozen=True)
class PatternVerdict:
    """The repository's pattern, every unit's part in it, and why."""

    repo: str
    units: Mapping[str, UnitPattern]
    reason: str
    functions: int = 0
    triggers: int = 0
    cross_unit_triggers: int = 0
    exceptions: tuple[PatternException, ...] = ()
    tolerance: float = DEFAULT_TOLERANCE

    def __post_init__(self) -> None:
        object.__setattr__(self, "units", MappingProxyType(dict(self.units)))

    def __hash__(self) -> int:
        return hash((self.repo, tuple(self.units.items()), self.reason))

    def to_dict(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "units": {name: unit.to_dict() for name, unit in self.units.items()},
            "reason": self.reason,
            "exceptions": [
                {"source": each.source, "function": each.function, "location": str(each.location)} for each in self.exceptions
            ],
            "tolerance": self.tolerance,
        }

    def __str__(self) -> str:
        return f"{self.repo}: {self.reason}"


@dataclass
class _Tally:
    functions: int = 0
    inside: int = 0
    out: int = 0
    into: int = 0
    placeholders: int = 0
    out_functions: set[str] | None = None


def classify_pattern(graph: GraphView, *, tolerance: float = DEFAULT_TOLERANCE) -> PatternVerdict:
    """The deployment pattern of ``graph`` (a whole graph or a ``graph.where(...)`` view).

    A whole graph is classified at its unit level: stacks, or what each pipeline deploys.
    ``tolerance`` is the share of trigger edges (0 to below 0.5) that may cross
    units in a ``trigger-grouped`` repository; see :data:`DEFAULT_TOLERANCE`.
    """
    tolerance = check_tolerance(tolerance)
    graph = at_unit_level(graph)
    selected = {unit.name for unit in graph.units()}
    tallies: dict[str, _Tally] = {}

    def tally(unit: str) -> _Tally:
        return tallies.setdefault(unit, _Tally(out_functions=set()))

    functions = [function for function in graph.functions() if function.unit in selected]
    for function in functions:
        tally(function.unit).functions += 1
        if function.code_source:
            tally(function.unit).placeholders += 1
    placeholders = {function.id for function in functions if function.code_source}
    function_ids = {function.id for function in whole_graph(graph).functions()}
    triggers = 0
    crossing = 0
    outside = 0
    exceptions: list[PatternException] = []
    for trigger in graph.trigger_edges():
        source_unit = graph.unit_of(trigger.source)
        function_unit = graph.unit_of(trigger.function)
        if source_unit is None or function_unit is None or trigger.function not in function_ids:
            # a source outside the repository belongs to no unit; only functions are invoked
            outside += source_unit in selected or function_unit in selected
            continue
        triggers += 1
        if source_unit == function_unit and trigger.function not in placeholders:
            if source_unit in selected:
                tally(source_unit).inside += 1
            continue
        # A placeholder's code ships from another pipeline: its trigger crosses units in all but name.
        crossing += 1
        exceptions.append(PatternException(trigger.source, trigger.function, trigger.location))
        if source_unit == function_unit:
            continue
        if source_unit in selected:
            tally(source_unit).out += 1
            out_functions = tally(source_unit).out_functions
            assert out_functions is not None
            out_functions.add(trigger.function)
        if function_unit in selected:
            tally(function_unit).into += 1
    repo, reason = _verdict(tallies, len(functions), triggers, exceptions, tolerance)
    if outside:
        # say so, or the report's trigger count and the verdict's disagree
        reason += f"; {_plural(outside, 'trigger edge')} with one end outside the repository not counted"
    units = {name: _unit_pattern(name, tallies[name], repo) for name in sorted(tallies)}
    shown = tuple(exceptions) if repo == "trigger-grouped" else ()
    return PatternVerdict(repo, units, reason, len(functions), triggers, crossing, shown, tolerance)


def check_tolerance(tolerance: Any) -> float:
    """``tolerance`` as a float from 0 to below 0.5, or a :class:`ValueError` saying what is wrong.

    >>> check_tolerance("0.05")
    0.05
    """
    try:
        value = float(tolerance)
    except (TypeError, ValueError):
        raise ValueError(f"pattern tolerance must be a number from 0 to below 0.5, not {tolerance!r}") from None
    if not 0 <= value < 0.5:
        raise ValueError(f"pattern tolerance must be from 0 to below 0.5 (a share of trigger edges), not {value}")
    return value


def _unit_pattern(name: str, tally: _Tally, repo: str) -> UnitPattern:
    if repo == "monolith":
        pattern = "monolith"
    elif tally.out or tally.placeholders:
        pattern = "infra"
    elif tally.into:
        pattern = "app"
    elif tally.functions == 1:
        pattern = "function-per-unit"
    else:
        pattern = "trigger-grouped"
    return UnitPattern(name, pattern, tally.functions, tally.inside, tally.out, tally.into, tally.placeholders)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _every(count: int, word: str) -> str:
    """``all 5 functions``, ``the 1 function``, ``no functions``."""
    if count == 0:
        return f"no {word}s"
    return f"the 1 {word}" if count == 1 else f"all {count} {word}s"


def _share(part: int, whole: int) -> str:
    return f"{part} of {_plural(whole, 'trigger edge')}" + (f" ({100 * part / whole:.0f}%)" if whole else "")


def _verdict(
    tallies: dict[str, _Tally], functions: int, triggers: int, exceptions: list[PatternException], tolerance: float
) -> tuple[str, str]:
    crossing = len(exceptions)
    if not tallies:
        return "mixed", "no unit holds a function or a trigger, so there is no cut to classify"
    if len(tallies) == 1:
        ((name, _),) = tallies.items()
        return "monolith", f"unit {name} holds {_every(functions, 'function')} and {_every(triggers, 'trigger edge')}"
    why_not = [f"not monolith: {len(tallies)} units hold functions or triggers"]

    infra = sorted(name for name, tally in tallies.items() if tally.out or tally.placeholders)
    half = 2 * crossing >= triggers
    if infra and half:
        served = sum(len(tallies[name].out_functions or ()) for name in infra)
        placeholders = sum(tallies[name].placeholders for name in infra)
        held = []
        if served:
            held.append(f"triggers for {_plural(served, 'function')} in other units")
        if placeholders:
            held.append(_plural(placeholders, "placeholder function"))
        return "infra-app-split", (
            f"unit{'s' if len(infra) > 1 else ''} {', '.join(infra)} "
            f"hold{'' if len(infra) > 1 else 's'} {' and '.join(held)}; "
            f"{_share(crossing, triggers)} cross units, at least half"
        )
    if not infra:
        why_not.append("not infra-app-split: no unit holds triggers for functions in other units or placeholder functions")
    else:
        why_not.append(f"not infra-app-split: only {_share(crossing, triggers)} cross units, fewer than half")

    with_functions = {name: tally.functions for name, tally in tallies.items() if tally.functions}
    if len(with_functions) >= 2 and all(count == 1 for count in with_functions.values()):
        return "function-per-unit", (
            f"each of the {len(with_functions)} units holding functions holds exactly one; "
            f"{_share(crossing, triggers)} cross units"
        )
    if len(with_functions) < 2:
        why_not.append(f"not function-per-unit: only {len(with_functions)} unit holds functions")
    else:
        busiest = max(sorted(with_functions), key=lambda name: with_functions[name])
        why_not.append(f"not function-per-unit: unit {busiest} holds {with_functions[busiest]} functions")

    if crossing == 0:
        largest = max(sorted(with_functions), key=lambda name: with_functions[name]) if with_functions else None
        figures = f"; unit {largest} holds the most, {with_functions[largest]}" if largest else ""
        stay = "stays inside its unit" if triggers == 1 else "stay inside their unit"
        return "trigger-grouped", (
            f"{_every(triggers, 'trigger edge')} {stay}; "
            f"{len(with_functions)} units hold {_plural(functions, 'function')}{figures}"
        )
    if crossing <= tolerance * triggers:
        listed = "; ".join(str(each) for each in sorted(exceptions, key=lambda each: each.location))
        return "trigger-grouped", (
            f"{_share(triggers - crossing, triggers)} stay inside their unit, within the "
            f"{100 * tolerance:.0f}% tolerance; {_plural(crossing, 'exception')}: {listed}"
        )
    why_not.append(
        f"not trigger-grouped: {_share(crossing, triggers)} cross units, more than the {100 * tolerance:.0f}% tolerance"
    )
    return "mixed", "; ".join(why_not)
