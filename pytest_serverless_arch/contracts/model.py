"""The contract model: one frozen dataclass per contract type, and the configuration error.

A contract is declared in configuration (see :mod:`.config`) and checked by
:func:`~pytest_serverless_arch.contracts.check.check_contract`. Its rule id is
``contract:<name>``: findings carry it, suppressions and the baseline name it,
and the pytest item is ``serverless-arch::contract:<name>``.

>>> contract = ForbiddenContract("payments-off-orders", source=("domain:payments",), forbidden=("domain:orders",))
>>> contract.rule_id
'contract:payments-off-orders'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar

from ..model import Location
from ..patterns import DEFAULT_TOLERANCE

__all__ = [
    "CONTRACT_TYPES",
    "Contract",
    "ContractError",
    "ContractOrigin",
    "ForbiddenContract",
    "IndependenceContract",
    "LayersContract",
    "OwnershipContract",
    "PatternContract",
]

RULE_PREFIX = "contract:"


@dataclass(frozen=True)
class ContractOrigin:
    """Where a contract is declared: the file (relative to the root), its table and the line of each key."""

    path: str
    table: str
    line: int = 0
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_lines", MappingProxyType(dict(self.key_lines)))

    def location(self, key: str | None = None) -> Location:
        return Location(self.path, self.key_lines.get(key, self.line) if key else self.line)


class ContractError(Exception):
    """A contract that cannot be checked as declared (a configuration error, never a pass).

    ``str()`` names the file, the table and the key:
    ``pyproject.toml:12: [tool.serverless-arch.contracts.x] source: 'domain:paymnts' matches nothing``.
    """

    def __init__(self, origin: ContractOrigin, key: str | None, message: str, *, name: str | None = None) -> None:
        super().__init__(message)
        self.origin = origin
        self.key = key
        self.message = message
        self.name = name  # the contract's name; None for a problem with the whole file

    @property
    def location(self) -> Location:
        return self.origin.location(self.key)

    def __str__(self) -> str:
        where = f"[{self.origin.table}] {self.key}" if self.key else f"[{self.origin.table}]"
        return f"{self.location}: {where}: {self.message}"


@dataclass(frozen=True)
class Contract:
    """What every contract has: a name, where it is declared, the edge kinds it follows, a reason."""

    type: ClassVar[str] = ""
    name: str
    origin: ContractOrigin = field(default=ContractOrigin("<contracts>", "contracts"), compare=False)
    edges: tuple[str, ...] = ("links", "triggers", "accesses", "invokes")
    transitive: bool = False
    reason: str = ""

    @property
    def rule_id(self) -> str:
        return RULE_PREFIX + self.name

    def error(self, key: str | None, message: str) -> ContractError:
        return ContractError(self.origin, key, message, name=self.name)

    def describe(self) -> str:
        """The contract as a sentence (the first line of a failure)."""
        raise NotImplementedError


def _words(selectors: tuple[str, ...]) -> str:
    return " or ".join(selectors)


@dataclass(frozen=True)
class ForbiddenContract(Contract):
    """``source`` must not reach ``forbidden`` through ``edges`` (any chain when ``transitive``)."""

    type: ClassVar[str] = "forbidden"
    source: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()

    def describe(self) -> str:
        how = "directly or through any chain" if self.transitive else "directly"
        return f"{_words(self.source)} must not reach {_words(self.forbidden)} ({how}; edges: {', '.join(self.edges)})"


@dataclass(frozen=True)
class LayersContract(Contract):
    """Layers from the highest to the lowest; a layer depends only on layers below it.

    Each layer is a tuple of selectors; with ``containers`` the same layering
    applies inside each container separately.
    """

    type: ClassVar[str] = "layers"
    layers: tuple[tuple[str, ...], ...] = ()
    containers: tuple[str, ...] = ()

    def describe(self) -> str:
        order = " > ".join("[" + ", ".join(layer) + "]" for layer in self.layers)
        inside = f" inside each of {', '.join(self.containers)}" if self.containers else ""
        return f"layers {order}{inside}: a layer depends only on the layers below it"


@dataclass(frozen=True)
class IndependenceContract(Contract):
    """The groups never depend on each other (only through event channels of the ``via`` kinds)."""

    type: ClassVar[str] = "independence"
    groups: tuple[tuple[str, ...], ...] = ()
    via: tuple[str, ...] = ()

    def describe(self) -> str:
        names = ", ".join(_words(group) for group in self.groups)
        allowed = f" except through {', '.join(self.via)}" if self.via else ""
        return f"{names} do not depend on each other{allowed}"


@dataclass(frozen=True)
class OwnershipContract(Contract):
    """Every unit has exactly one owner (a team); with ``own_triggers``, a team's functions are
    triggered only from its own units or ``shared`` ones."""

    type: ClassVar[str] = "ownership"
    owners: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (team, selectors), in declaration order
    shared: tuple[str, ...] = ()
    own_triggers: bool = False

    def describe(self) -> str:
        teams = ", ".join(team for team, _ in self.owners)
        rest = ", and a team's functions are triggered only by its own or shared units" if self.own_triggers else ""
        return f"every unit is owned by exactly one of {teams}{rest}"


@dataclass(frozen=True)
class PatternContract(Contract):
    """The repository (or the ``select``-ed part) is cut as ``pattern``, as the classifier says with
    its ``tolerance`` (the share of trigger edges that may cross units in a trigger-grouped cut)."""

    type: ClassVar[str] = "pattern"
    pattern: str = ""
    tolerance: float = DEFAULT_TOLERANCE
    select: str | None = None

    def describe(self) -> str:
        scope = f"{self.select} is" if self.select else "the repository is"
        slack = f" (tolerance {self.tolerance:.0%} of trigger edges)" if self.pattern == "trigger-grouped" else ""
        return f"{scope} cut as {self.pattern}{slack}"


CONTRACT_TYPES: dict[str, type[Contract]] = {
    kind.type: kind for kind in (ForbiddenContract, LayersContract, IndependenceContract, OwnershipContract, PatternContract)
}
