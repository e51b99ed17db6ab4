"""Shared by the test modules that run pytest in-process on sample and docs repositories."""

from __future__ import annotations

import importlib
import pkgutil


def import_what_inner_runs_use() -> None:
    """Import the loaders, rules and hypothesis up front.

    pytester's in-process runs drop every module first imported inside a run,
    so without this each run would import (and assertion-rewrite) them again.
    """
    import hypothesis  # noqa: F401

    import pytest_serverless_arch.assertions  # noqa: F401
    import pytest_serverless_arch.patterns  # noqa: F401
    import pytest_serverless_arch.rules  # noqa: F401

    # (the package's ``load`` attribute is the function, so the subpackage is looked up by name)
    loaders = importlib.import_module("pytest_serverless_arch.loaders")
    for module in pkgutil.iter_modules(loaders.__path__, "pytest_serverless_arch.loaders."):
        importlib.import_module(module.name)
