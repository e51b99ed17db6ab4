"""GitHub Actions: each workflow in ``.github/workflows/`` is a pipeline.

A workflow is named by its ``name:`` (else the file stem). Its jobs run in
``needs:`` order (file order between independent jobs); each step's ``run:``
script is read with the working directory from ``defaults.run.working-directory``
(workflow, then job) and the step's ``working-directory``, and the variables
of ``env:`` at workflow, job and step level. ``on.workflow_run.workflows``
orders the workflow after others; ``on.push.paths`` says what starts it.
A job that ``uses: ./.github/workflows/x.yml`` is read with its ``with:``
inputs. The ``aws-actions/aws-cloudformation-github-deploy`` and
``serverless/github-action`` actions are deploy commands too.

``${{ secrets.* }}``, ``${{ vars.* }}``, ``${{ matrix.* }}`` and every other
context only known at run time stay unresolved: their text is kept, their
values are never looked up.

Example::

    name: deploy
    on: {push: {paths: ["app/**"]}}
    jobs:
      app:
        runs-on: ubuntu-latest
        steps:
          - run: sam deploy -t app/template.yaml --stack-name shop-app

is ``Pipeline(name="deploy", system="github-actions", paths=("app/**",), deployments=(Deployment(tool="sam", ...),))``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..files import is_dir, is_file, list_dir
from ..model import Location
from ..parse import key_line
from .commands import Arg, Site, _overrides
from .model import Deployment, Pipeline
from .source import join_path, read_document
from .values import Expanded, Value, protect, restore, restore_expanded
from .walk import Frame, PipelineState, run_script
from .yaml_lines import script_source

__all__ = ["only_called", "read_workflow", "workflow_files"]

_CFN_DEPLOY_ACTION = "aws-actions/aws-cloudformation-github-deploy"
_SERVERLESS_ACTION = "serverless/github-action"
_STRING = re.compile(r"""^'((?:[^']|'')*)'$""")


def workflow_files(root: Path) -> list[str]:
    directory = root / ".github" / "workflows"
    if not is_dir(directory, root):
        return []
    return sorted(
        f".github/workflows/{name}"
        for name in list_dir(directory, root)
        if Path(name).suffix in (".yml", ".yaml") and is_file(directory / name, root)
    )


class _Context:
    """Evaluates ``${{ ... }}`` as far as it is known offline.

    ``outputs`` holds ``steps.<id>.outputs.<name>`` and ``needs.<job>.outputs.<name>``
    values that earlier steps wrote to ``$GITHUB_OUTPUT`` (and jobs passed on).
    """

    def __init__(self, env: Mapping[str, Value], inputs: Mapping[str, Value], outputs: Mapping[str, Value] | None = None) -> None:
        self.env = env
        self.inputs = inputs
        self.outputs = outputs or {}

    def evaluate(self, expression: str) -> Value:
        expression = expression.strip()
        literal = _STRING.match(expression)
        if literal:
            return Value(literal.group(1).replace("''", "'"))
        for prefix, table in (("env.", self.env), ("inputs.", self.inputs), ("github.event.inputs.", self.inputs)):
            if expression.startswith(prefix) and expression[len(prefix) :] in table:
                return table[expression[len(prefix) :]]
        if expression in self.outputs:
            return self.outputs[expression]
        if expression == "github.workspace":
            return Value(".")
        return Value("${{ " + expression + " }}", False)

    def expanded(self, raw: Any) -> Expanded:
        text, tokens = protect(str(raw), self.evaluate)
        return restore_expanded(text, tokens)

    def value(self, raw: Any) -> Value:
        if isinstance(raw, bool):
            return Value(str(raw).lower())
        if not isinstance(raw, (str, int, float)):
            return Value(str(raw), False)
        text, tokens = protect(str(raw), self.evaluate)
        return restore(text, tokens)


def _env_block(raw: Any, context: _Context, into: dict[str, Value]) -> dict[str, Value]:
    out = dict(into)
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            out[str(key)] = _Context(out, context.inputs).value(value)
    return out


def _working_directory(defaults: Any) -> Any:
    if isinstance(defaults, Mapping) and isinstance(defaults.get("run"), Mapping):
        return defaults["run"].get("working-directory")
    return None


def _job_order(jobs: Mapping[str, Any]) -> list[str]:
    """Jobs in ``needs`` order; independent jobs keep their file order; a cycle keeps file order."""
    names = [str(name) for name in jobs]
    needs: dict[str, list[str]] = {}
    for name in names:
        job = jobs[name]
        raw = job.get("needs") if isinstance(job, Mapping) else None
        needed = [raw] if isinstance(raw, str) else [str(item) for item in raw] if isinstance(raw, list) else []
        needs[name] = [item for item in needed if item in jobs]
    ordered: list[str] = []
    remaining = list(names)
    while remaining:
        ready = [name for name in remaining if all(item in ordered for item in needs[name])]
        if not ready:
            ordered.extend(remaining)
            break
        ordered.append(ready[0])
        remaining.remove(ready[0])
    return ordered


def only_called(root: Path, relpath: str) -> bool:
    """True for a reusable workflow: its only trigger is ``workflow_call``."""
    document, _ = read_document(root, relpath)
    triggers = _triggers(document) if isinstance(document, Mapping) else None
    if isinstance(triggers, Mapping):
        return set(triggers) == {"workflow_call"}
    if isinstance(triggers, list):
        return set(triggers) == {"workflow_call"}
    return triggers == "workflow_call"


def _triggers(document: Mapping[Any, Any]) -> Any:
    # YAML 1.1 reads a bare `on:` key as the boolean True
    return document.get("on", document.get(True))


def read_workflow(root: Path, relpath: str, state: PipelineState | None = None) -> Pipeline | None:
    """The pipeline of one workflow file; None (with a note in ``state``) when it is not readable."""
    own_state = state or PipelineState(root)
    document, file = read_document(root, relpath)
    if document is None:
        own_state.note(Location(relpath, file.line), f"workflow not read: {file.reason}")
        return None
    if not isinstance(document, Mapping) or not isinstance(document.get("jobs"), Mapping):
        own_state.note(Location(relpath, 1), "workflow has no jobs: mapping; not read")
        return None
    own_state.files_read.append(relpath)
    lines = _source_lines(root, relpath)
    name = document.get("name") if isinstance(document.get("name"), str) else Path(relpath).stem
    triggers = _triggers(document)
    after: list[str] = []
    paths: list[str] = []
    if isinstance(triggers, Mapping):
        workflow_run = triggers.get("workflow_run")
        if isinstance(workflow_run, Mapping):
            workflows = workflow_run.get("workflows")
            after.extend([workflows] if isinstance(workflows, str) else [str(item) for item in workflows or []])
        push = triggers.get("push")
        if isinstance(push, Mapping) and isinstance(push.get("paths"), list):
            paths.extend(str(item) for item in push["paths"])
    _read_jobs(root, relpath, document, lines, own_state, inputs={}, chain=(relpath,))
    return Pipeline(
        name=str(name),
        system="github-actions",
        location=Location(relpath, 1),
        deployments=tuple(own_state.deployments),
        after=tuple(after),
        paths=tuple(paths),
        deploy_time_refs=tuple(own_state.refs),
    )


def _source_lines(root: Path, relpath: str) -> list[str]:
    from .source import read_text

    text = read_text(root, relpath).text
    return text.splitlines() if text is not None else []


def _read_jobs(
    root: Path,
    relpath: str,
    document: Mapping[str, Any],
    lines: list[str],
    state: PipelineState,
    inputs: Mapping[str, Value],
    chain: tuple[str, ...],
) -> None:
    jobs = document["jobs"]
    base = _Context({}, inputs)
    workflow_env = _env_block(document.get("env"), base, {})
    workflow_dir = _working_directory(document.get("defaults"))
    outputs: dict[str, Value] = {}  # steps.* of the running job and needs.* of finished jobs
    for job_name in _job_order(jobs):
        job = jobs[job_name]
        if not isinstance(job, Mapping):
            state.note(
                Location(relpath, key_line(jobs, job_name)),
                f"job {job_name} is not a mapping; not read",
            )
            continue
        for key in [key for key in outputs if key.startswith("steps.")]:
            del outputs[key]
        env = _env_block(job.get("env"), _Context(workflow_env, inputs, outputs), workflow_env)
        context = _Context(env, inputs, outputs)
        environment = job.get("environment")
        if isinstance(environment, Mapping):
            environment = environment.get("name")
        environment_text = context.value(environment).text if isinstance(environment, str) else None
        called = job.get("uses")
        if isinstance(called, str):
            _read_called_workflow(root, relpath, job, called, context, state, chain)
            continue
        job_dir = _working_directory(job.get("defaults")) or workflow_dir
        steps = job.get("steps")
        if not isinstance(steps, list):
            continue
        for step in steps:
            if not isinstance(step, Mapping):
                continue
            step_env = _env_block(step.get("env"), context, env)
            step_context = _Context(step_env, inputs, outputs)
            directory = step.get("working-directory") or job_dir
            cwd = "."
            if directory is not None:
                joined = join_path(".", step_context.value(directory).text)
                if joined is None:
                    state.note(
                        Location(relpath, key_line(step, "working-directory")),
                        f"working-directory {directory} leaves the repository",
                    )
                    continue
                cwd = joined
            frame_args = {"job": str(job_name), "environment": environment_text}
            if isinstance(step.get("run"), str):
                source, first = script_source(lines, key_line(step, "run"), step["run"])
                text, tokens = protect(source, step_context.evaluate)
                frame = Frame(relpath, first, cwd, dict(step_env), tokens, **frame_args)  # type: ignore[arg-type]
                state.step_env.clear()
                state.step_outputs.clear()
                run_script(text, frame, state)
                env = {**env, **state.step_env}  # $GITHUB_ENV: the job's later steps see it
                context = _Context(env, inputs, outputs)
                if isinstance(step.get("id"), str):
                    for key, value in state.step_outputs.items():
                        outputs[f"steps.{step['id']}.outputs.{key}"] = value
            elif isinstance(step.get("uses"), str):
                _read_action(relpath, step, step_context, cwd, state, lines, frame_args)
        declared = job.get("outputs")
        if isinstance(declared, Mapping):
            for key, raw in declared.items():
                outputs[f"needs.{job_name}.outputs.{key}"] = context.value(raw)


def _read_action(
    relpath: str,
    step: Mapping[str, Any],
    context: _Context,
    cwd: str,
    state: PipelineState,
    lines: list[str],
    frame_args: Mapping[str, str | None],
) -> None:
    action = str(step["uses"]).split("@", 1)[0]
    given: Any = step.get("with") if isinstance(step.get("with"), Mapping) else {}
    line = key_line(step, "uses")
    if action == _CFN_DEPLOY_ACTION:
        site = Site(state.root, relpath, line, cwd, context.env, frame_args.get("job"), frame_args.get("environment"))
        template = given.get("template")
        template_path = join_path(cwd, context.value(template).text) if isinstance(template, str) else None
        parameters = []
        raw = given.get("parameter-overrides")
        if isinstance(raw, str):
            expanded = context.expanded(raw)
            arg_line = key_line(given, "parameter-overrides")
            offset = 0
            for piece in expanded.text.split(","):  # the action's "K1=V1,K2=V2" form
                args = [Arg(expanded.slice(offset, offset + len(piece)), arg_line)]
                parameters.extend(_overrides(args, site, split_spaces=False))
                offset += len(piece) + 1
        name = given.get("name")
        state.deployments.append(
            Deployment(
                tool="cloudformation",
                location=Location(relpath, line),
                working_directory=cwd,
                template=state.built.get(template_path or "", template_path),
                stack_name=context.value(name).text if isinstance(name, str) else None,
                region=context.env["AWS_REGION"].text if "AWS_REGION" in context.env else None,
                parameters=tuple(parameters),
                job=frame_args.get("job"),
                environment=frame_args.get("environment"),
            )
        )
    elif action == _SERVERLESS_ACTION and isinstance(given.get("args"), str):
        entrypoint = given.get("entrypoint") if isinstance(given.get("entrypoint"), str) else "serverless"
        text, tokens = protect(f"{entrypoint} {given['args']}", context.evaluate)
        frame = Frame(relpath, key_line(given, "args"), cwd, dict(context.env), tokens, **frame_args)  # type: ignore[arg-type]
        run_script(text, frame, state)


def _read_called_workflow(
    root: Path,
    relpath: str,
    job: Mapping[str, Any],
    called: str,
    context: _Context,
    state: PipelineState,
    chain: tuple[str, ...],
) -> None:
    line = key_line(job, "uses")
    if not called.startswith("./"):
        return  # a workflow in another repository: not readable offline
    target = join_path(".", called.split("@", 1)[0])
    if target is None:
        state.note(Location(relpath, line), f"reusable workflow {called} leaves the repository; not read")
        return
    if target in chain:
        state.note(Location(relpath, line), f"reusable workflow {target} calls itself; not followed again")
        return
    document, file = read_document(root, target)
    if document is None or not isinstance(document, Mapping) or not isinstance(document.get("jobs"), Mapping):
        state.note(Location(relpath, line), f"reusable workflow {target} not read: {file.reason or 'no jobs'}")
        return
    if target not in state.files_read:
        state.files_read.append(target)
    inputs: dict[str, Value] = {}
    triggers = _triggers(document)
    call = triggers.get("workflow_call") if isinstance(triggers, Mapping) else None
    declared = call.get("inputs") if isinstance(call, Mapping) else None
    if isinstance(declared, Mapping):
        for key, spec in declared.items():
            if isinstance(spec, Mapping) and "default" in spec:
                inputs[str(key)] = context.value(spec["default"])
    given = job.get("with")
    if isinstance(given, Mapping):
        for key, value in given.items():
            inputs[str(key)] = context.value(value)
    _read_jobs(root, target, document, _source_lines(root, target), state, inputs, (*chain, target))
