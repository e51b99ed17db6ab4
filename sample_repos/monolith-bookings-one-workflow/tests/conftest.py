"""The bookings team's own rule: a pipeline deploys what a stack needs before the stack."""

import pytest_serverless_arch
from pytest_serverless_arch import Violation


@pytest_serverless_arch.rule(
    "pipelines-deploy-providers-first",
    description="inside one pipeline, a stack deploys after the stacks it needs",
)
def pipelines_deploy_providers_first(graph):
    """A pipeline that deploys a consumer before its provider breaks on a fresh environment."""
    needs = {(dependency.unit, dependency.depends_on) for dependency in graph.unit_dependencies()}
    for pipeline in graph.pipelines():
        for position, unit in enumerate(pipeline.units):
            for later in pipeline.units[position + 1 :]:
                if (unit, later) in needs:
                    yield Violation(
                        "pipelines-deploy-providers-first",
                        f"pipeline {pipeline.name} deploys {unit} before {later}, which it needs",
                        pipeline.location_of(unit),
                        (unit, later),
                    )
