"""Render an abstract :class:`~.topology.Topology` as the files a real repository holds.

Each unit becomes one directory under ``services/``: a CloudFormation or SAM
template (YAML with short tags, YAML in long form, or JSON) with a
``samconfig.toml`` naming its stack, or a ``serverless.yml`` service. What
one unit needs from another is written the way teams write it: an
``Fn::ImportValue`` of the other unit's export, an ARN built from a physical
name, or an SSM parameter the other unit writes.

Documents are built as plain dicts with intrinsics in long form
(``{"Ref": ...}``) and serialised at the end, so the three syntaxes carry the
same content.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .render_pipelines import deploy_stage_parameter, write_pipelines

if TYPE_CHECKING:  # only for annotations: topology.py imports this module to write itself
    from .topology import (
        Topology,
        TopologyAccess,
        TopologyEventBus,
        TopologyFunction,
        TopologyStore,
        TopologyTrigger,
        TopologyUnit,
    )

__all__ = ["ACCOUNT", "REGION", "dump", "function_reference", "source_logical_id", "write_topology"]

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/lambda-execution"
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
Document = dict[str, Any]


def write_topology(topology: Topology, root: Path) -> list[Path]:
    """Write every unit of ``topology`` under ``root``; return the paths written, in order."""
    written: list[Path] = []
    compose = _compose_file(topology)
    if compose is not None:
        written.append(_write(root / "serverless-compose.yml", dump(compose, "yaml-long")))
    for unit in topology.units:
        directory = root / unit.path
        directory.mkdir(parents=True, exist_ok=True)
        builder = _UnitBuilder(topology, unit)
        document = builder.build()
        if unit.format == "serverless":
            name = "serverless.json" if unit.syntax == "json" else "serverless.yml"
            written.append(_write(directory / name, dump(document, unit.syntax)))
        else:
            if topology.pipelines_of(unit.name):
                deploy_stage_parameter(document)
            name = "template.json" if unit.syntax == "json" else "template.yaml"
            written.append(_write(directory / name, dump(document, unit.syntax)))
            written.append(_write(directory / "samconfig.toml", _samconfig(unit)))
    written += write_pipelines(topology, root)
    return written


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _compose_file(topology: Topology) -> Document | None:
    """A serverless-compose.yml over every serverless service, when there are two or more."""
    services = [unit for unit in topology.units if unit.format == "serverless"]
    if len(services) < 2:
        return None
    params: dict[str, Document] = {unit.name: {} for unit in services}
    for trigger in topology.cross_unit_triggers():
        if trigger.link != "compose_param":
            continue
        if trigger.wiring == "function":
            consumer, provider, name = topology.unit_of(trigger.function), trigger.unit, trigger.name
        else:
            consumer, provider, name = trigger.unit, topology.unit_of(trigger.function), trigger.function
        params[consumer][param_name(name)] = _output_ref(topology.unit(provider).service, name)
        if trigger.permission and trigger.wiring == "source":  # the function's unit names the source too
            params[topology.unit_of(trigger.function)][param_name(trigger.name)] = _output_ref(
                topology.unit(trigger.unit).service, trigger.name
            )
    for trigger in topology.triggers:
        if trigger.bus is not None and trigger.bus_link == "compose_param" and topology.unit_of(trigger.bus) != trigger.unit:
            params[trigger.unit][param_name(trigger.bus)] = _output_ref(
                topology.unit(topology.unit_of(trigger.bus)).service, trigger.bus
            )
    for access in topology.accesses:
        if access.link == "compose_param" and topology.is_cross_unit_access(access):
            store = topology.store(access.store)
            params[topology.unit_of(access.function)][param_name(store.name)] = _output_ref(
                topology.unit(store.unit).service, store.name
            )
    entries: Document = {}
    for unit in services:
        entry: Document = {"path": unit.path}
        if params[unit.name]:
            entry["params"] = params[unit.name]
        entries[unit.service] = entry
    return {"services": entries}


def param_name(name: str) -> str:
    """The compose parameter carrying ``name``'s ARN (``Queue0`` -> ``queue0Arn``)."""
    return f"{name[:1].lower()}{name[1:]}Arn"


def _param_ref(name: str) -> str:
    return "${param:" + param_name(name) + "}"


def _cf_ref(stack: str, name: str) -> str:
    """serverless ``${cf:stack.Output}`` of the output carrying ``name``'s ARN."""
    return "${cf:" + f"{stack}.{name}Arn" + "}"


def _output_ref(service: str, name: str) -> str:
    """Compose's ``${service.Output}`` of the output carrying ``name``'s ARN."""
    return "${" + f"{service}.{name}Arn" + "}"


def _samconfig(unit: TopologyUnit) -> str:
    return f'version = 0.1\n\n[default.deploy.parameters]\nstack_name = "{unit.name}"\nregion = "{REGION}"\n'


# --- names every unit agrees on -------------------------------------------------


def export_name(unit: str, name: str) -> str:
    return f"{unit}-{name}-arn"


def ssm_name(unit: str, name: str) -> str:
    return f"/{unit}/{name}/arn"


def function_reference(topology: Topology, name: str) -> str:
    """The logical id a template uses for function ``name`` (serverless: ``<Name>LambdaFunction``)."""
    function = topology.function(name)
    if topology.unit(function.unit).format == "serverless":
        return f"{name[:1].upper()}{name[1:]}LambdaFunction"
    return name


def source_logical_id(topology: Topology, trigger: TopologyTrigger) -> str | None:
    """The logical id a loaded graph gives ``trigger``'s source, or None when a tool names it."""
    unit = topology.unit(trigger.unit)
    local = not topology.is_cross_unit(trigger)
    if trigger.kind in ("event_rule", "schedule") and local and unit.format in ("sam", "serverless"):
        return None  # SAM's <TopologyFunction><Event>, the framework's <TopologyFunction>EventsRule...
    if trigger.kind == "api" and local and unit.format == "serverless":
        return None  # ApiGatewayRestApi
    return trigger.name


def _arn_of(kind: str, physical_name: str) -> str:
    prefix = f"arn:aws:{{service}}:{REGION}:{ACCOUNT}:"
    return {
        "queue": prefix.format(service="sqs") + physical_name,
        "topic": prefix.format(service="sns") + physical_name,
        "stream": prefix.format(service="kinesis") + f"stream/{physical_name}",
        "table": prefix.format(service="dynamodb") + f"table/{physical_name}",
        "bucket": f"arn:aws:s3:::{physical_name}",
        "function": prefix.format(service="lambda") + f"function:{physical_name}",
    }[kind]


def _push_arn(kind: str, physical_name: str) -> str:
    """The ARN of a bucket, topic or rule, from its physical name."""
    if kind in ("event_rule", "schedule"):
        return f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{physical_name}"
    return _arn_of(kind, physical_name)


def _tags(domain: str | None) -> list[dict[str, str]] | None:
    return [{"Key": "domain", "Value": domain}] if domain else None


def _source_arn(trigger: TopologyTrigger) -> Any:
    """How the source's own unit names its ARN (a table is triggered through its stream)."""
    if trigger.kind == "topic":
        return {"Ref": trigger.name}
    attribute = "StreamArn" if trigger.kind == "table" else "Arn"
    return {"Fn::GetAtt": [trigger.name, attribute]}


class _UnitBuilder:
    """Builds the document of one unit."""

    def __init__(self, topology: Topology, unit: TopologyUnit) -> None:
        self.topology = topology
        self.unit = unit
        self.serverless = unit.format == "serverless"
        self.sam = unit.format == "sam"
        self.resources: Document = {}
        self.outputs: Document = {}
        self.parameters: Document = {}
        self.functions: Document = {}  # logical id (or serverless key) -> definition
        self.events: dict[str, Any] = {}  # function name -> its events (SAM mapping, serverless list)

    # --- the document ------------------------------------------------------------

    def build(self) -> Document:
        topology, unit = self.topology, self.unit
        for function in topology.functions_in(unit.name):
            self.events[function.name] = [] if self.serverless else {}
        for trigger in topology.triggers:
            function_unit = topology.unit_of(trigger.function)
            if trigger.unit == unit.name:
                self.add_source(trigger)
            elif function_unit == unit.name and trigger.wiring == "function":
                self.add_consumer_wiring(trigger)
            if trigger.permission and function_unit == unit.name:
                self.add_permission(trigger)
        for store in topology.stores_in(unit.name):
            self.add_store(store)
        for bus in topology.buses_in(unit.name):
            self.add_bus(bus)
        self.add_exports()
        for function in topology.functions_in(unit.name):
            self.add_function(function)
        if self.serverless:
            return self.serverless_document()
        document: Document = {"AWSTemplateFormatVersion": "2010-09-09"}
        if self.sam:
            document["Transform"] = SAM_TRANSFORM
        document["Description"] = f"{unit.name}: generated by pytest_serverless_arch.strategies"
        if self.parameters:
            document["Parameters"] = self.parameters
        resources = dict(self.functions)
        resources.update(self.resources)
        document["Resources"] = resources
        if self.outputs:
            document["Outputs"] = self.outputs
        return document

    def serverless_document(self) -> Document:
        document: Document = {
            "service": self.unit.service,
            "frameworkVersion": "3",
            "provider": {"name": "aws", "runtime": "python3.12", "region": REGION},
        }
        if self.functions:
            document["functions"] = self.functions
        resources: Document = {}
        if self.resources:
            resources["Resources"] = self.resources
        if self.outputs:
            resources["Outputs"] = self.outputs
        if resources:
            document["resources"] = resources
        return document

    # --- functions ------------------------------------------------------------------

    def function_ref(self, name: str) -> str:
        return function_reference(self.topology, name)

    def add_function(self, function: TopologyFunction) -> None:
        environment = self.environment(function)
        events = self.events[function.name]
        if self.serverless:
            definition: Document = {"handler": "handler.main", "name": function.physical_name}
            if function.domain:
                definition["tags"] = {"domain": function.domain}
            if environment:
                definition["environment"] = environment
            if events:
                definition["events"] = events
            self.functions[function.name] = definition
            return
        code_key = f"{function.name}CodeKey"
        if function.placeholder:
            self.parameters[code_key] = {"Type": "String", "Description": "set by the application pipeline"}
        properties: Document = {"FunctionName": function.physical_name, "Runtime": "python3.12"}
        if self.sam:
            properties["Handler"] = "app.handler"
            properties["CodeUri"] = {"Bucket": "artifacts", "Key": {"Ref": code_key}} if function.placeholder else "src/"
            if function.domain:
                properties["Tags"] = {"domain": function.domain}
        else:
            properties["Handler"] = "index.handler"
            properties["Role"] = ROLE_ARN
            properties["Code"] = (
                {"S3Bucket": "artifacts", "S3Key": {"Ref": code_key}}
                if function.placeholder
                else {"ZipFile": "def handler(event, context):\n    return None\n"}
            )
            tags = _tags(function.domain)
            if tags:
                properties["Tags"] = tags
        if environment:
            properties["Environment"] = {"Variables": environment}
        if self.sam and events:
            properties["Events"] = events
        self.functions[function.name] = {
            "Type": "AWS::Serverless::Function" if self.sam else "AWS::Lambda::Function",
            "Properties": properties,
        }

    def environment(self, function: TopologyFunction) -> Document:
        variables: Document = {}
        for access in self.topology.accesses:
            if access.function == function.name:
                variables[f"{access.store.upper()}_ARN"] = self.store_value(access)
        return variables

    def store_value(self, access: TopologyAccess) -> Any:
        store = self.topology.store(access.store)
        if store.unit == self.unit.name:
            return {"Fn::GetAtt": [store.name, "Arn"]}
        return self.foreign_value(access.link, store.unit, store.name, _arn_of(store.kind, store.physical_name))

    def foreign_value(self, link: str, provider: str, name: str, arn: str) -> Any:
        """How this unit names the ARN of ``name`` in unit ``provider`` through ``link``."""
        if link in ("compose_param", "stack_output") and not self.serverless:
            raise ValueError(
                f"unit {self.unit.name} ({self.unit.format}) cannot name {name} of unit {provider} "
                f"by {link}: only a serverless.yml service can"
            )
        if link == "imports":
            return {"Fn::ImportValue": export_name(provider, name)}
        if link == "compose_param":
            return _param_ref(name)
        if link == "stack_output":
            return _cf_ref(provider, name)
        if link == "ssm_parameter":
            path = ssm_name(provider, name)
            return "${ssm:" + path + "}" if self.serverless else "{{resolve:ssm:" + path + "}}"
        return arn  # name_reference

    # --- stores and sources ----------------------------------------------------------

    def add_store(self, store: TopologyStore) -> None:
        self.resources[store.name] = self.resource_of(store.kind, store.physical_name, store.domain)

    def resource_of(self, kind: str, physical_name: str, domain: str | None) -> Document:
        tags = _tags(domain)
        properties: Document
        if kind == "queue":
            type_name, properties = "AWS::SQS::Queue", {"QueueName": physical_name}
        elif kind == "topic":
            type_name, properties = "AWS::SNS::Topic", {"TopicName": physical_name}
        elif kind == "bucket":
            type_name, properties = "AWS::S3::Bucket", {"BucketName": physical_name}
        elif kind == "table":
            type_name, properties = (
                "AWS::DynamoDB::Table",
                {
                    "TableName": physical_name,
                    "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
                },
            )
        elif kind == "stream":
            type_name, properties = "AWS::Kinesis::Stream", {"Name": physical_name, "ShardCount": 1}
        elif kind == "api":
            type_name, properties = "AWS::ApiGateway::RestApi", {"Name": physical_name}
        elif kind == "event_rule":
            type_name, properties = "AWS::Events::Rule", {"Name": physical_name, "EventPattern": {"source": [physical_name]}}
            tags = None
        elif kind == "schedule":
            type_name, properties = "AWS::Events::Rule", {"Name": physical_name, "ScheduleExpression": "rate(5 minutes)"}
            tags = None
        else:
            raise ValueError(f"cannot render a resource of kind {kind!r}")
        if tags:
            properties["Tags"] = tags
        return {"Type": type_name, "Properties": properties}

    def add_source(self, trigger: TopologyTrigger) -> None:
        """The source resource, and its wiring when this unit writes it."""
        local = not self.topology.is_cross_unit(trigger)
        if local and (self.sam or self.serverless) and self.add_native_event(trigger):
            return
        self.resources[trigger.name] = self.resource_of(trigger.kind, trigger.physical_name, trigger.domain)
        if trigger.bus is not None:
            self.resources[trigger.name]["Properties"]["EventBusName"] = self.bus_value(trigger)
        if local:
            self.add_raw_wiring(
                trigger,
                {"Fn::GetAtt": [self.function_ref(trigger.function), "Arn"]},
                {"Ref": self.function_ref(trigger.function)},
            )
        elif trigger.wiring == "source":
            function = self.topology.function(trigger.function)
            arn = _arn_of("function", function.physical_name)
            value = self.foreign_value(trigger.link, function.unit, function.name, arn)
            # an event source mapping also takes the bare function name
            self.add_raw_wiring(trigger, value, function.physical_name if value == arn else value)

    def bus_value(self, trigger: TopologyTrigger) -> Any:
        """How an event rule in this unit names its bus (a name, an ARN or a reference)."""
        assert trigger.bus is not None
        bus = self.topology.bus(trigger.bus)
        # serverless.yml creates a bus it is given by name: an existing one is named by ARN or intrinsic
        if bus.unit == self.unit.name:
            return {"Fn::GetAtt": [bus.name, "Arn"]} if self.serverless else {"Ref": bus.name}
        by_name = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{bus.physical_name}" if self.serverless else bus.physical_name
        return self.foreign_value(trigger.bus_link, bus.unit, bus.name, by_name)

    def add_bus(self, bus: TopologyEventBus) -> None:
        properties: Document = {"Name": bus.physical_name}
        tags = _tags(bus.domain)
        if tags:
            properties["Tags"] = tags
        self.resources[bus.name] = {"Type": "AWS::Events::EventBus", "Properties": properties}

    def add_raw_wiring(self, trigger: TopologyTrigger, function_arn: Any, function_name: Any) -> None:
        """Raw CloudFormation wiring from this unit's source to a function (ARN or name value)."""
        name, kind = trigger.name, trigger.kind
        if kind in ("queue", "stream", "table"):
            properties: Document = {"EventSourceArn": _source_arn(trigger), "FunctionName": function_name}
            if kind != "queue":
                properties["StartingPosition"] = "LATEST"
            self.resources[f"{name}Mapping"] = {"Type": "AWS::Lambda::EventSourceMapping", "Properties": properties}
        elif kind == "topic":
            self.resources[f"{name}Subscription"] = {
                "Type": "AWS::SNS::Subscription",
                "Properties": {"Protocol": "lambda", "TopicArn": {"Ref": name}, "Endpoint": function_arn},
            }
        elif kind == "bucket":
            self.resources[name]["Properties"]["NotificationConfiguration"] = {
                "LambdaConfigurations": [{"Event": "s3:ObjectCreated:*", "Function": function_arn}]
            }
        elif kind == "api":
            self.resources[f"{name}Method"] = {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": {"Ref": name},
                    "ResourceId": {"Fn::GetAtt": [name, "RootResourceId"]},
                    "HttpMethod": "POST",
                    "AuthorizationType": "NONE",
                    "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": _integration_uri(function_arn)},
                },
            }
        else:  # event_rule, schedule
            self.resources[name]["Properties"]["Targets"] = [{"Id": "Target0", "Arn": function_arn}]

    def add_native_event(self, trigger: TopologyTrigger) -> bool:
        """A local trigger as a SAM ``Events`` entry or a serverless ``events`` item; False if there is none."""
        kind, name = trigger.kind, trigger.name
        events = self.events[trigger.function]
        explicit = kind not in ("event_rule", "schedule") and not (self.serverless and kind == "api")
        if self.serverless and kind == "bucket":
            return False  # written as raw CloudFormation under resources:
        if explicit:
            if self.sam and kind == "api":
                self.resources[name] = {
                    "Type": "AWS::Serverless::Api",
                    "Properties": {
                        "Name": trigger.physical_name,
                        "StageName": "prod",
                        **({"Tags": {"domain": trigger.domain}} if trigger.domain else {}),
                    },
                }
            else:
                self.resources[name] = self.resource_of(kind, trigger.physical_name, trigger.domain)
        bus = self.bus_value(trigger) if trigger.bus is not None else None
        if self.sam:
            events[name] = _sam_event(trigger, _source_arn(trigger), bus)
        else:
            events.append(_serverless_event(trigger, _source_arn(trigger), bus))
        return True

    def add_permission(self, trigger: TopologyTrigger) -> None:
        """``AWS::Lambda::Permission`` for ``trigger``'s source to invoke its function (from this unit)."""
        native_event = self.sam or (self.serverless and trigger.kind != "bucket")
        if not self.topology.is_cross_unit(trigger) and native_event:
            return  # SAM and the framework write the permission of their own events
        if self.topology.is_cross_unit(trigger):
            source_arn = self.foreign_value(
                trigger.link, trigger.unit, trigger.name, _push_arn(trigger.kind, trigger.physical_name)
            )
        else:
            source_arn = _source_arn(trigger)
        principal = {"bucket": "s3", "topic": "sns"}.get(trigger.kind, "events")
        self.resources[f"{trigger.name}Permission"] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Fn::GetAtt": [self.function_ref(trigger.function), "Arn"]},
                "Principal": f"{principal}.amazonaws.com",
                "SourceArn": source_arn,
            },
        }

    def add_consumer_wiring(self, trigger: TopologyTrigger) -> None:
        """A cross-unit trigger written in the function's unit, naming the source in another unit."""
        source_value = self.foreign_value(trigger.link, trigger.unit, trigger.name, _arn_of(trigger.kind, trigger.physical_name))
        if self.sam:
            self.events[trigger.function][trigger.name] = _sam_event(trigger, source_value)
        elif self.serverless:
            self.events[trigger.function].append(_serverless_event(trigger, source_value))
        elif trigger.kind == "topic":
            self.resources[f"{trigger.name}Subscription"] = {
                "Type": "AWS::SNS::Subscription",
                "Properties": {
                    "Protocol": "lambda",
                    "TopicArn": source_value,
                    "Endpoint": {"Fn::GetAtt": [trigger.function, "Arn"]},
                },
            }
        else:
            properties: Document = {"EventSourceArn": source_value, "FunctionName": {"Ref": trigger.function}}
            if trigger.kind != "queue":
                properties["StartingPosition"] = "LATEST"
            self.resources[f"{trigger.name}Mapping"] = {"Type": "AWS::Lambda::EventSourceMapping", "Properties": properties}

    # --- what other units import --------------------------------------------------

    def add_exports(self) -> None:
        """Exports, outputs and SSM parameters through which other units name this unit's resources."""
        topology, unit = self.topology, self.unit
        for trigger in topology.cross_unit_triggers():
            if (trigger.wiring == "function" or trigger.permission) and trigger.unit == unit.name:
                self.publish(trigger.link, trigger.name, _source_arn(trigger))
            elif trigger.wiring == "source" and topology.unit_of(trigger.function) == unit.name:
                self.publish(trigger.link, trigger.function, {"Fn::GetAtt": [self.function_ref(trigger.function), "Arn"]})
        for access in topology.accesses:
            store = topology.store(access.store)
            if store.unit == unit.name and topology.is_cross_unit_access(access):
                self.publish(access.link, store.name, {"Fn::GetAtt": [store.name, "Arn"]})
        for trigger in topology.triggers:
            if trigger.bus is not None and topology.unit_of(trigger.bus) == unit.name != trigger.unit:
                self.publish(trigger.bus_link, trigger.bus, {"Fn::GetAtt": [trigger.bus, "Arn"]})

    def publish(self, link: str, name: str, value: Any) -> None:
        """Make ``value`` (an ARN) reachable by ``link``: an output with an export, or an SSM parameter."""
        if link in ("imports", "compose_param", "stack_output"):
            self.outputs[f"{name}Arn"] = {"Value": value, "Export": {"Name": export_name(self.unit.name, name)}}
        elif link == "ssm_parameter":
            self.resources[f"{name}Parameter"] = {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": ssm_name(self.unit.name, name), "Type": "String", "Value": value},
            }


def _integration_uri(function_arn: Any) -> Any:
    path = "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/%s/invocations"
    if isinstance(function_arn, str):
        return {"Fn::Sub": path % function_arn}
    if "Fn::GetAtt" in function_arn:
        logical_id, attribute = function_arn["Fn::GetAtt"]
        return {"Fn::Sub": path % ("${" + f"{logical_id}.{attribute}" + "}")}
    return {"Fn::Sub": [path % "${FunctionArn}", {"FunctionArn": function_arn}]}


def _sam_event(trigger: TopologyTrigger, source: Any, bus: Any = None) -> Document:
    kind = trigger.kind
    if kind == "queue":
        return {"Type": "SQS", "Properties": {"Queue": source}}
    if kind == "topic":
        return {"Type": "SNS", "Properties": {"Topic": source}}
    if kind == "stream":
        return {"Type": "Kinesis", "Properties": {"Stream": source, "StartingPosition": "LATEST"}}
    if kind == "table":
        return {"Type": "DynamoDB", "Properties": {"Stream": source, "StartingPosition": "LATEST"}}
    if kind == "bucket":
        return {"Type": "S3", "Properties": {"Bucket": {"Ref": trigger.name}, "Events": "s3:ObjectCreated:*"}}
    if kind == "api":
        return {
            "Type": "Api",
            "Properties": {"RestApiId": {"Ref": trigger.name}, "Path": f"/{trigger.name.lower()}", "Method": "post"},
        }
    if kind == "event_rule":
        properties: Document = {"Pattern": {"source": [trigger.physical_name]}}
        if bus is not None:
            properties["EventBusName"] = bus
        return {"Type": "EventBridgeRule", "Properties": properties}
    return {"Type": "Schedule", "Properties": {"Schedule": "rate(5 minutes)"}}


def _serverless_event(trigger: TopologyTrigger, source: Any, bus: Any = None) -> Document:
    kind = trigger.kind
    if kind == "queue":
        return {"sqs": {"arn": source}}
    if kind == "topic":
        event: Document = {"arn": source}
        if isinstance(source, dict) and "Ref" in source:
            event["topicName"] = trigger.physical_name
        return {"sns": event}
    if kind in ("stream", "table"):
        return {"stream": {"type": "kinesis" if kind == "stream" else "dynamodb", "arn": source}}
    if kind == "api":
        return {"http": {"path": trigger.name.lower(), "method": "post"}}
    if kind == "event_rule":
        event_bridge: Document = {"pattern": {"source": [trigger.physical_name]}}
        if bus is not None:
            event_bridge["eventBus"] = bus
        return {"eventBridge": event_bridge}
    if kind == "schedule":
        return {"schedule": "rate(5 minutes)"}
    raise ValueError(f"no serverless event for a {kind}")


# --- serialising --------------------------------------------------------------------

_SHORT_TAGS = {
    "Ref": "!Ref",
    "Fn::GetAtt": "!GetAtt",
    "Fn::Sub": "!Sub",
    "Fn::ImportValue": "!ImportValue",
    "Fn::Join": "!Join",
    "Fn::Select": "!Select",
    "Fn::If": "!If",
}


class _Tagged:
    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value


class _Dumper(yaml.SafeDumper):
    """Plain YAML without anchors (a generated document repeats equal values on purpose)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_tagged(dumper: yaml.SafeDumper, data: _Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_Dumper.add_representer(_Tagged, _represent_tagged)


def _short_form(value: Any) -> Any:
    """Long-form intrinsics as short tags (``{"Ref": X}`` -> ``!Ref X``), recursively."""
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, inner),) = value.items()
            tag = _SHORT_TAGS.get(key)
            if tag is not None:
                if key == "Fn::GetAtt" and isinstance(inner, list) and all(isinstance(p, str) for p in inner):
                    return _Tagged(tag, ".".join(inner))
                return _Tagged(tag, _short_form(inner))
        return {key: _short_form(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_short_form(item) for item in value]
    return value


def dump(document: Document, syntax: str) -> str:
    """``document`` as ``yaml-short``, ``yaml-long`` or ``json`` text."""
    if syntax == "json":
        return json.dumps(document, indent=2) + "\n"
    if syntax == "yaml-long":
        return yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=1000)
    if syntax == "yaml-short":
        return yaml.dump(_short_form(document), Dumper=_Dumper, sort_keys=False, width=1000)
    raise ValueError(f"unknown syntax {syntax!r}; expected one of yaml-short, yaml-long, json")
