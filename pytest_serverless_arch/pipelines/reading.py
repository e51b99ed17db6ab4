"""``read_pipelines``: every pipeline of a repository, read offline by the reader of its CI system.

Each CI definition is read with its own :class:`~.walk.PipelineState`, so one
unreadable file is a note and every other pipeline is still read. Nothing of
the repository is executed.

Example::

    scan = read_pipelines(Path("my-repo"), LoadConfig())
    [(pipeline.name, [d.stack_name for d in pipeline.deployments]) for pipeline in scan.pipelines]
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..config import LoadConfig
from ..model import Location, Note
from . import buildspec, codepipeline, github_actions, gitlab_ci
from .model import Pipeline, PipelineScan
from .source import read_text
from .walk import PipelineState

__all__ = ["read_pipelines"]

Reader = Callable[[Path, str, PipelineState], "Pipeline | list[Pipeline] | None"]
_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")


def _holds_codepipeline(root: Path, relpath: str) -> bool:
    if not relpath.endswith(_TEMPLATE_SUFFIXES) or relpath.startswith(".github/"):
        return False
    text = read_text(root, relpath).text
    return text is not None and codepipeline.PIPELINE_TYPE in text


class _Scan:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.pipelines: list[Pipeline] = []
        self.notes: list[Note] = []
        self.files_read: list[str] = []
        self.consumed: set[str] = set()

    def read(self, relpath: str, reader: Reader) -> None:
        state = PipelineState(self.root, consumed_buildspecs=self.consumed)
        try:
            found = reader(self.root, relpath, state)
        except (RecursionError, MemoryError) as error:
            state.note(Location(relpath, 0), f"pipeline not read: {type(error).__name__}")
            found = None
        except Exception as error:  # noqa: BLE001  one broken file must not lose the others
            state.note(Location(relpath, 0), f"pipeline not read (internal error: {type(error).__name__}: {error})")
            found = None
        if isinstance(found, Pipeline):
            self.pipelines.append(found)
        elif isinstance(found, list):
            self.pipelines.extend(found)
        self.notes.extend(note for note in state.notes if note not in self.notes)
        self.files_read.extend(path for path in state.files_read if path not in self.files_read)


def read_pipelines(root: Path, config: LoadConfig) -> PipelineScan:
    """Find and read every pipeline under ``root``; problems become notes, never exceptions."""
    root = Path(root).resolve()
    scan = _Scan(root)
    for relpath in github_actions.workflow_files(root):
        scan.read(relpath, github_actions.read_workflow)
    if (root / gitlab_ci.GITLAB_FILE).is_file():
        scan.read(gitlab_ci.GITLAB_FILE, gitlab_ci.read_gitlab)
    files = list(buildspec.walk_files(root, config))
    for relpath in files:
        if _holds_codepipeline(root, relpath):
            scan.read(relpath, codepipeline.read_codepipelines)
    for relpath in buildspec.buildspec_files(files):
        if relpath not in scan.consumed:
            scan.read(relpath, buildspec.read_buildspec)
    return PipelineScan(tuple(scan.pipelines), tuple(scan.notes), tuple(scan.files_read))
