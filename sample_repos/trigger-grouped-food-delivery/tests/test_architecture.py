"""Fitness tests of food delivery: each unit holds its triggers and their functions, one domain each."""

from pytest_serverless_arch.assertions import (
    assert_every_lambda_ships_with_its_trigger,
    assert_no_cross_domain_access,
    assert_no_unit_spans_two_domains,
    assert_pattern,
    assert_rule,
)


def test_the_system_is_grouped_by_trigger(deployment_graph):
    assert_pattern(deployment_graph, "trigger-grouped")


def test_every_lambda_ships_with_its_trigger(deployment_graph):
    assert_every_lambda_ships_with_its_trigger(deployment_graph)


def test_no_unit_spans_two_domains(deployment_graph):
    assert_no_unit_spans_two_domains(deployment_graph)


def test_every_unit_has_a_domain(deployment_graph):
    assert_rule(deployment_graph, "every-unit-has-a-domain")


def test_orders_deploys_first_and_everything_else_in_parallel(deployment_graph):
    assert deployment_graph.deploy_order() == [
        ["orders-dev"],
        ["delivery-dev", "food-notifications", "kitchen-dev"],
    ]


def test_the_kitchen_listens_to_orders_through_its_own_queue(deployment_graph):
    [trigger] = deployment_graph.triggers_of("kitchen-dev:prepareOrder")
    assert (trigger.source, trigger.cross_unit) == ("kitchen-dev:KitchenQueue", False)


def test_the_kitchen_reaches_other_domains_only_through_events(deployment_graph):
    # The kitchen publishes on the orders service's bus: an event channel, so allowed.
    assert_no_cross_domain_access(deployment_graph.where(domain="kitchen"))


def test_no_function_reads_another_domains_data(deployment_graph):
    # Fails on purpose: the delivery service reads the orders table directly.
    assert_no_cross_domain_access(deployment_graph)
