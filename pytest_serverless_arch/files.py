"""The one door every file read goes through: confined to the repository, regular files only, bounded.

A repository under test is untrusted input. Before any byte of a file is read,
:func:`read_bytes` resolves the path (symlinks included), refuses anything
that lands outside the repository root, anything that is not a regular file
(a FIFO would block forever, a device would read forever), and anything over
the size limit. Every refusal is one :class:`UnreadableFile` carrying a short
reason; callers turn it into a note or a load error at the line that named
the file. :func:`read_text` adds decoding (UTF-8, or UTF-16/UTF-32 by their
byte order mark or their NUL pattern) and refuses NUL bytes.

>>> import pathlib, tempfile
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "template.yaml").write_text("Resources: {}\\n")
>>> read_text(root / "template.yaml", root)
'Resources: {}\\n'
>>> try:
...     read_text(root / ".." / "elsewhere.yaml", root)
... except UnreadableFile as exc:
...     print(exc)
../elsewhere.yaml: resolves outside the repository; not read
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = [
    "CAUSES",
    "MAX_FILE_BYTES",
    "FileRead",
    "ReadLog",
    "UnreadableFile",
    "WalkRoot",
    "confine",
    "confine_listed",
    "decode_text",
    "digest",
    "forget_folders",
    "is_dir",
    "is_file",
    "is_recording",
    "joined",
    "list_dir",
    "note_reused",
    "observe",
    "read_bytes",
    "read_confined",
    "read_text",
    "recording",
    "reobserve",
    "replay",
    "shown_path",
    "walk",
    "walk_root",
]

# Templates, tfvars, samconfig and manifests are small; a bigger file is refused before it is read.
MAX_FILE_BYTES = 20 * 1024 * 1024

_READ_CHUNK = 1024 * 1024

# The reasons os errors give, worded for a person (never the raw exception text).
_ERRNO_REASONS = {
    errno.ENOENT: ("does not exist", "missing"),
    errno.ENOTDIR: ("does not exist (a part of its path is not a folder)", "missing"),
    errno.ELOOP: ("is a symlink loop (or too many symlinks); not read", "loop"),
    errno.EACCES: ("cannot be read: permission denied", "permission"),
    errno.EPERM: ("cannot be read: operation not permitted", "permission"),
    errno.ENAMETOOLONG: ("has a name too long to open", "unreadable"),
    errno.EISDIR: ("is a directory, not a file; not read", "special"),
}
# What went wrong, for callers that word a missing or outside file as a note and the rest as errors.
CAUSES = ("outside", "missing", "loop", "permission", "special", "too-large", "encoding", "unreadable")


class UnreadableFile(Exception):
    """A file the tool refuses or fails to read, with a reason a person can act on.

    ``path`` is the path as the repository names it (relative to the root when
    it can be), ``reason`` says why, ``line`` is the line of the file the
    problem is on (a bad byte), or 0. ``str()`` is ``path: reason``.
    """

    def __init__(self, path: str, reason: str, line: int = 0, *, cause: str = "unreadable") -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.line = line
        self.cause = cause  # one of CAUSES: lets a caller make a note of "outside"/"missing" and an error of the rest

    @property
    def message(self) -> str:
        """The reason said of the file itself (``not UTF-8 text``), as a load error on that file spells it."""
        return self.reason.removeprefix("is ")


def shown_path(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> str:
    """``path`` as a person reading a report of ``root`` knows it: relative, with ``/``.

    >>> shown_path("/repo/a/template.yaml", "/repo"), shown_path("/repo", "/repo"), shown_path("/x.yaml", "/repo")
    ('a/template.yaml', '.', '../x.yaml')
    """
    absolute, base = os.path.abspath(path), os.path.abspath(root)
    if os.sep == "/":  # the common case in plain string operations: pathlib cost a tenth of a corpus run
        if absolute.startswith(base) and absolute[len(base) : len(base) + 1] == "/" and base != "/":
            return absolute[len(base) + 1 :]
        if absolute == base:
            return "."
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        return str(path)
    return PurePosixPath(Path(relative)).as_posix()


def _refusal(shown: str, exc: OSError) -> UnreadableFile:
    default = (f"cannot be read ({os.strerror(exc.errno) if exc.errno else 'error'})", "unreadable")
    reason, cause = _ERRNO_REASONS.get(exc.errno or 0, default)
    return UnreadableFile(shown, reason, cause=cause)


# The real path of each root seen, by its name and the identity of the folder the name reaches. realpath
# asks the system about every component of the path, on each of ~9,000 reads of a corpus run (8% of it);
# one stat of the root is enough to know the answer has not changed: a root that is a symlink pointed
# elsewhere, a folder replaced or renamed (its change time moves), or another working folder for a
# relative name, reaches another identity and is resolved again.
_REAL_ROOTS: dict[tuple[str, str, int, int, int], str] = {}
_REAL_ROOTS_KEPT = 64


def _real_root(root: str | os.PathLike[str]) -> str:
    """``os.path.realpath(root)``, remembered while the folder ``root`` names stays the same one.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> _real_root(folder) == os.path.realpath(folder)
    True
    """
    name = os.fspath(root)
    try:
        info = os.stat(name)
    except (OSError, ValueError):  # missing, a loop, a NUL byte: let realpath and confine word it
        return os.path.realpath(name)
    key = (name, os.getcwd() if not os.path.isabs(name) else "", info.st_dev, info.st_ino, info.st_ctime_ns)
    real = _REAL_ROOTS.get(key)
    if real is None:
        if len(_REAL_ROOTS) >= _REAL_ROOTS_KEPT:
            _REAL_ROOTS.clear()
        real = _REAL_ROOTS[key] = os.path.realpath(name)
    return real


def _within(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


# --- what a load observed: the warm cache (cache.py) replays these to know whether a unit is still valid ---

Stamp = tuple[int, int, int, int, int, int]
"""What ``stat`` says of a file whose digest was taken: size, modification and change times (ns), inode, device, mode."""

RACY_NS = 2_000_000_000
"""A file changed less than this long before it was read gets no stamp (see :func:`_stamp`)."""


def _fingerprint(info: os.stat_result) -> Stamp:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev, info.st_mode)


def _stamp(info: os.stat_result, now_ns: int) -> Stamp | None:
    """The stat index's entry for a file read at ``now_ns``, or None when it is racy (git's index does the same).

    A file with the same stamp later has the same bytes without being read again:
    any write after the read moves its modification or change time. But a write in
    the same tick of the file system's clock as an earlier one may leave both times
    as they were, so a file changed within :data:`RACY_NS` of its read (or "in the
    future", by another machine's clock) is not trusted and is read again next time.

    >>> from types import SimpleNamespace as Stat
    >>> info = Stat(st_size=12, st_mtime_ns=5 * 10**9, st_ctime_ns=5 * 10**9, st_ino=7, st_dev=1, st_mode=0o100644)
    >>> _stamp(info, now_ns=10_000_000_000)
    (12, 5000000000, 5000000000, 7, 1, 33188)
    >>> _stamp(info, now_ns=6_000_000_000) is None
    True
    """
    if max(info.st_mtime_ns, info.st_ctime_ns) >= now_ns - RACY_NS:
        return None
    return _fingerprint(info)


@dataclass(frozen=True)
class FileRead:
    """One observation of the file system through this module: a file's bytes, a path's confinement, a folder's names.

    ``what`` is ``bytes`` (:func:`read_bytes`, ``limit`` its size bound), ``real``
    (:func:`confine`), ``is_file`` (:func:`is_file`), ``is_dir`` (:func:`is_dir`),
    ``listing`` (:func:`list_dir`) or ``walk`` (a folder :func:`walk` went through);
    ``path`` is absolute, as asked; ``outcome`` is a content digest, a real path, a
    yes/no or a refusal (``!`` and its reason), so a file that was absent and appears
    is a different outcome too. ``stamp`` is the file's :data:`Stamp` when its bytes were
    read: while ``stat`` still gives it, the file is not read again to be hashed.
    """

    what: str
    path: str
    outcome: str
    limit: int | None = None
    stamp: Stamp | None = field(default=None, compare=False)  # bytes: the file's stat when read (see _stamp)


class ReadLog:
    """The observations made while it was recording (see :func:`recording`), each once."""

    def __init__(self) -> None:
        self.reads: dict[tuple[str, str, int | None], FileRead] = {}

    def add(self, read: FileRead) -> None:
        self.reads.setdefault((read.what, read.path, read.limit), read)

    def __iter__(self) -> Iterator[FileRead]:
        return iter(self.reads.values())


_LOGS: list[ReadLog] = []  # every log being recorded into (nested recordings all see a read)


@contextmanager
def recording() -> Iterator[ReadLog]:
    """Record every observation made through this module until the block ends.

    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with recording() as log:
    ...     is_file(root / "samconfig.toml", root)
    False
    >>> [(read.what, read.outcome) for read in log]
    [('is_file', 'no')]
    """
    log = ReadLog()
    _LOGS.append(log)
    try:
        yield log
    finally:
        _LOGS.remove(log)


def is_recording() -> bool:
    """Whether a :func:`recording` is active: whether an observation made now is kept by anyone.

    >>> is_recording()
    False
    >>> with recording():
    ...     is_recording()
    True
    """
    return bool(_LOGS)


def replay(reads: ReadLog | tuple[FileRead, ...]) -> None:
    """Add earlier observations to every active recording (state built once and shared by several units)."""
    for log in _LOGS:
        table = log.reads
        for read in reads:
            table.setdefault((read.what, read.path, read.limit), read)


def _record(what: str, path: str | os.PathLike[str], outcome: str, limit: int | None = None, stamp: Stamp | None = None) -> None:
    if _LOGS:
        _log(FileRead(what, os.path.abspath(path), outcome, limit, stamp))


def _log(read: FileRead) -> None:
    """Add one observation (its path already absolute and normalised) to every active recording."""
    for log in _LOGS:
        log.add(read)


def note_reused(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> None:
    """Record ``path`` as read, when its parsed form read earlier (by discovery) is used instead of reading it.

    An enclosing recording that saw the read gives its outcome; else the file is read again now.
    """
    if not _LOGS:
        return
    slot = ("bytes", os.path.abspath(path), None)
    known = next((log.reads[slot] for log in _LOGS if slot in log.reads), None)
    if known is not None:
        replay((known,))
        return
    # a refusal is recorded too: the file changed since it was parsed, so no cached result keeps it
    with contextlib.suppress(UnreadableFile):
        read_bytes(path, root)


def digest(data: bytes) -> str:
    """The content digest the cache compares (blake2b, 128 bits).

    >>> digest(b"Resources: {}")
    '7debb7d98a1c95f2907dc4d4d2576704'
    """
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def observe(read: FileRead, root: str | os.PathLike[str]) -> str:
    """What the same observation gives now: equal to ``read.outcome`` when nothing it saw has changed."""
    return reobserve(read, root).outcome


def reobserve(read: FileRead, root: str | os.PathLike[str]) -> FileRead:
    """The same observation made now, with the file's stamp as it is now.

    A file read before whose ``stat`` still gives its stamp is not read again: it
    still has the bytes it had (see :func:`_stamp`). Everything else is observed
    as it was the first time: read and hashed, resolved, asked, listed.
    """
    try:
        if read.what == "bytes":
            if read.stamp is not None:
                real = _confine(read.path, root)
                with contextlib.suppress(OSError):
                    if _fingerprint(os.stat(real)) == read.stamp:
                        return read
            data, stamp = _read_stamped(read.path, root, read.limit)
            return FileRead(read.what, read.path, digest(data), read.limit, stamp)
        return FileRead(read.what, read.path, _observe_now(read, root), read.limit)
    except UnreadableFile as exc:
        return FileRead(read.what, read.path, _refused(exc), read.limit)
    except OSError as exc:
        return FileRead(read.what, read.path, f"!{exc.errno}", read.limit)


def _observe_now(read: FileRead, root: str | os.PathLike[str]) -> str:
    if read.what == "real":
        return _confine(read.path, root)
    if read.what == "is_file":
        return "yes" if _is_file(read.path) else "no"
    if read.what == "is_dir":
        return "yes" if _is_dir(read.path) else "no"
    if read.what == "listing":
        return _names_digest(_list_dir(read.path))
    if read.what == "walk":
        return _walked(read.path)
    return f"!unknown observation {read.what}"


def _refused(exc: UnreadableFile) -> str:
    return f"!{exc.cause}:{exc.line}:{exc.reason}"


def _names_digest(names: list[str]) -> str:
    return digest("\x00".join(sorted(names)).encode("utf-8", "surrogateescape"))


def is_file(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """``Path.is_file`` (False under a folder that cannot be searched), recorded for the cache.

    ``root`` is the repository the answer belongs to (unused for the check itself).
    """
    answer = _is_file(path)
    _record("is_file", path, "yes" if answer else "no")
    return answer


def _is_file(path: str | os.PathLike[str]) -> bool:
    try:
        return os.path.isfile(path)
    except (OSError, ValueError):
        return False


def is_dir(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """``Path.is_dir`` (False under a folder that cannot be searched), recorded for the cache."""
    answer = _is_dir(path)
    _record("is_dir", path, "yes" if answer else "no")
    return answer


def _is_dir(path: str | os.PathLike[str]) -> bool:
    try:
        return os.path.isdir(path)
    except (OSError, ValueError):
        return False


def walk(
    top: str | os.PathLike[str], root: str | os.PathLike[str], *, onerror: Callable[[OSError], object] | None = None
) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(top, followlinks=False)``, each folder's listing recorded for the cache (``root``: the repository).

    As with ``os.walk``, the caller may prune ``dirnames`` in place; what is recorded
    is the whole listing, folders apart from the rest, as ``os.walk`` sorts them.
    """

    def unlisted(error: OSError) -> None:
        if error.filename is not None:
            _record("walk", error.filename, f"!{error.errno}")
        if onerror is not None:
            onerror(error)

    for directory, dirnames, filenames in os.walk(top, onerror=unlisted, followlinks=False):
        _record("walk", directory, _walk_digest(dirnames, filenames))
        yield directory, dirnames, filenames


def _walk_digest(dirnames: list[str], filenames: list[str]) -> str:
    return digest("\x00".join([*sorted(dirnames), "/", *sorted(filenames)]).encode("utf-8", "surrogateescape"))


def _walked(directory: str) -> str:
    """What :func:`walk` records of ``directory`` now (``os.walk`` counts a link to a folder as a folder)."""
    dirnames: list[str] = []
    filenames: list[str] = []
    with os.scandir(directory) as entries:
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            (dirnames if is_folder else filenames).append(entry.name)
    return _walk_digest(dirnames, filenames)


def list_dir(directory: str | os.PathLike[str], root: str | os.PathLike[str]) -> list[str]:
    """The names in ``directory``, sorted (as ``os.listdir``: raises ``OSError``), recorded for the cache."""
    try:
        names = _list_dir(directory)
    except OSError as exc:
        _record("listing", directory, f"!{exc.errno}")
        raise
    _record("listing", directory, _names_digest(names))
    return names


def _list_dir(directory: str | os.PathLike[str]) -> list[str]:
    return sorted(os.listdir(directory))


def confine(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> Path:
    """The real path of ``path`` once every symlink is followed, when it stays inside ``root``.

    Raises :class:`UnreadableFile` like the check it records (see :func:`_confine`).
    """
    if not _LOGS:
        return Path(_confine(path, root))
    return Path(_recorded_real(os.path.abspath(path), lambda: _confine(path, root)))


def _recorded_real(path: str, resolve: Callable[[], str]) -> str:
    """``resolve()``, the real path of ``path`` (absolute and normalised), with its outcome or refusal recorded."""
    try:
        real = resolve()
    except UnreadableFile as exc:
        _log(FileRead("real", path, _refused(exc)))
        raise
    _log(FileRead("real", path, real))
    return real


def _confine(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> str:
    """The real path of ``path`` once every symlink is followed, when it stays inside ``root``.

    Raises :class:`UnreadableFile` for a path outside the root (through ``..``
    or a symlink), a symlink loop, a missing file, a NUL byte in the name or a
    folder that cannot be searched. Works for folders too.
    """
    name = os.fspath(path)
    if "\x00" in name:
        shown = shown_path(path, root)
        raise UnreadableFile(shown.replace("\x00", "\\x00"), "has a NUL byte in its name; not read", cause="unreadable")
    base = _real_root(root)
    absolute = os.path.abspath(name)
    # ``..`` out of the root is refused by name, before asking whether the file exists.
    if not _within(absolute, os.path.abspath(root)) and not _within(absolute, base):
        raise UnreadableFile(shown_path(path, root), "resolves outside the repository; not read", cause="outside")
    try:
        # ``..`` after a symlink climbs from where the link leads: only realpath itself follows that
        real = os.path.realpath(name, strict=True) if ".." in name else _real_path(absolute)
    except OSError as exc:
        # realpath(strict) reports a loop as ELOOP, a missing part as ENOENT, a locked folder as EACCES.
        raise _refusal(shown_path(path, root), exc) from None
    if not _within(real, base):
        raise UnreadableFile(shown_path(path, root), "resolves outside the repository; not read", cause="outside")
    return real


@dataclass(frozen=True)
class WalkRoot:
    """A repository root as a walk confines each file it lists (see :func:`confine_listed`).

    ``given`` is the root as named (messages are relative to it), ``absolute`` that
    name made absolute, ``real`` its real path, resolved once for the whole walk.
    """

    given: str
    absolute: str
    real: str


def walk_root(root: str | os.PathLike[str]) -> WalkRoot:
    """The :class:`WalkRoot` of ``root``, its real path resolved now.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> walk_root(folder).real == os.path.realpath(folder)
    True
    """
    name = os.fspath(root)
    return WalkRoot(name, os.path.abspath(name), _real_root(name))


def joined(folder: str, name: str) -> str:
    """``os.path.join(folder, name)`` for a ``name`` a folder listed (never absolute, never empty), in one step.

    >>> joined("/repo/a", "template.yaml"), joined("/", "template.yaml")
    ('/repo/a/template.yaml', '/template.yaml')
    """
    return folder + name if folder.endswith("/") else f"{folder}/{name}"


def confine_listed(folder: str, name: str, root: WalkRoot) -> str:
    """:func:`confine` of ``os.path.join(folder, name)``, for a ``name`` listed in ``folder``: its real path, a string.

    ``folder`` is absolute and normalised, without ``..`` (as :func:`walk` gives under
    such a top), so the path needs no ``abspath`` and ``root``'s real path is the walk's.
    Records the observation :func:`confine` records and refuses what it refuses, with
    the same reasons; a walk of thousands of files spent a third of its time making and
    normalising paths for it.

    >>> import pathlib, tempfile
    >>> top = pathlib.Path(tempfile.mkdtemp()).resolve()
    >>> _ = (top / "template.yaml").write_text("Resources: {}\\n")
    >>> confine_listed(str(top), "template.yaml", walk_root(top)) == str(top / "template.yaml")
    True
    """
    path = joined(folder, name)
    if not _LOGS:
        return _confine_listed(folder, name, path, root)
    return _recorded_real(path, lambda: _confine_listed(folder, name, path, root))


def _confine_listed(folder: str, name: str, path: str, root: WalkRoot) -> str:
    """:func:`_confine` of ``path`` (``folder`` joined with ``name``), the steps it takes for such a path."""
    if "\x00" in path:
        return _confine(path, root.given)  # words the refusal
    if not _within(path, root.absolute) and not _within(path, root.real):
        raise UnreadableFile(shown_path(path, root.given), "resolves outside the repository; not read", cause="outside")
    try:
        # ``..`` in a name (``a..yaml``) sent _confine to realpath itself: the same answer, one lstat less here
        candidate = joined(_real_folder(folder), name)
        real = os.path.realpath(candidate, strict=True) if stat.S_ISLNK(os.lstat(candidate).st_mode) else candidate
    except OSError as exc:
        raise _refusal(shown_path(path, root.given), exc) from None
    if not _within(real, root.real):
        raise UnreadableFile(shown_path(path, root.given), "resolves outside the repository; not read", cause="outside")
    return real


# The real path of each folder seen, with the identity (device, inode, change time) of the folder it was
# found for. ``os.path.realpath`` asks the system about every part of a path; a corpus run confines ~9,000
# paths in a few hundred folders. A folder replaced, renamed or reached through another symlink is another
# identity and is resolved again; ``load()`` forgets them all at its start (see :func:`forget_folders`).
_REAL_FOLDERS: dict[str, tuple[str, int, int, int]] = {}
_REAL_FOLDERS_KEPT = 100_000
_PARENTS_FOLLOWED = 128  # how deep a folder may be to take its real path from its parent's (see _real_folder)


def forget_folders() -> None:
    """Forget the real paths of folders seen so far (a new load resolves each folder once again)."""
    _REAL_FOLDERS.clear()


def _real_folder(folder: str) -> str:
    info = os.stat(folder)
    known = _REAL_FOLDERS.get(folder)
    if known is not None and known[1:] == (info.st_dev, info.st_ino, info.st_ctime_ns):
        return known[0]
    # its parent's real path (remembered the same way) and its own name, unless that name is a symlink: what
    # ``os.path.realpath(folder, strict=True)`` answers, with one lstat instead of one for every part of the path
    # (a folder hundreds of levels deep asks realpath itself: each level up is two frames of recursion here)
    real = _real_path(folder) if folder.count("/") <= _PARENTS_FOLLOWED else os.path.realpath(folder, strict=True)
    if len(_REAL_FOLDERS) >= _REAL_FOLDERS_KEPT:
        _REAL_FOLDERS.clear()
    _REAL_FOLDERS[folder] = (real, info.st_dev, info.st_ino, info.st_ctime_ns)
    return real


def _real_path(absolute: str) -> str:
    """``os.path.realpath(absolute, strict=True)`` for a normalised absolute path, its folder's answer remembered."""
    folder, name = os.path.split(absolute)
    if not name or not folder:
        return os.path.realpath(absolute, strict=True)
    real_folder = _real_folder(folder)
    candidate = os.path.join(real_folder, name)
    if stat.S_ISLNK(os.lstat(candidate).st_mode):
        return os.path.realpath(candidate, strict=True)
    return candidate


def _kind(mode: int) -> str | None:
    """What a non-regular file is, for the refusal; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: str | os.PathLike[str], root: str | os.PathLike[str], *, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` inside ``root``, at most ``limit`` of them (default :data:`MAX_FILE_BYTES`).

    Raises :class:`UnreadableFile` for everything :func:`confine` refuses, for
    FIFOs, devices, sockets and folders, and for files over ``limit`` bytes.
    While a :func:`recording` is active, the outcome (a digest or the refusal) is recorded.
    """
    if not _LOGS:
        return _read_bytes(path, root, limit)
    return _recorded_bytes(os.path.abspath(path), limit, lambda: _read_stamped(path, root, limit))


def read_confined(real: str, root: str | os.PathLike[str], *, limit: int | None = None) -> bytes:
    """:func:`read_bytes` of ``real``, a path :func:`confine` or :func:`confine_listed` has just returned.

    The same checks but the confinement (it was just made: opening with ``O_NOFOLLOW``
    still refuses a file swapped for a symlink since), the same refusals, the same record.
    """
    if not _LOGS:
        return _read_real(real, real, root, limit)[0]
    return _recorded_bytes(real, limit, lambda: _read_real(real, real, root, limit))


def _recorded_bytes(path: str, limit: int | None, read: Callable[[], tuple[bytes, Stamp | None]]) -> bytes:
    """``read()``'s bytes of ``path`` (absolute and normalised), with their digest and stamp, or the refusal, recorded."""
    try:
        data, stamp = read()
    except UnreadableFile as exc:
        _log(FileRead("bytes", path, _refused(exc), limit))
        raise
    _log(FileRead("bytes", path, digest(data), limit, stamp))
    return data


def _read_bytes(path: str | os.PathLike[str], root: str | os.PathLike[str], limit: int | None) -> bytes:
    return _read_stamped(path, root, limit)[0]


def _read_stamped(path: str | os.PathLike[str], root: str | os.PathLike[str], limit: int | None) -> tuple[bytes, Stamp | None]:
    """The file's bytes and its :data:`Stamp` as it was opened (None when it changed too recently to trust)."""
    return _read_real(_confine(path, root), path, root, limit)


def _read_real(
    real: str, path: str | os.PathLike[str], root: str | os.PathLike[str], limit: int | None
) -> tuple[bytes, Stamp | None]:
    """:func:`_read_stamped` of ``path`` once it is confined to ``real`` (``path`` words the refusals)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        before = os.stat(real)
    except OSError as exc:
        raise _refusal(shown_path(path, root), exc) from None
    kind = _kind(before.st_mode)
    if kind is not None:
        raise UnreadableFile(shown_path(path, root), f"is {kind}, not a regular file; not read", cause="special")
    if before.st_size > limit:
        too_large = f"is too large ({before.st_size:,} bytes; files over {limit:,} bytes are not read)"
        raise UnreadableFile(shown_path(path, root), too_large, cause="too-large")
    # O_NONBLOCK: if the file was swapped for a FIFO since the stat, opening it must not block;
    # O_NOFOLLOW: nor may it have become a symlink.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(real, flags)
    except OSError as exc:
        raise _refusal(shown_path(path, root), exc) from None
    try:
        opened = os.fstat(descriptor)
        stamp = _stamp(opened, time.time_ns())
        kind = _kind(opened.st_mode)
        if kind is not None:
            raise UnreadableFile(shown_path(path, root), f"is {kind}, not a regular file; not read", cause="special")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(descriptor, _READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:  # it grew while being read
                too_large = f"is too large (files over {limit:,} bytes are not read)"
                raise UnreadableFile(shown_path(path, root), too_large, cause="too-large")
            chunks.append(chunk)
    except OSError as exc:
        raise _refusal(shown_path(path, root), exc) from None
    finally:
        os.close(descriptor)
    return b"".join(chunks), stamp


# Byte order marks, longest first: UTF-32 LE's mark begins with UTF-16 LE's.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _sniff(data: bytes) -> str:
    """The encoding of text without a mark, from where the NUL bytes of its first ASCII character fall (RFC 4627)."""
    head = data[:4]
    if len(head) == 4:
        if head[:3] == b"\x00\x00\x00" and head[3]:
            return "utf-32-be"
        if head[0] and head[1:] == b"\x00\x00\x00":
            return "utf-32-le"
    if len(head) >= 2:
        if head[0] == 0 and head[1]:
            return "utf-16-be"
        if head[0] and head[1] == 0:
            return "utf-16-le"
    return "utf-8"


def decode_text(data: bytes, shown: str = "<text>") -> str:
    """Text from bytes: UTF-8, or UTF-16/UTF-32 (with or without a byte order mark).

    Raises :class:`UnreadableFile` for bytes that are not text in that
    encoding and for text holding a NUL character, at the line it is on.

    >>> decode_text("a: 1".encode("utf-32"))
    'a: 1'
    """
    encoding, body = next(
        ((name, data[len(mark) :]) for mark, name in _BOMS if data.startswith(mark)),
        (_sniff(data), data),
    )
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        name = encoding.upper().replace("-LE", "").replace("-BE", "")
        raise UnreadableFile(shown, f"is not {name} text (byte 0x{body[exc.start]:02x})", line, cause="encoding") from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise UnreadableFile(shown, "is not text (a NUL character)", line, cause="encoding")
    return text


def read_text(path: str | os.PathLike[str], root: str | os.PathLike[str], *, limit: int | None = None) -> str:
    """:func:`read_bytes`, decoded by :func:`decode_text`."""
    return decode_text(read_bytes(path, root, limit=limit), shown_path(path, root))
