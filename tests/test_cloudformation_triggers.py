"""Raw CloudFormation triggers: exact edges (source, source kind, function) and lines.

The fixtures are real templates copied from the shared corpus: serverless-patterns
and cfn-lint templates, and CloudFormation the SAM transform produced
(``sam-output-*.json``, from the transform's own test outputs). Each pins
the triggers of every raw resource type the CloudFormation reader knows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_serverless_arch import load

from .helpers import FIXTURES, edge_rows, load_template, short, trigger_rows

CFN = FIXTURES / "cfn"


def triggers(name: str) -> list[tuple[str, str, str, int]]:
    return trigger_rows(load_template(CFN / name))


def edges(name: str, kind: str) -> list[tuple[str, str, int, str]]:
    return edge_rows(load_template(CFN / name, allow_errors=True), kind)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "alb-lambda.yml",
            [("MyTargetGroup", "other", "MyLambdaFunction", 67)],
            id="an_alb_target_group_of_type_lambda_triggers_its_target",
        ),
        pytest.param(
            "cloudtrail-log-subscription.yml",
            [("CloudwatchLogGroup", "other", "LambdaFunction", 189)],
            id="a_log_subscription_filter_is_triggered_by_its_log_group",
        ),
        pytest.param(
            "custom-resources.yaml",
            [("CustomResource", "other", "external:name:test", 11)],
            id="a_custom_resource_triggers_the_function_of_its_service_token",
        ),
        pytest.param(
            "esm-dynamic-references.yaml",
            [
                ("external:name:{{ resolve:ssm:/SQS_Queue/SQS_ARN }}", "queue", "external:name:MyFunctionNameHere", 32),
                ("external:name:{{:ssm:/SQS_Queue/SQS_ARN}}", "queue", "external:name:MyFunctionNameHere", 11),
                ("external:ssm:/SQS_Queue/SQS_ARN", "queue", "external:name:MyFunctionNameHere", 4),
            ],
            id="an_event_source_mapping_on_an_ssm_reference_is_triggered_by_the_parameter",
        ),
        pytest.param(
            "lambda-poller.yaml",
            [("PollerEventRule", "schedule", "PollerFunction", 192)],
            id="an_event_rule_with_a_schedule_is_a_schedule_trigger",
        ),
        pytest.param(
            "pipes-msk-to-lambda.yaml",
            [("external:parameter MSKCluster of pipes-msk-to-lambda.yaml", "stream", "TargetFunction", 116)],
            id="a_pipe_triggers_its_target_from_its_source_whose_kind_comes_from_the_source_parameters",
        ),
        pytest.param(
            "rest-api-method.yaml",
            [("AppApi", "api", "AppFunction", 27)],
            id="a_rest_api_method_integration_triggers_its_function",
        ),
        pytest.param(
            "s3-transcribe.yaml",
            [("AudioBucket", "bucket", "TranscriptionFunction", 13)],
            id="a_bucket_notification_triggers_and_its_permission_adds_nothing",
        ),
        pytest.param(
            "sam-output-alexa_skill_with_skill_id.json",
            [("external:alexa skill amzn1.ask.skill.12345678-1234-1234-1234-123456789", "other", "AlexaSkillFunc", 31)],
            id="an_alexa_permission_is_the_only_edge_of_an_alexa_skill",
        ),
        pytest.param(
            "sam-output-api_with_auth_all_minimum.json",
            [
                ("MyApiWithCognitoAuth", "api", "MyFn", 41),
                ("MyApiWithLambdaRequestAuth", "api", "MyAuthFn", 145),
                ("MyApiWithLambdaRequestAuth", "api", "MyFn", 132),
                ("MyApiWithLambdaTokenAuth", "api", "MyAuthFn", 265),
                ("MyApiWithLambdaTokenAuth", "api", "MyFn", 252),
                ("MyApiWithNotCachedLambdaRequestAuth", "api", "MyAuthFn", 368),
                ("MyApiWithNotCachedLambdaRequestAuth", "api", "MyFn", 354),
            ],
            id="openapi_integrations_and_authorizers_in_a_rest_api_body_trigger_their_functions",
        ),
        pytest.param(
            "sam-output-cloudwatchlog.json",
            [("external:name:MyCWLogGroup", "other", "TriggeredFunction", 32)],
            id="a_log_group_named_by_a_literal_is_an_external_source",
        ),
        pytest.param(
            "sam-output-cognito_userpool_with_event.json",
            [
                ("UserPool", "other", "ImplicitApiFunction", 75),
                ("UserPool", "other", "ImplicitApiFunction", 81),
                ("UserPool", "other", "ImplicitApiFunction", 87),
            ],
            id="a_user_pool_triggers_each_lambda_in_its_lambda_config",
        ),
        pytest.param(
            "sam-output-documentdb_with_intrinsics.json",
            [
                (
                    "external:arn:arn:aws:rds:us-east-1:156327056618:cluster:docdb-2022-11-08-00-10-05r",
                    "table",
                    "DocumentDBFunction",
                    36,
                )
            ],
            id="a_documentdb_cluster_is_the_source_of_its_event_source_mapping",
        ),
        pytest.param(
            "sam-output-eventbridgerule.json",
            [
                ("ScheduledFunctionSchedule", "schedule", "ScheduledFunction", 61),
                ("TriggeredFunctionOnTerminate", "event_rule", "TriggeredFunction", 125),
            ],
            id="event_rules_trigger_their_function_targets",
        ),
        pytest.param(
            "sam-output-function_with_alias_and_event_sources.json",
            [
                ("GetHtmlApi", "api", "MyAwesomeFunction", 248),
                ("Images", "bucket", "MyAwesomeFunction", 55),
                ("MyAwesomeFunctionCWEvent", "event_rule", "MyAwesomeFunction", 114),
                ("MyAwesomeFunctionEBRule", "event_rule", "MyAwesomeFunction", 192),
                ("MyAwesomeFunctionEBSchedule", "schedule", "MyAwesomeFunction", 222),
                ("MyAwesomeFunctionIoTRule", "other", "MyAwesomeFunction", 295),
                ("Notifications", "topic", "MyAwesomeFunction", 343),
                ("ServerlessRestApi", "api", "MyAwesomeFunction", 441),
                (
                    "external:arn:arn:aws:dynamodb:us-west-2:012345678901:table/TestTable/stream/2015-05-11T21:21:33.291",
                    "table",
                    "MyAwesomeFunction",
                    171,
                ),
                ("external:arn:arn:aws:kinesis:us-west-2:012345678901:stream/my-stream", "stream", "MyAwesomeFunction", 332),
                ("external:name:MyLogGroup", "other", "MyAwesomeFunction", 145),
            ],
            id="every_trigger_on_an_alias_reaches_the_function_and_a_permission_fills_the_gap",
        ),
        pytest.param("sam-output-function_with_event_dest.json", [], id="destinations_are_not_triggers"),
        pytest.param(
            "sam-output-function_with_event_schedule_state.json",
            [
                ("ScheduledFunctionSchedule1", "schedule", "ScheduledFunction", 73),
                ("ScheduledFunctionSchedule2", "schedule", "ScheduledFunction", 111),
                ("ScheduledFunctionSchedule3", "schedule", "ScheduledFunction", 149),
                ("ScheduledFunctionScheduleV2", "schedule", "ScheduledFunction", 185),
                ("ScheduledFunctionScheduleV2FalseName", "schedule", "ScheduledFunction", 208),
                ("ScheduledFunctionScheduleV2MoreProperties", "schedule", "ScheduledFunction", 284),
            ],
            id="scheduler_schedules_and_scheduled_rules_are_schedules",
        ),
        pytest.param(
            "sam-output-function_with_function_url_config.json",
            [("MyFunctionUrl", "api", "MyFunction", 95)],
            id="a_function_url_triggers_its_function",
        ),
        pytest.param(
            "sam-output-function_with_mq.json",
            [("MyMqBroker", "queue", "MyLambdaFunction", 181)],
            id="an_mq_broker_is_the_source_of_its_event_source_mapping",
        ),
        pytest.param(
            "sam-output-function_with_msk.json",
            [
                (
                    "external:arn:arn:aws:kafka:${AWS::Region}:012345678901:cluster/mycluster/6cc0432b-8618-4f44-bccc-e1fbd8fb7c4d-2",
                    "stream",
                    "MyMskStreamProcessor",
                    28,
                )
            ],
            id="an_msk_cluster_arn_is_a_stream_source",
        ),
        pytest.param(
            "sam-output-function_with_self_managed_kafka.json",
            [("external:kafka 123.45.67.89:9096,abc.xyz.com:9092", "stream", "KafkaFunction", 28)],
            id="a_self_managed_kafka_source_is_named_by_its_bootstrap_servers",
        ),
        pytest.param(
            "sam-output-iot_rule.json",
            [("IoTRuleFuncMyIoTRule", "other", "IoTRuleFunc", 36), ("IoTRuleFuncMyOtherIoTRule", "other", "IoTRuleFunc", 81)],
            id="an_iot_topic_rule_triggers_its_lambda_action",
        ),
        pytest.param(
            "sam-output-sns_sqs.json",
            [("SaveNotificationFunctionNotificationTopicQueue", "queue", "SaveNotificationFunction", 58)],
            id="a_queue_subscribed_to_a_topic_is_the_source_not_the_topic",
        ),
        pytest.param(
            "sam-output-sqs.json",
            [("external:arn:arn:aws:sqs:us-west-2:012345678901:my-queue", "queue", "SQSFunction", 26)],
            id="an_sqs_queue_arn_is_the_source_of_its_event_source_mapping",
        ),
        pytest.param(
            "sns-topic-subscription.yaml",
            [("MySnsTopic", "topic", "TopicConsumerFunction1", 11)],
            id="a_topic_subscription_with_lambda_protocol_is_triggered_by_the_topic",
        ),
        pytest.param(
            "state-machine-tasks.yaml",
            [("CapstoneWebSocketApi", "api", "AuthorizerLambda", 216), ("CapstoneWebSocketApi", "api", "InvokerLambda", 233)],
            id="websocket_integrations_and_authorizers_trigger_their_functions",
        ),
        pytest.param(
            "websocket-connect-route.yml",
            [("WebSocketApi", "api", "OnConnectLambdaFunction", 50), ("WebSocketApi", "api", "OnDisconnectLambdaFunction", 100)],
            id="apigatewayv2_integrations_trigger_their_functions",
        ),
    ],
)
def test_raw_cloudformation_triggers(fixture: str, expected: list[tuple[str, str, str, int]]) -> None:
    assert triggers(fixture) == expected


def test_every_trigger_location_names_the_fixture_file() -> None:
    graph = load_template(CFN / "sam-output-function_with_alias_and_event_sources.json", allow_errors=True)
    assert {t.location.path for t in graph.trigger_edges()} == {"sam-output-function_with_alias_and_event_sources.json"}
    assert str(graph.triggers_of(graph.functions()[0])[0].location).startswith("sam-output-")


def test_a_state_machine_task_invokes_functions_named_by_a_resolved_arn() -> None:
    invokes = [edge for edge in edges("state-machine-tasks.yaml", "invokes") if edge[0] == "Orchestrator"]
    assert invokes == [
        ("Orchestrator", "speech", 377, "state machine task"),
        ("Orchestrator", "transcribeCheck", 350, "state machine task"),
        ("Orchestrator", "transcribeLaunch", 336, "state machine task"),
        ("Orchestrator", "translate", 370, "state machine task"),
    ]
    assert not any(edge[0] == "Orchestrator" for edge in edges("state-machine-tasks.yaml", "triggers"))


def test_a_function_destination_and_an_invoke_policy_are_invokes_not_triggers() -> None:
    assert edges("sam-output-function_with_event_dest.json", "invokes") == [
        ("MyTestFunction2", "DestinationLambda", 155, "destination OnSuccess"),
        ("MyTestFunction2", "DestinationLambda", 201, "IAM lambda:InvokeFunction"),
    ]


def test_a_permission_without_another_edge_is_a_trigger_from_its_source_arn() -> None:
    graph = load_template(CFN / "sam-output-function_with_alias_and_event_sources.json", allow_errors=True)
    [permission] = [t for t in graph.trigger_edges() if t.detail == "Permission"]
    assert (short(permission.source), permission.location.line) == ("GetHtmlApi", 248)


def test_a_topic_delivering_to_a_queue_is_wiring_between_them_not_a_trigger() -> None:
    subscriptions = [edge for edge in edges("sam-output-sns_sqs.json", "references") if edge[3] == "subscription"]
    assert subscriptions == [("Notifications", "SaveNotificationFunctionNotificationTopicQueue", 29, "subscription")]


ARNS_HERE_AND_ELSEWHERE = (
    "Resources:\n"
    "  Orders:\n"
    "    Type: AWS::DynamoDB::Table\n"
    "    Properties: {TableName: orders}\n"
    "  Fn:\n"
    "    Type: AWS::Lambda::Function\n"
    "    Properties: {FunctionName: project-orders}\n"
    "  Mapping:\n"
    "    Type: AWS::Lambda::EventSourceMapping\n"
    "    Properties:\n"
    "      EventSourceArn: !Sub arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders/stream/2024\n"
    "      FunctionName: arn:aws:lambda:us-east-1:123456789012:function:project-orders:live\n"
    "      StartingPosition: LATEST\n"
    "  Elsewhere:\n"
    "    Type: AWS::Lambda::EventSourceMapping\n"
    "    Properties:\n"
    "      EventSourceArn: arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2024\n"
    "      FunctionName: !Ref Fn\n"
    "      StartingPosition: LATEST\n"
)


def test_an_arn_in_the_units_region_and_account_names_the_local_resource(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(ARNS_HERE_AND_ELSEWHERE)
    graph = load(str(template), root=str(tmp_path), region="us-east-1", account_id="123456789012")
    assert sorted((short(t.source), t.source_kind, short(t.function), t.location.line) for t in graph.trigger_edges()) == [
        ("Orders", "table", "Fn", 8),
        ("external:arn:arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2024", "table", "Fn", 14),
    ]


def test_an_arn_names_the_local_resource_in_any_region_and_account_when_nobody_gives_them(tmp_path: Path) -> None:
    """The stack may be deployed to eu-west-1 in account 123456789012: its region and account are wildcards,
    so the second mapping names the same local table, one trigger (at the first mapping's line)."""
    template = tmp_path / "template.yaml"
    template.write_text(ARNS_HERE_AND_ELSEWHERE)
    graph = load(str(template), root=str(tmp_path))
    assert [(short(t.source), t.source_kind, short(t.function), t.location.line) for t in graph.trigger_edges()] == [
        ("Orders", "table", "Fn", 8),
    ]
    assert graph.externals() == []
