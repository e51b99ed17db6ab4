"""Pipelines: how each unit is deployed, read offline from CI definitions, Makefiles and scripts.

The readers (one module per CI system, plus the command reader they share)
produce a :class:`~.model.PipelineScan`; the loading stage hands it to the
linker, which names units, fills parameter values and orders pipelines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .model import DEPLOY_TOOLS, PIPELINE_SYSTEMS, Deployment, DeployTimeRef, ParameterValue, Pipeline, PipelineScan

if TYPE_CHECKING:
    from .reading import read_pipeline_file, read_pipelines

__all__ = [
    "DEPLOY_TOOLS",
    "PIPELINE_SYSTEMS",
    "Deployment",
    "DeployTimeRef",
    "ParameterValue",
    "Pipeline",
    "PipelineScan",
    "read_pipeline_file",
    "read_pipelines",
]


def __getattr__(name: str) -> Any:
    # The readers (and the shell, Makefile and script readers under them) are imported when first asked for:
    # a load imports this package for its records long before it scans for pipelines.
    if name in ("read_pipeline_file", "read_pipelines"):
        from . import reading

        return getattr(reading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
