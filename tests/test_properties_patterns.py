"""The classifier returns the drawn pattern for ``topologies(pattern=p)``, and agrees with
the topology's own verdict (the classifier's definition on the abstract model) on any topology.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from pytest_serverless_arch.patterns import classify_pattern
from pytest_serverless_arch.strategies import PATTERNS, topologies
from pytest_serverless_arch.strategies.topology import Topology, TopologyFunction, TopologyTrigger, TopologyUnit

from .hypothesis_support import load_topology, property_settings


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_classifier_returns_the_pattern_a_topology_was_drawn_with(pattern):
    @property_settings
    @given(topologies(pattern=pattern, max_units=4, max_functions=5))
    def check(topology):
        verdict = classify_pattern(load_topology(topology))
        assert verdict.repo == pattern, f"{verdict.reason}\n{topology.describe()}"

    check()


@property_settings
@given(topologies(max_units=4, max_functions=5))
def test_the_classifier_agrees_with_the_abstract_verdict_on_any_topology(topology):
    verdict = classify_pattern(load_topology(topology))
    assert verdict.repo == topology.pattern, f"{verdict.reason}\n{topology.describe()}"


def _api_or_queue(name: str, unit: str, function: str) -> TopologyTrigger:
    kind = "api" if name.startswith("Api") else "queue"
    return TopologyTrigger(name=name, kind=kind, unit=unit, function=function, domain="orders")


def test_two_http_events_of_one_serverless_function_are_one_trigger_edge_in_the_verdict():
    # Found by the property above: the framework's one API invokes Fn3 for both events, so the graph
    # holds 4 trigger edges (2 crossing: half), where counting events gave 5 (2 crossing: mixed).
    topology = Topology(
        units=(TopologyUnit("orders-0", "cloudformation"), TopologyUnit("orders-1-dev", "serverless")),
        functions=(
            TopologyFunction("Fn0", "orders-0", "orders"),
            TopologyFunction("Fn1", "orders-1-dev", "orders"),
            TopologyFunction("Fn3", "orders-1-dev", "orders"),
        ),
        triggers=(
            _api_or_queue("Queue0", "orders-0", "Fn0"),
            _api_or_queue("Api2", "orders-0", "Fn1"),
            _api_or_queue("Queue1", "orders-1-dev", "Fn0"),
            _api_or_queue("Api3", "orders-1-dev", "Fn3"),
            _api_or_queue("Api4", "orders-1-dev", "Fn3"),
        ),
    )
    assert [(edge.source, edge.function, edge.crosses) for edge in topology.trigger_edges()] == [
        ("Queue0", "Fn0", False),
        ("Api2", "Fn1", True),
        ("Queue1", "Fn0", True),
        ("orders-1-dev:ApiGatewayRestApi", "Fn3", False),
    ]
    assert topology.pattern == "infra-app-split"
    assert classify_pattern(load_topology(topology)).repo == "infra-app-split"
