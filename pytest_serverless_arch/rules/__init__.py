"""Architecture rules: the model (:mod:`.base`) and the built-in rules, one module each.

>>> from pytest_serverless_arch import load
>>> from pytest_serverless_arch.rules import run_builtin_rules
>>> for violation in run_builtin_rules(load("sample_repos/monolith-online-shop")):  # doctest: +SKIP
...     print(violation)
"""

from __future__ import annotations

from ..view import GraphView
from .base import DOCS_URL, Rule, RuleError, Violation, describe, get_rule, location_of, registered_rules, rule
from .max_cross_unit_links import Coupling, max_cross_unit_links, unit_coupling
from .no_breaking_removals import breaking_removals, no_breaking_removals
from .no_cross_domain_access import no_cross_domain_access
from .no_dangling_references import no_dangling_references
from .no_function_placeholders import no_function_placeholders
from .no_unit_cycles import no_unit_cycles
from .pattern import pattern
from .pipeline_order import pipeline_order
from .single_domain_units import single_domain_units
from .trigger_colocated import trigger_colocated

__all__ = [
    "BUILTIN_RULES",
    "breaking_removals",
    "no_breaking_removals",
    "DOCS_URL",
    "Coupling",
    "Rule",
    "RuleError",
    "Violation",
    "builtin_rules",
    "describe",
    "get_rule",
    "location_of",
    "max_cross_unit_links",
    "no_cross_domain_access",
    "no_dangling_references",
    "no_function_placeholders",
    "no_unit_cycles",
    "pattern",
    "pipeline_order",
    "registered_rules",
    "rule",
    "run_builtin_rules",
    "single_domain_units",
    "trigger_colocated",
    "unit_coupling",
]

BUILTIN_RULES = (
    "trigger-colocated",
    "single-domain-units",
    "no-unit-cycles",
    "no-function-placeholders",
    "no-cross-domain-access",
    "max-cross-unit-links",
    "pipeline-order",
    "no-dangling-references",
)
"""The built-in rules that run with their defaults (``pattern`` needs ``expected=``, so it is not one)."""


def builtin_rules() -> list[Rule]:
    """The built-in rules :func:`run_builtin_rules` runs, in order."""
    return [get_rule(rule_id) for rule_id in BUILTIN_RULES]


def run_builtin_rules(graph: GraphView) -> list[Violation]:
    """Every built-in rule's findings on ``graph`` with default options, sorted by location."""
    violations = [violation for each in builtin_rules() for violation in each(graph, allow_empty=True)]
    if getattr(getattr(graph, "graph", graph), "changes", None) is not None:  # compared with a git ref
        violations += no_breaking_removals(graph, allow_empty=True)
    return sorted(violations, key=lambda violation: (violation.location, violation.rule, violation.message))
