"""Rule packages installed under the ``pytest_serverless_arch.rules`` entry-point group (loaded by pytest and the CLI).

>>> problems = load_rule_plugins()  # doctest: +SKIP
"""

from __future__ import annotations

import inspect

from ..installed import installed_entry_points
from .base import rule

__all__ = ["ENTRY_POINT_GROUP", "load_rule_plugins"]

ENTRY_POINT_GROUP = "pytest_serverless_arch.rules"


def load_rule_plugins() -> list[tuple[str, str]]:
    """Import every rule package registered under the ``pytest_serverless_arch.rules`` entry-point group.

    An entry point may name a module (its ``@rule`` functions register on
    import) or a function (registered under the entry point's name unless it
    is already a rule). Returns ``(entry point name, message)`` for each one that failed.
    """
    import pytest_serverless_arch.rules  # noqa: F401  (the built-in rules register on import)

    problems = []
    for entry_point in installed_entry_points(ENTRY_POINT_GROUP):
        try:
            loaded = entry_point.load()
        except Exception as exc:  # a broken rule package must not stop the run
            problems.append(
                (
                    entry_point.name,
                    f"entry point {entry_point.name} = {entry_point.value} in group {ENTRY_POINT_GROUP} "
                    f"cannot be imported: {type(exc).__name__}: {exc}",
                )
            )
            continue
        if callable(loaded) and not inspect.ismodule(loaded) and not hasattr(loaded, "rule_id"):
            rule(entry_point.name)(loaded)
    return problems
