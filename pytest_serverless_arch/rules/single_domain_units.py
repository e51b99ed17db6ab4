"""``single-domain-units``: no unit holds resources of two domains.

A unit is deployed by one pipeline, owned by one team; resources of two
domains in it tie two teams' release cadence together. Resources without a
domain do not count. One violation per unit, at the first resource of its
smallest domain (the one most likely in the wrong place).
"""

from __future__ import annotations

from ..model import RESOURCE_KINDS, Resource
from ..selection import whole_graph
from ..view import GraphView
from .base import Violation, check_names, rule

__all__ = ["single_domain_units"]

RULE_ID = "single-domain-units"


@rule(
    RULE_ID,
    description="no unit spans two domains",
    reason="A deployment unit is released by one pipeline and owned by one team; resources of two "
    "domains in one unit make two teams release together.",
    builtin=True,
    unit_level=True,
    needs_domains=True,
    reads="neighbourhood",
)
def single_domain_units(graph: GraphView, *, ignore_kinds: tuple[str, ...] | list[str] = ()) -> list[Violation]:
    """Every unit holds resources of at most one domain (``ignore_kinds`` are not counted)."""
    check_names(RULE_ID, "ignore_kinds", [ignore_kinds] if isinstance(ignore_kinds, str) else ignore_kinds, RESOURCE_KINDS)
    whole = whole_graph(graph)
    violations = []
    for unit in graph.units():
        by_domain: dict[str, list[Resource]] = {}
        for resource in whole.resources(unit=unit.name):
            if resource.domain and resource.kind not in ignore_kinds:
                by_domain.setdefault(resource.domain, []).append(resource)
        if len(by_domain) < 2:
            continue
        ordered = sorted(by_domain.items(), key=lambda item: (-len(item[1]), item[0]))
        counts = ", ".join(f"{domain} ({len(resources)}: {_names(resources)})" for domain, resources in ordered)
        odd_domain, odd_resources = ordered[-1]
        first = min(odd_resources, key=lambda resource: resource.location)
        violations.append(
            Violation.of(
                RULE_ID,
                f"unit {unit.name} holds resources of {len(by_domain)} domains: {counts}",
                unit,
                *(resource for _, resources in ordered for resource in resources),
                location=first.location,
            )
        )
    return violations


def _names(resources: list[Resource], limit: int = 3) -> str:
    names = sorted(resource.name or resource.logical_id for resource in resources)
    shown = ", ".join(names[:limit])
    return shown + (f", +{len(names) - limit} more" if len(names) > limit else "")
