"""Deploy-time inputs: which unit each pipeline deployment deploys, and what it gives that unit.

A :class:`~.model.Deployment` names what it deploys by template path
(``sam deploy -t``, ``aws cloudformation deploy --template-file``), by working
directory (a bare ``sam deploy``, ``serverless deploy``, ``terraform apply``)
or by stack id (``cdk deploy``). :func:`plan_deployments` binds each one to
the discovered file that holds its unit, keeping every deployment of a unit
in pipeline order (``int`` then ``live``); :meth:`DeployPlan.inputs_for`
picks the one the configured stage names, else the first.

The chosen deployment gives the unit its stack name and parameter values; a
value read at deploy time from another stack's output or from SSM becomes the
text ``${cf:stack.Output}`` / ``${ssm:name}``, which the linker resolves like
the Serverless Framework's own variables.

>>> from pytest_serverless_arch.model import Location
>>> from pytest_serverless_arch.pipelines.model import Deployment, ParameterValue
>>> deployment = Deployment("sam", Location("ci.yml", 9), template="app/template.yaml", stack_name="shop-app",
...                         parameters=(("QueueArn", ParameterValue("arn:aws:sqs:us-east-1:1:q", Location("ci.yml", 9))),))
>>> inputs = UnitInputs((BoundDeployment("deploy", deployment),))
>>> inputs.stack_name, dict(inputs.parameter_values)
('shop-app', {'QueueArn': 'arn:aws:sqs:us-east-1:1:q'})
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..model import ForeignRef, Location, Note
from .model import Deployment, DeployTimeRef, ParameterValue, PipelineScan

__all__ = ["BoundDeployment", "DeployPlan", "UnitInputs", "deploy_time_text", "plan_deployments"]

_TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
_SERVERLESS_NAMES = ("serverless.yml", "serverless.yaml", "serverless.ts", "serverless.js", "serverless.json")
_TEMPLATE_TOOLS = ("sam", "cloudformation", "rain")
_STAGE_WORDS = re.compile(r"[-_./:]")


@dataclass(frozen=True)
class BoundDeployment:
    """A deployment and the name of the pipeline that runs it."""

    pipeline: str
    deployment: Deployment


@dataclass(frozen=True)
class UnitInputs:
    """Every deployment of one unit, in pipeline order, and the one whose inputs the unit takes."""

    deployments: tuple[BoundDeployment, ...]
    chosen_index: int = 0

    @property
    def chosen(self) -> Deployment:
        return self.deployments[self.chosen_index].deployment

    @property
    def stack_name(self) -> str | None:
        """The chosen deployment's stack name, unless it is only known when the pipeline runs (a matrix value)."""
        return _known_stack_name(self.chosen)

    @property
    def stack_names(self) -> tuple[str, ...]:
        """Every stack name this unit is deployed as (``${cf:..}`` of any of them names this unit)."""
        names = (_known_stack_name(bound.deployment) for bound in self.deployments)
        return tuple(dict.fromkeys(name for name in names if name))

    @property
    def pipelines(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(bound.pipeline for bound in self.deployments))

    @property
    def parameter_values(self) -> dict[str, str]:
        """The chosen deployment's parameter overrides as template parameter values.

        A value only known when the pipeline runs (a secret, a matrix value) gives none:
        the parameter keeps its ``Default``, or stays unresolved.
        """
        return {
            name: deploy_time_text(value)
            for name, value in self.chosen.parameters
            if value.resolved or value.from_ref is not None
        }

    @property
    def supplied(self) -> tuple[str, ...]:
        """Every parameter the chosen deployment passes, known or not."""
        return tuple(name for name, _ in self.chosen.parameters)

    @property
    def deploy_time_refs(self) -> list[tuple[str, ForeignRef, Location]]:
        """``(parameter, reference, location of the read)`` for each value the chosen deployment reads at deploy time."""
        found = []
        for name, value in self.chosen.parameters:
            ref = _foreign(value.from_ref)
            if ref is not None and value.from_ref is not None:
                found.append((name, ref, value.from_ref.location))
        return found


def _known_stack_name(deployment: Deployment) -> str | None:
    if "stack_name" in deployment.unresolved:
        return None
    return deployment.stack_name


def deploy_time_text(value: ParameterValue) -> str:
    """A parameter value as the template reader sees it: deploy-time reads become ``${cf:..}``/``${ssm:..}``.

    >>> from pytest_serverless_arch.pipelines.model import DeployTimeRef
    >>> ref = DeployTimeRef("stack_output", "shop-infra/QueueArn", Location("ci.yml", 4))
    >>> deploy_time_text(ParameterValue("$QUEUE_ARN", Location("ci.yml", 9), False, ref))
    '${cf:shop-infra.QueueArn}'
    """
    ref = value.from_ref
    if ref is not None and ref.how == "stack_output" and "/" in ref.key:
        stack, _, output = ref.key.rpartition("/")
        return f"${{cf:{stack}.{output}}}"
    if ref is not None and ref.how == "ssm":
        return f"${{ssm:{ref.key}}}"
    return value.value


def _foreign(ref: DeployTimeRef | None) -> ForeignRef | None:
    if ref is None or not ref.key:
        return None
    return ForeignRef(ref.how, ref.key)


@dataclass(frozen=True)
class DeployPlan:
    """Which discovered file each deployment deploys; keys are candidate paths (or ``cdk:<stack id>``)."""

    by_path: Mapping[str, tuple[BoundDeployment, ...]] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()

    def inputs_for(self, key: str, stage: str | None = None) -> UnitInputs | None:
        """The deployments of the unit at ``key``; ``stage`` picks by stack name, job environment or stage."""
        bound = self.by_path.get(key)
        if not bound:
            return None
        return UnitInputs(bound, _pick(bound, stage))


def _pick(bound: Sequence[BoundDeployment], stage: str | None) -> int:
    """The first deployment ``stage`` names exactly, else one whose stack name holds it as a word, else 0."""
    if not stage:
        return 0
    for index, each in enumerate(bound):
        deployment = each.deployment
        if stage in (deployment.environment, deployment.stage, deployment.stack_name):
            return index
    for index, each in enumerate(bound):
        if stage in _STAGE_WORDS.split(each.deployment.stack_name or ""):
            return index
    return 0


@dataclass(frozen=True)
class _Target:
    """A discovered file a deployment may name."""

    relpath: str
    format: str


def plan_deployments(
    scan: PipelineScan,
    targets: Iterable[tuple[str, str]],
    samconfig_templates: Mapping[str, str | None] | None = None,
    compose_services: Mapping[str, Sequence[str]] | None = None,
) -> DeployPlan:
    """Bind every deployment of ``scan`` to one of ``targets`` (``(relpath, format)`` of discovered units).

    ``samconfig_templates`` maps a directory to the ``template_file`` its samconfig
    names (None when it names none); ``compose_services`` maps a compose
    project's directory to its services' serverless files, in compose order.
    A deployment that names nothing found is a note at its line.
    """
    files = [_Target(relpath, format_name) for relpath, format_name in targets]
    by_path: dict[str, list[BoundDeployment]] = {}
    notes: list[Note] = []
    for pipeline in scan.pipelines:
        for deployment in pipeline.deployments:
            keys = _targets_of(deployment, files, samconfig_templates or {}, compose_services or {})
            if not keys:
                notes.append(Note(deployment.location, f"{_describe(deployment)}: {_missing(deployment)}"))
                continue
            for key in keys:
                entries = by_path.setdefault(key, [])
                bound = BoundDeployment(pipeline.name, deployment)
                if bound not in entries:
                    entries.append(bound)
    return DeployPlan({key: tuple(value) for key, value in by_path.items()}, tuple(notes))


def _targets_of(
    deployment: Deployment,
    files: Sequence[_Target],
    samconfig_templates: Mapping[str, str | None],
    compose_services: Mapping[str, Sequence[str]],
) -> list[str]:
    directory = _normal(deployment.working_directory)
    if deployment.tool in _TEMPLATE_TOOLS:
        templates = [file for file in files if file.format in ("sam", "cloudformation")]
        if deployment.template:
            wanted = _normal(deployment.template)
            return [file.relpath for file in templates if file.relpath == wanted]
        if deployment.tool != "sam":
            return []
        in_directory = [file.relpath for file in templates if _parent(file.relpath) == directory]
        named = samconfig_templates.get(directory)
        if named:
            wanted = _normal(posixpath.join(directory, named))
            return [path for path in in_directory if path == wanted]
        for name in _TEMPLATE_NAMES:
            if _normal(posixpath.join(directory, name)) in in_directory:
                return [_normal(posixpath.join(directory, name))]
        return in_directory if len(in_directory) == 1 else []
    if deployment.tool == "serverless":
        if deployment.config_file:
            wanted = _normal(deployment.config_file)
            return [file.relpath for file in files if file.format == "serverless" and file.relpath == wanted]
        if deployment.all_stacks and directory in compose_services:
            return list(compose_services[directory])
        for name in _SERVERLESS_NAMES:
            wanted = _normal(posixpath.join(directory, name))
            if any(file.relpath == wanted and file.format == "serverless" for file in files):
                return [wanted]
        return []
    if deployment.tool == "terraform":
        return [file.relpath for file in files if file.format == "terraform" and file.relpath == directory]
    if deployment.tool == "cdk":
        if deployment.all_stacks:
            return ["cdk:*"]
        return [f"cdk:{deployment.stack_name}"] if deployment.stack_name else []
    return []


def _normal(path: str) -> str:
    normal = posixpath.normpath(path.replace("\\", "/"))
    return "." if normal in ("", ".") else normal.removeprefix("./")


def _parent(relpath: str) -> str:
    """The folder of a relative path, as ``pathlib`` reads it (``.`` for the root).

    >>> _parent("svc/orders/template.yaml"), _parent("template.yaml"), _parent("./svc//t.yaml")
    ('svc/orders', '.', 'svc')
    """
    if "//" in relpath or relpath.startswith((".", "/")) or "/." in relpath or relpath.endswith("/"):
        parent = PurePosixPath(relpath).parent.as_posix()  # not a plain path: pathlib's reading of it
    else:
        parent = posixpath.dirname(relpath)  # a discovered file's path: the same, five times faster
    return "." if parent in ("", ".") else parent


def _describe(deployment: Deployment) -> str:
    command = {
        "sam": "sam deploy",
        "cloudformation": "aws cloudformation deploy",
        "serverless": "serverless deploy",
        "terraform": "terraform apply",
        "cdk": "cdk deploy",
        "rain": "rain deploy",
    }[deployment.tool]
    what = deployment.template or deployment.config_file or deployment.stack_name or deployment.working_directory
    return f"{command} {what}"


def _missing(deployment: Deployment) -> str:
    if deployment.tool in _TEMPLATE_TOOLS and deployment.template:
        return "no template was found at that path; its inputs are not used"
    if deployment.tool == "cdk":
        return "no CDK stack of that id was found in cdk.out; its inputs are not used"
    return f"no unit was found in {deployment.working_directory!r} for this command; its inputs are not used"
