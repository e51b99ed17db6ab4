"""The deployment model: plain frozen dataclasses shared by every stage.

Loaders produce :class:`LoadedUnit` records (resources and edges inside one
deployment unit, plus :class:`ForeignRef` endpoints they cannot resolve
alone); the linker turns those into one :class:`~.graph.DeploymentGraph`.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Union

if TYPE_CHECKING:
    from .pipelines.inputs import UnitInputs

__all__ = [
    "EDGE_KINDS",
    "RESOURCE_KINDS",
    "UNIT_FORMATS",
    "Edge",
    "ForeignRef",
    "LoadError",
    "LoadedUnit",
    "Location",
    "Note",
    "PropertyRef",
    "Resource",
    "StackRef",
    "Unit",
]

ResourceKind = Literal[
    "function",
    "queue",
    "topic",
    "bucket",
    "table",
    "stream",
    "api",
    "event_rule",
    "schedule",
    "event_bus",
    "state_machine",
    "parameter",
    "other",
]
RESOURCE_KINDS: tuple[str, ...] = ResourceKind.__args__  # type: ignore[attr-defined]

UnitFormat = Literal["cloudformation", "sam", "serverless", "cdk", "terraform"]
UNIT_FORMATS: tuple[str, ...] = UnitFormat.__args__  # type: ignore[attr-defined]

# Edge kinds inside a unit, then the cross-unit link kinds the linker makes.
EdgeKind = Literal[
    "triggers",
    "invokes",
    "references",
    "accesses",
    # cross-unit links (from the unit that needs something to the one providing it)
    "imports",
    "ssm_parameter",
    "stack_output",
    "compose_param",
    "depends_on",
    "nested_stack",
    "name_reference",
    "remote_state",
]
EDGE_KINDS: tuple[str, ...] = EdgeKind.__args__  # type: ignore[attr-defined]
LINK_KINDS: tuple[str, ...] = EDGE_KINDS[4:]


@dataclass(frozen=True, order=True)
class Location:
    """Where a person goes to see or fix something: ``path:line`` (1-based)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class ForeignRef:
    """An endpoint a loader cannot resolve inside its own unit.

    ``how`` says what kind of reference it is and ``key`` what it names:

    - ``import``: ``Fn::ImportValue`` of an export name;
    - ``ssm``: an SSM parameter name (``{{resolve:ssm:..}}``, ``${ssm:..}``, SSM-typed parameter);
    - ``stack_output``: ``stack/Output`` (serverless ``${cf:..}``, ``Fn::GetStackOutput``);
    - ``compose_param``: ``stack/Output`` that serverless-compose passes in as a ``${param:..}``;
    - ``arn``: a literal or partly resolved ARN;
    - ``name``: a physical name of a resource of kind ``kind_hint``;
    - ``remote_state``: ``stack/Output`` read through Terraform's ``terraform_remote_state``;
    - ``unit``: a whole unit by its stack name (CDK stack dependencies, compose ``dependsOn``);
    - ``external``: something known to live outside the repository (default event bus, Kafka).
    """

    how: Literal["import", "ssm", "stack_output", "compose_param", "remote_state", "arn", "name", "unit", "external"]
    key: str
    kind_hint: str = "other"
    region: str | None = None


Endpoint = Union[str, ForeignRef]  # noqa: UP007  (a runtime alias; `|` needs 3.10 objects)
"""A logical id inside the loading unit, or a reference the linker resolves."""


@dataclass(frozen=True)
class Note:
    """Something a person should know that did not stop the load."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True)
class LoadError:
    """A file (or part of one) that could not be read; every other unit still loads."""

    path: str
    line: int
    message: str

    @property
    def location(self) -> Location:
        return Location(self.path, self.line)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"

    @classmethod
    def internal(cls, path: str, exc: BaseException) -> LoadError:
        """A bug met while reading ``path``: named with where it happened, so the rest of the run goes on.

        >>> try:
        ...     1 / 0
        ... except ZeroDivisionError as exc:
        ...     str(LoadError.internal("app.yaml", exc)).startswith("app.yaml: internal error while reading this file")
        True
        """
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"; at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
        return cls(path, 0, f"internal error while reading this file ({type(exc).__name__}: {exc}{where}); please report it")


@dataclass(frozen=True)
class Resource:
    """One logical resource in a unit (explicit, or created implicitly by SAM/serverless)."""

    unit: str
    logical_id: str
    type: str
    kind: str
    location: Location
    name: str = ""  # display name: logical id, serverless function key, terraform address
    physical_name: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    domain: str | None = None
    properties: Any = None
    aliases: tuple[str, ...] = ()  # other logical ids that name it (serverless ``FooLambdaFunction``)
    implicit: bool = False  # created by SAM or the Serverless Framework, not written out
    code_source: str | None = None  # for functions: why its code comes from outside the unit
    configures_function: bool = False  # a permission, alias, version, mapping... of the function it points at
    value_target: str | None = None  # for SSM parameters: the logical id whose name or ARN the value holds
    suppressions: tuple[tuple[str, str], ...] = ()  # (rule id, reason)

    @property
    def id(self) -> str:
        return f"{self.unit}:{self.logical_id}"

    @property
    def tag_map(self) -> dict[str, str]:
        return dict(self.tags)


@dataclass(frozen=True)
class Edge:
    """A directed relation between two graph nodes, with the location that made it.

    ``source``/``target`` are node ids once in the graph; inside a
    :class:`LoadedUnit` they are :data:`Endpoint` values.
    """

    kind: str
    source: Any
    target: Any
    location: Location
    detail: str = ""  # e.g. the SAM event type, ``read``/``write`` for accesses
    cross_unit: bool = False


@dataclass(frozen=True)
class Export:
    """An ``Outputs`` entry: its name, its export name (if any) and what it points at."""

    output: str
    export_name: str | None
    target: str | None  # logical id it refers to, when a Ref/GetAtt names one
    location: Location
    value: Any = None


@dataclass(frozen=True)
class PropertyRef:
    """A reference to another unit's value inside a resource's properties (``Fn::ImportValue`` in ``Role``...).

    The linker adds a ``references`` edge and a link for it unless an edge of
    the unit already carries the same reference.
    """

    resource: str  # logical id
    ref: ForeignRef
    location: Location


@dataclass(frozen=True)
class StackRef:
    """Something the unit as a whole needs from elsewhere: an SSM-typed parameter, a compose param or dependency."""

    ref: ForeignRef
    location: Location
    detail: str


@dataclass
class LoadedUnit:
    """What a loader returns for one deployment unit, before linking.

    Everything here is format-neutral: what the linker, the domain assignment
    and the rules need is said in typed fields, never in format syntax.
    """

    name: str
    format: str
    path: str  # template path relative to the root, posix
    resources: list[Resource] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    region: str | None = None
    notes: list[Note] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    location: Location | None = None
    stack_name: str | None = None  # the deployed stack name when it differs from ``name``
    stage: str | None = None  # the stage it was loaded for (serverless), when it has one
    files_read: list[str] = field(default_factory=list)  # files besides ``path`` it was read from (samconfig, includes...)
    inherited_tags: dict[str, str] = field(default_factory=dict)  # tags every resource gets (SAM Globals), for domains
    property_refs: list[PropertyRef] = field(default_factory=list)
    stack_refs: list[StackRef] = field(default_factory=list)
    unreadable: bool = False  # not a unit at all (no resources section): only its errors are kept
    implicit_outputs: str = ""  # a pattern of outputs its deploying tool adds without a line in the file
    named_by_folder: bool = False  # no stack name of its own, only its folder's (the path names it on a clash)
    deployments: UnitInputs | None = None  # what the repository's pipelines deploy it with (pipelines/inputs.py)
    deployed_as: tuple[str, ...] = ()  # every stack name its pipelines deploy it as

    def logical_ids(self) -> dict[str, str]:
        """Every name a resource of this unit answers to (logical id, aliases) -> its logical id.

        >>> unit = LoadedUnit("s", "serverless", "serverless.yml")
        >>> unit.resources.append(Resource("s", "avScan", "AWS::Lambda::Function", "function", Location("s", 1),
        ...                                 aliases=("AvScanLambdaFunction",)))
        >>> unit.logical_ids()
        {'avScan': 'avScan', 'AvScanLambdaFunction': 'avScan'}
        """
        found = {resource.logical_id: resource.logical_id for resource in self.resources}
        for resource in self.resources:
            for alias in resource.aliases:  # serverless ``FooLambdaFunction`` names function ``foo``
                found.setdefault(alias, resource.logical_id)
        return found


@dataclass(frozen=True)
class Unit:
    """A deployment unit as the graph exposes it."""

    name: str
    format: str
    path: str
    domain: str | None = None
    domains: frozenset[str] = frozenset()
    region: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    resource_count: int = 0
    location: Location | None = None

    @property
    def id(self) -> str:
        return f"unit:{self.name}"
