"""The report built once: the JSON data, the triaged findings, the rules and (when drawn) the picture, for every format.

>>> from pytest_serverless_arch import load
>>> document = build_document(load("tests/fixtures/report"))  # doctest: +SKIP
>>> document.data["units"][0]["name"]  # doctest: +SKIP
'orders/template.yaml'
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..collector import collector_paused
from ..graph import DeploymentGraph
from ..rules import BUILTIN_RULES, Rule, registered_rules
from ..rules.base import Violation
from .diagram import Diagram, build_diagram
from .findings import Finding, findings_of_runs, triage_findings
from .model import build_report

if TYPE_CHECKING:
    from ..baseline import Baseline
    from ..check import RepositoryCheck

__all__ = ["ReportDocument", "build_document"]


@dataclass(frozen=True)
class ReportDocument:
    """Everything a format renders; built once per run, whatever the number of formats."""

    graph: DeploymentGraph
    data: Mapping[str, Any]  # build_report(graph): the JSON report, a public interface
    findings: tuple[Finding, ...]
    rules: tuple[Rule, ...]  # the rules whose findings are in the report, for their metadata
    root: Path  # the repository root (artifact locations are relative to it)
    baseline_used: bool = False

    @functools.cached_property
    def diagram(self) -> Diagram:
        """The picture: built the first time a format draws it (the JSON, text and SARIF reports do not)."""
        with collector_paused():  # it makes no cycles, as building the rest of the document does not
            return build_diagram(self.graph, self.findings)

    @property
    def failing(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.state == "new"]

    def units_in_violations(self) -> set[str]:
        """Units named by a failing finding."""
        return {unit for finding in self.failing for unit in finding.violation.units}

    def units_of_paths(self, changed: list[str]) -> set[str]:
        """Units whose template is one of ``changed`` or lies in a changed directory (paths relative to the root)."""
        wanted = [path.strip("/").replace("\\", "/") for path in changed if path.strip()]
        found = set()
        for unit in self.diagram.units:
            directory = unit.path.rpartition("/")[0]
            for path in wanted:
                if unit.path == path or unit.path.startswith(path + "/") or (directory and path.startswith(directory + "/")):
                    found.add(unit.name)
        return found


def build_document(
    graph: DeploymentGraph,
    *,
    baseline: Baseline | None = None,
    extra: Iterable[tuple[Rule, Sequence[Violation]]] = (),
    check: RepositoryCheck | None = None,
) -> ReportDocument:
    """The report of ``graph``: its JSON data, its findings triaged by suppressions and ``baseline``, its picture.

    ``extra`` adds the findings of rules run beside the built-in ones (the contracts of the configuration).
    With ``check`` (the CLI's run of the configured rules, suppressions and baseline) the findings are
    exactly what that run found, as the pytest gate finds them.
    """
    # building the report makes no cycles; a full collection here would walk the whole graph again
    with collector_paused():
        return _build_document(graph, baseline=baseline, extra=extra, check=check)


def _build_document(
    graph: DeploymentGraph,
    *,
    baseline: Baseline | None,
    extra: Iterable[tuple[Rule, Sequence[Violation]]],
    check: RepositoryCheck | None,
) -> ReportDocument:
    data = build_report(graph, check)
    extra = list(extra)  # read twice: the rules it adds, then their violations
    known = registered_rules()
    known.update({extra_rule.id: extra_rule for extra_rule, _ in extra})
    if check is not None:
        findings = tuple(findings_of_runs(check.runs, graph))
        ran = [run.rule.id for run in check.runs]
        baseline_used = any(run.result is not None and run.result.baselined for run in check.runs)
    else:
        violations = [Violation(**_violation_fields(item)) for item in data["violations"]]
        violations += [violation for _, found in extra for violation in found]
        findings = tuple(triage_findings(violations, graph, baseline))
        ran = list(BUILTIN_RULES) + sorted({finding.rule for finding in findings} - set(BUILTIN_RULES))
        baseline_used = baseline is not None and len(baseline) > 0
    return ReportDocument(
        graph=graph,
        data=data,
        findings=findings,
        rules=tuple(known[rule_id] for rule_id in ran if rule_id in known),
        root=Path(graph.root).resolve(),
        baseline_used=baseline_used,
    )


def _violation_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    from ..model import Location

    path, _, line = str(item["location"]).rpartition(":")
    location = Location(path, int(line)) if path and line.isdigit() else Location(str(item["location"]))
    return {
        "rule": item["rule"],
        "message": item["message"],
        "location": location,
        "units": tuple(item["units"]),
        "resources": tuple(item["resources"]),
    }
