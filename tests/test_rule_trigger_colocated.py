"""``trigger-colocated``: every lambda ships with its trigger."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.graph import ExternalNode
from pytest_serverless_arch.model import Edge, Location
from pytest_serverless_arch.rules import RuleError, get_rule, trigger_colocated

from .rules_support import RULE_FIXTURES, GraphBuilder


def split_repo() -> GraphBuilder:
    """infra holds the queue and the mapping; app holds the function the mapping invokes."""
    return (
        GraphBuilder()
        .resource("infra", "Jobs", "queue", 4, domain="jobs")
        .resource("app", "Worker", "function", 6, domain="jobs")
        .resource("app", "Api", "api", 12, domain="jobs")
        .resource("app", "Handler", "function", 14, domain="jobs")
        .edge("triggers", "infra:Jobs", "app:Worker", 20, wired_in="infra")
        .edge("triggers", "app:Api", "app:Handler", 18)
    )


def test_a_repository_whose_triggers_ship_with_their_functions_passes():
    graph = load(RULE_FIXTURES / "grouped")
    assert len(graph.trigger_edges()) == 3
    assert trigger_colocated(graph) == []


def test_a_trigger_in_another_unit_is_reported_at_the_mapping_that_wires_it():
    violations = trigger_colocated(split_repo().graph)
    assert [str(violation) for violation in violations] == [
        "infra/template.yaml:20: trigger-colocated: function Worker (unit app) is triggered by queue Jobs "
        "(unit infra), defined in unit infra; ship the trigger and the function in one unit",
    ]
    assert violations[0].units == ("app", "infra")
    assert violations[0].resources == ("app:Worker", "infra:Jobs")


def test_a_consumer_wiring_another_units_queue_is_reported_in_its_own_template():
    graph = (
        GraphBuilder()
        .resource("orders", "OrderPlaced", "topic", 3)
        .resource("shipping", "Ship", "function", 5)
        .edge("triggers", "orders:OrderPlaced", "shipping:Ship", 11, wired_in="shipping")
    ).graph
    assert [(str(v.location), v.rule) for v in trigger_colocated(graph)] == [("shipping/template.yaml:11", "trigger-colocated")]


def test_a_trigger_from_outside_the_repository_is_reported_only_when_asked():
    builder = GraphBuilder().resource("app", "Worker", "function", 6)
    builder.graph.add_external(
        ExternalNode("external:arn:arn:aws:sns:eu-west-1:999:news", "topic", "arn:aws:sns:eu-west-1:999:news")
    )
    builder.graph.add_edge(
        Edge(
            "triggers",
            "external:arn:arn:aws:sns:eu-west-1:999:news",
            "app:Worker",
            Location("app/template.yaml", 9),
            "SNS",
            cross_unit=True,
        )
    )
    assert trigger_colocated(builder.graph) == []
    assert [str(v) for v in trigger_colocated(builder.graph, include_external=True)] == [
        "app/template.yaml:9: trigger-colocated: function Worker (unit app) is triggered by external topic "
        "arn:aws:sns:eu-west-1:999:news, defined outside the repository; ship the trigger and the function in one unit"
    ]


def test_a_scoped_view_reports_the_triggers_touching_its_units_only():
    graph = (
        split_repo()
        .resource("billing", "Invoices", "queue", 3, domain="billing")
        .resource("reports", "Report", "function", 3, domain="reports")
        .edge("triggers", "billing:Invoices", "reports:Report", 8, wired_in="billing")
    ).graph
    assert [v.location.line for v in trigger_colocated(graph)] == [8, 20]
    assert [v.location.line for v in trigger_colocated(graph.where(unit="app"))] == [20]
    assert [v.location.line for v in trigger_colocated(graph.where(domain="reports"))] == [8]
    assert [v.location.line for v in trigger_colocated(graph.where(unit="b*"))] == [8]


def test_a_selection_that_matches_nothing_is_an_error_not_a_pass():
    graph = split_repo().graph
    with pytest.raises(RuleError, match=r"domain=ordrs\) matches no unit and no resource .*domains: jobs"):
        trigger_colocated(graph.where(domain="ordrs"))
    assert trigger_colocated(graph.where(domain="ordrs"), allow_empty=True) == []


def test_the_rule_is_registered_with_its_description_reason_and_docs():
    registered = get_rule("trigger-colocated")
    assert registered.description == "every lambda ships with its trigger"
    assert "event payload" in registered.reason
    assert registered.docs_url.endswith("/docs/rules/trigger-colocated.md")


@st.composite
def topologies(draw: st.DrawFn) -> tuple[GraphBuilder, set[int]]:
    """Functions and sources spread over a few units; returns the lines of the crossing triggers."""
    units = ["a", "b", "c"]
    function_units = draw(st.lists(st.sampled_from(units), min_size=1, max_size=5))
    builder = GraphBuilder()
    for index, unit in enumerate(function_units):
        builder.resource(unit, f"Fn{index}", "function", 100 + index)
    triggers = draw(st.lists(st.tuples(st.sampled_from(units), st.integers(0, len(function_units) - 1)), max_size=8))
    crossing = set()
    for line, (source_unit, function_index) in enumerate(triggers, start=1):
        builder.resource(source_unit, f"Queue{line}", "queue", 200 + line)
        builder.edge("triggers", f"{source_unit}:Queue{line}", f"{function_units[function_index]}:Fn{function_index}", line)
        if source_unit != function_units[function_index]:
            crossing.add(line)
    return builder, crossing


@given(topologies())
def test_exactly_the_triggers_whose_source_and_function_are_in_different_units_are_reported(topology):
    builder, crossing = topology
    assert {violation.location.line for violation in trigger_colocated(builder.graph)} == crossing


def test_a_subscription_to_an_imported_topic_is_reported_at_the_subscription():
    violations = trigger_colocated(load(RULE_FIXTURES / "cycle"))
    assert [(str(v.location), v.rule, v.resources) for v in violations] == [
        ("payments/template.yaml:21", "trigger-colocated", ("payments:Charge", "orders:OrderPlaced"))
    ]


def test_a_custom_resource_calling_a_provider_function_outside_the_repository_is_not_reported():
    builder = GraphBuilder().resource("db", "Password", "other", 90, type="Custom::Secret")
    provider = "external:arn:arn:aws:lambda:us-east-1:123456789012:function:secret-provider"
    builder.graph.add_external(ExternalNode(provider, "function", provider.split(":", 2)[2]))
    builder.graph.add_edge(
        Edge("triggers", "db:Password", provider, Location("db/template.yaml", 92), "CustomResource", cross_unit=True)
    )
    assert trigger_colocated(builder.graph) == []
    assert [v.location.line for v in trigger_colocated(builder.graph, include_external=True)] == [92]


def test_only_triggers_of_functions_are_judged():
    graph = (
        GraphBuilder()
        .resource("source", "Rule", "event_rule", 31)
        .resource("target", "Bus", "event_bus", 5)
        .edge("triggers", "source:Rule", "target:Bus", 37)
    ).graph
    assert trigger_colocated(graph) == []
