"""pytest-serverless-arch: architecture fitness tests for serverless repositories.

Load a repository's CloudFormation, SAM, Serverless Framework, Terraform and
CDK units into one deployment graph, and test how it is cut into units.

>>> from pytest_serverless_arch import load
>>> graph = load("sample_repos/monolith-online-shop")  # doctest: +SKIP
"""

from .config import LoadConfig
from .graph import DeploymentGraph, ExternalNode, Link, Trigger, UnitDependency
from .loading import load
from .model import Edge, ForeignRef, LoadError, Location, Note, Resource, Unit
from .rules.base import Violation, rule

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
