"""The text report: a readable summary for people."""

from __future__ import annotations

from typing import Any

from ..escape import printable

__all__ = ["render_text"]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def render_text(report: dict[str, Any], *, verbose: bool = False) -> str:
    """A readable summary: units, triggers by unit, links, deploy order, findings, errors.

    Links are grouped by the pair of units with a count; ``verbose`` lists each under its pair.
    """
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
        lines.append(f"unit {unit['name']} ({unit['format']}, {unit['path']}, {_count(unit['resources'], 'resource')}){domain}")
        for function in report["functions"]:
            if function["unit"] != unit["name"]:
                continue
            lines.append(f"  function {function['name']}  {function['location']}")
            for trigger in report["triggers"]:
                if trigger["function"] == function["id"]:
                    cross = "  CROSS-UNIT" if trigger["cross_unit"] else ""
                    cross += "  CROSS-PIPELINE" if trigger.get("cross_pipeline") else ""
                    lines.append(f"    <- {trigger['source_kind']} {trigger['source']}  {trigger['location']}{cross}")
    # Triggers of functions no unit lists (defined outside the repository) are counted above: show them too.
    listed = {function["id"] for function in report["functions"]}
    elsewhere = [trigger for trigger in report["triggers"] if trigger["function"] not in listed]
    if elsewhere:
        lines.append("")
        lines.append("triggers of functions no unit defines (outside the repository):")
        for trigger in elsewhere:
            lines.append(
                f"  {trigger['source_kind']} {trigger['source']} -> {trigger['function']}  {trigger['location']}"
                + ("  CROSS-UNIT" if trigger["cross_unit"] else "")
            )
    lines.extend(_pipeline_lines(report))
    if report["links"]:
        lines.append("")
        lines.append("cross-unit links:" + ("" if verbose else " (list them with -v)"))
        pairs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for link in report["links"]:
            pairs.setdefault((link["from_unit"], link["to_unit"] or "(external)"), []).append(link)
        for (from_unit, to_unit), links in pairs.items():
            kinds = ", ".join(
                f"{kind} {sum(link['kind'] == kind for link in links)}" for kind in sorted({link["kind"] for link in links})
            )
            lines.append(f"  {from_unit} -> {to_unit}: {_count(len(links), 'link')} ({kinds})")
            if verbose:
                for link in links:
                    lines.append(f"    {link['kind']} {link['source']} -> {link['target']}  {link['location']}")
    lines.append("")
    order = report["deploy_order"]
    if order is None:
        lines.append("deploy order: none (the units depend on each other in a cycle)")
    else:
        lines.append("deploy order: " + " ; ".join("[" + ", ".join(wave) + "]" for wave in order))
    pattern = report.get("pattern")
    if pattern:
        lines.append(f"pattern: {pattern.get('repo')}" + (f" ({pattern['reason']})" if pattern.get("reason") else ""))
    rules = report.get("rules")
    if rules:
        lines.append("rules: " + ", ".join(f"{rule['id']} {rule['status']}" for rule in rules))
        for rule in rules:
            if rule.get("reason"):
                lines.append(f"  {rule['id']} {rule['status']}: {rule['reason']}")
    if report.get("rules_not_run"):
        lines.append(
            f"rules not run ({', '.join(report['rules_not_run'])}): defined in conftest.py, which only pytest "
            "imports (--rules-module PATH runs a module of rules here)"
        )
    lines += _unresolved_lines(report.get("unresolved_references") or [])
    lines += _changes_lines(report.get("changes"))
    if report["violations"]:
        lines.append("")
        lines.append(f"{_count(len(report['violations']), 'violation')}:")
        for violation in report["violations"]:
            status = violation.get("status", "new")
            shown = "" if status == "new" else f"  [{status}]"
            lines.append(f"  {violation['location']}: {violation['rule']}: {violation['message']}{shown}")
    if report["errors"]:
        lines.append("")
        lines.append("load errors:")
        for error in report["errors"]:
            where = f"{error['path']}:{error['line']}" if error["line"] else error["path"]
            lines.append(f"  {where}: {error['message']}")
    # Names and messages come from the repository: an escape sequence or a newline in a logical id
    # must neither drive the terminal nor forge a line, and a lone surrogate must still print.
    return "\n".join(printable(line) for line in lines) + "\n"


def _pipeline_lines(report: dict[str, Any]) -> list[str]:
    """The pipelines section: what each pipeline deploys, in order, and the unit level rules use."""
    pipelines = report.get("pipelines") or []
    if not pipelines:
        return []
    lines = ["", "pipelines:"]
    for pipeline in pipelines:
        units = " -> ".join(pipeline["units"]) or "(no unit of this repository)"
        after = f" after {', '.join(pipeline['after'])}" if pipeline["after"] else ""
        lines.append(f"  {pipeline['name']} ({pipeline['system']}, {pipeline['location']}){after}: {units}")
    level = report.get("unit_level")
    if level:
        lines.append(f"unit level: {level['level']} ({level['reason']})")
    return lines


_STATUSES = ("dangling", "undecidable", "external")


def _unresolved_lines(unresolved: list[dict[str, Any]]) -> list[str]:
    """Unresolved cross-unit references in their own section, counted by status."""
    if not unresolved:
        return []
    counts = {status: sum(1 for ref in unresolved if ref["status"] == status) for status in _STATUSES}
    lines = ["", f"unresolved references ({len(unresolved)}: " + ", ".join(f"{counts[s]} {s}" for s in _STATUSES) + "):"]
    for ref in unresolved:
        if ref["status"] == "external":
            why = f"external (allowed by {ref['allowed_by']})"
        elif ref["status"] == "undecidable":
            why = "undecidable (may be " + ", ".join(ref["candidates"][:3]) + ")"
        else:
            why = "dangling" + (" (did you mean " + ", ".join(ref["candidates"]) + "?)" if ref["candidates"] else "")
        lines.append(f"  {ref['location']}: {ref['description']} in unit {ref['unit']}: {why}")
    return lines


def _changes_lines(changes: dict[str, Any] | None) -> list[str]:
    """What a change since a git ref touches, and the order in which its units must go out."""
    if not changes:
        return []
    order = changes["deploy_order"]
    waves = "none (cycle)" if order is None else " ; ".join("[" + ", ".join(wave) + "]" for wave in order) or "nothing"
    lines = ["", f"changed since {changes['ref']}: {_count(len(changes['files']), 'file')}"]
    lines.append(f"  units changed: {', '.join(changes['changed_units']) or 'none'}")
    lines.append(f"  units linked to them: {', '.join(changes['linked_units']) or 'none'}")
    if changes["removed_units"]:
        lines.append(f"  units removed: {', '.join(changes['removed_units'])}")
    lines.append(f"  deploy order: {waves}")
    if changes["pipelines"]:
        lines.append(f"  pipelines: {', '.join(changes['pipelines'])}")
    return lines
