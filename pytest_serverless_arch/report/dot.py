"""Graphviz DOT: a ``cluster`` per unit, for people who use Graphviz (``dot -Tsvg report.dot``).

Each cluster holds a box named after its unit (links between units start and
end there) and the unit's functions and trigger sources.

>>> from pytest_serverless_arch.report.diagram import Diagram
>>> print(render_dot_diagram(Diagram((), (), (), 0)), end="")
digraph deployment {
  rankdir=LR;
  compound=true;
  node [fontname="Helvetica", fontsize=10];
}
"""

from __future__ import annotations

from .diagram import Diagram
from .document import ReportDocument

__all__ = ["render_dot", "render_dot_diagram"]

_STYLES = {"triggers": "solid", "invokes": "dotted", "accesses": "dashed"}


def render_dot(document: ReportDocument, *, units: set[str] | None = None) -> str:
    diagram = document.diagram if units is None else document.diagram.only(units)
    return render_dot_diagram(diagram)


def render_dot_diagram(diagram: Diagram) -> str:
    lines = ["digraph deployment {", "  rankdir=LR;", "  compound=true;", '  node [fontname="Helvetica", fontsize=10];']
    node_ids: dict[str, str] = {}
    anchors: dict[str, str] = {}
    for unit_index, unit in enumerate(diagram.units):
        anchors[unit.name] = f"u{unit_index}"
        title = unit.name + (f" ({unit.domain})" if unit.domain else "")
        lines.append(f"  subgraph cluster_{unit_index} {{")
        lines.append(f"    label={_quote(title)};")
        lines.append(f'    color="{"#cc0000" if unit.violating else "#888888"}";')
        lines.append(f"    u{unit_index} [label={_quote(f'{unit.format}, wave {unit.wave + 1}')}, shape=folder, style=bold];")
        for node in unit.nodes:
            node_ids[node.id] = f"n{len(node_ids)}"
            shape = "ellipse" if node.kind == "function" else "box"
            color = ', color="#cc0000", penwidth=2' if node.violating else ""
            text = node.label if node.kind == "function" else f"{node.kind}: {node.label}"
            lines.append(f"    {node_ids[node.id]} [label={_quote(text)}, shape={shape}{color}];")
        lines.append("  }")
    for edge in diagram.edges:
        color = ', color="#cc0000", penwidth=2' if edge.violating else ""
        lines.append(
            f"  {node_ids[edge.source]} -> {node_ids[edge.target]} "
            f"[label={_quote(edge.kind)}, style={_STYLES[edge.kind]}{color}];"
        )
    for unit_edge in diagram.unit_edges:
        color = "#cc0000" if unit_edge.violating else ("#1f6feb" if unit_edge.cross_unit_trigger else "#444444")
        label = ", ".join(unit_edge.kinds) + (f" x{unit_edge.count}" if unit_edge.count > 1 else "")
        lines.append(
            f'  {anchors[unit_edge.source]} -> {anchors[unit_edge.target]} [label={_quote(label)}, penwidth=2, color="{color}"];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
