"""``accesses`` (and ``invokes``) edges: IAM statements, SAM policy templates, environment
variables, dead-letter queues and destinations, with read/write and lines.

Fixtures are real templates from the shared corpus (see ``tests/fixtures/cfn`` and
``tests/fixtures/sam``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_serverless_arch.loaders.sam.policies import POLICY_TEMPLATES

from .helpers import FIXTURES, load_template, short


def edges(path: Path, *kinds: str) -> list[tuple[str, str, str, int, str]]:
    graph = load_template(path)
    return sorted((e.kind, short(e.source), short(e.target), e.location.line, e.detail) for e in graph.edges() if e.kind in kinds)


def test_an_iam_role_statement_on_a_bucket_arn_is_a_readwrite_access_of_the_bucket() -> None:
    accesses = edges(FIXTURES / "cfn" / "s3-transcribe.yaml", "accesses")
    assert ("accesses", "TranscriptionFunction", "AudioBucket", 58, "readwrite") in accesses


def test_an_inline_sam_statement_allowing_lambda_invoke_is_an_invokes_edge() -> None:
    invokes = edges(FIXTURES / "cfn" / "websocket-connect-route.yml", "invokes")
    assert invokes == [("invokes", "OnConnectLambdaFunction", "PostLambdaFunction", 35, "IAM lambda:InvokeFunction")]


def test_environment_variables_naming_resources_are_accesses() -> None:
    accesses = edges(FIXTURES / "cfn" / "state-machine-tasks.yaml", "accesses")
    assert [edge for edge in accesses if edge[1] == "InvokerLambda"] == [
        ("accesses", "InvokerLambda", "CapstoneWebSocketApi", 122, "environment APIG_ENDPOINT"),
        ("accesses", "InvokerLambda", "Orchestrator", 124, "environment statemachine_arn"),
    ]


def test_environment_variables_in_globals_are_accesses_of_every_function_at_the_globals_line() -> None:
    accesses = edges(FIXTURES / "sam" / "globals-environment-orders.yaml", "accesses")
    assert [edge for edge in accesses if edge[4].startswith("environment")] == [
        ("accesses", "OrderProcessingFunction", "OrdersTable", 13, "environment ORDERS_TABLE"),
        ("accesses", "OrderStatusFunction", "OrdersTable", 13, "environment ORDERS_TABLE"),
    ]


def test_policy_templates_on_a_local_table_are_accesses_with_their_mode() -> None:
    accesses = edges(FIXTURES / "sam" / "globals-environment-orders.yaml", "accesses")
    assert ("accesses", "OrderProcessingFunction", "OrdersTable", 44, "readwrite") in accesses
    assert ("accesses", "OrderStatusFunction", "OrdersTable", 60, "read") in accesses


def test_policy_templates_on_literal_names_are_accesses_of_the_arn_sam_builds() -> None:
    found = edges(FIXTURES / "sam" / "all_policy_templates.yaml", "accesses", "invokes")
    arn = "external:arn:arn:aws:{}:${{AWS::Region}}:${{AWS::AccountId}}:{}"
    assert ("accesses", "KitchenSinkFunction", arn.format("sqs", "name"), 16, "read") in found
    assert ("invokes", "KitchenSinkFunction", arn.format("lambda", "function:name*"), 19, "IAM lambda:InvokeFunction") in found
    assert ("accesses", "KitchenSinkFunction", arn.format("dynamodb", "table/name"), 28, "readwrite") in found
    assert ("accesses", "KitchenSinkFunction", arn.format("dynamodb", "table/name"), 31, "read") in found
    assert ("accesses", "KitchenSinkFunction", arn.format("sqs", "name"), 59, "write") in found
    assert ("accesses", "KitchenSinkFunction", arn.format("sns", "name"), 62, "write") in found


def test_every_policy_template_sam_defines_is_known_to_the_reader() -> None:
    """The table follows SAM's own list (``policy_templates.json`` of aws-sam-translator)."""
    samtranslator = pytest.importorskip("samtranslator")
    import json

    data = Path(samtranslator.__file__).parent / "policy_templates_data" / "policy_templates.json"
    templates = json.loads(data.read_text())["Templates"]
    from pytest_serverless_arch.loaders.sam.policies import RESOURCELESS_TEMPLATES

    assert sorted(set(templates) - set(POLICY_TEMPLATES) - RESOURCELESS_TEMPLATES) == []
    for name, template in POLICY_TEMPLATES.items():
        if name in templates:
            assert set(template.parameters) <= set(templates[name].get("Parameters", {})), name


def test_a_dead_letter_queue_is_written_to() -> None:
    accesses = edges(FIXTURES / "sam" / "function_with_dlq.yaml", "accesses")
    assert accesses == [
        ("accesses", "MySnsDlqLambdaFunction", "external:name:arn", 9, "write"),
        ("accesses", "MySqsDlqLambdaFunction", "external:name:arn", 19, "write"),
    ]


def test_destinations_give_the_same_edges_from_sam_and_from_the_cloudformation_sam_makes() -> None:
    def without_lines(path: Path) -> set[tuple[str, str, str]]:
        return {
            (kind, source, target)
            for kind, source, target, _, detail in edges(path, "accesses", "invokes")
            if detail.startswith(("write", "destination"))
        }

    sam = without_lines(FIXTURES / "sam" / "function_with_event_dest.yaml")
    cloudformation = without_lines(FIXTURES / "cfn" / "sam-output-function_with_event_dest.json")
    assert (
        sam
        == cloudformation
        == {
            ("accesses", "MyTestFunction", "MyTestFunctionEventInvokeConfigOnFailureTopic"),
            ("accesses", "MyTestFunction", "MyTestFunctionEventInvokeConfigOnSuccessQueue"),
            ("accesses", "MyTestFunction", "external:name:SOME-SNS-ARN"),
            ("accesses", "MyTestFunction", "external:name:my-sqs-arn"),
            ("accesses", "MyTestFunction2", "external:name:event-bus-arn"),
            ("invokes", "MyTestFunction2", "DestinationLambda"),
        }
    )


def test_the_sam_destination_lines_point_at_on_success_and_on_failure() -> None:
    found = edges(FIXTURES / "sam" / "function_with_event_dest.yaml", "accesses", "invokes")
    assert {target: line for _, source, target, line, _ in found if source == "MyTestFunction"} == {
        "MyTestFunctionEventInvokeConfigOnFailureTopic": 31,  # OnFailure:
        "external:name:SOME-SNS-ARN": 31,
        "MyTestFunctionEventInvokeConfigOnSuccessQueue": 28,  # OnSuccess:
        "external:name:my-sqs-arn": 28,
    }


def test_a_function_named_in_another_functions_environment_and_invoke_policy_is_invoked() -> None:
    assert edges(FIXTURES / "sam" / "function-calls-function.yaml", "invokes", "accesses") == [
        ("invokes", "DurableLambdaFunction", "ProcessorFunction", 36, "environment PROCESSOR_FUNCTION_NAME"),
        ("invokes", "DurableLambdaFunction", "ProcessorFunction", 40, "IAM lambda:InvokeFunction"),
    ]
