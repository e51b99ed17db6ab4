"""Fixtures for every test module (paths and helpers live in ``tests/helpers.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from .helpers import CORPUS
from .hypothesis_support import PROFILE

# Every @given test of the suite runs under the chosen profile (no deadline; derandomized in CI), not only
# the ones decorated with property_settings: a 200 ms deadline flakes on a loaded 2-core machine.
settings.load_profile(PROFILE)

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def _user_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("user-cache")


@pytest.fixture(autouse=True)
def _warm_cache_of_this_session(monkeypatch: pytest.MonkeyPatch, _user_cache_home: Path) -> None:
    """The command line's warm cache (and its key) live in a folder of this session, never in the user's ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(_user_cache_home))


@pytest.fixture(autouse=True)
def _not_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner pytest runs behave as on a developer machine; tests of CI behaviour set ``CI`` themselves."""
    monkeypatch.delenv("CI", raising=False)
    # a GitHub Actions run of this suite must not get the inner runs' summaries in its own step summary
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
