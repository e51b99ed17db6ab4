"""``no-function-placeholders``: no function's code or wiring is filled in by another unit's pipeline."""

from __future__ import annotations

from pytest_serverless_arch import load
from pytest_serverless_arch.rules import no_function_placeholders

from .rules_support import RULE_FIXTURES, GraphBuilder


def test_functions_whose_code_comes_from_a_parameter_or_an_import_are_placeholders():
    violations = no_function_placeholders(load(RULE_FIXTURES / "placeholders"))
    assert [str(v) for v in violations] == [
        "infra/template.yaml:12: no-function-placeholders: function Worker (unit infra) is a "
        "placeholder: its code is supplied from outside its unit (Code.S3Key comes from parameter WorkerCodeKey)",
        "infra/template.yaml:21: no-function-placeholders: function Renderer (unit infra) is a "
        "placeholder: its code is supplied from outside its unit (Code.ImageUri comes from an imported value)",
    ]
    assert [v.resources for v in violations] == [("infra:Worker",), ("infra:Renderer",)]


def test_functions_shipping_their_own_code_pass():
    assert no_function_placeholders(load(RULE_FIXTURES / "grouped")) == []


def wired_from_infra() -> GraphBuilder:
    return (
        GraphBuilder()
        .resource("infra", "Jobs", "queue", 4)
        .resource("infra", "WorkerPermission", "other", 30, type="AWS::Lambda::Permission")
        .resource("infra", "Monitor", "function", 40)
        .resource("app", "Worker", "function", 6)
        .resource("app", "Reader", "function", 16)
        .edge("triggers", "infra:Jobs", "app:Worker", 20, wired_in="infra")
        .edge("name_reference", "infra:WorkerPermission", "app:Worker", 32, wired_in="infra")
        .edge("triggers", "infra:Jobs", "app:Reader", 18, wired_in="app")
        .edge("accesses", "infra:Monitor", "app:Reader", 44, wired_in="infra")
        .resource("infra", "WorkerAlias", "other", 50, type="AWS::Lambda::Alias")
        .edge("name_reference", "infra:WorkerAlias", "app:Worker", 52, wired_in="infra")
    )


def test_a_function_configured_by_another_units_template_is_a_placeholder_but_its_trigger_there_is_not_named():
    # the queue's trigger and the permission in infra are trigger-colocated's business; the alias is this rule's
    violations = no_function_placeholders(wired_from_infra().graph)
    assert [str(v) for v in violations] == [
        "app/template.yaml:6: no-function-placeholders: function Worker (unit app) is a placeholder: "
        "configured by AWS::Lambda::Alias WorkerAlias (unit infra) at infra/template.yaml:52",
    ]
    assert violations[0].units == ("app", "infra")


def test_a_consumer_that_wires_another_units_queue_itself_is_not_a_placeholder():
    graph = wired_from_infra().graph
    assert "app:Reader" not in {resource for v in no_function_placeholders(graph) for resource in v.resources}


def test_wiring_from_other_units_can_be_left_to_trigger_colocated():
    assert no_function_placeholders(wired_from_infra().graph, wiring_from_other_units=False) == []


def test_invocations_written_in_another_unit_count_as_wiring():
    graph = (
        GraphBuilder()
        .resource("flows", "Checkout", "state_machine", 3)
        .resource("payments", "Charge", "function", 8)
        .edge("invokes", "flows:Checkout", "payments:Charge", 12, wired_in="flows")
    ).graph
    assert [(str(v.location), v.message.split(": ", 1)[1]) for v in no_function_placeholders(graph)] == [
        ("payments/template.yaml:8", "invoked by state machine Checkout (unit flows) at flows/template.yaml:12")
    ]
