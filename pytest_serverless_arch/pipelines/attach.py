"""Hand the pipelines' deploy-time inputs to the loaded units, and the pipelines to the graph.

- :func:`unit_parameter_values`: ``serverless_arch_params`` entries for one
  CloudFormation/SAM unit (``unit:Key=Value`` for that unit, ``Key=Value`` for all);
- :func:`unsupplied_parameters`: a note for each template parameter without
  ``Default`` that nothing supplies (its references cannot resolve);
- :func:`attach_deployments`: every unit records the deployments that deploy it;
- :func:`deployed_pipelines`: each pipeline with the unit names it deploys, in deploy order.

>>> unit_parameter_values(LoadConfig(params={"app:QueueArn": "q", "Stage": "prod"}),
...                       {"Parameters": {"QueueArn": {}, "Stage": {}}}, "app", "app/template.yaml")
{'Stage': 'prod', 'QueueArn': 'q'}
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from ..config import LoadConfig
from ..graph import DeployedPipeline
from ..model import LoadedUnit, Location, Note
from .inputs import BoundDeployment, DeployPlan, UnitInputs
from .model import PipelineScan

__all__ = [
    "DEPLOYMENTS",
    "DEPLOY_TIME_REFS",
    "STACK_NAMES",
    "attach_deployments",
    "deployed_pipelines",
    "ssm_typed_names",
    "unit_parameter_values",
    "unsupplied_parameters",
]

DEPLOYMENTS = "deployments"  # LoadedUnit.extra key: the unit's UnitInputs
DEPLOY_TIME_REFS = "deploy_time_refs"  # LoadedUnit.extra key: [(parameter, ForeignRef, Location)]
STACK_NAMES = "stack_names"  # LoadedUnit.extra key: every stack name the pipelines deploy it as


def _declared(document: Any) -> Mapping[str, Any]:
    parameters = document.get("Parameters") if isinstance(document, Mapping) else None
    return parameters if isinstance(parameters, Mapping) else {}


def unit_parameter_values(config: LoadConfig, document: Any, unit: str, path: str) -> dict[str, str]:
    """The option values for the template parameters of unit ``unit`` (also matched by its ``path``).

    A ``unit:Key`` entry wins over a plain ``Key`` entry; a plain entry applies only where a
    template declares that parameter (serverless ``${param:..}`` values share the option).
    """
    declared = {str(name) for name in _declared(document)}
    values: dict[str, str] = {}
    scoped: dict[str, str] = {}
    for key, value in config.params.items():
        owner, separator, name = key.rpartition(":")
        if not separator:
            if key in declared:
                values[key] = value
        elif owner in (unit, path):
            scoped[name] = value
    values.update(scoped)
    return values


def ssm_typed_names(document: Any) -> list[str]:
    """The template's ``AWS::SSM::Parameter::Value<..>`` parameters."""
    return [
        str(name)
        for name, spec in _declared(document).items()
        if isinstance(spec, Mapping) and str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value")
    ]


def unsupplied_parameters(document: Any, path: str, supplied: Collection[str]) -> list[Note]:
    """A note at each parameter that has no ``Default`` and no value from a pipeline, samconfig or the options."""
    parameters = _declared(document)
    lines = getattr(parameters, "key_lines", {})
    notes = []
    for name, spec in parameters.items():
        if not isinstance(spec, Mapping) or "Default" in spec or str(name) in supplied:
            continue
        notes.append(
            Note(
                Location(path, lines.get(name, 0)),
                f"parameter {name} has no Default and no pipeline, samconfig or serverless_arch_params value "
                "supplies one; what it names stays unresolved",
            )
        )
    return notes


def _inputs_of(unit: LoadedUnit, plan: DeployPlan, config: LoadConfig) -> UnitInputs | None:
    found = unit.extra.get(DEPLOYMENTS)
    if isinstance(found, UnitInputs):
        return found
    if unit.format == "cdk":
        return plan.inputs_for(f"cdk:{unit.name}", config.stage) or plan.inputs_for("cdk:*", config.stage)
    return plan.inputs_for(unit.path, config.stage)


def attach_deployments(units: Iterable[LoadedUnit], plan: DeployPlan, config: LoadConfig) -> None:
    """Record on each unit its deployments, the stack names they use and the values they read at deploy time."""
    for unit in units:
        inputs = _inputs_of(unit, plan, config)
        if inputs is None:
            continue
        unit.extra[DEPLOYMENTS] = inputs
        unit.extra[STACK_NAMES] = inputs.stack_names
        if unit.format in ("sam", "cloudformation"):
            unit.extra[DEPLOY_TIME_REFS] = inputs.deploy_time_refs


def deployed_pipelines(scan: PipelineScan, units: Sequence[LoadedUnit]) -> list[DeployedPipeline]:
    """Every pipeline of ``scan`` with the units it deploys, in the order of its deploy commands."""
    deployed_by: dict[BoundDeployment, list[str]] = {}
    for unit in units:
        inputs = unit.extra.get(DEPLOYMENTS)
        if isinstance(inputs, UnitInputs):
            for bound in inputs.deployments:
                deployed_by.setdefault(bound, []).append(unit.name)
    found = []
    for pipeline in scan.pipelines:
        names: list[str] = []
        locations: list[tuple[str, Location]] = []
        for deployment in pipeline.deployments:
            for name in deployed_by.get(BoundDeployment(pipeline.name, deployment), ()):
                if name not in names:
                    names.append(name)
                    locations.append((name, deployment.location))
        found.append(
            DeployedPipeline(
                pipeline.name,
                pipeline.system,
                pipeline.location,
                tuple(names),
                tuple(pipeline.after),
                tuple(pipeline.paths),
                tuple(locations),
            )
        )
    return found
