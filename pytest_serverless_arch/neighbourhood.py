"""The units a change can touch, and the neighbourhood that must be linked to check them (``--arch-changed-since``).

From every unit's link facts at the head and at ``REF`` (:mod:`.link_facts`),
with no graph built:

- **changed**: units holding a changed file (at the head or at ``REF``), and
  units whose link facts differ between the two (what they offer or ask changed
  though none of their files did: an included file elsewhere, a compose file);
- **affected**: units some reference of which resolves otherwise against the
  head's provider index than against ``REF``'s (a name the change made
  ambiguous, or took from one unit and gave to another);
- **bound**: every unit the change can touch: the changed and affected units
  and every unit that asks something of a changed unit, or that a changed unit
  asks something of, at the head or at ``REF`` (a superset of the units a
  check reports on);
- **linked**: the bound and two rings around it (every unit that asks something
  of a unit in the set, or that such a unit asks something of: a finding about a
  bound unit may name a neighbour's resource, and say every edge that reaches
  it), and every unit those ask something of (the other ends of their edges).

Linking only the ``linked`` units, with the index built from every unit's
facts, gives every edge that ends on a bound unit, and every cross-unit link a
bound unit makes, exactly as linking the whole repository does. Every other
unit's files and facts are those it had at ``REF`` and its references resolve
the same there: its links are ``REF``'s. So the graph's cross-unit links, deploy
order and cycles are the whole repository's.

A plan says, instead, why the whole graph must be linked (``reason``) when it
cannot vouch for that: units added, removed or renamed since ``REF``, the
pipelines changed (what each deploys, with which stack names), the unit level
is the pipeline (level-aware rules merge every unit a pipeline deploys),
serverless-compose params (a unit's values come from another unit's outputs),
no facts kept for ``REF``.

>>> from pytest_serverless_arch.ref_store import GraphAtRef
>>> plan = plan_neighbourhood([], GraphAtRef(), ["README.md"], LoadConfig())
>>> plan.reason is None, sorted(plan.linked)
(True, [])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .changes import units_of_paths
from .config import LoadConfig
from .graph import DeployedPipeline, DeploymentGraph, Link
from .link import ProviderIndex
from .link_facts import LinkScope, UnitLinkFacts
from .ref_store import GraphAtRef

__all__ = ["Neighbourhood", "NeighbourhoodPlan", "plan_neighbourhood"]


@dataclass(frozen=True)
class NeighbourhoodPlan:
    """What a change touches, from link facts; see the module docstring."""

    changed: frozenset[str] = frozenset()
    affected: frozenset[str] = frozenset()
    bound: frozenset[str] = frozenset()
    linked: frozenset[str] = frozenset()
    fixed_links: tuple[Link, ...] = ()
    reason: str | None = None  # why the whole graph must be linked; None: the neighbourhood suffices
    reached: frozenset[str] = frozenset()  # linked, and every unit their references resolve to

    def scope(self) -> LinkScope:
        return LinkScope(self.linked, self.bound, self.fixed_links, self.reached)


def plan_neighbourhood(
    head: Sequence[UnitLinkFacts],
    before: GraphAtRef,
    files: Iterable[str],
    config: LoadConfig,
    pipelines: Sequence[DeployedPipeline] = (),
    unit_level: str = "stack",
    head_index: ProviderIndex | None = None,
) -> NeighbourhoodPlan:
    """The units a change touches and the neighbourhood to link, from the facts at the head and at ``REF``.

    ``head_index``: the provider index of ``head`` when the caller has built it (linking has).
    """
    ref = before.facts
    if not ref and before.unit_list:
        return NeighbourhoodPlan(reason="no link facts are kept for the graph at the ref")
    head_by = {facts.unit: facts for facts in head}
    ref_by = {facts.unit: facts for facts in ref}
    files = list(files)
    changed = set(units_of_paths(((f.unit, f.path, f.format) for f in head), files))
    changed |= set(units_of_paths(((f.unit, f.path, f.format) for f in ref), files))
    changed |= {name for name, facts in head_by.items() if name in ref_by and ref_by[name] != facts}
    head_index = ProviderIndex(head, config) if head_index is None else head_index
    ref_index = ProviderIndex(ref, config)
    asks_of: dict[str, set[str]] = {}  # unit -> the units its references resolve to, at the head
    asked_at_ref: dict[str, set[str]] = {}  # the same against REF's index
    affected: set[str] = set()
    compose = False
    for facts in head:
        name = facts.unit
        here, there = asks_of.setdefault(name, set()), asked_at_ref.setdefault(name, set())
        for ask in facts.asks:
            compose = compose or ask.how == "compose_param"
            now, then = head_index.resolve(ask), ref_index.resolve(ask)
            if now != then:
                affected.add(name)
            if now is not None and now.unit is not None and now.unit != name:
                here.add(now.unit)
            if then is not None and then.unit is not None and then.unit != name:
                there.add(then.unit)
    reason = None
    if head_by.keys() != ref_by.keys():
        reason = "units were added, removed or renamed since the ref"
    elif tuple(pipelines) != before.pipeline_list:
        reason = "the pipelines changed since the ref"
    elif unit_level != "stack":
        reason = "the unit level is the pipeline (a rule reads every unit a pipeline deploys)"
    elif compose:
        reason = "serverless-compose passes values between units"
    bound = changed | affected
    for name in head_by:
        if asks_of[name] & changed or asked_at_ref[name] & changed:
            bound.add(name)
    for name in changed & head_by.keys():
        bound |= asks_of[name] | asked_at_ref[name]
    for link in before.links:
        if link.to_unit is not None and (link.from_unit in changed or link.to_unit in changed):
            bound.update((link.from_unit, link.to_unit))
    asked_by: dict[str, set[str]] = {}
    for name, providers in asks_of.items():
        for provider in providers:
            asked_by.setdefault(provider, set()).add(name)
    # a finding about a bound unit may name a resource of a unit next to it, and say everything that
    # reaches that resource: two rings, then the other end of each of their edges
    inner = _ring(_ring(bound, asks_of, asked_by), asks_of, asked_by)
    linked = set(inner)
    for name in inner:
        linked |= asks_of.get(name, set())
    linked &= head_by.keys()
    reached = set(linked)
    for name in linked:
        reached |= asks_of[name]
    fixed = tuple(link for link in before.links if link.from_unit not in bound)
    return NeighbourhoodPlan(
        frozenset(changed),
        frozenset(affected),
        frozenset(bound & head_by.keys()),
        frozenset(linked),
        fixed,
        reason,
        frozenset(reached),
    )


@dataclass
class Neighbourhood:
    """A ``LoadConfig.link_scope`` that links a change's neighbourhood when it can (see :func:`plan_neighbourhood`).

    ``refused`` is the caller's reason to link the whole graph anyway (a rule that
    needs it, a report of the whole repository); the plan is made either way, so
    the change's touched units are the same whichever graph is linked.
    """

    before: GraphAtRef
    files: tuple[str, ...]
    config: LoadConfig
    refused: str | None = None
    plan: NeighbourhoodPlan | None = field(default=None, init=False)

    def __call__(self, facts: Sequence[UnitLinkFacts], graph: DeploymentGraph, index: ProviderIndex) -> LinkScope | None:
        self.plan = plan_neighbourhood(
            facts, self.before, self.files, self.config, graph.pipelines(), graph.unit_level().level, head_index=index
        )
        if self.plan.reason is not None or self.refused is not None:
            return None
        return self.plan.scope()

    @property
    def reason(self) -> str | None:
        """Why the whole graph was linked, or None when the neighbourhood was."""
        if self.plan is None:
            return "the repository was not linked"
        return self.plan.reason or self.refused


def _ring(units: set[str], asks_of: dict[str, set[str]], asked_by: dict[str, set[str]]) -> set[str]:
    """``units`` and every unit that asks something of one of them, or that one of them asks something of."""
    found = set(units)
    for name in units:
        found |= asks_of.get(name, set()) | asked_by.get(name, set())
    return found
