"""Linking and building the report pause the cyclic garbage collector, and always restore it."""

from __future__ import annotations

import gc

import pytest

from pytest_serverless_arch import link
from pytest_serverless_arch.collector import collector_paused
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.link import build_graph
from pytest_serverless_arch.model import Edge, Export, ForeignRef, LoadedUnit, Location, Resource
from pytest_serverless_arch.report import document
from pytest_serverless_arch.report.document import build_document


def two_units() -> list[LoadedUnit]:
    """``b``'s function imports ``a``'s exported queue."""
    provider = LoadedUnit(name="a", format="cloudformation", path="a/template.yaml")
    provider.resources = [Resource("a", "Queue", "AWS::SQS::Queue", "queue", Location("a/template.yaml", 2))]
    provider.exports = [Export("QueueArn", "a-QueueArn", "Queue", Location("a/template.yaml", 5))]
    consumer = LoadedUnit(name="b", format="cloudformation", path="b/template.yaml")
    consumer.resources = [Resource("b", "Function", "AWS::Lambda::Function", "function", Location("b/template.yaml", 2))]
    consumer.edges = [
        Edge("accesses", "Function", ForeignRef("import", "a-QueueArn", "queue"), Location("b/template.yaml", 7), "write")
    ]
    return [provider, consumer]


def test_the_collector_is_paused_while_linking_and_enabled_again_after(monkeypatch):
    seen: list[bool] = []
    original = link._Linker.add_unit_edges

    def spy(self, unit, permissions=False):
        seen.append(gc.isenabled())
        return original(self, unit, permissions=permissions)

    monkeypatch.setattr(link._Linker, "add_unit_edges", spy)
    assert gc.isenabled()
    graph = build_graph(two_units(), root=".", config=LoadConfig())
    assert seen == [False, False, False, False]
    assert gc.isenabled()
    assert [(found.from_unit, found.to_unit, found.kind) for found in graph.cross_unit_links()] == [("b", "a", "imports")]


def test_a_collector_disabled_by_the_caller_stays_disabled_after_linking():
    gc.disable()
    try:
        build_graph(two_units(), root=".", config=LoadConfig())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_is_enabled_again_when_linking_raises(monkeypatch):
    def broken(self, unit, permissions=False):
        raise RuntimeError("boom")

    monkeypatch.setattr(link._Linker, "add_unit_edges", broken)
    with pytest.raises(RuntimeError, match="boom"):
        build_graph(two_units(), root=".", config=LoadConfig())
    assert gc.isenabled()


def test_building_the_report_pauses_the_collector_and_enables_it_again(monkeypatch):
    seen: list[bool] = []
    original = document.build_report

    def spy(graph, check):
        seen.append(gc.isenabled())
        return original(graph, check)

    monkeypatch.setattr(document, "build_report", spy)
    graph = build_graph(two_units(), root=".", config=LoadConfig())
    report = build_document(graph)
    assert seen == [False]
    assert gc.isenabled()
    assert [unit["name"] for unit in report.data["units"]] == ["a", "b"]


def test_a_collector_paused_inside_stays_paused_until_the_outer_block_ends():
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
