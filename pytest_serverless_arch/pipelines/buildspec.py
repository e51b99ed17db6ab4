"""AWS CodeBuild ``buildspec*.yml``: the commands of its phases, read as one shell session.

``env.variables`` are variables; ``env.parameter-store`` values are read from
SSM at build time, so each is a deploy-time reference to that parameter.
Phases run in order (``install``, ``pre_build``, ``build``, ``post_build``);
with buildspec version 0.2 every command shares one shell, so a ``cd`` lasts.

A buildspec that a CodePipeline in the repository runs is read as part of
that pipeline (with the variables the pipeline gives it); any other is a
pipeline of its own (system ``buildspec``).

Example::

    version: 0.2
    env:
      parameter-store:
        QUEUE_ARN: /shop/prod/queue-arn
    phases:
      build:
        commands:
          - sam deploy --stack-name shop-app --parameter-overrides QueueArn=$QUEUE_ARN
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..config import DEFAULT_IGNORED_DIRS, LoadConfig
from ..files import walk
from ..model import Location
from ..parse import item_line, key_line
from .model import DeployTimeRef, Pipeline
from .source import read_document, read_text
from .values import Value
from .walk import Frame, PipelineState, run_items
from .yaml_lines import script_source

__all__ = ["PHASES", "buildspec_files", "read_buildspec", "run_buildspec"]

PHASES = ("install", "pre_build", "build", "post_build")


def walk_files(root: Path, config: LoadConfig) -> Iterator[str]:
    """Repository-relative paths of every file, pruned like discovery prunes (ignored folders, config.ignore)."""
    from ..discover import glob_matches

    for directory, dirnames, filenames in walk(root, root):
        rel_dir = os.path.relpath(directory, root).replace(os.sep, "/")
        kept = []
        for name in sorted(dirnames):
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if name in DEFAULT_IGNORED_DIRS or name.endswith(".egg-info"):
                continue
            if any(glob_matches(pattern, rel) for pattern in config.ignore):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if not any(glob_matches(pattern, rel) for pattern in config.ignore):
                yield rel


def buildspec_files(paths: list[str]) -> list[str]:
    return [path for path in paths if path.rsplit("/", 1)[-1].startswith("buildspec") and path.endswith((".yml", ".yaml"))]


def run_buildspec(
    root: Path,
    relpath: str,
    state: PipelineState,
    env: Mapping[str, Value],
    *,
    job: str | None = None,
    via: tuple[Location, ...] = (),
    document: Any = None,
    line_offset: int = 0,
) -> bool:
    """Read the commands of one buildspec into ``state``; False (with a note) when unreadable.

    ``document`` and ``line_offset`` (its lines count from there) are given for a buildspec written inline in a template.
    """
    lines: list[str] = []
    if document is None:
        document, file = read_document(root, relpath)
        if document is None:
            where = via[-1] if via and not file.line else Location(relpath, file.line)
            state.note(where, f"buildspec {relpath} not read: {file.reason}")
            return False
        if relpath not in state.files_read:
            state.files_read.append(relpath)
        lines = (read_text(root, relpath).text or "").splitlines()
    if not isinstance(document, Mapping) or not isinstance(document.get("phases"), Mapping):
        state.note(Location(relpath, line_offset + 1), "buildspec has no phases; not read")
        return False
    variables = dict(env)
    spec_env = document.get("env")
    if isinstance(spec_env, Mapping):
        plain = spec_env.get("variables")
        if isinstance(plain, Mapping):
            for key, value in plain.items():
                variables[str(key)] = Value(str(value))
        stored = spec_env.get("parameter-store")
        if isinstance(stored, Mapping):
            for key, name in stored.items():
                ref = DeployTimeRef("ssm", str(name), Location(relpath, line_offset + key_line(stored, key)))
                if ref not in state.refs:
                    state.refs.append(ref)
                variables[str(key)] = Value(f"${{ssm:{name}}}", False, ref)
    items: list[tuple[str, int, str]] = []
    phases = document["phases"]
    for phase in PHASES:
        body = phases.get(phase)
        commands = body.get("commands") if isinstance(body, Mapping) else None
        if not isinstance(commands, list):
            continue
        for index, command in enumerate(commands):
            if isinstance(command, str):
                line = item_line(commands, index)
                text, start = script_source(lines, line, command) if lines else (command, line)
                items.append((text, line_offset + start, relpath))
    frame = Frame(relpath, 1, ".", variables, job=job, via=via)
    run_items(items, frame, state)
    return True


def read_buildspec(root: Path, relpath: str, state: PipelineState) -> Pipeline | None:
    """A buildspec no CodePipeline of the repository runs: a pipeline of its own."""
    if not run_buildspec(root, relpath, state, {}):
        return None
    return Pipeline(
        name=relpath,
        system="buildspec",
        location=Location(relpath, 1),
        deployments=tuple(state.deployments),
        deploy_time_refs=tuple(state.refs),
    )
