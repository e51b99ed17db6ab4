"""Suppressions with reasons, and the triage of a rule's findings.

A resource suppresses a rule for the findings that involve it:

.. code-block:: yaml

    OrdersQueue:
      Type: AWS::SQS::Queue
      Metadata:
        serverless-arch:
          suppress:
            - rule: trigger-colocated
              reason: "shared with the legacy billing stack until Q3"

(serverless.yml: ``custom.serverlessArch.suppress`` entries with ``function:``.)
A suppression without a reason suppresses nothing and is an error; one that
matches no finding is reported so it can be removed. Suppressed findings stay
visible in the terminal summary.

:func:`apply_suppressions_and_baseline` is what rule items and assertion
helpers call: it applies the suppressions, then the session's baseline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .graph import DeploymentGraph
from .model import Location
from .rules.base import Rule, Violation

if TYPE_CHECKING:
    from .baseline import Baseline, BaselineEntry

__all__ = ["Suppression", "Triage", "suppressions_in", "triage"]


@dataclass(frozen=True, order=True)
class Suppression:
    """``resource`` suppresses ``rule`` because of ``reason`` (declared at ``location``)."""

    location: Location
    rule: str
    resource: str
    reason: str

    def __str__(self) -> str:
        reason = f": {self.reason}" if self.reason else " without a reason"
        return f"{self.location}: {self.rule} suppressed on {self.resource}{reason}"

    def to_dict(self) -> dict[str, Any]:
        return {"location": str(self.location), "rule": self.rule, "resource": self.resource, "reason": self.reason}


def suppressions_in(graph: Any) -> list[Suppression]:
    """Every suppression declared on a resource of ``graph``, in file order."""
    # a whole graph: found once per state, every rule's triage asks (a view's own resources are fewer)
    cache = graph._cache if isinstance(graph, DeploymentGraph) else None
    if cache is not None and "suppressions" in cache:
        return list(cache["suppressions"])
    resources = getattr(graph, "resources", None)
    if not callable(resources):  # a custom graph-like object: nothing can be suppressed on it
        return []
    found = []
    recorded = [resource for record in getattr(graph, "absent", {}).values() for resource in record.suppressed]
    for resource in [*resources(), *recorded]:  # a unit left as its record keeps its suppressed resources
        if resource.suppressions:
            for rule_id, reason in resource.suppressions:
                found.append(Suppression(resource.location, rule_id, resource.id, (reason or "").strip()))
    found.sort()
    if cache is not None:
        cache["suppressions"] = tuple(found)
    return found


@dataclass
class Triage:
    """One rule run's findings, sorted into what fails and what does not."""

    rule: str
    failing: list[Violation] = field(default_factory=list)
    baselined: list[Violation] = field(default_factory=list)
    suppressed: list[tuple[Violation, Suppression]] = field(default_factory=list)
    without_reason: list[Suppression] = field(default_factory=list)  # errors: they suppress nothing
    unused: list[Suppression] = field(default_factory=list)
    fixed: list[BaselineEntry] = field(default_factory=list)
    shrunk: list[tuple[BaselineEntry, int, int]] = field(default_factory=list)  # count findings below the baseline

    @property
    def found(self) -> list[Violation]:
        """Every finding that was not suppressed (what ``--arch-update-baseline`` writes)."""
        return self.failing + self.baselined

    @property
    def passed(self) -> bool:
        """No finding left to fail on (a suppression without a reason is its own failing item)."""
        return not self.failing

    def failure_text(self, rule: Rule | None = None, *, verbose: bool = False) -> str:
        """``file:line: rule-id: message`` lines, then the reason and the docs link."""
        lines = []
        if rule is not None and rule.description:
            lines.append(f"{self.rule}: {rule.description}")
        if self.failing:
            count = len(self.failing)
            lines.append(f"{count} violation{'s' if count != 1 else ''}:")
            for violation in sorted(self.failing, key=lambda found: (found.location, found.message)):
                lines.append(f"  {violation}")
                if verbose:
                    if violation.units:
                        lines.append(f"      units: {', '.join(violation.units)}")
                    if violation.resources:
                        lines.append(f"      resources: {', '.join(violation.resources)}")
        for suppression in self.without_reason:
            lines.append(
                f"  {suppression.location}: a suppression of {suppression.rule} on {suppression.resource} "
                f"has no reason, so it suppresses nothing; add `reason:`"
            )
        if rule is not None and rule.reason:
            lines.append(f"why: {rule.reason}")
        if rule is not None and rule.docs_url:
            lines.append(f"docs: {rule.docs_url}")
        quiet = []
        if self.suppressed:
            quiet.append(f"{len(self.suppressed)} suppressed")
        if self.baselined:
            quiet.append(f"{len(self.baselined)} in the baseline")
        if quiet:
            lines.append(f"({', '.join(quiet)}; not failing)")
        if not verbose and self.failing and any(v.units or v.resources for v in self.failing):
            lines.append("(run with -v to see the units and resources of each violation)")
        return "\n".join(lines)


def triage(
    rule_id: str,
    violations: Iterable[Violation],
    graph: Any = None,
    baseline: Baseline | None = None,
    *,
    accept_all: bool = False,
) -> Triage:
    """Apply ``graph``'s suppressions of ``rule_id``, then ``baseline``, to ``violations``.

    ``accept_all`` (``--arch-update-baseline``) treats every unsuppressed finding as baselined.
    """
    result = Triage(rule_id)
    suppressions = [s for s in suppressions_in(graph) if s.rule == rule_id] if graph is not None else []
    valid = [s for s in suppressions if s.reason]
    result.without_reason = [s for s in suppressions if not s.reason]
    used: set[Suppression] = set()
    remaining = []
    for violation in violations:
        match = next((s for s in valid if s.resource in violation.resources), None)
        if match is None:
            remaining.append(violation)
        else:
            used.add(match)
            result.suppressed.append((violation, match))
    result.unused = [s for s in valid if s not in used]
    if accept_all:
        result.baselined = remaining
    elif baseline is not None:
        split = baseline.split(remaining, rules_run=[rule_id], graph=graph)
        result.failing, result.baselined, result.fixed, result.shrunk = split.new, split.baselined, split.fixed, split.shrunk
    else:
        result.failing = remaining
    return result
