"""``no-cross-domain-access``: functions reach other domains' data stores only through events."""

from __future__ import annotations

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.rules import RuleError, no_cross_domain_access

from .rules_support import RULE_FIXTURES, GraphBuilder


def test_direct_access_to_another_domains_table_is_reported_once_per_grant():
    violations = no_cross_domain_access(load(RULE_FIXTURES / "domains"))
    assert [str(v) for v in violations] == [
        "shop/template.yaml:53: no-cross-domain-access: function PlaceOrder (unit shop) of domain "
        "orders accesses (read) table PaymentsTable (unit shop) of domain payments directly; "
        "publish or consume an event instead",
        "shop/template.yaml:68: no-cross-domain-access: function PlaceOrder (unit shop) of domain "
        "orders accesses (environment PAYMENTS_TABLE) table PaymentsTable (unit shop) of domain "
        "payments directly; publish or consume an event instead",
    ]
    assert violations[0].resources == ("shop:PlaceOrder", "shop:PaymentsTable")


def cross_unit_repo() -> GraphBuilder:
    builder = (
        GraphBuilder()
        .resource("orders", "PlaceOrder", "function", 5, domain="orders")
        .resource("orders", "OrdersTable", "table", 30, domain="orders")
    )
    for line, (kind, name) in enumerate(
        [
            ("table", "Ledger"),
            ("bucket", "Receipts"),
            ("stream", "Payments"),
            ("state_machine", "Refunds"),
            ("parameter", "Rate"),
            ("topic", "Paid"),
            ("queue", "Charges"),
            ("event_bus", "Bus"),
        ],
        start=1,
    ):
        builder.resource("payments", name, kind, line, domain="payments")
        builder.edge("accesses", "orders:PlaceOrder", f"payments:{name}", 10 + line, wired_in="orders")
    builder.edge("accesses", "orders:PlaceOrder", "orders:OrdersTable", 20, wired_in="orders")
    return builder


def test_every_kind_of_data_store_counts_and_event_channels_are_allowed():
    violations = no_cross_domain_access(cross_unit_repo().graph)
    assert [(v.location.line, v.resources[1]) for v in violations] == [
        (11, "payments:Ledger"),
        (12, "payments:Receipts"),
        (13, "payments:Payments"),
        (14, "payments:Refunds"),
        (15, "payments:Rate"),
    ]


def test_the_store_kinds_and_allowed_domain_pairs_are_options():
    graph = cross_unit_repo().graph
    assert [v.location.line for v in no_cross_domain_access(graph, store_kinds=["bucket"])] == [12]
    assert no_cross_domain_access(graph, allow=["orders->payments"]) == []
    assert no_cross_domain_access(graph, allow=[("orders", "payments")]) == []
    with pytest.raises(RuleError, match="from_domain->to_domain"):
        no_cross_domain_access(graph, allow=["orders"])


def test_resources_without_a_domain_are_not_judged():
    graph = (
        GraphBuilder()
        .resource("orders", "PlaceOrder", "function", 5)
        .resource("payments", "Ledger", "table", 3, domain="payments")
        .edge("accesses", "orders:PlaceOrder", "payments:Ledger", 9)
    ).graph
    assert no_cross_domain_access(graph) == []


def test_scoping_to_the_owning_domain_shows_who_reaches_into_it():
    graph = (
        cross_unit_repo()
        .resource("reports", "Nightly", "function", 4, domain="reports")
        .edge("accesses", "reports:Nightly", "orders:OrdersTable", 7)
    ).graph
    assert [v.location.path for v in no_cross_domain_access(graph.where(domain="reports"))] == ["reports/template.yaml"]
    assert len(no_cross_domain_access(graph.where(domain="orders"))) == 6
