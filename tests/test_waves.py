"""Deploy waves without networkx (waves.py): the same answers as networkx's algorithms, which it replaced."""

from __future__ import annotations

import subprocess
import sys

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless_arch.waves import condensed_waves, generations, strongly_connected

from .helpers import REPO


@st.composite
def dependency_graphs(draw: st.DrawFn) -> dict[str, list[str]]:
    """Up to 9 nodes ``n0..``, each with a list of successors drawn among them (self loops and repeats allowed)."""
    count = draw(st.integers(min_value=0, max_value=9))
    names = [f"n{index}" for index in range(count)]
    if not names:
        return {}
    return {name: draw(st.lists(st.sampled_from(names), max_size=4)) for name in names}


def _networkx(after: dict[str, list[str]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(after)
    graph.add_edges_from((node, successor) for node, successors in after.items() for successor in successors)
    return graph


@settings(max_examples=80, deadline=None)
@given(dependency_graphs())
def test_generations_are_networkx_topological_generations_or_none_for_a_cycle(after):
    reference = _networkx(after)
    if nx.is_directed_acyclic_graph(reference):
        assert generations(after) == [sorted(wave) for wave in nx.topological_generations(reference)]
    else:
        assert generations(after) is None


@settings(max_examples=80, deadline=None)
@given(dependency_graphs())
def test_strongly_connected_components_are_networkx_ones(after):
    found = sorted(sorted(component) for component in strongly_connected(after))
    assert found == sorted(sorted(component) for component in nx.strongly_connected_components(_networkx(after)))


@settings(max_examples=80, deadline=None)
@given(dependency_graphs())
def test_condensed_waves_are_the_waves_of_networkx_condensation(after):
    reference = _networkx(after)
    condensed = nx.condensation(reference)
    expected = {
        name: number
        for number, wave in enumerate(nx.topological_generations(condensed))
        for component in wave
        for name in condensed.nodes[component]["members"]
    }
    assert condensed_waves(after) == expected


def test_a_node_named_only_as_a_successor_gets_a_wave():
    assert generations({"net": ["app"]}) == [["net"], ["app"]]
    assert condensed_waves({"net": ["app"]}) == {"net": 0, "app": 1}


def test_a_cycle_and_what_needs_it_share_nothing_but_the_order():
    # a and b need each other; web needs b; net is needed by a
    after = {"net": ["a"], "a": ["b"], "b": ["a", "web"], "web": []}
    assert generations(after) is None
    assert condensed_waves(after) == {"net": 0, "a": 1, "b": 1, "web": 2}


def test_a_long_chain_needs_no_recursion():
    after = {f"n{index}": [f"n{index + 1}"] for index in range(5000)}
    assert len(strongly_connected(after)) == 5001
    assert condensed_waves(after)["n5000"] == 5000


def test_a_report_without_unit_cycles_never_imports_networkx():
    code = (
        "import sys\n"
        "from pytest_serverless_arch import load\n"
        "from pytest_serverless_arch.report import build_document, render\n"
        "graph = load('sample_repos/infra-app-split-ticketing')\n"
        "assert graph.deploy_order() and graph.unit_cycles() == []\n"
        "render(build_document(graph), 'html')\n"
        "print('networkx' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert done.stdout.strip() == "False"
