"""``no-function-placeholders``: no function is a placeholder another pipeline fills.

A function defined in one unit whose code comes from outside it (its
``S3Key``/``S3ObjectVersion``/``ImageUri``/``CodeUri`` from a parameter, an
import or an SSM parameter, ``ignore_changes`` on its code: the loaders record
why in ``Resource.code_source``), or whose code another unit's template
configures or calls (an alias, a version, a URL, a deployment group, a direct
invocation defined over there), drifts from the code deployed elsewhere. One
violation per function, at its definition.

A trigger in another unit (an AppSync resolver, a queue's event source
mapping, a subscription, the permission that lets a source invoke it) is not
a placeholder: the function ships its own code, and where its trigger lives is
``trigger-colocated``'s business, never both rules'.
"""

from __future__ import annotations

from typing import Any

from ..model import Edge, Resource
from ..selection import whole_graph
from ..view import GraphView
from .base import Violation, describe, rule

__all__ = ["no_function_placeholders"]

RULE_ID = "no-function-placeholders"

_WIRING_KINDS = ("invokes",)
# Trigger wiring another unit writes: trigger-colocated reports it, so it makes no placeholder.
_TRIGGER_WIRING = frozenset(
    {"AWS::Lambda::Permission", "AWS::Lambda::EventSourceMapping", "aws_lambda_permission", "aws_lambda_event_source_mapping"}
)


@rule(
    RULE_ID,
    description="no function is a placeholder filled by another pipeline",
    reason="A function whose code or wiring is supplied from another unit is deployed by two pipelines; "
    "what one deploys drifts from what the other expects, and each must deploy in a fixed order.",
    builtin=True,
    reads="neighbourhood",
)
def no_function_placeholders(graph: GraphView, *, wiring_from_other_units: bool = True) -> list[Violation]:
    """No function's code, wiring or configuration comes from outside its unit.

    ``wiring_from_other_units=False`` only looks at where the code comes from.
    """
    whole = whole_graph(graph)
    files_of_unit: dict[str, set[str]] = {}
    violations = []
    for function in graph.functions():
        reasons: list[str] = []
        related: list[Any] = []
        if function.code_source:
            reasons.append(f"its code is supplied from outside its unit ({function.code_source})")
        if wiring_from_other_units:
            if function.unit not in files_of_unit:
                files_of_unit[function.unit] = _files_of(whole, function.unit)
            for edge in _foreign_wiring(whole, function, files_of_unit[function.unit]):
                verb = {"triggers": "triggered by", "invokes": "invoked by"}.get(edge.kind, "configured by")
                reasons.append(f"{verb} {describe(whole, edge.source)} at {edge.location}")
                related.append(edge.source)
        if not reasons:
            continue
        violations.append(
            Violation.of(
                RULE_ID,
                f"{describe(whole, function.id)} is a placeholder: " + "; ".join(reasons),
                function,
                *sorted(set(related)),  # by id, so the finding does not depend on line numbers
            )
        )
    return violations


def _files_of(graph: GraphView, unit: str) -> set[str]:
    files = {resource.location.path for resource in graph.resources(unit=unit)}
    files.add(graph.unit(unit).path)
    return files


def _foreign_wiring(graph: GraphView, function: Resource, own_files: set[str]) -> list[Edge]:
    """Edges into ``function`` that another unit's template writes (its mapping, subscription, permission...)."""
    found = []
    for edge in graph.edges_to(function.id):
        if edge.kind in ("accesses", "triggers") or edge.location.path in own_files:
            continue
        if edge.kind in _WIRING_KINDS or _configures(graph, edge.source):
            found.append(edge)
    return sorted(found, key=lambda edge: edge.location)


def _configures(graph: GraphView, node_id: str) -> bool:
    try:
        node = graph.node(node_id)
    except KeyError:
        return False
    return isinstance(node, Resource) and node.configures_function and node.type not in _TRIGGER_WIRING
