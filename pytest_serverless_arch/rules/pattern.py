"""``pattern``: the repository is cut into units the way the team decided.

Runs :func:`~pytest_serverless_arch.patterns.classify_pattern` and reports one
violation when the verdict is not the ``expected`` pattern (or one of several).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..model import Location
from ..patterns import DEFAULT_TOLERANCE, PATTERNS, classify_pattern
from ..selection import whole_graph
from ..view import GraphView
from .base import RuleError, Violation, rule

__all__ = ["pattern"]

RULE_ID = "pattern"
_FIRST_TO_FIX = {"infra": 0, "app": 1}


@rule(
    RULE_ID,
    description="the repository follows the expected deployment pattern",
    reason="How a system is cut into deployment units decides how painful releases are; once a team "
    "has chosen a cut, drifting into another one should be a decision, not an accident.",
    builtin=True,
)
def pattern(
    graph: GraphView, *, expected: str | Iterable[str] | None = None, tolerance: float = DEFAULT_TOLERANCE
) -> list[Violation]:
    """The repository's pattern is ``expected`` (a pattern id, or several accepted ones).

    ``tolerance``: the share of trigger edges that may cross units in a ``trigger-grouped`` repository.
    """
    accepted = _accepted(expected)
    try:
        verdict = classify_pattern(graph, tolerance=tolerance)
    except ValueError as exc:
        raise RuleError(f"{RULE_ID}: {exc}") from None
    if verdict.repo in accepted:
        return []
    whole = whole_graph(graph)
    # Point at a unit that plays another part; the ones holding others' triggers first, they cause the most.
    off = sorted(
        (name for name, unit in verdict.units.items() if unit.pattern not in accepted),
        key=lambda name: (_FIRST_TO_FIX.get(verdict.units[name].pattern, len(_FIRST_TO_FIX)), name),
    )
    names = off or list(verdict.units)
    location = (whole.unit(names[0]).location or Location(whole.unit(names[0]).path)) if names else Location(".")
    breakdown = ", ".join(f"{name}: {unit.pattern}" for name, unit in verdict.units.items())
    return [
        Violation(
            RULE_ID,
            f"the repository is cut as {verdict.repo}, expected {' or '.join(accepted)}: {verdict.reason}"
            + (f" (units: {breakdown})" if breakdown else ""),
            location,
            tuple(verdict.units),
        )
    ]


def _accepted(expected: str | Iterable[str] | None) -> tuple[str, ...]:
    if expected is None:
        raise RuleError(
            f"{RULE_ID}: say which pattern is expected, e.g. expected='trigger-grouped' (one of {', '.join(PATTERNS)})"
        )
    accepted = (expected,) if isinstance(expected, str) else tuple(expected)
    unknown = [name for name in accepted if name not in PATTERNS]
    if unknown or not accepted:
        close = [match for name in unknown for match in difflib.get_close_matches(name, PATTERNS, n=1)]
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise RuleError(
            f"{RULE_ID}: unknown pattern {', '.join(map(repr, unknown)) or '(none)'}{hint} (patterns: {', '.join(PATTERNS)})"
        )
    return accepted
