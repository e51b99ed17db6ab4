"""Render a topology's pipelines: GitHub Actions workflows, and a Makefile for some.

Each :class:`~.topology.Pipeline` becomes ``.github/workflows/<name>.yml``,
started by pushes to its units' directories and, when it runs after other
pipelines, by their ``workflow_run``. Each unit is one step: ``aws
cloudformation deploy`` or ``sam deploy`` of its template with
``--stack-name <unit>`` and ``--parameter-overrides DeployStage=${STAGE}``
(``STAGE`` from the workflow's ``env:``), or ``serverless deploy --stage dev``
in its directory. A pipeline with ``makefile=True`` runs ``make deploy-<unit>``
for its templates instead; the ``Makefile`` holds the same commands with
``$(STAGE)`` and ``STAGE ?= prod``.

>>> from pytest_serverless_arch.strategies.topology import TopologyUnit
>>> deploy_command(TopologyUnit("orders", "sam"), "${STAGE}")
'sam deploy --template-file services/orders/template.yaml --stack-name orders --parameter-overrides DeployStage=${STAGE}'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations: topology.py imports render.py, which imports this module
    from .topology import Topology, TopologyPipeline, TopologyUnit

__all__ = ["DEPLOY_STAGE", "STAGE", "deploy_command", "deploy_stage_parameter", "write_pipelines"]

DEPLOY_STAGE = "DeployStage"  # the template parameter only a pipeline supplies
STAGE = "prod"


def deploy_stage_parameter(document: dict[str, Any]) -> None:
    """Give a CloudFormation/SAM document the ``DeployStage`` parameter, without ``Default``."""
    parameters = document.setdefault("Parameters", {})
    parameters[DEPLOY_STAGE] = {"Type": "String", "Description": "set by the deploying pipeline"}


def _template(unit: TopologyUnit) -> str:
    return f"{unit.path}/template.json" if unit.syntax == "json" else f"{unit.path}/template.yaml"


def deploy_command(unit: TopologyUnit, stage: str) -> str:
    """The command that deploys a CloudFormation or SAM ``unit`` with its parameter override."""
    tool = "sam deploy" if unit.format == "sam" else "aws cloudformation deploy"
    return f"{tool} --template-file {_template(unit)} --stack-name {unit.name} --parameter-overrides {DEPLOY_STAGE}={stage}"


def _quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _workflow(topology: Topology, pipeline: TopologyPipeline) -> str:
    units = [topology.unit(name) for name in pipeline.units]
    lines = [f"name: {pipeline.name}", "", "on:", "  push:", "    branches: [main]", "    paths:"]
    lines += [f"      - {_quoted(unit.path + '/**')}" for unit in units]
    if pipeline.after:
        lines += ["  workflow_run:", f"    workflows: [{', '.join(pipeline.after)}]", "    types: [completed]"]
    lines += ["", "env:", f"  STAGE: {STAGE}", "", "jobs:", "  deploy:", "    runs-on: ubuntu-latest", "    steps:"]
    lines += ["      - uses: actions/checkout@v4"]
    for unit in units:
        lines.append(f"      - name: deploy {unit.name}")
        if unit.format == "serverless":
            lines += [f"        working-directory: {unit.path}", "        run: npx serverless deploy --stage dev"]
        elif pipeline.makefile:
            lines.append(f"        run: make deploy-{unit.name}")
        else:
            lines.append(f"        run: {deploy_command(unit, '${STAGE}')}")
    return "\n".join(lines) + "\n"


def _makefile(topology: Topology) -> str | None:
    targets = [
        topology.unit(name)
        for pipeline in topology.pipelines
        if pipeline.makefile
        for name in pipeline.units
        if topology.unit(name).format != "serverless"
    ]
    if not targets:
        return None
    lines = [f"STAGE ?= {STAGE}", "", ".PHONY: " + " ".join(f"deploy-{unit.name}" for unit in targets), ""]
    for unit in targets:
        lines += [f"deploy-{unit.name}:", f"\t{deploy_command(unit, '$(STAGE)')}", ""]
    return "\n".join(lines)


def write_pipelines(topology: Topology, root: Path) -> list[Path]:
    """Write the workflows (and the Makefile) of ``topology`` under ``root``; return the paths written."""
    written = []
    if topology.pipelines:
        workflows = root / ".github" / "workflows"
        workflows.mkdir(parents=True, exist_ok=True)
        for pipeline in topology.pipelines:
            path = workflows / f"{pipeline.name}.yml"
            path.write_text(_workflow(topology, pipeline), encoding="utf-8")
            written.append(path)
    makefile = _makefile(topology)
    if makefile is not None:
        (root / "Makefile").write_text(makefile, encoding="utf-8")
        written.append(root / "Makefile")
    return written
