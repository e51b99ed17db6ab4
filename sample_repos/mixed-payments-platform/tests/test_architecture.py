"""Fitness tests of the payments platform: a mix of cuts, linked by SSM parameters and a nested stack."""

from pytest_serverless_arch.assertions import (
    assert_every_lambda_ships_with_its_trigger,
    assert_no_unit_cycles,
    assert_pattern,
    assert_rule,
)


def test_the_platform_is_a_mix_of_cuts(deployment_graph):
    assert_pattern(deployment_graph, "mixed")


def test_the_platform_deploys_first_then_everything_else(deployment_graph):
    assert deployment_graph.deploy_order() == [
        ["payments-platform"],
        ["payments-api", "payments-fraud", "payments-ledger-dev"],
    ]


def test_the_nested_stack_belongs_to_the_platform_unit(deployment_graph):
    assert [unit.name for unit in deployment_graph.units()] == [
        "payments-api",
        "payments-fraud",
        "payments-ledger-dev",
        "payments-platform",
    ]
    assert [bus.unit for bus in deployment_graph.resources(kind="event_bus")] == ["payments-platform"]


def test_the_ledger_reads_its_queue_from_parameter_store(deployment_graph):
    assert {(link.from_unit, link.to_unit) for link in deployment_graph.cross_unit_links() if link.kind == "ssm_parameter"} == {
        ("payments-api", "payments-platform"),
        ("payments-ledger-dev", "payments-platform"),
    }


def test_the_ssm_parameter_is_followed_to_the_queue_that_triggers_the_ledger(deployment_graph):
    [trigger] = deployment_graph.triggers_of("payments-ledger-dev:recordPayment")
    assert (trigger.source, trigger.cross_unit, str(trigger.location)) == (
        "payments-platform:LedgerQueue",
        True,
        "ledger/serverless.yml:25",
    )


def test_the_units_have_no_cycles(deployment_graph):
    assert_no_unit_cycles(deployment_graph)


def test_ssm_parameters_are_namespaced(deployment_graph):
    assert_rule(deployment_graph, "ssm-parameters-are-namespaced")


def test_every_lambda_ships_with_its_trigger(deployment_graph):
    # Fails on purpose: the ledger's queue is in payments-platform, its consumer in payments-ledger-dev.
    assert_every_lambda_ships_with_its_trigger(deployment_graph)
