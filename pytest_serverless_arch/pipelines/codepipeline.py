"""AWS CodePipeline pipelines defined in the repository's own templates.

Each ``AWS::CodePipeline::Pipeline`` resource is a pipeline, named by its
``Name`` (else its logical id). Its stages run in order, and inside a stage
its actions by ``RunOrder``:

- a CloudFormation action (``CREATE_UPDATE``, ``REPLACE_ON_FAILURE``,
  ``CHANGE_SET_REPLACE``) deploys ``TemplatePath`` (``Artifact::path``) as
  ``StackName`` with ``ParameterOverrides`` (a JSON object) and
  ``TemplateConfiguration`` (a ``{"Parameters": {...}}`` file);
  ``CHANGE_SET_EXECUTE`` only carries out the change set made before it;
- a CodeBuild action runs its project's buildspec (a file, ``buildspec.yml``
  by default, or written inline) with the project's and the action's
  environment variables; ``PARAMETER_STORE`` variables are SSM reads.

Intrinsic functions are resolved from the template's parameter defaults;
what needs a deploy-time value (``AWS::StackName``, a parameter without
default, ``Fn::GetParam``) stays unresolved.

Example: a stage action ``{Provider: CloudFormation, Configuration:
{ActionMode: CREATE_UPDATE, StackName: shop-app, TemplatePath:
Source::app/template.yaml}}`` gives ``Deployment(tool="cloudformation",
template="app/template.yaml", stack_name="shop-app")``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..model import Location
from ..parse import ParseError, key_line, parse_text
from .buildspec import run_buildspec
from .model import Deployment, DeployTimeRef, ParameterValue, Pipeline
from .sniff import PIPELINE_TYPE
from .source import join_path, read_document, read_text
from .values import Value
from .walk import PipelineState

__all__ = ["PIPELINE_TYPE", "read_codepipelines"]

_DEPLOYING_MODES = {"CREATE_UPDATE", "REPLACE_ON_FAILURE", "CHANGE_SET_REPLACE"}
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


class _Template:
    """Resolves intrinsic functions of one template as far as its parameter defaults allow."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        parameters = document.get("Parameters")
        self.defaults: dict[str, str] = {}
        if isinstance(parameters, Mapping):
            for name, spec in parameters.items():
                if isinstance(spec, Mapping) and isinstance(spec.get("Default"), (str, int, float)):
                    self.defaults[str(name)] = str(spec["Default"])
        resources = document.get("Resources")
        self.resources: Mapping[str, Any] = resources if isinstance(resources, Mapping) else {}

    def value(self, raw: Any) -> Value:
        if isinstance(raw, bool):
            return Value(str(raw).lower())
        if isinstance(raw, (str, int, float)):
            return Value(str(raw))
        if isinstance(raw, Mapping) and len(raw) == 1:
            (function, argument), *_ = raw.items()
            if function == "Ref" and isinstance(argument, str):
                return self.reference(argument)
            if function == "Fn::Sub":
                return self.sub(argument)
            if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
                parts = [self.value(item) for item in argument[1]] if isinstance(argument[1], list) else []
                separator = str(argument[0])
                return Value(separator.join(part.text for part in parts), all(part.resolved for part in parts))
        return Value(json.dumps(raw, default=str) if not isinstance(raw, str) else raw, False)

    def reference(self, name: str) -> Value:
        if name in self.defaults:
            return Value(self.defaults[name])
        return Value("${" + name + "}", False)

    def sub(self, argument: Any) -> Value:
        local: dict[str, Value] = {}
        if isinstance(argument, list) and argument:
            text = argument[0]
            if len(argument) > 1 and isinstance(argument[1], Mapping):
                local = {str(key): self.value(value) for key, value in argument[1].items()}
        else:
            text = argument
        if not isinstance(text, str):
            return Value(str(text), False)
        resolved = True

        def swap(match: re.Match[str]) -> str:
            nonlocal resolved
            name = match.group(1)
            known = local.get(name) or (self.reference(name) if "." not in name else Value(match.group(0), False))
            resolved = resolved and known.resolved
            return known.text

        return Value(_SUB_VARIABLE.sub(swap, text), resolved)


def _artifact_path(value: Value) -> str | None:
    text = value.text
    return text.split("::", 1)[1] if "::" in text else None


def read_codepipelines(root: Path, relpath: str, state: PipelineState) -> list[Pipeline]:
    """Every CodePipeline of one template; buildspecs they run are read into them."""
    document, file = read_document(root, relpath)
    if document is None:
        state.note(Location(relpath, file.line), f"template with a CodePipeline not read: {file.reason}")
        return []
    if not isinstance(document, Mapping):
        return []
    template = _Template(document)
    pipelines: list[Pipeline] = []
    for logical_id, resource in template.resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") != PIPELINE_TYPE:
            continue
        if relpath not in state.files_read:
            state.files_read.append(relpath)
        properties = resource.get("Properties")
        properties = properties if isinstance(properties, Mapping) else {}
        pipeline_state = PipelineState(
            root, built=state.built, plans=state.plans, notes=state.notes, consumed_buildspecs=state.consumed_buildspecs
        )
        name = template.value(properties["Name"]) if "Name" in properties else Value(str(logical_id))
        stages = properties.get("Stages")
        for stage in _branches(stages if isinstance(stages, list) else []):
            actions = stage.get("Actions") if isinstance(stage, Mapping) else None
            if not isinstance(actions, list):
                continue
            ordered = sorted(
                (action for action in _branches(actions) if isinstance(action, Mapping)),
                key=lambda action: int(action.get("RunOrder", 1)) if str(action.get("RunOrder", 1)).isdigit() else 1,
            )
            for action in ordered:
                _read_action(root, relpath, template, stage, action, pipeline_state)
        pipelines.append(
            Pipeline(
                name=name.text if name.resolved else str(logical_id),
                system="codepipeline",
                location=Location(relpath, key_line(template.resources, logical_id)),
                deployments=tuple(pipeline_state.deployments),
                deploy_time_refs=tuple(pipeline_state.refs),
            )
        )
        state.files_read.extend(path for path in pipeline_state.files_read if path not in state.files_read)
    return pipelines


def _branches(items: list[Any]) -> list[Any]:
    """Stages (or actions) with ``Fn::If`` opened: both branches may run, ``AWS::NoValue`` is none."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, Mapping) and len(item) == 1 and isinstance(item.get("Fn::If"), list):
            out.extend(_branches([branch for branch in item["Fn::If"][1:] if isinstance(branch, Mapping)]))
        elif isinstance(item, Mapping) and item.get("Ref") == "AWS::NoValue":
            continue
        else:
            out.append(item)
    return out


def _action_kind(action: Mapping[str, Any]) -> str:
    type_id = action.get("ActionTypeId")
    return str(type_id.get("Provider", "")) if isinstance(type_id, Mapping) else ""


def _read_action(
    root: Path,
    relpath: str,
    template: _Template,
    stage: Mapping[str, Any],
    action: Mapping[str, Any],
    state: PipelineState,
) -> None:
    configuration = action.get("Configuration")
    if not isinstance(configuration, Mapping):
        return
    provider = _action_kind(action)
    line = int(getattr(action, "line", 0) or 0)
    job = f"{template.value(stage.get('Name', '')).text}/{template.value(action.get('Name', '')).text}"
    if provider == "CloudFormation":
        _cloudformation_action(root, relpath, template, configuration, line, job, state)
    elif provider == "CodeBuild":
        _codebuild_action(root, relpath, template, configuration, line, job, state)


def _cloudformation_action(
    root: Path,
    relpath: str,
    template: _Template,
    configuration: Mapping[str, Any],
    line: int,
    job: str,
    state: PipelineState,
) -> None:
    mode = template.value(configuration.get("ActionMode", "")).text
    if mode not in _DEPLOYING_MODES:
        return
    stack = template.value(configuration.get("StackName", ""))
    template_path = _artifact_path(template.value(configuration.get("TemplatePath", "")))
    template_path = join_path(".", template_path) if template_path else None
    parameters: list[tuple[str, ParameterValue]] = []
    config_path = _artifact_path(template.value(configuration.get("TemplateConfiguration", "")))
    if config_path:
        parameters.extend(_configuration_file(root, relpath, config_path, line, state))
    overrides = configuration.get("ParameterOverrides")
    if overrides is not None:
        at = Location(relpath, key_line(configuration, "ParameterOverrides", line))
        parameters.extend(_overrides(template, overrides, at, state))
    unresolved = ("stack_name",) if not stack.resolved else ()
    state.deployments.append(
        Deployment(
            tool="cloudformation",
            location=Location(relpath, line),
            template=state.built.get(template_path, template_path) if template_path else None,
            stack_name=stack.text or None,
            parameters=tuple(parameters),
            job=job,
            unresolved=unresolved,
        )
    )


def _overrides(template: _Template, raw: Any, at: Location, state: PipelineState) -> list[tuple[str, ParameterValue]]:
    """``ParameterOverrides``: a JSON object, as text (often through ``!Sub``) or as a mapping."""
    if isinstance(raw, Mapping) and not (len(raw) == 1 and next(iter(raw)).startswith("Fn::")):
        items = raw
    else:
        text = template.value(raw)
        try:
            items = json.loads(text.text)
        except ValueError:
            state.note(at, "ParameterOverrides is not a JSON object; not read")
            return []
    if not isinstance(items, Mapping):
        state.note(at, "ParameterOverrides is not a JSON object; not read")
        return []
    out = []
    for key, value in items.items():
        resolved = template.value(value) if not isinstance(value, str) else Value(value, "${" not in value)
        if isinstance(value, Mapping) and "Fn::GetParam" in value:
            resolved = Value(json.dumps(value), False)
        out.append((str(key), ParameterValue(resolved.text, at, resolved.resolved)))
    return out


def _configuration_file(root: Path, relpath: str, path: str, line: int, state: PipelineState) -> list[tuple[str, ParameterValue]]:
    target = join_path(".", path)
    if target is None:
        state.note(Location(relpath, line), f"TemplateConfiguration {path} is outside the repository; not read")
        return []
    document, file = read_document(root, target)
    if document is None:
        state.note(Location(relpath, line), f"TemplateConfiguration {target} not read: {file.reason}")
        return []
    if target not in state.files_read:
        state.files_read.append(target)
    parameters = document.get("Parameters") if isinstance(document, Mapping) else None
    if not isinstance(parameters, Mapping):
        state.note(Location(target, 1), 'TemplateConfiguration has no "Parameters" object')
        return []
    return [
        (str(key), ParameterValue(str(value), Location(target, key_line(parameters, key)))) for key, value in parameters.items()
    ]


def _codebuild_action(
    root: Path,
    relpath: str,
    template: _Template,
    configuration: Mapping[str, Any],
    line: int,
    job: str,
    state: PipelineState,
) -> None:
    project_ref = configuration.get("ProjectName")
    project_id = project_ref.get("Ref") if isinstance(project_ref, Mapping) else None
    project = template.resources.get(project_id) if isinstance(project_id, str) else None
    if not isinstance(project, Mapping):
        state.note(Location(relpath, line), "CodeBuild project is not defined in this template; its buildspec is not read")
        return
    properties: Any = project.get("Properties") if isinstance(project.get("Properties"), Mapping) else {}
    env: dict[str, Value] = {}
    environment = properties.get("Environment")
    variables = environment.get("EnvironmentVariables") if isinstance(environment, Mapping) else None
    for item in variables if isinstance(variables, list) else []:
        if isinstance(item, Mapping) and "Name" in item:
            where = Location(relpath, int(getattr(item, "line", line) or line))
            env[str(item["Name"])] = _variable(template, item.get("Value"), str(item.get("Type", "PLAINTEXT")), where, state)
    raw_action_env = configuration.get("EnvironmentVariables")
    if raw_action_env is not None:
        text = template.value(raw_action_env)
        where = Location(relpath, key_line(configuration, "EnvironmentVariables", line))
        try:
            action_env = json.loads(text.text)
        except ValueError:
            state.note(where, "EnvironmentVariables is not a JSON list; not read")
            action_env = []
        for item in action_env if isinstance(action_env, list) else []:
            if isinstance(item, Mapping) and "name" in item:
                env[str(item["name"])] = _variable(template, item.get("value"), str(item.get("type", "PLAINTEXT")), where, state)
    source = properties.get("Source")
    spec = source.get("BuildSpec") if isinstance(source, Mapping) else None
    spec_value = template.value(spec) if spec is not None else Value("buildspec.yml")
    via = (Location(relpath, line),)
    if "\n" in spec_value.text or "phases" in spec_value.text:
        try:
            document = parse_text(spec_value.text)
        except ParseError as error:
            state.note(Location(relpath, key_line(source, "BuildSpec", line)), f"inline buildspec not readable: {error.message}")
            return
        text_start = key_line(source, "BuildSpec", line)
        lines = (read_text(root, relpath).text or "").splitlines()
        from .yaml_lines import block_start

        run_buildspec(
            root, relpath, state, env, job=job, via=via, document=document, line_offset=block_start(lines, text_start) - 1
        )
        return
    target = join_path(".", spec_value.text)
    if target is None or not spec_value.resolved:
        state.note(Location(relpath, line), f"buildspec {spec_value.text} is not a file of the repository; not read")
        return
    state.consumed_buildspecs.add(target)
    run_buildspec(root, target, state, env, job=job, via=via)


def _variable(template: _Template, raw: Any, kind: str, where: Location, state: PipelineState) -> Value:
    value = template.value(raw)
    if kind == "PARAMETER_STORE" and value.resolved:
        ref = DeployTimeRef("ssm", value.text, where)
        if ref not in state.refs:
            state.refs.append(ref)
        return Value(f"${{ssm:{value.text}}}", False, ref)
    if kind == "SECRETS_MANAGER":
        return Value(f"${{secretsmanager:{value.text}}}", False)
    return value
