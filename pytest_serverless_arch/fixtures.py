"""Fixtures; their docstrings are the user documentation (``pytest --fixtures`` shows them)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .config import LoadConfig
from .gate import GATE_KEY

if TYPE_CHECKING:
    from .graph import DeploymentGraph

__all__ = ["deployment_graph", "load_deployment_graph"]

PathArg = str | os.PathLike[str]


@pytest.fixture(scope="session")
def deployment_graph(request: pytest.FixtureRequest) -> DeploymentGraph:
    """The deployment graph of the repository under test, loaded once per session and shared by every test.

    It is what the ``serverless_arch_*`` ini options describe (paths, ignore
    globs, stage, region, params, domains), the same graph the rule items
    check. Treat it as read-only::

        def test_orders_has_no_cross_unit_triggers(deployment_graph):
            orders = deployment_graph.functions(domain="orders")
            assert all(not t.cross_unit for f in orders for t in deployment_graph.triggers_of(f))
    """
    return request.config.stash[GATE_KEY].whole_graph()


@pytest.fixture(scope="session")
def load_deployment_graph(request: pytest.FixtureRequest) -> Callable[..., DeploymentGraph]:
    """A factory that loads any other repository: ``load_deployment_graph(path, **options)``.

    ``path`` (a directory, a template, or a list of them) is relative to the
    rootdir; ``options`` are :class:`~pytest_serverless_arch.LoadConfig` fields
    (``stage="prod"``, ``domain_tag="team"``, ``domains=[("services/orders/**", "orders")]``
    ...) or ``config=LoadConfig(...)``, and ``root=`` the directory paths in
    findings are relative to (default: ``path`` when it is one directory).
    The ini options do not apply. Each distinct call is loaded once per
    session and the graph is shared, so treat it as read-only::

        @pytest.fixture
        def legacy_graph(load_deployment_graph):
            return load_deployment_graph("tests/fixtures/legacy", stage="prod")
    """
    rootdir = request.config.rootpath
    cache: dict[str, DeploymentGraph] = {}

    def load_graph(
        path: PathArg | Sequence[PathArg] = ".", *, root: PathArg | None = None, config: LoadConfig | None = None, **options: Any
    ) -> DeploymentGraph:
        paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
        resolved = [str(rootdir / Path(item)) for item in paths]
        root_path = str(rootdir / Path(root)) if root is not None else None
        load_config = config if config is not None else LoadConfig(**options)
        if config is not None and options:
            raise TypeError("pass either config= or keyword options, not both")
        key = repr((resolved, root_path, load_config))
        if key not in cache:
            from .loading import load  # the loaders only when a test asks for a graph

            cache[key] = load(resolved, root=root_path, config=load_config)
        return cache[key]

    return load_graph
