"""The graph's indexes (issue 19): answers by kind, the edges sorted one kind at a time, the suppressions found
once per graph, the whole-graph view; each must answer exactly what the plain scan answered."""

from __future__ import annotations

import gc

from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.evaluation import run_rule
from pytest_serverless_arch.graph import DeploymentGraph
from pytest_serverless_arch.link import build_graph
from pytest_serverless_arch.model import Edge, LoadedUnit, Location, Resource
from pytest_serverless_arch.options import RuleSpec
from pytest_serverless_arch.rules.base import Rule, Violation
from pytest_serverless_arch.selection import ScopedGraph, scope_of
from pytest_serverless_arch.suppressions import Suppression, suppressions_in


def _unit(name: str, *, suppress: bool = False) -> LoadedUnit:
    path = f"{name}/template.yaml"
    unit = LoadedUnit(name=name, format="cloudformation", path=path)
    unit.resources = [
        Resource(name, "Jobs", "AWS::SQS::Queue", "queue", Location(path, 2), domain="orders"),
        Resource(
            name,
            "Worker",
            "AWS::Lambda::Function",
            "function",
            Location(path, 4),
            domain="billing",
            suppressions=(("trigger-colocated", "shared until Q3"),) if suppress else (),
        ),
        Resource(name, "Audit", "AWS::Lambda::Function", "function", Location(path, 9), domain="orders"),
    ]
    # two accesses of one pair at one line (ties of the sort) and edges of several kinds, added out of order
    unit.edges = [
        Edge("accesses", "Worker", "Jobs", Location(path, 6), "write"),
        Edge("triggers", "Jobs", "Worker", Location(path, 5), "SQS"),
        Edge("accesses", "Worker", "Jobs", Location(path, 6), "read"),
        Edge("invokes", "Worker", "Audit", Location(path, 7)),
        Edge("accesses", "Audit", "Jobs", Location(path, 11), "read"),
    ]
    return unit


def _graph() -> DeploymentGraph:
    return build_graph([_unit("b"), _unit("a", suppress=True)], root=".", config=LoadConfig())


def test_edges_of_one_kind_are_that_kinds_part_of_every_edge_ties_in_the_order_added():
    graph = _graph()
    every = graph.edges()
    assert [edge.kind for edge in every] == sorted(edge.kind for edge in every)
    for kind in ("accesses", "triggers", "invokes", "references"):
        assert graph.edges(kind) == [edge for edge in every if edge.kind == kind]
    accesses = [(edge.source, edge.target, edge.location.line, edge.detail) for edge in graph.edges("accesses")]
    assert accesses == [
        ("a:Audit", "a:Jobs", 11, "read"),
        ("a:Worker", "a:Jobs", 6, "write"),  # added first
        ("a:Worker", "a:Jobs", 6, "read"),
        ("b:Audit", "b:Jobs", 11, "read"),
        ("b:Worker", "b:Jobs", 6, "write"),
        ("b:Worker", "b:Jobs", 6, "read"),
    ]


def test_an_edge_added_later_is_in_every_answer_after_it():
    graph = _graph()
    assert len(graph.edges("invokes")) == 2
    graph.add_edge(Edge("invokes", "a:Audit", "b:Audit", Location("a/template.yaml", 12), cross_unit=True))
    assert [edge.target for edge in graph.edges("invokes")] == ["b:Audit", "a:Audit", "b:Audit"]
    assert len(graph.edges()) == len(graph.edges("accesses")) + len(graph.edges("triggers")) + 3


def test_resources_by_kind_and_domain_are_the_filtered_scan_in_the_same_order():
    graph = _graph()
    every = graph.resources()
    assert [resource.id for resource in every] == ["a:Audit", "a:Jobs", "a:Worker", "b:Audit", "b:Jobs", "b:Worker"]
    for kind in ("function", "queue", "table"):
        for domain in (None, "orders", "billing"):
            expected = [r for r in every if r.kind == kind and (domain is None or r.domain == domain)]
            assert graph.resources(kind=kind, domain=domain) == expected
    assert graph.resources(domain="billing") == [graph.resource("a:Worker"), graph.resource("b:Worker")]
    answer = graph.functions()
    answer.clear()  # a copy: the index stays whole
    assert [function.id for function in graph.functions()] == ["a:Audit", "a:Worker", "b:Audit", "b:Worker"]


def test_trigger_edges_are_kept_and_handed_out_as_copies():
    graph = _graph()
    triggers = graph.trigger_edges()
    assert [(trigger.source, trigger.function) for trigger in triggers] == [("a:Jobs", "a:Worker"), ("b:Jobs", "b:Worker")]
    triggers.clear()
    assert len(graph.trigger_edges()) == 2


def test_the_view_of_the_whole_graph_selects_every_unit_and_resource():
    graph = _graph()
    view = scope_of(graph)
    assert isinstance(view, ScopedGraph)
    assert [unit.name for unit in view.units()] == ["a", "b"]
    assert view.resources() == graph.resources()
    assert view.node_ids() == frozenset({resource.id for resource in graph.resources()} | {"unit:a", "unit:b"})
    assert [unit.name for unit in graph.where(domain="billing").units()] == ["a", "b"]
    assert graph.where(unit="a").resources() == graph.resources(unit="a")


def test_suppressions_are_found_once_per_graph_but_a_view_has_only_its_own():
    graph = _graph()
    found = Suppression(Location("a/template.yaml", 4), "trigger-colocated", "a:Worker", "shared until Q3")
    assert suppressions_in(graph) == [found]
    assert suppressions_in(graph) == [found]  # from the graph's cache
    assert suppressions_in(graph.where(unit="b")) == []
    assert suppressions_in(graph.where(unit="a")) == [found]


def test_a_rule_runs_with_the_collector_paused_and_enables_it_again():
    seen: list[bool] = []

    def collector_seen(graph: object) -> list[Violation]:
        seen.append(gc.isenabled())
        return []

    gc.enable()
    run = run_rule(RuleSpec("collector-seen"), Rule("collector-seen", collector_seen), _graph())
    assert run.passed
    assert seen == [False]
    assert gc.isenabled()
