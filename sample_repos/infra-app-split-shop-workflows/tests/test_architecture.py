"""Fitness tests of the shop: an infrastructure workflow and an application workflow."""

from pytest_serverless_arch.assertions import assert_every_lambda_ships_with_its_trigger, assert_pattern, assert_rule


def test_the_repository_is_an_infra_app_split(deployment_graph):
    assert_pattern(deployment_graph, "infra-app-split")


def test_each_workflow_deploys_one_stack(deployment_graph):
    assert [(pipeline.name, pipeline.units) for pipeline in deployment_graph.pipelines()] == [
        ("deploy-application", ("shop-app-prod",)),
        ("deploy-infrastructure", ("shop-infra-prod",)),
    ]


def test_the_application_gets_its_queue_through_the_parameter_its_workflow_passes(deployment_graph):
    [trigger] = deployment_graph.triggers_of("shop-app-prod:ProcessOrderFunction")
    assert (trigger.source, trigger.cross_unit, trigger.cross_pipeline) == ("shop-infra-prod:OrdersQueue", True, True)


def test_the_rules_work_on_what_each_workflow_deploys(deployment_graph):
    assert deployment_graph.unit_level().level == "pipeline"


def test_the_application_workflow_runs_after_the_infrastructure_workflow(deployment_graph):
    assert_rule(deployment_graph, "pipeline-order")


def test_every_lambda_ships_with_its_trigger(deployment_graph):
    # Fails on purpose: the orders queue ships with the infrastructure workflow, its consumer with the application's.
    assert_every_lambda_ships_with_its_trigger(deployment_graph)
