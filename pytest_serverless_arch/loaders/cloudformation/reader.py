"""CloudFormation (and the CloudFormation half of SAM) into a :class:`LoadedUnit`.

The reader first records every resource, then reads the wiring between them:
triggers (event source -> function), invokes, accesses (IAM, environment,
destinations) and references (Ref/GetAtt/Sub/DependsOn).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ...model import Export, ForeignRef, LoadedUnit, LoadError
from ...parse import LineDict, TaggedValue, describe_value, item_line, key_line, line_of, strings_with_lines
from ...pseudo import ACCOUNT_ID, REGION, arn_fields
from ..endpoints import DEFAULT_EVENT_BUS, LAMBDA_ARN, event_bus_endpoint, log_group_endpoint, self_managed_kafka
from .accesses import destinations, function_accesses, on_failure_destination, role_accesses
from .included import IncludedFile, include_location, is_local_path, read_included
from .intrinsics import is_mapping, sub_parts, symbolic_string, target_of
from .mentions import Walked, mentions_in
from .template import TemplateReader

__all__ = [
    "code_source",
    "condition_branches",
    "esm_source_kind",
    "function_in_uri",
    "included_openapi",
    "openapi_lambda_uris",
    "read_outputs",
    "read_resources",
    "read_wiring",
    "rule_bus_reference",
    "state_machine_wiring",
    "valid_shape",
]


def valid_shape(unit: LoadedUnit, document: Mapping[str, Any]) -> bool:
    resources = document.get("Resources")
    if resources is None:
        unit.errors.append(LoadError(unit.path, 1, "template has no `Resources` section"))
        return False
    if not isinstance(resources, Mapping):
        line = document.line_of("Resources") if isinstance(document, LineDict) else 1
        unit.errors.append(
            LoadError(
                unit.path, line, f"`Resources` must be a mapping of logical ids to resources, not {describe_value(resources)}"
            )
        )
        return False
    return True


def read_resources(reader: TemplateReader) -> None:
    """Record every explicit resource of the template not already recorded (SAM ones are)."""
    lines = getattr(reader.resources, "key_lines", {})
    for logical_id, spec in reader.resources.items():
        line = lines.get(logical_id, 1)
        logical_id = str(logical_id)
        if logical_id in reader.records:
            continue
        if logical_id.startswith("Fn::ForEach::"):
            reader.note(
                line, f"{logical_id}: Fn::ForEach (AWS::LanguageExtensions) is not expanded; its resources are not in the graph"
            )
            continue
        if not is_mapping(spec):
            reader.unit.errors.append(LoadError(reader.path, line, f"resource {logical_id} is not a mapping"))
            continue
        type_name = spec.get("Type")
        if isinstance(type_name, TaggedValue):
            reader.note(
                line,
                f"resource {logical_id}: type {type_name.tag} is a preprocessor directive "
                "(e.g. a Rain module) that is not expanded; the resource is not in the graph",
            )
            continue
        if not isinstance(type_name, str):
            reader.unit.errors.append(LoadError(reader.path, line, f"resource {logical_id} has no `Type`"))
            continue
        properties = spec.get("Properties")
        if properties is not None and not is_mapping(properties):
            reader.note(line, f"resource {logical_id}: `Properties` is not a mapping; ignored")
            properties = None
        reader.add_resource(
            reader.make_resource(
                logical_id,
                type_name,
                properties,
                line,
                metadata=spec.get("Metadata"),
                code_source=code_source(reader, type_name, properties or {}),
            )
        )


def code_source(reader: TemplateReader, type_name: str, properties: Mapping[str, Any]) -> str | None:
    """Why a function's code comes from outside its unit, or None when the unit ships it."""
    candidates: list[tuple[str, Any]] = []
    if type_name == "AWS::Lambda::Function":
        code = properties.get("Code")
        if isinstance(code, Mapping):
            candidates += [(f"Code.{key}", code.get(key)) for key in ("S3Key", "S3ObjectVersion", "ImageUri")]
    elif type_name == "AWS::Serverless::Function":
        code = properties.get("CodeUri")
        if isinstance(code, Mapping) and not _is_intrinsic(code):
            candidates += [(f"CodeUri.{key}", code.get(key)) for key in ("Key", "Version")]
        else:
            candidates.append(("CodeUri", code))
        candidates.append(("ImageUri", properties.get("ImageUri")))
    for where, value in candidates:
        origin = _outside_origin(reader, value)
        if origin:
            return f"{where} comes from {origin}"
    return None


def _is_intrinsic(value: Mapping[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))


def _outside_origin(reader: TemplateReader, value: Any) -> str | None:
    if isinstance(value, str):
        return "an SSM parameter" if "{{resolve:ssm" in value else None
    if not is_mapping(value) or len(value) != 1:
        return None
    ((key, inner),) = value.items()
    if key == "Ref" and isinstance(inner, str) and inner in reader.parameter_types:
        return f"parameter {inner}"
    if key == "Fn::ImportValue":
        return "an imported value"
    if key == "Fn::Sub":
        parts = sub_parts(inner)
        if parts:
            template, variables = parts
            for name in reader.parameter_types:
                if "${" + name + "}" in template:
                    return f"parameter {name}"
            if "{{resolve:ssm" in template:
                return "an SSM parameter"
            for variable in variables.values():
                origin = _outside_origin(reader, variable)
                if origin:
                    return origin
    if key in ("Fn::Join", "Fn::If", "Fn::Select"):
        items = inner[1] if key == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 else inner
        if isinstance(items, list):
            for item in items:
                origin = _outside_origin(reader, item)
                if origin:
                    return origin
    return None


# --- wiring -------------------------------------------------------------------


def read_wiring(reader: TemplateReader) -> None:
    """Triggers, invokes, accesses and references of every explicit resource."""
    lines = getattr(reader.resources, "key_lines", {})
    permissions: list[tuple[str, Mapping[str, Any], int]] = []
    for logical_id, spec in reader.resources.items():
        if not is_mapping(spec) or not isinstance(spec.get("Type"), str):
            continue
        logical_id = str(logical_id)
        type_name = spec["Type"]
        properties = spec.get("Properties")
        line = lines.get(logical_id, 1)
        if not is_mapping(properties):
            properties = LineDict()
        if type_name == "AWS::Lambda::Permission":
            permissions.append((logical_id, properties, line))
        handler = _WIRING.get(type_name)
        if handler is None and (type_name.startswith("Custom::") or type_name == "AWS::CloudFormation::CustomResource"):
            handler = _custom_resource
        if handler is not None:
            handler(reader, logical_id, properties, line)
        _references(reader, logical_id, spec, line)
    # A permission only adds an edge that no other resource already gives.
    for logical_id, properties, line in permissions:
        _permission(reader, logical_id, properties, line)
    role_accesses(reader)


def _trigger(reader: TemplateReader, source: Any, function: Any, line: int, detail: str) -> None:
    if source is None or function is None:
        return
    reader.edge("triggers", source, function, line, detail)


def _event_source_mapping(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    function = reader.function_endpoint(properties.get("FunctionName"))
    source: Any = None
    if "EventSourceArn" in properties:
        source = reader.endpoint(_consumed_stream(reader, properties["EventSourceArn"]), esm_source_kind(properties))
    elif isinstance(properties.get("SelfManagedEventSource"), Mapping):
        source = self_managed_kafka(properties["SelfManagedEventSource"])
    _trigger(reader, source, function, line, "EventSourceMapping")
    if function is not None:
        on_failure_destination(reader, function, properties.get("DestinationConfig"), line)


def _consumed_stream(reader: TemplateReader, arn: Any) -> Any:
    """An ARN naming a local ``AWS::Kinesis::StreamConsumer`` -> its ``StreamARN``: the stream emits the records."""
    spec = reader.resources.get(target_of(arn, reader.resources) or "")
    if isinstance(spec, Mapping) and spec.get("Type") == "AWS::Kinesis::StreamConsumer":
        properties = spec.get("Properties")
        if isinstance(properties, Mapping) and properties.get("StreamARN") is not None:
            return properties["StreamARN"]
    text = reader.resolve(arn) if isinstance(arn, str) else None
    match = _KINESIS_CONSUMER_ARN.match(text or "")
    return match.group(1) if match else arn


_KINESIS_CONSUMER_ARN = re.compile(r"^(arn:[\w-]+:kinesis:[^:]*:[^:]*:stream/[^/]+)/consumer/.+$")


def esm_source_kind(properties: Mapping[str, Any]) -> str:
    """The kind of node an event source mapping polls, guessed from its other properties.

    Only used when ``EventSourceArn`` names nothing in the unit (a parameter,
    an import): an MQ broker has ``Queues``, DocumentDB its own config, a
    stream (Kinesis, DynamoDB, Kafka) a ``StartingPosition``; SQS has none.
    """
    if "Queues" in properties:
        return "queue"
    if "DocumentDBEventSourceConfig" in properties:
        return "table"
    if "StartingPosition" in properties or "Topics" in properties or "AmazonManagedKafkaEventSourceConfig" in properties:
        return "stream"
    return "queue"


def _sns_subscription(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    protocol = str(reader.resolve(properties.get("Protocol")) or "").lower()
    topic = reader.endpoint(properties.get("TopicArn"), "topic")
    if protocol == "lambda":
        _trigger(reader, topic, reader.function_endpoint(properties.get("Endpoint")), line, "SNS")
    elif protocol == "sqs" and topic is not None:
        # Wiring between two resources: the topic delivers to the queue, which may trigger a function.
        queue = reader.endpoint(properties.get("Endpoint"), "queue")
        if queue is not None:
            reader.edge("references", topic, queue, line, "subscription")


def _sns_topic(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    subscriptions = properties.get("Subscription")
    if not isinstance(subscriptions, list):
        return
    for index, item in enumerate(subscriptions):
        if isinstance(item, Mapping) and str(reader.resolve(item.get("Protocol")) or "").lower() == "lambda":
            _trigger(
                reader,
                logical_id,
                reader.function_endpoint(item.get("Endpoint")),
                line_of(item, item_line(subscriptions, index, line)),
                "SNS",
            )


def condition_branches(value: Any) -> Iterator[Mapping[str, Any]]:
    """The mappings a list item may be: itself, or the branches of an ``Fn::If`` (SAM writes these)."""
    if isinstance(value, Mapping) and len(value) == 1 and isinstance(value.get("Fn::If"), list):
        branches = value["Fn::If"]
        for branch in branches[1:3] if len(branches) == 3 else []:
            yield from condition_branches(branch)
    elif isinstance(value, Mapping) and not (len(value) == 1 and "Ref" in value):
        yield value


def _s3_bucket(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    notification = properties.get("NotificationConfiguration")
    if not isinstance(notification, Mapping):
        return
    configurations = notification.get("LambdaConfigurations")
    if isinstance(configurations, list):
        for index, entry in enumerate(configurations):
            for item in condition_branches(entry):
                _trigger(
                    reader,
                    logical_id,
                    reader.function_endpoint(item.get("Function")),
                    line_of(item, item_line(configurations, index, line)),
                    "S3",
                )
    for key, kind in (("QueueConfigurations", "queue"), ("TopicConfigurations", "topic")):
        items = notification.get(key)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, Mapping):
                    target = reader.endpoint(item.get("Queue" if kind == "queue" else "Topic"), kind)
                    if target is not None:
                        reader.edge("references", logical_id, target, line_of(item, line), "notification")


def _events_rule(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    targets = properties.get("Targets")
    if isinstance(targets, list):
        items = [(index, item) for index, entry in enumerate(targets) for item in condition_branches(entry)]
        for index, item in items:
            target_line = line_of(item, item_line(targets, index, line))
            function = reader.function_endpoint(item.get("Arn"))
            if function is not None:
                _trigger(reader, logical_id, function, target_line, "EventBridge")
            else:
                target = reader.endpoint(item.get("Arn"))
                if target is not None:
                    reader.edge("references", logical_id, target, target_line, "rule target")
            dlq = item.get("DeadLetterConfig")
            if isinstance(dlq, Mapping):
                queue = reader.endpoint(dlq.get("Arn"), "queue")
                if queue is not None:
                    reader.edge("references", logical_id, queue, target_line, "dead-letter queue")
    rule_bus_reference(reader, logical_id, properties, line)


def rule_bus_reference(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    """An event rule listens on a bus (the default one unless ``EventBusName`` says otherwise)."""
    if properties.get("ScheduleExpression"):
        return
    bus_name = properties.get("EventBusName")
    if bus_name is not None:
        bus = event_bus_endpoint(reader, bus_name)
        if bus is not None:
            reader.edge("references", logical_id, bus, key_line(properties, "EventBusName", line), "event bus")
    elif properties.get("EventPattern") is not None:
        reader.edge("references", logical_id, DEFAULT_EVENT_BUS, key_line(properties, "EventPattern", line), "event bus")


def _scheduler(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    target = properties.get("Target")
    if isinstance(target, Mapping):
        function = reader.function_endpoint(target.get("Arn"))
        if function is not None:
            _trigger(reader, logical_id, function, line_of(target, line), "Scheduler")
        else:
            other = reader.endpoint(target.get("Arn"))
            if other is not None:
                reader.edge("references", logical_id, other, line_of(target, line), "schedule target")


def _api_method(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    integration = properties.get("Integration")
    if not isinstance(integration, Mapping):
        return
    api = reader.endpoint(properties.get("RestApiId"), "api")
    function = function_in_uri(reader, integration.get("Uri"))
    _trigger(reader, api, function, key_line(properties, "Integration", line), "Api")


def _api_authorizer(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    api = reader.endpoint(properties.get("RestApiId", properties.get("ApiId")), "api")
    uri = properties.get("AuthorizerUri")
    _trigger(reader, api, function_in_uri(reader, uri), key_line(properties, "AuthorizerUri", line), "Authorizer")


def _apiv2_integration(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    api = reader.endpoint(properties.get("ApiId"), "api")
    function = function_in_uri(reader, properties.get("IntegrationUri"))
    _trigger(reader, api, function, key_line(properties, "IntegrationUri", line), "ApiGatewayV2")


def function_in_uri(reader: TemplateReader, uri: Any) -> Any:
    """The function an API integration URI (``arn:..:lambda:path/..functions/<arn>/invocations``) names."""
    if uri is None:
        return None
    for owner, _ in reader.references(uri, 0):
        if reader.kind(owner) == "function":
            return owner
        if reader.type_of(owner) in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            return reader.function_endpoint({"Ref": owner})
    text = reader.resolve(uri)
    if text and "/functions/" in text:
        arn = text.split("/functions/", 1)[-1].split("/invocations", 1)[0]
        return reader.function_endpoint(arn) if arn else None
    if text and text.startswith("arn:") and ":function:" in text:
        return reader.function_endpoint(text)  # AppSync authorizers and data sources take the plain ARN
    return _foreign_function_in(reader, uri)


def _foreign_function_in(reader: TemplateReader, uri: Any) -> Any:
    """A function of another unit that a URI embeds: ``!ImportValue`` in a Sub/Join, or ``${cf:..}``."""
    pieces: list[Any] = [uri]
    if isinstance(uri, Mapping) and len(uri) == 1:
        ((key, inner),) = uri.items()
        if key == "Fn::Sub":
            parts = sub_parts(inner)
            if parts:
                pieces = [parts[0], *parts[1].values()]
        elif key == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 and isinstance(inner[1], list):
            pieces = list(inner[1])
    for piece in pieces:
        for ref in getattr(piece, "refs", ()):  # serverless ``${cf:..}``/``${ssm:..}`` placeholders
            if ref.how in ("stack_output", "compose_param", "ssm", "import"):
                return dataclasses.replace(ref, kind_hint="function")
        if isinstance(piece, Mapping) and len(piece) == 1 and next(iter(piece)) in ("Fn::ImportValue", "Fn::GetStackOutput"):
            return reader.function_endpoint(piece)
    return None


def _api_body(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    """OpenAPI ``x-amazon-apigateway-integration`` (and authorizer) URIs inside Body/DefinitionBody.

    A body kept in a local file (``BodyS3Location`` as ``aws cloudformation package``
    takes it, or an ``AWS::Include``) is read from that file.
    """
    for key in ("Body", "DefinitionBody", "BodyS3Location"):
        body = properties.get(key)
        body_line = key_line(properties, key, line)
        location = body if key == "BodyS3Location" else include_location(body)
        if location is not None:
            included_openapi(reader, logical_id, location, body_line)
        elif isinstance(body, Mapping):
            for uri, uri_line, detail in openapi_lambda_uris(body, body_line):
                _trigger(reader, logical_id, function_in_uri(reader, uri), uri_line, detail)


def included_openapi(reader: TemplateReader, api: str, location: Any, line: int) -> bool:
    """Triggers written in an OpenAPI file the template includes, located on that file's lines.

    False when the file is not read (no repository root given, or not a local file).
    """
    if reader.root is None or not is_local_path(location):
        return False
    included = read_included(reader, location, line, "API definition")
    if included is None:
        return True
    with reader.located_in(included.path):
        for uri, uri_line, detail in openapi_lambda_uris(included.document, 1):
            if isinstance(uri, str) and "${" in uri:
                uri = {"Fn::Sub": uri}  # an included snippet is written for Fn::Sub-style placeholders
            _trigger(reader, api, function_in_uri(reader, uri), uri_line, detail)
    return True


def openapi_lambda_uris(body: Mapping[str, Any], line: int) -> Iterator[tuple[Any, int, str]]:
    """Each Lambda URI in an OpenAPI body: integrations and authorizers."""
    stack: list[tuple[Any, int]] = [(body, line)]
    while stack:
        node, node_line = stack.pop()
        if isinstance(node, Mapping):
            lines = getattr(node, "key_lines", {})
            for key, value in node.items():
                value_line = lines.get(key, line_of(node, node_line))
                if key == "x-amazon-apigateway-integration" and isinstance(value, Mapping):
                    uri = value.get("uri")
                    if uri is not None:
                        yield uri, key_line(value, "uri", value_line), "Api"
                elif key == "x-amazon-apigateway-authorizer" and isinstance(value, Mapping):
                    uri = value.get("authorizerUri")
                    if uri is not None:
                        yield uri, key_line(value, "authorizerUri", value_line), "Authorizer"
                else:
                    stack.append((value, value_line))
        elif isinstance(node, list):
            stack.extend((item, line_of(node, node_line)) for item in node)


# A pipe's source parameters say what kind of thing its source is.
_PIPE_SOURCE_KINDS = {
    "SqsQueueParameters": "queue",
    "ActiveMQBrokerParameters": "queue",
    "RabbitMQBrokerParameters": "queue",
    "KinesisStreamParameters": "stream",
    "DynamoDBStreamParameters": "stream",
    "ManagedStreamingKafkaParameters": "stream",
    "SelfManagedKafkaParameters": "stream",
}


def _pipe(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    parameters = properties.get("SourceParameters")
    kinds = [kind for key, kind in _PIPE_SOURCE_KINDS.items() if isinstance(parameters, Mapping) and key in parameters]
    source = reader.endpoint(properties.get("Source"), kinds[0] if kinds else "other")
    for key in ("Target", "Enrichment"):
        function = reader.function_endpoint(properties.get(key))
        _trigger(reader, source, function, key_line(properties, key, line), "Pipe")
        if function is None and key == "Target":
            target = reader.endpoint(properties.get(key))
            if target is not None and source is not None:
                reader.edge("references", logical_id, target, key_line(properties, key, line), "pipe target")
    if source is not None:
        reader.edge("references", logical_id, source, key_line(properties, "Source", line), "pipe source")


def _log_subscription(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    function = reader.function_endpoint(properties.get("DestinationArn"))
    if function is None:
        return
    _trigger(
        reader,
        log_group_endpoint(reader, properties.get("LogGroupName")),
        function,
        key_line(properties, "DestinationArn", line),
        "CloudWatchLogs",
    )


def _cognito_user_pool(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    config = properties.get("LambdaConfig")
    if not isinstance(config, Mapping):
        return
    for key, value in config.items():
        if isinstance(value, Mapping) and "LambdaArn" in value and not _is_intrinsic(value):
            value = value.get("LambdaArn")  # CustomSMSSender / CustomEmailSender
        _trigger(reader, logical_id, reader.function_endpoint(value), key_line(config, key, line), f"Cognito {key}")


def _iot_rule(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    payload = properties.get("TopicRulePayload")
    if not isinstance(payload, Mapping):
        return
    for key in ("Actions", "ErrorAction"):
        actions = payload.get(key)
        actions = [actions] if isinstance(actions, Mapping) else actions
        if not isinstance(actions, list):
            continue
        for action in actions:
            if isinstance(action, Mapping) and isinstance(action.get("Lambda"), Mapping):
                lambda_action = action["Lambda"]
                _trigger(
                    reader,
                    logical_id,
                    reader.function_endpoint(lambda_action.get("FunctionArn")),
                    line_of(lambda_action, line),
                    "IoTRule",
                )


def _target_group(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    if str(reader.resolve(properties.get("TargetType")) or "").lower() != "lambda":
        return
    targets = properties.get("Targets")
    if isinstance(targets, list):
        for item in targets:
            if isinstance(item, Mapping):
                _trigger(reader, logical_id, reader.function_endpoint(item.get("Id")), line_of(item, line), "ALB")


def _custom_resource(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    _trigger(
        reader,
        logical_id,
        reader.function_endpoint(properties.get("ServiceToken")),
        key_line(properties, "ServiceToken", line),
        "CustomResource",
    )


def _function_url(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    _trigger(
        reader,
        logical_id,
        reader.function_endpoint(properties.get("TargetFunctionArn")),
        key_line(properties, "TargetFunctionArn", line),
        "FunctionUrl",
    )


def _appsync_data_source(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    config = properties.get("LambdaConfig")
    if isinstance(config, Mapping):
        _trigger(
            reader,
            reader.endpoint(properties.get("ApiId"), "api"),
            reader.function_endpoint(config.get("LambdaFunctionArn")),
            line_of(config, line),
            "AppSync",
        )


def _appsync_api(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    """Lambda authorizers of an AppSync API (the default one and the additional providers)."""
    configs: list[Any] = [properties.get("LambdaAuthorizerConfig")]
    providers = properties.get("AdditionalAuthenticationProviders")
    if isinstance(providers, list):
        configs += [item.get("LambdaAuthorizerConfig") for item in providers if isinstance(item, Mapping)]
    for config in configs:
        if isinstance(config, Mapping):
            _trigger(
                reader,
                logical_id,
                reader.function_endpoint(config.get("AuthorizerUri")),
                key_line(config, "AuthorizerUri", line_of(config, line)),
                "AppSync authorizer",
            )


def _ses_receipt_rule(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    rule = properties.get("Rule")
    actions = rule.get("Actions") if isinstance(rule, Mapping) else None
    if isinstance(actions, list):
        for action in actions:
            if isinstance(action, Mapping) and isinstance(action.get("LambdaAction"), Mapping):
                _trigger(
                    reader,
                    logical_id,
                    reader.function_endpoint(action["LambdaAction"].get("FunctionArn")),
                    line_of(action, line),
                    "SES",
                )


def state_machine_wiring(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    """Task states that call a function are ``invokes`` edges, not triggers.

    A definition kept in a local file (SAM ``DefinitionUri``, ``DefinitionS3Location``
    as ``aws cloudformation package`` takes it, an ``AWS::Include``) is read first,
    so its edges carry that file's lines.
    """
    for key in ("DefinitionUri", "DefinitionS3Location", "Definition"):
        value = properties.get(key)
        location = include_location(value) if key == "Definition" else value
        if reader.root is not None and is_local_path(location):
            included = read_included(reader, location, key_line(properties, key, line), "state machine definition")
            if included is not None:
                _included_asl(reader, logical_id, included, properties.get("DefinitionSubstitutions"))
    for key in ("Definition", "DefinitionString", "DefinitionSubstitutions"):
        value = properties.get(key)
        if value is None:
            continue
        for owner, owner_line in reader.references(value, key_line(properties, key, line)):
            if reader.kind(owner) == "function":
                reader.edge("invokes", logical_id, owner, owner_line, "state machine task")
            elif owner in reader.records and reader.records[owner].kind != "other":
                reader.edge("accesses", logical_id, owner, owner_line, "")
        for arn, arn_line in _lambda_arns(reader, value, key_line(properties, key, line)):
            function = reader.function_endpoint(arn)
            if function is not None:
                reader.edge("invokes", logical_id, function, arn_line, "state machine task")
        for parameter, parameter_line in _task_parameters(reader, value, key_line(properties, key, line)):
            # ``"Resource": "${Fn}"`` with ``Fn`` a parameter (an SSM-held ARN, say): the linker follows it
            function = reader.function_endpoint({"Ref": parameter})
            if isinstance(function, ForeignRef):
                reader.edge("invokes", logical_id, function, parameter_line, "state machine task")


_TASK_VARIABLE = re.compile(r'"(?:Resource|FunctionName)"\s*:\s*"\$\{([A-Za-z0-9]+)\}')


def _task_parameters(reader: TemplateReader, value: Any, line: int) -> Iterator[tuple[str, int]]:
    """Template parameters a ``Fn::Sub`` definition puts where a task names its function, with their lines."""
    if not (isinstance(value, Mapping) and len(value) == 1 and "Fn::Sub" in value):
        return
    parts = sub_parts(value["Fn::Sub"])
    if parts is None:
        return
    template, variables = parts
    first = line_of(value["Fn::Sub"], line)
    for match in _TASK_VARIABLE.finditer(template):
        name = match.group(1)
        if name not in variables and name in reader.parameter_types:
            # a block scalar (several lines) starts on the line after its key
            yield name, first + ("\n" in template) + template.count("\n", 0, match.start())


_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


def _included_asl(reader: TemplateReader, state_machine: str, included: IncludedFile, substitutions: Any) -> None:
    """``invokes``/``accesses`` of an ASL file: ``${Var}`` through ``DefinitionSubstitutions``, literal ARNs."""
    if not isinstance(substitutions, Mapping):
        substitutions = {}
    with reader.located_in(included.path):
        for _, text, text_line in strings_with_lines(included.document, 1):
            for name in _PLACEHOLDER.findall(text):
                value = substitutions.get(name)
                if value is not None:
                    _definition_value(reader, state_machine, value, text_line)
            plain = _PLACEHOLDER.sub(lambda m: reader.resolve(substitutions.get(m.group(1))) or m.group(0), text)
            for match in LAMBDA_ARN.finditer(plain):
                if "{" in match.group(0):
                    continue  # a placeholder DefinitionSubstitutions did not fill names no deployed function
                function = reader.function_endpoint(match.group(0))
                if function is not None:
                    reader.edge("invokes", state_machine, function, text_line, "state machine task")


def _definition_value(reader: TemplateReader, state_machine: str, value: Any, line: int) -> None:
    """What one substitution (``!GetAtt Fn.Arn``, ``!Ref Table``) names, as an edge on ``line``."""
    for owner, _ in reader.references(value, line):
        if reader.kind(owner) == "function":
            reader.edge("invokes", state_machine, owner, line, "state machine task")
        elif owner in reader.records and reader.records[owner].kind != "other":
            reader.edge("accesses", state_machine, owner, line, "")


def _lambda_arns(reader: TemplateReader, value: Any, line: int) -> Iterator[tuple[str, int]]:
    """Literal (or ``Fn::Sub``-resolvable) Lambda ARNs anywhere in a definition, with their lines."""
    stack: list[tuple[Any, int]] = [(value, line)]
    while stack:
        node, node_line = stack.pop()
        if isinstance(node, str):
            for match in LAMBDA_ARN.finditer(node):
                # a placeholder no intrinsic resolved (``#{AWS::Region}`` of a plugin) stays for the
                # format that knows it: the serverless step-functions reader names such a task by function;
                # the unit's own region and account, kept symbolic (``${AWS::Region}``), are no such placeholder
                if "{" not in match.group(0).replace(REGION, "").replace(ACCOUNT_ID, ""):
                    yield match.group(0), node_line
        elif isinstance(node, Mapping):
            if len(node) == 1 and ("Fn::Sub" in node or "Fn::Join" in node):
                text = reader.resolve(node)
                if text is not None:
                    stack.append((text, line_of(node, node_line)))
                    continue
                inner = next(iter(node.values()))
                stack.append((inner[1] if isinstance(inner, list) and len(inner) > 1 else None, node_line))
                continue
            lines = getattr(node, "key_lines", {})
            stack.extend((v, lines.get(k, node_line)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, node_line) for v in node)


def _event_invoke_config(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    function = reader.function_endpoint(properties.get("FunctionName"))
    if function is not None:
        destinations(reader, function, properties.get("DestinationConfig"), line)


def _lambda_function(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    function_accesses(reader, logical_id, properties, line)
    dlq = properties.get("DeadLetterConfig")
    if isinstance(dlq, Mapping):
        target = reader.endpoint(dlq.get("TargetArn"))
        if target is not None:
            reader.edge("accesses", logical_id, target, line_of(dlq, line), "write")


def _permission(reader: TemplateReader, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
    function = reader.function_endpoint(properties.get("FunctionName"))
    if function is None:
        return
    source: Any = None
    principal = str(reader.resolve(properties.get("Principal")) or "")
    if "SourceArn" in properties:
        source = _permission_source(reader, properties["SourceArn"], principal, line)
    else:
        if principal.startswith("alexa-"):
            token = reader.resolve(properties.get("EventSourceToken"))
            source = ForeignRef("external", f"alexa skill {token}" if token else "alexa skill", "other")
    if source is None:
        return
    if any(_same_source(reader, existing, source) for existing in reader.trigger_sources_of(function)):
        return
    reader.edge("triggers", source, function, line, "Permission")


# The kinds of source a service principal can invoke a function from.
_PRINCIPAL_SOURCE_KINDS = {
    "events": ("event_rule", "schedule"),
    "scheduler": ("schedule",),
    "sns": ("topic",),
    "s3": ("bucket",),
    "apigateway": ("api",),
    "sqs": ("queue",),
}


def _permission_source(reader: TemplateReader, value: Any, principal: str, line: int) -> Any:
    """The resource a permission's ``SourceArn`` names, preferring kinds its principal can invoke from.

    A rule on a custom bus has an ARN built from the bus's ARN (``rule/<bus>/<rule>``):
    the bus is mentioned, but the rule (found by its name) is the source.
    """
    service = principal.split(".", 1)[0]
    expected = _PRINCIPAL_SOURCE_KINDS.get(service)
    owners = [owner for owner, _ in reader.references(value, line) if reader.kind(owner) not in (None, "function")]
    if expected is not None:
        matching = [owner for owner in owners if reader.kind(owner) in expected]
        if matching:
            return matching[0]
        name = _last_literal_segment(value)
        for kind in expected:
            found = reader.local_by_physical_name(name, kind) if name else None
            if found is not None:
                return found
        if owners:
            return None  # names only something that cannot invoke: no edge rather than a wrong one
    elif owners:
        return owners[0]
    text = reader.resolve(value)
    return _api_by_logical_id(reader, text) or (reader.endpoint_of_text(text) if text else None)


def _last_literal_segment(value: Any) -> str | None:
    """The last ``/``-separated literal at the end of an ARN expression (a rule's name)."""
    if isinstance(value, str):
        return value.rsplit("/", 1)[-1] or None
    if isinstance(value, Mapping) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 and isinstance(inner[1], list) and inner[1]:
            tail = inner[1][-1]
            return _last_literal_segment(tail) if isinstance(tail, str) else None
        if key == "Fn::Sub":
            parts = sub_parts(inner)
            if parts:
                tail = parts[0].rsplit("/", 1)[-1]
                return tail if tail and "${" not in tail else None
    return None


def _api_by_logical_id(reader: TemplateReader, arn: str | None) -> str | None:
    """An ``execute-api`` ARN whose API id is a local API's logical id.

    SAM writes ``RestApiId: MyApi`` (a plain string) into the permission ARN as is.
    """
    if not arn or not arn.startswith("arn:") or ":execute-api:" not in arn:
        return None
    api_id = arn_fields(arn)[-1].split("/", 1)[0]
    owner = reader.owner(api_id)
    return owner if owner is not None and reader.kind(owner) == "api" else None


def _same_source(reader: TemplateReader, existing: Any, source: Any) -> bool:
    """Whether a permission's source is one a trigger already names (an ARN naming it counts)."""
    if existing == source:
        return True
    if not (isinstance(source, ForeignRef) and source.how == "arn"):
        return False
    if isinstance(existing, ForeignRef):
        names = {existing.key.rsplit(":", 1)[-1].rsplit("/", 1)[-1]}
    else:
        record = reader.records.get(existing)
        names = {existing, record.physical_name or "" if record is not None else ""}
    arn = source.key
    for name in filter(None, names):
        if arn.endswith((f":{name}", f"/{name}")) or any(f"{sep}{name}{end}" in arn for sep in ":/" for end in ":/"):
            return True
    return False


def _references(reader: TemplateReader, logical_id: str, spec: Mapping[str, Any], line: int) -> None:
    """Ref/GetAtt/Sub in properties and DependsOn, to other nodes of this unit; SSM parameters read there."""
    source = reader.owner(logical_id)
    if source is None:
        return
    properties = spec.get("Properties")
    mentions = mentions_in(properties, line, reader.resolve)  # one walk for all three (a big template's properties are big)
    reader.walked[logical_id] = Walked(properties, line, mentions.foreign)
    if properties is not None:
        for mentioned, owner_line in mentions.references:
            owner = reader.owner(mentioned)
            if owner is not None and owner != source:
                reader.edge("references", source, owner, owner_line, "")
    depends = spec.get("DependsOn")
    depends = [depends] if isinstance(depends, str) else depends
    if isinstance(depends, list):
        depends_line = key_line(spec, "DependsOn", line)
        for name in depends:
            depended = reader.owner(name) if isinstance(name, str) else None
            if depended is not None and depended != source:
                reader.edge("references", source, depended, depends_line, "DependsOn")
    for name, ssm_line in mentions.ssm_names:
        reader.edge("references", source, ForeignRef("ssm", name, "parameter"), ssm_line, "resolve:ssm")


def read_outputs(reader: TemplateReader) -> None:
    outputs = reader.document.get("Outputs")
    if not isinstance(outputs, Mapping):
        return
    lines = getattr(outputs, "key_lines", {})
    for name, spec in outputs.items():
        if not isinstance(spec, Mapping):
            continue
        value = spec.get("Value")
        export = spec.get("Export")
        export_name = reader.resolve(export.get("Name")) if isinstance(export, Mapping) else None
        if isinstance(export, Mapping) and export_name is None and export.get("Name") is not None:
            # kept with its unknown parts as ``${Name}``: an import written the same way matches it
            export_name = symbolic_string(export.get("Name"), reader.parameter_values)
            reader.note(lines.get(name, 1), f"output {name}: export name cannot be resolved offline; matched as {export_name!r}")
        reader.unit.exports.append(
            Export(str(name), export_name, reader.local_target(value), reader.loc(lines.get(name, 1)), value)
        )


_WIRING: dict[str, Callable[[TemplateReader, str, Mapping[str, Any], int], None]] = {
    "AWS::Lambda::EventSourceMapping": _event_source_mapping,
    "AWS::SNS::Subscription": _sns_subscription,
    "AWS::SNS::Topic": _sns_topic,
    "AWS::S3::Bucket": _s3_bucket,
    "AWS::Events::Rule": _events_rule,
    "AWS::Scheduler::Schedule": _scheduler,
    "AWS::ApiGateway::Method": _api_method,
    "AWS::ApiGateway::Authorizer": _api_authorizer,
    "AWS::ApiGateway::RestApi": _api_body,
    "AWS::ApiGatewayV2::Api": _api_body,
    "AWS::ApiGatewayV2::Integration": _apiv2_integration,
    "AWS::ApiGatewayV2::Authorizer": _api_authorizer,
    "AWS::Pipes::Pipe": _pipe,
    "AWS::Logs::SubscriptionFilter": _log_subscription,
    "AWS::Cognito::UserPool": _cognito_user_pool,
    "AWS::IoT::TopicRule": _iot_rule,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _target_group,
    "AWS::Lambda::Url": _function_url,
    "AWS::AppSync::DataSource": _appsync_data_source,
    "AWS::AppSync::GraphQLApi": _appsync_api,
    "AWS::SES::ReceiptRule": _ses_receipt_rule,
    "AWS::StepFunctions::StateMachine": state_machine_wiring,
    "AWS::Lambda::EventInvokeConfig": _event_invoke_config,
    "AWS::Lambda::Function": _lambda_function,
}
