"""Fitness tests of the podcast platform: Terraform infrastructure + serverless.yml application."""

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
    assert deployment_graph.deploy_order() == [["infrastructure"], ["podcasts-app-dev"]]


def test_the_terraform_module_and_its_queue_module_are_one_unit(deployment_graph):
    queue = deployment_graph.resource("infrastructure:module.transcode_queue.aws_sqs_queue.this")
    assert (queue.kind, queue.physical_name) == ("queue", "podcasts-dev-transcode")


def test_the_notifier_is_triggered_by_the_infrastructure_topic(deployment_graph):
    [trigger] = deployment_graph.triggers_of("podcasts-app-dev:notifySubscribers")
    assert (trigger.source, trigger.cross_unit) == ("infrastructure:aws_sns_topic.episode_published", True)


def test_the_transcoder_finds_the_queue_module_through_an_ssm_parameter(deployment_graph):
    [trigger] = deployment_graph.triggers_of("podcasts-app-dev:transcodeEpisode")
    assert trigger.source == "infrastructure:module.transcode_queue.aws_sqs_queue.this"
    links = {
        (link.kind, link.target)
        for link in deployment_graph.cross_unit_links()
        if link.source == "podcasts-app-dev:transcodeEpisode"
    }
    assert ("ssm_parameter", "infrastructure:aws_ssm_parameter.transcode_queue_arn") in links


def test_the_units_have_no_cycles(deployment_graph):
    assert_no_unit_cycles(deployment_graph)


def test_the_application_reaches_the_infrastructure_only_through_ssm(deployment_graph):
    assert_rule(deployment_graph, "links-go-through-ssm")


def test_every_lambda_ships_with_its_trigger(deployment_graph):
    # Fails on purpose: the queue and the topic live in the Terraform unit.
    assert_every_lambda_ships_with_its_trigger(deployment_graph)


def test_no_function_is_a_placeholder(deployment_graph):
    # Fails on purpose: aws_lambda_function.rss_feed ignores changes to its code, which the app pipeline uploads.
    assert_no_function_placeholders(deployment_graph)
