"""Helpers shared by the test modules: paths, node-id shorthands, small repositories.

Test modules import from here, never from ``conftest.py`` (pytest loads
conftest files itself; importing them twice gives two copies of their state).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pytest_serverless_arch import DeploymentGraph, load
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.model import Edge, Location, Resource, Unit
from pytest_serverless_arch.pipelines import PipelineScan, read_pipelines
from pytest_serverless_arch.pipelines.model import Deployment, DeployTimeRef, ParameterValue, Pipeline

TESTS = Path(__file__).parent
REPO = TESTS.parent
CORPUS = REPO.parent / "shared" / "corpus"
FIXTURES = TESTS / "fixtures"
SPLIT_QUEUE = FIXTURES / "plugin" / "split-queue"
PIPELINE_FIXTURES = FIXTURES / "pipelines"
GRAPH_FIXTURES = FIXTURES / "graph"

__all__ = [
    "CORPUS",
    "FIXTURES",
    "GRAPH_FIXTURES",
    "PIPELINE_FIXTURES",
    "REPO",
    "SPLIT_QUEUE",
    "TESTS",
    "access_facts",
    "assert_same_document",
    "edge_facts",
    "edge_rows",
    "link_facts",
    "load_template",
    "parameters_of",
    "read_pipeline_fixture",
    "sam_deploy",
    "scan",
    "short",
    "split_queue_repo",
    "trigger_rows",
    "workflow",
    "commit_all",
    "git",
    "wide_graph",
    "write",
    "write_files",
]


def short(node_id: str) -> str:
    """A node id without its unit (``unit:Queue`` -> ``Queue``); external ids stay whole."""
    return node_id if node_id.startswith("external:") else node_id.split(":", 1)[1]


def load_template(path: Path, *, allow_errors: bool = False) -> DeploymentGraph:
    """Load one template file as a repository of its own (its folder is the root)."""
    graph = load(str(path), root=str(path.parent))
    if not allow_errors:
        assert graph.errors == []
    return graph


def trigger_rows(graph: DeploymentGraph) -> list[tuple[str, str, str, int]]:
    """Every trigger as (source, source kind, function, line), ids without their unit, sorted."""
    return sorted((short(t.source), t.source_kind, short(t.function), t.location.line) for t in graph.trigger_edges())


def edge_rows(graph: DeploymentGraph, kind: str) -> list[tuple[str, str, int, str]]:
    """Every edge of one kind as (source, target, line, detail), ids without their unit, sorted."""
    return sorted((short(e.source), short(e.target), e.location.line, e.detail) for e in graph.edges(kind))


def write(root: Path, relpath: str, text: str) -> Path:
    """Write ``text`` (dedented) at ``root/relpath``, creating folders; returns the file."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def split_queue_repo(pytester: pytest.Pytester, *rules: str, infra: str | None = None, config: str = "ini") -> Path:
    """Two CloudFormation units: infra.yaml's queue triggers app.yaml's function (wired at infra.yaml:7).

    ``infra`` replaces infra.yaml's text; ``rules`` are enabled in a ``pytest.ini``
    (``config="ini"``) or a ``pyproject.toml`` (``config="pyproject"``).
    """
    shutil.copy(SPLIT_QUEUE / "app.yaml", pytester.path / "app.yaml")
    (pytester.path / "infra.yaml").write_text(infra or (SPLIT_QUEUE / "infra.yaml").read_text())
    if rules and config == "pyproject":
        listed = "".join(f"    {rule!r},\n" for rule in rules)
        pytester.makefile(".toml", pyproject=f"[tool.pytest.ini_options]\nserverless_arch_rules = [\n{listed}]\n")
    elif rules:
        pytester.makeini("[pytest]\nserverless_arch_rules =\n" + "".join(f"    {rule}\n" for rule in rules))
    return pytester.path


# --- pipelines ---------------------------------------------------------------------
def read_pipeline_fixture(name: str, config: LoadConfig | None = None) -> PipelineScan:
    """The pipelines of ``tests/fixtures/pipelines/<name>``."""
    return read_pipelines(PIPELINE_FIXTURES / name, config or LoadConfig())


def parameters_of(deployment) -> dict[str, tuple[str, str, bool]]:
    """``{key: (value, "path:line", resolved)}`` of a deployment's parameters."""
    return {key: (value.value, str(value.location), value.resolved) for key, value in deployment.parameters}


def sam_deploy(
    workflow: str,
    line: int,
    *,
    template: str | None = None,
    stack_name: str | None = None,
    parameters: dict[str, str] | None = None,
    refs: dict[str, DeployTimeRef] | None = None,
    environment: str | None = None,
    working_directory: str = ".",
) -> Deployment:
    """A ``sam deploy`` at ``workflow:line`` as a pipeline reader would report it."""
    values = tuple((name, ParameterValue(value, Location(workflow, line))) for name, value in (parameters or {}).items())
    values += tuple(
        (name, ParameterValue(f"${name.upper()}", Location(workflow, line), False, ref)) for name, ref in (refs or {}).items()
    )
    return Deployment(
        "sam",
        Location(workflow, line),
        working_directory=working_directory,
        template=template,
        stack_name=stack_name,
        parameters=values,
        environment=environment,
    )


def workflow(name: str, path: str, *deployments: Deployment, after: tuple[str, ...] = ()) -> Pipeline:
    """A GitHub Actions workflow named ``name`` at ``path`` running ``deployments`` in order."""
    return Pipeline(name, "github-actions", Location(path, 1), tuple(deployments), after)


def scan(*pipelines: Pipeline) -> PipelineScan:
    return PipelineScan(tuple(pipelines))


def link_facts(graph: DeploymentGraph) -> list[tuple[str, str, str | None, str, str, str]]:
    """Every cross-unit link as ``(kind, from unit, to unit, source, target, location)``, sorted.

    ``to unit`` is None for a link to an external node.
    """
    return sorted(
        (
            (link.kind, link.from_unit, link.to_unit, link.source, link.target, str(link.location))
            for link in graph.cross_unit_links()
        ),
        key=lambda fact: tuple(str(part) for part in fact),
    )


def access_facts(graph: DeploymentGraph) -> list[tuple[str, str, str, str, bool]]:
    """Every ``accesses`` edge as ``(source, target, mode, location, cross_unit)``, sorted."""
    return sorted((e.source, e.target, e.detail, str(e.location), e.cross_unit) for e in graph.edges("accesses"))


def edge_facts(graph: DeploymentGraph, kind: str) -> list[tuple[str, str, str, bool]]:
    """Every edge of ``kind`` as ``(source, target, location, cross_unit)``, sorted."""
    return sorted((edge.source, edge.target, str(edge.location), edge.cross_unit) for edge in graph.edges(kind))


def fixture_repository(pytester: pytest.Pytester, name: str, pyproject: str = "", ini: str = "") -> Path:
    """Copy ``tests/fixtures/<name>`` into pytester's directory, with a ``pyproject.toml`` and/or ``pytest.ini``."""
    shutil.copytree(FIXTURES / name, pytester.path, dirs_exist_ok=True)
    if pyproject:
        (pytester.path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    if ini:
        (pytester.path / "pytest.ini").write_text(ini, encoding="utf-8")
    return pytester.path


def wide_graph(units: int, functions_per_unit: int) -> DeploymentGraph:
    """A graph of ``units`` units, each a queue triggering ``functions_per_unit`` functions, in ten domains.

    Every third unit reads the queue of the unit before it (a cross-unit link), so the
    units fall into deploy waves. Built directly, without templates, so it is quick.
    """
    graph = DeploymentGraph(root=".")
    for index in range(units):
        name = f"svc-{index:03d}"
        path = f"services/{name}/template.yaml"
        domain = f"domain-{index % 10}"
        graph.add_unit(Unit(name, "sam", path, domain=domain, resource_count=functions_per_unit + 1, location=Location(path, 1)))
        queue = Resource(name, "Queue", "AWS::SQS::Queue", "queue", Location(path, 3), name="Queue", domain=domain)
        graph.add_resource(queue)
        for number in range(functions_per_unit):
            function = Resource(
                name,
                f"Fn{number}",
                "AWS::Serverless::Function",
                "function",
                Location(path, 10 + number),
                name=f"Fn{number}",
                domain=domain,
            )
            graph.add_resource(function)
            graph.add_edge(Edge("triggers", queue.id, function.id, Location(path, 10 + number)))
        if index % 3 == 2:
            provider = f"svc-{index - 1:03d}"
            graph.add_edge(Edge("imports", f"{name}:Fn0", f"{provider}:Queue", Location(path, 10), cross_unit=True))
    return graph


def write_files(root: Path, files: Mapping[str, str]) -> None:
    """Write ``{relative path: text}`` under ``root`` (text dedented), creating folders."""
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def apply_edit(root: Path, files: Mapping[str, str | None]) -> None:
    """Write ``{relative path: text}`` under ``root`` as :func:`write_files` does; a None text deletes that file."""
    for relpath, text in files.items():
        if text is None:
            (root / relpath).unlink()
        else:
            write_files(root, {relpath: text})


def record_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The list each loader run appends its candidate's path to, from now until ``monkeypatch`` is undone."""
    from pytest_serverless_arch import loaders

    real_loader_for = loaders.loader_for
    loaded: list[str] = []

    def counting(format_name: str) -> Any:
        loader = real_loader_for(format_name)
        return None if loader is None else lambda candidate, *rest: loaded.append(candidate.relpath) or loader(candidate, *rest)

    monkeypatch.setattr(loaders, "loader_for", counting)
    return loaded


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` with a fixed identity; its stdout."""
    command = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout


def commit_all(root: Path, message: str) -> str:
    """Stage everything under ``root`` (deletions too) and commit; the new commit's hash."""
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


SAMPLES = REPO / "sample_repos"


@dataclass(frozen=True)
class CliRun:
    """One ``python -m pytest_serverless_arch`` run: its exit status and output."""

    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(*args: str | os.PathLike[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> CliRun:
    """Run the CLI in a subprocess (as CI does), with a time limit."""
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_serverless_arch", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr)


def linked_repo(root: Path, links: int) -> Path:
    """Two CloudFormation units: ``infra.yaml`` exports ``links`` queues, ``app.yaml``'s function imports each.

    So each unit has ``links`` cross-unit links (``app.yaml:12`` onwards, one per line).
    """
    infra = ["Resources:"]
    infra += [f"  Queue{i}:\n    Type: AWS::SQS::Queue" for i in range(links)]
    infra += ["Outputs:"]
    infra += [f"  Queue{i}Arn:\n    Value: !GetAtt Queue{i}.Arn\n    Export:\n      Name: queue-{i}-arn" for i in range(links)]
    (root / "infra.yaml").write_text("\n".join(infra) + "\n")
    app = (
        "Resources:\n  Worker:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: index.handler\n"
        "      Runtime: python3.12\n      Role: arn:aws:iam::123456789012:role/worker\n      Code:\n"
        '        ZipFile: "def handler(event, context): pass"\n      Environment:\n        Variables:\n'
    )
    app += "".join(f"          QUEUE_{i}: !ImportValue queue-{i}-arn\n" for i in range(links))
    (root / "app.yaml").write_text(app)
    return root


def pyproject(root: Path, *rules: str, **settings: str | list[str]) -> Path:
    """A ``pyproject.toml`` with ``serverless_arch_rules`` and other ``serverless_arch_<key>`` settings."""
    lines = ["[tool.pytest.ini_options]", f"serverless_arch_rules = {json.dumps(list(rules))}"]
    lines += [f"serverless_arch_{key} = {json.dumps(value)}" for key, value in settings.items()]
    path = root / "pyproject.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def make_split_queue_worker_a_placeholder(app: Path) -> None:
    """Give split-queue's ``app.yaml`` Worker code from a parameter: a placeholder wherever its trigger is.

    Its definition stays at ``app.yaml:3``; the parameter is appended after the outputs.
    """
    text = app.read_text()
    code = '      Code:\n        ZipFile: "def handler(e, c): pass"\n'
    assert code in text
    text = text.replace(code, "      Code:\n        S3Bucket: artifacts\n        S3Key: !Ref WorkerCodeKey\n")
    app.write_text(text + "Parameters:\n  WorkerCodeKey:\n    Type: String\n")


def assert_parses_alike(read: Any, reference: Any, text: str) -> None:
    """Parsers ``read`` and ``reference`` (``(text, duplicates)``) give the same document and duplicate keys, or the same error.

    Each is run once without and once with a list of duplicate keys to fill.
    """
    from pytest_serverless_arch.parse import ParseError

    def outcome(parser: Any, keep_duplicates: bool) -> tuple[Any, ...]:
        duplicates: list[Any] | None = [] if keep_duplicates else None
        try:
            return ("read", parser(text, duplicates), duplicates)
        except ParseError as error:
            return ("refused", type(error).__name__, error.message, error.line)

    for keep_duplicates in (False, True):
        got, expected = outcome(read, keep_duplicates), outcome(reference, keep_duplicates)
        if got[0] == expected[0] == "read":
            assert_same_document(got[1], expected[1])
            assert got[2] == expected[2]
        else:
            assert got == expected


def assert_same_document(read: Any, expected: Any, path: str = "$") -> None:
    """Two parsed documents hold equal values of the same types, with the same lines and columns everywhere.

    Every mapping's line, column and key lines (a one-line mapping's ``None``
    too), every list's line, column and item lines, every tagged value's tag
    and line; ``path`` names the place that differs.
    """
    from pytest_serverless_arch.parse import LineDict, LineList, TaggedValue

    assert type(read) is type(expected), path
    if isinstance(read, LineDict):
        assert (read.line, read.column, read._key_lines) == (expected.line, expected.column, expected._key_lines), path
        assert list(read) == list(expected), path
        for (key, value), (expected_key, expected_value) in zip(read.items(), expected.items(), strict=True):
            assert_same_document(key, expected_key, f"{path}.<key {key!r}>")
            assert_same_document(value, expected_value, f"{path}.{key}")
    elif isinstance(read, list):
        if isinstance(read, LineList):
            assert (read.line, read.column, read.item_lines) == (expected.line, expected.column, expected.item_lines), path
        assert len(read) == len(expected), path
        for index, (item, expected_item) in enumerate(zip(read, expected, strict=True)):
            assert_same_document(item, expected_item, f"{path}[{index}]")
    elif isinstance(read, TaggedValue):
        assert (read.tag, read.line) == (expected.tag, expected.line), path
        assert_same_document(read.value, expected.value, f"{path}!")
    elif isinstance(read, float) and read != read:  # NaN
        assert expected != expected, path
    else:
        assert read == expected, path
