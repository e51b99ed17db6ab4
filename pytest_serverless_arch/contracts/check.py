"""Checking a contract against a deployment graph: data in, violations out (rendering is apart).

:func:`check_contract` returns the contract's :class:`~pytest_serverless_arch.rules.Violation`
list (rule id ``contract:<name>``), sorted by location, each at the ``file:line``
of the edge (or unit) a person would change. A contract that cannot be checked
on this graph (a selector matching nothing, layers or groups that overlap) raises
:class:`~.model.ContractError` instead: a configuration error is never a pass.

>>> from pytest_serverless_arch import load
>>> from pytest_serverless_arch.contracts import ForbiddenContract
>>> graph = load("sample_repos/trigger-grouped-food-delivery")  # doctest: +SKIP
>>> contract = ForbiddenContract("x", source=("domain:delivery",), forbidden=("domain:orders, kind:table",))
>>> [str(v.location) for v in check_contract(contract, graph)]  # doctest: +SKIP
['services/delivery/serverless.yml:22', ...]
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from ..model import Location
from ..patterns import classify_pattern
from ..rules.base import DOCS_URL, Rule, Violation, describe
from ..selection import ScopedGraph, Selection, edge_kinds, whole_graph
from .model import (
    Contract,
    ForbiddenContract,
    IndependenceContract,
    LayersContract,
    OwnershipContract,
    PatternContract,
)
from .reach import Chain, DependencyIndex, find_chains

__all__ = ["CONTRACTS_DOCS_URL", "check_contract", "contract_rule"]

CONTRACTS_DOCS_URL = DOCS_URL.rsplit("/rules/", 1)[0] + "/contracts.md"

# The unit parts (patterns.UnitPattern.pattern) that fit each seed pattern.
_FITTING_PARTS = {
    "trigger-grouped": {"trigger-grouped", "function-per-unit"},
    "function-per-unit": {"function-per-unit"},
    "infra-app-split": {"infra", "app"},
    "monolith": {"monolith"},
}


def check_contract(contract: Contract, graph: Any) -> list[Violation]:
    """The violations of ``contract`` on ``graph`` (raises :class:`ContractError` for a configuration error)."""
    graph = whole_graph(graph)
    if isinstance(contract, ForbiddenContract):
        found = _forbidden(contract, graph)
    elif isinstance(contract, LayersContract):
        found = _layers(contract, graph)
    elif isinstance(contract, IndependenceContract):
        found = _independence(contract, graph)
    elif isinstance(contract, OwnershipContract):
        found = _ownership(contract, graph)
    elif isinstance(contract, PatternContract):
        found = _pattern(contract, graph)
    else:  # pragma: no cover - every type is handled above
        raise contract.error("type", f"no checker for contract type {contract.type!r}")
    return sorted(found, key=lambda violation: (violation.location, violation.message))


def contract_rule(contract: Contract) -> Rule:
    """The contract as a :class:`Rule` record (id ``contract:<name>``, its sentence, its reason) for reports."""
    return Rule(
        contract.rule_id, check_contract, description=contract.describe(), reason=contract.reason, docs_url=CONTRACTS_DOCS_URL
    )


# --- selecting -------------------------------------------------------------------


def _scope(contract: Contract, graph: Any, key: str, selector: str) -> ScopedGraph:
    """The view one selector gives; a selector matching nothing is a configuration error."""
    scope = ScopedGraph(graph, Selection.parse(selector))
    if scope.is_empty():
        raise contract.error(key, f"{selector!r} matches no unit and no resource{_hint(graph, selector)}")
    return scope


def _nodes(contract: Contract, graph: Any, key: str, selectors: Iterable[str]) -> frozenset[str]:
    """The graph nodes any of ``selectors`` selects."""
    nodes: frozenset[str] = frozenset()
    for selector in selectors:
        nodes |= _scope(contract, graph, key, selector).node_ids()
    return nodes


def _hint(graph: Any, selector: str) -> str:
    selection = Selection.parse(selector)
    units = [unit.name for unit in graph.units()]
    domains = sorted({resource.domain for resource in graph.resources() if resource.domain})
    close = [match for name in selection.units for match in difflib.get_close_matches(name, units, n=1)]
    close += [match for name in selection.domains for match in difflib.get_close_matches(name, domains, n=1)]
    known = f" (domains: {', '.join(domains) or 'none'}; units: {', '.join(units[:10]) or 'none'}"
    known += " ...)" if len(units) > 10 else ")"
    return (f"; did you mean {', '.join(repr(name) for name in close)}?" if close else "") + known


def _disjoint(
    contract: Contract, key: str, parts: list[tuple[str, frozenset[str]]], what: str
) -> list[tuple[str, frozenset[str]]]:
    """``parts`` with their unit nodes shared by two parts dropped; a resource in two parts is an error."""
    owner: dict[str, int] = {}
    shared_units: set[str] = set()
    for index, (_, nodes) in enumerate(parts):
        for node in sorted(nodes):
            if node in owner and owner[node] != index:
                if node.startswith("unit:"):
                    shared_units.add(node)  # a unit holding resources of both: its resources decide
                    continue
                first = parts[owner[node]][0]
                raise contract.error(
                    key,
                    f"{node} is in {what} {first} and in {what} {parts[index][0]}: they overlap, so the contract says nothing",
                )
            owner.setdefault(node, index)
    return [(label, nodes - shared_units) for label, nodes in parts]


# --- the dependency contracts ------------------------------------------------------


def _index(contract: Contract, graph: Any) -> DependencyIndex:
    return DependencyIndex(graph, edge_kinds(contract.edges))


def _chain_violation(
    contract: Contract, graph: Any, chain: Chain, verb: str, start_note: str = "", end_note: str = ""
) -> Violation:
    start = describe(graph, chain.start) + start_note
    end = describe(graph, chain.end) + end_note
    if chain.direct:
        [edge] = chain.edges
        how = edge.kind + (f" {edge.detail}" if edge.detail else "")
        message = f"{start} {verb} {end} ({how})"
    else:
        message = f"{start} {verb} {end} through {len(chain.edges)} edges: {chain}"
    units: list[str] = []
    for node in (chain.start, *(str(edge.target) for edge in chain.edges)):  # in the chain's order
        unit = node[len("unit:") :] if node.startswith("unit:") else graph.unit_of(node)
        if unit and unit not in units:
            units.append(unit)
    resources = tuple(node for node in (chain.start, chain.end) if not node.startswith("unit:"))
    return Violation(contract.rule_id, message, chain.edges[0].location, tuple(units), resources)


def _forbidden(contract: ForbiddenContract, graph: Any) -> list[Violation]:
    sources = _nodes(contract, graph, "source", contract.source)
    forbidden = _nodes(contract, graph, "forbidden", contract.forbidden)
    (_, sources), (_, forbidden) = _disjoint(contract, "forbidden", [("source", sources), ("forbidden", forbidden)], "selection")
    chains = find_chains(_index(contract, graph), sources, forbidden, transitive=contract.transitive)
    return [_chain_violation(contract, graph, chain, "must not reach") for chain in chains]


def _layers(contract: LayersContract, graph: Any) -> list[Violation]:
    layers = [
        (f"{index + 1} ({' | '.join(layer)})", _nodes(contract, graph, "layers", layer))
        for index, layer in enumerate(contract.layers)
    ]
    containers = [(selector, _nodes(contract, graph, "containers", [selector])) for selector in contract.containers]
    index = _index(contract, graph)
    found: list[Violation] = []
    for container, members in containers or [("", frozenset())]:
        scoped = [(label, nodes & members if container else nodes) for label, nodes in layers]
        scoped = _disjoint(contract, "layers", scoped, "layer")
        inside = f" inside {container}" if container else ""
        for low in range(len(scoped)):
            for high in range(low):
                chains = find_chains(index, scoped[low][1], scoped[high][1], transitive=contract.transitive)
                found += [
                    _chain_violation(
                        contract,
                        graph,
                        chain,
                        "depends on",
                        f" in layer {scoped[low][0]}",
                        f" in the higher layer {scoped[high][0]}{inside}",
                    )
                    for chain in chains
                ]
    return found


def _independence(contract: IndependenceContract, graph: Any) -> list[Violation]:
    groups = [(" | ".join(group), _nodes(contract, graph, "groups", group)) for group in contract.groups]
    groups = _disjoint(contract, "groups", groups, "group")
    index = _index(contract, graph)
    cut = frozenset(contract.via)
    found: list[Violation] = []
    for one, (one_label, one_nodes) in enumerate(groups):
        for other, (other_label, other_nodes) in enumerate(groups):
            if one == other:
                continue
            chains = find_chains(index, one_nodes, other_nodes, transitive=contract.transitive, cut=cut)
            found += [
                _chain_violation(contract, graph, chain, "depends on", f" of {one_label}", f" of {other_label}")
                for chain in chains
            ]
    return found


# --- ownership and pattern ------------------------------------------------------------


def _unit_location(graph: Any, name: str) -> Location:
    unit = graph.unit(name)
    return unit.location or Location(unit.path)


def _ownership(contract: OwnershipContract, graph: Any) -> list[Violation]:
    teams = [
        (team, [_scope(contract, graph, "owners", selector) for selector in selectors]) for team, selectors in contract.owners
    ]
    shared = [_scope(contract, graph, "shared", selector) for selector in contract.shared]
    owner_of: dict[str, str] = {}
    found: list[Violation] = []
    for unit in graph.units():
        owning = [team for team, scopes in teams if any(scope.selects_unit(unit.name) for scope in scopes)]
        if len(owning) == 1:
            owner_of[unit.name] = owning[0]
            continue
        message = (
            f"unit {unit.name} has no owner (teams: {', '.join(team for team, _ in teams)})"
            if not owning
            else f"unit {unit.name} is owned by {len(owning)} teams: {', '.join(owning)}"
        )
        found.append(Violation(contract.rule_id, message, _unit_location(graph, unit.name), (unit.name,)))
    if not contract.own_triggers:
        return found
    for trigger in graph.trigger_edges():
        source_unit, function_unit = graph.unit_of(trigger.source), graph.unit_of(trigger.function)
        if source_unit is None or function_unit is None or source_unit == function_unit:
            continue
        team, source_team = owner_of.get(function_unit), owner_of.get(source_unit)
        if team is None or source_team is None or team == source_team:
            continue  # an unowned unit is reported above
        if any(scope.selects_unit(source_unit) for scope in shared):
            continue
        found.append(
            Violation(
                contract.rule_id,
                f"{describe(graph, trigger.function)} of team {team} is triggered by "
                f"{describe(graph, trigger.source)} of team {source_team}, neither its own nor a shared unit",
                trigger.location,
                (function_unit, source_unit),
                (trigger.function, trigger.source),
            )
        )
    return found


def _pattern(contract: PatternContract, graph: Any) -> list[Violation]:
    scope = _scope(contract, graph, "select", contract.select) if contract.select else graph
    # the classifier's own tolerance: the share of trigger edges that may cross units in a trigger-grouped cut
    verdict = classify_pattern(scope, tolerance=contract.tolerance)
    if verdict.repo == contract.pattern:
        return []
    parts = verdict.units
    why = f"the repository is {verdict.repo}: {verdict.reason}"
    fitting = _FITTING_PARTS[contract.pattern]
    if contract.pattern == "monolith" and parts:
        # one unit may hold everything: the one holding most is the monolith, every other unit is off
        largest = max(sorted(parts), key=lambda name: (parts[name].functions, parts[name].triggers_inside))
        off = [name for name in parts if name != largest]
    else:
        off = [name for name, part in parts.items() if part.pattern not in fitting]
    if not off:  # every unit plays a fitting part, yet the whole is cut otherwise
        units = [unit.name for unit in scope.units()]
        where = _unit_location(graph, units[0]) if units else contract.origin.location("pattern")
        return [Violation(contract.rule_id, f"not {contract.pattern}: {why}", where, tuple(units))]
    found = []
    for name in off:
        part = parts[name]
        role = "part of a larger repository" if contract.pattern == "monolith" else part.pattern
        found.append(
            Violation(
                contract.rule_id,
                f"unit {name} plays {role} ({_count(part.functions, 'function')}, "
                f"{_count(part.triggers_inside, 'trigger')} inside, {part.triggers_out} out to other units, "
                f"{part.triggers_in} in from other units), not {contract.pattern}; {why}",
                _unit_location(graph, name),
                (name,),
            )
        )
    return found


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
