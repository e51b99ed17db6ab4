"""``no-cross-domain-access``: functions reach other domains' data only through events.

A function that reads or writes another domain's table, bucket, stream,
state machine or parameter depends on that domain's storage schema; going
through an event channel (topic, queue, event bus) keeps the contract
explicit. One violation per direct ``accesses`` edge, at the policy,
environment variable or destination that grants it.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import RESOURCE_KINDS, Resource
from ..selection import whole_graph
from ..view import GraphView
from .base import RuleError, Violation, check_names, describe, rule

__all__ = ["DATA_STORE_KINDS", "EVENT_CHANNEL_KINDS", "no_cross_domain_access"]

RULE_ID = "no-cross-domain-access"

DATA_STORE_KINDS = ("table", "bucket", "stream", "state_machine", "parameter")
EVENT_CHANNEL_KINDS = ("topic", "queue", "event_bus")


@rule(
    RULE_ID,
    description="functions reach other domains' data stores only through events",
    reason="A function touching another domain's table, bucket, stream, state machine or parameter "
    "couples to its storage; topics, queues and event buses keep the contract explicit.",
    builtin=True,
    needs_domains=True,
    reads="neighbourhood",
)
def no_cross_domain_access(
    graph: GraphView, *, store_kinds: Iterable[str] = DATA_STORE_KINDS, allow: Iterable[str | tuple[str, str]] = ()
) -> list[Violation]:
    """No function has a direct ``accesses`` edge to a data store of another domain.

    ``allow`` lists accepted ``(from_domain, to_domain)`` pairs, or strings ``"orders->payments"``.
    """
    kinds = frozenset([store_kinds] if isinstance(store_kinds, str) else store_kinds)
    check_names(RULE_ID, "store_kinds", sorted(kinds), RESOURCE_KINDS)
    allowed = frozenset(_pair(item) for item in allow)
    whole = whole_graph(graph)
    domains = {resource.domain for resource in whole.resources() if resource.domain}
    # a unit taken as its record (--arch-changed-since) has no resource in the graph: its record has their domains
    domains.update(domain for record in getattr(whole, "absent", {}).values() for domain in record.unit.domains)
    check_names(RULE_ID, "allow", sorted({name for pair in allowed for name in pair}), domains)
    violations = []
    for edge in graph.edges("accesses"):
        function = _resource(graph, edge.source)
        store = _resource(graph, edge.target)
        if function is None or store is None or function.kind != "function" or store.kind not in kinds:
            continue
        if not function.domain or not store.domain or function.domain == store.domain:
            continue
        if (function.domain, store.domain) in allowed:
            continue
        mode = f" ({edge.detail})" if edge.detail else ""
        violations.append(
            Violation.of(
                RULE_ID,
                f"{describe(graph, function.id)} of domain {function.domain} accesses{mode} "
                f"{describe(graph, store.id)} of domain {store.domain} directly; publish or consume an event instead",
                function,
                store,
                location=edge.location,
            )
        )
    return violations


def _resource(graph: GraphView, node_id: str) -> Resource | None:
    try:
        node = graph.node(node_id)
    except KeyError:
        return None
    return node if isinstance(node, Resource) else None


def _pair(item: str | tuple[str, str]) -> tuple[str, str]:
    if isinstance(item, str):
        source, separator, target = item.partition("->")
        if not separator:
            raise RuleError(f"{RULE_ID}: allow entries are 'from_domain->to_domain', not {item!r}")
        return source.strip(), target.strip()
    if len(item) != 2:
        raise RuleError(f"{RULE_ID}: allow entries are (from_domain, to_domain) pairs, not {item!r}")
    return str(item[0]), str(item[1])
