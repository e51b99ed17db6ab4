"""Edges between Terraform resources: triggers, invokes, accesses and references.

One small reader per resource type, the same edge kinds and details as the
CloudFormation reader (``EventSourceMapping``, ``SNS``, ``S3``,
``EventBridge`` ...), so rules never ask which tool wrote a resource.
``aws_lambda_permission`` only adds a trigger that nothing else gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ...model import ForeignRef
from ...parse import ParseError, line_of, parse_text
from ..cloudformation.accesses import access_mode, is_wildcard, kind_of_actions
from ..endpoints import DEFAULT_EVENT_BUS
from .expressions import sole_interpolation
from .files import read_policy_file
from .hcl import Block, parse_expression
from .modules import DataTarget, Module, ResourceTarget
from .reader import TerraformReader

__all__ = ["WIRED_TYPES", "read_wiring"]

Handler = Callable[[TerraformReader, str, Block, Module], None]


def read_wiring(reader: TerraformReader) -> None:
    """Every edge of every recorded resource; permissions last, then IAM policies."""
    permissions: list[tuple[str, Block, Module]] = []
    for address, (block, module) in reader.blocks.items():
        type_name = block.labels[0]
        if type_name == "aws_lambda_permission":
            permissions.append((address, block, module))
        handler = _WIRING.get(type_name)
        if handler is not None:
            handler(reader, address, block, module)
    for address, (block, module) in reader.blocks.items():
        _references(reader, address, block, module)
    for address, block, module in permissions:
        _permission(reader, address, block, module)
    _role_accesses(reader)


def _trigger(reader: TerraformReader, source: Any, function: Any, block: Block, line: int, detail: str) -> None:
    reader.edge("triggers", source, function, block.path, line, detail)


def _event_source_mapping(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    function = reader.function_endpoint(block.get("function_name"), module)
    source: Any = None
    if "event_source_arn" in block.attributes:
        source = reader.endpoint(block.get("event_source_arn"), module)
        if source is None:
            source = ForeignRef("external", f"unresolved event source of {address}", "other")
    else:
        for child in block.children("self_managed_event_source"):
            servers = child.get("endpoints")
            servers = servers.get("KAFKA_BOOTSTRAP_SERVERS") if isinstance(servers, dict) else None
            name = module.resolve(servers) if servers is not None else None
            source = ForeignRef("external", f"kafka {name}" if name else "kafka", "stream")
    _trigger(reader, source, function, block, block.line, "EventSourceMapping")
    for config in block.children("destination_config"):
        for on_failure in config.children("on_failure"):
            target = reader.endpoint(on_failure.get("destination_arn"), module)
            reader.edge("accesses", function, target, block.path, on_failure.line, "write")


def _sns_subscription(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    if str(module.resolve(block.get("protocol")) or "").lower() != "lambda":
        return
    _trigger(
        reader,
        reader.endpoint(block.get("topic_arn"), module, "topic"),
        reader.function_endpoint(block.get("endpoint"), module),
        block,
        block.line,
        "SNS",
    )


def _bucket_notification(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    bucket = reader.endpoint(block.get("bucket"), module, "bucket")
    for child in block.children("lambda_function"):
        _trigger(reader, bucket, reader.function_endpoint(child.get("lambda_function_arn"), module), block, child.line, "S3")
    for child_type, attribute, kind in (("queue", "queue_arn", "queue"), ("topic", "topic_arn", "topic")):
        for child in block.children(child_type):
            reader.edge(
                "references", bucket, reader.endpoint(child.get(attribute), module, kind), block.path, child.line, "notification"
            )


def _event_target(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    rule = reader.endpoint(block.get("rule"), module, "event_rule")
    if isinstance(rule, str) and reader.kind(rule) not in ("event_rule", "schedule"):
        rule = None
    if rule is None:
        name = module.resolve(block.get("rule"))
        rule = ForeignRef("name", name, "event_rule") if name else None
    function = reader.function_endpoint(block.get("arn"), module)
    line = block.line_of("arn")
    if function is not None:
        _trigger(reader, rule, function, block, line, "EventBridge")
    else:
        reader.edge("references", rule, reader.endpoint(block.get("arn"), module), block.path, line, "rule target")
    for dlq in block.children("dead_letter_config"):
        reader.edge(
            "references", rule, reader.endpoint(dlq.get("arn"), module, "queue"), block.path, dlq.line, "dead-letter queue"
        )


def _event_rule(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    if block.get("schedule_expression") is not None:
        return
    bus_value = block.get("event_bus_name")
    if bus_value is not None:
        bus_name = module.resolve(bus_value)
        bus = DEFAULT_EVENT_BUS if bus_name == "default" else reader.endpoint(bus_value, module, "event_bus")
        reader.edge("references", address, bus, block.path, block.line_of("event_bus_name"), "event bus")
    elif block.get("event_pattern") is not None:
        reader.edge("references", address, DEFAULT_EVENT_BUS, block.path, block.line_of("event_pattern"), "event bus")


def _scheduler(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    for target in block.children("target"):
        function = reader.function_endpoint(target.get("arn"), module)
        if function is not None:
            _trigger(reader, address, function, block, target.line, "Scheduler")
        else:
            reader.edge(
                "references", address, reader.endpoint(target.get("arn"), module), block.path, target.line, "schedule target"
            )


def _api_integration(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    api = reader.endpoint(block.get("rest_api_id"), module, "api")
    _trigger(reader, api, _function_in_uri(reader, block.get("uri"), module), block, block.line_of("uri"), "Api")


def _api_authorizer(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    api = reader.endpoint(block.get("rest_api_id", block.get("api_id")), module, "api")
    _trigger(
        reader,
        api,
        _function_in_uri(reader, block.get("authorizer_uri"), module),
        block,
        block.line_of("authorizer_uri"),
        "Authorizer",
    )


def _apiv2_integration(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    api = reader.endpoint(block.get("api_id"), module, "api")
    _trigger(
        reader,
        api,
        _function_in_uri(reader, block.get("integration_uri"), module),
        block,
        block.line_of("integration_uri"),
        "HttpApi",
    )


def _api_body(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    """Quick-create ``target`` and OpenAPI ``body`` integrations of an API."""
    for attribute, detail in (("target", "HttpApi"), ("body", "Api")):
        value = block.get(attribute)
        if value is None:
            continue
        for target in module.targets(value):
            if isinstance(target, ResourceTarget) and reader.type_of(target.address) == "aws_lambda_function":
                _trigger(reader, address, target.address, block, block.line_of(attribute), detail)


def _function_in_uri(reader: TerraformReader, uri: Any, module: Module) -> Any:
    if uri is None:
        return None
    return reader.function_endpoint(uri, module)


def _pipe(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    source = reader.endpoint(block.get("source"), module)
    for attribute in ("target", "enrichment"):
        if attribute not in block.attributes:
            continue
        function = reader.function_endpoint(block.get(attribute), module)
        line = block.line_of(attribute)
        if function is not None:
            _trigger(reader, source, function, block, line, "Pipe")
        elif attribute == "target":
            reader.edge("references", address, reader.endpoint(block.get(attribute), module), block.path, line, "pipe target")
    reader.edge("references", address, source, block.path, block.line_of("source"), "pipe source")


def _log_subscription(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    function = reader.function_endpoint(block.get("destination_arn"), module)
    if function is None:
        return
    log_group = reader.endpoint(block.get("log_group_name"), module)
    _trigger(reader, log_group, function, block, block.line_of("destination_arn"), "CloudWatchLogs")


def _cognito_user_pool(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    for config in block.children("lambda_config"):
        for name, attribute in config.attributes.items():
            if name == "kms_key_id":
                continue
            _trigger(reader, address, reader.function_endpoint(attribute.value, module), block, attribute.line, f"Cognito {name}")
        for child in config.blocks:
            _trigger(
                reader,
                address,
                reader.function_endpoint(child.get("lambda_arn"), module),
                block,
                child.line,
                f"Cognito {child.type}",
            )


def _iot_rule(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    actions = block.children("lambda")
    for error_action in block.children("error_action"):
        actions += error_action.children("lambda")
    for action in actions:
        _trigger(reader, address, reader.function_endpoint(action.get("function_arn"), module), block, action.line, "IoTRule")


def _lattice_attachment(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    for target in block.children("target"):
        function = reader.function_endpoint(target.get("id"), module)
        if function is not None:
            group = reader.endpoint(block.get("target_group_identifier"), module)
            _trigger(reader, group, function, block, target.line, "VpcLattice")


def _target_group_attachment(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    function = reader.function_endpoint(block.get("target_id"), module)
    if function is None:
        return
    group = reader.endpoint(block.get("target_group_arn"), module)
    _trigger(reader, group, function, block, block.line_of("target_id"), "ALB")


def _function_url(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    _trigger(
        reader,
        address,
        reader.function_endpoint(block.get("function_name"), module),
        block,
        block.line_of("function_name"),
        "FunctionUrl",
    )


def _appsync_data_source(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    for config in block.children("lambda_config"):
        _trigger(
            reader,
            reader.endpoint(block.get("api_id"), module, "api"),
            reader.function_endpoint(config.get("function_arn"), module),
            block,
            config.line,
            "AppSync",
        )


def _ses_receipt_rule(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    for action in block.children("lambda_action"):
        _trigger(reader, address, reader.function_endpoint(action.get("function_arn"), module), block, action.line, "SES")


def _state_machine(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    """Task states that call a function are ``invokes`` edges, not triggers."""
    definition = block.get("definition")
    if definition is None:
        return
    line = block.line_of("definition")
    for target in module.targets(definition):
        endpoint = reader.endpoint_of_target(target)
        if endpoint is None:
            continue
        if isinstance(endpoint, str) and reader.kind(endpoint) == "function":
            reader.edge("invokes", address, endpoint, block.path, line, "state machine task")
        elif isinstance(endpoint, str) and reader.kind(endpoint) not in (None, "other"):
            reader.edge("accesses", address, endpoint, block.path, line, "")
    text = module.resolve(definition)
    if text:
        for arn in _lambda_arns_in_text(text):
            reader.edge("invokes", address, reader.function_endpoint(arn, module), block.path, line, "state machine task")


def _lambda_arns_in_text(text: str) -> Iterator[str]:
    import re

    # the region and account may be kept symbolic (``${AWS::Region}``, pseudo.py) when nobody gave them
    yield from re.findall(
        r"arn:aws[\w-]*:lambda:(?:[\w-]+|\$\{AWS::Region\}):(?:\d{12}|\$\{AWS::AccountId\}):function:[\w-]+", text
    )


def _lambda_function(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    """Environment variables naming a resource, and the dead-letter target, are accesses."""
    for environment in block.children("environment"):
        variables = environment.get("variables")
        line = environment.line_of("variables")
        if isinstance(variables, dict):
            for key, value in variables.items():
                for endpoint in _access_endpoints(reader, value, module):
                    reader.edge("accesses", address, endpoint, block.path, line, f"environment {key}")
        elif variables is not None:
            for endpoint in _access_endpoints(reader, variables, module):
                reader.edge("accesses", address, endpoint, block.path, line, "environment")
    for dlq in block.children("dead_letter_config"):
        reader.edge("accesses", address, reader.endpoint(dlq.get("target_arn"), module), block.path, dlq.line, "write")


def _access_endpoints(reader: TerraformReader, value: Any, module: Module) -> list[Any]:
    found = []
    for target in module.targets(value):
        endpoint = reader.endpoint_of_target(target)
        if endpoint is None:
            continue
        if isinstance(endpoint, str) and reader.kind(endpoint) in (None, "other"):
            continue
        found.append(endpoint)
    if not found:
        text = module.resolve(value)
        endpoint = reader.endpoint_of_text(text) if text and text.startswith("arn:") else None
        if endpoint is not None:
            found.append(endpoint)
    return found


def _event_invoke_config(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    function = reader.function_endpoint(block.get("function_name"), module)
    if function is None:
        return
    for config in block.children("destination_config"):
        for child in config.blocks:
            value = child.get("destination")
            target_function = reader.function_endpoint(value, module) if _names_function(reader, value, module) else None
            if target_function is not None:
                reader.edge("invokes", function, target_function, block.path, child.line, f"destination {child.type}")
            else:
                reader.edge("accesses", function, reader.endpoint(value, module), block.path, child.line, "write")


def _names_function(reader: TerraformReader, value: Any, module: Module) -> bool:
    text = module.resolve(value)
    if text is not None:
        return ":function:" in text
    return any(
        isinstance(t, ResourceTarget) and reader.type_of(t.address) in ("aws_lambda_function", "aws_lambda_alias")
        for t in module.targets(value)
    )


def _references(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    """Every expression naming another node (or a lookup in another unit), and ``depends_on``."""
    for endpoint, line, name in reader.references_of(block, module):
        detail = "" if isinstance(endpoint, str) else name
        reader.edge("references", address, endpoint, block.path, line, detail)
    depends = block.get("depends_on")
    if isinstance(depends, list):
        for item in depends:
            for target in module.targets(item if "${" in str(item) else "${" + str(item) + "}"):
                local = reader.endpoint_of_target(target)
                if isinstance(local, str):
                    reader.edge("references", address, local, block.path, block.line_of("depends_on"), "depends_on")


def _permission(reader: TerraformReader, address: str, block: Block, module: Module) -> None:
    """A permission only adds a trigger when no other resource already gives one for its function."""
    function = reader.function_endpoint(block.get("function_name"), module)
    if function is None:
        return
    source: Any = None
    if "source_arn" in block.attributes:
        value = block.get("source_arn")
        for target in module.targets(value):
            endpoint = reader.endpoint_of_target(target)
            if endpoint is not None and not (isinstance(endpoint, str) and reader.kind(endpoint) == "function"):
                source = endpoint
                break
        if source is None:
            text = module.resolve(value)
            source = reader.endpoint_of_text(text) if text else None
    if source is None:
        return
    if isinstance(source, str) and reader.type_of(source) in (
        "aws_api_gateway_deployment",
        "aws_api_gateway_stage",
        "aws_apigatewayv2_stage",
    ):
        return
    if reader.has_trigger(source, function):
        return
    reader.edge("triggers", source, function, block.path, block.line, "Permission")


# --- IAM ----------------------------------------------------------------------


def _role_accesses(reader: TerraformReader) -> None:
    """IAM statements reaching a function through its role: accesses (invokes for lambda:InvokeFunction)."""
    documents: dict[str, list[tuple[Block, Module]]] = {}  # role address -> blocks with a ``policy``
    for address, (block, module) in reader.blocks.items():
        type_name = block.labels[0]
        if type_name == "aws_iam_role":
            for inline in block.children("inline_policy"):
                documents.setdefault(address, []).append((inline, module))
            for policy in _policy_resources(reader, block.get("managed_policy_arns"), module):
                documents.setdefault(address, []).append(reader.blocks[policy])
        elif type_name == "aws_iam_role_policy":
            for role in _roles(reader, block.get("role"), module):
                documents.setdefault(role, []).append((block, module))
        elif type_name in ("aws_iam_role_policy_attachment", "aws_iam_policy_attachment"):
            roles = _roles(reader, block.get("role", block.get("roles")), module)
            for policy in _policy_resources(reader, block.get("policy_arn"), module):
                for role in roles:
                    documents.setdefault(role, []).append(reader.blocks[policy])
    if not documents:
        return
    for address, (block, module) in reader.blocks.items():
        if block.labels[0] != "aws_lambda_function":
            continue
        for role in _roles(reader, block.get("role"), module):
            for policy_block, document_module in documents.get(role, []):
                document = policy_block.attributes.get("policy")
                if document is None:
                    continue
                for statement, statement_module, statement_path, statement_line in _statements(
                    reader, document.value, document_module, policy_block.path, document.line, document.object_lines
                ):
                    _statement_accesses(reader, address, statement, statement_module, statement_path, statement_line)


def _roles(reader: TerraformReader, value: Any, module: Module) -> list[str]:
    return [
        t.address for t in module.targets(value) if isinstance(t, ResourceTarget) and reader.type_of(t.address) == "aws_iam_role"
    ]


def _policy_resources(reader: TerraformReader, value: Any, module: Module) -> list[str]:
    if value is None:
        return []
    return [
        t.address
        for t in module.targets(value)
        if isinstance(t, ResourceTarget) and reader.type_of(t.address) == "aws_iam_policy"
    ]


Statements = Iterator[tuple[dict[str, Any], Module, str, int]]  # statement, its scope, file, line


def _statements(
    reader: TerraformReader, document: Any, module: Module, path: str, line: int, object_lines: tuple[int, ...] = ()
) -> Statements:
    """IAM statements of a policy value: ``jsonencode({...})``, a JSON heredoc, a policy document data source,
    or a JSON file read by ``file()``/``templatefile()`` (its statements keep that file's lines)."""
    expression = sole_interpolation(document)
    if expression is not None:
        expression = expression.strip()
        policy_file = read_policy_file(expression, module)
        if policy_file is not None:
            if policy_file.problem:
                reader.note(path, line, policy_file.problem)
            elif isinstance(policy_file.document, Mapping):
                for statement in _statement_list(policy_file.document):
                    yield dict(statement), module, policy_file.relpath, line_of(statement, 1)
            return
        if expression.startswith("jsonencode(") and expression.endswith(")"):
            document = parse_expression(expression[len("jsonencode(") : -1])
            if isinstance(document, Mapping):
                lines = _constructor_lines(document, object_lines)
                for statement in _statement_list(document):
                    yield dict(statement), module, path, lines.get(id(statement), line)
                return
        else:
            for target in module.targets(document):
                if isinstance(target, DataTarget) and target.block.labels[0] == "aws_iam_policy_document":
                    yield from _document_statements(target.block, target.module)
                    return
            if expression.startswith(("var.", "local.")):
                from .modules import _path

                parts = _path(expression)
                if len(parts) < 2:
                    return
                if parts[0] == "local" and parts[1] in module.locals:
                    yield from _statements(reader, module.locals[parts[1]].value, module, path, line)
                elif parts[0] == "var":
                    found = module.variable_value(parts[1])
                    if found is not None:
                        yield from _statements(reader, found[0], found[1], path, line)
            return
    elif isinstance(document, str):
        # A heredoc's JSON: read with lines, so a statement's line is the attribute's plus its own.
        try:
            document = parse_text(document, json_first=True)
        except ParseError:
            return
        if isinstance(document, Mapping):  # the body starts on the line after ``<<EOF``
            for statement in _statement_list(document):
                yield dict(statement), module, path, line + line_of(statement, 1)
        return
    if isinstance(document, Mapping):
        for statement in _statement_list(document):
            yield dict(statement), module, path, line


def _constructor_lines(document: Any, object_lines: tuple[int, ...]) -> dict[int, int]:
    """``id`` of every object of a ``jsonencode`` argument -> the line of its ``{``.

    The HCL tree gives the lines of the object constructors in source order; the parsed
    value has its objects in the same order, unless something else (a ``for``
    expression, an object inside a template) made objects the value does not show:
    then the counts differ and no line is guessed.
    """
    objects: list[int] = []

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            objects.append(id(value))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    return dict(zip(objects, object_lines, strict=True)) if len(objects) == len(object_lines) else {}


def _statement_list(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = document.get("Statement")
    statements = [statements] if isinstance(statements, Mapping) else statements
    return [item for item in statements if isinstance(item, Mapping)] if isinstance(statements, list) else []


def _document_statements(block: Block, module: Module) -> Statements:
    for statement in block.children("statement"):
        yield (
            {
                "Effect": statement.get("effect", "Allow"),
                "Action": statement.get("actions", []),
                "Resource": statement.get("resources", []),
            },
            module,
            block.path,
            statement.line,
        )


def _statement_accesses(
    reader: TerraformReader, function: str, statement: dict[str, Any], module: Module, path: str, line: int
) -> None:
    if str(module.resolve(statement.get("Effect", "Allow")) or "Allow") != "Allow":
        return
    actions = statement.get("Action", [])
    actions = [actions] if not isinstance(actions, list) else actions
    action_names = [text for text in (module.resolve(a) for a in actions) if text]
    resources = statement.get("Resource", [])
    resources = resources if isinstance(resources, list) else [resources]
    mode = access_mode(action_names)
    invokes = bool(action_names) and all(a.lower().startswith("lambda:invoke") for a in action_names)
    for value in resources:
        targets = [reader.endpoint_of_target(t) for t in module.targets(value)]
        if not any(targets):
            text = module.resolve(value)
            targets = [reader.endpoint_of_text(text)] if text and text.startswith("arn:") and "*" not in text else []
            if text is None and isinstance(value, str) and not is_wildcard(value):
                # kept as an external node, as the CloudFormation readers keep one (nothing silently dropped)
                hint = kind_of_actions(action_names)
                targets = [ForeignRef("external", f"unresolved {hint} {value} in {reader.unit.name}", hint)]
                reader.note(
                    path,
                    line,
                    f"{function}: the resource this policy names cannot be resolved offline ({value}); kept as external",
                )
        for target in targets:
            if target is None or target == function:
                continue
            kind = reader.kind(target) if isinstance(target, str) else target.kind_hint
            if isinstance(target, str) and kind in (None, "other"):
                continue
            if kind == "function" and invokes:
                reader.edge("invokes", function, target, path, line, "IAM lambda:InvokeFunction")
            else:
                reader.edge("accesses", function, target, path, line, mode)


_WIRING: dict[str, Handler] = {
    "aws_lambda_event_source_mapping": _event_source_mapping,
    "aws_sns_topic_subscription": _sns_subscription,
    "aws_s3_bucket_notification": _bucket_notification,
    "aws_cloudwatch_event_target": _event_target,
    "aws_cloudwatch_event_rule": _event_rule,
    "aws_scheduler_schedule": _scheduler,
    "aws_api_gateway_integration": _api_integration,
    "aws_api_gateway_authorizer": _api_authorizer,
    "aws_apigatewayv2_integration": _apiv2_integration,
    "aws_apigatewayv2_authorizer": _api_authorizer,
    "aws_apigatewayv2_api": _api_body,
    "aws_api_gateway_rest_api": _api_body,
    "aws_pipes_pipe": _pipe,
    "aws_cloudwatch_log_subscription_filter": _log_subscription,
    "aws_cognito_user_pool": _cognito_user_pool,
    "aws_iot_topic_rule": _iot_rule,
    "aws_lb_target_group_attachment": _target_group_attachment,
    "aws_vpclattice_target_group_attachment": _lattice_attachment,
    "aws_lambda_function_url": _function_url,
    "aws_appsync_datasource": _appsync_data_source,
    "aws_ses_receipt_rule": _ses_receipt_rule,
    "aws_sfn_state_machine": _state_machine,
    "aws_lambda_function": _lambda_function,
    "aws_lambda_function_event_invoke_config": _event_invoke_config,
}

WIRED_TYPES = frozenset(_WIRING) | {"aws_lambda_permission"}
