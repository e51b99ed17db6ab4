"""Fitness tests of bookings: one release workflow deploys the data stack, then the API stack."""

from pytest_serverless_arch.assertions import assert_every_lambda_ships_with_its_trigger, assert_pattern, assert_rule


def test_one_workflow_deploys_both_stacks_so_the_repository_is_a_monolith(deployment_graph):
    assert_pattern(deployment_graph, "monolith")


def test_the_stacks_alone_would_look_like_an_infra_app_split(load_deployment_graph):
    assert_pattern(load_deployment_graph(".", unit_level="stack"), "infra-app-split")


def test_the_workflow_deploys_the_data_stack_first(deployment_graph):
    [release] = deployment_graph.pipelines()
    assert release.units == ("bookings-data", "bookings-api")
    assert_rule(deployment_graph, "pipelines-deploy-providers-first")


def test_the_api_gets_its_queue_from_the_data_stacks_output(deployment_graph):
    [trigger] = deployment_graph.triggers_of("bookings-api:ConfirmBookingFunction")
    assert (trigger.source, trigger.cross_unit, trigger.cross_pipeline) == ("bookings-data:BookingRequestsQueue", True, False)


def test_every_lambda_ships_with_its_trigger(deployment_graph):
    # The queue is in another stack, but the same workflow ships both: they deploy together.
    assert_every_lambda_ships_with_its_trigger(deployment_graph)
