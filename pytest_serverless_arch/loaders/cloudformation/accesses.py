"""What functions (and state machines) reach: IAM statements, environment variables, destinations.

Shared by every reader: the CloudFormation and SAM readers, ``serverless.yml``
(``provider.iam``, ``environment``, ``destinations``) and Terraform (its policy
documents use the same action verbs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...model import ForeignRef
from ...parse import item_line, key_line, line_of
from .intrinsics import condition_alternatives, target_of
from .template import TemplateReader

__all__ = [
    "access_mode",
    "add_access",
    "destinations",
    "function_accesses",
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
        text = reader.resolve(value)
        endpoint = None
        if text is not None and (text.startswith("arn:") or "{{resolve:ssm" in text):
            endpoint = reader.endpoint_of_text(text)
        elif isinstance(value, Mapping) and ("Fn::ImportValue" in value or "Ref" in value):
            candidate = reader.endpoint(value)
            if isinstance(candidate, ForeignRef) and candidate.how in ("import", "ssm", "stack_output"):
                endpoint = candidate
        if endpoint is not None:
            reader.edge("accesses", function, endpoint, value_line, f"environment {key}")
        for name, ssm_line in reader.ssm_names_in(value):
            if text is None or "{{resolve:ssm" not in text:
                reader.edge("accesses", function, ForeignRef("ssm", name, "parameter"), ssm_line, f"environment {key}")


def role_accesses(reader: TemplateReader) -> None:
    """IAM statements of a function's role: accesses (and invokes for lambda:InvokeFunction)."""
    statements_by_role: dict[str, list[tuple[Any, int]]] = {}
    for logical_id, spec in reader.resources.items():
        if not isinstance(spec, Mapping):
            continue
        type_name = spec.get("Type")
        properties = spec.get("Properties")
        if not isinstance(properties, Mapping):
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
) -> None:
    """One policy resource entry: a local node, or a foreign ARN/import/ssm reference.

    ``invokes`` says whether a function target is called (``lambda:InvokeFunction``);
    by default it is read from ``actions``.
    """
    if invokes is None:
        invokes = bool(actions) and all(a.lower().startswith("lambda:invoke") for a in actions or [])
    elif not invokes:
        actions = actions or ["*"]
    targets: list[Any] = [owner for owner, _ in reader.references(value, line)]
    if not targets:
        text = reader.resolve(value)
        if text and text != "*" and text.startswith("arn:") and "*" not in text.split(":")[-1][:1]:
            targets = [reader.endpoint_of_text(text)]
        elif isinstance(value, Mapping) and "Fn::ImportValue" in value:
            targets = [reader.endpoint(value)]
    for target in targets:
        if target is None or target == function:
            continue
        kind = reader.kind(target) if isinstance(target, str) else target.kind_hint
        if isinstance(target, str) and kind == "other":
            continue
        if kind == "function" and (invokes or not actions):
            reader.edge("invokes", function, target, line, "IAM lambda:InvokeFunction")
        else:
            reader.edge("accesses", function, target, line, mode)


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
