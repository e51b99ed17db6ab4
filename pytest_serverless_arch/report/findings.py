"""The report's findings: every violation triaged (new, suppressed with its reason, or baselined), with a stable identity.

The identity names units by their template path and resources by path and
logical id, never by stage-dependent names, lines or messages, so a SARIF
``partialFingerprints`` entry stays put across stages and unrelated edits.

>>> from pytest_serverless_arch.model import Location
>>> from pytest_serverless_arch.rules.base import Violation
>>> found = Violation("no-unit-cycles", "a -> b -> a", Location("a.yaml", 3), units=("a", "b"))
>>> [finding.state for finding in triage_findings([found])]
['new']
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..identity import finding_identity as stage_independent_identity
from ..identity import unit_identities
from ..model import Location
from ..rules.base import Violation
from ..suppressions import Triage, triage

if TYPE_CHECKING:
    from ..baseline import Baseline

__all__ = ["Finding", "FindingState", "finding_fingerprint", "finding_identity", "findings_of_runs", "triage_findings"]

FindingState = Literal["new", "suppressed", "baselined"]


@dataclass(frozen=True)
class Finding:
    """One violation as the report shows it: what it is, whether it fails, and why not."""

    violation: Violation
    state: FindingState
    identity: str  # stage-independent: rule, unit paths, path#logical-id of resources
    justification: str = ""  # the suppression's reason
    suppressed_at: Location | None = None

    @property
    def rule(self) -> str:
        return self.violation.rule

    @property
    def location(self) -> Location:
        return self.violation.location

    @property
    def fingerprint(self) -> str:
        return finding_fingerprint(self.identity)


def finding_identity(violation: Violation, graph: Any = None, paths: dict[str, str] | None = None) -> str:
    """``rule|unit paths|path#logical-id ...``: the finding's stage-independent identity (:mod:`..identity`) as text.

    >>> from pytest_serverless_arch.model import Location
    >>> finding_identity(Violation("r", "m", Location("x", 1), ("orders",), ("orders:Queue",)), paths={"orders": "orders/t.yaml"})
    'r|orders/t.yaml|orders/t.yaml#Queue'
    """
    identity = stage_independent_identity(violation, graph, paths)
    return "|".join([identity.rule, ",".join(identity.units), ",".join(identity.resources)])


def finding_fingerprint(identity: str) -> str:
    """A short stable hash of an identity (what SARIF ``partialFingerprints`` carries)."""
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def findings_of_runs(runs: Iterable[Any], graph: Any) -> list[Finding]:
    """The findings of rule runs already triaged (:class:`~pytest_serverless_arch.evaluation.RuleRun`)."""
    paths = unit_identities(graph)
    findings: list[Finding] = []
    for run in runs:
        result = run.result
        if result is None:
            continue
        findings += _findings_of(result, graph, paths)
    return _in_report_order(findings)


def triage_findings(violations: Iterable[Violation], graph: Any = None, baseline: Baseline | None = None) -> list[Finding]:
    """Apply ``graph``'s suppressions and then ``baseline`` to each rule's violations, as the gate does."""
    by_rule: dict[str, list[Violation]] = {}
    for violation in violations:
        by_rule.setdefault(violation.rule, []).append(violation)
    findings: list[Finding] = []
    paths = unit_identities(graph)
    for rule_id, found in by_rule.items():
        result = triage(rule_id, found, graph, baseline)
        findings += _findings_of(result, graph, paths)
    return _in_report_order(findings)


def _findings_of(result: Triage, graph: Any, paths: dict[str, str]) -> list[Finding]:
    """One rule's triaged violations (failing, baselined, suppressed) as findings with their identities."""
    return [
        *(Finding(v, "new", finding_identity(v, graph, paths)) for v in result.failing),
        *(Finding(v, "baselined", finding_identity(v, graph, paths)) for v in result.baselined),
        *(
            Finding(v, "suppressed", finding_identity(v, graph, paths), suppression.reason, suppression.location)
            for v, suppression in result.suppressed
        ),
    ]


def _in_report_order(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.location, f.rule, f.violation.message, f.state))
