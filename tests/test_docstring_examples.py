"""Every ``>>>`` example in the package's docstrings runs and prints what it says.

The docstrings are the first place a reader looks for how a function is called;
an example that no longer holds teaches the wrong thing, so each module's
examples are a test of their own (as ``pytest --doctest-modules`` would run them).
"""

from __future__ import annotations

import doctest
import importlib

import pytest

from .helpers import REPO

PACKAGE = REPO / "pytest_serverless_arch"


def _module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts[-1] == "__main__":
            continue  # running it would run the command line
        names.append(".".join(parts))
    return names


MODULES = _module_names()


def test_every_module_of_the_package_is_listed() -> None:
    assert "pytest_serverless_arch.waves" in MODULES
    assert "pytest_serverless_arch.loaders.terraform" in MODULES
    assert len(MODULES) > 100


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_in_the_docstrings_hold(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures: list[str] = []
    for test in finder.find(module, name):
        if test.examples:
            outcome = runner.run(test, out=failures.append, clear_globs=True)
            assert outcome.failed == 0, "".join(failures)
