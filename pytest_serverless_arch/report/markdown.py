"""Markdown for a pull request or ``$GITHUB_STEP_SUMMARY``: counts, the pattern, the violations and a Mermaid diagram.

The diagram shows every unit while it stays small enough for GitHub to
render; past :data:`MAX_DIAGRAM_NODES` nodes it shows only the units involved
in failing violations, and says so.
"""

from __future__ import annotations

from .document import ReportDocument
from .mermaid import render_mermaid

__all__ = ["MAX_DIAGRAM_NODES", "render_markdown"]

MAX_DIAGRAM_NODES = 150  # GitHub refuses large Mermaid diagrams; a summary should stay readable anyway


def render_markdown(document: ReportDocument, *, units: set[str] | None = None, title: str = "Deployment architecture") -> str:
    data = document.data
    lines = [f"## {title}", ""]
    lines.append(
        f"{_count(len(data['units']), 'deployment unit')}, {_count(len(data['functions']), 'function')}, "
        f"{_count(len(data['triggers']), 'trigger')}, {_count(len(data['links']), 'cross-unit link')}, "
        f"{_count(len(data['errors']), 'load error')}"
    )
    lines.append("")
    pattern = data.get("pattern") or {}
    if pattern:
        reason = f": {_cell(pattern['reason'])}" if pattern.get("reason") else ""
        lines.append(f"**Pattern:** `{pattern.get('repo')}`{reason}")
        lines.append("")
    order = data["deploy_order"]
    if order is None:
        lines.append("**Deploy order:** none (the units depend on each other in a cycle)")
    else:
        lines.append("**Deploy order:** " + " ; ".join("[" + ", ".join(f"`{name}`" for name in wave) + "]" for wave in order))
    lines.append("")
    failing = document.failing
    quiet = len(document.findings) - len(failing)
    lines.append(f"### Violations ({len(failing)})" + (f", {quiet} suppressed or baselined" if quiet else ""))
    lines.append("")
    if document.findings:
        lines += ["| where | rule | message | state |", "| --- | --- | --- | --- |"]
        for finding in document.findings:
            state = finding.state if finding.state != "suppressed" else f"suppressed: {finding.justification}"
            lines.append(f"| `{finding.location}` | `{finding.rule}` | {_cell(finding.violation.message)} | {_cell(state)} |")
    else:
        lines.append("None.")
    lines.append("")
    if data["errors"]:
        lines.append(f"### Load errors ({len(data['errors'])})")
        lines.append("")
        for error in document.graph.errors:
            lines.append(f"- `{error.location}`: {_cell(error.message)}")
        lines.append("")
    diagram_units = units
    note = ""
    if diagram_units is None and len(document.diagram.nodes_by_id) > MAX_DIAGRAM_NODES:
        diagram_units = document.units_in_violations()
        note = (
            f"The repository has {len(document.diagram.nodes_by_id)} functions and trigger sources, too many for one "
            f"diagram: shown are the {len(diagram_units)} units involved in violations."
        )
    lines.append("### Diagram")
    lines.append("")
    if note:
        lines += [note, ""]
    if diagram_units is None or diagram_units:
        lines += ["```mermaid", render_mermaid(document, units=diagram_units).rstrip("\n"), "```", ""]
    else:
        lines += ["(no unit to draw)", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
