"""``max-cross-unit-links`` and the coupling figures of every unit.

What crosses unit borders should be few, weak, explicit links. Per unit:

- *afferent coupling* (Ca): how many other units depend on it;
- *efferent coupling* (Ce): how many other units it depends on;
- *instability*: Ce / (Ca + Ce), 0.0 for a unit with no dependencies either way
  (0 = everyone leans on it, 1 = it leans on everyone);
- its cross-unit links in and out (distinct link kind, source and target).

Dependencies are the graph's :meth:`~pytest_serverless_arch.graph.DeploymentGraph.unit_dependencies`
(every cross-unit link); links to external nodes do not count.

>>> from pytest_serverless_arch import load
>>> from pytest_serverless_arch.rules import unit_coupling
>>> unit_coupling(load("sample_repos/monolith-online-shop"))["online-shop"].instability  # doctest: +SKIP
0.0
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..graph import Link
from ..selection import scope_of, whole_graph
from ..view import GraphView
from .base import RuleError, Violation, rule

__all__ = ["Coupling", "max_cross_unit_links", "unit_coupling"]

RULE_ID = "max-cross-unit-links"
DEFAULT_LIMIT = 10
_DIRECTIONS = ("both", "in", "out")


@dataclass(frozen=True)
class Coupling:
    """One unit's coupling figures."""

    unit: str
    afferent: int  # units that depend on this one
    efferent: int  # units this one depends on
    links_in: int  # distinct cross-unit links from other units to this one
    links_out: int  # distinct cross-unit links from this one to other units

    @property
    def instability(self) -> float:
        """Ce / (Ca + Ce); 0.0 when the unit depends on nothing and nothing depends on it."""
        total = self.afferent + self.efferent
        return self.efferent / total if total else 0.0

    @property
    def links(self) -> int:
        return self.links_in + self.links_out

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "afferent": self.afferent,
            "efferent": self.efferent,
            "instability": round(self.instability, 3),
            "links_in": self.links_in,
            "links_out": self.links_out,
        }


def unit_coupling(graph: GraphView) -> dict[str, Coupling]:
    """The coupling figures of every (selected) unit, by unit name."""
    whole = whole_graph(graph)
    depends_on: dict[str, set[str]] = {}
    depended_on_by: dict[str, set[str]] = {}
    for dependency in whole.unit_dependencies():
        depends_on.setdefault(dependency.unit, set()).add(dependency.depends_on)
        depended_on_by.setdefault(dependency.depends_on, set()).add(dependency.unit)
    links_out: dict[str, set[tuple[str, str, str]]] = {}
    links_in: dict[str, set[tuple[str, str, str]]] = {}
    for link in _between_units(whole.cross_unit_links()):
        key = (link.kind, link.from_unit, link.target)  # one fact, however many resources use it
        links_out.setdefault(link.from_unit, set()).add(key)
        links_in.setdefault(str(link.to_unit), set()).add(key)
    return {
        unit.name: Coupling(
            unit.name,
            len(depended_on_by.get(unit.name, ())),
            len(depends_on.get(unit.name, ())),
            len(links_in.get(unit.name, ())),
            len(links_out.get(unit.name, ())),
        )
        for unit in scope_of(graph).units()
    }


def _between_units(links: list[Link]) -> list[Link]:
    return [link for link in links if link.to_unit is not None and link.to_unit != link.from_unit]


@rule(
    RULE_ID,
    description="no unit has more cross-unit links than the limit",
    reason="Every cross-unit link is a deploy-order constraint between two pipelines; units with many of "
    "them cannot be released on their own.",
    builtin=True,
    unit_level=True,
    reads="neighbourhood",
)
def max_cross_unit_links(graph: GraphView, *, limit: int = DEFAULT_LIMIT, direction: str = "both") -> list[Violation]:
    """No unit has more than ``limit`` cross-unit links (``direction``: ``both``, ``in`` or ``out``)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise RuleError(f"{RULE_ID}: limit must be a whole number >= 0, not {limit!r}")
    if direction not in _DIRECTIONS:
        raise RuleError(f"{RULE_ID}: direction must be one of {', '.join(_DIRECTIONS)}, not {direction!r}")
    violations = []
    for name, coupling in unit_coupling(graph).items():
        count = {"both": coupling.links, "in": coupling.links_in, "out": coupling.links_out}[direction]
        if count <= limit:
            continue
        counted = {"both": "cross-unit links", "in": "incoming cross-unit links", "out": "outgoing cross-unit links"}[direction]
        violations.append(
            Violation.of(
                RULE_ID,
                f"unit {name} has {count} {counted}, more than the limit of {limit} "
                f"({coupling.links_out} out to {coupling.efferent} units, {coupling.links_in} in from "
                f"{coupling.afferent} units; instability {coupling.instability:.2f})",
                whole_graph(graph).unit(name),
            )
        )
        violations[-1] = dataclasses.replace(violations[-1], count=count)
    return violations
