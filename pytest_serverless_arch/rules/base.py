"""The rule model: a rule is a plain function ``rule(graph, **options) -> iterable of Violation``.

>>> from pytest_serverless_arch.rules import rule, Violation
>>> @rule("no-orphan-queues", description="every queue has a consumer")
... def no_orphan_queues(graph):
...     return []
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model import Location

__all__ = ["DOCS_URL", "Rule", "RuleError", "Violation", "get_rule", "registered_rules", "rule"]

DOCS_URL = "https://github.com/pytest-serverless-arch/pytest-serverless-arch/blob/main/docs/rules/{id}.md"


class RuleError(Exception):
    """A rule that cannot run as configured (unknown id, a selection that matches nothing)."""


@dataclass(frozen=True)
class Violation:
    """One finding: ``str(violation)`` is ``path:line: rule-id: message``."""

    rule: str
    message: str
    location: Location
    units: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.location}: {self.rule}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "location": str(self.location),
                "units": list(self.units), "resources": list(self.resources)}


RuleFunction = Callable[..., Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its id, a one-line description, the reason it exists, a docs link."""

    id: str
    function: RuleFunction = field(repr=False)
    description: str = ""
    reason: str = ""
    docs_url: str = ""
    builtin: bool = False

    def __call__(self, graph: Any, **options: Any) -> list[Violation]:
        return list(self.function(graph, **options))


_REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, *, description: str = "", reason: str = "", docs_url: str | None = None,
         builtin: bool = False) -> Callable[[RuleFunction], RuleFunction]:
    """Register ``function`` as rule ``rule_id`` (usable as a pytest item and with ``assert_rule``)."""

    def register(function: RuleFunction) -> RuleFunction:
        doc = (function.__doc__ or "").strip().splitlines()
        _REGISTRY[rule_id] = Rule(
            id=rule_id, function=function, description=description or (doc[0] if doc else rule_id),
            reason=reason, docs_url=docs_url if docs_url is not None else (DOCS_URL.format(id=rule_id) if builtin else ""),
            builtin=builtin,
        )
        function.rule_id = rule_id  # type: ignore[attr-defined]
        return function

    return register


def get_rule(rule_or_id: str | Rule | RuleFunction) -> Rule:
    if isinstance(rule_or_id, Rule):
        return rule_or_id
    if callable(rule_or_id):
        rule_id = getattr(rule_or_id, "rule_id", None)
        if rule_id is None:
            return Rule(getattr(rule_or_id, "__name__", "custom-rule"), rule_or_id)
        return _REGISTRY[rule_id]
    try:
        return _REGISTRY[rule_or_id]
    except KeyError:
        raise RuleError(f"unknown rule {rule_or_id!r}; known rules: {', '.join(sorted(_REGISTRY))}") from None


def registered_rules() -> dict[str, Rule]:
    return dict(_REGISTRY)
