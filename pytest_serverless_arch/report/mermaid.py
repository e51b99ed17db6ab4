"""Mermaid ``flowchart LR``: a ``subgraph`` per unit, small enough to paste into a pull request.

Triggers are solid arrows, invokes dotted, accesses dashed; a link between
units is a thick arrow from the unit that provides to the unit that needs,
labelled with its kinds. Violating nodes and links are drawn in red.

>>> from pytest_serverless_arch.report.diagram import Diagram
>>> print(render_mermaid_diagram(Diagram((), (), (), 0)), end="")
flowchart LR
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..rules.base import Violation
from .diagram import Diagram
from .document import ReportDocument

__all__ = ["mermaid_of_violations", "render_mermaid", "render_mermaid_diagram"]

_ARROWS = {"triggers": "-->", "invokes": "-.->", "accesses": "-.-"}
_SHAPES = {"function": ('(["', '"])'), "queue": ('[/"', '"/]'), "topic": ('{{"', '"}}')}


def render_mermaid(document: ReportDocument, *, units: set[str] | None = None) -> str:
    """The whole graph, or only ``units`` (e.g. :meth:`ReportDocument.units_in_violations`)."""
    diagram = document.diagram if units is None else document.diagram.only(units)
    return render_mermaid_diagram(diagram)


def render_mermaid_diagram(diagram: Diagram) -> str:
    lines = ["flowchart LR"]
    node_ids: dict[str, str] = {}
    unit_ids: dict[str, str] = {}
    for unit_index, unit in enumerate(diagram.units):
        unit_ids[unit.name] = f"u{unit_index}"
        domain = f" · {unit.domain}" if unit.domain else ""
        lines.append(f'  subgraph u{unit_index}["{_label(unit.name + domain)}"]')
        for node in unit.nodes:
            node_ids[node.id] = f"n{len(node_ids)}"
            opening, closing = _SHAPES.get(node.kind, ('["', '"]'))
            text = node.label if node.kind == "function" else f"{node.kind}: {node.label}"
            lines.append(f"    {node_ids[node.id]}{opening}{_label(text)}{closing}")
        lines.append("  end")
    links: list[str] = []
    for edge in diagram.edges:
        links.append(f"  {node_ids[edge.source]} {_ARROWS[edge.kind]} {node_ids[edge.target]}")
    styled: list[int] = [index for index, edge in enumerate(diagram.edges) if edge.violating]
    for unit_edge in diagram.unit_edges:
        label = _label(", ".join(unit_edge.kinds) + (f" ×{unit_edge.count}" if unit_edge.count > 1 else ""))
        links.append(f'  {unit_ids[unit_edge.source]} =="{label}"==> {unit_ids[unit_edge.target]}')
        if unit_edge.violating:
            styled.append(len(links) - 1)
    lines += links
    violating = [node_ids[node.id] for unit in diagram.units for node in unit.nodes if node.violating]
    if violating or styled:
        lines.append("  classDef violating stroke:#d00,stroke-width:3px,color:#900")
    if violating:
        lines.append(f"  class {','.join(violating)} violating")
    if styled:
        lines.append(f"  linkStyle {','.join(str(index) for index in styled)} stroke:#d00,stroke-width:3px")
    if diagram.units_omitted:
        lines.append(f"  %% {diagram.units_omitted} more units not shown")
    return "\n".join(lines) + "\n"


def _label(text: str) -> str:
    # Mermaid labels take HTML entities; a quote or a bracket would end the label
    return (
        text.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("[", "#91;")
        .replace("]", "#93;")
    )


def mermaid_of_violations(graph: Any, violations: Sequence[Violation]) -> str:
    """The Mermaid subgraph of the units ``violations`` involve, their nodes and links marked (for a failing item)."""
    from .diagram import build_diagram
    from .findings import Finding, finding_identity

    findings = [Finding(violation, "new", finding_identity(violation, graph)) for violation in violations]
    units = {unit for violation in violations for unit in violation.units}
    return render_mermaid_diagram(build_diagram(graph, findings).only(units))
