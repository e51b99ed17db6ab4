"""``no-unit-cycles``: the unit dependency graph is acyclic.

When unit A needs something unit B creates (an export, an SSM parameter, a
queue ARN) and B needs something of A, no order deploys them from scratch.
One violation per elementary cycle, naming the links that close it, at the
first of those links.
"""

from __future__ import annotations

from ..graph import Link
from ..selection import whole_graph
from ..view import GraphView
from .base import Violation, describe, rule

__all__ = ["no_unit_cycles"]

RULE_ID = "no-unit-cycles"

_SHOWN_LINKS = 2  # per pair of units; more are counted, not listed


@rule(
    RULE_ID,
    description="units do not depend on each other in a cycle",
    reason="Units that need each other's outputs cannot be deployed from scratch in any order; "
    "a fresh environment, a disaster recovery or a new region cannot be brought up.",
    builtin=True,
    unit_level=True,
    reads="neighbourhood",
)
def no_unit_cycles(graph: GraphView) -> list[Violation]:
    """The unit dependency graph (every cross-unit link) has no cycle."""
    whole = whole_graph(graph)
    needs = {(dependency.unit, dependency.depends_on): dependency.links for dependency in whole.unit_dependencies()}
    violations = []
    for cycle in graph.unit_cycles():
        # unit_cycles() lists providers before consumers; read it backwards to say who needs whom.
        chain = [cycle[0], *reversed(cycle[1:])]
        steps: list[tuple[str, str, tuple[Link, ...]]] = []
        for index, unit in enumerate(chain):
            provider = chain[(index + 1) % len(chain)]
            steps.append((unit, provider, tuple(sorted(needs[(unit, provider)], key=lambda link: link.location))))
        closing = [link for _, _, links in steps for link in links]
        path = " -> ".join([*chain, chain[0]])
        explained = "; ".join(_step(whole, unit, provider, links) for unit, provider, links in steps)
        violations.append(
            Violation.of(
                RULE_ID,
                f"units depend on each other in a cycle {path}: {explained}",
                *(whole.unit(name) for name in chain),
                *sorted({node for link in closing for node in (link.source, link.target)}),
                location=steps[0][2][0].location,
            )
        )
    return violations


def _step(graph: GraphView, unit: str, provider: str, links: tuple[Link, ...]) -> str:
    shown = ", ".join(
        f"{link.kind.replace('_', ' ')} of {describe(graph, link.target)} at {link.location}" for link in links[:_SHOWN_LINKS]
    )
    more = f" (+{len(links) - _SHOWN_LINKS} more)" if len(links) > _SHOWN_LINKS else ""
    return f"{unit} needs {provider} ({shown}{more})"
