"""``trigger-colocated``: every lambda ships with its trigger.

A trigger and the functions it invokes share an implicit contract, the event
payload; when they live in different units, two pipelines must agree on it
and deploy in the right order. One violation per cross-unit trigger edge, at
the event, subscription or mapping that wires it.
"""

from __future__ import annotations

from ..view import GraphView
from .base import Violation, describe, rule

__all__ = ["trigger_colocated"]

RULE_ID = "trigger-colocated"


@rule(
    RULE_ID,
    description="every lambda ships with its trigger",
    reason="A trigger and its consumers share an implicit contract (the event payload), so they should "
    "deploy together, in one unit; a trigger in another unit couples two pipelines by timing.",
    builtin=True,
    unit_level=True,
    reads="neighbourhood",
)
def trigger_colocated(graph: GraphView, *, include_external: bool = False) -> list[Violation]:
    """Every trigger of every function is in the function's unit.

    ``include_external=True`` also reports triggers whose source or function is
    defined nowhere in the repository (another account's topic, an unresolved
    import, a custom resource's shared provider function).
    """
    violations = []
    for trigger in graph.trigger_edges():
        if not trigger.cross_unit or not _is_function(graph, trigger.function):
            continue
        source_unit = graph.unit_of(trigger.source)
        outside = source_unit is None or graph.unit_of(trigger.function) is None
        if outside and not include_external:
            continue  # one end is defined nowhere in the repository: nothing to ship together
        where = f"in unit {source_unit}" if source_unit else "outside the repository"
        violations.append(
            Violation.of(
                RULE_ID,
                f"{describe(graph, trigger.function)} is triggered by {describe(graph, trigger.source)}, "
                f"defined {where}; ship the trigger and the function in one unit",
                trigger.function,
                trigger.source,
                location=trigger.location,
            )
        )
    return violations


def _is_function(graph: GraphView, node_id: str) -> bool:
    """Only functions are judged (a mis-resolved target such as a bus is not this rule's business)."""
    try:
        return bool(graph.node(node_id).kind == "function")
    except KeyError:
        return False
