"""Helpers shared by test modules (never import from conftest)."""

from __future__ import annotations

from pathlib import Path

from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.pipelines import PipelineScan, read_pipelines

FIXTURES = Path(__file__).parent / "fixtures"
PIPELINE_FIXTURES = FIXTURES / "pipelines"


def read_pipeline_fixture(name: str, config: LoadConfig | None = None) -> PipelineScan:
    """The pipelines of ``tests/fixtures/pipelines/<name>``."""
    return read_pipelines(PIPELINE_FIXTURES / name, config or LoadConfig())


def parameters_of(deployment) -> dict[str, tuple[str, str, bool]]:
    """``{key: (value, "path:line", resolved)}`` of a deployment's parameters."""
    return {key: (value.value, str(value.location), value.resolved) for key, value in deployment.parameters}
