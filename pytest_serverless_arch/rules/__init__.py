"""Architecture rules: the model (:mod:`.base`) and the built-in rules, one module each."""

from .base import DOCS_URL, Rule, RuleError, Violation, get_rule, registered_rules, rule

__all__ = ["DOCS_URL", "Rule", "RuleError", "Violation", "get_rule", "registered_rules", "rule"]
