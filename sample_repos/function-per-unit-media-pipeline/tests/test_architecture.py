"""Fitness tests of the media pipeline: one unit per function, in three formats."""

from pytest_serverless_arch.assertions import assert_every_lambda_ships_with_its_trigger, assert_pattern, assert_rule


def test_the_pipeline_is_cut_one_function_per_unit(deployment_graph):
    assert_pattern(deployment_graph, "function-per-unit")


def test_every_unit_ships_one_function(deployment_graph):
    assert_rule(deployment_graph, "one-function-per-unit")


def test_every_lambda_ships_with_its_trigger(deployment_graph):
    assert_every_lambda_ships_with_its_trigger(deployment_graph)


def test_the_units_come_in_three_formats(deployment_graph):
    formats = {unit.name: unit.format for unit in deployment_graph.units()}
    assert formats == {"media-upload": "sam", "media-transcode": "cloudformation", "media-notify-dev": "serverless"}


def test_the_units_deploy_from_the_end_of_the_pipeline_backwards(deployment_graph):
    assert deployment_graph.deploy_order() == [["media-notify-dev"], ["media-transcode"], ["media-upload"]]


def test_a_release_needs_at_most_two_waves(deployment_graph):
    # Fails on purpose: the functions are coupled through exports, a chain of three units.
    waves = deployment_graph.deploy_order()
    assert len(waves) <= 2, f"a fresh deploy needs {len(waves)} waves: {waves}"
