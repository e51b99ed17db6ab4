"""The edges of one unit being read, each added once, shared by every reader."""

from __future__ import annotations

from typing import Any

from ..model import Edge, LoadedUnit, Location

__all__ = ["UnitEdges"]


class UnitEdges:
    """Adds edges to ``unit`` once per (kind, source, target, detail), indexed by target.

    The index answers "which sources already trigger this function?", which a
    Lambda permission asks before it adds a trigger of its own.
    """

    def __init__(self, unit: LoadedUnit) -> None:
        self._unit = unit
        self._keys: set[tuple[str, Any, Any, str]] = set()
        self._sources: dict[tuple[str, Any], list[Any]] = {}

    def add(self, kind: str, source: Any, target: Any, location: Location, detail: str = "") -> None:
        if source is None or target is None or source == target:
            return
        key = (kind, source, target, detail)
        if key in self._keys:
            return
        self._keys.add(key)
        self._sources.setdefault((kind, target), []).append(source)
        self._unit.edges.append(Edge(kind, source, target, location, detail))

    def sources_of(self, kind: str, target: Any) -> list[Any]:
        """Sources of the ``kind`` edges already added to ``target``."""
        return list(self._sources.get((kind, target), ()))

    def has(self, kind: str, source: Any, target: Any) -> bool:
        return source in self._sources.get((kind, target), ())
