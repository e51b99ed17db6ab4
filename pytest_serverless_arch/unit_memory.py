"""The head's loaded units, handed to the load of the tree at a git ref (``--arch-changed-since``).

A unit whose every observation (the bytes of each file it read, each path it
resolved, each folder it listed) gives the same outcome in the tree at ``REF``
as at the head is the same unit: that is the warm cache's own test (see
:mod:`.cache`), and the unit cache's key (format, relative path, options,
pipeline inputs, the repository's layout) holds no absolute path. So the load
of ``REF`` takes every such unit from what the head's load made, moved from the
head's folder to the tree's, and runs the loaders only on the units the change
touched. Nothing is taken on trust: each moved observation is made again in the
tree (read and hashed: a moved file never keeps its stamp), and an observation
outside the repository's folder is not moved, so its unit is loaded again.

:class:`UnitMemory` is a :class:`~pytest_serverless_arch.cache.UnitCache` that
keeps its entries in memory: the head's load goes through one when no cache
folder is in use, and the load at ``REF`` through one seeded with the head's
entries (:func:`moved_entries`).

>>> memory = UnitMemory()
>>> memory.entries
{}
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import UnitCache
from .collector import collector_paused
from .files import FileRead

if TYPE_CHECKING:
    from .config import LoadConfig

__all__ = ["UnitMemory", "head_cache", "head_entries", "moved_entries"]


class UnitMemory(UnitCache):
    """A unit cache in memory: no pack is read or written, no whole graph kept; ``entries`` holds the last load's.

    ``seed`` is what the load starts from (each entry is still checked against
    the files before it is used, as a pack's are).
    """

    def __init__(self, seed: Mapping[str, Any] | None = None) -> None:
        # os.devnull is no folder: nothing can ever be read, written or touched under it
        super().__init__(Path(os.devnull), keep_graphs=False)
        self._seed = dict(seed or {})
        self.entries: dict[str, Any] = dict(self._seed)

    def _read_pack(self, pack: Path) -> dict[str, Any]:
        return dict(self._seed)

    def _write_pack(self, pack: Path) -> None:
        self.entries = dict(self._fresh)

    def stored_entries(self, root: Path, config: LoadConfig, paths: Sequence[object] = ()) -> dict[str, Any]:
        return self.entries


def head_cache(cache: UnitCache | None, changed_since: str | None) -> UnitCache | None:
    """The unit cache the head's load goes through: ``cache``; without one, for a check against a ref, a memory.

    The load at the ref takes from it every unit the change left alone (see :func:`head_entries`).

    >>> head_cache(None, None) is None, type(head_cache(None, "origin/main")).__name__
    (True, 'UnitMemory')
    """
    return UnitMemory() if cache is None and changed_since else cache


def head_entries(cache: UnitCache, root: Path, config: LoadConfig, paths: Sequence[object]) -> dict[str, Any]:
    """The entries the head's load of ``paths`` left: a memory's own, else the pack in the cache folder (or none)."""
    return cache.stored_entries(root, config, paths)


def moved_entries(entries: Mapping[str, Any], head: Path, tree: Path) -> dict[str, Any]:
    """``entries`` with every observation moved from the folder ``head`` to ``tree``; an entry that cannot move is left out.

    >>> from pytest_serverless_arch.files import FileRead
    >>> read = FileRead("real", "/repo/a/t.yaml", "/repo/a/t.yaml")
    >>> _moved(read, "/repo", "/tmp/ref")
    FileRead(what='real', path='/tmp/ref/a/t.yaml', outcome='/tmp/ref/a/t.yaml', limit=None, stamp=None)
    >>> _moved(FileRead("is_file", "/elsewhere/x", "no"), "/repo", "/tmp/ref") is None
    True
    """
    moved: dict[str, Any] = {}
    head_text, tree_text = str(head), str(tree)
    # units share most observations (the folders they resolve, the files several read): each is moved once
    done: dict[tuple[str, str, str, int | None], FileRead | None] = {}
    with collector_paused():  # many small objects, no cycles: a collection would walk every entry again
        for key, entry in entries.items():
            reads = []
            for read in entry.reads:
                slot = (read.what, read.path, read.outcome, read.limit)
                if slot in done:
                    now = done[slot]
                else:
                    now = done[slot] = _moved(read, head_text, tree_text)
                if now is None:
                    break
                reads.append(now)
            else:
                moved[key] = dataclasses.replace(entry, reads=tuple(reads))
    return moved


def _moved(read: FileRead, head: str, tree: str) -> FileRead | None:
    path = _under(read.path, head, tree)
    if path is None:
        return None
    outcome = read.outcome
    if read.what == "real" and not outcome.startswith("!"):  # a real path: the tree's own (a refusal is made again)
        real = _under(outcome, head, tree)
        if real is None:
            return None
        outcome = real
    # no stamp: the tree's file is another file, read and hashed again before the entry is used
    return FileRead(read.what, path, outcome, read.limit)


def _under(path: str, head: str, tree: str) -> str | None:
    if path.startswith(head) and (len(path) == len(head) or path[len(head)] == os.sep):
        return tree + path[len(head) :]
    return None
