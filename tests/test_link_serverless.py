"""Links made by serverless.yml variables (``${cf:..}``, ``${ssm:..}``) and by serverless-compose."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.loaders.serverless.compose import read_compose
from pytest_serverless_arch.model import Location
from pytest_serverless_arch.parse import parse_yaml

FIXTURES = Path(__file__).parent / "fixtures" / "link"

needs_serverless = pytest.mark.skipif(
    importlib.util.find_spec("pytest_serverless_arch.loaders.serverless.service") is None,
    reason="the serverless.yml loader (pytest_serverless_arch.loaders.serverless) has not landed yet",
)


@needs_serverless
def test_cf_and_ssm_variables_link_a_service_to_the_service_providing_them():
    graph = load(FIXTURES / "serverless")
    assert [
        (link.kind, link.from_unit, link.to_unit, link.source, link.target, str(link.location))
        for link in graph.cross_unit_links()
    ] == [
        (
            "ssm_parameter",
            "search-dev",
            "catalog-dev",
            "search-dev:indexer",
            "catalog-dev:TableNameParameter",
            "search/serverless.yml:11",
        ),
        (
            "stack_output",
            "search-dev",
            "catalog-dev",
            "search-dev:indexer",
            "catalog-dev:CatalogTopic",
            "search/serverless.yml:13",
        ),
    ]
    [trigger] = graph.trigger_edges()
    assert (trigger.source, trigger.function, trigger.cross_unit) == ("catalog-dev:CatalogTopic", "search-dev:indexer", True)
    assert graph.deploy_order() == [["catalog-dev"], ["search-dev"]]


@needs_serverless
def test_compose_params_and_depends_on_are_links_between_the_services_units():
    graph = load(FIXTURES / "compose")
    assert [
        (link.kind, link.from_unit, link.to_unit, link.source, link.target, str(link.location))
        for link in graph.cross_unit_links()
    ] == [
        # ${param:stockTopicArn} in the function's event: the param's value is the inventory's topic
        (
            "compose_param",
            "orders-dev",
            "inventory-dev",
            "orders-dev:reserve",
            "inventory-dev:StockTopic",
            "orders/serverless.yml:9",
        ),
        # a param no resource uses is still a link, from the service's unit, at the compose file
        (
            "compose_param",
            "orders-dev",
            "inventory-dev",
            "unit:orders-dev",
            "inventory-dev:StockQueue",
            "serverless-compose.yml:8",
        ),
        (
            "depends_on",
            "notifications-dev",
            "orders-dev",
            "unit:notifications-dev",
            "unit:orders-dev",
            "serverless-compose.yml:12",
        ),
    ]
    assert graph.deploy_order() == [["inventory-dev"], ["orders-dev"], ["notifications-dev"]]


@needs_serverless
def test_a_compose_param_makes_the_providing_services_topic_the_trigger_source():
    graph = load(FIXTURES / "compose")
    [trigger] = graph.trigger_edges()
    assert (trigger.source, trigger.function, trigger.cross_unit, str(trigger.location)) == (
        "inventory-dev:StockTopic",
        "orders-dev:reserve",
        True,
        "orders/serverless.yml:9",
    )
    assert graph.externals() == []


def test_a_compose_file_is_read_into_services_params_and_dependencies():
    document = parse_yaml(
        "services:\n"
        "  api:\n"
        "    path: ./services/api\n"
        "    config: serverless.api.yml\n"
        "    params:\n"
        "      tableName: ${core.tableName}\n"
        "      url: https://${core.domain}/v1\n"
        "      stage: ${sls:stage}\n"
        "    dependsOn: core\n"
        "  core:\n"
        "    path: services/core\n"
    )
    project = read_compose(document, "deploy/serverless-compose.yml")
    api, core = project.services
    assert (api.name, api.path, api.config_file, core.path) == (
        "api",
        "deploy/services/api",
        "serverless.api.yml",
        "deploy/services/core",
    )
    assert [(param.name, param.service, param.output, param.location.line) for param in api.params] == [
        ("tableName", "core", "tableName", 6),
        ("url", "core", "domain", 7),
    ]
    assert api.depends_on == (("core", Location("deploy/serverless-compose.yml", 9)),)
    assert project.errors == ()


def test_a_compose_service_without_a_path_or_leaving_the_repository_is_a_load_error():
    document = parse_yaml("services:\n  api: {}\n  core:\n    path: ../../core\n")
    project = read_compose(document, "serverless-compose.yml")
    assert project.services == ()
    assert [str(error) for error in project.errors] == [
        "serverless-compose.yml:2: compose service 'api' needs a `path`",
        "serverless-compose.yml:3: compose service 'core': path '../../core' leads out of the repository",
    ]


@needs_serverless
def test_a_compose_dependency_on_an_unknown_service_is_a_note_not_a_crash(tmp_path):
    (tmp_path / "serverless-compose.yml").write_text("services:\n  api:\n    path: api\n    dependsOn: [core]\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "serverless.yml").write_text("service: api\nprovider:\n  name: aws\n")
    graph = load(tmp_path)
    assert graph.cross_unit_links() == []
    assert [str(note) for note in graph.notes if "compose" in note.message] == [
        "serverless-compose.yml:4: compose service 'api' depends on 'core', which is not a service of this compose file"
    ]


@needs_serverless
def test_a_cf_variable_inside_resources_is_a_stack_output_link_and_a_cross_unit_trigger(tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "serverless.yml").write_text(
        "service: media\n"
        "provider: {name: aws, runtime: python3.12}\n"
        "resources:\n"
        "  Resources:\n"
        "    Uploads:\n"
        "      Type: AWS::S3::Bucket\n"
        "      Properties:\n"
        "        NotificationConfiguration:\n"
        "          LambdaConfigurations:\n"
        "            - Event: s3:ObjectCreated:*\n"
        "              Function: ${cf:resizer.ResizeArn}\n"
        "            - Event: s3:ObjectRemoved:*\n"
        "              Function: ${cf:elsewhere.CleanArn}\n"
    )
    (tmp_path / "resizer.yaml").write_text(
        "Resources:\n"
        "  Resize:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Runtime: python3.12}\n"
        "Outputs:\n"
        "  ResizeArn:\n"
        "    Value: !GetAtt Resize.Arn\n"
    )
    graph = load(tmp_path, stack_names={"resizer.yaml": "resizer"})
    triggers = {(t.source, t.function, t.cross_unit) for t in graph.trigger_edges()}
    assert triggers == {
        ("media-dev:Uploads", "resizer:Resize", True),
        ("media-dev:Uploads", "external:stack_output:elsewhere/CleanArn", True),
    }
    assert ("stack_output", "media-dev", None, "media-dev:Uploads", "external:stack_output:elsewhere/CleanArn") in {
        (link.kind, link.from_unit, link.to_unit, link.source, link.target) for link in graph.cross_unit_links()
    }


@needs_serverless
def test_a_compose_param_inside_resources_resolves_to_the_providing_services_output(tmp_path):
    (tmp_path / "serverless-compose.yml").write_text(
        "services:\n  infra: {path: infra}\n  app:\n    path: app\n    params:\n      jobsQueueArn: ${infra.JobsQueueArn}\n"
    )
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "serverless.yml").write_text(
        "service: infra\n"
        "provider: {name: aws, runtime: python3.12}\n"
        "resources:\n"
        "  Resources:\n"
        "    JobsQueue: {Type: AWS::SQS::Queue}\n"
        "  Outputs:\n"
        "    JobsQueueArn:\n"
        "      Value: {Fn::GetAtt: [JobsQueue, Arn]}\n"
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "serverless.yml").write_text(
        "service: app\n"
        "provider: {name: aws, runtime: python3.12}\n"
        "functions:\n"
        "  work: {handler: h.work}\n"
        "resources:\n"
        "  Resources:\n"
        "    JobsMapping:\n"
        "      Type: AWS::Lambda::EventSourceMapping\n"
        "      Properties:\n"
        "        FunctionName: {Ref: WorkLambdaFunction}\n"
        "        EventSourceArn: ${param:jobsQueueArn}\n"
    )
    graph = load(tmp_path)
    assert [(t.source, t.function, t.cross_unit) for t in graph.trigger_edges()] == [
        ("infra-dev:JobsQueue", "app-dev:work", True)
    ]
    assert {link.kind for link in graph.cross_unit_links()} == {"compose_param"}
    assert graph.deploy_order() == [["infra-dev"], ["app-dev"]]
