"""The rule model: a rule is a plain function ``rule(graph, **options) -> iterable of Violation``.

A rule is registered under an id with a one-line description, the reason it
exists and a documentation link. It reads the graph only through its query
API (never the template format), so it works the same on a whole
:class:`~pytest_serverless_arch.graph.DeploymentGraph` and on a scoped view
(``graph.where(domain="orders")``). A view that selects nothing is a
:class:`RuleError`, not a pass, unless the rule is called with ``allow_empty=True``.

>>> from pytest_serverless_arch.rules import rule, Violation
>>> @rule("no-orphan-queues", description="every queue has a consumer")
... def no_orphan_queues(graph):
...     return []
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..levels import at_unit_level
from ..model import Edge, Location, Resource, Unit
from ..selection import ScopedGraph
from ..view import GraphView

__all__ = [
    "DOCS_URL",
    "READS",
    "Rule",
    "RuleError",
    "Violation",
    "describe",
    "get_rule",
    "location_of",
    "registered_rules",
    "check_names",
    "require_selection",
    "rule",
    "unknown_rule_message",
]

READS = ("whole", "neighbourhood")
"""What a rule's findings about a unit may depend on (``Rule.reads``)."""

DOCS_URL = "https://github.com/pytest-serverless-arch/pytest-serverless-arch/blob/main/docs/rules/{id}.md"


class RuleError(Exception):
    """A rule that cannot run as configured (unknown id, bad option, a selection that matches nothing)."""


@dataclass(frozen=True)
class Violation:
    """One finding: ``str(violation)`` is ``path:line: rule-id: message``."""

    rule: str
    message: str
    location: Location
    units: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    # A count finding's measured number (links, functions ...): the baseline stores it and ratchets on it.
    count: int | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.rule}: {self.message}"

    def identity(self, graph: Any) -> Any:
        """What identifies this finding whatever the stage: see :func:`pytest_serverless_arch.identity.finding_identity`."""
        from ..identity import finding_identity

        return finding_identity(self, graph)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "message": self.message,
            "location": str(self.location),
            "units": list(self.units),
            "resources": list(self.resources),
            **({"count": self.count} if self.count is not None else {}),
        }

    @classmethod
    def of(cls, rule_id: str, message: str, *about: Any, location: Location | None = None) -> Violation:
        """A violation about graph elements, with the location and the units/resources filled in.

        ``about`` holds resources, units, edges, triggers or links (anything with
        a ``location``), or plain resource ids; the first one with a location
        gives the violation's location unless ``location`` is passed.

        >>> from pytest_serverless_arch.model import Resource, Location
        >>> fn = Resource("orders", "Worker", "AWS::Lambda::Function", "function", Location("t.yaml", 5))
        >>> str(Violation.of("my-rule", "too busy", fn))
        't.yaml:5: my-rule: too busy'
        """
        units: list[str] = []
        resources: list[str] = []
        found: Location | None = location
        for thing in about:
            for unit, resource in _involved(thing):
                if unit and unit not in units:
                    units.append(unit)
                if resource and resource not in resources:
                    resources.append(resource)
            if found is None:
                found = location_of(thing)
        return cls(rule_id, message, found or Location("<repository>"), tuple(units), tuple(resources))


def location_of(thing: Any) -> Location | None:
    """Where a person goes to see ``thing`` (a resource, unit, edge, trigger or link)."""
    if isinstance(thing, Unit):
        return thing.location or Location(thing.path)
    location = getattr(thing, "location", None)
    return location if isinstance(location, Location) else None


def _involved(thing: Any) -> list[tuple[str | None, str | None]]:
    if isinstance(thing, Resource):
        return [(thing.unit, thing.id)]
    if isinstance(thing, Unit):
        return [(thing.name, None)]
    if isinstance(thing, str):
        if thing.startswith("unit:"):
            return [(thing[len("unit:") :], None)]
        if thing.startswith("external:"):
            return [(None, thing)]
        unit, _, _ = thing.rpartition(":")  # logical ids hold no colon; unit names might
        return [(unit, thing)]
    pairs: list[tuple[str | None, str | None]] = []
    if isinstance(thing, Edge):
        return [*_involved(str(thing.source)), *_involved(str(thing.target))]
    for unit_attr in ("from_unit", "to_unit"):  # a Link
        if getattr(thing, unit_attr, None):
            pairs.append((getattr(thing, unit_attr), None))
    for node_attr in ("source", "target", "function"):  # a Link or a Trigger
        node = getattr(thing, node_attr, None)
        if isinstance(node, str):
            pairs.extend(_involved(node))
    return pairs


RuleFunction = Callable[..., Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its id, a one-line description, the reason it exists, a docs link."""

    id: str
    function: RuleFunction = field(repr=False)
    description: str = ""
    reason: str = ""
    docs_url: str = ""
    builtin: bool = False
    allows_empty: bool = False  # the rule itself accepts a selection that matches nothing
    unit_level: bool = False  # the rule sees units at the graph's unit level (stacks or pipelines; levels.py)
    needs_domains: bool = False  # skipped (with that reason) when no resource has a domain
    # What a finding about a unit depends on: "whole" (the default: anything in the repository, so a
    # check against a git ref links the whole graph for it), or "neighbourhood" (the unit, the units
    # linked to it and theirs, and the unit-level links: see neighbourhood.py).
    reads: str = "whole"

    def __call__(self, graph: GraphView, *, allow_empty: bool = False, **options: Any) -> list[Violation]:
        """Run the rule; its findings sorted by location. Bad options and empty selections raise :class:`RuleError`."""
        require_selection(graph, self.id, allow_empty=allow_empty or self.allows_empty)
        if self.unit_level:
            graph = at_unit_level(graph)
        try:
            inspect.signature(self.function).bind(graph, **options)
        except TypeError as exc:
            raise RuleError(f"rule {self.id}: {exc}") from None
        return sorted(self.function(graph, **options), key=_violation_sort_key)


def require_selection(graph: GraphView, rule_id: str, *, allow_empty: bool = False) -> None:
    """Raise :class:`RuleError` when ``graph`` is a scoped view that selects nothing."""
    if allow_empty or not isinstance(graph, ScopedGraph) or not graph.is_empty():
        return
    whole = graph.graph
    units = [unit.name for unit in whole.units()]
    domains = sorted({r.domain for r in whole.resources() if r.domain})
    raise RuleError(
        f"{rule_id}: the selection ({graph.selection}) matches no unit and no resource "
        f"({_near(graph, units, domains)}units: {_some(units)}; domains: {_some(domains)}); "
        "pass allow_empty=True if that is expected"
    )


def _some(names: list[str], limit: int = 10) -> str:
    if not names:
        return "none"
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _near(graph: GraphView, units: list[str], domains: list[str]) -> str:
    """``did you mean ...; `` for a selected name close to an existing one (a typo, most likely)."""
    wanted = [(name, units) for selection in getattr(graph, "selections", ()) for name in selection.units]
    wanted += [(name, domains) for selection in getattr(graph, "selections", ()) for name in selection.domains]
    tags = sorted({key for r in getattr(graph, "graph", graph).resources() for key, _ in r.tags})
    wanted += [(key, tags) for selection in getattr(graph, "selections", ()) for key, _ in selection.tags]
    close = [match for name, known in wanted for match in difflib.get_close_matches(name, known, n=1)]
    return f"did you mean {', '.join(repr(name) for name in close)}? " if close else ""


def check_names(rule_id: str, option: str, given: Iterable[str], known: Iterable[str]) -> None:
    """Raise :class:`RuleError` for a name in ``given`` that is not in ``known``, with the closest one.

    The vacuity guard for options that name things (domains, kinds, patterns): a typo fails, never passes.

    >>> try:
    ...     check_names("my-rule", "kinds", ["tabel"], ["table", "queue"])
    ... except RuleError as exc:
    ...     print(exc)
    my-rule: kinds names 'tabel', which matches nothing; did you mean 'table'? (known: queue, table)
    """
    known_names = sorted(set(known))
    for name in given:
        if name not in known_names:
            close = difflib.get_close_matches(name, known_names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise RuleError(
                f"{rule_id}: {option} names {name!r}, which matches nothing{hint} (known: {_some(known_names) or 'none'})"
            )


def _violation_sort_key(violation: Violation) -> tuple[Any, ...]:
    return (violation.location, violation.rule, violation.message)


_REGISTRY: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    description: str = "",
    reason: str = "",
    docs_url: str | None = None,
    builtin: bool = False,
    allow_empty: bool = False,
    unit_level: bool = False,
    needs_domains: bool = False,
    reads: str = "whole",
) -> Callable[[RuleFunction], RuleFunction]:
    """Register ``function`` as rule ``rule_id`` (usable as a pytest item and with ``assert_rule``).

    The decorated function keeps its signature and gains the ``allow_empty``
    option and the empty-selection check, whether it is called directly or
    through :func:`get_rule`; ``allow_empty=True`` here lets the rule accept an
    empty selection always. ``unit_level=True`` hands the rule the graph at its
    unit level (``serverless_arch_unit_level``: stacks, or what each pipeline deploys).
    ``needs_domains=True`` makes the gate and the CLI
    skip the rule, with that reason, on a repository where no resource has a
    domain (instead of passing on nothing). ``reads="neighbourhood"`` says a finding
    about a unit depends only on that unit, the units linked to it and theirs, and
    the unit-level links (``--arch-changed-since`` may then link only a change's
    neighbourhood); the default ``"whole"`` makes it link the whole graph. Every
    parameter is documented in ``docs/writing-rules.md``.
    """
    if reads not in READS:
        raise RuleError(f"rule {rule_id}: reads must be one of {', '.join(READS)}, not {reads!r}")

    def register(function: RuleFunction) -> RuleFunction:
        doc = (function.__doc__ or "").strip().splitlines()
        registered = Rule(
            id=rule_id,
            function=function,
            description=description or (doc[0] if doc else rule_id),
            reason=reason,
            docs_url=docs_url if docs_url is not None else (DOCS_URL.format(id=rule_id) if builtin else ""),
            builtin=builtin,
            allows_empty=allow_empty,
            unit_level=unit_level,
            needs_domains=needs_domains,
            reads=reads,
        )
        _REGISTRY[rule_id] = registered

        @functools.wraps(function)
        def run(graph: GraphView, **options: Any) -> list[Violation]:
            return registered(graph, **options)

        run.rule_id = rule_id  # type: ignore[attr-defined]
        return run

    return register


def get_rule(rule_or_id: str | Rule | RuleFunction) -> Rule:
    """The :class:`Rule` for an id, a decorated function or a plain ``(graph) -> violations`` function."""
    if isinstance(rule_or_id, Rule):
        return rule_or_id
    if callable(rule_or_id):
        rule_id = getattr(rule_or_id, "rule_id", None)
        if rule_id is None or rule_id not in _REGISTRY:
            name = getattr(rule_or_id, "__name__", "custom-rule").replace("_", "-")
            doc = (getattr(rule_or_id, "__doc__", None) or "").strip().splitlines()
            return Rule(name, rule_or_id, description=doc[0] if doc else "")
        return _REGISTRY[rule_id]
    try:
        return _REGISTRY[rule_or_id]
    except KeyError:
        raise RuleError(f"unknown rule {rule_or_id!r}; known rules: {', '.join(sorted(_REGISTRY))}") from None


def unknown_rule_message(rule_id: str, known: Iterable[str]) -> str:
    """One line for a rule id nobody registered: the closest id, and the known ones."""
    names = sorted(known)
    close = difflib.get_close_matches(rule_id, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"serverless_arch_rules names an unknown rule {rule_id!r}{hint} (known rules: {', '.join(names) or 'none'})"


def registered_rules() -> dict[str, Rule]:
    """Every registered rule by id (built-in and custom)."""
    return dict(_REGISTRY)


def describe(graph: GraphView, node_id: str) -> str:
    """A node in words: ``queue OrdersQueue (unit infra)``, ``external topic arn:...``."""
    if node_id.startswith("unit:"):
        return f"unit {node_id[len('unit:') :]}"
    try:
        node = graph.node(node_id)
    except KeyError:
        return node_id
    if isinstance(node, Resource):
        label = node.type if node.kind == "other" else node.kind.replace("_", " ")
        return f"{label} {node.name or node.logical_id} (unit {node.unit})"
    kind = getattr(node, "kind", "other")
    label = "resource" if kind == "other" else kind.replace("_", " ")
    return f"external {label} {getattr(node, 'name', node_id)}"
