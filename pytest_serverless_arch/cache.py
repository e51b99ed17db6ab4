"""The warm cache: each loaded unit kept by the content of every file its loader read.

A unit's entry is found by a key (the format, the unit's path, the repository
root, the load options, the pipeline inputs given to it, which units and
samconfig files discovery found, and the code of this package) and is valid
only while everything its loader observed through :mod:`.files` is unchanged:
the bytes of each file it read (the template, included definitions, nested
templates, samconfig, ``${file()}`` targets, ``.tf`` files, CDK manifests),
each path it resolved or looked for (a file that was absent and appears is a
change), and each folder it listed. Every one of them is hashed again
(blake2b) before an entry is used, so no edit, rename or deletion can give a
stale unit. Pipeline files are read before the loaders run; what a unit takes
from them (:class:`~pytest_serverless_arch.pipelines.inputs.UnitInputs`) is
part of the key.

The entries of one load (one repository root, the paths loaded, the options
and this package's code) are kept together in one *pack* file, read once at the
start of a load and written at its end when anything changed. It is written to
a temporary file beside its place and moved there (``os.replace``), so two
processes (pytest-xdist workers) writing it at once both succeed, and a reader
never sees half of it. A pack is signed (HMAC-SHA256) with a key kept in the
user's cache folder, never in the repository: the tool never unpickles what a
repository ships. A truncated, corrupt, unsigned or foreign pack or entry is a
miss, and is written again.

>>> import tempfile
>>> from pytest_serverless_arch import load
>>> folder = Path(tempfile.mkdtemp())
>>> cache = UnitCache(folder / "cache", key_file=folder / "key")
>>> graph = load("sample_repos/monolith-online-shop", cache=cache)  # doctest: +SKIP
>>> cache.summary()  # doctest: +SKIP
'cache: 0 hits, 1 misses (...)'
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import os
import pickle
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import files
from .collector import LazyPause, collector_paused
from .files import FileRead, ReadLog

if TYPE_CHECKING:  # the readers' types: importing discovery (PyYAML, the parser) is left to the load itself
    from .config import LoadConfig
    from .discover import Candidate, Classified, Discovery
    from .model import LoadedUnit, LoadError, Note
    from .pipelines.inputs import UnitInputs
    from .pipelines.model import PipelineScan

    Loader = Callable[[Candidate, Discovery, LoadConfig, UnitInputs | None], list[LoadedUnit]]

__all__ = [
    "DEFAULT_MAX_BYTES",
    "CacheChanges",
    "CachedLoad",
    "UnitCache",
    "default_cache_dir",
    "signed_body",
    "signing_key",
    "user_cache_home",
    "write_signed",
]

# Bump when an entry's layout changes: older entries are then misses.
_FORMAT = b"serverless-arch-cache 2\n"
_PACK_SUFFIX = ".pack"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
"""Beyond this many bytes of packs in the folder, the least recently used ones are removed (at the end of a run)."""


def user_cache_home() -> Path:
    """``$XDG_CACHE_HOME/pytest-serverless-arch`` (else ``~/.cache/...``): outside every repository."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "pytest-serverless-arch"


def default_cache_dir() -> Path:
    """The command line's cache folder when ``--cache-dir`` does not name one."""
    return user_cache_home() / "units"


@dataclass
class CachedLoad:
    """What one loader call produced: its units and what it added to discovery's errors and notes."""

    units: list[LoadedUnit]
    errors: list[LoadError] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


class UnitCache:
    """Loaded units on disk under ``directory``, checked against the files they read before each use.

    One load (:meth:`run`) reads one *pack* (the entries of the last load of the
    same repository, paths, options and code) and writes it back when anything
    changed. ``max_bytes`` bounds the folder: the least recently used packs beyond
    it are removed. ``hits``, ``misses`` and ``writes`` count units and packs of this
    object's runs; ``problem`` says why nothing could be written, when that happened.
    With ``keep_graphs``, :func:`~pytest_serverless_arch.load` keeps each load's whole
    graph too (:mod:`.run_cache`) and takes it as it is while nothing the load read has
    changed (every unit then counts as a hit).
    """

    def __init__(
        self, directory: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, key_file: Path | None = None, keep_graphs: bool = True
    ) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.keep_graphs = keep_graphs  # load() also keeps its whole graph (run_cache.py), reused while nothing changed
        self.graph_reused = False  # the last load() through this cache took its whole graph from the folder
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self.problem: str | None = None
        self._key_file = key_file
        self._secret: bytes | None = None
        self._stored: dict[str, _Entry] = {}  # the pack as read at the start of the run
        self._fresh: dict[str, _Entry] = {}  # what this run used or made: the pack written at its end
        self._observed: dict[tuple[str, str, int | None], FileRead] = {}  # this run's observations, each made once
        self._layout: tuple[Discovery, str] | None = None
        self._run_log = ReadLog()  # everything this run has read so far (discovery's reads are current)
        self._pause = LazyPause()  # across hits: unpickling makes no cycles, and a collection would walk every unit
        self._held = False  # inside held_to_freeze(): the pause outlasts the run, to the caller's gc.freeze()
        # --arch-changed-since: keep a record beside each unit (unit_records.py), and, while ``deferring``
        # (set by the load for its loaders' calls), take a unit as its record, unpickled only when asked
        self.records = False
        self.deferring = False

    @contextlib.contextmanager
    def run(self, root: Path, config: LoadConfig, paths: Sequence[object] = ()) -> Iterator[None]:
        """One load of ``paths`` under ``root``: the pack is read first and written back at the end.

        Everything read through :mod:`.files` meanwhile is recorded, so a unit
        whose file discovery read is not read a second time to be hashed.
        """
        pack = self._pack_of(root, config, paths)
        self._stored, self._fresh, self._observed, self._layout = self._read_pack(pack), {}, {}, None
        try:
            with files.recording() as self._run_log:
                yield
        finally:
            if not self._held:
                self._pause.resume()
        self._run_log = ReadLog()
        if self._fresh.keys() != self._stored.keys() or any(self._fresh[key] is not self._stored[key] for key in self._fresh):
            self._write_pack(pack)
        elif self._stored:
            with contextlib.suppress(OSError):
                os.utime(pack)  # recently used: eviction keeps it
        self._stored, self._fresh = {}, {}

    @contextlib.contextmanager
    def held_to_freeze(self) -> Iterator[None]:
        """Keep the collector paused across the hits of the loads inside the block, to its end, not to each run's.

        For a caller that freezes what its load built (``gc.freeze()``) before the block ends:
        the first collection after a pause walks every unit unpickled meanwhile (27 ms on 200
        templates, every warm pytest run), and a frozen graph is never walked. A loader still
        runs with the collector on (it may make cycles); so does everything after the block.

        >>> import gc, tempfile
        >>> from pytest_serverless_arch import LoadConfig
        >>> cache = UnitCache(Path(tempfile.mkdtemp()), key_file=Path(tempfile.mkdtemp()) / "key")
        >>> with cache.held_to_freeze():
        ...     cache._pause.pause()  # what a hit takes
        ...     with cache.run(Path("."), LoadConfig()):
        ...         pass
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
        """
        held, self._held = self._held, True
        try:
            yield
        finally:
            self._held = held
            if not held:
                self._pause.resume()

    # --- the hook loading.py calls --------------------------------------------------

    def load(
        self, loader: Loader, candidate: Candidate, discovery: Discovery, config: LoadConfig, inputs: UnitInputs | None
    ) -> list[LoadedUnit]:
        """``loader(candidate, discovery, config, inputs)``, or what it gave before if nothing it read has changed."""
        key = self.key(candidate, discovery, config, inputs)
        hit = self._still_current(key, discovery.root)
        if hit is not None:
            stored, entry, current = hit
            if self.deferring and stored.record is not None:
                recorded = self._recorded(stored, config)
                if recorded is not None:
                    self.hits += 1
                    self._fresh[key] = entry
                    files.replay(current)
                    discovery.errors.extend(recorded[1])
                    discovery.notes.extend(recorded[2])
                    return recorded[0]
            self._pause.pause()
            cached = _unpickled(stored.payload, CachedLoad)
            if cached is not None:
                self.hits += 1
                if self.records and entry.record is None:
                    entry = dataclasses.replace(entry, record=_record(cached, config))
                self._fresh[key] = entry
                files.replay(current)  # what the unit depends on, for an enclosing recording (a whole-run result)
                discovery.errors.extend(cached.errors)
                discovery.notes.extend(cached.notes)
                return cached.units
        self.misses += 1
        self._pause.resume()  # a loader runs: it may make cycles, and a big parse holds the collector itself
        errors, notes = len(discovery.errors), len(discovery.notes)
        with files.recording() as log:
            if candidate.document is not None:
                files.note_reused(candidate.path, discovery.root)  # discovery parsed it: the unit read it
            units = loader(candidate, discovery, config, inputs)
        reads = self._observe(log)
        made = CachedLoad(units, discovery.errors[errors:], discovery.notes[notes:])
        try:
            payload = pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # something a loader kept cannot be pickled: that unit is simply not cached
            return units
        self._fresh[key] = _Entry(reads, payload, _record(made, config) if self.records else None)
        return units

    def _recorded(
        self, stored: _Entry, config: LoadConfig
    ) -> tuple[list[LoadedUnit], tuple[LoadError, ...], tuple[Note, ...]] | None:
        """A hit's units as :class:`~pytest_serverless_arch.unit_records.RecordedUnit` s, and its loader's errors and notes."""
        from .unit_records import DeferredLoad, LoadRecord, RecordedUnit

        record = _unpickled(stored.record or b"", LoadRecord)
        if record is None:  # a damaged record: the unit is unpickled instead
            return None
        deferred = DeferredLoad(stored.payload, _unpickled_units, config)
        units: list[LoadedUnit] = [RecordedUnit.of(unit, deferred, index) for index, unit in enumerate(record.units)]
        return units, record.errors, record.notes

    # --- the pipeline scan (loading.py) ----------------------------------------------

    def scan(
        self, discovery: Discovery, read: Callable[[], tuple[PipelineScan, LoadError | None]]
    ) -> tuple[PipelineScan, LoadError | None]:
        """``read()`` (the pipeline scan of ``discovery``'s root), or what it gave before if nothing it observed has changed.

        Kept like a unit: under a key holding what the scan is given besides the files it
        reads (every file discovery's walk listed, in order, and what sniffing said of each
        one it read), with every observation the scan made (each CI file, script and
        Makefile read, each path looked for, each folder listed), all made again before
        it is used. A scan that crashed is not kept. What a warm run saves is mostly the
        import of every pipeline reader (15 ms).
        """
        key = (
            "p:"
            + hashlib.blake2b(
                repr((discovery.walked, sorted(discovery.sniffed.items()))).encode("utf-8", "surrogateescape"), digest_size=20
            ).hexdigest()
        )
        hit = self._still_current(key, discovery.root)
        if hit is not None:
            from .pipelines.model import PipelineScan

            stored, entry, current = hit
            kept = _unpickled(stored.payload, PipelineScan)  # a damaged entry is a miss
            if kept is not None:
                self._fresh[key] = entry
                files.replay(current)  # what the scan depends on, for an enclosing recording (a whole-run result)
                return kept, None
        with files.recording() as log:
            scan, crash = read()
        reads = self._observe(log)
        if crash is None:
            with contextlib.suppress(Exception):  # something a reader kept cannot be pickled: the scan is not kept
                self._fresh[key] = _Entry(reads, pickle.dumps(scan, protocol=pickle.HIGHEST_PROTOCOL))
        return scan, crash

    def _still_current(self, key: str, root: Path) -> tuple[_Entry, _Entry, tuple[FileRead, ...]] | None:
        """The stored entry of ``key`` if every observation it holds still gives its outcome: the entry, the
        entry to keep (a new stamp, a file touched with its bytes the same, is kept so it is not read again
        next time), and the observations made again; None for a miss."""
        stored = self._stored.get(key)
        current = self._current(stored.reads, root) if stored is not None else None
        if stored is None or current is None:
            return None
        return stored, stored if _same_stamps(current, stored.reads) else dataclasses.replace(stored, reads=current), current

    def _observe(self, log: ReadLog) -> tuple[FileRead, ...]:
        """What a loader or the scan just read, kept as this run's observations: later entries compare against them."""
        reads = tuple(log)
        for read in reads:
            self._observed.setdefault((read.what, read.path, read.limit), read)
        return reads

    # --- parallel loading (parallel.py): a forked worker's loads, handed to the parent's cache ---------

    @contextlib.contextmanager
    def collecting(self) -> Iterator[CacheChanges]:
        """What the loads inside the block add to this run (entries, hits, misses), to send to another process.

        Those entries are taken out of this run's pack: the process that gets them
        :meth:`absorb` s them, and writes them as if it had loaded those units itself.
        """
        changes = CacheChanges()
        fresh, hits, misses = self._fresh, self.hits, self.misses
        self._fresh = changes.entries
        try:
            yield changes
        finally:
            self._fresh = fresh
            changes.hits, changes.misses = self.hits - hits, self.misses - misses
            self.hits, self.misses = hits, misses

    def absorb(self, changes: CacheChanges) -> None:
        """Take what another process's loads of this run made (see :meth:`collecting`) as if made here."""
        for key, entry in changes.entries.items():
            stored = self._stored.get(key)
            unchanged = stored is not None and stored == entry and _same_stamps(entry.reads, stored.reads)
            self._fresh[key] = stored if unchanged and stored is not None else entry  # unchanged: the pack is not rewritten
        self.hits += changes.hits
        self.misses += changes.misses

    # --- what discovery made of each file (discover.Classifications) ----------------------

    def recall(self, key: str) -> Classified | None:
        """What discovery made of these bytes at this path before, if this pack remembers it."""
        stored = self._stored.get(f"c:{key}")
        if stored is None:
            return None
        self._pause.pause()
        try:
            classified = pickle.loads(stored.payload)
        except Exception:  # a damaged entry is a miss
            return None
        from .discover import Classified

        if not isinstance(classified, Classified):
            return None
        self._fresh[f"c:{key}"] = stored
        return classified

    def remember(self, key: str, classified: Classified) -> None:
        """Keep what discovery made of these bytes (the key holds their digest: nothing else needs checking)."""
        with contextlib.suppress(Exception):
            self._fresh[f"c:{key}"] = _Entry((), pickle.dumps(classified, protocol=pickle.HIGHEST_PROTOCOL))

    def key(self, candidate: Candidate, discovery: Discovery, config: LoadConfig, inputs: UnitInputs | None) -> str:
        """What a unit's result depends on besides the files it reads, as one digest."""
        environment = tuple((name, os.environ.get(name)) for name in config.env_allow)  # ${env:..} the options allow
        parts = (
            candidate.format,
            candidate.relpath,
            _settings(config),
            environment,
            inputs,
            self._layout_of(discovery),
        )
        return hashlib.blake2b(repr(parts).encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()

    def _layout_of(self, discovery: Discovery) -> str:
        """Which units and samconfig files discovery found: loaders look their neighbours up by it.

        A unit added, removed or renamed changes it, and so every key: such a run reads every unit.
        """
        if self._layout is not None and self._layout[0] is discovery:
            return self._layout[1]
        layout = (
            sorted((candidate.relpath, candidate.format) for candidate in discovery.candidates),
            sorted(discovery.samconfigs.items()),
            sorted(discovery.terraform_dirs),
        )
        digest = hashlib.blake2b(repr(layout).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
        self._layout = (discovery, digest)
        return digest

    def _current(self, reads: tuple[FileRead, ...], root: Path) -> tuple[FileRead, ...] | None:
        """The same observations made now (with today's stamps), or None as soon as one gives another outcome."""
        current = []
        for read in reads:
            slot = (read.what, read.path, read.limit)
            now = self._observed.get(slot)
            if now is None:
                seen = self._run_log.reads.get(slot)  # read a moment ago in this run (by discovery): not read again
                now = self._observed[slot] = seen if seen is not None else files.reobserve(read, root)
            if now.outcome != read.outcome:
                return None
            current.append(now)
        return tuple(current)

    # --- packs ----------------------------------------------------------------------

    def stored_entries(self, root: Path, config: LoadConfig, paths: Sequence[object] = ()) -> dict[str, _Entry]:
        """What the last load of ``paths`` under ``root`` left in the pack (its units as loaded, with their reads)."""
        return self._read_pack(self._pack_of(root, config, paths))

    def _pack_of(self, root: Path, config: LoadConfig, paths: Sequence[object]) -> Path:
        return self.directory / f"{_pack_name(root, config, paths)}{_PACK_SUFFIX}"

    def _read_pack(self, pack: Path) -> dict[str, _Entry]:
        try:
            data = pack.read_bytes()
        except OSError:
            return {}
        try:
            entries = self._decode(data, pack.name)
        except Exception:  # a truncated, corrupt or foreign pack is a miss, never an error
            return {}
        return entries if entries is not None else {}

    def _decode(self, data: bytes, name: str) -> dict[str, _Entry] | None:
        body = signed_body(data, _FORMAT, self._signing_key(), name)
        if body is None:
            return None  # not written by this user's cache: never unpickled
        with collector_paused():
            stored_name, entries = pickle.loads(body)
        if stored_name != name or not isinstance(entries, dict):
            return None
        return {key: _Entry(*entry) for key, entry in entries.items()}

    def _write_pack(self, pack: Path) -> None:
        secret = self._signing_key()
        if secret is None:
            return
        entries = {key: (entry.reads, entry.payload, entry.record) for key, entry in self._fresh.items()}
        body = pickle.dumps((pack.name, entries), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            write_signed(pack, _FORMAT, secret, body)
        except OSError as exc:
            self.problem = f"cache folder {self.directory} cannot be written ({exc.strerror or exc}); running without a cache"
            return
        self.writes += 1
        self._evict()

    def _signing_key(self) -> bytes | None:
        """The secret that signs packs, kept outside the repository (created on first use)."""
        if self._secret is None:
            self._secret, problem = signing_key(self._key_file)
            self.problem = problem or self.problem
        return self._secret

    def _evict(self) -> None:
        """Keep the folder under ``max_bytes``: remove the least recently used packs and stored runs beyond it."""
        try:
            packs = []
            for entry in os.scandir(self.directory):
                if entry.name.endswith((_PACK_SUFFIX, ".run")):  # packs, and stored runs (run_cache.py)
                    stat = entry.stat()
                    packs.append((stat.st_mtime_ns, stat.st_size, entry.path))
        except OSError:
            return
        total = sum(size for _, size, _ in packs)
        for _, size, path in sorted(packs):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                os.remove(path)
            total -= size

    def summary(self) -> str:
        """One line for a report header: ``cache: 12 hits, 3 misses (folder)``."""
        text = f"cache: {self.hits} hits, {self.misses} misses ({self.directory})"
        return f"{text}; {self.problem}" if self.problem else text


@dataclass
class CacheChanges:
    """What some loads added to a run of a :class:`UnitCache`: its entries by key, and how many hits and misses."""

    entries: dict[str, _Entry] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0


@dataclass(frozen=True)
class _Entry:
    reads: tuple[FileRead, ...]  # what the loader observed, each with its outcome
    payload: bytes  # the pickled CachedLoad, unpickled only when every read still gives its outcome
    record: bytes | None = None  # the pickled unit_records.LoadRecord of its units, when one was asked for


def _same_stamps(current: tuple[FileRead, ...], stored: tuple[FileRead, ...]) -> bool:
    return all(now.stamp == before.stamp for now, before in zip(current, stored, strict=True))


def _sign(secret: bytes, name: str, *body: bytes | memoryview) -> bytes:
    signer = hmac.new(secret, name.encode() + b"\x00", "sha256")
    for part in body:  # fed part by part: a stored graph of many megabytes is never copied to be signed
        signer.update(part)
    return signer.digest()


def write_signed(path: Path, header: bytes, secret: bytes, *body: bytes | memoryview) -> None:
    """Write ``body`` (its parts in order) to ``path`` atomically, after ``header`` and an HMAC of the name and body."""
    _atomic_write(path, header, _sign(secret, path.name, *body), *body)


def signed_body(data: bytes, header: bytes, secret: bytes | None, name: str) -> bytes | None:
    """The body :func:`write_signed` put in the file ``name`` with ``secret``; None for any other bytes.

    A file this user's cache did not write (planted, damaged, another format) is
    never unpickled.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "entry"
    >>> write_signed(path, b"fmt 1:", b"key", b"body")
    >>> data = path.read_bytes()
    >>> signed_body(data, b"fmt 1:", b"key", "entry"), signed_body(data, b"fmt 1:", b"other", "entry")
    (b'body', None)
    """
    if secret is None or not data.startswith(header):
        return None
    signature, body = data[len(header) : len(header) + 32], data[len(header) + 32 :]
    return body if hmac.compare_digest(signature, _sign(secret, name, body)) else None


_Kept = TypeVar("_Kept")


def _unpickled(payload: bytes, kind: type[_Kept]) -> _Kept | None:
    """``payload`` unpickled if it holds a ``kind``; None for a damaged entry (a miss, never an error) or another type."""
    try:
        with collector_paused():  # unpickling many small containers: the cyclic collector would rescan them all
            found = pickle.loads(payload)
    except Exception:
        return None
    return found if isinstance(found, kind) else None


def _unpickled_units(payload: bytes) -> list[LoadedUnit] | None:
    cached = _unpickled(payload, CachedLoad)
    return None if cached is None else cached.units


def _record(made: CachedLoad, config: LoadConfig) -> bytes | None:
    """The pickled record of one loader call's units (see :mod:`.unit_records`); None when it cannot be made."""
    from .unit_records import record_of

    try:
        return pickle.dumps(record_of(made.units, made.errors, made.notes, config), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a record is an optimisation: without one the unit is unpickled, as ever
        return None


def _settings(config: LoadConfig) -> tuple[tuple[str, Any], ...]:
    return tuple((item.name, getattr(config, item.name)) for item in dataclasses.fields(config) if item.compare)


def _pack_name(root: Path, config: LoadConfig, paths: Sequence[object]) -> str:
    """One pack per repository root, paths loaded, options and code: a run reads and writes only its own."""
    parts = (_code_fingerprint(), str(root), [str(path) for path in paths], _settings(config))
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _atomic_write(path: Path, *data: bytes | memoryview) -> None:
    """Write ``data`` (its parts in order) to a temporary file beside ``path``, then move it there: readers see all or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _mark_cache_folder(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.writelines(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise


def _mark_cache_folder(directory: Path) -> None:
    """A ``.gitignore`` of ``*`` (as pytest and ruff do) and a CACHEDIR.TAG, so the folder is never committed nor backed up."""
    ignore = directory / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(OSError):
            _atomic_text(ignore, "# created by pytest-serverless-arch\n*\n")
            _atomic_text(
                directory / "CACHEDIR.TAG",
                "Signature: 8a477f597d28d172789f06886806bc55\n# the warm cache of pytest-serverless-arch\n",
            )


def _atomic_text(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)


def signing_key(key_file: Path | None = None) -> tuple[bytes | None, str | None]:
    """The secret that signs every cache file (``key_file``, by default kept outside any repository), or None and why not."""
    path = key_file or user_cache_home() / "cache-key"
    try:
        return _read_or_create_secret(path), None
    except OSError as exc:
        return None, f"the cache key {path} cannot be read or written ({exc.strerror or exc}); running without a cache"


def _read_or_create_secret(path: Path) -> bytes:
    """32 random bytes at ``path``; the first of several processes creating it at once wins (``os.link`` is atomic)."""
    with contextlib.suppress(FileNotFoundError):
        secret = path.read_bytes()
        if len(secret) == 32:
            return secret
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-key-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(secrets.token_bytes(32))
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            secret = path.read_bytes()
            if len(secret) != 32:  # a damaged key: replace it (entries signed with it become misses)
                os.replace(temporary, path)
                return path.read_bytes()
    finally:
        with contextlib.suppress(OSError):
            os.remove(temporary)
    return path.read_bytes()


_FINGERPRINT: list[str] = []


# The installed distributions whose code decides what a file reads as (the parsers, the graph library).
_DEPENDENCIES = ("pyyaml", "networkx", "tree_sitter", "tree_sitter_bash", "tree_sitter_hcl", "cfn_flip")


def _dependency_versions() -> list[str]:
    """The ``*.dist-info`` folder names (name and version) of :data:`_DEPENDENCIES` on ``sys.path``: one listing a folder."""
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip file, a missing folder
            continue
        found += sorted(name for name in names if name.endswith(".dist-info") and name.lower().split("-")[0] in _DEPENDENCIES)
    return found


def _code_fingerprint() -> str:
    """This package's code (every module's path, size and modification time), its parsers' versions and the Python.

    Another version of the package or of a parser, or any edit of its code, makes every entry a miss.
    """
    if not _FINGERPRINT:
        package = Path(__file__).parent
        stats: list[Any] = [sys.version, _dependency_versions()]
        for directory, _, names in sorted(os.walk(package)):
            for name in sorted(names):
                if name.endswith(".py"):
                    stat = os.stat(os.path.join(directory, name))
                    stats.append((os.path.relpath(os.path.join(directory, name), package), stat.st_size, stat.st_mtime_ns))
        _FINGERPRINT.append(hashlib.blake2b(repr(stats).encode(), digest_size=16).hexdigest())
    return _FINGERPRINT[0]
