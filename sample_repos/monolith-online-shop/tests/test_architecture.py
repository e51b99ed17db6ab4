"""Fitness tests of the online shop: one SAM template holding everything."""

from pytest_serverless_arch.assertions import (
    assert_every_lambda_ships_with_its_trigger,
    assert_no_unit_cycles,
    assert_pattern,
    assert_rule,
)


def test_the_shop_is_one_monolith(deployment_graph):
    assert_pattern(deployment_graph, "monolith")


def test_every_lambda_ships_with_its_trigger(deployment_graph):
    assert_every_lambda_ships_with_its_trigger(deployment_graph)


def test_the_units_have_no_cycles(deployment_graph):
    assert_no_unit_cycles(deployment_graph)


def test_the_shop_deploys_in_one_step(deployment_graph):
    assert deployment_graph.deploy_order() == [["online-shop"]]


def test_orders_are_placed_over_http_and_fulfilled_from_the_queue(deployment_graph):
    place_order = deployment_graph.triggers_of("online-shop:PlaceOrderFunction")
    fulfil_order = deployment_graph.triggers_of("online-shop:FulfilOrderFunction")
    assert [trigger.source_kind for trigger in place_order] == ["api"]
    assert [trigger.source for trigger in fulfil_order] == ["online-shop:FulfilmentQueue"]


def test_every_queue_has_a_consumer(deployment_graph):
    assert_rule(deployment_graph, "every-queue-has-a-consumer")


def test_no_unit_holds_more_than_three_functions(deployment_graph):
    # Fails on purpose: this is the monolith's pain, every change redeploys all five functions.
    assert_rule(deployment_graph, "small-units", max_functions=3)
