"""The JSON report (a stable interface for CI systems) and its text rendering for people."""

from __future__ import annotations

import json
from typing import Any

from .graph import DeploymentGraph
from .patterns import classify_pattern
from .rules import run_builtin_rules

__all__ = ["REPORT_VERSION", "build_report", "render_json", "render_text"]

REPORT_VERSION = 1


def build_report(graph: DeploymentGraph) -> dict[str, Any]:
    """The report as plain JSON-ready data; field names are a public interface."""
    units = [
        {
            "name": unit.name,
            "path": unit.path,
            "format": unit.format,
            "domain": unit.domain if unit.domain is not None else _single_domain(graph, unit.name),
            "resources": unit.resource_count,
        }
        for unit in graph.units()
    ]
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
            "location": str(link.location),
        }
        for link in graph.cross_unit_links()
    ]
    errors = [{"path": error.path, "line": error.line, "message": error.message} for error in graph.errors]
    return {
        "version": REPORT_VERSION,
        "units": units,
        "functions": functions,
        "triggers": triggers,
        "links": links,
        "deploy_order": graph.deploy_order(),
        "pattern": classify_pattern(graph).to_dict(),
        "violations": [violation.to_dict() for violation in run_builtin_rules(graph)],
        "errors": errors,
        "notes": [str(note) for note in graph.notes],
    }


def _single_domain(graph: DeploymentGraph, unit: str) -> str | None:
    domains = {resource.domain for resource in graph.resources(unit=unit) if resource.domain}
    return domains.pop() if len(domains) == 1 else None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=False) + "\n"


def render_text(report: dict[str, Any]) -> str:
    """A readable summary: units, triggers by unit, links, deploy order, findings, errors."""
    lines: list[str] = []
    units = report["units"]
    lines.append(
        ", ".join(
            [
                _count(len(units), "deployment unit"),
                _count(len(report["functions"]), "function"),
                _count(len(report["triggers"]), "trigger"),
                _count(len(report["links"]), "cross-unit link"),
                _count(len(report["errors"]), "load error"),
            ]
        )
    )
    lines.append("")
    for unit in units:
        domain = f" [domain {unit['domain']}]" if unit["domain"] else ""
        lines.append(f"unit {unit['name']} ({unit['format']}, {unit['path']}, {unit['resources']} resources){domain}")
        for function in report["functions"]:
            if function["unit"] != unit["name"]:
                continue
            lines.append(f"  function {function['name']}  {function['location']}")
            for trigger in report["triggers"]:
                if trigger["function"] == function["id"]:
                    cross = "  CROSS-UNIT" if trigger["cross_unit"] else ""
                    lines.append(f"    <- {trigger['source_kind']} {trigger['source']}  {trigger['location']}{cross}")
    if report["links"]:
        lines.append("")
        lines.append("cross-unit links:")
        for link in report["links"]:
            lines.append(
                f"  {link['from_unit']} -> {link['to_unit'] or '(external)'}: {link['kind']} "
                f"{link['source']} -> {link['target']}  {link['location']}"
            )
    lines.append("")
    order = report["deploy_order"]
    if order is None:
        lines.append("deploy order: none (the units depend on each other in a cycle)")
    else:
        lines.append("deploy order: " + " ; ".join("[" + ", ".join(wave) + "]" for wave in order))
    pattern = report.get("pattern")
    if pattern:
        lines.append(f"pattern: {pattern.get('repo')}" + (f" ({pattern['reason']})" if pattern.get("reason") else ""))
    if report["violations"]:
        lines.append("")
        lines.append(f"{len(report['violations'])} violations:")
        for violation in report["violations"]:
            lines.append(f"  {violation['location']}: {violation['rule']}: {violation['message']}")
    if report["errors"]:
        lines.append("")
        lines.append("load errors:")
        for error in report["errors"]:
            where = f"{error['path']}:{error['line']}" if error["line"] else error["path"]
            lines.append(f"  {where}: {error['message']}")
    return "\n".join(lines) + "\n"
