"""The one door through which the pipeline readers read repository files.

Every path a pipeline names (a script, a Makefile include, a parameters
file) is joined to the step's working directory and must stay inside the
repository: a path that leaves it, or a symlink that points out of it, is
refused with a reason instead of being read: every read goes through the
shared door, :mod:`pytest_serverless_arch.files`.

Example::

    >>> from pathlib import Path
    >>> join_path("app", "../scripts/deploy.sh")
    'scripts/deploy.sh'
    >>> join_path(".", "../../etc/passwd") is None
    True
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import files
from ..parse import ParseError, parse_text

__all__ = ["RepoFile", "join_path", "read_document", "read_text", "repo_exists"]


@dataclass(frozen=True)
class RepoFile:
    """A file's text, or the reason it could not be read."""

    relpath: str
    text: str | None
    reason: str = ""
    line: int = 0


def join_path(cwd: str, path: str) -> str | None:
    """``path`` (relative to repository-relative ``cwd``) as a repository-relative posix path.

    None for absolute paths and for paths that climb out of the repository.
    """
    path = path.strip()
    if not path or path.startswith(("/", "~")) or "://" in path:
        return None
    joined = posixpath.normpath(posixpath.join(cwd or ".", path))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return joined


def repo_exists(root: Path, relpath: str) -> bool:
    """True when ``relpath`` is a file inside the repository (never follows a link out)."""
    try:
        return files.is_file(files.confine(root / relpath, root), root)  # recorded: the warm cache keeps the scan
    except files.UnreadableFile:
        return False


def read_text(root: Path, relpath: str) -> RepoFile:
    """Read a repository file as text through :mod:`pytest_serverless_arch.files`; never raises."""
    try:
        return RepoFile(relpath, files.read_text(root / relpath, root))
    except files.UnreadableFile as refusal:
        return RepoFile(relpath, None, refusal.reason, refusal.line)


def read_document(root: Path, relpath: str) -> tuple[Any, RepoFile]:
    """Read and parse a YAML/JSON file with lines kept; the document is None when unreadable."""
    file = read_text(root, relpath)
    if file.text is None:
        return None, file
    try:
        return parse_text(file.text, json_first=relpath.endswith(".json")), file
    except ParseError as error:
        return None, RepoFile(relpath, None, f"not readable YAML/JSON: {error.message}", error.line)
    except RecursionError:
        return None, RepoFile(relpath, None, "nested too deeply to read")
