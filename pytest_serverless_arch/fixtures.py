"""Fixtures; their docstrings are the user documentation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .graph import DeploymentGraph
from .pipeline import load


@pytest.fixture(scope="session")
def load_deployment_graph() -> Callable[..., DeploymentGraph]:
    """A factory: ``load_deployment_graph(path, **options)`` loads any other repository."""

    def factory(path: Any = ".", **options: Any) -> DeploymentGraph:
        return load(path, root=path, **options)

    return factory


@pytest.fixture(scope="session")
def deployment_graph(request: pytest.FixtureRequest,
                     load_deployment_graph: Callable[..., DeploymentGraph]) -> DeploymentGraph:
    """The deployment graph of the repository under test (the rootdir), loaded once per session."""
    return load_deployment_graph(str(request.config.rootpath))
