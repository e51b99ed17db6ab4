"""Pipelines: how each unit is deployed, read offline from CI definitions, Makefiles and scripts.

The readers (one module per CI system, plus the command reader they share)
produce a :class:`~.model.PipelineScan`; the loading stage hands it to the
linker, which names units, fills parameter values and orders pipelines.
"""

from .model import DEPLOY_TOOLS, PIPELINE_SYSTEMS, Deployment, DeployTimeRef, ParameterValue, Pipeline, PipelineScan
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
