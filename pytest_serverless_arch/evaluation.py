"""Running one configured rule on a graph, the same way for the pytest gate and the CLI.

:func:`run_rule` skips a rule that has nothing to check (:mod:`.vacuity`),
turns a :class:`~pytest_serverless_arch.rules.RuleError` into a configuration
error, and triages the findings (suppressions, then the baseline).

>>> from pytest_serverless_arch import load
>>> from pytest_serverless_arch.options import RuleSpec
>>> from pytest_serverless_arch.rules import get_rule
>>> graph = load("sample_repos/monolith-online-shop")  # doctest: +SKIP
>>> run_rule(RuleSpec("trigger-colocated"), get_rule("trigger-colocated"), graph).passed  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .collector import collector_paused
from .options import RuleSpec
from .rules.base import Rule, RuleError
from .suppressions import Triage, triage
from .vacuity import skip_reason

if TYPE_CHECKING:
    from .baseline import Baseline

__all__ = ["RuleRun", "run_rule"]


@dataclass(frozen=True)
class RuleRun:
    """What one rule line gave: its triaged findings, or why it was skipped, or its configuration error."""

    spec: RuleSpec
    rule: Rule
    result: Triage | None = None
    skipped: str | None = None
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and (self.result is None or self.result.passed)


def run_rule(spec: RuleSpec, rule: Rule, graph: Any, baseline: Baseline | None = None, *, accept_all: bool = False) -> RuleRun:
    """Run ``rule`` with ``spec``'s options on ``graph`` and triage what it finds."""
    reason = skip_reason(rule, graph)
    if reason is not None:
        return RuleRun(spec, rule, skipped=reason)
    # a rule reads the graph and builds findings, no cycles: a full collection would walk the whole graph again
    with collector_paused():
        try:
            violations = rule(graph, **spec.options)
        except RuleError as exc:
            message = str(exc)
            return RuleRun(spec, rule, error=message if message.startswith(rule.id) else f"{rule.id}: {message}")
        changes = getattr(getattr(graph, "graph", graph), "changes", None)
        if changes is not None:  # --arch-changed-since: a full run's findings, on the units the change touches
            from .changes import violations_within

            violations = violations_within(changes, violations)
        return RuleRun(spec, rule, result=triage(rule.id, violations, graph, baseline, accept_all=accept_all))
