"""SAM (``AWS::Serverless::*``) into the same nodes and edges as the CloudFormation it becomes.

:class:`SamReader` runs in two passes around the generic CloudFormation
reader (see :func:`~.cloudformation.read_template`):

- ``read_resources`` records every ``AWS::Serverless::*`` resource with its
  ``Globals`` merged in, and the resources SAM creates implicitly, under the
  logical ids SAM gives them (``ServerlessRestApi``, ``ServerlessHttpApi``,
  ``<Function><Event>`` rules, schedules and IoT rules,
  ``<Function><Event>Queue`` for an SNS event with ``SqsSubscription``,
  ``<Function>Url``, ``<Function>EventInvokeConfigOnFailureQueue``...);
- ``read_wiring`` turns function and state machine ``Events``, API
  authorizers and ``DefinitionBody`` integrations, policy templates, inline
  policies, connectors, environment variables, dead-letter queues and
  destinations into ``triggers``/``invokes``/``accesses``/``references`` edges.

The differential test checks that the triggers found here equal those the
CloudFormation reader finds in the SAM transform's own output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ...model import Endpoint, ForeignRef, LoadError
from ...parse import LineDict, describe_value, key_line, line_of
from ..cloudformation.accesses import add_access, destinations, function_accesses, on_failure_destination, policy_accesses
from ..cloudformation.included import include_location
from ..cloudformation.intrinsics import is_no_value
from ..cloudformation.kinds import kind_of
from ..cloudformation.reader import (
    code_source,
    function_in_uri,
    included_openapi,
    openapi_lambda_uris,
    rule_bus_reference,
    state_machine_wiring,
)
from ..cloudformation.template import TemplateReader
from ..deploy_time import serverless_reference
from ..endpoints import log_group_endpoint, self_managed_kafka
from .globals import globals_for, merge_globals
from .policies import POLICY_TEMPLATES, RESOURCELESS_TEMPLATES

__all__ = ["IMPLICIT_HTTP_API", "IMPLICIT_REST_API", "SamEvent", "SamReader"]

IMPLICIT_REST_API = "ServerlessRestApi"
IMPLICIT_HTTP_API = "ServerlessHttpApi"

FUNCTION = "AWS::Serverless::Function"
STATE_MACHINE = "AWS::Serverless::StateMachine"
REST_API = "AWS::Serverless::Api"
HTTP_API = "AWS::Serverless::HttpApi"
CONNECTOR = "AWS::Serverless::Connector"
WEBSOCKET_API = "AWS::Serverless::WebSocketApi"
GRAPHQL_API = "AWS::Serverless::GraphQLApi"

# Poll-based event types: (property naming the source, the source's kind when foreign).
_POLLED_SOURCES: dict[str, tuple[str, str]] = {
    "SQS": ("Queue", "queue"),
    "Kinesis": ("Stream", "stream"),
    "DynamoDB": ("Stream", "stream"),
    "MSK": ("Stream", "stream"),
    "MQ": ("Broker", "queue"),
    "DocumentDB": ("Cluster", "table"),
}
# Event types whose source SAM creates under ``<Resource><EventId>``: (type, name property).
_IMPLICIT_SOURCES: dict[str, tuple[str, str]] = {
    "Schedule": ("AWS::Events::Rule", "Name"),
    "CloudWatchEvent": ("AWS::Events::Rule", "RuleName"),
    "EventBridgeRule": ("AWS::Events::Rule", "RuleName"),
    "ScheduleV2": ("AWS::Scheduler::Schedule", "Name"),
    "IoTRule": ("AWS::IoT::TopicRule", "RuleName"),
}
_DESTINATION_TYPES = {"SQS": ("AWS::SQS::Queue", "Queue"), "SNS": ("AWS::SNS::Topic", "Topic")}
_CONNECTOR_MODES = {frozenset({"Read"}): "read", frozenset({"Write"}): "write"}


@dataclass(frozen=True)
class SamEvent:
    """One entry of a function's or state machine's ``Events``."""

    owner: str  # the function or state machine logical id
    name: str  # the event id
    type: str
    properties: Mapping[str, Any]
    line: int

    @property
    def implicit_id(self) -> str:
        """The logical id SAM gives the resource this event creates."""
        return self.owner + self.name


def events_of(owner: str, properties: Mapping[str, Any]) -> Iterator[SamEvent]:
    events = properties.get("Events")
    if not isinstance(events, Mapping):
        return
    lines = getattr(events, "key_lines", {})
    for name, spec in events.items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("Type"), str):
            continue
        event_properties = spec.get("Properties")
        if not isinstance(event_properties, Mapping):
            event_properties = LineDict()
        yield SamEvent(owner, str(name), spec["Type"], event_properties, lines.get(name, line_of(spec)))


class SamReader:
    """Reads the SAM resources of one template; see the module docstring."""

    def __init__(self, reader: TemplateReader) -> None:
        self.reader = reader
        # Logical ids as the graph spells them (YAML may give an int or bool key).
        self.specs: dict[str, Any] = {str(key): spec for key, spec in reader.resources.items()}

    # --- resources ------------------------------------------------------------

    def sam_resources(self) -> Iterator[tuple[str, str, Mapping[str, Any], int]]:
        """``(logical id, type, properties with Globals merged, line)`` of each SAM resource."""
        resources = self.reader.resources
        lines = getattr(resources, "key_lines", {})
        for logical_id, spec in resources.items():
            if not isinstance(spec, Mapping) or not isinstance(spec.get("Type"), str):
                continue
            type_name = spec["Type"]
            if not type_name.startswith("AWS::Serverless::"):
                continue
            record = self.reader.records.get(str(logical_id))
            if record is not None and record.type == type_name and not record.implicit:
                properties = record.properties
            else:
                raw = spec.get("Properties")
                properties = merge_globals(
                    globals_for(self.reader.document, type_name, spec.get("IgnoreGlobals")),
                    raw if isinstance(raw, Mapping) else LineDict(),
                )
            yield str(logical_id), type_name, properties, lines.get(logical_id, 1)

    def read_resources(self) -> None:
        """Record the SAM resources (Globals merged) and the resources SAM creates implicitly."""
        reader = self.reader
        for logical_id, type_name, properties, line in list(self.sam_resources()):
            spec = self.specs[logical_id]
            reader.add_resource(
                reader.make_resource(
                    logical_id,
                    type_name,
                    properties,
                    line,
                    metadata=spec.get("Metadata"),
                    code_source=code_source(reader, type_name, properties) if type_name == FUNCTION else None,
                )
            )
        rest_api_line = http_api_line = 0
        for logical_id, type_name, properties, line in list(self.sam_resources()):
            if type_name not in (FUNCTION, STATE_MACHINE):
                continue
            events = properties.get("Events")
            if events is not None and not isinstance(events, Mapping):
                self.reader.unit.errors.append(
                    LoadError(
                        self.reader.path,
                        key_line(properties, "Events", line),
                        f"{logical_id}: `Events` must be a mapping of event names to events, not {describe_value(events)}; "
                        "its events are not read",
                    )
                )
            for event in events_of(logical_id, properties):
                if event.type == "Api" and "RestApiId" not in event.properties:
                    rest_api_line = rest_api_line or event.line
                elif event.type == "HttpApi" and "ApiId" not in event.properties and type_name == FUNCTION:
                    http_api_line = http_api_line or event.line
                self._implicit_event_resources(event)
            if type_name == FUNCTION:
                self._implicit_function_resources(logical_id, properties, line)
                self._function_alias_names(logical_id, properties)
        if rest_api_line:
            self._implicit(IMPLICIT_REST_API, REST_API, globals_for(reader.document, REST_API), rest_api_line)
        if http_api_line:
            self._implicit(IMPLICIT_HTTP_API, HTTP_API, globals_for(reader.document, HTTP_API), http_api_line)

    def _implicit(
        self, logical_id: str, type_name: str, properties: Mapping[str, Any], line: int, physical_name: str | None = None
    ) -> None:
        """Record a resource SAM creates, unless the template already has one by that id."""
        reader = self.reader
        if logical_id in reader.records or logical_id in reader.resources:
            return
        reader.add_resource(
            reader.make_resource(logical_id, type_name, properties, line, implicit=True, physical_name=physical_name)
        )

    def _implicit_event_resources(self, event: SamEvent) -> None:
        implicit = _IMPLICIT_SOURCES.get(event.type)
        if implicit is not None:
            type_name, name_key = implicit
            schedule = event.properties.get("Schedule", event.properties.get("ScheduleExpression"))
            properties = LineDict()
            properties.line = event.line
            if type_name == "AWS::Events::Rule" and schedule is not None:
                properties["ScheduleExpression"] = schedule
            physical_name = self.reader.resolve(event.properties.get(name_key)) if name_key in event.properties else None
            self._implicit(event.implicit_id, type_name, properties, event.line, physical_name)
        elif event.type == "SNS" and _is_true(event.properties.get("SqsSubscription")):
            self._implicit(event.implicit_id + "Queue", "AWS::SQS::Queue", LineDict(), event.line)

    def _function_alias_names(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        """``!Ref Fn.Alias``/``Fn.Version`` and the alias SAM creates (``<Fn>Alias<name>``) name the function."""
        reader = self.reader
        names = [f"{logical_id}.Alias", f"{logical_id}.Version"]
        alias = reader.resolve(properties.get("AutoPublishAlias")) if properties.get("AutoPublishAlias") else None
        if alias:
            names.append(f"{logical_id}Alias{alias}")
        for name in names:
            if name not in reader.resources and name not in reader.records:
                reader.aliases.setdefault(name, logical_id)

    def _implicit_function_resources(self, logical_id: str, properties: Mapping[str, Any], line: int) -> None:
        if isinstance(properties.get("FunctionUrlConfig"), Mapping):
            self._implicit(logical_id + "Url", "AWS::Lambda::Url", LineDict(), key_line(properties, "FunctionUrlConfig", line))
        for key, entry, entry_line in _destination_entries(properties, line):
            implicit = _DESTINATION_TYPES.get(str(entry.get("Type")))
            if implicit is not None and _may_be_absent(entry.get("Destination")):
                self._implicit(f"{logical_id}EventInvokeConfig{key}{implicit[1]}", implicit[0], LineDict(), entry_line)

    # --- wiring ---------------------------------------------------------------

    def read_wiring(self) -> None:
        """Edges of every SAM resource (explicit and implicit)."""
        for logical_id, type_name, properties, line in list(self.sam_resources()):
            if type_name == FUNCTION:
                self._function_wiring(logical_id, properties, line)
            elif type_name == STATE_MACHINE:
                self._state_machine_wiring(logical_id, properties, line)
            elif type_name in (REST_API, HTTP_API):
                self._api_wiring(logical_id, properties, line)
            elif type_name == WEBSOCKET_API:
                self._websocket_wiring(logical_id, properties, line)
            elif type_name == GRAPHQL_API:
                self._graphql_wiring(logical_id, properties, line)
            elif type_name == CONNECTOR:
                self._connector(properties, None, line)
            self._globals_references(logical_id, type_name)
        for implicit_api in (IMPLICIT_REST_API, IMPLICIT_HTTP_API):
            record = self.reader.records.get(implicit_api)
            if record is not None and record.implicit:
                self._api_wiring(implicit_api, record.properties, record.location.line)
        self._embedded_connectors()

    def _function_wiring(self, function: str, properties: Mapping[str, Any], line: int) -> None:
        reader = self.reader
        for event in events_of(function, properties):
            self._function_event(function, event)
        function_accesses(reader, function, properties, line)
        self._policies(function, properties, line)
        dead_letter = properties.get("DeadLetterQueue")
        if isinstance(dead_letter, Mapping):
            target = reader.endpoint(dead_letter.get("TargetArn"), _DLQ_KINDS.get(str(dead_letter.get("Type")), "other"))
            if target is not None:
                reader.edge("accesses", function, target, key_line(properties, "DeadLetterQueue", line), "write")
        url = function + "Url"
        if isinstance(properties.get("FunctionUrlConfig"), Mapping) and reader.records.get(url) is not None:
            reader.edge("triggers", url, function, key_line(properties, "FunctionUrlConfig", line), "FunctionUrl")
        for key, entry, entry_line in _destination_entries(properties, line):
            implicit = _DESTINATION_TYPES.get(str(entry.get("Type")))
            if implicit is not None and _may_be_absent(entry.get("Destination")):
                target = f"{function}EventInvokeConfig{key}{implicit[1]}"
                if target in reader.records:
                    reader.edge("accesses", function, target, entry_line, "write")
        config = properties.get("EventInvokeConfig")
        if isinstance(config, Mapping):
            destinations(reader, function, config.get("DestinationConfig"), line_of(config, line))

    def _function_event(self, function: str, event: SamEvent) -> None:
        read_source = _EVENT_SOURCES.get(event.type)
        if read_source is None:
            self.reader.note(
                event.line,
                f"{function}: event {event.name} has type {event.type!r}, which this reader does not know; it gives no trigger",
            )
            return
        source = read_source(self, function, event)
        if source is not None:
            self.reader.edge("triggers", source, function, event.line, event.type)

    # --- one reader per event type (see _EVENT_SOURCES): the source that invokes the function ---------

    def _polled_source(self, function: str, event: SamEvent) -> Endpoint | None:
        key, kind = _POLLED_SOURCES[event.type]
        source = self.reader.endpoint(event.properties.get(key), kind)
        self._on_failure(function, event)
        return source

    def _kafka_source(self, function: str, event: SamEvent) -> Endpoint | None:
        servers = event.properties.get("KafkaBootstrapServers")
        source = self_managed_kafka({"Endpoints": {"KafkaBootstrapServers": servers}})
        self._on_failure(function, event)
        return source

    def _on_failure(self, function: str, event: SamEvent) -> None:
        on_failure_destination(self.reader, function, event.properties.get("DestinationConfig"), event.line)

    def _implicit_source(self, function: str, event: SamEvent) -> Endpoint | None:
        source = event.implicit_id if self.reader.owner(event.implicit_id) else None
        if source is not None and event.type in ("CloudWatchEvent", "EventBridgeRule"):
            rule_bus_reference(self.reader, source, event.properties, event.line)
        return source

    def _topic_source(self, function: str, event: SamEvent) -> Endpoint | None:
        return self._sns_source(event)

    def _bucket_source(self, function: str, event: SamEvent) -> Endpoint | None:
        return self.reader.endpoint(event.properties.get("Bucket"), "bucket")

    def _rest_api_source(self, function: str, event: SamEvent) -> Endpoint | None:
        return self._api_source(event.properties.get("RestApiId"), IMPLICIT_REST_API)

    def _http_api_source(self, function: str, event: SamEvent) -> Endpoint | None:
        return self._api_source(event.properties.get("ApiId"), IMPLICIT_HTTP_API)

    def _log_group_source(self, function: str, event: SamEvent) -> Endpoint | None:
        return log_group_endpoint(self.reader, event.properties.get("LogGroupName"))

    def _alexa_source(self, function: str, event: SamEvent) -> Endpoint | None:
        skill = event.properties.get("SkillId")
        token = self.reader.resolve(skill) if skill is not None else None
        return ForeignRef("external", f"alexa skill {token}" if token else "alexa skill", "other")

    def _cognito_source(self, function: str, event: SamEvent) -> Endpoint | None:
        """One trigger per Cognito trigger name (``PreSignUp`` ...), each with its own detail."""
        source = self.reader.endpoint(event.properties.get("UserPool"), "other")
        for trigger in _cognito_triggers(event.properties.get("Trigger")):
            if source is not None:
                self.reader.edge("triggers", source, function, event.line, f"Cognito {trigger}")
        return None

    def _sns_source(self, event: SamEvent) -> Endpoint | None:
        """The topic, or the queue between topic and function when ``SqsSubscription`` is set."""
        reader = self.reader
        topic = reader.endpoint(event.properties.get("Topic"), "topic")
        subscription = event.properties.get("SqsSubscription")
        queue: Endpoint | None = None
        if isinstance(subscription, Mapping) and "QueueArn" in subscription:
            queue = reader.endpoint(subscription.get("QueueArn"), "queue")
        elif _is_true(subscription):
            queue = reader.owner(event.implicit_id + "Queue")
        if queue is None:
            return topic
        if topic is not None:
            reader.edge("references", topic, queue, event.line, "subscription")
        return queue

    def _api_source(self, value: Any, implicit: str) -> Endpoint | None:
        """The API an event names (SAM also accepts the API's logical id as a plain string)."""
        if value is None:
            return self.reader.owner(implicit)
        if isinstance(value, str) and self.reader.owner(value) is not None:
            return self.reader.owner(value)
        return self.reader.endpoint(value, "api")

    def _state_machine_wiring(self, state_machine: str, properties: Mapping[str, Any], line: int) -> None:
        """Tasks calling functions are ``invokes``; its events are rules/schedules/APIs that start it."""
        reader = self.reader
        state_machine_wiring(reader, state_machine, properties, line)
        self._policies(state_machine, properties, line)
        for event in events_of(state_machine, properties):
            if event.type in _IMPLICIT_SOURCES:
                source = reader.owner(event.implicit_id)
                if source is not None:
                    reader.edge("references", source, state_machine, event.line, "rule target")
                    if event.type in ("CloudWatchEvent", "EventBridgeRule"):
                        rule_bus_reference(reader, source, event.properties, event.line)
            elif event.type in ("Api", "HttpApi"):
                key, implicit = ("RestApiId", IMPLICIT_REST_API) if event.type == "Api" else ("ApiId", IMPLICIT_HTTP_API)
                api = self._api_source(event.properties.get(key), implicit)
                if api is not None:
                    reader.edge("references", api, state_machine, event.line, "api integration")

    def _api_wiring(self, api: str, properties: Mapping[str, Any], line: int) -> None:
        """Lambda authorizers and the integrations already written in ``DefinitionBody``."""
        reader = self.reader
        auth = properties.get("Auth")
        authorizers = auth.get("Authorizers") if isinstance(auth, Mapping) else None
        if isinstance(authorizers, Mapping):
            for name, spec in authorizers.items():
                if isinstance(spec, Mapping) and spec.get("FunctionArn") is not None:
                    function = reader.function_endpoint(spec["FunctionArn"])
                    if function is not None:
                        reader.edge(
                            "triggers", api, function, key_line(spec, "FunctionArn", line_of(spec, line)), f"Authorizer {name}"
                        )
        body = properties.get("DefinitionBody")
        if isinstance(body, Mapping):
            for uri, uri_line, detail in openapi_lambda_uris(body, key_line(properties, "DefinitionBody", line)):
                function = function_in_uri(reader, uri)
                if function is not None:
                    reader.edge("triggers", api, function, uri_line, detail)
        uri = properties.get("DefinitionUri")
        location = uri if isinstance(uri, str) else include_location(body)
        location_line = key_line(properties, "DefinitionUri" if isinstance(uri, str) else "DefinitionBody", line)
        if included_openapi(reader, api, location, location_line):
            return
        included = _included_definition(properties)
        if included:  # no repository root to read it from (a template read on its own)
            reader.note(
                key_line(properties, "DefinitionBody", key_line(properties, "DefinitionUri", line)),
                f"{api}: the API definition in {included} is not read; integrations written there "
                "(rather than as function events) are not in the graph",
            )

    def _websocket_wiring(self, api: str, properties: Mapping[str, Any], line: int) -> None:
        """Each route's function, and the ``$connect`` authorizer."""
        reader = self.reader
        routes = properties.get("Routes")
        if isinstance(routes, Mapping):
            route_lines = getattr(routes, "key_lines", {})
            for route, spec in routes.items():
                if isinstance(spec, Mapping) and spec.get("FunctionArn") is not None:
                    function = reader.function_endpoint(spec["FunctionArn"])
                    if function is not None:
                        reader.edge("triggers", api, function, route_lines.get(route, line), f"WebSocket {route}")
        auth = properties.get("Auth")
        if isinstance(auth, Mapping) and auth.get("AuthArn") is not None:
            function = reader.function_endpoint(auth["AuthArn"])
            if function is not None:
                reader.edge("triggers", api, function, key_line(auth, "AuthArn", line), "Authorizer")

    def _graphql_wiring(self, api: str, properties: Mapping[str, Any], line: int) -> None:
        """Lambda data sources and Lambda authorizers of an AppSync API; DynamoDB data sources."""
        reader = self.reader
        sources = properties.get("DataSources")
        if isinstance(sources, Mapping):
            lambdas = sources.get("Lambda")
            for name, spec in lambdas.items() if isinstance(lambdas, Mapping) else ():
                if isinstance(spec, Mapping):
                    function = reader.function_endpoint(spec.get("FunctionArn"))
                    if function is not None:
                        reader.edge("triggers", api, function, key_line(spec, "FunctionArn", line), f"AppSync {name}")
            tables = sources.get("DynamoDb")
            for _name, spec in tables.items() if isinstance(tables, Mapping) else ():
                if isinstance(spec, Mapping):
                    table = reader.endpoint(spec.get("TableArn", spec.get("TableName")), "table")
                    if table is not None:
                        reader.edge("accesses", api, table, line_of(spec, line), _graphql_mode(spec))
        auth = properties.get("Auth")
        if isinstance(auth, Mapping):
            providers = [auth] + [item for item in auth.get("Additional") or [] if isinstance(item, Mapping)]
            for provider in providers:
                config = provider.get("LambdaAuthorizer")
                if isinstance(config, Mapping):
                    function = reader.function_endpoint(config.get("AuthorizerUri"))
                    if function is not None:
                        reader.edge("triggers", api, function, key_line(config, "AuthorizerUri", line), "AppSync authorizer")

    # --- policies and connectors ---------------------------------------------

    def _policies(self, owner: str, properties: Mapping[str, Any], line: int) -> None:
        """``Policies``: policy templates, inline statements and local managed policies."""
        reader = self.reader
        policies = properties.get("Policies")
        items = policies if isinstance(policies, list) else [policies]
        item_lines = getattr(policies, "item_lines", [])
        default_line = key_line(properties, "Policies", line)
        for index, item in enumerate(items):
            item_line = item_lines[index] if index < len(item_lines) else line_of(item, default_line)
            if not isinstance(item, Mapping):
                continue
            if "Statement" in item:
                policy_accesses(reader, owner, item, item_line)
                continue
            if len(item) != 1:
                continue
            ((name, parameters),) = item.items()
            template = POLICY_TEMPLATES.get(str(name))
            if template is not None:
                self._policy_template(owner, template, parameters, item_line)
            elif name in ("Ref", "Fn::GetAtt"):
                managed = reader.local_target(item)
                if managed and reader.type_of(managed) == "AWS::IAM::ManagedPolicy":
                    policy_accesses(reader, owner, reader.properties_of(managed).get("PolicyDocument"), item_line)
            elif name not in RESOURCELESS_TEMPLATES and not str(name).startswith("Fn::"):
                reader.note(item_line, f"{owner}: policy template {name!r} is not one SAM defines; ignored")

    def _policy_template(self, owner: str, template: Any, parameters: Any, line: int) -> None:
        """The statement SAM would write, as an ARN built from the parameters, read like any other."""
        if not isinstance(parameters, Mapping):
            return
        variables = {name: parameters[name] for name in template.parameters if name in parameters}
        if len(variables) != len(template.parameters):
            return
        value: Any = {"Fn::Sub": [template.arn, variables]}
        if len(variables) == 1:
            (only,) = variables.values()
            text = self.reader.resolve(only)
            if text is None or serverless_reference(text) is not None:
                # an import, a deploy-time value or an unknown parameter names the resource itself
                value = only
        mode = "write" if template.mode == "invoke" else template.mode
        add_access(
            self.reader, owner, value, line_of(parameters, line), mode, invokes=template.mode == "invoke", kind_hint=template.kind
        )

    def _connector(self, properties: Mapping[str, Any], source_id: str | None, line: int) -> None:
        """An ``AWS::Serverless::Connector`` (or an embedded one): source -> destination(s)."""
        reader = self.reader
        source = self._connector_end(properties.get("Source")) if source_id is None else source_id
        if source is None:
            return
        permissions = properties.get("Permissions")
        permission_set = frozenset(str(p) for p in permissions) if isinstance(permissions, list) else frozenset()
        mode = _CONNECTOR_MODES.get(permission_set, "readwrite")
        destination = properties.get("Destination")
        destination_list = destination if isinstance(destination, list) else [destination]
        destination_line = key_line(properties, "Destination", line)
        source_kind = reader.kind(source) if isinstance(source, str) else source.kind_hint
        for item in destination_list:
            target = self._connector_end(item)
            if target is None or target == source:
                continue
            target_kind = reader.kind(target) if isinstance(target, str) else target.kind_hint
            item_line = line_of(item, destination_line)
            if target_kind == "function" and source_kind in _PUSH_KINDS:
                # SAM writes a Lambda permission for the source: the same edge a raw permission gives.
                reader.edge("triggers", source, target, item_line, "Connector")
            elif target_kind == "function" and source_kind in _POLLED_KINDS:
                # The function polls the source (an event source mapping's permissions).
                reader.edge("accesses", target, source, item_line, "read")
            elif target_kind == "function":
                reader.edge("invokes", source, target, item_line, "connector")
            elif source_kind in ("function", "state_machine"):
                reader.edge("accesses", source, target, item_line, mode)
            else:
                # A rule, topic or API allowed to deliver to a queue, topic or bus: wiring, not data access.
                reader.edge("references", source, target, item_line, "connector")

    def _connector_end(self, value: Any) -> Endpoint | None:
        if not isinstance(value, Mapping):
            return None
        reader = self.reader
        if isinstance(value.get("Id"), str):
            return reader.owner(value["Id"])
        kind = kind_of(str(value.get("Type", "")))
        for key in ("Arn", "Name", "QueueUrl", "ResourceId"):
            if value.get(key) is not None:
                return reader.endpoint(value[key], kind)
        return None

    def _embedded_connectors(self) -> None:
        """``Connectors:`` written on a resource: that resource is the source."""
        reader = self.reader
        lines = getattr(reader.resources, "key_lines", {})
        for logical_id, spec in reader.resources.items():
            if not isinstance(spec, Mapping) or not isinstance(spec.get("Connectors"), Mapping):
                continue
            source = reader.owner(str(logical_id))
            if source is None:
                continue
            connectors = spec["Connectors"]
            connector_lines = getattr(connectors, "key_lines", {})
            for name, connector in connectors.items():
                properties = connector.get("Properties") if isinstance(connector, Mapping) else None
                if isinstance(properties, Mapping):
                    self._connector(properties, source, connector_lines.get(name, lines.get(logical_id, 1)))

    def _globals_references(self, logical_id: str, type_name: str) -> None:
        """References written in ``Globals`` belong to every resource they apply to."""
        reader = self.reader
        spec = self.specs.get(logical_id)
        section = globals_for(reader.document, type_name, spec.get("IgnoreGlobals") if isinstance(spec, Mapping) else None)
        if not section:
            return
        own = reader.properties_of(logical_id)
        for key, value in section.items():
            if key in own and not isinstance(value, (Mapping, list)):
                continue  # the resource's own value replaced the global one
            for owner, owner_line in reader.references(value, key_line(section, key, 1)):
                if owner != logical_id:
                    reader.edge("references", logical_id, owner, owner_line, "")


_DLQ_KINDS = {"SQS": "queue", "SNS": "topic"}
# Connector sources that invoke a function through a Lambda permission, and those it polls.
_PUSH_KINDS = frozenset({"topic", "bucket", "event_rule", "schedule", "api", "event_bus"})
_POLLED_KINDS = frozenset({"queue", "stream", "table"})


def _graphql_mode(spec: Mapping[str, Any]) -> str:
    permissions = spec.get("Permissions")
    if isinstance(permissions, list):
        return _CONNECTOR_MODES.get(frozenset(str(p) for p in permissions), "readwrite")
    return "readwrite"


def _may_be_absent(value: Any) -> bool:
    """A destination SAM creates a queue/topic for: none given, or ``AWS::NoValue`` in a condition."""
    if value is None or is_no_value(value):
        return True
    if isinstance(value, Mapping) and len(value) == 1 and isinstance(value.get("Fn::If"), list):
        return any(_may_be_absent(branch) for branch in value["Fn::If"][1:3])
    return False


def _included_definition(properties: Mapping[str, Any]) -> str | None:
    """The local file an API definition comes from (``DefinitionUri`` or an ``AWS::Include``), if any."""
    uri = properties.get("DefinitionUri")
    if isinstance(uri, str) and not uri.startswith("s3://"):
        return uri
    body = properties.get("DefinitionBody")
    transform = body.get("Fn::Transform") if isinstance(body, Mapping) and len(body) == 1 else None
    if isinstance(transform, Mapping) and transform.get("Name") == "AWS::Include":
        parameters = transform.get("Parameters")
        location = parameters.get("Location") if isinstance(parameters, Mapping) else None
        return location if isinstance(location, str) else "an AWS::Include"
    return None


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _cognito_triggers(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value if isinstance(item, str)]
    return []


def _destination_entries(properties: Mapping[str, Any], line: int) -> Iterator[tuple[str, Mapping[str, Any], int]]:
    """``EventInvokeConfig.DestinationConfig.OnSuccess/OnFailure`` entries with their lines."""
    config = properties.get("EventInvokeConfig")
    destination = config.get("DestinationConfig") if isinstance(config, Mapping) else None
    if not isinstance(destination, Mapping):
        return
    for key in ("OnSuccess", "OnFailure"):
        entry = destination.get(key)
        if isinstance(entry, Mapping):
            yield key, entry, key_line(destination, key, line_of(entry, line))


# SAM event type -> the reader of the source that invokes the function (wiring table, like the other formats').
_EVENT_SOURCES: dict[str, Callable[[SamReader, str, SamEvent], Endpoint | None]] = {
    **{event_type: SamReader._polled_source for event_type in _POLLED_SOURCES},
    **{event_type: SamReader._implicit_source for event_type in _IMPLICIT_SOURCES},
    "SelfManagedKafka": SamReader._kafka_source,
    "SNS": SamReader._topic_source,
    "S3": SamReader._bucket_source,
    "Api": SamReader._rest_api_source,
    "HttpApi": SamReader._http_api_source,
    "CloudWatchLogs": SamReader._log_group_source,
    "AlexaSkill": SamReader._alexa_source,
    "Cognito": SamReader._cognito_source,
}
