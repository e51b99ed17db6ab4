"""``read_pipelines``: every pipeline of a repository, read offline by the reader of its CI system.

Each CI definition is read with its own :class:`~.walk.PipelineState`, so one
unreadable file is a note and every other pipeline is still read. Nothing of
the repository is executed.

Example::

    scan = read_pipelines(Path("my-repo"), LoadConfig())
    [(pipeline.name, [d.stack_name for d in pipeline.deployments]) for pipeline in scan.pipelines]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ..config import LoadConfig
from ..files import is_file
from ..model import Location, Note
from . import bitbucket, buildspec, codepipeline, github_actions, gitlab_ci, jenkins, samstacks
from .model import Pipeline, PipelineScan
from .sniff import kind_by_text
from .source import read_text
from .walk import PipelineState

__all__ = ["READERS", "kind_by_text", "read_pipeline_file", "read_pipelines"]

Reader = Callable[[Path, str, PipelineState], "Pipeline | list[Pipeline] | None"]
_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")


def _kind_by_content(root: Path, relpath: str, sniffed: Mapping[str, str | None]) -> str | None:
    """:func:`kind_by_text` of a file, from what discovery saw of it (``sniffed``) or read now."""
    if not relpath.endswith(_TEMPLATE_SUFFIXES) or relpath.startswith(".github/"):
        return None
    if relpath in sniffed:
        return sniffed[relpath]
    text = read_text(root, relpath).text
    return None if text is None else kind_by_text(relpath, text)


class _Scan:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.pipelines: list[Pipeline] = []
        self.notes: list[Note] = []
        self.files_read: list[str] = []
        self.consumed: set[str] = set()
        self.read_by: dict[str, list[str]] = {}  # CI file -> every file its reading read

    def read(self, relpath: str, reader: Reader) -> list[Pipeline]:
        state = PipelineState(self.root, consumed_buildspecs=self.consumed)
        try:
            found = reader(self.root, relpath, state)
        except (RecursionError, MemoryError) as error:
            state.note(Location(relpath, 0), f"pipeline not read: {type(error).__name__}")
            found = None
        except Exception as error:  # noqa: BLE001  one broken file must not lose the others
            state.note(Location(relpath, 0), f"pipeline not read (internal error: {type(error).__name__}: {error})")
            found = None
        pipelines = [found] if isinstance(found, Pipeline) else list(found or [])
        self.pipelines.extend(pipelines)
        self.notes.extend(note for note in state.notes if note not in self.notes)
        self.files_read.extend(path for path in state.files_read if path not in self.files_read)
        self.read_by[relpath] = list(state.files_read)
        return pipelines


READERS: dict[str, Reader] = {
    "github-actions": github_actions.read_workflow,
    "gitlab-ci": gitlab_ci.read_gitlab,
    "codepipeline": codepipeline.read_codepipelines,
    "buildspec": buildspec.read_buildspec,
    "bitbucket-pipelines": bitbucket.read_bitbucket,
    "jenkins": jenkins.read_jenkinsfile,
    "samstacks": samstacks.read_samstacks,
}


def read_pipeline_file(root: Path, relpath: str, system: str) -> PipelineScan:
    """Read one file as a pipeline of ``system``, whatever its name (a workflow kept elsewhere, a test copy).

    >>> read_pipeline_file(Path("."), "no-such-file.yml", "github-actions").pipelines
    ()
    """
    if system not in READERS:
        known = ", ".join(sorted(READERS))
        return PipelineScan(notes=(Note(Location(relpath, 0), f"unknown CI system {system!r} (known: {known})"),))
    scan = _Scan(Path(root).resolve())
    scan.read(relpath, READERS[system])
    return PipelineScan(tuple(scan.pipelines), tuple(scan.notes), tuple(scan.files_read))


def read_pipelines(
    root: Path,
    config: LoadConfig,
    sniffed: Mapping[str, str | None] | None = None,
    walked: Sequence[str] | None = None,
) -> PipelineScan:
    """Find and read every pipeline under ``root``; problems become notes, never exceptions.

    ``sniffed`` is what :func:`kind_by_text` said of the files discovery read
    (``Discovery.sniffed``, by repository-relative path); other files are read here.
    ``walked`` is every file under ``root`` as discovery's walk listed them
    (``Discovery.walked``: pruned alike, in the same order); without it the root is walked here.
    """
    sniffed = sniffed or {}
    root = Path(root).resolve()
    scan = _Scan(root)
    workflows = {relpath: scan.read(relpath, github_actions.read_workflow) for relpath in github_actions.workflow_files(root)}
    # A reusable workflow (on: workflow_call only) is read where it is called; alone it runs nothing.
    called = {path for caller, paths in scan.read_by.items() for path in paths if path != caller}
    for relpath, found in workflows.items():
        if relpath in called and github_actions.only_called(root, relpath):
            scan.pipelines = [pipeline for pipeline in scan.pipelines if pipeline not in found]
    if is_file(root / gitlab_ci.GITLAB_FILE, root):
        scan.read(gitlab_ci.GITLAB_FILE, gitlab_ci.read_gitlab)
    files = list(walked) if walked is not None else list(buildspec.walk_files(root, config))
    for relpath in files:
        name = relpath.rsplit("/", 1)[-1]
        if name == bitbucket.BITBUCKET_FILE:
            scan.read(relpath, bitbucket.read_bitbucket)
        elif name == "Jenkinsfile" or name.startswith("Jenkinsfile.") or name.endswith(".jenkinsfile"):
            scan.read(relpath, jenkins.read_jenkinsfile)
    for relpath in files:
        kind = _kind_by_content(root, relpath, sniffed)
        if kind == "codepipeline":
            scan.read(relpath, codepipeline.read_codepipelines)
        elif kind == "samstacks":
            scan.read(relpath, samstacks.read_samstacks)
    for relpath in buildspec.buildspec_files(files):
        if relpath not in scan.consumed:
            scan.read(relpath, buildspec.read_buildspec)
    return PipelineScan(tuple(scan.pipelines), tuple(scan.notes), tuple(scan.files_read))
