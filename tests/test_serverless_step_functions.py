"""The serverless-step-functions plugin: state machines, the functions their tasks invoke, their events."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.loaders.serverless.step_functions import state_machine_logical_id

from .helpers import FIXTURES
from .test_serverless import edges, write_service

SERVICE = "orders-dev"


def _id(logical_id: str) -> str:
    return f"{SERVICE}:{logical_id}"


@pytest.fixture(scope="module")
def graph():
    return load(FIXTURES / "serverless" / "step-functions", root=FIXTURES / "serverless" / "step-functions")


@pytest.mark.parametrize(
    ("key", "spec", "logical_id"),
    [
        ("checkout", {}, "CheckoutStepFunctionsStateMachine"),
        ("my-flow", {}, "MyDashflowStepFunctionsStateMachine"),
        ("checkout", {"id": "CustomId", "name": "other"}, "CustomId"),
        ("checkout", {"name": "HelloWorldStateMachine"}, "HelloWorldStateMachine"),
    ],
)
def test_a_state_machine_is_named_like_the_plugin_names_it(key, spec, logical_id):
    assert state_machine_logical_id(key, spec) == logical_id


def test_each_state_machine_is_a_node_with_its_physical_name(graph):
    checkout = graph.resource(_id("CheckoutStepFunctionsStateMachine"))
    nightly = graph.resource(_id("NightlyMachine"))
    assert (checkout.kind, checkout.location.line) == ("state_machine", 21)
    assert (nightly.kind, nightly.physical_name) == ("state_machine", "orders-nightly-dev")


def test_every_way_a_task_names_a_function_is_an_invokes_edge(graph):
    assert edges(graph, "invokes") == sorted(
        [
            (_id("CheckoutStepFunctionsStateMachine"), _id("validate"), "serverless.yml:36", "state machine task"),
            (_id("CheckoutStepFunctionsStateMachine"), _id("charge"), "serverless.yml:40", "state machine task"),
            (_id("CheckoutStepFunctionsStateMachine"), _id("ship"), "serverless.yml:46", "state machine task"),
            (_id("CheckoutStepFunctionsStateMachine"), _id("notify"), "serverless.yml:51", "state machine task"),
            (_id("NightlyMachine"), _id("audit"), "serverless.yml:64", "state machine task"),
        ]
    )


def test_state_machine_events_reference_it_and_trigger_no_function(graph):
    machine = _id("CheckoutStepFunctionsStateMachine")
    assert [e for e in edges(graph, "references") if e[1] == machine] == sorted(
        [
            (_id("ApiGatewayRestApi"), machine, "serverless.yml:23", "http"),
            (_id("CheckoutStepFunctionsEventsRuleSchedule1"), machine, "serverless.yml:26", "schedule"),
            (_id("CheckoutEventsRuleCloudWatchEvent1"), machine, "serverless.yml:27", "eventBridge"),
        ]
    )
    assert edges(graph, "triggers") == []
    assert graph.resource(_id("CheckoutStepFunctionsEventsRuleSchedule1")).kind == "schedule"


def test_without_the_plugin_or_a_step_functions_section_nothing_is_added(tmp_path: Path):
    write_service(
        tmp_path,
        """\
        service: plain
        provider: {name: aws}
        functions:
          a: {handler: h.a}
        """,
    )
    graph = load(tmp_path, root=tmp_path)
    assert [r.kind for r in graph.resources()] == ["function"]


def test_a_malformed_state_machine_is_a_note_and_the_rest_loads(tmp_path: Path):
    write_service(
        tmp_path,
        """\
        service: s
        provider: {name: aws}
        functions:
          a: {handler: h.a}
        stepFunctions:
          stateMachines:
            broken: [1, 2]
            good:
              events: not-a-list
              definition:
                StartAt: A
                States:
                  A: {Type: Task, Resource: {Fn::GetAtt: [a, Arn]}, End: true}
        """,
    )
    graph = load(tmp_path, root=tmp_path)
    assert edges(graph, "invokes") == [
        ("s-dev:GoodStepFunctionsStateMachine", "s-dev:a", "serverless.yml:13", "state machine task")
    ]
    messages = [note.message for note in graph.notes]
    assert any("broken is not a mapping" in m for m in messages)
    assert any("`events` must be a list" in m for m in messages)


def test_the_corpus_hello_world_machine_answers_to_its_name(corpus):
    path = corpus / "serverless-patterns" / "lambda-sfn-sls"
    graph = load(path, root=path)
    machines = [r for r in graph.resources() if r.kind == "state_machine"]
    assert [(r.logical_id, r.physical_name) for r in machines] == [("HelloWorldStateMachine", "HelloWorldStateMachine")]
    assert ("lambda-sfn-sls-prod:invokeSFN", "lambda-sfn-sls-prod:HelloWorldStateMachine") in {
        (e.source, e.target) for e in graph.edges("accesses")
    }


def test_a_custom_bus_and_a_second_schedule_are_numbered_and_named_like_the_plugin_does(tmp_path: Path):
    write_service(
        tmp_path,
        """\
        service: s
        plugins: [serverless-step-functions]
        provider: {name: aws}
        resources:
          Resources:
            Bus: {Type: AWS::Events::EventBus, Properties: {Name: orders}}
        stepFunctions:
          stateMachines:
            my-flow:
              events:
                - schedule: rate(1 hour)
                - schedule: {rate: rate(2 hours)}
                - cloudwatchEvent: {event: {source: [a]}, eventBusName: orders}
              definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
        """,
    )
    graph = load(tmp_path, root=tmp_path)
    machine = "s-dev:MyDashflowStepFunctionsStateMachine"
    assert edges(graph, "references") == sorted(
        [
            ("s-dev:MyDashflowStepFunctionsEventsRuleSchedule1", machine, "serverless.yml:11", "schedule"),
            ("s-dev:MyDashflowStepFunctionsEventsRuleSchedule2", machine, "serverless.yml:12", "schedule"),
            ("s-dev:MyDashflowEventsRuleCloudWatchEvent1", machine, "serverless.yml:13", "cloudwatchEvent"),
            ("s-dev:MyDashflowEventsRuleCloudWatchEvent1", "s-dev:Bus", "serverless.yml:13", "event bus"),
        ]
    )
