"""The repository as it was at a git commit, kept on disk by commit id for ``--arch-changed-since``.

What a commit holds never changes, so the graph at ``REF`` is loaded once per
commit (and per root, paths, options and code of this package) and kept as a
:class:`GraphAtRef` file in the warm cache's
folder (``refs/`` under it). Files are signed with the warm cache's key, kept
outside every repository, and unpickled only when the signature holds; a
damaged, foreign or unsigned file is a miss and is written again. At most
:data:`MAX_REFS` files are kept: the least recently used go first.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> store = RefStore(folder / "refs", key_file=folder / "key")
>>> store.get("0" * 40) is None
True
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import _code_fingerprint, _settings, signed_body, signing_key, user_cache_home, write_signed
from .collector import collector_paused
from .graph import DeployedPipeline, Link, NameUse, ProvidedName
from .link_facts import UnitLinkFacts
from .model import Unit

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .config import LoadConfig
    from .graph import DeploymentGraph

__all__ = ["MAX_REFS", "GraphAtRef", "RefStore", "ref_key"]

_FORMAT = b"serverless-arch-ref 3\n"  # 2: with each unit's link facts; 3: and the pipelines
_SUFFIX = ".ref"
MAX_REFS = 32
"""Ref files kept in one folder; beyond it the least recently used are removed."""


@dataclass(frozen=True)
class GraphAtRef:
    """What a change is compared with: the units, cross-unit links and names of the repository at a commit.

    It answers the verbs of :class:`~pytest_serverless_arch.graph.DeploymentGraph`
    that ``--arch-changed-since`` and ``no-breaking-removals`` ask of the graph
    at the ref, and nothing else, so it is small to keep and quick to read back.

    >>> from pytest_serverless_arch.graph import DeploymentGraph
    >>> GraphAtRef.of(DeploymentGraph()).units()
    []
    """

    unit_list: tuple[Unit, ...] = ()
    links: tuple[Link, ...] = ()
    provided: tuple[ProvidedName, ...] = ()
    uses: tuple[NameUse, ...] = ()
    facts: tuple[UnitLinkFacts, ...] = ()  # every unit's link facts, in the load's order (link_facts.py)
    pipeline_list: tuple[DeployedPipeline, ...] = ()

    @classmethod
    def of(cls, graph: DeploymentGraph, facts: Sequence[UnitLinkFacts] = ()) -> GraphAtRef:
        return cls(
            tuple(graph.units()),
            tuple(graph.cross_unit_links()),
            tuple(graph.provided_names()),
            tuple(graph.name_uses()),
            tuple(facts),
            tuple(graph.pipelines()),
        )

    def units(self) -> list[Unit]:
        """Every unit, sorted by name (as the graph's)."""
        return list(self.unit_list)

    def cross_unit_links(self) -> list[Link]:
        return list(self.links)

    def provided_names(self) -> list[ProvidedName]:
        return list(self.provided)

    def name_uses(self) -> list[NameUse]:
        return list(self.uses)

    def pipelines(self) -> list[DeployedPipeline]:
        """Every pipeline, in the order they were read (as the graph's)."""
        return list(self.pipeline_list)


def ref_key(commit: str, root: Path, paths: Sequence[object], config: LoadConfig) -> str:
    """The name of a commit's file: the commit, the root, the paths loaded, the load options and this package's code."""
    parts = (_code_fingerprint(), commit, str(root), [str(path) for path in paths], _settings(config))
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


class RefStore:
    """Graphs at commits under ``directory`` (signed pickles; see the module docstring)."""

    def __init__(self, directory: Path, *, key_file: Path | None = None) -> None:
        self.directory = Path(directory)
        self._key_file = key_file or user_cache_home() / "cache-key"
        self.hits = 0
        self.misses = 0

    def _secret(self) -> bytes | None:
        return signing_key(self._key_file)[0]  # no key, no store: the ref is loaded each time, as without a cache

    def get(self, key: str) -> GraphAtRef | None:
        """The graph kept under ``key``, or None (a missing, damaged or foreign file is a miss)."""
        path = self.directory / f"{key}{_SUFFIX}"
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        body = signed_body(data, _FORMAT, self._secret(), path.name)
        found = None
        if body is not None:
            try:
                with collector_paused():
                    name, found = pickle.loads(body)
            except Exception:  # a damaged file is a miss, never an error
                found = None
            else:
                found = found if name == path.name and isinstance(found, GraphAtRef) else None
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: eviction keeps it
        return found

    def put(self, key: str, graph: GraphAtRef) -> None:
        """Keep ``graph`` under ``key`` (atomically; a folder that cannot be written is skipped)."""
        secret = self._secret()
        if secret is None:
            return
        path = self.directory / f"{key}{_SUFFIX}"
        body = pickle.dumps((path.name, graph), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            write_signed(path, _FORMAT, secret, body)
        except OSError:
            return
        self._evict()

    def _evict(self) -> None:
        try:
            kept = sorted(
                (entry.stat().st_mtime_ns, entry.path) for entry in os.scandir(self.directory) if entry.name.endswith(_SUFFIX)
            )
        except OSError:
            return
        for _, path in kept[: max(0, len(kept) - MAX_REFS)]:
            with contextlib.suppress(OSError):
                os.remove(path)
