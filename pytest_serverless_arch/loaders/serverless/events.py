"""A serverless.yml function's ``events:`` -> ``triggers`` edges.

Each event type becomes an edge from what the framework deploys as the
emitter (the REST/HTTP/WebSocket API, the topic, bucket, rule, queue or
stream ARN...) to the function, at the line of the event. Resources the
framework creates implicitly are added to the unit under the framework's own
logical ids (``ApiGatewayRestApi``, ``SNSTopic<Name>``,
``<Fn>EventsRuleSchedule<N>`` ...), see :mod:`.serverless_naming`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...model import Endpoint, ForeignRef
from ...parse import LineDict, line_of
from ..cloudformation.template import TemplateReader
from ..endpoints import DEFAULT_EVENT_BUS, event_bus_endpoint, log_group_endpoint, self_managed_kafka
from . import naming
from .variables import VariableText, foreign_refs_in

__all__ = ["EVENT_TYPES", "ServiceContext", "read_events"]

_ALB_LISTENER = re.compile(r"^arn:aws[\w-]*:elasticloadbalancing:.+:listener/app/[\w-]+/([\w-]+)/([\w-]+)$")
_LAMBDA_INTEGRATIONS = frozenset({"lambda", "lambda-proxy", "aws", "aws_proxy", "aws-proxy"})


@dataclass
class ServiceContext:
    """What event readers need to know about the service being read."""

    reader: TemplateReader
    service: str
    stage: str
    region: str | None  # None: nobody gives it, kept symbolic (pseudo.py)
    provider: Mapping[str, Any]
    functions: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # key -> resolved config
    physical_names: dict[str, str] = field(default_factory=dict)  # key -> deployed function name

    def provider_section(self, *path: str) -> Mapping[str, Any]:
        node: Any = self.provider
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        return node if isinstance(node, Mapping) else LineDict()


@dataclass
class _Counters:
    """Per-function numbering the framework uses in logical ids."""

    schedule: int = 0
    cloudwatch_event: int = 0
    cloudwatch_log: int = 0
    iot: int = 0


# --- helpers ---------------------------------------------------------------------


def source_endpoint(reader: TemplateReader, value: Any, kind: str = "other") -> Endpoint | None:
    """What an ARN-valued event setting names; a ``${cf:..}``/``${ssm:..}`` placeholder becomes its link."""
    refs = foreign_refs_in(value)
    if refs:
        return dataclasses.replace(refs[0], kind_hint=kind)
    if isinstance(value, VariableText) and value.unresolved:
        return ForeignRef("external", f"unresolved {value}", kind)
    return reader.endpoint(value, kind)


def _implicit(
    ctx: ServiceContext,
    logical_id: str,
    type_name: str,
    properties: Mapping[str, Any],
    line: int,
    *,
    physical_name: str | None = None,
    kind: str | None = None,
) -> str:
    """Record a resource the framework creates, unless ``resources:`` already defines it."""
    reader = ctx.reader
    if reader.owner(logical_id) is None:
        props = LineDict(properties)
        props.line = line
        reader.add_resource(
            reader.make_resource(logical_id, type_name, props, line, implicit=True, physical_name=physical_name, kind=kind)
        )
    return reader.owner(logical_id) or logical_id


def _trigger(ctx: ServiceContext, source: Endpoint | None, function: Endpoint | None, line: int, detail: str) -> None:
    if source is not None and function is not None:
        ctx.reader.edge("triggers", source, function, line, detail)


def _text(ctx: ServiceContext, value: Any) -> str | None:
    if isinstance(value, VariableText) and (value.unresolved or value.refs):
        return None
    return ctx.reader.resolve(value)


def _authorizer_function(ctx: ServiceContext, authorizer: Any) -> Endpoint | None:
    """The function behind an API authorizer: a function of this service by name, or a Lambda ARN."""
    name: Any = None
    arn: Any = None
    if isinstance(authorizer, str):
        if authorizer.upper() == "AWS_IAM":
            return None
        if ":" in authorizer:
            arn = authorizer
        else:
            name = authorizer
    elif isinstance(authorizer, Mapping):
        kind = str(authorizer.get("type", "")).upper()
        if authorizer.get("authorizerId") is not None or kind in ("AWS_IAM", "COGNITO_USER_POOLS"):
            return None
        arn = authorizer.get("arn")
        name = None if arn is not None else authorizer.get("name")
    if isinstance(name, str) and name in ctx.functions:
        return name
    if arn is not None:
        text = _text(ctx, arn)
        if text is not None and "cognito-idp" in text:
            return None
        return ctx.reader.function_endpoint(arn)
    return None


# --- event types -------------------------------------------------------------------


def _http(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    integration = str(event.get("integration", "lambda-proxy")).lower() if isinstance(event, Mapping) else "lambda-proxy"
    api_id = ctx.provider_section("apiGateway").get("restApiId")
    if api_id is not None:
        api = source_endpoint(ctx.reader, api_id, "api")
    else:
        api = _implicit(
            ctx,
            naming.REST_API,
            "AWS::ApiGateway::RestApi",
            {"Name": ctx.provider_section("apiGateway").get("restApiName") or f"{ctx.stage}-{ctx.service}"},
            line,
            kind="api",
        )
    if integration not in _LAMBDA_INTEGRATIONS:
        return
    _trigger(ctx, api, key, line, "http")
    if isinstance(event, Mapping) and event.get("authorizer") is not None:
        _trigger(ctx, api, _authorizer_function(ctx, event["authorizer"]), line, "Authorizer")


def _http_api(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    api_id = ctx.provider_section("httpApi").get("id")
    if api_id is not None:
        api = source_endpoint(ctx.reader, api_id, "api")
    else:
        api = _implicit(ctx, naming.HTTP_API, "AWS::ApiGatewayV2::Api", {"ProtocolType": "HTTP"}, line, kind="api")
    _trigger(ctx, api, key, line, "httpApi")
    authorizer = event.get("authorizer") if isinstance(event, Mapping) else None
    name = authorizer.get("name") if isinstance(authorizer, Mapping) else authorizer
    if isinstance(name, str):
        config = ctx.provider_section("httpApi", "authorizers").get(name)
        if isinstance(config, Mapping) and str(config.get("type", "")).lower() == "request":
            function: Endpoint | None = None
            if isinstance(config.get("functionName"), str) and config["functionName"] in ctx.functions:
                function = config["functionName"]
            elif config.get("functionArn") is not None:
                function = ctx.reader.function_endpoint(config["functionArn"])
            if function is not None:
                _trigger(ctx, api, function, line, "Authorizer")


def _websocket(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    api_id = ctx.provider_section("apiGateway").get("websocketApiId")
    if api_id is not None:
        api = source_endpoint(ctx.reader, api_id, "api")
    else:
        api = _implicit(ctx, naming.WEBSOCKETS_API, "AWS::ApiGatewayV2::Api", {"ProtocolType": "WEBSOCKET"}, line, kind="api")
    _trigger(ctx, api, key, line, "websocket")
    if isinstance(event, Mapping) and event.get("authorizer") is not None:
        _trigger(ctx, api, _authorizer_function(ctx, event["authorizer"]), line, "Authorizer")


def _sqs(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    arn = event.get("arn") if isinstance(event, Mapping) else event
    _trigger(ctx, source_endpoint(ctx.reader, arn, "queue"), key, line, "sqs")


def _sns(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    reader = ctx.reader
    arn: Any = None
    topic_name: Any = None
    if isinstance(event, Mapping):
        arn = event.get("arn")
        topic_name = event.get("topicName")
    elif isinstance(event, str) and event.startswith("arn:"):
        arn = event
    else:
        topic_name = event
    if arn is not None:
        _trigger(ctx, source_endpoint(reader, arn, "topic"), key, line, "sns")
        return
    name = _text(ctx, topic_name)
    if not name:
        source = source_endpoint(reader, topic_name, "topic") if topic_name is not None else None
        _trigger(ctx, source, key, line, "sns")
        return
    topic = _implicit(ctx, naming.topic_logical_id(name), "AWS::SNS::Topic", {"TopicName": name}, line, physical_name=name)
    _trigger(ctx, topic, key, line, "sns")


def _s3(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    bucket = event.get("bucket") if isinstance(event, Mapping) else event
    existing = isinstance(event, Mapping) and event.get("existing") is True
    if existing or isinstance(bucket, Mapping):
        name = _text(ctx, bucket)
        source: Endpoint | None
        if name and not name.startswith("arn:"):
            source = ForeignRef("arn", f"arn:aws:s3:::{name}", "bucket")
        else:
            source = source_endpoint(ctx.reader, bucket, "bucket")
        _trigger(ctx, source, key, line, "s3 existing")
        return
    ref = _text(ctx, bucket)
    if not ref:
        _trigger(ctx, source_endpoint(ctx.reader, bucket, "bucket"), key, line, "s3")
        return
    declared = ctx.provider_section("s3").get(ref)
    physical = ref
    if isinstance(declared, Mapping):
        physical = _text(ctx, declared.get("name")) or ref
    bucket_id = _implicit(
        ctx, naming.bucket_logical_id(ref), "AWS::S3::Bucket", {"BucketName": physical}, line, physical_name=physical
    )
    _trigger(ctx, bucket_id, key, line, "s3")


def _schedule(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    rates: Any = event.get("rate") if isinstance(event, Mapping) else event
    method = str(event.get("method", "eventBus")) if isinstance(event, Mapping) else "eventBus"
    expressions = rates if isinstance(rates, list) else [rates]
    rate_lines = getattr(rates, "item_lines", [])
    for index, expression in enumerate(expressions):
        counters.schedule += 1
        line_here = rate_lines[index] if index < len(rate_lines) else line
        if method == "scheduler":
            rule = _implicit(
                ctx,
                naming.scheduler_logical_id(key, counters.schedule),
                "AWS::Scheduler::Schedule",
                {"ScheduleExpression": expression},
                line_here,
                kind="schedule",
            )
        else:
            rule = _implicit(
                ctx,
                naming.schedule_logical_id(key, counters.schedule),
                "AWS::Events::Rule",
                {"ScheduleExpression": expression},
                line_here,
                kind="schedule",
            )
        _trigger(ctx, rule, key, line_here, "schedule")


def _event_bridge(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    if not isinstance(event, Mapping):
        ctx.reader.note(line, f"function {key}: an `eventBridge` event must be a mapping; ignored")
        return
    reader = ctx.reader
    physical = ctx.physical_names.get(key, key)
    is_schedule = event.get("schedule") is not None
    rule = _implicit(
        ctx,
        naming.event_bridge_rule_logical_id(physical, position),
        "AWS::Events::Rule",
        {"ScheduleExpression": event["schedule"]} if is_schedule else {"EventPattern": event.get("pattern")},
        line,
        kind="schedule" if is_schedule else "event_rule",
    )
    _trigger(ctx, rule, key, line, "eventBridge")
    if is_schedule:
        return
    bus_value = event.get("eventBus")
    bus: Endpoint | None
    bus_name = _text(ctx, bus_value) if bus_value is not None else "default"
    if bus_value is None or bus_name == "default":
        bus = DEFAULT_EVENT_BUS
    elif isinstance(bus_value, Mapping) or foreign_refs_in(bus_value) or bus_name is None:
        bus = source_endpoint(reader, bus_value, "event_bus")
    elif bus_name.startswith("arn"):
        bus = event_bus_endpoint(reader, bus_name)
    else:
        bus = _implicit(
            ctx, naming.event_bus_logical_id(bus_name), "AWS::Events::EventBus", {"Name": bus_name}, line, physical_name=bus_name
        )
    if bus is not None:
        reader.edge("references", rule, bus, line, "event bus")


def _cloudwatch_event(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    counters.cloudwatch_event += 1
    rule = _implicit(
        ctx,
        naming.cloudwatch_event_logical_id(key, counters.cloudwatch_event),
        "AWS::Events::Rule",
        {"EventPattern": event.get("event") if isinstance(event, Mapping) else None},
        line,
        kind="event_rule",
    )
    _trigger(ctx, rule, key, line, "cloudwatchEvent")
    ctx.reader.edge("references", rule, DEFAULT_EVENT_BUS, line, "event bus")


def _cloudwatch_log(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    counters.cloudwatch_log += 1
    group = event.get("logGroup") if isinstance(event, Mapping) else event
    _trigger(ctx, log_group_endpoint(ctx.reader, group), key, line, "cloudwatchLog")


def _stream(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    arn = event.get("arn") if isinstance(event, Mapping) else event
    kind = "stream"
    stream_type = event.get("type") if isinstance(event, Mapping) else None
    text = _text(ctx, arn)
    if stream_type == "dynamodb" or (text or "").startswith("arn:aws:dynamodb"):
        kind = "table"
    source = source_endpoint(ctx.reader, arn, kind)
    _trigger(ctx, source, key, line, "stream")
    if isinstance(event, Mapping) and event.get("consumer") is True and kind == "stream" and source is not None:
        _stream_consumer(ctx, key, arn, source, line)


def _stream_consumer(ctx: ServiceContext, key: str, arn: Any, stream: Endpoint, line: int) -> None:
    """``consumer: true``: the framework registers an enhanced fan-out consumer the mapping reads through.

    The trigger stays on the stream (it emits the records); the consumer is a node
    that refers to it.
    """
    stream_name = _stream_name(ctx, arn)
    if stream_name is None:
        return
    mode = ctx.provider_section("kinesis").get("consumerNamingMode")
    consumer = naming.stream_consumer_name(key, stream_name, f"{ctx.service}{ctx.stage}" if mode else None)
    logical_id = _implicit(
        ctx,
        naming.stream_consumer_logical_id(consumer),
        "AWS::Kinesis::StreamConsumer",
        {"StreamARN": arn, "ConsumerName": consumer},
        line,
        physical_name=consumer,
    )
    ctx.reader.edge("references", logical_id, stream, line, "stream consumer")


def _stream_name(ctx: ServiceContext, arn: Any) -> str | None:
    """The stream name the framework puts in logical ids: the target of GetAtt/Ref/ImportValue, or the ARN's name."""
    if isinstance(arn, Mapping) and len(arn) == 1:
        ((function, inner),) = arn.items()
        if function == "Fn::GetAtt":
            inner = inner.split(".")[0] if isinstance(inner, str) else inner[0] if isinstance(inner, list) else None
            return str(inner) if inner is not None else None
        if function in ("Ref", "Fn::ImportValue") and isinstance(inner, str):
            return inner
        if (
            function == "Fn::Join"
            and isinstance(inner, list)
            and len(inner) == 2
            and isinstance(inner[1], list)
            and inner[1]
            and isinstance(inner[1][-1], str)
        ):
            return inner[1][-1].split("/")[-1]
        return None
    text = _text(ctx, arn)
    return text.split("/")[1] if text is not None and "/" in text else None


def _alb(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    if not isinstance(event, Mapping):
        ctx.reader.note(line, f"function {key}: an `alb` event must be a mapping; ignored")
        return
    listener = event.get("listenerArn")
    alb_id: str | None = None
    if isinstance(listener, Mapping) and isinstance(listener.get("Ref"), str):
        alb_id = listener["Ref"]
    else:
        match = _ALB_LISTENER.match(_text(ctx, listener) or "")
        alb_id = match.group(1) if match else None
    if alb_id is None:
        ctx.reader.note(line, f"function {key}: the `alb` event's listenerArn is not a listener ARN or Ref")
        return
    group = _implicit(
        ctx,
        naming.alb_target_group_logical_id(key, alb_id, bool(event.get("multiValueHeaders"))),
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {"TargetType": "lambda"},
        line,
    )
    _trigger(ctx, group, key, line, "alb")
    target = source_endpoint(ctx.reader, listener, "api")
    if target is not None:
        ctx.reader.edge("references", group, target, line, "listener")


def _alexa(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    app_id = event.get("appId") if isinstance(event, Mapping) else event
    token = _text(ctx, app_id) if app_id is not None else None
    if token is not None:
        token = token.replace("\\n", "").replace("\\r", "")
    _trigger(ctx, ForeignRef("external", f"alexa skill {token}" if token else "alexa skill", "other"), key, line, "alexa")


def _iot(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    counters.iot += 1
    sql = event.get("sql") if isinstance(event, Mapping) else None
    rule = _implicit(
        ctx, naming.iot_rule_logical_id(key, counters.iot), "AWS::IoT::TopicRule", {"TopicRulePayload": {"Sql": sql}}, line
    )
    _trigger(ctx, rule, key, line, "iot")


def _iot_fleet(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    template = _implicit(ctx, naming.iot_provisioning_logical_id(key), "AWS::IoT::ProvisioningTemplate", {}, line)
    _trigger(ctx, template, key, line, "iotFleetProvisioning")


def _cognito(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    if not isinstance(event, Mapping):
        ctx.reader.note(line, f"function {key}: a `cognitoUserPool` event must be a mapping; ignored")
        return
    pool = _text(ctx, event.get("pool"))
    if not pool:
        ctx.reader.note(line, f"function {key}: the `cognitoUserPool` event has no resolvable `pool`")
        return
    trigger = _text(ctx, event.get("trigger")) or "?"
    if event.get("existing") is True:
        _trigger(ctx, ForeignRef("name", pool, "other"), key, line, f"cognitoUserPool {trigger} existing")
        return
    pool_id = _implicit(
        ctx, naming.cognito_pool_logical_id(pool), "AWS::Cognito::UserPool", {"UserPoolName": pool}, line, physical_name=pool
    )
    _trigger(ctx, pool_id, key, line, f"cognitoUserPool {trigger}")


def _kafka(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    servers = event.get("bootstrapServers") if isinstance(event, Mapping) else None
    _trigger(ctx, self_managed_kafka({"Endpoints": {"KafkaBootstrapServers": servers}}), key, line, "kafka")


def _broker(kind_name: str) -> Callable[[ServiceContext, str, Any, int, int, _Counters], None]:
    def read(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
        arn = event.get("arn") if isinstance(event, Mapping) else None
        if arn is None:
            ctx.reader.note(line, f"function {key}: the `{kind_name}` event has no `arn`; ignored")
            return
        _trigger(ctx, source_endpoint(ctx.reader, arn, "stream" if kind_name == "msk" else "queue"), key, line, kind_name)

    return read


def _cloudfront(ctx: ServiceContext, key: str, event: Any, line: int, position: int, counters: _Counters) -> None:
    distribution = _implicit(ctx, naming.CLOUDFRONT_DISTRIBUTION, "AWS::CloudFront::Distribution", {}, line)
    _trigger(ctx, distribution, key, line, "cloudFront")


EventReader = Callable[[ServiceContext, str, Any, int, int, _Counters], None]

EVENT_TYPES: dict[str, EventReader] = {
    "http": _http,
    "httpApi": _http_api,
    "websocket": _websocket,
    "sqs": _sqs,
    "sns": _sns,
    "s3": _s3,
    "schedule": _schedule,
    "eventBridge": _event_bridge,
    "cloudwatchEvent": _cloudwatch_event,
    "cloudwatchLog": _cloudwatch_log,
    "stream": _stream,
    "alb": _alb,
    "alexaSkill": _alexa,
    "alexaSmartHome": _alexa,
    "iot": _iot,
    "iotFleetProvisioning": _iot_fleet,
    "cognitoUserPool": _cognito,
    "kafka": _kafka,
    "msk": _broker("msk"),
    "activemq": _broker("activemq"),
    "rabbitmq": _broker("rabbitmq"),
    "cloudFront": _cloudfront,
}
# Event types whose bare string form (``- alexaSkill``) the framework accepts.
_BARE_EVENTS = frozenset({"alexaSkill", "alexaSmartHome"})


def read_events(ctx: ServiceContext, key: str, events: Any, line: int) -> None:
    """Every event of function ``key`` -> trigger edges (and implicit resources)."""
    reader = ctx.reader
    if events is None:
        return
    if not isinstance(events, list):
        reader.note(line_of(events, line), f"function {key}: `events` must be a list; ignored")
        return
    counters = _Counters()
    item_lines = getattr(events, "item_lines", [])
    for index, event in enumerate(events):
        event_line = item_lines[index] if index < len(item_lines) else line_of(events, line)
        if isinstance(event, str):
            if event in _BARE_EVENTS:
                EVENT_TYPES[event](ctx, key, None, event_line, index + 1, counters)
            else:
                reader.note(
                    event_line,
                    f"function {key}: event {event!r} is a bare string, not an event of a known type with its settings; ignored",
                )
            continue
        if not isinstance(event, Mapping) or len(event) != 1:
            reader.note(event_line, f"function {key}: an event must be a mapping with one event type; ignored")
            continue
        ((event_type, settings),) = event.items()
        handler = EVENT_TYPES.get(str(event_type))
        if handler is None:
            reader.note(
                event_line,
                f"function {key}: event type {event_type!r} is not an AWS event the "
                "framework knows (a plugin's?); no trigger recorded",
            )
            continue
        handler(ctx, key, settings, event_line, index + 1, counters)
