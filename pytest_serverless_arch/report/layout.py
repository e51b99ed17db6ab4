"""Where the HTML page draws each unit and node: a layered layout by deploy wave, computed in Python.

Waves go left to right. A wave with many units wraps into several columns
(about 1.5 x sqrt(units) high), so 200 units stay a wide rectangle rather
than a ribbon. Inside an expanded unit, trigger sources sit on the left and
functions on the right. The page's script re-stacks a column when a unit is
collapsed or expanded, with the same numbers (:data:`UNIT_WIDTH` ...).

>>> from pytest_serverless_arch.report.diagram import Diagram, DiagramUnit
>>> layout = lay_out(Diagram((DiagramUnit("a", "sam", "a.yaml", None, 0),), (), (), 1))
>>> layout.units["a"].x, layout.units["a"].y
(24, 48)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .diagram import Diagram, DiagramEdge, DiagramUnit

__all__ = [
    "EXPAND_LIMIT",
    "HEADER",
    "ROW",
    "TOP",
    "UNIT_GAP",
    "UNIT_WIDTH",
    "Layout",
    "NodeBox",
    "UnitBox",
    "edge_path",
    "lay_out",
    "unit_edge_path",
]

UNIT_WIDTH = 280
NODE_WIDTH = 126
NODE_HEIGHT = 20
HEADER = 38  # the unit's name and one line about it
ROW = 26
UNIT_GAP = 16  # between units of a column
COLUMN_GAP = 80  # room for the links between columns
LEFT = 24
TOP = 48  # below the wave labels
EXPAND_LIMIT = 200  # more functions and trigger sources than this: every unit starts collapsed


@dataclass(frozen=True)
class NodeBox:
    """A node's box, relative to its unit's top-left corner."""

    x: int
    y: int


@dataclass(frozen=True)
class UnitBox:
    x: int
    y: int
    column: int
    expanded_height: int
    collapsed_height: int
    collapsed: bool

    @property
    def height(self) -> int:
        return self.collapsed_height if self.collapsed else self.expanded_height


@dataclass(frozen=True)
class Layout:
    units: dict[str, UnitBox]
    nodes: dict[str, NodeBox]
    columns: int
    wave_columns: tuple[tuple[int, int], ...]  # per wave: first column, number of columns
    width: int
    height: int


def column_height(units: int) -> int:
    """How many units one column of a wave holds."""
    return max(6, math.ceil(1.5 * math.sqrt(units)))


def lay_out(diagram: Diagram, *, collapsed: bool | None = None) -> Layout:
    """Positions for every unit and node; ``collapsed`` None: collapse all past :data:`EXPAND_LIMIT` nodes."""
    if collapsed is None:
        collapsed = len(diagram.nodes_by_id) > EXPAND_LIMIT
    per_column = column_height(len(diagram.units))
    by_wave: dict[int, list[DiagramUnit]] = {}
    for unit in diagram.units:
        by_wave.setdefault(unit.wave, []).append(unit)
    units: dict[str, UnitBox] = {}
    nodes: dict[str, NodeBox] = {}
    wave_columns: list[tuple[int, int]] = []
    column = 0
    bottom = TOP
    for wave in sorted(by_wave):
        members = by_wave[wave]
        count = math.ceil(len(members) / per_column)
        wave_columns.append((column, count))
        for start in range(0, len(members), per_column):
            y = TOP
            x = LEFT + column * (UNIT_WIDTH + COLUMN_GAP)
            for unit in members[start : start + per_column]:
                expanded = _place_nodes(unit, nodes)
                box = UnitBox(x, y, column, expanded, HEADER + 6, collapsed)
                units[unit.name] = box
                y += box.height + UNIT_GAP
            bottom = max(bottom, y)
            column += 1
    width = LEFT * 2 + max(column, 1) * (UNIT_WIDTH + COLUMN_GAP) - COLUMN_GAP
    return Layout(units, nodes, column, tuple(wave_columns), width, bottom + UNIT_GAP)


def _place_nodes(unit: DiagramUnit, nodes: dict[str, NodeBox]) -> int:
    left = [node for node in unit.nodes if node.kind != "function"]
    right = [node for node in unit.nodes if node.kind == "function"]
    for index, node in enumerate(left):
        nodes[node.id] = NodeBox(10, HEADER + index * ROW)
    for index, node in enumerate(right):
        nodes[node.id] = NodeBox(UNIT_WIDTH - NODE_WIDTH - 10, HEADER + index * ROW)
    return HEADER + max(len(left), len(right), 1) * ROW + 8


def edge_path(edge: DiagramEdge, layout: Layout) -> str:
    """An edge inside one unit, in the unit's coordinates: right side to left side, or a loop on one side."""
    a, b = layout.nodes[edge.source], layout.nodes[edge.target]
    ay, by = a.y + NODE_HEIGHT // 2, b.y + NODE_HEIGHT // 2
    if a.x < b.x:
        x1, x2 = a.x + NODE_WIDTH, b.x
        return f"M{x1},{ay} C{x1 + 6},{ay} {x2 - 6},{by} {x2},{by}"
    if a.x > b.x:
        x1, x2 = a.x, b.x + NODE_WIDTH
        return f"M{x1},{ay} C{x1 - 6},{ay} {x2 + 6},{by} {x2},{by}"
    side = a.x + NODE_WIDTH if a.x > UNIT_WIDTH // 2 else a.x
    bulge = 8 if side > UNIT_WIDTH // 2 else -8
    return f"M{side},{ay} C{side + bulge},{ay} {side + bulge},{by} {side},{by}"


def unit_edge_path(source: UnitBox, target: UnitBox) -> str:
    """A link from the right of ``source``'s header to the left of ``target``'s (the page's script draws it the same way)."""
    x1, y1 = source.x + UNIT_WIDTH, source.y + HEADER // 2
    x2, y2 = target.x, target.y + HEADER // 2
    bend = max(40, abs(x2 - x1) // 2)
    return f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"
