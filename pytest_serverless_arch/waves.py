"""Deploy waves of a dependency graph of unit names, without importing networkx.

A graph here is a mapping ``node -> nodes that must come after it`` (an edge
``provider -> consumer``). :func:`generations` gives the waves of a graph
without cycles (networkx's ``topological_generations``: a node sits one wave
after the latest of its providers); :func:`condensed_waves` gives every node a
wave even when some depend on each other in a cycle (the members of a cycle
share one wave, as in networkx's ``condensation``). Both are linear in the
nodes and edges; the only networkx algorithm the package still needs is
listing the elementary cycles themselves (``DeploymentGraph.unit_cycles``).

>>> generations({"net": ["db", "api"], "db": ["api"], "api": []})
[['net'], ['db'], ['api']]
>>> generations({"a": ["b"], "b": ["a"]}) is None
True
>>> condensed_waves({"net": ["a"], "a": ["b"], "b": ["a", "web"], "web": []})
{'net': 0, 'a': 1, 'b': 1, 'web': 2}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["condensed_waves", "generations", "strongly_connected"]


def _closed(after: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Every node, also one only named as a successor, with its successors once each (first mention first)."""
    graph: dict[str, list[str]] = {node: [] for node in after}
    for node, successors in after.items():
        graph[node] = list(dict.fromkeys(successors))
        for successor in graph[node]:
            graph.setdefault(successor, [])
    return graph


def generations(after: Mapping[str, Iterable[str]]) -> list[list[str]] | None:
    """The waves of ``after`` (each sorted), or None when its nodes depend on each other in a cycle.

    >>> generations({"b": [], "a": [], "c": ["a"]})
    [['b', 'c'], ['a']]
    """
    graph = _closed(after)
    waiting = dict.fromkeys(graph, 0)  # how many providers each node still waits for
    for successors in graph.values():
        for successor in successors:
            waiting[successor] += 1
    wave = [node for node, count in waiting.items() if count == 0]
    waves = []
    placed = 0
    while wave:
        waves.append(sorted(wave))
        placed += len(wave)
        following = []
        for node in wave:
            for successor in graph[node]:
                waiting[successor] -= 1
                if waiting[successor] == 0:
                    following.append(successor)
        wave = following
    return waves if placed == len(graph) else None


def strongly_connected(after: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components of ``after`` (Tarjan's algorithm, iterative: no recursion limit).

    >>> sorted(sorted(component) for component in strongly_connected({"a": ["b"], "b": ["a", "c"], "c": []}))
    [['a', 'b'], ['c']]
    """
    graph = _closed(after)
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        index[start] = lowest[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        work = [(start, iter(graph[start]))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = lowest[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph[successor])))
                    break
                if successor in on_stack:
                    lowest[node] = min(lowest[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowest[parent] = min(lowest[parent], lowest[node])
                if lowest[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def condensed_waves(after: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Node -> wave (0 first), the members of a cycle sharing the wave of their cycle.

    >>> condensed_waves({"a": ["b"], "b": ["a"]})
    {'a': 0, 'b': 0}
    """
    graph = _closed(after)
    component_of: dict[str, int] = {}
    for number, component in enumerate(strongly_connected(graph)):
        for member in component:
            component_of[member] = number
    between: dict[str, set[str]] = {}
    for node, successors in graph.items():
        mine = component_of[node]
        between.setdefault(str(mine), set()).update(
            str(component_of[successor]) for successor in successors if component_of[successor] != mine
        )
    waves = generations(between)
    assert waves is not None  # components of the condensation never form a cycle
    wave_of = {component: number for number, wave in enumerate(waves) for component in wave}
    return {node: wave_of[str(component_of[node])] for node in graph}
