"""The whole-run result: what a run made (a report's text, a load's graph) reused while nothing it observed has changed.

A run is recorded from its first read to its last (:func:`.files.recording`):
every file it read (with its stat stamp), every path it resolved or looked for,
every folder it listed or walked. Its result is kept under a key that holds
everything else it depends on (the options, the configuration, this package's
code, the environment values the options allow; see the callers). The next run
with the same key makes each observation again, in a few milliseconds: a file
whose ``stat`` still gives its stamp is not read (:func:`.files.reobserve`).
When every observation gives the same outcome the result is taken as it is;
when one does not, the run is made again (through the per-unit cache,
:mod:`.cache`) and its result replaces the stored one.

A stored run is one file in the cache folder, signed like the packs and written
atomically (two processes writing it at once both succeed, a reader never sees
half of it); one that is damaged, unsigned or foreign is a miss.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> runs = RunCache(folder / "cache", key_file=folder / "key")
>>> with files.recording() as log:
...     pass  # the run: reads through files.py
>>> runs.keep("k", log, "the report")
>>> runs.recall("k", folder)
'the report'
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import files
from .cache import _code_fingerprint, signed_body, signing_key, write_signed
from .collector import collector_paused
from .files import FileRead

__all__ = ["RunCache", "check_key", "run_key"]

_FORMAT = b"serverless-arch-run 3\n"
_SUFFIX = ".run"


def run_key(*parts: object) -> str:
    """One key for ``parts`` (their ``repr``) and this package's code and Python.

    >>> run_key("report", ("json",)) == run_key("report", ("json",)) != run_key("report", ("text",))
    True
    """
    whole = (_code_fingerprint(), *parts)
    return hashlib.blake2b(repr(whole).encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


def check_key(kind: str, settings: Any, *parts: object) -> str | None:
    """The key of a stored check (``kind``: the report command, the pytest gate) under ``settings``, or None if never reused.

    Besides ``parts``, a check's result depends on the settings (configuration and
    flags), the baseline's bytes and the environment values ``${env:..}`` may read.
    A check that writes the baseline, reads git (``--arch-changed-since``) or
    resolves domains in Python is never reused.
    """
    if settings.update_baseline or settings.changed_since or settings.load_config.domain_resolver is not None:
        return None
    try:
        baseline = files.digest(settings.baseline.read_bytes())
    except OSError as exc:
        baseline = f"!{exc.errno}"
    environment = tuple((name, os.environ.get(name)) for name in settings.load_config.env_allow)
    return run_key(kind, settings, baseline, environment, *parts)


class RunCache:
    """Stored runs under ``directory``; ``hit`` says whether the last :meth:`recall` gave one."""

    def __init__(self, directory: Path, *, key_file: Path | None = None) -> None:
        self.directory = Path(directory)
        self.hit = False
        self.problem: str | None = None
        self._key_file = key_file
        self._secret: bytes | None = None

    def recall(self, key: str, root: str | os.PathLike[str]) -> Any | None:
        """The result stored under ``key``, when every observation of its run gives the same outcome now.

        A result whose files were only touched (same bytes, new stamps) is stored
        again with the new stamps, so the next run does not read them either.
        """
        self.hit = False
        path = self.directory / f"{key}{_SUFFIX}"
        try:
            data = path.read_bytes()
        except OSError:
            return None
        stored = self._decode(data, path.name)
        if stored is None:
            return None
        reads, payload = stored
        current = []
        for read in reads:
            now = files.reobserve(read, root)
            if now.outcome != read.outcome:
                return None  # a miss costs the observations, never the unpickling of the result
            current.append(now)
        try:
            with collector_paused():
                result = pickle.loads(payload)
        except Exception:  # a damaged entry is a miss, never an error
            return None
        self.hit = True
        files.replay(tuple(current))  # an enclosing recording depends on what this result depended on
        if any(now.stamp != read.stamp for now, read in zip(current, reads, strict=True)):
            self._store(key, current, payload)
        else:
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: eviction keeps it
        return result

    def keep(self, key: str, reads: Iterable[FileRead], result: Any) -> None:
        """Store ``result`` with the observations it was made from (``problem`` says why not, when it cannot be)."""
        try:
            with collector_paused():  # pickling a graph walks every object of it; a collection would walk them again
                payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # a result that cannot be pickled is simply not kept
            return
        self._store(key, reads, payload)

    def _store(self, key: str, reads: Iterable[FileRead], payload: bytes | memoryview) -> None:
        """Write the observations and the pickled result apart, so a miss never unpickles the result.

        The body is the observations' pickle, after its length, then the result's
        pickle as it is (never copied into a second pickle).
        """
        secret = self._signing_key()
        if secret is None:
            return
        path = self.directory / f"{key}{_SUFFIX}"
        observations = pickle.dumps((path.name, tuple(reads)), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            write_signed(path, _FORMAT, secret, len(observations).to_bytes(8, "big"), observations, payload)
        except OSError as exc:
            self.problem = f"cache folder {self.directory} cannot be written ({exc.strerror or exc}); running without a cache"

    def _decode(self, data: bytes, name: str) -> tuple[tuple[FileRead, ...], memoryview] | None:
        body = signed_body(data, _FORMAT, self._signing_key(), name)
        if body is None:
            return None  # not written by this user's cache: never unpickled
        size = int.from_bytes(body[:8], "big")
        try:
            with collector_paused():
                stored_name, reads = pickle.loads(body[8 : 8 + size])
        except Exception:  # a damaged entry is a miss, never an error
            return None
        if stored_name != name or not isinstance(reads, tuple) or not all(isinstance(read, FileRead) for read in reads):
            return None
        return reads, memoryview(body)[8 + size :]

    def _signing_key(self) -> bytes | None:
        if self._secret is None:
            self._secret, problem = signing_key(self._key_file)
            self.problem = problem or self.problem
        return self._secret
