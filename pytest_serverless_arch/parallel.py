"""A load spread over the machine's cores: forked workers that parse and load their share of the files.

Discovery reads every file first (in this process); then a :class:`Team` forks
its workers, which hold everything read so far without being sent anything.
Each process parses its *share* of the files (:meth:`Team.share_out`: every
process ends with what each file is, and keeps the documents it parsed), then
each loads the units of the files it parsed (:meth:`Team.gather`: the workers
send their units back and end). Only small records and the loaded units cross
between processes, pickled through pipes; the caller merges every result in
the serial order, so the result is the same for any number of processes.

A worker that dies, hangs past its deadline or sends something that cannot be
read costs nothing but time: this process runs its share itself, and its
problem is kept in :attr:`Team.problems`. A worker never returns from the block
that started it (``with Team(...)``): whatever happens there, it ends.

Forking is used only where it is safe and pays (:func:`workers_for`): a POSIX
``fork`` outside macOS, no other live thread in the process (a fork copies
locks held by other threads, never the threads), never inside a pytest-xdist
worker (its cores are already shared out), more than one usable core that
other processes leave idle, and enough work for each process. Else everything
runs here, in order.

>>> with Team() as team:
...     team.start(1)  # one process: nothing is forked
...     squares = team.share_out(lambda index, shipped: index * index, [[0, 1, 2]])
>>> squares
{0: 0, 1: 1, 2: 4}
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

from .collector import collector_paused

__all__ = ["MIN_SHARE_BYTES", "Team", "balance", "fork_refusal", "spare_cores", "usable_cores", "workers_for"]

T = TypeVar("T")

MIN_SHARE_BYTES = 1_500_000
"""A worker is forked for at least this many bytes of files to parse and load (see :func:`workers_for`).

Forking, pickling a worker's units there and unpickling them here cost about
what parsing and loading this much does on the benchmark machine; a
10-template service repository is a few tens of kilobytes: it is never forked for.
"""

_MAGIC = b"serverless-arch-share 1\n"
_LENGTH = struct.Struct("<Q")
_MIN_WAIT_S = 30.0  # once our own share is done, a worker gets at least this long before it is taken as hung
_WAIT_FACTOR = 4.0  # ... or this many times as long as our own share took


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says, else every core).

    >>> usable_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def fork_refusal() -> str | None:
    """Why this process must not fork a worker now, or None when it may."""
    if not hasattr(os, "fork") or sys.platform in ("darwin", "win32", "cygwin", "emscripten", "wasi"):
        # macOS: system libraries are not fork-safe (Python's own multiprocessing stopped forking there)
        return "no safe fork on this platform"
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return "inside a pytest-xdist worker"
    if threading.active_count() > 1:
        return "other threads are running in this process"
    return None


def workers_for(jobs: int | None, work_bytes: int, pieces: int) -> int:
    """How many processes share ``pieces`` pieces of ``work_bytes`` bytes in all (1: all of it here).

    ``jobs`` is what the user asked (None: as many as pay). Asked for, ``jobs``
    is taken as it is (as ``make -j`` takes it), bounded by the pieces; else the
    usable cores that other processes leave idle (:func:`spare_cores`), each
    process with at least :data:`MIN_SHARE_BYTES` of work.

    >>> workers_for(1, 10**9, 100)
    1
    >>> workers_for(None, 30_000, 10)  # a small repository is loaded here
    1
    """
    if (jobs is not None and jobs <= 1) or pieces < 2 or fork_refusal() is not None:
        return 1
    if jobs is not None:
        return min(jobs, pieces)
    return max(1, min(spare_cores(), work_bytes // MIN_SHARE_BYTES, pieces))


def spare_cores() -> int:
    """The usable cores other processes leave idle, by the system's load over the last minute (to the nearest).

    One core of that load is taken to be this run's own: the load average lags a
    minute, so it holds this process, or the step of a script or CI job that ran
    just before it (on an otherwise quiet 2-core machine a report run right after
    another sees a load of about 1, and both cores are free for it).

    A worker on a core another process keeps busy slows both (and the load waits
    for the slowest of its processes): on a machine whose cores are busy, a load
    runs faster in one process (on two cores at a load of 2 to 4, a corpus report
    in two processes took 1.3 times as long as in one).

    >>> 0 <= spare_cores() <= usable_cores()
    True
    """
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load figure on this system: take every core as idle
        return usable_cores()
    return max(0, min(usable_cores(), math.floor(usable_cores() + 1 - load + 0.5)))


# What a piece costs besides its own work, as a share of that work: a worker pickles the units it loaded (about
# a third of what parsing and loading them took), and this process unpickles them (about a sixth). Measured on
# the shared corpus: 7 MB of units, 0.4 s to pickle and 0.2 s to unpickle, for 1.3 s of parsing and loading.
PICKLE_COST = 0.3
UNPICKLE_COST = 0.15


def balance(weights: Sequence[int], shares: int, *, placed: Mapping[int, int] | None = None) -> list[list[int]]:
    """The indices of ``weights`` in ``shares`` shares that take about as long, each share in index order.

    Share 0 is this process's, the others the workers': a worker's piece costs
    its weight and the pickling of its result (:data:`PICKLE_COST`); it costs
    this process the unpickling (:data:`UNPICKLE_COST`), which it does after its
    own share. ``placed`` puts indices in given shares first; then the heaviest of
    the rest goes first, each to the share that ends soonest with it.

    >>> balance([5, 1, 1, 3], 2)  # here 5, then unpickling 5; the worker 5, and pickling it
    [[0], [1, 2, 3]]
    >>> balance([4, 4, 4, 4], 1)
    [[0, 1, 2, 3]]
    >>> balance([5, 1, 1, 3], 2, placed={0: 1})
    [[1, 2, 3], [0]]
    """
    placed = placed or {}
    count = max(1, shares)
    out: list[list[int]] = [[] for _ in range(count)]
    own = [0.0] * count  # each share's work, pickling included
    shipped = 0.0  # what this process unpickles

    def cost(share: int, weight: float) -> float:
        return weight if share == 0 else (1 + PICKLE_COST) * weight

    def makespan(share: int, weight: float) -> float:
        """When the last share ends (this process: after unpickling the workers'), with ``weight`` put in ``share``."""
        ends = [own[each] + (cost(each, weight) if each == share else 0) for each in range(count)]
        ends[0] += UNPICKLE_COST * (shipped + (weight if share else 0))
        return max(ends)

    def put(index: int, share: int) -> None:
        nonlocal shipped
        out[share].append(index)
        own[share] += cost(share, weights[index])
        shipped += weights[index] if share else 0

    for index, share in placed.items():
        put(index, share % count)
    for index in sorted((index for index in range(len(weights)) if index not in placed), key=lambda i: (-weights[i], i)):
        put(index, min(range(count), key=lambda share: (makespan(share, weights[index]), own[share], share)))
    return [sorted(share) for share in out]


@dataclass
class _Worker:
    rank: int
    pid: int
    reads: int  # the pipe it writes to us
    writes: int  # the pipe we write to it


class Team:
    """This process (rank 0) and the workers it forked (ranks 1...), for one load.

    Use it as a context manager: a worker leaving the block by any way ends
    there (``os._exit``), never running its caller's code; this process leaving
    it stops every worker still running.
    """

    def __init__(self) -> None:
        self.rank = 0
        self.size = 1
        self.problems: list[str] = []  # what went wrong with workers (their shares were run here)
        self.holds: dict[str, int] = {}  # which process (rank) holds the parsed document of each file
        self._workers: list[_Worker] = []  # in this process: the live workers
        self._parent: tuple[int, int] | None = None  # in a worker: (reads from the parent, writes to it)
        self._frozen = False  # gc.freeze() before forking (see start)

    @property
    def forked(self) -> bool:
        """Whether workers were started (in a worker too)."""
        return self.size > 1

    def __enter__(self) -> Team:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None) -> None:
        if self._parent is not None:  # a worker: never back into the caller's code
            os._exit(1)
        for worker in self._workers:
            _stop(worker)
        self._workers = []
        self._thaw()

    def _thaw(self) -> None:
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    def start(self, workers: int) -> None:
        """Fork ``workers - 1`` workers (``workers`` processes in all); after it, each runs as rank ``self.rank``."""
        if workers > 1 and gc.isenabled() and not self._frozen:
            # What exists now is shared with the workers page by page until written: a collection walking it would
            # write to every object (and copy every page) in each process. Collected again once the workers end.
            gc.freeze()
            self._frozen = True
        for rank in range(1, workers):
            try:
                to_parent = os.pipe()
                to_worker = os.pipe()
            except OSError:
                self.problems.append(f"worker {rank} could not be started")
                continue
            try:
                pid = os.fork()
            except OSError:
                for fd in (*to_parent, *to_worker):
                    os.close(fd)
                self.problems.append(f"worker {rank} could not be started")
                continue
            if pid == 0:
                try:
                    for worker in self._workers:  # the other workers' pipes are the parent's business
                        os.close(worker.reads)
                        os.close(worker.writes)
                    os.close(to_parent[0])
                    os.close(to_worker[1])
                finally:  # from here on, __exit__ ends this process whatever happens
                    self._parent = (to_worker[0], to_parent[1])
                    self._workers = []
                    self.rank, self.size = rank, workers
                    self.problems = []
                return
            os.close(to_parent[1])
            os.close(to_worker[0])
            self._workers.append(_Worker(rank, pid, to_parent[0], to_worker[1]))
        # the shares are made for every rank asked for; a worker that could not start has its share run here
        self.size = workers if self._workers else 1

    def alive(self) -> list[int]:
        """The ranks that run a share: this process and every worker still working."""
        if self._parent is not None:
            return list(range(self.size))  # a worker does not know who failed: it never needs to
        return [0, *(worker.rank for worker in self._workers)]

    def share_out(
        self,
        work: Callable[[int, bool], T],
        shares: Sequence[Sequence[int]],
        *,
        meanwhile: Callable[[], object] | None = None,
    ) -> dict[int, T]:
        """``work(index, shipped)`` for every index of ``shares`` (by rank); every process gets every result.

        ``shipped`` is True for a result that is sent to another process. A
        worker that fails is stopped, and its share run here. ``meanwhile`` is
        run in this process (never in a worker) once its own share is done, while
        the workers may still run theirs: the time it would wait for them.
        """
        if self._parent is not None:
            mine = {index: work(index, True) for index in _share(shares, self.rank)}
            self._send_parent(mine)
            others = self._receive_parent()
            return {**others, **mine}
        results = self._run_and_collect(work, shares, meanwhile)
        for worker in list(self._workers):
            own = set(_share(shares, worker.rank))
            theirs = {index: result for index, result in results.items() if index not in own}
            try:
                _send(worker.writes, _pack(theirs))
            except (OSError, pickle.PicklingError, TypeError, AttributeError):
                self._fail(worker, "could not be sent the other shares' results")
        return results

    def gather(self, work: Callable[[int, bool], T], shares: Sequence[Sequence[int]]) -> dict[int, T]:
        """``work(index, shipped)`` for every index of ``shares`` (by rank), each worker's results sent here; then they end.

        A worker ends inside this call; in this process, every index has its result
        (the shares of failed workers, and results that cannot be pickled, were run here).
        """
        if self._parent is not None:
            self._send_parent({index: work(index, True) for index in _share(shares, self.rank)})
            os._exit(0)
        results = self._run_and_collect(work, shares)
        for worker in self._workers:  # each sent its results and is ending: reaped
            _stop(worker)
        self._workers = []
        self._thaw()
        return results

    # --- this process's side --------------------------------------------------------------

    def _run_and_collect(
        self, work: Callable[[int, bool], T], shares: Sequence[Sequence[int]], meanwhile: Callable[[], object] | None = None
    ) -> dict[int, T]:
        began = time.monotonic()
        results = {index: work(index, False) for index in _share(shares, 0)}
        if meanwhile is not None:
            meanwhile()
        dead = [rank for rank in range(1, len(shares)) if rank not in self.alive()]
        for rank in dead:  # a worker that failed before: its share is run here
            results.update({index: work(index, False) for index in shares[rank]})
        deadline = time.monotonic() + max(_MIN_WAIT_S, _WAIT_FACTOR * (time.monotonic() - began))
        for worker in list(self._workers):
            received, problem = _receive(worker, deadline)
            share = _share(shares, worker.rank)
            if problem is not None:
                self._fail(worker, problem)
            missing = [index for index in share if index not in received]
            if problem is None and missing:
                self.problems.append(f"worker {worker.rank} could not send {len(missing)} results; they were run here")
            for index in share:
                results[index] = received[index] if index in received else work(index, False)  # type: ignore[assignment]
        return results

    def _fail(self, worker: _Worker, problem: str) -> None:
        _stop(worker)
        self._workers.remove(worker)
        self.problems.append(f"worker {worker.rank} {problem}; its share was run in the main process")

    # --- a worker's side ----------------------------------------------------------------------

    def _send_parent(self, results: dict[int, Any]) -> None:
        assert self._parent is not None
        _send(self._parent[1], _pack(results))

    def _receive_parent(self) -> dict[int, Any]:
        assert self._parent is not None
        data = _read_message(self._parent[0], None)
        received, problem = _unpack(data)
        if problem is not None:  # the parent is gone, or stopped us: nothing left to do
            os._exit(1)
        return received


def _share(shares: Sequence[Sequence[int]], rank: int) -> Sequence[int]:
    return shares[rank] if rank < len(shares) else ()


def _pack(results: Mapping[int, Any]) -> bytes:
    """The results in one pickle (objects they share are written once); else each on its own, leaving out what fails."""
    with contextlib.suppress(Exception):
        return pickle.dumps(("all", dict(results)), protocol=pickle.HIGHEST_PROTOCOL)
    items: list[tuple[int, bytes]] = []
    for index, result in results.items():
        with contextlib.suppress(Exception):  # left out: the parent runs it itself
            items.append((index, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))
    return pickle.dumps(("each", items), protocol=pickle.HIGHEST_PROTOCOL)


def _unpack(data: bytes | None) -> tuple[dict[int, Any], str | None]:
    head = len(_MAGIC) + _LENGTH.size
    if data is None:
        return {}, "did not finish in time"
    if not data.startswith(_MAGIC) or len(data) < head or _LENGTH.unpack_from(data, len(_MAGIC))[0] != len(data) - head:
        return {}, "sent something unreadable" if data else "ended without sending its results"
    try:
        with collector_paused():  # a worker's units are many small containers and no cycles: no collection walks them
            form, body = pickle.loads(memoryview(data)[head:])
    except Exception:  # noqa: BLE001 - garbage: the share is run here
        return {}, "sent something unreadable"
    if form == "all" and isinstance(body, dict) and all(isinstance(index, int) for index in body):
        return body, None
    if form != "each" or not isinstance(body, list):
        return {}, "sent something unreadable"
    received: dict[int, Any] = {}
    for item in body:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], int) and isinstance(item[1], bytes):
            with contextlib.suppress(Exception), collector_paused():  # one piece that cannot be read is run here
                received[item[0]] = pickle.loads(item[1])
    return received, None


def _send(fd: int, body: bytes) -> None:
    view = memoryview(b"".join((_MAGIC, _LENGTH.pack(len(body)), body)))
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_message(fd: int, deadline: float | None) -> bytes | None:
    """One whole message from ``fd`` (less, if the pipe ends first); None past ``deadline``."""
    chunks: list[bytes] = []
    size = 0
    wanted: int | None = None
    while True:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if wanted is None and size >= len(_MAGIC) + _LENGTH.size:
            joined = b"".join(chunks)
            chunks = [joined]
            wanted = len(_MAGIC) + _LENGTH.size + _LENGTH.unpack_from(joined, len(_MAGIC))[0]
        if wanted is not None and size >= wanted:
            break
    return b"".join(chunks)


def _receive(worker: _Worker, deadline: float) -> tuple[dict[int, Any], str | None]:
    """One message from ``worker``, and what went wrong, if anything."""
    try:
        data = _read_message(worker.reads, deadline)
    except OSError as exc:
        return {}, f"could not be read ({exc.strerror or exc})"
    received, problem = _unpack(data)
    if problem is None:
        return received, None
    # a worker that failed: say how it ended, when it did (its pipe closed as it ended, so it will soon have)
    with contextlib.suppress(OSError):
        pid, status = os.waitpid(worker.pid, 0) if data is not None else (0, 0)
        if pid:
            worker.pid = -1  # reaped
            code = os.waitstatus_to_exitcode(status)
            if code < 0:
                return {}, f"ended with signal {-code}"
            if code > 0:
                return {}, f"ended with status {code}"
    return {}, problem


def _stop(worker: _Worker) -> None:
    """End ``worker`` (ours) and forget its pipes."""
    for fd in (worker.reads, worker.writes):
        with contextlib.suppress(OSError):
            os.close(fd)
    if worker.pid > 0:
        with contextlib.suppress(OSError):
            os.kill(worker.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(worker.pid, 0)
        worker.pid = -1
