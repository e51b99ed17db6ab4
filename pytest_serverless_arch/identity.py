"""Stage-independent identity of findings: what the baseline (and SARIF) match on.

A unit's name may carry its stage (``orders-prod``, a samconfig stack name),
so a finding is identified by its rule, the units' template or service paths
and the resources' logical ids, never by names, lines or messages:

- unit ``orders-dev`` of ``services/orders/serverless.yml`` -> ``services/orders/serverless.yml``;
- resource ``orders-dev:CreateLambdaFunction`` -> ``services/orders/serverless.yml#CreateLambdaFunction``.

Several units read from one path (the stacks of a CDK cloud assembly) keep
their names after a ``@``: ``cdk.out@OrdersStack``. Anything the graph does
not know (``external:...`` nodes) is kept as it is.

>>> from pytest_serverless_arch.model import Location
>>> from pytest_serverless_arch.rules.base import Violation
>>> class Graph:  # the two queries identity needs
...     def units(self):
...         from pytest_serverless_arch.model import Unit
...         return [Unit("orders-prod", "serverless", "services/orders/serverless.yml")]
>>> found = Violation("r", "m", Location("x", 1), ("orders-prod",), ("orders-prod:Create",))
>>> finding_identity(found, Graph())
FindingIdentity(rule='r', units=('services/orders/serverless.yml',), resources=('services/orders/serverless.yml#Create',))
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .rules.base import Violation

__all__ = ["FindingIdentity", "finding_identity", "unit_identities"]


@dataclass(frozen=True, order=True)
class FindingIdentity:
    """A finding's rule, units and resources, each named independently of the stage (sorted)."""

    rule: str
    units: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()

    def __str__(self) -> str:
        involved = ", ".join(self.resources or self.units) or "(no units)"
        return f"{self.rule}: {involved}"


def unit_identities(graph: Any) -> dict[str, str]:
    """Unit name -> its stage-independent identity (its path, ``path@name`` when several share the path)."""
    whole = getattr(graph, "graph", graph)  # a scoped view answers for its whole graph
    units = list(whole.units()) if callable(getattr(whole, "units", None)) else []
    shared = Counter(unit.path for unit in units)
    return {unit.name: unit.path if shared[unit.path] == 1 else f"{unit.path}@{unit.name}" for unit in units}


def finding_identity(violation: Violation, graph: Any = None, identities: dict[str, str] | None = None) -> FindingIdentity:
    """The identity of ``violation`` in ``graph`` (by names when there is no graph to translate them)."""
    names = identities if identities is not None else (unit_identities(graph) if graph is not None else {})
    units = sorted({names.get(unit, unit) for unit in violation.units})
    resources = sorted({_resource_identity(resource, names) for resource in violation.resources})
    return FindingIdentity(violation.rule, tuple(units), tuple(resources))


def _resource_identity(resource_id: str, names: dict[str, str]) -> str:
    unit, colon, logical_id = resource_id.rpartition(":")  # logical ids hold no colon; unit names might
    if not colon or unit not in names:
        return resource_id
    return f"{names[unit]}#{logical_id}"
