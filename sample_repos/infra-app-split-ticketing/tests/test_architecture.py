"""Fitness tests of the ticketing system: infrastructure stack + serverless application."""

from pytest_serverless_arch.assertions import (
    assert_every_lambda_ships_with_its_trigger,
    assert_no_function_placeholders,
    assert_no_unit_cycles,
    assert_pattern,
    assert_rule,
)


def test_the_repository_is_an_infra_app_split(deployment_graph):
    assert_pattern(deployment_graph, "infra-app-split")


def test_the_infrastructure_deploys_before_the_application(deployment_graph):
    assert deployment_graph.deploy_order() == [["ticketing-infra"], ["ticketing-app-dev"]]


def test_the_application_consumes_the_infrastructure_queue(deployment_graph):
    [trigger] = deployment_graph.triggers_of("ticketing-app-dev:issueTicket")
    assert (trigger.source, trigger.cross_unit) == ("ticketing-infra:OrdersQueue", True)


def test_the_units_have_no_cycles(deployment_graph):
    assert_no_unit_cycles(deployment_graph)


def test_the_application_reaches_the_infrastructure_only_through_outputs(deployment_graph):
    assert_rule(deployment_graph, "links-use-published-outputs")


def test_every_lambda_ships_with_its_trigger(deployment_graph):
    # Fails on purpose: the queue, the topic and the API live in ticketing-infra.
    assert_every_lambda_ships_with_its_trigger(deployment_graph)


def test_no_function_is_a_placeholder(deployment_graph):
    # Fails on purpose: PaymentWebhookFunction's code is uploaded by another pipeline.
    assert_no_function_placeholders(deployment_graph)
