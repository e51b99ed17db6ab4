"""Entry points of installed distributions, looked up without importing :mod:`importlib.metadata` when none can match.

Rule packages register under an entry-point group (:mod:`.rules.plugins`); the
command line asks for them on every run, also before it reuses a stored report.

>>> installed_entry_points("pytest_serverless_arch.no-such-group")
[]
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import PathFinder
from typing import Any

__all__ = ["installed_entry_points"]


def installed_entry_points(group: str) -> list[Any]:
    """``importlib.metadata.entry_points(group=group)``, as a list; without importing it when no distribution can hold one.

    Importing :mod:`importlib.metadata` imports ``email``, ``zipfile`` and ``csv``
    (14 ms of a command's start, where the lookup itself takes 3 ms). When it is
    not imported yet, a look at the ``entry_points.txt`` of each distribution on
    ``sys.path`` that never mentions ``group`` answers ``[]``; anything else
    (a mention, a zip file or an egg on the path, another finder of
    distributions) asks :mod:`importlib.metadata`.
    """
    if "importlib.metadata" not in sys.modules and not _may_declare(group):
        return []
    from importlib.metadata import entry_points

    return list(entry_points(group=group))


def _may_declare(group: str) -> bool:
    """Whether a distribution that :mod:`importlib.metadata` would find may declare entry points of ``group``."""
    if any(hasattr(finder, "find_distributions") and finder is not PathFinder for finder in sys.meta_path):
        return True  # distributions this look cannot see
    for entry in sys.path:
        folder = entry or "."
        try:
            with os.scandir(folder) as listing:
                names = [each.name for each in listing]
        except NotADirectoryError:
            return True  # a zip file on the path
        except OSError:
            continue  # not there: no distributions (importlib.metadata finds none either)
        for name in names:
            lower = name.lower()
            if lower.endswith(".egg"):
                return True
            if not lower.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8", errors="replace") as file:
                    if group in file.read():
                        return True
            except OSError:  # no entry points (or an egg-info that is one file)
                continue
    return False
