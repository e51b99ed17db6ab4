"""Terraform root modules as deployment units: the media fixture repository and real corpus projects.

``tests/fixtures/terraform/media`` holds an infrastructure root module
(``infra``, with the local child module ``modules/queue`` and two placeholder
functions), a second root module (``workers``) reading infra's state and
looking its queue up by name, and a SAM application (``app``) reading infra's
SSM parameters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.discover import discover
from pytest_serverless_arch.graph import DeploymentGraph
from pytest_serverless_arch.loading import load_units
from pytest_serverless_arch.model import ForeignRef, LoadedUnit, Location

from .helpers import FIXTURES

MEDIA = FIXTURES / "terraform" / "media"


@pytest.fixture(scope="module")
def graph() -> DeploymentGraph:
    return load(MEDIA)


@pytest.fixture(scope="module")
def loaded() -> dict[str, LoadedUnit]:
    discovery = discover([MEDIA], MEDIA)
    return {unit.name: unit for unit in load_units(discovery, LoadConfig())}


def triggers(graph: DeploymentGraph) -> set[tuple[str, str, str, str]]:
    return {(t.source, t.function, str(t.location), t.detail) for t in graph.trigger_edges()}


# --- units ----------------------------------------------------------------------


def test_each_root_module_is_a_unit_named_by_its_path_and_child_modules_are_not(graph: DeploymentGraph) -> None:
    units = {(unit.name, unit.format, unit.path) for unit in graph.units()}
    assert units == {
        ("infra", "terraform", "infra"),
        ("workers", "terraform", "workers"),
        ("media-app", "sam", "app/template.yaml"),
    }
    assert graph.unit("infra").location == Location("infra/main.tf", 1)
    assert graph.errors == [] and graph.notes == []


def test_child_module_resources_join_the_caller_unit_under_their_module_address(graph: DeploymentGraph) -> None:
    queue = graph.resource("infra:module.jobs.aws_sqs_queue.this")
    assert (queue.kind, queue.type, queue.name, queue.physical_name) == (
        "queue",
        "aws_sqs_queue",
        "module.jobs.aws_sqs_queue.this",
        "media-dev-jobs",
    )
    assert queue.location == Location("infra/modules/queue/main.tf", 14)
    assert graph.resource("infra:module.jobs.aws_sqs_queue.dead_letters").physical_name == "media-dev-jobs-dlq"


def test_physical_names_come_from_locals_variable_defaults_and_tfvars(graph: DeploymentGraph) -> None:
    names = {r.logical_id: r.physical_name for r in graph.resources(unit="infra") if r.kind != "other"}
    assert names == {
        "aws_cloudwatch_event_rule.nightly": "media-dev-nightly",
        "aws_lambda_function.cleanup": "media-dev-cleanup",
        "aws_lambda_function.thumbnail": "media-dev-thumbnail",
        "aws_s3_bucket.media": "media-dev-media",
        "aws_sns_topic.uploads": "media-dev-uploads",
        "aws_ssm_parameter.jobs_queue_arn": "/media/dev/jobs-queue-arn",
        "aws_ssm_parameter.uploads_topic_arn": "/media/dev/uploads-topic-arn",
        "module.jobs.aws_sqs_queue.dead_letters": "media-dev-jobs-dlq",
        "module.jobs.aws_sqs_queue.this": "media-dev-jobs",
    }
    kinds = {r.logical_id: r.kind for r in graph.resources(unit="infra")}
    assert kinds["aws_cloudwatch_event_rule.nightly"] == "schedule"
    assert kinds["aws_ssm_parameter.jobs_queue_arn"] == "parameter"


def test_functions_are_named_by_their_terraform_address(graph: DeploymentGraph) -> None:
    assert sorted(f.name for f in graph.functions(unit="infra")) == [
        "aws_lambda_function.cleanup",
        "aws_lambda_function.thumbnail",
    ]


def test_provider_default_tags_become_unit_tags(graph: DeploymentGraph) -> None:
    assert dict(graph.unit("infra").tags) == {"domain": "media"}


# --- edges inside a unit ----------------------------------------------------------


def test_trigger_edges_of_the_infrastructure_module(graph: DeploymentGraph) -> None:
    inside = {edge for edge in triggers(graph) if edge[1].startswith("infra:")}
    assert inside == {
        ("infra:aws_s3_bucket.media", "infra:aws_lambda_function.thumbnail", "infra/main.tf:42", "S3"),
        ("infra:aws_cloudwatch_event_rule.nightly", "infra:aws_lambda_function.cleanup", "infra/main.tf:92", "EventBridge"),
    }


def test_a_permission_adds_no_trigger_that_a_notification_or_target_already_gives(graph: DeploymentGraph) -> None:
    assert not [t for t in graph.trigger_edges() if t.detail == "Permission"]


def test_iam_policies_and_environment_variables_are_accesses(graph: DeploymentGraph) -> None:
    accesses = {
        (e.source.split(":", 1)[1], e.target.split(":", 1)[1], str(e.location), e.detail)
        for e in graph.edges("accesses")
        if e.source.startswith("infra:")
    }
    assert accesses == {
        ("aws_lambda_function.thumbnail", "module.jobs.aws_sqs_queue.this", "infra/main.tf:65", "environment JOBS_QUEUE_URL"),
        # Each jsonencode statement at the line of its own `{`.
        ("aws_lambda_function.thumbnail", "aws_s3_bucket.media", "infra/main.tf:121", "read"),
        ("aws_lambda_function.thumbnail", "module.jobs.aws_sqs_queue.this", "infra/main.tf:126", "write"),
        ("aws_lambda_function.cleanup", "aws_s3_bucket.media", "infra/main.tf:121", "read"),
        ("aws_lambda_function.cleanup", "module.jobs.aws_sqs_queue.this", "infra/main.tf:126", "write"),
    }


def test_references_follow_module_inputs_and_outputs(graph: DeploymentGraph) -> None:
    references = {(e.source, e.target, str(e.location)) for e in graph.edges("references")}
    assert ("infra:aws_ssm_parameter.jobs_queue_arn", "infra:module.jobs.aws_sqs_queue.this", "infra/ssm.tf:5") in references
    assert (
        "infra:module.jobs.aws_sqs_queue.this",
        "infra:module.jobs.aws_sqs_queue.dead_letters",
        "infra/modules/queue/main.tf:16",
    ) in references


# --- across units -------------------------------------------------------------------


def test_lookups_by_name_and_remote_state_outputs_are_foreign_references(loaded: dict[str, LoadedUnit]) -> None:
    workers = loaded["workers"]
    trigger_edges = {(e.source, e.target, str(e.location), e.detail) for e in workers.edges if e.kind == "triggers"}
    assert trigger_edges == {
        (
            ForeignRef("name", "media-dev-jobs", "queue"),
            "aws_lambda_function.transcode",
            "workers/main.tf:37",
            "EventSourceMapping",
        ),
        (
            ForeignRef("remote_state", "infra/uploads_topic_arn", "topic"),
            "aws_lambda_function.transcode",
            "workers/main.tf:43",
            "SNS",
        ),
    }
    exports = {export.output: export.target for export in loaded["infra"].exports}
    assert exports == {"uploads_topic_arn": "aws_sns_topic.uploads", "jobs_queue_url": "module.jobs.aws_sqs_queue.this"}


def test_cross_unit_triggers_resolve_to_the_infrastructure_resources(graph: DeploymentGraph) -> None:
    crossing = {edge for edge in triggers(graph) if edge[1].startswith("workers:")}
    assert crossing == {
        (
            "infra:module.jobs.aws_sqs_queue.this",
            "workers:aws_lambda_function.transcode",
            "workers/main.tf:37",
            "EventSourceMapping",
        ),
        ("infra:aws_sns_topic.uploads", "workers:aws_lambda_function.transcode", "workers/main.tf:43", "SNS"),
    }
    assert all(t.cross_unit for t in graph.trigger_edges() if t.function.startswith("workers:"))


def test_cross_unit_links_name_the_ssm_parameters_remote_state_and_lookups_by_name(graph: DeploymentGraph) -> None:
    links = {(link.kind, link.from_unit, link.to_unit, link.target, str(link.location)) for link in graph.cross_unit_links()}
    assert ("ssm_parameter", "media-app", "infra", "infra:aws_ssm_parameter.jobs_queue_arn", "app/template.yaml:24") in links
    assert ("ssm_parameter", "media-app", "infra", "infra:aws_ssm_parameter.uploads_topic_arn", "app/template.yaml:18") in links
    # one link per fact, at its first use; the subscription (mapping) and the function it feeds are its detail
    assert ("remote_state", "workers", "infra", "infra:aws_sns_topic.uploads", "workers/main.tf:43") in links
    assert ("name_reference", "workers", "infra", "infra:module.jobs.aws_sqs_queue.this", "workers/main.tf:37") in links
    assert sorted(link.detail for link in graph.cross_unit_links() if link.from_unit == "workers") == [
        "infra/uploads_topic_arn; used by 2: aws_lambda_function.transcode, aws_sns_topic_subscription.uploads",
        "media-dev-jobs; used by 2: aws_lambda_event_source_mapping.jobs, aws_lambda_function.transcode",
    ]
    assert len(graph.cross_unit_links()) == 4
    assert {(link.from_unit, link.to_unit) for link in graph.cross_unit_links()} == {("media-app", "infra"), ("workers", "infra")}


def test_a_trigger_through_an_ssm_parameter_is_followed_to_the_resource_terraform_stores_in_it(graph: DeploymentGraph) -> None:
    assert graph.resource("infra:aws_ssm_parameter.jobs_queue_arn").properties["Value"] == (
        "${module.jobs.aws_sqs_queue.this.arn}"
    )
    [trigger] = graph.triggers_of("media-app:IndexFunction")
    assert (trigger.source, str(trigger.location), trigger.cross_unit) == (
        "infra:aws_sns_topic.uploads",
        "app/template.yaml:18",
        True,
    )


def test_the_infrastructure_deploys_before_both_applications(graph: DeploymentGraph) -> None:
    assert graph.deploy_order() == [["infra"], ["media-app", "workers"]]


# --- placeholders ------------------------------------------------------------------------


def test_functions_whose_code_another_pipeline_ships_are_placeholders(graph: DeploymentGraph) -> None:
    assert graph.resource("infra:aws_lambda_function.thumbnail").code_source == (
        "filename and source_code_hash are in lifecycle.ignore_changes"
    )
    assert graph.resource("infra:aws_lambda_function.cleanup").code_source == (
        "s3_key comes from var.cleanup_artifact_key, which has no default"
    )
    assert graph.resource("workers:aws_lambda_function.transcode").code_source is None


def test_no_function_placeholders_reports_both_terraform_shells(graph: DeploymentGraph) -> None:
    from pytest_serverless_arch.rules.no_function_placeholders import no_function_placeholders

    found = sorted(str(v).split(" is a placeholder")[0] for v in no_function_placeholders(graph))
    assert found == [
        "infra/main.tf:57: no-function-placeholders: function aws_lambda_function.thumbnail (unit infra)",
        "infra/main.tf:76: no-function-placeholders: function aws_lambda_function.cleanup (unit infra)",
    ]


# --- corpus ---------------------------------------------------------------------------------


def test_a_kinesis_project_from_the_corpus_loads_its_trigger_and_policy(corpus: Path) -> None:
    graph = load(corpus / "serverless-patterns" / "kinesis-lambda-terraform")
    unit = "kinesis-lambda-terraform"
    assert [(u.name, u.format) for u in graph.units()] == [(unit, "terraform")]
    assert triggers(graph) == {
        (
            f"{unit}:aws_kinesis_stream.sample_stream",
            f"{unit}:aws_lambda_function.sample_lambda",
            "main.tf:89",
            "EventSourceMapping",
        )
    }
    assert [(e.target, e.detail) for e in graph.edges("accesses")] == [(f"{unit}:aws_kinesis_stream.sample_stream", "read")]


def test_an_api_gateway_project_from_the_corpus_gets_its_integration_trigger(corpus: Path) -> None:
    graph = load(corpus / "serverless-patterns" / "apigw-lambda-dynamodb-terraform")
    assert graph.errors == []
    api = [t for t in graph.trigger_edges() if t.detail in ("Api", "HttpApi")]
    assert api and all(t.source_kind == "api" for t in api)


def test_the_json_report_names_terraform_and_cdk_units_and_functions_by_address(graph: DeploymentGraph) -> None:
    from pytest_serverless_arch.report import build_report

    report = build_report(graph)
    assert {(unit["name"], unit["format"]) for unit in report["units"]} == {
        ("infra", "terraform"),
        ("workers", "terraform"),
        ("media-app", "sam"),
    }
    assert {f["name"] for f in report["functions"] if f["unit"] == "infra"} == {
        "aws_lambda_function.thumbnail",
        "aws_lambda_function.cleanup",
    }
    cdk = build_report(load(FIXTURES / "cdk" / "shop"))
    assert {unit["format"] for unit in cdk["units"]} == {"cdk"}
