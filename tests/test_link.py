"""Cross-unit links on small multi-unit repositories, one per link kind.

Expected lines are looked up in the fixture text (``line_of``), so each test
pins the exact ``file:line`` a person would open.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.graph import DeploymentGraph, Link
from pytest_serverless_arch.model import Location

FIXTURES = Path(__file__).parent / "fixtures" / "link"


def line_of(relpath: str, snippet: str, repo: str) -> Location:
    """The location of the first line of ``repo/relpath`` containing ``snippet``."""
    text = (FIXTURES / repo / relpath).read_text().splitlines()
    for number, line in enumerate(text, 1):
        if snippet in line:
            return Location(relpath, number)
    raise AssertionError(f"{snippet!r} not in {relpath}")


def links(graph: DeploymentGraph) -> list[tuple[str, str, str | None, str, str, str]]:
    return [
        (link.kind, link.from_unit, link.to_unit, link.source, link.target, str(link.location))
        for link in graph.cross_unit_links()
    ]


@pytest.fixture(scope="module")
def imports_graph() -> DeploymentGraph:
    return load(FIXTURES / "imports")


def test_an_import_value_links_the_importing_resource_to_the_exported_resource(imports_graph):
    at = "billing/template.yaml"
    assert links(imports_graph) == [
        (
            "imports",
            "billing",
            "orders",
            "billing:BillingFunction",
            "orders:LambdaRole",
            str(line_of(at, "Role: !ImportValue", "imports")),
        ),
        (
            "imports",
            "billing",
            "orders",
            "billing:BillingFunction",
            "orders:OrdersQueue",
            str(line_of(at, "OrdersQueueMapping:", "imports")),
        ),
    ]


def test_an_imported_queue_triggers_its_consumer_across_units(imports_graph):
    [trigger] = imports_graph.trigger_edges()
    assert (trigger.source, trigger.source_kind, trigger.function, trigger.cross_unit) == (
        "orders:OrdersQueue",
        "queue",
        "billing:BillingFunction",
        True,
    )
    assert trigger.location == line_of("billing/template.yaml", "OrdersQueueMapping:", "imports")


def test_an_import_name_built_with_sub_uses_samconfig_parameter_overrides(imports_graph):
    # the parameter's default (orders-staging) would name an export that does not exist
    assert imports_graph.externals() == []
    assert [link.detail for link in imports_graph.cross_unit_links()] == ["orders-LambdaRoleArn", "orders-QueueArn"]


def test_an_import_in_any_property_is_kept_as_a_cross_unit_reference(imports_graph):
    [edge] = [edge for edge in imports_graph.edges_from("billing:BillingFunction", "references")]
    assert (edge.target, edge.cross_unit, edge.location) == (
        "orders:LambdaRole",
        True,
        line_of("billing/template.yaml", "Role: !ImportValue", "imports"),
    )


def test_the_importing_unit_deploys_after_the_exporting_one(imports_graph):
    assert imports_graph.deploy_order() == [["orders"], ["billing"]]
    [dependency] = imports_graph.unit_dependencies()
    assert (dependency.unit, dependency.depends_on, len(dependency.links)) == ("billing", "orders", 2)


def test_an_ssm_parameter_read_in_another_unit_links_to_the_unit_writing_it():
    graph = load(FIXTURES / "ssm")
    at = "worker/template.yaml"
    assert links(graph) == [
        (
            "ssm_parameter",
            "worker",
            "config",
            "worker:WorkerFunction",
            "config:JobsQueueUrl",
            str(line_of(at, "QUEUE_URL:", "ssm")),
        ),
        (
            "ssm_parameter",
            "worker",
            "config",
            "worker:WorkerFunction",
            "config:JobsTableName",
            str(line_of(at, "TABLE_NAME:", "ssm")),
        ),
    ]
    assert graph.deploy_order() == [["config"], ["worker"]]


def test_a_function_using_a_queue_url_read_from_ssm_accesses_that_queue():
    graph = load(FIXTURES / "ssm")
    accesses = {(edge.target, edge.cross_unit) for edge in graph.edges_from("worker:WorkerFunction", "accesses")}
    # /shop/jobs/queue-url holds !Ref JobsQueue; /shop/jobs/table-name holds a literal
    assert accesses == {("config:JobsQueue", True), ("config:JobsTableName", True)}


def test_a_queue_arn_read_from_ssm_makes_the_queue_the_trigger_source(tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "template.yaml").write_text(
        "Resources:\n"
        "  Jobs:\n"
        "    Type: AWS::SQS::Queue\n"
        "  JobsArn:\n"
        "    Type: AWS::SSM::Parameter\n"
        "    Properties: {Name: /jobs/arn, Type: String, Value: !GetAtt Jobs.Arn}\n"
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "template.yaml").write_text(
        "Resources:\n"
        "  Worker:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Runtime: python3.12, Handler: a.b, Role: r, Code: {ZipFile: x}}\n"
        "  Mapping:\n"
        "    Type: AWS::Lambda::EventSourceMapping\n"
        "    Properties:\n"
        "      FunctionName: !Ref Worker\n"
        "      EventSourceArn: '{{resolve:ssm:/jobs/arn}}'\n"
    )
    graph = load(tmp_path)
    [trigger] = graph.trigger_edges()
    assert (trigger.source, trigger.source_kind, trigger.cross_unit) == ("infra:Jobs", "queue", True)
    # the mapping reads the parameter and the function it feeds is triggered through it: one link naming both
    assert links(graph) == [("ssm_parameter", "app", "infra", "app:Worker", "infra:JobsArn", "app/template.yaml:5")]
    [link] = graph.cross_unit_links()
    assert link.detail.endswith("used by 2: Mapping, Worker")
    assert graph.deploy_order() == [["infra"], ["app"]]


def test_get_stack_output_links_to_the_named_stack_output():
    graph = load(FIXTURES / "stack_output")
    at = "shipping/template.yaml"
    assert links(graph) == [
        (
            "stack_output",
            "shipping",
            "inventory",
            "shipping:ShippingFunction",
            "inventory:StockTopic",
            str(line_of(at, "StockSubscription:", "stack_output")),
        ),
    ]
    [trigger] = graph.trigger_edges()
    assert (trigger.source, trigger.function, trigger.cross_unit) == ("inventory:StockTopic", "shipping:ShippingFunction", True)
    assert graph.deploy_order() == [["inventory"], ["shipping"]]


@pytest.fixture(scope="module")
def names_graph() -> DeploymentGraph:
    return load(FIXTURES / "names")


def test_arns_and_names_of_another_units_resources_are_name_references(names_graph):
    at = "audit/template.yaml"
    assert links(names_graph) == [
        (
            "name_reference",
            "audit",
            "events",
            "audit:AuditFunction",
            "events:AuditQueue",
            str(line_of(at, "AUDIT_QUEUE_ARN:", "names")),
        ),
        (
            "name_reference",
            "audit",
            "events",
            "audit:AuditFunction",
            "events:OrderEvents",
            str(line_of(at, "OrderEventsSubscription:", "names")),
        ),
        (
            "name_reference",
            "audit",
            "events",
            "audit:ShopBusRule",
            "events:ShopBus",
            str(line_of(at, "EventBusName: shop-bus", "names")),
        ),
    ]


def test_a_topic_found_by_its_arn_triggers_across_units(names_graph):
    triggers = {(t.source, t.function): t.cross_unit for t in names_graph.trigger_edges()}
    assert triggers[("events:OrderEvents", "audit:AuditFunction")] is True


def test_a_rule_on_a_bus_in_another_unit_is_a_link_to_the_bus_not_a_cross_unit_trigger(names_graph):
    [trigger] = [t for t in names_graph.triggers_of("audit:AuditFunction") if t.source == "audit:ShopBusRule"]
    assert trigger.cross_unit is False
    references = names_graph.edges_from("audit:ShopBusRule", "references")
    assert [(edge.target, edge.cross_unit) for edge in references] == [("audit:AuditFunction", False), ("events:ShopBus", True)]


def test_the_default_bus_and_another_accounts_topic_are_external_nodes_not_links(names_graph):
    assert [(node.id, node.kind) for node in names_graph.externals()] == [
        ("external:arn:arn:aws:sns:us-east-1:999999999999:partner-topic", "topic"),
        ("external:default event bus", "event_bus"),
    ]
    references = names_graph.edges_from("audit:DefaultBusRule", "references")
    assert [(edge.target, edge.cross_unit) for edge in references] == [
        ("audit:AuditFunction", False),
        ("external:default event bus", True),
    ]
    assert all(link.to_unit == "events" for link in names_graph.cross_unit_links())


def test_an_unresolved_import_becomes_an_external_link_that_does_not_block_the_deploy_order(tmp_path):
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      KmsMasterKeyId: !ImportValue platform-KeyId\n"
    )
    graph = load(tmp_path)
    assert links(graph) == [
        ("imports", tmp_path.name, None, f"{tmp_path.name}:Queue", "external:import:platform-KeyId", "template.yaml:5")
    ]
    assert graph.deploy_order() == [[tmp_path.name]]


def test_an_export_import_cycle_has_no_deploy_order_and_names_the_cycle():
    graph = load(FIXTURES / "cycle")
    assert graph.deploy_order() is None
    assert graph.unit_cycles() == [["a", "b"]]
    assert [(link.from_unit, link.to_unit, str(link.location)) for link in graph.cross_unit_links()] == [
        ("a", "b", "a/template.yaml:8"),
        ("b", "a", "b/template.yaml:8"),
    ]


def test_links_in_the_json_report_name_both_units_and_the_location(imports_graph):
    from pytest_serverless_arch.report import build_report

    report = build_report(imports_graph)
    assert report["links"][1] == {
        "kind": "imports",
        "from_unit": "billing",
        "to_unit": "orders",
        "source": "billing:BillingFunction",
        "target": "orders:OrdersQueue",
        "cross_pipeline": None,
        "location": str(line_of("billing/template.yaml", "OrdersQueueMapping:", "imports")),
        "used_by": ["billing:BillingFunction"],
    }
    assert report["deploy_order"] == [["orders"], ["billing"]]


def test_a_link_is_a_frozen_record(imports_graph):
    link = imports_graph.cross_unit_links()[0]
    assert isinstance(link, Link)
    with pytest.raises(AttributeError):
        link.kind = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:sqs:eu-west-1:123456789012:jobs", ("queue", "jobs")),
        ("arn:aws:sns:eu-west-1:123456789012:events:7a1c-subscription", ("topic", "events")),
        ("arn:aws:s3:::media-bucket/incoming/*", ("bucket", "media-bucket")),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024-01-01", ("table", "Orders")),
        ("arn:aws:kinesis:eu-west-1:123456789012:stream/clicks", ("stream", "clicks")),
        ("arn:aws:lambda:eu-west-1:123456789012:function:resize:live", ("function", "resize")),
        ("arn:aws:events:eu-west-1:123456789012:event-bus/shop-bus", ("event_bus", "shop-bus")),
        ("arn:aws:states:eu-west-1:123456789012:stateMachine:checkout", ("state_machine", "checkout")),
        ("arn:aws:ssm:eu-west-1:123456789012:parameter/shop/url", ("parameter", "/shop/url")),
        ("arn:aws:sqs:eu-west-1:123456789012:*", None),
        ("arn:aws:execute-api:eu-west-1:123456789012:abc123/*", None),
        ("not-an-arn", None),
    ],
)
def test_an_arn_names_a_resource_of_a_kind_by_its_physical_name(arn, expected):
    from pytest_serverless_arch.link import arn_resource_name

    parsed = arn_resource_name(arn)
    assert (parsed[:2] if parsed else None) == expected


def _app_with_arns_of_three_places(tmp_path):
    (tmp_path / "infra.yaml").write_text("Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: jobs}\n")
    (tmp_path / "app.yaml").write_text(
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        "      Runtime: python3.12\n"
        "      Environment:\n"
        "        Variables:\n"
        "          SAME: arn:aws:sqs:us-east-1:123456789012:jobs\n"
        "          OTHER_REGION: arn:aws:sqs:eu-west-1:123456789012:jobs\n"
        "          OTHER_ACCOUNT: arn:aws:sqs:us-east-1:999999999999:jobs\n"
    )


def test_an_arn_of_any_region_or_account_names_the_repositorys_resource_when_nobody_gives_them(tmp_path):
    _app_with_arns_of_three_places(tmp_path)
    graph = load(tmp_path)
    assert sorted((edge.target, edge.location.line) for edge in graph.edges_from("app.yaml:Fn", "accesses")) == [
        ("infra.yaml:Jobs", 8),
        ("infra.yaml:Jobs", 9),
        ("infra.yaml:Jobs", 10),
    ]


def test_an_arn_of_another_region_or_account_is_not_this_repositorys_resource(tmp_path):
    _app_with_arns_of_three_places(tmp_path)
    graph = load(tmp_path, region="us-east-1", account_id="123456789012")
    targets = sorted(edge.target for edge in graph.edges_from("app.yaml:Fn", "accesses"))
    assert targets == [
        "external:arn:arn:aws:sqs:eu-west-1:123456789012:jobs",
        "external:arn:arn:aws:sqs:us-east-1:999999999999:jobs",
        "infra.yaml:Jobs",
    ]


def test_an_ssm_typed_parameter_no_resource_uses_still_makes_the_stack_depend_on_its_writer(tmp_path):
    (tmp_path / "network.yaml").write_text(
        "Resources:\n"
        "  VpcIdParameter:\n"
        "    Type: AWS::SSM::Parameter\n"
        "    Properties: {Name: /network/vpc-id, Type: String, Value: vpc-123}\n"
    )
    (tmp_path / "app.yaml").write_text(
        "Parameters:\n"
        "  VpcId:\n"
        "    Type: AWS::SSM::Parameter::Value<AWS::EC2::VPC::Id>\n"
        "    Default: /network/vpc-id\n"
        "Resources:\n"
        "  Group:\n"
        "    Type: AWS::EC2::SecurityGroup\n"
        "    Properties: {GroupDescription: app, VpcId: !Ref VpcId}\n"
    )
    graph = load(tmp_path)
    assert links(graph) == [
        ("ssm_parameter", "app.yaml", "network.yaml", "unit:app.yaml", "network.yaml:VpcIdParameter", "app.yaml:2")
    ]
    assert graph.deploy_order() == [["network.yaml"], ["app.yaml"]]
