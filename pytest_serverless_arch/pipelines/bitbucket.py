"""Bitbucket Pipelines: ``bitbucket-pipelines.yml``.

Each pipeline of the file (``default``, each of ``branches:``, ``tags:``,
``pull-requests:``, ``custom:``) is a pipeline named ``<file> [<kind>: <name>]``.
Its steps (also inside ``parallel:`` and ``stage:``) run in order, each in a
fresh shell: an ``export`` lasts to the end of its step only. A step's
``deployment:`` is its environment. YAML anchors (``definitions: steps:``)
are already resolved by the YAML reader.

Example::

    pipelines:
      branches:
        main:
          - step:
              deployment: production
              script:
                - sam deploy --stack-name shop

is the pipeline ``bitbucket-pipelines.yml [branches: main]``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..model import Location
from ..parse import item_line, key_line
from .model import Pipeline
from .source import read_document, read_text
from .walk import Frame, PipelineState, run_items
from .yaml_lines import script_source

__all__ = ["BITBUCKET_FILE", "read_bitbucket"]

BITBUCKET_FILE = "bitbucket-pipelines.yml"


def _steps(items: Any) -> Iterator[Mapping[str, Any]]:
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        if isinstance(item.get("step"), Mapping):
            yield item["step"]
        parallel = item.get("parallel")
        if isinstance(parallel, Mapping):
            parallel = parallel.get("steps")
        if isinstance(parallel, list):
            yield from _steps(parallel)
        stage = item.get("stage")
        if isinstance(stage, Mapping):
            yield from _steps(stage.get("steps"))


def _pipelines(section: Any) -> Iterator[tuple[str, Any, int]]:
    if not isinstance(section, Mapping):
        return
    for kind, body in section.items():
        if kind == "default":
            yield "default", body, key_line(section, kind)
        elif isinstance(body, Mapping):
            for name, items in body.items():
                yield f"{kind}: {name}", items, key_line(body, name)


def read_bitbucket(root: Path, relpath: str, state: PipelineState) -> list[Pipeline]:
    document, file = read_document(root, relpath)
    if document is None:
        state.note(Location(relpath, file.line), f"Bitbucket Pipelines file not read: {file.reason}")
        return []
    if not isinstance(document, Mapping) or not isinstance(document.get("pipelines"), Mapping):
        state.note(Location(relpath, 1), "Bitbucket Pipelines file has no pipelines: mapping; not read")
        return []
    state.files_read.append(relpath)
    lines = (read_text(root, relpath).text or "").splitlines()
    pipelines = []
    for name, items, line in _pipelines(document["pipelines"]):
        own = PipelineState(root, notes=state.notes, files_read=state.files_read)
        for step in _steps(items):
            script = step.get("script")
            entries: list[tuple[str, int, str]] = []
            for index, entry in enumerate(script if isinstance(script, list) else []):
                if isinstance(entry, str):
                    entries.append((*script_source(lines, item_line(script, index), entry), relpath))
            deployment = step.get("deployment")
            frame = Frame(
                relpath,
                1,
                ".",
                {},
                job=str(step.get("name")) if step.get("name") else None,
                environment=str(deployment) if isinstance(deployment, str) else None,
            )
            run_items(entries, frame, own)
        pipelines.append(
            Pipeline(
                name=f"{relpath} [{name}]",
                system="bitbucket-pipelines",
                location=Location(relpath, line),
                deployments=tuple(own.deployments),
                deploy_time_refs=tuple(own.refs),
            )
        )
    return pipelines
