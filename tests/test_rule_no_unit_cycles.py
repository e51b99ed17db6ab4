"""``no-unit-cycles``: the unit dependency graph is acyclic."""

from __future__ import annotations

from pytest_serverless_arch import load
from pytest_serverless_arch.rules import no_unit_cycles

from .rules_support import RULE_FIXTURES, GraphBuilder


def two_unit_cycle() -> GraphBuilder:
    """orders imports the payments table's ARN; payments imports the orders topic's ARN."""
    return (
        GraphBuilder()
        .resource("orders", "PlaceOrder", "function", 5)
        .resource("orders", "OrderPlaced", "topic", 20)
        .resource("payments", "Charge", "function", 6)
        .resource("payments", "Ledger", "table", 25)
        .edge("imports", "orders:PlaceOrder", "payments:Ledger", 11)
        .edge("ssm_parameter", "payments:Charge", "orders:OrderPlaced", 14)
    )


def test_units_without_cycles_pass():
    assert no_unit_cycles(load(RULE_FIXTURES / "grouped")) == []
    chain = (
        GraphBuilder()
        .resource("a", "Fn", "function", 3)
        .resource("b", "Table", "table", 3)
        .resource("c", "Topic", "topic", 3)
        .edge("imports", "a:Fn", "b:Table", 7)
        .edge("imports", "b:Table", "c:Topic", 8)
    ).graph
    assert chain.deploy_order() == [["c"], ["b"], ["a"]]
    assert no_unit_cycles(chain) == []


def test_a_two_unit_cycle_names_both_links_that_close_it():
    violations = no_unit_cycles(two_unit_cycle().graph)
    assert [str(v) for v in violations] == [
        "orders/template.yaml:11: no-unit-cycles: units depend on each other in a cycle orders -> payments -> orders: "
        "orders needs payments (imports of table Ledger (unit payments) at orders/template.yaml:11); "
        "payments needs orders (ssm parameter of topic OrderPlaced (unit orders) at payments/template.yaml:14)",
    ]
    assert violations[0].units == ("orders", "payments")


def test_each_elementary_cycle_is_one_violation_and_long_link_lists_are_shortened():
    graph = (
        two_unit_cycle()
        .resource("orders", "Cancel", "function", 8)
        .resource("orders", "Refund", "function", 9)
        .edge("ssm_parameter", "orders:Cancel", "payments:Ledger", 31)
        .edge("stack_output", "orders:Refund", "payments:Ledger", 32)
        .resource("shipping", "Ship", "function", 4)
        .edge("imports", "shipping:Ship", "orders:OrderPlaced", 6)
        .edge("imports", "payments:Charge", "shipping:Ship", 15)
    ).graph
    violations = no_unit_cycles(graph)
    assert [str(v.location) for v in violations] == ["orders/template.yaml:11", "orders/template.yaml:11"]
    assert [v.units for v in violations] == [("orders", "payments"), ("orders", "payments", "shipping")]
    assert (
        "orders needs payments (imports of table Ledger (unit payments) at orders/template.yaml:11, "
        "ssm parameter of table Ledger (unit payments) at orders/template.yaml:31 (+1 more))" in violations[0].message
    )
    assert "cycle orders -> payments -> shipping -> orders" in violations[1].message


def test_a_scoped_view_reports_only_cycles_through_its_units():
    graph = (
        two_unit_cycle()
        .resource("x", "A", "function", 2)
        .resource("y", "B", "table", 2)
        .edge("imports", "x:A", "y:B", 3)
        .edge("imports", "y:B", "x:A", 4)
    ).graph
    assert len(no_unit_cycles(graph)) == 2
    assert [v.units for v in no_unit_cycles(graph.where(unit=["x"]))] == [("x", "y")]


def test_an_export_import_cycle_between_two_templates_is_found_through_the_linker():
    graph = load(RULE_FIXTURES / "cycle")
    assert graph.deploy_order() is None
    assert [str(v) for v in no_unit_cycles(graph)] == [
        "orders/template.yaml:16: no-unit-cycles: units depend on each other in a cycle "
        "orders -> payments -> orders: "
        "orders needs payments (imports of table Ledger (unit payments) "
        "at orders/template.yaml:16); payments needs orders (imports of topic "
        "OrderPlaced (unit orders) at payments/template.yaml:21)",
    ]
