"""Selectors: ``graph.where(domain=..., unit=..., tag=...)`` gives a scoped, read-only view."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.rules import BUILTIN_RULES, RuleError, get_rule, trigger_colocated
from pytest_serverless_arch.selection import ScopedGraph, scope_of, whole_graph

from .rules_support import RULE_FIXTURES, GraphBuilder


def shop() -> GraphBuilder:
    return (
        GraphBuilder()
        .resource("orders-api", "PlaceOrder", "function", 5, domain="orders", tags={"team": "checkout"})
        .resource("orders-api", "Orders", "table", 9, domain="orders")
        .resource("orders-worker", "Fulfil", "function", 4, domain="orders", tags={"team": "warehouse"})
        .resource("orders-worker", "Jobs", "queue", 8, domain="orders")
        .resource("billing", "Charge", "function", 3, domain="payments", tags={"team": "checkout", "tier": "1"})
        .resource("billing", "Ledger", "table", 7, domain="payments")
        .edge("triggers", "orders-worker:Jobs", "orders-worker:Fulfil", 12)
        .edge("triggers", "billing:Ledger", "orders-api:PlaceOrder", 14, wired_in="billing")
        .edge("imports", "billing:Charge", "orders-api:Orders", 20)
        .edge("imports", "orders-api:PlaceOrder", "billing:Ledger", 21)
    )


def ids(resources) -> list[str]:
    return [resource.id for resource in resources]


def test_a_domain_selects_its_resources_and_the_units_holding_them():
    orders = shop().graph.where(domain="orders")
    assert isinstance(orders, ScopedGraph)
    assert [unit.name for unit in orders.units()] == ["orders-api", "orders-worker"]
    assert ids(orders.functions()) == ["orders-api:PlaceOrder", "orders-worker:Fulfil"]
    assert ids(orders.resources(kind="table")) == ["orders-api:Orders"]


def test_units_are_selected_by_name_glob_or_several_names():
    graph = shop().graph
    assert [u.name for u in graph.where(unit="orders-*").units()] == ["orders-api", "orders-worker"]
    assert [u.name for u in graph.where(unit="billing").units()] == ["billing"]
    assert [u.name for u in graph.where(unit=["billing", "orders-api"]).units()] == ["billing", "orders-api"]
    assert ids(graph.where(unit="orders-w?rker").functions()) == ["orders-worker:Fulfil"]


def test_functions_are_selected_by_tag_key_key_and_value_or_a_mapping():
    graph = shop().graph
    assert ids(graph.where(tag="team").functions()) == ["billing:Charge", "orders-api:PlaceOrder", "orders-worker:Fulfil"]
    assert ids(graph.where(tag="team=checkout").functions()) == ["billing:Charge", "orders-api:PlaceOrder"]
    assert ids(graph.where(tag={"team": "checkout", "tier": "1"}).functions()) == ["billing:Charge"]


def test_narrowing_a_view_keeps_what_every_selection_keeps():
    graph = shop().graph
    view = graph.where(tag="team=checkout").where(domain="orders")
    assert ids(view.functions()) == ["orders-api:PlaceOrder"]
    assert [u.name for u in view.units()] == ["orders-api"]
    assert view.where(unit="billing").is_empty()
    assert "tag=team=checkout; domain=orders" in repr(view)


def test_relations_are_those_touching_the_selection_at_either_end():
    billing = shop().graph.where(unit="billing")
    assert [(t.source, t.function) for t in billing.trigger_edges()] == [("billing:Ledger", "orders-api:PlaceOrder")]
    assert [(link.from_unit, link.to_unit) for link in billing.cross_unit_links()] == [
        ("billing", "orders-api"),
        ("orders-api", "billing"),
    ]
    assert [(d.unit, d.depends_on) for d in billing.unit_dependencies()] == [("billing", "orders-api"), ("orders-api", "billing")]
    assert billing.unit_cycles() == [["billing", "orders-api"]]
    assert shop().graph.where(unit="orders-worker").unit_cycles() == []
    assert [edge.kind for edge in billing.edges()] == ["imports", "imports", "triggers"]


def test_lookups_by_id_and_the_deploy_order_come_from_the_whole_graph():
    graph = load(RULE_FIXTURES / "grouped")
    payments = graph.where(domain="payments")
    assert payments.resource("orders:TakeOrder").name == "TakeOrder"
    assert payments.deploy_order() == graph.deploy_order()
    assert payments.errors is graph.errors
    assert [t.function for t in payments.triggers_of("orders:TakeOrder")] == ["orders:TakeOrder"]


def test_a_selection_matching_nothing_is_empty():
    graph = shop().graph
    assert graph.where(domain="ordrs").is_empty()
    assert graph.where(unit="nope-*").units() == []
    assert not graph.where(domain="orders").is_empty()


def test_a_unit_without_resources_answers_to_its_own_domain():
    graph = GraphBuilder().unit("empty", domain="orders").resource("full", "Fn", "function", 3, domain="x").graph
    assert [u.name for u in graph.where(domain="orders").units()] == ["empty"]


def test_a_whole_graph_is_its_own_scope():
    graph = shop().graph
    view = scope_of(graph)
    assert view.selection == "everything"
    assert ids(view.resources()) == ids(graph.resources())
    assert whole_graph(view) is graph and whole_graph(graph) is graph
    assert scope_of(view) is view


def test_an_empty_selection_error_suggests_the_name_that_was_probably_meant():
    graph = shop().graph
    with pytest.raises(RuleError, match=r"\(domain=ordrs\) matches no unit and no resource \(did you mean 'orders'\?"):
        trigger_colocated(graph.where(domain="ordrs"))
    with pytest.raises(RuleError, match=r"did you mean 'billing'\? units: billing, orders-api, orders-worker;"):
        trigger_colocated(graph.where(unit="biling"))


def test_an_empty_selection_error_lists_at_most_ten_units():
    builder = GraphBuilder()
    for index in range(12):
        builder.resource(f"unit{index:02}", "Fn", "function", 3)
    with pytest.raises(RuleError, match=r"units: unit00, .*, unit09 and 2 more; domains: none\)"):
        trigger_colocated(builder.graph.where(unit="x*"))


@st.composite
def repositories(draw: st.DrawFn) -> GraphBuilder:
    """A few units with functions, stores and queues of two domains, wired at random."""
    builder = GraphBuilder()
    nodes = []
    for index in range(draw(st.integers(1, 8))):
        unit = draw(st.sampled_from(["orders-api", "orders-worker", "billing", "search"]))
        kind = draw(st.sampled_from(["function", "function", "table", "queue", "bucket"]))
        domain = draw(st.sampled_from(["orders", "payments", None]))
        tags = {"team": draw(st.sampled_from(["a", "b"]))} if draw(st.booleans()) else None
        builder.resource(unit, f"R{index}", kind, index + 1, domain=domain, tags=tags)
        nodes.append((f"{unit}:R{index}", kind))
    functions = [node for node, kind in nodes if kind == "function"]
    for line, (source, target) in enumerate(
        draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), max_size=8)), start=50
    ):
        if target[1] == "function" and source[1] == "queue":
            builder.edge("triggers", source[0], target[0], line)
        elif source[0] in functions and target[1] != "function":
            builder.edge("accesses", source[0], target[0], line)
        elif source[0].split(":")[0] != target[0].split(":")[0]:
            builder.edge("imports", source[0], target[0], line)
    return builder


SELECTIONS = st.fixed_dictionaries(
    {},
    optional={
        "domain": st.sampled_from(["orders", "payments"]),
        "unit": st.sampled_from(["orders-*", "billing", "search", "*"]),
        "tag": st.sampled_from(["team", "team=a", "team=b"]),
    },
)


@given(repositories(), SELECTIONS)
def test_a_view_reports_a_subset_of_what_the_whole_graph_reports(builder, selection):
    graph = builder.graph
    view = graph.where(**selection)
    for rule_id in BUILTIN_RULES:
        rule = get_rule(rule_id)
        whole = set(rule(graph))
        scoped = set(rule(view, allow_empty=True))
        assert scoped <= whole, rule_id
        if view.is_empty():
            assert scoped == set()


@given(repositories())
def test_the_view_of_everything_reports_what_the_whole_graph_reports(builder):
    graph = builder.graph
    for rule_id in BUILTIN_RULES:
        rule = get_rule(rule_id)
        assert rule(graph.where(unit="*"), allow_empty=True) == rule(graph)
