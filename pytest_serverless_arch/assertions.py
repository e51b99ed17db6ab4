"""Assertion helpers: architecture rules as one-line tests.

Each helper fails the test with one ``file:line: rule-id: message`` line per
violation, the rule's reason and a link to its documentation, and no
traceback from inside the package. Every helper accepts a scoped view
(``graph.where(domain="orders")``) as well as a whole graph.

>>> from pytest_serverless_arch.assertions import assert_every_lambda_ships_with_its_trigger
>>> def test_every_lambda_ships_with_its_trigger(deployment_graph):  # doctest: +SKIP
...     assert_every_lambda_ships_with_its_trigger(deployment_graph.where(domain="orders"))

All of them go through :func:`check`, whose findings pass through
:data:`violation_filter` (the plugin sets it to apply suppressions and the
baseline), so the helpers and the collected rule items agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from .patterns import DEFAULT_TOLERANCE
from .rules import Rule, Violation, get_rule
from .rules.base import RuleFunction
from .view import GraphView

__all__ = [
    "ViolationFilter",
    "assert_every_lambda_ships_with_its_trigger",
    "assert_no_cross_domain_access",
    "assert_no_function_placeholders",
    "assert_no_unit_cycles",
    "assert_no_unit_spans_two_domains",
    "assert_pattern",
    "assert_rule",
    "check",
    "failure_text",
    "keep_every_violation",
    "violation_filter",
]

ViolationFilter = Callable[[Rule, list[Violation], Any], Iterable[Violation]]
"""``(rule, violations, graph) -> violations to report`` (suppressions and the baseline drop some)."""


def keep_every_violation(rule: Rule, violations: list[Violation], graph: GraphView) -> list[Violation]:
    """The default :data:`violation_filter`: report everything."""
    return violations


violation_filter: ViolationFilter = keep_every_violation
"""The one seam between rules and reporting; the plugin replaces it to apply suppressions and the baseline."""


def check(graph: GraphView, rule_or_id: str | Rule | RuleFunction, **options: Any) -> list[Violation]:
    """Run a rule (an id, a registered rule or a plain function) and filter its findings.

    Raises :class:`~pytest_serverless_arch.rules.RuleError` when the rule cannot
    run as configured (unknown id, bad option, a selection matching nothing).
    """
    rule = get_rule(rule_or_id)
    return list(violation_filter(rule, rule(graph, **options), graph))


def failure_text(rule: Rule, violations: list[Violation], graph: GraphView | None = None) -> str:
    """What a failing assertion or rule item shows: the findings, the reason, the docs link."""
    selection = getattr(graph, "selection", None)
    scope = f" in {selection}" if isinstance(selection, str) and selection != "everything" else ""
    count = f"{len(violations)} violation{'s' if len(violations) != 1 else ''}"
    described = rule.description and rule.description != rule.id
    header = f"{rule.id}{scope}: {count}" + (f" of: {rule.description}" if described else "")
    lines = [header, *(f"  {violation}" for violation in violations)]
    if rule.reason:
        lines.append(f"why: {rule.reason}")
    if rule.docs_url:
        lines.append(f"docs: {rule.docs_url}")
    return "\n".join(lines)


def assert_rule(graph: GraphView, rule_or_id: str | Rule | RuleFunction, **options: Any) -> None:
    """Fail the test when the rule finds any violation in ``graph``.

    >>> assert_rule(graph, "max-cross-unit-links", limit=5)  # doctest: +SKIP
    """
    __tracebackhide__ = True
    rule = get_rule(rule_or_id)
    violations = check(graph, rule, **options)
    if violations:
        pytest.fail(failure_text(rule, violations, graph), pytrace=False)


def assert_every_lambda_ships_with_its_trigger(graph: GraphView, **options: Any) -> None:
    """Every trigger of every function is in the function's unit (rule ``trigger-colocated``)."""
    __tracebackhide__ = True
    assert_rule(graph, "trigger-colocated", **options)


def assert_no_unit_spans_two_domains(graph: GraphView, **options: Any) -> None:
    """No unit holds resources of two domains (rule ``single-domain-units``)."""
    __tracebackhide__ = True
    assert_rule(graph, "single-domain-units", **options)


def assert_no_unit_cycles(graph: GraphView, **options: Any) -> None:
    """The units can be deployed in some order (rule ``no-unit-cycles``)."""
    __tracebackhide__ = True
    assert_rule(graph, "no-unit-cycles", **options)


def assert_no_function_placeholders(graph: GraphView, **options: Any) -> None:
    """No function's code or wiring comes from another unit (rule ``no-function-placeholders``)."""
    __tracebackhide__ = True
    assert_rule(graph, "no-function-placeholders", **options)


def assert_no_cross_domain_access(graph: GraphView, **options: Any) -> None:
    """Functions reach other domains' data stores only through events (rule ``no-cross-domain-access``)."""
    __tracebackhide__ = True
    assert_rule(graph, "no-cross-domain-access", **options)


def assert_pattern(
    graph: GraphView, pattern: str | Iterable[str], *, tolerance: float = DEFAULT_TOLERANCE, **options: Any
) -> None:
    """The repository is cut as ``pattern`` (or one of several), per :func:`~pytest_serverless_arch.patterns.classify_pattern`.

    ``tolerance`` is the share of trigger edges that may cross units in a ``trigger-grouped`` repository.

    >>> assert_pattern(graph, "trigger-grouped", tolerance=0.05)  # doctest: +SKIP
    """
    __tracebackhide__ = True
    assert_rule(graph, "pattern", expected=pattern, tolerance=tolerance, **options)
