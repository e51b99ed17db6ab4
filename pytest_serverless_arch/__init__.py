"""pytest-serverless-arch: architecture fitness tests for serverless repositories.

Load a repository's CloudFormation, SAM, Serverless Framework, Terraform and
CDK units into one deployment graph, and test how it is cut into units.

>>> from pytest_serverless_arch import load
>>> graph = load("sample_repos/monolith-online-shop")  # doctest: +SKIP

The names below are imported on first use (PEP 562): pytest imports this
package for its plugin in every run, and a run whose gate is inactive should
not pay for networkx and the loaders.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import LoadConfig
    from .graph import DeploymentGraph, ExternalNode, Link, Trigger, UnitDependency
    from .loading import load
    from .model import Edge, ForeignRef, LoadError, Location, Note, Resource, Unit
    from .rules.base import Violation, rule

# public name -> the module that defines it
_LAZY = {
    "LoadConfig": ".config",
    "DeploymentGraph": ".graph",
    "ExternalNode": ".graph",
    "Link": ".graph",
    "Trigger": ".graph",
    "UnitDependency": ".graph",
    "load": ".loading",
    "Edge": ".model",
    "ForeignRef": ".model",
    "LoadError": ".model",
    "Location": ".model",
    "Note": ".model",
    "Resource": ".model",
    "Unit": ".model",
    "Violation": ".rules.base",
    "rule": ".rules.base",
}

__all__ = [
    "DeploymentGraph",
    "Edge",
    "ExternalNode",
    "ForeignRef",
    "Link",
    "LoadConfig",
    "LoadError",
    "Location",
    "Note",
    "Resource",
    "Trigger",
    "Unit",
    "UnitDependency",
    "Violation",
    "load",
    "rule",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next lookup is an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
