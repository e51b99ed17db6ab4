"""SAM: every event type, implicit resources, Globals, state machines, connectors.

Fixtures are inputs of the SAM transform's own tests (``serverless-application-model/
tests/translator/input``), copied from the shared corpus; ``test_sam_differential``
checks the same reader against the transform's outputs for all of them.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.loaders.templates import read_template
from pytest_serverless_arch.model import LoadedUnit

from .helpers import FIXTURES, edge_rows, load_template, trigger_rows

SAM = FIXTURES / "sam"


def triggers(name: str) -> list[tuple[str, str, str, int]]:
    return trigger_rows(load_template(SAM / name))


def edges(name: str, kind: str) -> list[tuple[str, str, int, str]]:
    return edge_rows(load_template(SAM / name, allow_errors=True), kind)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "alexa_skill_with_skill_id.yaml",
            [("external:alexa skill amzn1.ask.skill.12345678-1234-1234-1234-123456789", "other", "AlexaSkillFunc", 13)],
            id="an_alexa_skill_event_is_triggered_by_the_skill",
        ),
        pytest.param(
            "api_with_auth_all_minimum.yaml",
            [
                ("MyApiWithCognitoAuth", "api", "MyFn", 62),
                ("MyApiWithLambdaRequestAuth", "api", "MyAuthFn", 31),
                ("MyApiWithLambdaRequestAuth", "api", "MyFn", 86),
                ("MyApiWithLambdaTokenAuth", "api", "MyAuthFn", 20),
                ("MyApiWithLambdaTokenAuth", "api", "MyFn", 74),
                ("MyApiWithNotCachedLambdaRequestAuth", "api", "MyAuthFn", 45),
                ("MyApiWithNotCachedLambdaRequestAuth", "api", "MyFn", 98),
            ],
            id="api_events_and_lambda_authorizers_are_triggered_by_their_api",
        ),
        pytest.param(
            "cloudwatchlog.yaml",
            [("external:name:MyCWLogGroup", "other", "TriggeredFunction", 9)],
            id="a_cloudwatch_logs_event_is_triggered_by_the_log_group",
        ),
        pytest.param(
            "cognito_userpool_with_event.yaml",
            [
                ("UserPool", "other", "ImplicitApiFunction", 25),
                ("UserPool", "other", "ImplicitApiFunction", 31),
                ("UserPool", "other", "ImplicitApiFunction", 31),
            ],
            id="a_cognito_event_is_triggered_by_the_user_pool_once_per_trigger",
        ),
        pytest.param(
            "connector_sns_to_function.yaml",
            [("MySNSTopic", "topic", "MyFunction", 39)],
            id="a_connector_from_a_topic_to_a_function_is_a_trigger",
        ),
        pytest.param(
            "documentdb_with_intrinsics.yaml",
            [
                (
                    "external:arn:arn:aws:rds:us-east-1:156327056618:cluster:docdb-2022-11-08-00-10-05r",
                    "table",
                    "DocumentDBFunction",
                    20,
                )
            ],
            id="a_documentdb_event_is_triggered_by_the_cluster",
        ),
        pytest.param(
            "eventbridgerule.yaml",
            [
                ("ScheduledFunctionSchedule", "schedule", "ScheduledFunction", 9),
                ("TriggeredFunctionOnTerminate", "event_rule", "TriggeredFunction", 20),
            ],
            id="schedule_and_eventbridge_events_are_triggered_by_the_rules_sam_creates",
        ),
        pytest.param(
            "function_with_alias_and_event_sources.yaml",
            [
                ("GetHtmlApi", "api", "MyAwesomeFunction", 46),
                ("Images", "bucket", "MyAwesomeFunction", 66),
                ("MyAwesomeFunctionCWEvent", "event_rule", "MyAwesomeFunction", 24),
                ("MyAwesomeFunctionEBRule", "event_rule", "MyAwesomeFunction", 32),
                ("MyAwesomeFunctionEBSchedule", "schedule", "MyAwesomeFunction", 19),
                ("MyAwesomeFunctionIoTRule", "other", "MyAwesomeFunction", 60),
                ("Notifications", "topic", "MyAwesomeFunction", 73),
                ("ServerlessRestApi", "api", "MyAwesomeFunction", 54),
                (
                    "external:arn:arn:aws:dynamodb:us-west-2:012345678901:table/TestTable/stream/2015-05-11T21:21:33.291",
                    "table",
                    "MyAwesomeFunction",
                    86,
                ),
                ("external:arn:arn:aws:kinesis:us-west-2:012345678901:stream/my-stream", "stream", "MyAwesomeFunction", 79),
                ("external:name:MyLogGroup", "other", "MyAwesomeFunction", 40),
            ],
            id="every_event_of_an_aliased_function_triggers_the_function",
        ),
        pytest.param(
            "function_with_event_schedule_state.yaml",
            [
                ("ScheduledFunctionSchedule1", "schedule", "ScheduledFunction", 17),
                ("ScheduledFunctionSchedule2", "schedule", "ScheduledFunction", 24),
                ("ScheduledFunctionSchedule3", "schedule", "ScheduledFunction", 31),
                ("ScheduledFunctionScheduleV2", "schedule", "ScheduledFunction", 38),
                ("ScheduledFunctionScheduleV2FalseName", "schedule", "ScheduledFunction", 42),
                ("ScheduledFunctionScheduleV2MoreProperties", "schedule", "ScheduledFunction", 47),
            ],
            id="schedule_v2_events_are_triggered_by_scheduler_schedules",
        ),
        pytest.param(
            "function_with_event_source_mapping.yaml",
            [
                ("DynamoDBTable", "table", "MyFunctionForBatchingExample", 44),
                ("KinesisStream", "stream", "MyFunctionForBatchingExample", 28),
                ("KinesisStream1", "stream", "MyFunctionForBatchingExample", 34),
            ],
            id="dynamodb_and_kinesis_events_are_triggered_by_the_table_and_the_stream",
        ),
        pytest.param(
            "function_with_function_url_config.yaml",
            [("MyFunctionUrl", "api", "MyFunction", 13)],
            id="a_function_url_triggers_its_function",
        ),
        pytest.param(
            "function_with_mq.yaml",
            [("MyMqBroker", "queue", "MyLambdaFunction", 146)],
            id="an_mq_event_is_triggered_by_the_broker",
        ),
        pytest.param(
            "function_with_msk.yaml",
            [
                (
                    "external:arn:arn:aws:kafka:${AWS::Region}:012345678901:cluster/mycluster/6cc0432b-8618-4f44-bccc-e1fbd8fb7c4d-2",
                    "stream",
                    "MyMskStreamProcessor",
                    12,
                )
            ],
            id="an_msk_event_is_triggered_by_the_cluster",
        ),
        pytest.param(
            "function_with_self_managed_kafka.yaml",
            [("external:kafka 123.45.67.89:9096,abc.xyz.com:9092", "stream", "KafkaFunction", 11)],
            id="a_self_managed_kafka_event_is_triggered_by_its_bootstrap_servers",
        ),
        pytest.param(
            "globals_for_api.yaml",
            [("ExplicitApi", "api", "ImplicitApiFunction", 44), ("ServerlessRestApi", "api", "ImplicitApiFunction", 23)],
            id="an_explicit_api_definition_body_integration_is_a_trigger",
        ),
        pytest.param(
            "implicit_api_with_auth_and_conditions_max.yaml",
            [
                ("ServerlessRestApi", "api", "MyFunction", 85),
                ("ServerlessRestApi", "api", "MyFunction2", 100),
                ("ServerlessRestApi", "api", "MyFunction3", 115),
                ("ServerlessRestApi", "api", "MyFunction4", 130),
                ("ServerlessRestApi", "api", "MyFunction5", 145),
                ("ServerlessRestApi", "api", "MyFunction6", 160),
                ("ServerlessRestApi", "api", "external:arn:arn:aws", 22),
                ("ServerlessRestApi", "api", "external:arn:arn:aws", 30),
                ("ServerlessRestApi", "api", "external:arn:arn:aws", 37),
            ],
            id="authorizers_in_globals_are_triggered_by_the_implicit_api",
        ),
        pytest.param(
            "implicit_http_api_auth_and_simple_case.yaml",
            [("ServerlessHttpApi", "api", "RestApiFunction", 10)],
            id="an_http_api_event_without_api_id_is_triggered_by_serverless_http_api",
        ),
        pytest.param(
            "iot_rule.yaml",
            [("IoTRuleFuncMyIoTRule", "other", "IoTRuleFunc", 13), ("IoTRuleFuncMyOtherIoTRule", "other", "IoTRuleFunc", 18)],
            id="iot_rule_events_are_triggered_by_the_topic_rules_sam_creates",
        ),
        pytest.param(
            "sns_sqs.yaml",
            [("SaveNotificationFunctionNotificationTopicQueue", "queue", "SaveNotificationFunction", 9)],
            id="an_sns_event_with_sqs_subscription_is_triggered_by_the_queue_between",
        ),
        pytest.param(
            "sqs.yaml",
            [("external:arn:arn:aws:sqs:us-west-2:012345678901:my-queue", "queue", "SQSFunction", 9)],
            id="an_sqs_event_is_triggered_by_the_queue",
        ),
        pytest.param(
            "websocket_api_with_lambda_auth.yaml",
            [("MyApi", "api", "ConnectFunction", 16), ("MyApi", "api", "MyAuth", 13)],
            id="a_websocket_api_triggers_its_route_functions_and_its_authorizer",
        ),
        pytest.param(
            "graphqlapi_multiple_auth.yaml",
            [("SuperCoolAPI", "api", "Authorizer1", 14), ("SuperCoolAPI", "api", "Authorizer2", 22)],
            id="a_graphql_api_triggers_its_lambda_authorizers",
        ),
        pytest.param(
            "graphqlapi_resolver_function_with_lambda_datasource.yaml",
            [("SuperCoolAPI", "api", "external:name:my-lambda-arn", 20)],
            id="a_graphql_api_triggers_its_lambda_data_sources",
        ),
    ],
)
def test_sam_event_triggers(fixture: str, expected: list[tuple[str, str, str, int]]) -> None:
    assert triggers(fixture) == expected


def test_a_trigger_detail_names_the_sam_event_type() -> None:
    graph = load_template(SAM / "function_with_alias_and_event_sources.yaml")
    assert sorted({t.detail for t in graph.trigger_edges()}) == [
        "Api",
        "CloudWatchEvent",
        "CloudWatchLogs",
        "DynamoDB",
        "EventBridgeRule",
        "IoTRule",
        "Kinesis",
        "S3",
        "SNS",
        "Schedule",
    ]


@pytest.mark.parametrize(
    ("fixture", "logical_id", "type_name", "kind"),
    [
        ("function_with_alias_and_event_sources.yaml", "ServerlessRestApi", "AWS::Serverless::Api", "api"),
        ("function_with_alias_and_event_sources.yaml", "MyAwesomeFunctionEBSchedule", "AWS::Events::Rule", "schedule"),
        ("function_with_alias_and_event_sources.yaml", "MyAwesomeFunctionEBRule", "AWS::Events::Rule", "event_rule"),
        ("function_with_alias_and_event_sources.yaml", "MyAwesomeFunctionIoTRule", "AWS::IoT::TopicRule", "other"),
        ("function_with_event_schedule_state.yaml", "ScheduledFunctionScheduleV2", "AWS::Scheduler::Schedule", "schedule"),
        ("implicit_http_api_auth_and_simple_case.yaml", "ServerlessHttpApi", "AWS::Serverless::HttpApi", "api"),
        ("sns_sqs.yaml", "SaveNotificationFunctionNotificationTopicQueue", "AWS::SQS::Queue", "queue"),
        ("function_with_function_url_config.yaml", "MyFunctionUrl", "AWS::Lambda::Url", "api"),
        ("function_with_event_dest.yaml", "MyTestFunctionEventInvokeConfigOnSuccessQueue", "AWS::SQS::Queue", "queue"),
        ("function_with_event_dest.yaml", "MyTestFunctionEventInvokeConfigOnFailureTopic", "AWS::SNS::Topic", "topic"),
    ],
)
def test_implicit_resources_keep_the_logical_ids_sam_gives_them(fixture: str, logical_id: str, type_name: str, kind: str) -> None:
    resource = load_template(SAM / fixture).resource(f"{fixture}:{logical_id}")
    assert (resource.type, resource.kind, resource.implicit) == (type_name, kind, True)


def test_explicit_sam_resources_keep_their_sam_type_and_are_not_implicit() -> None:
    graph = load_template(SAM / "function_with_alias_and_event_sources.yaml")
    function = graph.resource("function_with_alias_and_event_sources.yaml:MyAwesomeFunction")
    assert (function.type, function.kind, function.implicit) == ("AWS::Serverless::Function", "function", False)
    assert function.location.line == 9


def test_an_implicit_api_is_located_at_the_first_event_that_needs_it() -> None:
    api = load_template(SAM / "globals_for_api.yaml").resource("globals_for_api.yaml:ServerlessRestApi")
    assert str(api.location) == "globals_for_api.yaml:23"


def test_globals_are_merged_into_every_function_the_way_sam_merges_them() -> None:
    graph = load_template(SAM / "globals_for_function.yaml")
    minimal = graph.resource("globals_for_function.yaml:MinimalFunction").properties
    overrides = graph.resource("globals_for_function.yaml:FunctionWithOverrides").properties
    assert (minimal["Runtime"], minimal["MemorySize"]) == ("python2.7", 1024)
    assert (overrides["Runtime"], overrides["MemorySize"]) == ("nodejs12.x", 512)
    # mappings merge key by key, lists concatenate global items first
    assert dict(overrides["Environment"]["Variables"]) == {"Var1": "value1", "Var2": "value2", "Var3": "value3"}
    assert overrides["VpcConfig"]["SecurityGroupIds"] == ["sg-edcd9784", "sg-123"]
    assert overrides["Environment"]["Variables"].key_lines["Var3"] > overrides["Environment"]["Variables"].key_lines["Var1"]


def test_a_function_code_uri_from_globals_is_shipped_by_the_unit() -> None:
    graph = load_template(SAM / "globals_for_function.yaml")
    assert graph.resource("globals_for_function.yaml:MinimalFunction").code_source is None


def test_a_state_machine_invokes_the_functions_of_its_definition_and_policies() -> None:
    assert edges("state_machine_with_definition_substitutions.yaml", "invokes") == [
        ("StateMachine", "MyFunction", 22, "state machine task"),
        ("StateMachine", "MyFunction", 32, "IAM lambda:InvokeFunction"),
    ]
    assert triggers("state_machine_with_definition_substitutions.yaml") == []


def test_state_machine_events_create_rules_that_start_it_without_triggering_a_function() -> None:
    graph = load_template(SAM / "state_machine_with_schedule.yaml")
    assert graph.trigger_edges() == []
    starts = [edge for edge in edges("state_machine_with_schedule.yaml", "references") if edge[3] == "rule target"]
    assert starts == [
        ("StateMachineScheduleEvent", "StateMachine", 8, "rule target"),
        ("StateMachineScheduleV2", "StateMachine", 15, "rule target"),
        ("StateMachineScheduleV2MoreProperties", "StateMachine", 19, "rule target"),
        ("StateMachineScheduleV2WithRole", "StateMachine", 35, "rule target"),
    ]
    rule = graph.resource("state_machine_with_schedule.yaml:StateMachineScheduleEvent")
    assert (rule.kind, rule.implicit) == ("schedule", True)


def test_a_state_machine_api_event_is_an_integration_of_the_api() -> None:
    assert [edge for edge in edges("state_machine_with_api.yaml", "references") if edge[3] == "api integration"] == [
        ("MyApi", "Post", 29, "api integration"),
    ]
    assert edges("state_machine_with_api.yaml", "invokes") == [("Post", "HelloWorldFunction", 26, "state machine task")]


def test_connectors_become_accesses_with_their_permissions() -> None:
    assert edges("connector_function_to_sqs.yaml", "accesses") == [
        ("MyFunction", "MyQueue", 50, "read"),
        ("MyFunction", "MyQueue", 70, "readwrite"),
        ("MyServerlessFunction", "MyQueue", 60, "write"),
    ]


def test_a_connector_from_a_table_to_a_function_is_the_function_reading_the_stream() -> None:
    assert ("MyFunction", "MyTable", 49, "read") in edges("connector_table_to_function.yaml", "accesses")
    assert triggers("connector_table_to_function.yaml") == []


def test_an_unknown_event_type_is_a_note_not_a_crash(tmp_path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Events:\n"
        "        Odd:\n"
        "          Type: Carrier-Pigeon\n"
    )
    graph = load(str(template), root=str(tmp_path))
    assert graph.trigger_edges() == []
    assert [str(note) for note in graph.notes] == [
        "template.yaml:7: Fn: event Odd has type 'Carrier-Pigeon', which this reader does not know; it gives no trigger"
    ]


_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.sampled_from(["Fn", "Queue", "Topic", "Api", "AWS::NoValue", "arn:aws:sqs:us-east-1:123456789012:q"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Ref",
                    "Fn::GetAtt",
                    "Fn::Sub",
                    "Fn::If",
                    "Type",
                    "Properties",
                    "Id",
                    "Arn",
                    "FunctionArn",
                    "Destination",
                    "Statement",
                    "Variables",
                    "Queue",
                    "Auth",
                    "Authorizers",
                    "Routes",
                    "DataSources",
                    "Lambda",
                    "DestinationConfig",
                    "OnSuccess",
                    "OnFailure",
                    "SqsSubscription",
                    "Definition",
                    "Source",
                    "Permissions",
                    "Trigger",
                    "UserPool",
                    "Stream",
                    "Topic",
                    "Bucket",
                    "RestApiId",
                    "ApiId",
                    "LogGroupName",
                    "KafkaBootstrapServers",
                    "Schedule",
                    "DefinitionBody",
                    "x-amazon-apigateway-integration",
                    "uri",
                    "SQSPollerPolicy",
                    "QueueName",
                    "LambdaAuthorizer",
                    "AuthorizerUri",
                    "Additional",
                    "AuthArn",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
_event_types = st.sampled_from(
    sorted(
        {
            "Api",
            "HttpApi",
            "SQS",
            "SNS",
            "S3",
            "Schedule",
            "ScheduleV2",
            "EventBridgeRule",
            "CloudWatchEvent",
            "CloudWatchLogs",
            "DynamoDB",
            "Kinesis",
            "MSK",
            "MQ",
            "SelfManagedKafka",
            "DocumentDB",
            "IoTRule",
            "AlexaSkill",
            "Cognito",
            "Unknown",
        }
    )
)


@settings(max_examples=150, deadline=None)
@given(
    event_type=_event_types,
    event_properties=_junk,
    function_properties=st.dictionaries(
        st.sampled_from(
            [
                "Policies",
                "Environment",
                "EventInvokeConfig",
                "DeadLetterQueue",
                "FunctionUrlConfig",
                "CodeUri",
                "Role",
                "Connectors",
            ]
        ),
        _junk,
        max_size=4,
    ),
    globals_section=st.dictionaries(st.sampled_from(["Function", "Api", "HttpApi", "StateMachine"]), _junk, max_size=2),
    other_type=st.sampled_from(
        [
            "AWS::Serverless::Api",
            "AWS::Serverless::HttpApi",
            "AWS::Serverless::StateMachine",
            "AWS::Serverless::Connector",
            "AWS::Serverless::WebSocketApi",
            "AWS::Serverless::GraphQLApi",
            "AWS::SQS::Queue",
        ]
    ),
    other_properties=_junk,
)
def test_junk_in_any_sam_property_never_raises(
    event_type, event_properties, function_properties, globals_section, other_type, other_properties
) -> None:
    document = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Globals": globals_section,
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {**function_properties, "Events": {"E": {"Type": event_type, "Properties": event_properties}}},
            },
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Other": {"Type": other_type, "Properties": other_properties},
        },
    }
    unit = LoadedUnit(name="unit", format="sam", path="template.yaml")
    read_template(unit, document, LoadConfig())
    assert {resource.logical_id for resource in unit.resources} >= {"Fn", "Queue", "Other"}


@pytest.mark.parametrize(
    ("fixture", "logical_id", "type_name", "kind", "line"),
    [
        ("globals_for_simpletable.yaml", "MinimalTable", "AWS::Serverless::SimpleTable", "table", 7),
        ("basic_application.yaml", "BasicApplication", "AWS::Serverless::Application", "other", 7),
        (
            "function_with_aliasallproperties_and_lambda_layer_publishversion_true.yaml",
            "TestEnvLayer",
            "AWS::Serverless::LayerVersion",
            "other",
            14,
        ),
    ],
)
def test_other_sam_resources_are_nodes_of_their_sam_type(
    fixture: str, logical_id: str, type_name: str, kind: str, line: int
) -> None:
    resource = load_template(SAM / fixture).resource(f"{fixture}:{logical_id}")
    assert (resource.type, resource.kind, resource.location.line, resource.implicit) == (type_name, kind, line, False)


def test_a_function_references_the_layer_it_uses() -> None:
    fixture = "function_with_aliasallproperties_and_lambda_layer_publishversion_true.yaml"
    assert edges(fixture, "references") == [("MinimalFunction", "TestEnvLayer", 12, "")]


def test_a_function_whose_code_key_is_a_parameter_has_its_code_from_outside_the_unit() -> None:
    graph = load_template(SAM / "intrinsic_functions.yaml")
    assert graph.resource("intrinsic_functions.yaml:MyFunction").code_source == "CodeUri.Key comes from parameter CodeKey"
    assert graph.resource("intrinsic_functions.yaml:FunctionWithExplicitS3Uri").code_source is None


def test_ignore_globals_keeps_globals_out_of_a_resource() -> None:
    graph = load_template(SAM / "function_with_ignore_globals.yaml")
    properties = {
        name: dict(graph.resource(f"function_with_ignore_globals.yaml:{name}").properties)
        for name in ("ZipFunction", "ImageFunction", "ImageFunction2")
    }
    assert properties["ZipFunction"]["Runtime"] == "python3.11"
    assert "MemorySize" not in properties["ImageFunction"]
    assert (properties["ImageFunction2"]["MemorySize"], "Runtime" in properties["ImageFunction2"]) == (128, False)


def test_an_api_definition_in_another_file_is_a_note(tmp_path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Api:\n"
        "    Type: AWS::Serverless::Api\n"
        "    Properties:\n"
        "      StageName: prod\n"
        "      DefinitionBody:\n"
        "        Fn::Transform:\n"
        "          Name: AWS::Include\n"
        "          Parameters: {Location: ./openapi.yaml}\n"
    )
    graph = load(str(template), root=str(tmp_path))
    # the file is read when present (tests/test_included_definitions.py); here it is missing
    assert [str(note) for note in graph.notes] == [
        "template.yaml:7: API definition openapi.yaml does not exist; what it wires is not in the graph"
    ]
