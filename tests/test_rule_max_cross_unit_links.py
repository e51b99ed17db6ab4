"""``max-cross-unit-links`` and the per-unit coupling figures."""

from __future__ import annotations

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.graph import ExternalNode
from pytest_serverless_arch.model import Edge, Location
from pytest_serverless_arch.rules import Coupling, RuleError, max_cross_unit_links, unit_coupling

from .rules_support import RULE_FIXTURES, GraphBuilder


def hub_repo() -> GraphBuilder:
    """orders, payments and shipping import from platform; platform reads a parameter of config."""
    builder = (
        GraphBuilder()
        .resource("platform", "Bus", "event_bus", 4)
        .resource("config", "Rate", "parameter", 3)
        .edge("ssm_parameter", "platform:Bus", "config:Rate", 9)
    )
    for unit in ("orders", "payments", "shipping"):
        builder.resource(unit, "Fn", "function", 5).edge("imports", f"{unit}:Fn", "platform:Bus", 12)
    # the same link written twice is still one link
    return builder.edge("imports", "orders:Fn", "platform:Bus", 14)


def test_coupling_counts_the_units_on_either_side_and_instability_follows():
    coupling = unit_coupling(hub_repo().graph)
    assert coupling["platform"] == Coupling("platform", afferent=3, efferent=1, links_in=3, links_out=1)
    assert coupling["platform"].instability == 0.25
    assert coupling["orders"] == Coupling("orders", afferent=0, efferent=1, links_in=0, links_out=1)
    assert coupling["orders"].instability == 1.0
    assert coupling["config"].instability == 0.0
    assert coupling["config"].to_dict() == {
        "unit": "config",
        "afferent": 1,
        "efferent": 0,
        "instability": 0.0,
        "links_in": 1,
        "links_out": 0,
    }


def test_a_unit_linked_to_nothing_has_zero_coupling():
    coupling = unit_coupling(load(RULE_FIXTURES / "grouped"))
    assert coupling == {name: Coupling(name, 0, 0, 0, 0) for name in ("orders", "payments")}
    assert coupling["orders"].instability == 0.0


def test_links_to_external_nodes_do_not_count():
    builder = GraphBuilder().resource("orders", "Fn", "function", 5)
    builder.graph.add_external(ExternalNode("external:ssm:/shared/rate", "parameter", "/shared/rate"))
    builder.graph.add_edge(
        Edge("ssm_parameter", "orders:Fn", "external:ssm:/shared/rate", Location("orders/template.yaml", 8), cross_unit=True)
    )
    assert unit_coupling(builder.graph)["orders"] == Coupling("orders", 0, 0, 0, 0)


def test_a_unit_over_the_limit_is_reported_at_its_template():
    graph = hub_repo().graph
    assert max_cross_unit_links(graph, limit=4) == []
    assert [str(v) for v in max_cross_unit_links(graph, limit=3)] == [
        "platform/template.yaml:1: max-cross-unit-links: unit platform has 4 cross-unit links, more than the limit "
        "of 3 (1 out to 1 units, 3 in from 3 units; instability 0.25)"
    ]


def test_the_direction_option_counts_incoming_or_outgoing_links_only():
    graph = hub_repo().graph
    assert [v.units for v in max_cross_unit_links(graph, limit=2, direction="in")] == [("platform",)]
    assert [v.units for v in max_cross_unit_links(graph, limit=0, direction="out")] == [
        ("orders",),
        ("payments",),
        ("platform",),
        ("shipping",),
    ]


def test_the_default_limit_is_ten():
    builder = GraphBuilder().resource("hub", "Bus", "event_bus", 2)
    for index in range(11):
        builder.resource(f"u{index:02}", "Fn", "function", 3).edge("imports", f"u{index:02}:Fn", "hub:Bus", 4)
    assert [v.units for v in max_cross_unit_links(builder.graph)] == [("hub",)]


@pytest.mark.parametrize("options", [{"limit": -1}, {"limit": "5"}, {"limit": True}, {"direction": "up"}, {"maximum": 3}])
def test_bad_options_are_configuration_errors(options):
    with pytest.raises(RuleError, match="max-cross-unit-links"):
        max_cross_unit_links(hub_repo().graph, **options)


def test_a_scoped_view_gives_the_figures_of_its_units_counted_over_the_whole_graph():
    graph = hub_repo().graph
    assert list(unit_coupling(graph.where(unit="p*"))) == ["payments", "platform"]
    assert unit_coupling(graph.where(unit="platform"))["platform"].afferent == 3
