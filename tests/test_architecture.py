"""The package's own layering, checked from its import graph (the way import-linter checks contracts).

The stages of the pipeline (docs/architecture.md) import only downwards:
discovery and parsing know nothing of the loaders; past the loaders (linking,
domains, the graph, rules, patterns, reports) nothing knows which template
syntax a fact came from; the plugin never imports the strategies. Every
import counts, also the ones inside functions; only ``if TYPE_CHECKING:``
blocks are left out, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from .helpers import REPO

PACKAGE = "pytest_serverless_arch"
SOURCE = REPO / PACKAGE


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            submodules = {f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in known}
            found.update(submodules)  # ``from . import naming`` imports the module naming
            if len(submodules) < len(node.names):
                found.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {name for name in found if name.startswith(PACKAGE)}


def import_graph() -> nx.DiGraph:
    """Module -> module it imports, for every module of the package (submodules resolved to files)."""
    paths = {_module_name(path): path for path in SOURCE.rglob("*.py")}
    known = set(paths)
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for module, path in paths.items():
        for imported in _imports(path, module, known):
            while imported not in known and "." in imported:
                imported = imported.rpartition(".")[0]  # ``from .model import Edge`` -> the module
            if imported in known and imported != module:
                graph.add_edge(module, imported)
    return graph


GRAPH = import_graph()


def _modules(prefix: str) -> list[str]:
    return sorted(name for name in GRAPH if name == f"{PACKAGE}.{prefix}" or name.startswith(f"{PACKAGE}.{prefix}."))


# Stages past the loaders: they read typed facts (model.py), never template syntax.
FORMAT_FREE = [
    *_modules("link"),
    *_modules("domains"),
    *_modules("graph"),
    *_modules("selection"),
    *_modules("patterns"),
    *_modules("rules"),
    *_modules("report"),
    *_modules("assertions"),
]


@pytest.mark.parametrize("module", FORMAT_FREE)
def test_stages_after_the_loaders_import_nothing_format_specific(module: str) -> None:
    reached = nx.descendants(GRAPH, module)
    format_specific = sorted(name for name in reached if name.startswith(f"{PACKAGE}.loaders"))
    paths = [nx.shortest_path(GRAPH, module, name) for name in format_specific]
    assert not format_specific, f"{module} reaches format-specific code: {' ; '.join(' -> '.join(p) for p in paths)}"


@pytest.mark.parametrize("module", _modules("loaders") + _modules("discover") + _modules("parse"))
def test_discovery_and_the_loaders_never_import_a_later_stage(module: str) -> None:
    later = [
        name
        for stage in ("link", "graph", "rules", "report", "plugin", "gate", "items", "cli", "loading", "patterns")
        for name in _modules(stage)
    ]
    reached = nx.descendants(GRAPH, module)
    assert not (reached & set(later)), f"{module} imports {sorted(reached & set(later))}"


def test_the_plugin_never_imports_the_strategies() -> None:
    reached = nx.descendants(GRAPH, f"{PACKAGE}.plugin")
    assert not [name for name in reached if name.startswith(f"{PACKAGE}.strategies")]


def test_the_package_has_no_import_cycles() -> None:
    cycles = sorted(sorted(cycle) for cycle in nx.simple_cycles(GRAPH))
    assert cycles == []


def test_the_import_graph_sees_the_imports_it_should() -> None:
    """The checker itself: a known import and a known function-level import are found."""
    assert GRAPH.has_edge(f"{PACKAGE}.link", f"{PACKAGE}.model")
    assert GRAPH.has_edge(f"{PACKAGE}.loading", f"{PACKAGE}.loaders")


def test_no_test_module_imports_a_conftest() -> None:
    """Shared test helpers live in tests/helpers.py; pytest loads conftest files itself."""
    importing = sorted(
        str(path.relative_to(REPO))
        for path in (REPO / "tests").rglob("*.py")
        if "fixtures" not in path.parts
        and any(
            isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "conftest"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )
    assert importing == []
