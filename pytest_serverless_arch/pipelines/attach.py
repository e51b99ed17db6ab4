"""Hand the pipelines' deploy-time inputs to the loaded units, and the pipelines to the graph.

- :func:`attach_deployments`: every unit records the deployments that deploy it;
- :func:`deployed_pipelines`: each pipeline with the unit names it deploys, in deploy order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..config import LoadConfig
from ..graph import DeployedPipeline
from ..model import LoadedUnit, Location, StackRef
from .inputs import BoundDeployment, DeployPlan, UnitInputs
from .model import PipelineScan

__all__ = ["attach_deployments", "deployed_pipelines"]


def _inputs_of(unit: LoadedUnit, plan: DeployPlan, config: LoadConfig) -> UnitInputs | None:
    if unit.deployments is not None:
        return unit.deployments
    if unit.format == "cdk":
        return plan.inputs_for(f"cdk:{unit.name}", config.stage) or plan.inputs_for("cdk:*", config.stage)
    return plan.inputs_for(unit.path, config.stage)


def attach_deployments(units: Iterable[LoadedUnit], plan: DeployPlan, config: LoadConfig) -> None:
    """Record on each unit its deployments, the stack names they use and the values they read at deploy time."""
    for unit in units:
        inputs = _inputs_of(unit, plan, config)
        if inputs is None:
            continue
        unit.deployments = inputs
        unit.deployed_as = inputs.stack_names
        if unit.format in ("sam", "cloudformation"):
            # the stack needs a value its pipeline reads at deploy time, whether or not an edge uses the parameter
            unit.stack_refs.extend(
                StackRef(ref, location, f"{ref.key} (parameter {parameter})")
                for parameter, ref, location in inputs.deploy_time_refs
            )


def deployed_pipelines(scan: PipelineScan, units: Sequence[LoadedUnit]) -> list[DeployedPipeline]:
    """Every pipeline of ``scan`` with the units it deploys, in the order of its deploy commands."""
    deployed_by: dict[BoundDeployment, list[str]] = {}
    for unit in units:
        inputs = unit.deployments
        if inputs is not None:
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
