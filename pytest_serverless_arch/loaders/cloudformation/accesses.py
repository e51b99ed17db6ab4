"""What functions (and state machines) reach: IAM statements, environment variables, destinations.

Shared by every reader: the CloudFormation and SAM readers, ``serverless.yml``
(``provider.iam``, ``environment``, ``destinations``) and Terraform (its policy
documents use the same action verbs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ...model import Endpoint, ForeignRef
from ...parse import item_line, key_line, line_of
from ..deploy_time import VariableText, serverless_reference
from .intrinsics import SUB_VARIABLE, condition_alternatives, is_mapping, resolve_string, sub_parts, symbolic_string, target_of
from .kinds import kind_from_arn
from .template import SSM_RESOLVE, TemplateReader

__all__ = [
    "access_mode",
    "access_targets",
    "add_access",
    "destinations",
    "foreign_targets",
    "function_accesses",
    "is_wildcard",
    "kind_of_actions",
    "on_failure_destination",
    "policy_accesses",
    "role_accesses",
]


# Actions whose verb only reads; everything else counts as a write.
_READ_VERBS = (
    "Get",
    "List",
    "Describe",
    "Query",
    "Scan",
    "BatchGet",
    "Receive",
    "Select",
    "Read",
    "Head",
    "Lookup",
    "Search",
    "Subscribe",
    "ChangeMessageVisibility",
    "Poll",
)


def on_failure_destination(reader: TemplateReader, function: Any, config: Any, line: int) -> None:
    """A poll-based source's ``DestinationConfig.OnFailure``: the function writes there."""
    if not isinstance(config, Mapping):
        return
    on_failure = config.get("OnFailure")
    if isinstance(on_failure, Mapping):
        target = reader.endpoint(on_failure.get("Destination"))
        if target is not None:
            reader.edge("accesses", function, target, line_of(on_failure, line), "write")


def destinations(reader: TemplateReader, function: Any, config: Any, line: int) -> None:
    """``OnSuccess``/``OnFailure`` destinations: a function is invoked, anything else written to."""
    if not isinstance(config, Mapping):
        return
    for key in ("OnSuccess", "OnFailure"):
        entry = config.get(key)
        if not isinstance(entry, Mapping):
            continue
        entry_line = key_line(config, key, line)
        for value in condition_alternatives(entry.get("Destination")):
            target = reader.endpoint(value)  # an ARN: only a Lambda ARN (or a local function) is invoked
            if target is None:
                continue
            is_function = (reader.kind(target) if isinstance(target, str) else target.kind_hint) == "function"
            if is_function:
                reader.edge("invokes", function, reader.function_endpoint(value) or target, entry_line, f"destination {key}")
            else:
                reader.edge("accesses", function, target, entry_line, "write")


def function_accesses(reader: TemplateReader, function: str, properties: Mapping[str, Any], line: int) -> None:
    """Environment variables that name a resource are accesses of it (of a function: it is invoked)."""
    environment = properties.get("Environment")
    variables = environment.get("Variables") if isinstance(environment, Mapping) else None
    if not isinstance(variables, Mapping):
        return
    lines = getattr(variables, "key_lines", {})
    for key, value in variables.items():
        value_line = lines.get(key, line)
        found = False
        for owner, _ in reader.references(value, value_line):
            if owner != function and reader.kind(owner) not in (None, "other"):
                kind = "invokes" if reader.kind(owner) == "function" else "accesses"
                reader.edge(kind, function, owner, value_line, f"environment {key}")
                found = True
        if found:
            continue
        for ref in foreign_targets(reader, value):
            reader.edge("accesses", function, ref, value_line, f"environment {key}")
            found = True
        if found:
            continue
        text = reader.resolve(value)
        endpoint = reader.endpoint_of_text(text) if text is not None and text.startswith("arn:") else None
        if endpoint is not None:
            reader.edge("accesses", function, endpoint, value_line, f"environment {key}")


def role_accesses(reader: TemplateReader) -> None:
    """IAM statements of a function's role: accesses (and invokes for lambda:InvokeFunction)."""
    statements_by_role: dict[str, list[tuple[Any, int]]] = {}
    for logical_id, spec in reader.resources.items():
        if not is_mapping(spec):
            continue
        type_name = spec.get("Type")
        properties = spec.get("Properties")
        if not is_mapping(properties):
            continue
        if type_name == "AWS::IAM::Role":
            policies = properties.get("Policies")
            if isinstance(policies, list):
                for policy in policies:
                    if isinstance(policy, Mapping):
                        statements_by_role.setdefault(str(logical_id), []).append((policy.get("PolicyDocument"), line_of(policy)))
            for arn in properties.get("ManagedPolicyArns") or []:
                managed = reader.local_target(arn) if not isinstance(arn, str) else None
                if managed:
                    statements_by_role.setdefault(str(logical_id), []).append(
                        (reader.properties_of(managed).get("PolicyDocument"), line_of(arn))
                    )
        elif type_name in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"):
            roles = properties.get("Roles") or ([properties["RoleName"]] if "RoleName" in properties else [])
            for role in roles if isinstance(roles, list) else []:
                role_id = reader.local_target(role)
                if role_id is None and isinstance(role, str):
                    role_id = role if role in reader.resources else None
                if role_id is not None:
                    statements_by_role.setdefault(role_id, []).append((properties.get("PolicyDocument"), line_of(properties)))
    if not statements_by_role:
        return
    # Functions act through ``Role``, state machines through ``RoleArn`` (SAM: ``Role`` too).
    for record in [r for r in reader.records.values() if r.kind in ("function", "state_machine") and not r.implicit]:
        properties = record.properties if isinstance(record.properties, Mapping) else {}
        role = target_of(properties.get("Role", properties.get("RoleArn")))
        if role in statements_by_role:
            for document, line in statements_by_role[role]:
                policy_accesses(reader, record.logical_id, document, line)


def policy_accesses(reader: TemplateReader, function: str, document: Any, line: int) -> None:
    """Accesses (and invokes) from one IAM policy document of ``function``."""
    if not isinstance(document, Mapping):
        return
    statements = document.get("Statement")
    statements = [statements] if isinstance(statements, Mapping) else statements
    if not isinstance(statements, list):
        return
    for statement in statements:
        if not isinstance(statement, Mapping) or statement.get("Effect", "Allow") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        actions = [a for a in actions if isinstance(a, str)] if isinstance(actions, list) else []
        resources = statement.get("Resource", [])
        resources = resources if isinstance(resources, list) else [resources]
        statement_line = line_of(statement, line)
        mode = access_mode(actions)
        written = statement.get("Resource")
        for index, value in enumerate(resources):
            value_line = (
                item_line(written, index, statement_line)
                if isinstance(written, list)
                else key_line(statement, "Resource", statement_line)
            )
            add_access(reader, function, value, value_line, mode, actions)


def add_access(
    reader: TemplateReader,
    function: str,
    value: Any,
    line: int,
    mode: str,
    actions: list[str] | None = None,
    *,
    invokes: bool | None = None,
    kind_hint: str | None = None,
) -> None:
    """One policy resource entry: a local node, or a foreign ARN/import/ssm reference.

    ``invokes`` says whether a function target is called (``lambda:InvokeFunction``);
    by default it is read from ``actions``. ``kind_hint`` is the kind of what the
    entry names when the entry alone cannot say (by default, from the actions' service).
    """
    if invokes is None:
        invokes = bool(actions) and all(a.lower().startswith("lambda:invoke") for a in actions or [])
    elif not invokes:
        actions = actions or ["*"]
    hint = kind_hint if kind_hint is not None else kind_of_actions(actions or [])
    for target in access_targets(reader, function, value, line, hint):
        if target == function:
            continue
        kind = reader.kind(target) if isinstance(target, str) else target.kind_hint
        if isinstance(target, str) and kind == "other":
            continue
        if kind == "function" and (invokes or not actions):
            reader.edge("invokes", function, target, line, "IAM lambda:InvokeFunction")
        else:
            reader.edge("accesses", function, target, line, mode)


def access_targets(reader: TemplateReader, function: str, value: Any, line: int, kind_hint: str = "other") -> list[Endpoint]:
    """What one policy ``Resource`` entry names, local or not, so nothing it grants is dropped.

    In order: resources of this unit it refers to; else the other units' values it
    reads (:func:`foreign_targets`); else the ARN it resolves to; else, when it
    cannot be resolved offline, an external node, with a note at ``line``. A
    wildcard (``*``, ``arn:aws:s3:::*``) names no one resource; each branch of an
    ``Fn::If`` is read on its own.
    """
    alternatives = condition_alternatives(value)
    if alternatives != [value]:
        found = [t for alternative in alternatives for t in access_targets(reader, function, alternative, line, kind_hint)]
        return list(dict.fromkeys(found))
    local = list(dict.fromkeys(owner for owner, _ in reader.references(value, line)))
    if local:
        return list(local)
    foreign = foreign_targets(reader, value, kind_hint)
    if foreign:
        return list(foreign)
    if isinstance(value, VariableText) and value.unresolved:  # a serverless variable, noted where it is written
        return [ForeignRef("external", f"unresolved {value}", kind_hint)]
    text = reader.resolve(value)
    if text is None:
        if is_wildcard(symbolic_string(value, reader.parameter_values)):
            return []
        endpoint = reader.endpoint(value, kind_hint)
        if endpoint is not None:
            what = endpoint.key if isinstance(endpoint, ForeignRef) else str(endpoint)
            reader.note(line, f"{function}: the resource this policy names cannot be resolved offline ({what}); kept as external")
            return [endpoint]
        return []
    text = text.strip()
    written = serverless_reference(text, kind_hint)  # a deploy-time value read by the pipeline
    if written is not None:
        return [written]
    if text.startswith("arn:") and not is_wildcard(text):
        endpoint = reader.endpoint_of_text(text, kind_hint)
        return [endpoint] if endpoint is not None else []
    return []


def is_wildcard(text: str) -> bool:
    """``*``, or an ARN whose resource part is only a wildcard (``arn:aws:logs:*:*:*``)."""
    return text.strip() == "*" or text.split(":")[-1].startswith("*")


def foreign_targets(reader: TemplateReader, value: Any, kind_hint: str = "other") -> list[ForeignRef]:
    """Other units' values named anywhere inside ``value``, in the order written.

    ``Fn::ImportValue`` and ``Fn::GetStackOutput`` (also inside ``Fn::Sub`` variables
    and ``Fn::Join``), SSM values (``{{resolve:ssm:..}}``, ``AWS::SSM::Parameter::Value``
    parameters by ``Ref`` or ``${Name}``) and serverless placeholders (``${cf:..}``,
    ``${ssm:..}``): each becomes the :class:`~...model.ForeignRef` the linker resolves,
    the same for a policy, a policy template and an environment variable.
    """
    found: dict[ForeignRef, None] = {}
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, VariableText):
            for placeholder in node.refs:
                unhinted = placeholder.kind_hint == "other"
                found.setdefault(dataclasses.replace(placeholder, kind_hint=kind_hint) if unhinted else placeholder)
        elif isinstance(node, str):
            for name in _ssm_names(node):
                found.setdefault(ForeignRef("ssm", name, kind_hint))
        elif isinstance(node, Mapping):
            ref = _foreign_value(reader, node, kind_hint) if len(node) == 1 else None
            if ref is not None:
                found.setdefault(ref)
                continue
            if len(node) == 1 and "Fn::Sub" in node:
                parts = sub_parts(node["Fn::Sub"])
                if parts is not None:
                    template, variables = parts
                    for name in _ssm_names(template):
                        found.setdefault(ForeignRef("ssm", name, kind_hint))
                    for match in SUB_VARIABLE.finditer(template):
                        name = match.group(1).strip()
                        ssm = None if name in variables else _ssm_parameter_value(reader, name)
                        if ssm is not None:
                            found.setdefault(ForeignRef("ssm", ssm, kind_hint))
                    stack.extend(reversed(list(variables.values())))
                    continue
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return list(found)


def _foreign_value(reader: TemplateReader, node: Mapping[str, Any], kind_hint: str) -> ForeignRef | None:
    """The other unit's value one intrinsic reads, if it reads one."""
    ((key, inner),) = node.items()
    if key == "Fn::ImportValue":
        # an unresolved part stays ``${Name}``: an export named the same way matches it symbolically
        return ForeignRef("import", symbolic_string(inner, reader.parameter_values), kind_hint)
    if key == "Fn::GetStackOutput":
        endpoint = reader.endpoint(node, kind_hint)
        return endpoint if isinstance(endpoint, ForeignRef) and endpoint.how == "stack_output" else None
    if key == "Ref" and isinstance(inner, str):
        ssm = _ssm_parameter_value(reader, inner)
        return ForeignRef("ssm", ssm, kind_hint) if ssm is not None else None
    return None


def _ssm_parameter_value(reader: TemplateReader, parameter: str) -> str | None:
    """The SSM name an ``AWS::SSM::Parameter::Value<..>`` template parameter reads."""
    if not reader.parameter_types.get(parameter, "").startswith("AWS::SSM::Parameter::Value"):
        return None
    return resolve_string(reader.parameter_values.get(parameter), None) or None


def _ssm_names(text: str) -> list[str]:
    return [match.group(1) for match in SSM_RESOLVE.finditer(text) if "${" not in match.group(1)]


def kind_of_actions(actions: list[str]) -> str:
    """The kind of resource a statement's actions act on, when they all name one service.

    >>> kind_of_actions(["dynamodb:GetItem", "dynamodb:Query"])
    'table'
    >>> kind_of_actions(["events:PutEvents"]), kind_of_actions(["s3:GetObject", "sqs:SendMessage"])
    ('event_bus', 'other')
    """
    services = {action.split(":", 1)[0].lower() for action in actions if ":" in action}
    if len(services) != 1:
        return "other"
    (service,) = services
    if service == "events":
        return "event_bus"  # PutEvents is the one call a function makes on EventBridge
    return kind_from_arn(f"arn:aws:{service}:::")


def access_mode(actions: list[str]) -> str:
    """``read``, ``write`` or ``readwrite`` from a statement's actions."""
    modes: set[str] = set()
    for action in actions:
        verb = action.split(":", 1)[-1]
        if verb in ("*", ""):
            modes.update(("read", "write"))
        elif verb.startswith(_READ_VERBS):
            modes.add("read")
        else:
            modes.add("write")
    if modes == {"read"}:
        return "read"
    if modes == {"write"}:
        return "write"
    return "readwrite"
