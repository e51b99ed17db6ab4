"""The shop's own rule: every deploying workflow says which paths start it."""

import pytest_serverless_arch
from pytest_serverless_arch import Violation


@pytest_serverless_arch.rule(
    "workflows-have-path-filters",
    description="every pipeline that deploys a unit starts only on changes to its own paths",
)
def workflows_have_path_filters(graph):
    """A workflow without a path filter redeploys its stacks on every push to the repository."""
    for pipeline in graph.pipelines():
        if pipeline.units and not pipeline.paths:
            yield Violation(
                "workflows-have-path-filters",
                f"pipeline {pipeline.name} deploys {', '.join(pipeline.units)} on every push; add on.push.paths",
                pipeline.location,
                pipeline.units,
            )
