"""Pausing Python's cyclic garbage collector around a stage that only builds.

Once the units are loaded the process holds hundreds of thousands of objects, and
each full collection walks all of them again (0.2 to 0.5 s on the shared corpus).
Stages that allocate a lot and make no reference cycles (linking, building the
report) run with the collector paused; memory without cycles is still freed at
once by reference counting, and the collector is enabled again after.

A big parse (a text over a million characters, see ``parse.parse_text``) pauses it
with ``hold=True``: inside :func:`gc_held_after_big_parse` (a whole load, check or
report) that pause lasts to the end of the outermost block, since reading, linking
and checking what it built would be walked again and again.

A process that ends with ``os._exit`` (the command line, :func:`.cli.run`) frees
nothing it built: :func:`end_without_freeing` turns the collector off for good and
:func:`keep_to_exit` keeps the graph, the report and the files' records alive to
the end, as freeing them object by object is work nobody needs.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


class _Hold:
    depth = 0  # how many gc_held_after_big_parse blocks are open
    paused = False  # a pause taken with hold=True inside them is kept to their end


_HOLD = _Hold()


@contextlib.contextmanager
def collector_paused(*, hold: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block; a collector already paused stays paused.

    With ``hold``, inside :func:`gc_held_after_big_parse` the pause lasts to the end of that block.

    >>> with collector_paused():
    ...     gc.isenabled()
    False
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if hold and _HOLD.depth:
            _HOLD.paused = True
        else:
            gc.enable()


@contextlib.contextmanager
def gc_held_after_big_parse() -> Iterator[None]:
    """Once a big text is parsed inside this block, keep the cyclic garbage collector paused to its end.

    Reading, linking and checking a big document build millions more long-lived
    containers (resources, locations, edges, graph nodes) and no cycles; each full
    collection would walk all of them again, about a third of the CPU of a 19 MB
    template's run. Small inputs never pause it. Blocks nest: the outermost resumes it.

    >>> with gc_held_after_big_parse():
    ...     with collector_paused(hold=True):  # what a big parse takes
    ...         pass
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    _HOLD.depth += 1
    try:
        yield
    finally:
        _HOLD.depth -= 1
        if not _HOLD.depth and _HOLD.paused:
            _HOLD.paused = False
            gc.enable()


class _Exit:
    at_once = False  # the process ends with os._exit: nothing built needs freeing, nor collecting
    kept: list[object] = []  # what would otherwise be freed object by object just before that


_EXIT = _Exit()


def end_without_freeing() -> None:
    """Say that this process ends with ``os._exit``: the cyclic collector is turned off to the end, and
    :func:`keep_to_exit` keeps what it is given alive.

    Only for a process that ends so (the command line's :func:`.cli.run`): called as a
    function, :func:`.cli.main` frees everything it built, as every library call does.
    """
    _EXIT.at_once = True
    gc.disable()


def keep_to_exit(*objects: object) -> None:
    """Keep ``objects`` alive to the end of a process that ends with ``os._exit``; elsewhere, nothing.

    Freeing a corpus run's graph, checks and report object by object took 0.06 to
    0.15 s after the report was written, and the process ends right after.

    >>> keep_to_exit(object())  # not in a process that ends at once: kept by nobody
    >>> _EXIT.kept
    []
    """
    if _EXIT.at_once:
        _EXIT.kept.append(objects)


class LazyPause:
    """The cyclic collector paused across a series of short steps that make no cycles, resumed only when needed.

    Unpickling one cached unit after another: pausing and resuming around each one
    lets a collection run right after each (the objects they made count towards the
    next one), and a full collection walks every unit already loaded. :meth:`pause`
    before each such step, :meth:`resume` before anything else runs and at the end.

    >>> pause = LazyPause()
    >>> pause.pause()
    >>> gc.isenabled()
    False
    >>> pause.resume()
    >>> gc.isenabled()
    True
    """

    def __init__(self) -> None:
        self._taken = False  # whether this object disabled the collector (a collector paused by others stays so)

    def pause(self) -> None:
        if not self._taken and gc.isenabled():
            gc.disable()
            self._taken = True

    def resume(self) -> None:
        if self._taken:
            self._taken = False
            gc.enable()
