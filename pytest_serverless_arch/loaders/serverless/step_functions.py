"""The serverless-step-functions plugin: ``stepFunctions.stateMachines`` -> state machine nodes.

Read only when the plugin is listed in ``plugins:`` or a ``stepFunctions:``
section is present. Each state machine becomes an
``AWS::StepFunctions::StateMachine`` under the plugin's logical id (``id:``
when given, else the normalized ``name:``, else ``<Key>StepFunctionsStateMachine``)
with ``invokes`` edges to the functions its tasks call: ``Fn::GetAtt`` on a
function (by key or logical id), ``lambda:invoke`` with ``Parameters.FunctionName``,
or a Lambda ARN or function name built from variables. Its ``events`` create
the API / rule / schedule the plugin compiles, each with a ``references`` edge
to the state machine (``triggers`` edges are for functions only).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...parse import LineDict, key_line, line_of, strings_with_lines
from ..cloudformation.reader import state_machine_wiring
from ..cloudformation.template import TemplateReader
from ..endpoints import DEFAULT_EVENT_BUS, LAMBDA_ARN, event_bus_endpoint
from . import naming
from .events import ServiceContext, source_endpoint
from .variables import VariableText

__all__ = ["PLUGIN", "read_state_machines", "state_machine_logical_id"]

PLUGIN = "serverless-step-functions"
# region/account may be ``#{AWS::Region}`` (serverless-pseudo-parameters), which holds colons


def state_machine_logical_id(key: str, spec: Mapping[str, Any]) -> str:
    """The logical id the plugin gives a state machine: ``id``, else ``name``, else ``<Key>StepFunctionsStateMachine``."""
    custom = spec.get("id") or spec.get("name")
    if isinstance(custom, str) and custom and not (isinstance(custom, VariableText) and custom.unresolved):
        return naming.normalized_name(custom)
    return f"{naming.normalized_name(key)}StepFunctionsStateMachine"


def read_state_machines(ctx: ServiceContext, document: Mapping[str, Any], plugins: list[str]) -> None:
    """Add the plugin's state machines (and what their events create) to ``ctx.reader``."""
    section = document.get("stepFunctions")
    if section is None and not any(p == PLUGIN or p.endswith(f"/{PLUGIN}") for p in plugins):
        return
    reader = ctx.reader
    if not isinstance(section, Mapping):
        if section is not None:
            reader.note(line_of(section, 1), "`stepFunctions` must be a mapping; ignored")
        return
    machines = section.get("stateMachines")
    if machines is None:
        return
    if not isinstance(machines, Mapping):
        reader.note(
            key_line(section, "stateMachines", line_of(section, 1)), "`stepFunctions.stateMachines` must be a mapping; ignored"
        )
        return
    lines = getattr(machines, "key_lines", {})
    for key, spec in machines.items():
        line = lines.get(key, line_of(machines, 1))
        if not isinstance(spec, Mapping):
            reader.note(line, f"state machine {key} is not a mapping; ignored")
            continue
        _state_machine(ctx, str(key), spec, line)


def _state_machine(ctx: ServiceContext, key: str, spec: Mapping[str, Any], line: int) -> None:
    reader = ctx.reader
    logical_id = state_machine_logical_id(key, spec)
    name = spec.get("name")
    properties = LineDict()
    properties.line = line
    if isinstance(name, str) and name:
        properties["StateMachineName"] = name
    definition = spec.get("definition")
    if definition is not None:
        properties["Definition"] = definition
        properties.key_lines["Definition"] = key_line(spec, "definition", line)
    if reader.owner(logical_id) is None:
        reader.add_resource(
            reader.make_resource(logical_id, "AWS::StepFunctions::StateMachine", properties, line, name=key, implicit=True)
        )
    state_machine = reader.owner(logical_id) or logical_id
    if definition is not None:
        state_machine_wiring(reader, state_machine, properties, line)
        for function, function_line in _named_functions(ctx, definition, key_line(spec, "definition", line)):
            reader.edge("invokes", state_machine, function, function_line, "state machine task")
    _events(ctx, key, state_machine, spec.get("events"), key_line(spec, "events", line))


def _named_functions(ctx: ServiceContext, definition: Any, line: int) -> Iterator[tuple[str, int]]:
    """Functions of this service a task names by key, deployed name or ARN (``Resource``/``FunctionName``)."""
    by_name = {physical: key for key, physical in ctx.physical_names.items()}
    for field, text, text_line in strings_with_lines(definition, line):
        if field not in ("Resource", "FunctionName"):
            continue
        match = LAMBDA_ARN.fullmatch(text)
        name = match.group("name") if match else text
        if name in by_name:
            yield by_name[name], text_line
        elif name in ctx.functions and match is None:
            yield name, text_line


def _events(ctx: ServiceContext, key: str, state_machine: str, events: Any, line: int) -> None:
    reader = ctx.reader
    if events is None:
        return
    if not isinstance(events, list):
        reader.note(line_of(events, line), f"state machine {key}: `events` must be a list; ignored")
        return
    item_lines = getattr(events, "item_lines", [])
    schedules = rules = 0
    for index, event in enumerate(events):
        event_line = item_lines[index] if index < len(item_lines) else line
        if not isinstance(event, Mapping) or len(event) != 1:
            reader.note(event_line, f"state machine {key}: an event must be a mapping with one event type; ignored")
            continue
        event_type, body = next(iter(event.items()))
        if event_type == "http":
            api_id = ctx.provider_section("apiGateway").get("restApiId")
            api = (
                source_endpoint(reader, api_id, "api")
                if api_id is not None
                else _implicit(
                    reader, naming.REST_API, "AWS::ApiGateway::RestApi", {"Name": f"{ctx.stage}-{ctx.service}"}, event_line, "api"
                )
            )
            if api is not None:
                reader.edge("references", api, state_machine, event_line, "http")
        elif event_type == "schedule":
            schedules += 1
            rate = body.get("rate") if isinstance(body, Mapping) else body
            rule = _implicit(
                reader,
                f"{naming.normalized_name(key)}StepFunctionsEventsRuleSchedule{schedules}",
                "AWS::Events::Rule",
                {"ScheduleExpression": rate},
                event_line,
                "schedule",
            )
            reader.edge("references", rule, state_machine, event_line, "schedule")
        elif event_type in ("cloudwatchEvent", "eventBridge"):
            rules += 1
            pattern = body.get("event") if isinstance(body, Mapping) else None
            rule = _implicit(
                reader,
                f"{naming.normalized_name(key)}EventsRuleCloudWatchEvent{rules}",
                "AWS::Events::Rule",
                {"EventPattern": pattern},
                event_line,
                "event_rule",
            )
            reader.edge("references", rule, state_machine, event_line, event_type)
            bus_name = body.get("eventBusName") if isinstance(body, Mapping) else None
            bus = DEFAULT_EVENT_BUS if bus_name is None else event_bus_endpoint(reader, bus_name)
            if bus is not None:
                reader.edge("references", rule, bus, event_line, "event bus")
        else:
            reader.note(event_line, f"state machine {key}: event type {event_type!r} is not read; ignored")


def _implicit(
    reader: TemplateReader, logical_id: str, type_name: str, properties: Mapping[str, Any], line: int, kind: str
) -> str:
    if reader.owner(logical_id) is None:
        props = LineDict(properties)
        props.line = line
        reader.add_resource(reader.make_resource(logical_id, type_name, props, line, implicit=True, kind=kind))
    return reader.owner(logical_id) or logical_id
