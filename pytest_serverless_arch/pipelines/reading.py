"""``read_pipelines``: every pipeline of a repository, read offline by the reader of its CI system.

Each reader gets its own :class:`~.walk.PipelineState`, so one unreadable
file is a note and every other pipeline is still read. Nothing of the
repository is executed.

Example::

    scan = read_pipelines(Path("my-repo"), LoadConfig())
    [(pipeline.name, [d.stack_name for d in pipeline.deployments]) for pipeline in scan.pipelines]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from ..config import LoadConfig
from ..model import Location, Note
from . import github_actions, gitlab_ci
from .model import Pipeline, PipelineScan
from .walk import PipelineState

__all__ = ["read_pipelines"]

Reader = Callable[[Path, str, PipelineState], "Pipeline | list[Pipeline] | None"]


def _sources(root: Path, config: LoadConfig) -> Iterator[tuple[str, Reader]]:
    for relpath in github_actions.workflow_files(root):
        yield relpath, github_actions.read_workflow
    if (root / gitlab_ci.GITLAB_FILE).is_file():
        yield gitlab_ci.GITLAB_FILE, gitlab_ci.read_gitlab


def read_pipelines(root: Path, config: LoadConfig) -> PipelineScan:
    """Find and read every pipeline under ``root``; problems become notes, never exceptions."""
    root = Path(root).resolve()
    pipelines: list[Pipeline] = []
    notes: list[Note] = []
    files_read: list[str] = []
    for relpath, reader in _sources(root, config):
        state = PipelineState(root)
        try:
            found = reader(root, relpath, state)
        except (RecursionError, MemoryError) as error:
            state.note(Location(relpath, 0), f"pipeline not read: {type(error).__name__}")
            found = None
        except Exception as error:  # noqa: BLE001  one broken file must not lose the others
            state.note(Location(relpath, 0), f"pipeline not read (internal error: {type(error).__name__}: {error})")
            found = None
        if isinstance(found, Pipeline):
            pipelines.append(found)
        elif isinstance(found, list):
            pipelines.extend(found)
        notes.extend(note for note in state.notes if note not in notes)
        files_read.extend(path for path in state.files_read if path not in files_read)
    return PipelineScan(tuple(pipelines), tuple(notes), tuple(files_read))
