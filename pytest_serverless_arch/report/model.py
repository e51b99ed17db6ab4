"""The report's data, built once from the graph; every format renders this (field names are a public interface)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..graph import DeploymentGraph
from ..identity import finding_identity, unit_identities
from ..patterns import classify_pattern
from ..references import describe_reference, judge_references
from ..rules import run_builtin_rules

if TYPE_CHECKING:
    from ..check import RepositoryCheck

__all__ = ["REPORT_VERSION", "build_report"]

REPORT_VERSION = 1


def build_report(graph: DeploymentGraph, check: RepositoryCheck | None = None) -> dict[str, Any]:
    """The report as plain JSON-ready data; field names are a public interface.

    With ``check`` (what the CLI ran: the configured rules, suppressions and
    baseline) ``violations`` holds every finding with its ``status``; without it,
    the built-in rules' findings with their defaults.
    """
    units = [
        {
            "name": unit.name,
            "path": unit.path,
            "format": unit.format,
            "domain": unit.domain if unit.domain is not None else _single_domain(graph, unit.name),
            "resources": unit.resource_count,
            "pipelines": [pipeline.name for pipeline in graph.pipelines_of(unit.name)],
        }
        for unit in graph.units()
    ]
    pipelines = [
        {
            "name": pipeline.name,
            "system": pipeline.system,
            "location": str(pipeline.location),
            "units": list(pipeline.units),
            "after": list(pipeline.after),
            "paths": list(pipeline.paths),
        }
        for pipeline in graph.pipelines()
    ]
    level = graph.unit_level()
    functions = [
        {"id": function.id, "name": function.name, "unit": function.unit, "location": str(function.location)}
        for function in graph.functions()
    ]
    triggers = [
        {
            "source": trigger.source,
            "source_kind": trigger.source_kind,
            "function": trigger.function,
            "cross_unit": trigger.cross_unit,
            "cross_pipeline": trigger.cross_pipeline,
            "location": str(trigger.location),
        }
        for trigger in graph.trigger_edges()
    ]
    links = [
        {
            "kind": link.kind,
            "from_unit": link.from_unit,
            "to_unit": link.to_unit,
            "source": link.source,
            "target": link.target,
            "cross_pipeline": link.cross_pipeline,
            "location": str(link.location),
            "used_by": list(link.used_by),
        }
        for link in graph.cross_unit_links()
    ]
    errors = [{"path": error.path, "line": error.line, "message": error.message} for error in graph.errors]
    unresolved = [
        {
            "how": verdict.reference.how,
            "name": verdict.reference.name,
            "unit": verdict.reference.unit,
            "link_kind": verdict.reference.link_kind,
            "location": str(verdict.reference.location),
            "status": verdict.status,
            "reason": verdict.reference.reason,
            "candidates": list(verdict.candidates),
            "allowed_by": verdict.allowed_by,
            "description": describe_reference(verdict.reference),
        }
        for verdict in judge_references(graph)
    ]
    return {
        "version": REPORT_VERSION,
        "units": units,
        "pipelines": pipelines,
        "unit_level": {"level": level.level, "reason": level.reason},
        "functions": functions,
        "triggers": triggers,
        "links": links,
        "deploy_order": graph.deploy_order(),
        "pattern": classify_pattern(graph).to_dict(),
        **_findings(graph, check),
        "unresolved_references": unresolved,
        "changes": _changes(graph),
        "errors": errors,
        "notes": [str(note) for note in graph.notes],
    }


def _single_domain(graph: DeploymentGraph, unit: str) -> str | None:
    domains = {resource.domain for resource in graph.resources(unit=unit) if resource.domain}
    return domains.pop() if len(domains) == 1 else None


def _findings(graph: DeploymentGraph, check: RepositoryCheck | None) -> dict[str, Any]:
    """``violations`` (each with its stage-independent ``identity`` and ``status``) and ``rules`` (what ran)."""
    identities = unit_identities(graph)

    def entry(violation: Any, status: str, reason: str | None = None) -> dict[str, Any]:
        identity = finding_identity(violation, identities=identities)
        found = {**violation.to_dict(), "identity": {"units": list(identity.units), "resources": list(identity.resources)}}
        found["status"] = status
        if reason is not None:
            found["reason"] = reason
        return found

    if check is None:
        return {"violations": [entry(violation, "new") for violation in run_builtin_rules(graph)]}
    found: list[tuple[Any, str, str | None]] = []
    rules = []
    for run in check.runs:
        rule = {"id": run.rule.id, "options": dict(run.spec.options)}
        if run.skipped is not None:
            rules.append({**rule, "status": "skipped", "reason": run.skipped})
        elif run.error is not None:
            rules.append({**rule, "status": "error", "reason": run.error})
        elif run.result is not None:
            result = run.result
            found += [(violation, "new", None) for violation in result.failing]
            found += [(violation, "baselined", None) for violation in result.baselined]
            found += [(v, "suppressed", f"{s.location}: {s.reason}") for v, s in result.suppressed]
            rules.append({**rule, "status": "passed" if result.passed else "failed"})
    found.sort(key=lambda item: (item[0].location, item[0].rule, item[0].message))
    violations = [entry(violation, status, reason) for violation, status, reason in found]
    return {"violations": violations, "rules": rules, "rules_not_run": list(check.not_run)}


def _changes(graph: DeploymentGraph) -> dict[str, Any] | None:
    """What a change since a git ref touches (``--changed-since``), else None."""
    changes = graph.changes
    if changes is None:
        return None
    return {
        "ref": changes.ref,
        "files": list(changes.files),
        "changed_units": list(changes.changed_units),
        "linked_units": list(changes.linked_units),
        "removed_units": list(changes.removed_units),
        "deploy_order": None if changes.deploy_order is None else [list(wave) for wave in changes.deploy_order],
        "pipelines": list(changes.pipelines),
    }
