"""Options that steer loading: what to read, which stage and region, where domains come from."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .graph import DeploymentGraph
    from .link import ProviderIndex
    from .link_facts import LinkScope, UnitLinkFacts
    from .model import Resource

__all__ = ["DEFAULT_IGNORED_DIRS", "LoadConfig"]

# Directories no deployment unit lives in: tool output, dependencies, virtual environments.
DEFAULT_IGNORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".aws-sam",
        ".serverless",
        ".venv",
        "venv",
        "env",
        ".env",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".terraform",
        ".idea",
        ".vscode",
        "site-packages",
        ".hypothesis",
        "cdk.out",  # read through its manifest, never walked as loose templates
    }
)


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class LoadConfig:
    """How to load a repository. Every field has the default a new user expects."""

    ignore: tuple[str, ...] = ()  # extra glob patterns (relative to the root) to skip
    stage: str | None = None  # serverless stage; None -> provider.stage or "dev"
    # None -> the samconfig/provider/pipeline region, else kept symbolic as ``${AWS::Region}`` (pseudo.py)
    region: str | None = None
    account_id: str | None = None  # None -> kept symbolic as ``${AWS::AccountId}``: ARNs of any account may match
    # serverless ${param:..} values, and CloudFormation/SAM parameter values: "Key" for every
    # template declaring it, "unit:Key" for one unit (see pipelines/attach.py)
    params: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)  # serverless ${env:..} values
    env_allow: tuple[str, ...] = ()  # names that may be read from the process environment
    domain_tag: str = "domain"
    domains: tuple[tuple[str, str], ...] = ()  # (path glob, domain), first match wins
    domain_path: str | None = None  # a glob with "{domain}", e.g. "services/{domain}/**"
    samconfig_env: str = "default"
    stack_names: Mapping[str, str] = field(default_factory=dict)  # stack name -> unit name
    # The unit the classifier and the level-aware rules work on: auto | stack | pipeline (levels.py).
    unit_level: str = "auto"
    # Globs of names provided from outside the repository (exports, SSM names, stacks): not dangling.
    external: tuple[str, ...] = ()
    # A conftest hook/fixture override: resource -> domain, or None to fall through (domains.py).
    domain_resolver: Callable[[Resource], str | None] | None = field(default=None, compare=False)
    # Processes that load the units: None -> as many as pay on this machine, 1 -> serial (parallel.py).
    # Not part of what a load means: the result is the same for any number, so no cache key holds it.
    jobs: int | None = field(default=None, compare=False)
    # What linking puts in the graph (--arch-changed-since, link_facts.LinkScope): given every unit's link
    # facts, the graph before linking (units, resources, pipelines) and the provider index built from the
    # facts, a neighbourhood, or None for the whole graph. Not part of what a unit is.
    link_scope: Callable[[Sequence[UnitLinkFacts], DeploymentGraph, ProviderIndex], LinkScope | None] | None = field(
        default=None, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen(self.params))
        object.__setattr__(self, "env", _frozen(self.env))
        object.__setattr__(self, "stack_names", _frozen(self.stack_names))
        object.__setattr__(self, "ignore", tuple(self.ignore))
        object.__setattr__(self, "env_allow", tuple(self.env_allow))
        object.__setattr__(self, "external", tuple(self.external))
        object.__setattr__(self, "domains", tuple(tuple(pair) for pair in self.domains))

    @property
    def default_stage(self) -> str:
        return self.stage or "dev"
