"""Who reaches whom: the dependency chains contracts check, over the deployment graph.

A node *depends on* another when an edge of one of the chosen kinds leads
from it to the other (a function ``accesses`` a table, a queue ``triggers`` a
function, a unit's resource holds a cross-unit ``link`` to what another unit
provides). Followed transitively, a chain that enters another unit goes on
from any of that unit's resources: a unit is deployed as a whole, so it needs
whatever its resources need. A chain ends at the first node it was looking
for, and never goes on through another source node: that node's own chains
say the same thing, shorter. ``cut`` names resource kinds where chains stop
without counting (the event channels an independence contract allows).

>>> from pytest_serverless_arch.model import Edge, Location
>>> edge = Edge("accesses", "a:Fn", "b:Table", Location("a.yaml", 3))
>>> str(Chain((edge,)))
'a:Fn -[accesses]-> b:Table (a.yaml:3)'
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..model import Edge

__all__ = ["Chain", "DependencyIndex", "find_chains"]


@dataclass(frozen=True)
class Chain:
    """Edges from a start node to an end node; consecutive edges meet in a node or in a unit."""

    edges: tuple[Edge, ...]

    @property
    def start(self) -> str:
        return str(self.edges[0].source)

    @property
    def end(self) -> str:
        return str(self.edges[-1].target)

    @property
    def direct(self) -> bool:
        return len(self.edges) == 1

    def __str__(self) -> str:
        return ", then ".join(f"{edge.source} -[{edge.kind}]-> {edge.target} ({edge.location})" for edge in self.edges)


class DependencyIndex:
    """The edges of the chosen kinds, indexed by source node, and the nodes of each unit."""

    def __init__(self, graph: Any, kinds: Iterable[str]) -> None:
        self.graph = graph
        self.kinds = frozenset(kinds)
        self.out: dict[str, list[Edge]] = {}
        for edge in graph.edges():
            if edge.kind in self.kinds and edge.source != edge.target:
                self.out.setdefault(str(edge.source), []).append(edge)
        self.members: dict[str, list[str]] = {}
        for node in sorted(self.out):
            unit = self.unit_of(node)
            if unit is not None:
                self.members.setdefault(unit, []).append(node)

    def unit_of(self, node: str) -> str | None:
        if node.startswith("unit:"):
            return node[len("unit:") :]
        unit = self.graph.unit_of(node)
        return str(unit) if unit else None

    def kind_of(self, node: str) -> str | None:
        return None if node.startswith("unit:") else self.graph.node_kind(node)


def find_chains(
    index: DependencyIndex,
    sources: Iterable[str],
    targets: frozenset[str],
    *,
    transitive: bool = False,
    cut: frozenset[str] = frozenset(),
) -> list[Chain]:
    """Every direct edge from ``sources`` to ``targets``; with ``transitive``, also the shortest
    longer chain from each source node to each target node no edge joins directly.

    An edge touching a node whose kind is in ``cut`` neither counts nor is followed.
    """
    source_set = frozenset(sources)
    source_nodes = sorted(source_set)
    found: list[Chain] = []

    def allowed(edge: Edge) -> bool:
        return not cut or (index.kind_of(str(edge.source)) not in cut and index.kind_of(str(edge.target)) not in cut)

    for start in source_nodes:
        reached_directly = set()
        for edge in index.out.get(start, ()):
            if str(edge.target) in targets and allowed(edge):
                found.append(Chain((edge,)))
                reached_directly.add(str(edge.target))
        if transitive:
            found += _longer_chains(index, start, targets, source_set, reached_directly, allowed)
    return found


def _longer_chains(
    index: DependencyIndex, start: str, targets: frozenset[str], sources: frozenset[str], done: set[str], allowed: Any
) -> list[Chain]:
    """Breadth first from ``start``: the first (shortest) chain to each target not in ``done``."""
    paths: dict[str, tuple[Edge, ...]] = {start: ()}
    entered_units = {index.unit_of(start)}
    queue = deque([start])
    found: list[Chain] = []
    while queue:
        node = queue.popleft()
        path = paths[node]
        for edge in index.out.get(node, ()):
            target = str(edge.target)
            if not allowed(edge):
                continue
            if target in targets:
                if target not in done:
                    done.add(target)
                    found.append(Chain((*path, edge)))
                continue
            if target in paths or target in sources:
                continue
            paths[target] = (*path, edge)
            queue.append(target)
            unit = index.unit_of(target)
            if unit is not None and unit != index.unit_of(node) and unit not in entered_units:
                # depending on a unit means depending on what any of its resources needs
                entered_units.add(unit)
                for member in index.members.get(unit, ()):
                    if member not in paths and member not in sources:
                        paths[member] = (*path, edge)
                        queue.append(member)
    return found
