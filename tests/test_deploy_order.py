"""Deploy order: waves of units from every cross-unit link; None and the cycle when there is one.

The property tests build units in memory (an export per unit, imports drawn
at random) and link them, so they check the linker and the graph together.
"""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.link import build_graph
from pytest_serverless_arch.model import Edge, Export, ForeignRef, LoadedUnit, Location, Resource


def make_units(count: int, imports: list[tuple[int, int]]) -> list[LoadedUnit]:
    """Unit ``u<i>`` exports ``u<i>-QueueArn``; each (a, b) makes u<a>'s function import u<b>'s queue."""
    units = []
    for index in range(count):
        name = f"u{index}"
        path = f"{name}/template.yaml"
        unit = LoadedUnit(name=name, format="cloudformation", path=path)
        unit.resources = [
            Resource(name, "Queue", "AWS::SQS::Queue", "queue", Location(path, 2)),
            Resource(name, "Function", "AWS::Lambda::Function", "function", Location(path, 4)),
        ]
        unit.exports = [Export("QueueArn", f"{name}-QueueArn", "Queue", Location(path, 8))]
        units.append(unit)
    for line, (consumer, provider) in enumerate(imports, start=10):
        unit = units[consumer]
        unit.edges.append(
            Edge(
                "accesses", "Function", ForeignRef("import", f"u{provider}-QueueArn", "queue"), Location(unit.path, line), "write"
            )
        )
    return units


def dependencies(imports: list[tuple[int, int]]) -> nx.DiGraph:
    """The reference answer: provider -> consumer for every import between two different units."""
    graph = nx.DiGraph()
    graph.add_edges_from((f"u{provider}", f"u{consumer}") for consumer, provider in imports if consumer != provider)
    return graph


@st.composite
def repositories(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    count = draw(st.integers(min_value=1, max_value=8))
    index = st.integers(min_value=0, max_value=count - 1)
    return count, draw(st.lists(st.tuples(index, index), max_size=14))


@settings(max_examples=60, deadline=None)
@given(repositories())
def test_waves_put_every_unit_after_all_it_imports_from(repository):
    count, imports = repository
    graph = build_graph(make_units(count, imports), root=".", config=LoadConfig())
    order = graph.deploy_order()
    reference = dependencies(imports)
    if not nx.is_directed_acyclic_graph(reference):
        assert order is None
        assert graph.unit_cycles()
        return
    assert order is not None
    wave_of = {unit: number for number, wave in enumerate(order) for unit in wave}
    assert sorted(wave_of) == sorted(f"u{index}" for index in range(count))
    for provider, consumer in reference.edges:
        assert wave_of[provider] < wave_of[consumer]
    for unit, number in wave_of.items():  # waves are as early as they can be
        if number:
            assert any(wave_of[provider] == number - 1 for provider in reference.predecessors(unit))


@settings(max_examples=60, deadline=None)
@given(repositories())
def test_every_named_cycle_is_a_real_cycle_of_imports(repository):
    count, imports = repository
    graph = build_graph(make_units(count, imports), root=".", config=LoadConfig())
    reference = dependencies(imports)
    for cycle in graph.unit_cycles():
        assert cycle[0] == min(cycle)
        for provider, consumer in zip(cycle, cycle[1:] + cycle[:1], strict=True):  # providers come before consumers
            assert reference.has_edge(provider, consumer)


def test_a_three_unit_cycle_is_named_from_its_smallest_unit_providers_first():
    # u0 needs u1, u1 needs u2, u2 needs u0; u3 only needs u0 and is in no cycle
    graph = build_graph(make_units(4, [(0, 1), (1, 2), (2, 0), (3, 0)]), root=".", config=LoadConfig())
    assert graph.deploy_order() is None
    assert graph.unit_cycles() == [["u0", "u2", "u1"]]


def test_independent_units_deploy_in_one_wave_and_a_chain_in_one_wave_each():
    graph = build_graph(make_units(3, []), root=".", config=LoadConfig())
    assert graph.deploy_order() == [["u0", "u1", "u2"]]
    graph = build_graph(make_units(3, [(0, 1), (1, 2)]), root=".", config=LoadConfig())
    assert graph.deploy_order() == [["u2"], ["u1"], ["u0"]]


def test_a_unit_importing_its_own_export_does_not_depend_on_itself():
    graph = build_graph(make_units(1, [(0, 0)]), root=".", config=LoadConfig())
    assert graph.cross_unit_links() == []
    assert graph.deploy_order() == [["u0"]]
