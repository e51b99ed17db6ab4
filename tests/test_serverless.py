"""serverless.yml services as deployment units: names, functions, every event type, resources, accesses."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.loaders.serverless.naming import function_logical_id, normalized_name

from .helpers import FIXTURES

SERVERLESS = FIXTURES / "serverless"


def triggers(graph) -> list[tuple[str, str, str]]:
    return sorted((edge.source, edge.target, str(edge.location)) for edge in graph.edges("triggers"))


def edges(graph, kind: str) -> list[tuple[str, str, str, str]]:
    return sorted((edge.source, edge.target, str(edge.location), edge.detail) for edge in graph.edges(kind))


def write_service(root: Path, text: str, name: str = "serverless.yml") -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- naming -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "logical_id"),
    [
        ("avScan", "AvScanLambdaFunction"),
        ("queue-worker", "QueueDashworkerLambdaFunction"),
        ("topic_worker", "TopicUnderscoreworkerLambdaFunction"),
        ("a-b_c", "ADashbUnderscorecLambdaFunction"),
    ],
)
def test_a_function_key_is_normalised_like_the_framework_does(key, logical_id):
    assert function_logical_id(key) == logical_id


def test_normalisation_only_touches_dashes_underscores_and_the_first_letter():
    assert normalized_name("x.y z") == "X.y z"


# --- every event type ------------------------------------------------------------------

ALL_EVENTS = "all-events-test"


def _local(logical_id: str) -> str:
    return f"{ALL_EVENTS}:{logical_id}"


def test_every_aws_event_type_becomes_a_trigger_from_what_the_framework_deploys():
    graph = load(SERVERLESS / "all-events")
    at = "serverless.yml:"
    assert triggers(graph) == sorted(
        [
            (_local("ApiGatewayRestApi"), _local("api"), at + "21"),
            (_local("ApiGatewayRestApi"), _local("auth"), at + "21"),  # its authorizer
            (_local("HttpApi"), _local("api"), at + "25"),
            (_local("WebsocketsApi"), _local("api"), at + "26"),
            (_local("WorkQueue"), _local("queue-worker"), at + "33"),
            ("external:arn:arn:aws:sqs:us-east-1:123456789012:external-queue", _local("queue-worker"), at + "35"),
            (_local("SNSTopicOrdercreated"), _local("topic_worker"), at + "39"),
            ("external:arn:arn:aws:sns:us-east-1:123456789012:billing-events", _local("topic_worker"), at + "40"),
            (_local("AuditTopic"), _local("topic_worker"), at + "42"),
            (_local("S3BucketUploads"), _local("files"), at + "48"),
            ("external:arn:arn:aws:s3:::legacy-bucket", _local("files"), at + "49"),
            (_local("CronEventsRuleSchedule1"), _local("cron"), at + "56"),
            (_local("CronEventsRuleSchedule2"), _local("cron"), at + "59"),
            (_local("CronEventsRuleSchedule3"), _local("cron"), at + "60"),
            (_local("Alleventstestbusrule1EventBridgeRule"), _local("bus"), at + "64"),
            (_local("Alleventstestbusrule2EventBridgeRule"), _local("bus"), at + "67"),
            (_local("Alleventstestbusrule3EventBridgeRule"), _local("bus"), at + "71"),
            (_local("LegacyEventsEventsRuleCloudWatchEvent1"), _local("legacyEvents"), at + "78"),
            ("external:name:/aws/lambda/some-other-function", _local("legacyEvents"), at + "81"),
            (_local("OrdersTable"), _local("streams"), at + "85"),
            ("external:arn:arn:aws:kinesis:us-east-1:123456789012:stream/clicks", _local("streams"), at + "88"),
            (_local("WebAlbTargetGroup50dc6c495c0c9188"), _local("web"), at + "92"),
            ("external:alexa skill amzn1.ask.skill.12345", _local("voice"), at + "100"),
            ("external:alexa skill amzn1.ask.skill.67890", _local("voice"), at + "101"),
            (_local("ThingsIotTopicRule1"), _local("things"), at + "105"),
            (_local("CognitoUserPoolCustomers"), _local("users"), at + "110"),
            ("external:name:legacy-pool", _local("users"), at + "113"),
            ("external:kafka b-1.kafka.example.com:9092,b-2.kafka.example.com:9092", _local("brokers"), at + "120"),
            ("external:arn:arn:aws:kafka:us-east-1:123456789012:cluster/orders/abc-123", _local("brokers"), at + "127"),
            ("external:arn:arn:aws:mq:us-east-1:123456789012:broker:active:b-1", _local("brokers"), at + "130"),
            ("external:arn:arn:aws:mq:us-east-1:123456789012:broker:rabbit:b-2", _local("brokers"), at + "134"),
            (_local("UrlFnLambdaFunctionUrl"), _local("urlFn"), at + "140"),
        ]
    )


def test_event_bridge_rules_point_at_the_bus_they_listen_on():
    graph = load(SERVERLESS / "all-events")
    buses = [(source, target) for source, target, _, detail in edges(graph, "references") if detail == "event bus"]
    assert buses == sorted(
        [
            (_local("Alleventstestbusrule1EventBridgeRule"), "external:default event bus"),
            (_local("Alleventstestbusrule2EventBridgeRule"), _local("OrdersDashbusEventBridgeEventBus")),
            (
                _local("Alleventstestbusrule3EventBridgeRule"),
                "external:arn:arn:aws:events:us-east-1:123456789012:event-bus/partner-bus",
            ),
            (_local("LegacyEventsEventsRuleCloudWatchEvent1"), "external:default event bus"),
        ]
    )


def test_resources_the_framework_creates_are_implicit_nodes_of_the_right_kind():
    graph = load(SERVERLESS / "all-events")
    implicit = {resource.logical_id: (resource.type, resource.kind) for resource in graph.resources() if resource.implicit}
    assert implicit["ApiGatewayRestApi"] == ("AWS::ApiGateway::RestApi", "api")
    assert implicit["HttpApi"] == ("AWS::ApiGatewayV2::Api", "api")
    assert implicit["SNSTopicOrdercreated"] == ("AWS::SNS::Topic", "topic")
    assert implicit["S3BucketUploads"] == ("AWS::S3::Bucket", "bucket")
    assert implicit["CronEventsRuleSchedule1"] == ("AWS::Events::Rule", "schedule")
    assert implicit["Alleventstestbusrule1EventBridgeRule"] == ("AWS::Events::Rule", "event_rule")
    assert implicit["OrdersDashbusEventBridgeEventBus"] == ("AWS::Events::EventBus", "event_bus")
    assert "WorkQueue" not in implicit  # written in resources:
    assert graph.resource(_local("SNSTopicOrdercreated")).physical_name == "order-created"


# --- framework fixtures -------------------------------------------------------------------


def test_framework_sns_fixture_creates_topics_by_name_and_uses_existing_ones_by_arn():
    graph = load(SERVERLESS / "framework-sns")
    assert triggers(graph) == [
        (
            "external:arn:arn:aws:sns:${AWS::Region}:${AWS::AccountId}:service-existing",
            "service-dev:snsExisting",
            "serverless.yml:38",
        ),
        ("service-dev:SNSTopicServicefiltered", "service-dev:snsMultipleFilteredLeft", "serverless.yml:19"),
        ("service-dev:SNSTopicServicefiltered", "service-dev:snsMultipleFilteredRight", "serverless.yml:28"),
        ("service-dev:SNSTopicServiceminimal", "service-dev:snsMinimal", "serverless.yml:14"),
    ]


def test_framework_s3_fixture_names_buckets_from_provider_s3_and_keeps_existing_ones_outside():
    graph = load(SERVERLESS / "framework-s3")
    assert triggers(graph) == [
        ("external:arn:arn:aws:s3:::service-s3-existing-complex", "service-dev:existingCreated", "serverless.yml:52"),
        ("external:arn:arn:aws:s3:::service-s3-existing-complex", "service-dev:existingRemoved", "serverless.yml:69"),
        ("external:arn:arn:aws:s3:::service-s3-existing-simple", "service-dev:existing", "serverless.yml:41"),
        ("service-dev:S3BucketCustomBucket", "service-dev:custom", "serverless.yml:35"),
        ("service-dev:S3BucketServices3extended", "service-dev:extended", "serverless.yml:26"),
        ("service-dev:S3BucketServices3minimal", "service-dev:minimal", "serverless.yml:22"),
    ]
    assert graph.resource("service-dev:S3BucketCustomBucket").physical_name == "service-custom-bucket-dev"


def test_framework_schedule_fixture_numbers_rules_per_function():
    graph = load(SERVERLESS / "framework-schedule")
    assert triggers(graph) == [
        ("service-dev:ScheduleExtendedArrayEventsRuleSchedule1", "service-dev:scheduleExtendedArray", "serverless.yml:29"),
        ("service-dev:ScheduleExtendedEventsRuleSchedule1", "service-dev:scheduleExtended", "serverless.yml:18"),
        ("service-dev:ScheduleMinimalEventsRuleSchedule1", "service-dev:scheduleMinimal", "serverless.yml:14"),
    ]


def test_framework_event_bridge_fixture_creates_the_named_bus():
    graph = load(SERVERLESS / "framework-event-bridge")
    assert triggers(graph) == [
        ("service-dev:ServicedeveventBusCustomrule1EventBridgeRule", "service-dev:eventBusCustom", "serverless.yml:24"),
        ("service-dev:ServicedeveventBusDefaultrule1EventBridgeRule", "service-dev:eventBusDefault", "serverless.yml:14"),
    ]
    bus = graph.resource("service-dev:ServiceDashnamedDasheventDashbusEventBridgeEventBus")
    assert (bus.type, bus.physical_name) == ("AWS::Events::EventBus", "service-named-event-bus")


def test_framework_cognito_fixture_merges_a_pool_written_in_resources():
    graph = load(SERVERLESS / "framework-cognito-user-pool")
    assert triggers(graph) == [
        ("external:name:service CUP Existing CustomEmailSender", "service-dev:existingCustomEmailSender", "serverless.yml:51"),
        ("external:name:service CUP Existing Multi", "service-dev:existingMulti", "serverless.yml:40"),
        ("external:name:service CUP Existing Multi", "service-dev:existingMulti", "serverless.yml:44"),
        ("external:name:service CUP Existing Simple", "service-dev:existingSimple", "serverless.yml:32"),
        ("service-dev:CognitoUserPoolCUPCustomEmailSender", "service-dev:customEmailSender", "serverless.yml:20"),
        ("service-dev:CognitoUserPoolServiceCUPBasic", "service-dev:basic", "serverless.yml:14"),
    ]
    assert not graph.resource("service-dev:CognitoUserPoolCUPCustomEmailSender").implicit


def test_framework_stream_fixture_reads_a_table_in_resources_and_a_joined_kinesis_arn():
    graph = load(SERVERLESS / "framework-stream")
    assert triggers(graph) == [
        (
            "external:arn:arn:aws:kinesis:${AWS::Region}:${AWS::AccountId}:stream/service-kinesis",
            "service-dev:streamKinesis",
            "serverless.yml:22",
        ),
        ("service-dev:DynamoDbTable", "service-dev:streamDynamoDb", "serverless.yml:14"),
    ]


def test_framework_websocket_fixture_triggers_an_external_authorizer_by_arn():
    graph = load(SERVERLESS / "framework-websocket-external-auth")
    assert triggers(graph) == [
        ("service-dev:WebsocketsApi", "external:arn:arn:aws:lambda:us-east-1:000000000000:function:auth", "serverless.yml:15"),
        ("service-dev:WebsocketsApi", "service-dev:minimal", "serverless.yml:15"),
    ]


def test_framework_iot_fleet_fixture_reads_its_template_file_without_making_it_a_unit():
    graph = load(SERVERLESS / "framework-iot-fleet-provisioning")
    assert [unit.path for unit in graph.units()] == ["serverless.yml"]
    assert triggers(graph) == [
        ("service-dev:BasicIotProvisioningTemplate", "service-dev:basic", "serverless.yml:21"),
    ]


# --- units and functions ---------------------------------------------------------------


def test_a_service_is_one_unit_named_service_dash_stage_with_its_plugins_and_stack_tags(tmp_path):
    write_service(
        tmp_path,
        """\
        service: orders
        plugins: [serverless-offline, serverless-iam-roles-per-function]
        provider:
          name: aws
          stage: beta
          region: eu-west-1
          stackTags: {domain: sales, team: a}
        functions:
          place: {handler: h.place}
    """,
    )
    graph = load(tmp_path)
    (unit,) = graph.units()
    assert (unit.name, unit.format, unit.region, dict(unit.tags)) == (
        "orders-beta",
        "serverless",
        "eu-west-1",
        {"domain": "sales", "team": "a"},
    )
    assert graph.resource("orders-beta:place").domain == "sales"
    assert load(tmp_path, stage="prod", region="us-west-2").units()[0].name == "orders-prod"


def test_the_loaded_unit_records_its_stage_and_is_named_by_service_and_stage(tmp_path):
    from pytest_serverless_arch.loaders.serverless.service import read_service
    from pytest_serverless_arch.parse import parse_yaml

    document = parse_yaml("service: s\nplugins: [a, b]\nprovider: {name: aws}\n")
    (unit,) = read_service(document, "serverless.yml", LoadConfig(), root=tmp_path, service_dir=tmp_path)
    assert (unit.stage, unit.name) == ("dev", "s-dev")


def test_provider_stack_name_names_the_unit(tmp_path):
    write_service(tmp_path, "service: s\nprovider: {name: aws, stackName: custom-stack}\n")
    assert [unit.name for unit in load(tmp_path).units()] == ["custom-stack"]


def test_a_function_is_named_by_its_key_and_answers_to_the_framework_logical_id(tmp_path):
    write_service(
        tmp_path,
        """\
        service: scanner
        provider: {name: aws, runtime: python3.12}
        functions:
          avScan:
            handler: scan.handler
            tags: {domain: security}
          named:
            handler: n.handler
            name: explicit-name
        resources:
          Resources:
            Uploads:
              Type: AWS::S3::Bucket
              Properties:
                NotificationConfiguration:
                  LambdaConfigurations:
                    - Event: s3:ObjectCreated:*
                      Function: !GetAtt AvScanLambdaFunction.Arn
          Outputs:
            ScanArn:
              Value: !GetAtt AvScanLambdaFunction.Arn
    """,
    )
    graph = load(tmp_path)
    function = graph.resource("scanner-dev:avScan")
    assert (function.name, function.logical_id, function.aliases, function.physical_name) == (
        "avScan",
        "avScan",
        ("AvScanLambdaFunction",),
        "scanner-dev-avScan",
    )
    assert (function.properties["Handler"], function.properties["Runtime"]) == ("scan.handler", "python3.12")
    assert (function.kind, function.code_source, function.domain) == ("function", None, "security")
    assert graph.resource("scanner-dev:named").physical_name == "explicit-name"
    assert triggers(graph) == [("scanner-dev:Uploads", "scanner-dev:avScan", "serverless.yml:17")]


def test_a_function_with_an_image_from_a_registry_ships_its_code_elsewhere(tmp_path):
    write_service(
        tmp_path,
        """\
        service: s
        provider: {name: aws}
        functions:
          f: {image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:abc}
    """,
    )
    assert load(tmp_path).resource("s-dev:f").code_source.startswith("image 123456789012.dkr.ecr")


def test_a_non_aws_provider_is_skipped_with_a_note_not_an_error(tmp_path):
    write_service(tmp_path, "service: s\nprovider: {name: azure}\n")
    graph = load(tmp_path)
    assert graph.units() == [] and graph.errors == []
    assert [str(note) for note in graph.notes] == ["serverless.yml:2: provider 'azure' is not AWS; this service is skipped"]


def test_a_serverless_compose_file_is_not_mistaken_for_a_service(tmp_path):
    write_service(tmp_path, "services:\n  a: {path: a}\n", "serverless-compose.yml")
    write_service(tmp_path / "a", "service: a\nprovider: {name: aws}\n")
    assert [unit.path for unit in load(tmp_path).units()] == ["a/serverless.yml"]


# --- accesses ------------------------------------------------------------------------------


def test_iam_statements_environment_destinations_and_on_error_become_accesses(tmp_path):
    write_service(
        tmp_path,
        """\
        service: s
        provider:
          name: aws
          environment:
            TABLE: !Ref Table
          iam:
            role:
              statements:
                - Effect: Allow
                  Action: [dynamodb:GetItem, dynamodb:Query]
                  Resource: !GetAtt Table.Arn
                - Effect: Allow
                  Action: [sqs:SendMessage]
                  Resource: ${cf:shared-infra-dev.QueueArn}
        functions:
          reader:
            handler: r.handler
            environment:
              SECRET: ${ssm:/app/secret}
            destinations:
              onSuccess: writer
              onFailure: arn:aws:sqs:us-east-1:123456789012:failures
            onError: !Ref DeadLetters
          writer:
            handler: w.handler
            role: WriterRole
        resources:
          Resources:
            Table: {Type: AWS::DynamoDB::Table}
            DeadLetters: {Type: AWS::SNS::Topic}
            WriterRole:
              Type: AWS::IAM::Role
              Properties:
                Policies:
                  - PolicyName: write
                    PolicyDocument:
                      Statement:
                        - Effect: Allow
                          Action: dynamodb:PutItem
                          Resource: !GetAtt Table.Arn
    """,
    )
    graph = load(tmp_path)
    assert edges(graph, "accesses") == [
        ("s-dev:reader", "external:arn:arn:aws:sqs:us-east-1:123456789012:failures", "serverless.yml:22", "write"),
        ("s-dev:reader", "external:ssm:/app/secret", "serverless.yml:19", "environment SECRET"),
        ("s-dev:reader", "external:stack_output:shared-infra-dev/QueueArn", "serverless.yml:14", "write"),
        ("s-dev:reader", "s-dev:DeadLetters", "serverless.yml:23", "write"),
        ("s-dev:reader", "s-dev:Table", "serverless.yml:11", "read"),
        ("s-dev:reader", "s-dev:Table", "serverless.yml:5", "environment TABLE"),
        ("s-dev:writer", "s-dev:Table", "serverless.yml:40", "write"),
        ("s-dev:writer", "s-dev:Table", "serverless.yml:5", "environment TABLE"),
    ]
    assert edges(graph, "invokes") == [("s-dev:reader", "s-dev:writer", "serverless.yml:21", "destination onSuccess")]


def test_a_cf_variable_as_event_source_is_a_stack_output_reference(tmp_path):
    write_service(
        tmp_path,
        """\
        service: s
        provider: {name: aws}
        functions:
          f:
            handler: h
            events:
              - sqs: ${cf:queues-${sls:stage}.JobsQueueArn}
              - sns:
                  arn: ${ssm:/topics/orders}
                  topicName: orders
              - stream: ${cf(eu-west-1):streams-dev.ClicksArn}
    """,
    )
    graph = load(tmp_path)
    assert triggers(graph) == [
        ("external:ssm:/topics/orders", "s-dev:f", "serverless.yml:8"),
        ("external:stack_output:queues-dev/JobsQueueArn", "s-dev:f", "serverless.yml:7"),
        ("external:stack_output:streams-dev/ClicksArn", "s-dev:f", "serverless.yml:11"),
    ]


# --- bad input ------------------------------------------------------------------------------


def test_broken_yaml_is_a_load_error_with_its_line_and_other_services_still_load(tmp_path):
    write_service(tmp_path / "bad", "service: x\nprovider:\n  name: aws\n functions: [\n")
    write_service(tmp_path / "good", "service: good\nprovider: {name: aws}\n")
    graph = load(tmp_path)
    assert [unit.name for unit in graph.units()] == ["good-dev"]
    assert [(error.path, error.line) for error in graph.errors] == [("bad/serverless.yml", 4)]


def test_functions_as_a_list_of_non_mappings_is_an_error_and_the_rest_still_loads(tmp_path):
    write_service(
        tmp_path,
        """\
        service: s
        provider: {name: aws}
        functions:
          - a: {handler: a.h, events: [{sqs: "arn:aws:sqs:us-east-1:1:q"}]}
          - just-a-string
    """,
    )
    graph = load(tmp_path)
    assert [str(error) for error in graph.errors] == [
        "serverless.yml:5: `functions` is a list, and item 2 is not a mapping; ignored"
    ]
    assert triggers(graph) == [("external:arn:arn:aws:sqs:us-east-1:1:q", "s-dev:a", "serverless.yml:4")]


def test_an_event_that_is_a_bare_string_of_an_unknown_type_is_a_note(tmp_path):
    write_service(
        tmp_path,
        """\
        service: s
        provider: {name: aws}
        functions:
          f:
            handler: h
            events:
              - whatever
              - stepFunctionsPlugin: {x: 1}
              - schedule: rate(1 hour)
    """,
    )
    graph = load(tmp_path)
    assert [note.location.line for note in graph.notes] == [7, 8]
    assert "bare string" in graph.notes[0].message and "stepFunctionsPlugin" in graph.notes[1].message
    assert triggers(graph) == [("s-dev:FEventsRuleSchedule1", "s-dev:f", "serverless.yml:9")]


def test_a_function_that_is_not_a_mapping_is_an_error_at_its_line(tmp_path):
    write_service(tmp_path, "service: s\nprovider: {name: aws}\nfunctions:\n  f: nope\n  g: {handler: h}\n")
    graph = load(tmp_path)
    assert [str(error) for error in graph.errors] == ["serverless.yml:4: function f is not a mapping"]
    assert [fn.name for fn in graph.functions()] == ["g"]


def test_existing_apis_named_in_provider_are_the_trigger_sources():
    graph = load(SERVERLESS / "existing-apis")
    assert triggers(graph) == [
        ("external:name:abc123rest", "existing-apis-dev:rest", "serverless.yml:18"),
        ("external:name:http123", "existing-apis-dev:http", "serverless.yml:22"),
        ("external:name:ws123", "existing-apis-dev:ws", "serverless.yml:26"),
    ]
    assert [r.logical_id for r in graph.resources() if r.implicit] == []


def test_lambda_authorizers_are_triggered_by_their_api_and_cognito_ones_are_not():
    graph = load(SERVERLESS / "authorizers")
    assert edges(graph, "triggers") == [
        ("authorizers-dev:ApiGatewayRestApi", "authorizers-dev:api", "serverless.yml:26", "http"),
        ("authorizers-dev:ApiGatewayRestApi", "authorizers-dev:restAuthorize", "serverless.yml:26", "Authorizer"),
        ("authorizers-dev:HttpApi", "authorizers-dev:api", "serverless.yml:21", "httpApi"),
        ("authorizers-dev:HttpApi", "authorizers-dev:authorize", "serverless.yml:21", "Authorizer"),
    ]


def test_per_function_iam_role_statements_are_accesses_of_that_function_only(tmp_path):
    write_service(
        tmp_path,
        """\
        service: s
        provider: {name: aws}
        functions:
          a:
            handler: a.h
            iamRoleStatements:
              - Effect: Allow
                Action: [s3:GetObject]
                Resource: !Sub "${Bucket.Arn}/*"
          b: {handler: b.h}
        resources:
          Resources:
            Bucket: {Type: AWS::S3::Bucket}
    """,
    )
    assert edges(load(tmp_path), "accesses") == [("s-dev:a", "s-dev:Bucket", "serverless.yml:9", "read")]


def test_the_json_report_shows_serverless_units_functions_by_key_and_their_triggers():
    from pytest_serverless_arch.report import build_report

    report = build_report(load(SERVERLESS / "variables"))
    assert [(unit["name"], unit["format"]) for unit in report["units"]] == [("vars-qa", "serverless")]
    assert [(function["id"], function["name"]) for function in report["functions"]] == [("vars-qa:worker", "worker")]
    assert sorted((t["source"], t["function"], t["location"]) for t in report["triggers"]) == [
        ("external:arn:arn:aws:sqs:eu-west-1:123456789012:jobs-qa", "vars-qa:worker", "serverless.yml:25"),
        ("vars-qa:ApiGatewayRestApi", "vars-qa:worker", "serverless.yml:28"),
        ("vars-qa:SNSTopicQatopic", "vars-qa:worker", "serverless.yml:26"),
        ("vars-qa:WorkerEventsRuleSchedule1", "vars-qa:worker", "serverless.yml:27"),
    ]
    assert load(SERVERLESS / "variables").resource("vars-qa:worker").physical_name == "vars-qa-w"


# --- robustness -------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(
        [
            "arn:aws:sqs:us-east-1:1:q",
            "${self:custom.x}",
            "${cf:a.b}",
            "${ssm:/p}",
            "${file(x.yml)}",
            "${env:E}",
            "${opt:stage}",
            "${unknown:x}",
            "${self:custom.loop}",
            "GET /x",
            "rate(1 minute)",
            "arn",
            "",
            "${",
        ]
    ),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "arn",
                    "bucket",
                    "eventBus",
                    "pattern",
                    "existing",
                    "rate",
                    "topicName",
                    "authorizer",
                    "name",
                    "pool",
                    "trigger",
                    "listenerArn",
                    "type",
                    "Ref",
                    "Fn::GetAtt",
                    "http",
                    "sqs",
                    "sns",
                    "s3",
                    "schedule",
                    "eventBridge",
                    "stream",
                    "alb",
                    "cognitoUserPool",
                    "kafka",
                    "msk",
                    "websocket",
                ]
            ),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=_values, functions_extra=_values, custom=_values, resources=_values)
def test_no_shape_of_service_makes_the_reader_raise(events, functions_extra, custom, resources):
    from pytest_serverless_arch.loaders.serverless.service import read_service

    document = {
        "service": "s",
        "provider": {"name": "aws", "iam": {"role": {"statements": functions_extra}}},
        "custom": {"x": custom, "loop": "${self:custom.loop}"},
        "functions": {
            "f": {"handler": "h", "events": events, "environment": custom, "destinations": custom},
            "g": functions_extra,
        },
        "resources": resources,
    }
    units = read_service(document, "serverless.yml", LoadConfig(), root=Path("/nonexistent"), service_dir=Path("/nonexistent"))
    assert len(units) == 1


def test_resource_extensions_of_a_function_add_its_references_and_accesses(tmp_path):
    write_service(
        tmp_path,
        """\
        service: s
        provider: {name: aws}
        functions:
          f: {handler: h}
        resources:
          Resources:
            Table: {Type: AWS::DynamoDB::Table}
          extensions:
            FLambdaFunction:
              Properties:
                Environment:
                  Variables:
                    TABLE: !Ref Table
            Nothing:
              Properties: {}
    """,
    )
    graph = load(tmp_path)
    assert edges(graph, "accesses") == [("s-dev:f", "s-dev:Table", "serverless.yml:13", "environment TABLE")]
    assert edges(graph, "references") == [("s-dev:f", "s-dev:Table", "serverless.yml:13", "extension")]
    assert [str(note) for note in graph.notes] == [
        "serverless.yml:14: extension Nothing names no resource of this service; ignored"
    ]


def test_a_cf_variable_reaches_the_queue_another_service_outputs(tmp_path):
    write_service(
        tmp_path / "producer",
        """\
        service: producer
        provider: {name: aws}
        resources:
          Resources:
            Jobs: {Type: AWS::SQS::Queue}
          Outputs:
            JobsArn:
              Value: !GetAtt Jobs.Arn
    """,
    )
    write_service(
        tmp_path / "consumer",
        """\
        service: consumer
        provider: {name: aws}
        functions:
          work:
            handler: h
            events:
              - sqs: ${cf:producer-${sls:stage}.JobsArn}
    """,
    )
    graph = load(tmp_path)
    assert triggers(graph) == [("producer-dev:Jobs", "consumer-dev:work", "consumer/serverless.yml:7")]
    assert [(e.source, e.target, e.kind) for e in graph.cross_unit_links()] == [
        ("consumer-dev:work", "producer-dev:Jobs", "stack_output")
    ]


def test_other_event_forms_scheduler_imports_buses_by_getatt_and_non_lambda_integrations():
    graph = load(SERVERLESS / "event-forms")
    assert triggers(graph) == [
        ("event-forms-dev:ApiGatewayRestApi", "event-forms-dev:mocked", "serverless.yml:36"),  # not the mock one
        ("event-forms-dev:Clicks", "event-forms-dev:imported", "serverless.yml:26"),
        ("event-forms-dev:Eventformsdevimportedrule2EventBridgeRule", "event-forms-dev:imported", "serverless.yml:22"),
        ("event-forms-dev:Eventformsdevscheduledrule2EventBridgeRule", "event-forms-dev:scheduled", "serverless.yml:15"),
        ("event-forms-dev:ScheduledSchedulerSchedule1", "event-forms-dev:scheduled", "serverless.yml:12"),
        ("external:import:shared-jobs-queue-arn", "event-forms-dev:imported", "serverless.yml:20"),
    ]
    assert graph.resource("event-forms-dev:ScheduledSchedulerSchedule1").type == "AWS::Scheduler::Schedule"
    assert ("event-forms-dev:Eventformsdevimportedrule2EventBridgeRule", "event-forms-dev:LocalBus") in [
        (source, target) for source, target, _, _ in edges(graph, "references")
    ]
