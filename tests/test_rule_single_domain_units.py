"""``single-domain-units``: no unit holds resources of two domains."""

from __future__ import annotations

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.rules import RuleError, single_domain_units

from .rules_support import RULE_FIXTURES, GraphBuilder


def test_units_of_one_domain_each_pass():
    graph = load(RULE_FIXTURES / "grouped")
    assert {r.domain for r in graph.resources(unit="orders")} == {None, "orders"}
    assert single_domain_units(graph) == []


def test_a_unit_holding_two_domains_is_reported_at_its_odd_resource():
    violations = single_domain_units(load(RULE_FIXTURES / "domains"))
    assert [str(v) for v in violations] == [
        "shop/template.yaml:18: single-domain-units: unit shop holds resources of 2 domains: "
        "orders (2: OrdersTable, PlaceOrder), payments (2: PaymentsTable, PaymentsTopic)",
    ]
    assert violations[0].units == ("shop",)
    assert set(violations[0].resources) == {
        "shop:OrdersTable",
        "shop:PlaceOrder",
        "shop:PaymentsTable",
        "shop:PaymentsTopic",
    }


def test_the_smallest_domain_gives_the_location_and_each_unit_is_reported_once():
    graph = (
        GraphBuilder()
        .resource("shop", "Orders", "table", 4, domain="orders")
        .resource("shop", "PlaceOrder", "function", 9, domain="orders")
        .resource("shop", "Refund", "function", 30, domain="payments")
        .resource("shop", "Stock", "table", 40, domain="inventory")
        .resource("shop", "Pick", "function", 22, domain="inventory")
        .resource("tidy", "Only", "function", 3, domain="orders")
    ).graph
    assert [str(v) for v in single_domain_units(graph)] == [
        "shop/template.yaml:30: single-domain-units: unit shop holds resources of 3 domains: "
        "inventory (2: Pick, Stock), orders (2: Orders, PlaceOrder), payments (1: Refund)"
    ]


def test_resources_without_a_domain_do_not_count():
    graph = (
        GraphBuilder()
        .resource("shop", "Orders", "table", 4, domain="orders")
        .resource("shop", "Alarm", "other", 9)
        .resource("shop", "Logs", "bucket", 12)
    ).graph
    assert single_domain_units(graph) == []


def test_ignored_kinds_do_not_count():
    graph = (
        GraphBuilder()
        .resource("shop", "Orders", "table", 4, domain="orders")
        .resource("shop", "Shared", "parameter", 9, domain="platform")
    ).graph
    assert [v.location.line for v in single_domain_units(graph)] == [9]
    assert single_domain_units(graph, ignore_kinds=["parameter"]) == []


def test_scoping_to_a_domain_checks_the_units_that_hold_it():
    graph = load(RULE_FIXTURES / "domains")
    assert [v.location.line for v in single_domain_units(graph.where(domain="payments"))] == [18]
    with pytest.raises(RuleError, match="domain=billing"):
        single_domain_units(graph.where(domain="billing"))
