"""``pipeline-order``: a pipeline that deploys a unit runs after the pipelines deploying what it needs.

Connascence of timing made checkable: when unit A needs unit B (any
cross-unit link) and no pipeline deploys both, every pipeline deploying A
must be ordered after some pipeline deploying B (GitHub Actions
``workflow_run``, ``needs``, GitLab stages, CodePipeline stage order: what the
readers put in a pipeline's ``after``, followed transitively). Otherwise one
violation per (pipeline, needed unit) at the line that deploys A, naming the
line that deploys B and the link that makes A need B.

>>> from pytest_serverless_arch.graph import DeploymentGraph
>>> pipeline_order(DeploymentGraph())
[]
"""

from __future__ import annotations

from ..graph import DeployedPipeline, Link
from ..selection import whole_graph
from ..view import GraphView
from .base import Violation, describe, rule

__all__ = ["pipeline_order"]

RULE_ID = "pipeline-order"


@rule(
    RULE_ID,
    description="a pipeline runs after the pipelines that deploy what its units need",
    reason="Two pipelines that must run in a given order but are not ordered race each other: a fresh "
    "environment, or a change to both sides, deploys the consumer before what it needs exists.",
    builtin=True,
    reads="neighbourhood",  # every pipeline, and every unit-level link (neighbourhood.py), are in the graph
)
def pipeline_order(graph: GraphView) -> list[Violation]:
    """Every cross-pipeline dependency between units is written down as an order between their pipelines."""
    whole = whole_graph(graph)
    selected = {unit.name for unit in graph.units()}
    pipelines = {pipeline.name: pipeline for pipeline in whole.pipelines()}
    violations = []
    for dependency in whole.unit_dependencies():
        if dependency.unit not in selected:
            continue
        links = [link for link in dependency.links if link.cross_pipeline]
        if not links:
            continue  # one pipeline deploys both, or either is deployed by no known pipeline
        link = min(links, key=lambda each: each.location)
        providers = whole.pipelines_of(dependency.depends_on)
        for consumer in whole.pipelines_of(dependency.unit):
            if any(_runs_after(consumer, provider.name, pipelines) for provider in providers):
                continue
            violations.append(_violation(whole, consumer, dependency.unit, providers, dependency.depends_on, link))
    return violations


def _runs_after(pipeline: DeployedPipeline, other: str, pipelines: dict[str, DeployedPipeline]) -> bool:
    """Whether ``pipeline`` is ordered after pipeline ``other``, directly or through others."""
    seen: set[str] = set()
    stack = list(pipeline.after)
    while stack:
        name = stack.pop()
        if name == other:
            return True
        if name in seen:
            continue
        seen.add(name)
        before = pipelines.get(name)
        if before is not None:
            stack.extend(before.after)
    return False


def _violation(
    graph: GraphView, consumer: DeployedPipeline, unit: str, providers: list[DeployedPipeline], provider_unit: str, link: Link
) -> Violation:
    deployed_at = consumer.location_of(unit)
    provided = ", ".join(f"{provider.name} at {provider.location_of(provider_unit)}" for provider in providers)
    message = (
        f"pipeline {consumer.name} deploys unit {unit} at {deployed_at}, which needs unit {provider_unit} "
        f"({link.kind.replace('_', ' ')} of {describe(graph, link.target)} at {link.location}); "
        f"{provider_unit} is deployed by pipeline {provided}, and {consumer.name} is not ordered after "
        f"{'it' if len(providers) == 1 else 'any of them'} (workflow_run, needs, stages)"
    )
    return Violation.of(RULE_ID, message, graph.unit(unit), graph.unit(provider_unit), link, location=deployed_at)
