"""samstacks manifests: a YAML pipeline of SAM stacks deployed in order.

A manifest (``pipeline_name``, ``pipeline_settings``, ``stacks:``) deploys
each stack's ``dir`` (its ``template.yaml``) as ``<stack_name_prefix><id>``,
in the order written. ``params`` are parameter values; a value
``${{ stacks.X.outputs.K }}`` is the output ``K`` of stack ``X``, read at
deploy time; ``${{ inputs.N }}`` takes the input's literal default; every
other expression stays unresolved. A stack's ``run:`` script is read too.

Example::

    pipeline_name: shop
    stacks:
      - id: storage
        dir: stacks/storage
      - id: app
        dir: stacks/app
        params:
          BucketName: ${{ stacks.storage.outputs.BucketName }}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..model import Location
from ..parse import item_line, key_line
from .model import Deployment, DeployTimeRef, ParameterValue, Pipeline
from .sniff import looks_like_manifest
from .source import join_path, read_document, read_text, repo_exists
from .values import Value, protect, restore
from .walk import Frame, PipelineState, run_script
from .yaml_lines import script_source

__all__ = ["looks_like_manifest", "read_samstacks"]

_OUTPUT = re.compile(r"^\s*stacks\.([\w-]+)\.outputs\.([\w-]+)\s*$")
_INPUT = re.compile(r"^\s*inputs\.([\w-]+)\s*$")


class _Expressions:
    def __init__(self, inputs: Mapping[str, Any], prefix: str, suffix: str, line_of: Location) -> None:
        self.inputs = inputs
        self.prefix = prefix
        self.suffix = suffix
        self.location = line_of

    def evaluate(self, expression: str) -> Value:
        output = _OUTPUT.match(expression)
        if output:
            stack = f"{self.prefix}{output.group(1)}{self.suffix}"
            ref = DeployTimeRef("stack_output", f"{stack}/{output.group(2)}", self.location)
            return Value("${{ " + expression.strip() + " }}", False, ref)
        wanted = _INPUT.match(expression)
        if wanted and isinstance(self.inputs.get(wanted.group(1)), Mapping):
            default = self.inputs[wanted.group(1)].get("default")
            if isinstance(default, (str, int, float, bool)) and "${{" not in str(default):
                return Value(str(default).lower() if isinstance(default, bool) else str(default))
        return Value("${{ " + expression.strip() + " }}", False)

    def value(self, raw: Any, at: Location) -> Value:
        self.location = at
        text, tokens = protect(str(raw).lower() if isinstance(raw, bool) else str(raw), self.evaluate)
        return restore(text, tokens)


def read_samstacks(root: Path, relpath: str, state: PipelineState) -> Pipeline | None:
    document, file = read_document(root, relpath)
    if document is None:
        state.note(Location(relpath, file.line), f"samstacks manifest not read: {file.reason}")
        return None
    if not isinstance(document, Mapping) or not isinstance(document.get("stacks"), list):
        return None
    state.files_read.append(relpath)
    lines = (read_text(root, relpath).text or "").splitlines()
    base = relpath.rsplit("/", 1)[0] if "/" in relpath else "."
    settings: Any = document.get("pipeline_settings") if isinstance(document.get("pipeline_settings"), Mapping) else {}
    inputs: Any = settings.get("inputs") if isinstance(settings.get("inputs"), Mapping) else {}
    plain = _Expressions(inputs, "", "", Location(relpath, 1))
    prefix = plain.value(settings.get("stack_name_prefix", ""), Location(relpath, key_line(settings, "stack_name_prefix")))
    suffix = plain.value(settings.get("stack_name_suffix", ""), Location(relpath, key_line(settings, "stack_name_suffix")))
    region = settings.get("default_region")
    region_value = plain.value(region, Location(relpath, 1)) if isinstance(region, str) else None
    expressions = _Expressions(inputs, prefix.text, suffix.text, Location(relpath, 1))
    stacks = document["stacks"]
    for index, stack in enumerate(stacks):
        if not isinstance(stack, Mapping) or "id" not in stack:
            continue
        line = item_line(stacks, index)
        stack_id = str(stack["id"])
        directory = join_path(base, str(stack.get("dir", stack_id)))
        if directory is None:
            state.note(Location(relpath, line), f"stack {stack_id}: dir is outside the repository; not read")
            continue
        template = next(
            (
                candidate
                for candidate in (f"{directory}/template.yaml", f"{directory}/template.yml")
                if repo_exists(root, candidate)
            ),
            f"{directory}/template.yaml",
        )
        params: Any = stack.get("params") if isinstance(stack.get("params"), Mapping) else {}
        parameters = []
        for key, raw in params.items():
            at = Location(relpath, key_line(params, key))
            value = expressions.value(raw, at)
            parameters.append((str(key), ParameterValue(value.text, at, value.resolved, value.ref)))
            if value.ref is not None and value.ref not in state.refs:
                state.refs.append(value.ref)
        unresolved = [] if prefix.resolved and suffix.resolved else ["stack_name"]
        if region_value is not None and not region_value.resolved:
            unresolved.append("region")
        state.deployments.append(
            Deployment(
                tool="sam",
                location=Location(relpath, line),
                working_directory=directory,
                template=template,
                stack_name=f"{prefix.text}{stack_id}{suffix.text}",
                region=region_value.text if region_value is not None else None,
                parameters=tuple(parameters),
                job=stack_id,
                unresolved=tuple(unresolved),
            )
        )
        script = stack.get("run")
        if isinstance(script, str):
            source, first = script_source(lines, key_line(stack, "run"), script)
            text, tokens = protect(source, expressions.evaluate)
            run_script(text, Frame(relpath, first, directory, {}, tokens, job=stack_id), state)
    name = document.get("pipeline_name")
    return Pipeline(
        name=str(name) if isinstance(name, str) else relpath,
        system="samstacks",
        location=Location(relpath, 1),
        deployments=tuple(state.deployments),
        deploy_time_refs=tuple(state.refs),
    )
