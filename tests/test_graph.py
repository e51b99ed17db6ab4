"""The query API of ``DeploymentGraph``: domain verbs, typed frozen results, no raw dicts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import networkx as nx
import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.graph import DeploymentGraph, ExternalNode, Link, Trigger, UnitDependency
from pytest_serverless_arch.model import Location, Resource, Unit

FIXTURES = Path(__file__).parent / "fixtures" / "link"


@pytest.fixture(scope="module")
def graph() -> DeploymentGraph:
    return load(FIXTURES / "names", domains=[("events/**", "platform"), ("audit/**", "compliance")])


def test_units_are_frozen_records_sorted_by_name(graph):
    units = graph.units()
    assert [(unit.name, unit.format, unit.path, unit.domain, unit.resource_count) for unit in units] == [
        ("audit", "cloudformation", "audit/template.yaml", "compliance", 4),
        ("events", "cloudformation", "events/template.yaml", "platform", 3),
    ]
    assert all(isinstance(unit, Unit) and dataclasses.is_dataclass(unit) for unit in units)
    with pytest.raises(dataclasses.FrozenInstanceError):
        units[0].name = "other"  # type: ignore[misc]


def test_functions_can_be_narrowed_to_a_unit_or_a_domain(graph):
    assert [function.id for function in graph.functions()] == ["audit:AuditFunction"]
    assert [function.id for function in graph.functions(unit="audit")] == ["audit:AuditFunction"]
    assert graph.functions(unit="events") == []
    assert [function.id for function in graph.functions(domain="compliance")] == ["audit:AuditFunction"]
    assert graph.functions(domain="platform") == []


def test_triggers_of_a_function_accept_the_resource_or_its_id(graph):
    function = graph.resource("audit:AuditFunction")
    assert graph.triggers_of(function) == graph.triggers_of("audit:AuditFunction")
    assert [(t.source, t.source_kind, t.cross_unit, t.detail) for t in graph.triggers_of(function)] == [
        ("audit:DefaultBusRule", "event_rule", False, "EventBridge"),
        ("audit:ShopBusRule", "event_rule", False, "EventBridge"),
        ("events:OrderEvents", "topic", True, "SNS"),
    ]
    assert all(isinstance(trigger, Trigger) for trigger in graph.trigger_edges())


def test_a_resource_is_found_by_id_and_a_wrong_id_says_what_exists(graph):
    queue = graph.resource("events:AuditQueue")
    assert isinstance(queue, Resource)
    assert (queue.kind, queue.physical_name, queue.location) == ("queue", "audit-queue", Location("events/template.yaml", 12))
    with pytest.raises(KeyError, match="no resource 'events:Nope'"):
        graph.resource("events:Nope")
    with pytest.raises(KeyError, match="external node"):
        graph.resource("external:default event bus")
    with pytest.raises(KeyError, match="units: \\['audit', 'events'\\]"):
        graph.unit("nope")


def test_external_nodes_are_records_with_the_location_that_mentioned_them(graph):
    bus = graph.node("external:default event bus")
    assert isinstance(bus, ExternalNode)
    assert (bus.kind, bus.unit, bus.location) == ("event_bus", None, Location("audit/template.yaml", 32))


def test_cross_unit_links_can_be_narrowed_by_kind_and_by_unit(graph):
    assert all(isinstance(link, Link) for link in graph.cross_unit_links())
    assert len(graph.cross_unit_links("name_reference")) == 3
    assert graph.cross_unit_links("imports") == []
    assert graph.links_of("events") == graph.cross_unit_links()


def test_unit_dependencies_group_the_links_between_two_units(graph):
    [dependency] = graph.unit_dependencies()
    assert isinstance(dependency, UnitDependency)
    assert (dependency.unit, dependency.depends_on) == ("audit", "events")
    assert [link.target for link in dependency.links] == ["events:AuditQueue", "events:OrderEvents", "events:ShopBus"]


def test_to_networkx_hands_out_a_frozen_copy(graph):
    copy = graph.to_networkx()
    assert isinstance(copy, nx.MultiDiGraph)
    assert copy.nodes["events:ShopBus"]["kind"] == "event_bus"
    with pytest.raises(nx.NetworkXError):
        copy.add_node("mine")
    assert not graph.has_node("mine")


def test_to_networkx_holds_every_node_with_its_record_and_every_edge_with_its_attributes(graph):
    copy = graph.to_networkx()
    assert copy.nodes["unit:audit"] == {
        "node_type": "unit",
        "record": graph.unit("audit"),
        "name": "audit",
        "format": "cloudformation",
        "path": "audit/template.yaml",
        "domain": "compliance",
    }
    bus = copy.nodes["events:ShopBus"]
    assert (bus["node_type"], bus["record"], bus["unit"], bus["location"]) == (
        "resource",
        graph.resource("events:ShopBus"),
        "events",
        graph.resource("events:ShopBus").location,
    )
    externals = [node for node, data in copy.nodes(data=True) if data["node_type"] == "external"]
    assert sorted(externals) == [node.id for node in graph.externals()]
    edges = sorted(
        (data["record"] for _, _, data in copy.edges(data=True)), key=lambda edge: (edge.kind, edge.source, edge.target)
    )
    assert edges == sorted(graph.edges(), key=lambda edge: (edge.kind, edge.source, edge.target))
    for source, target, data in copy.edges(data=True):
        record = data["record"]
        assert (source, target, data["kind"], data["location"], data["cross_unit"], data["detail"]) == (
            record.source,
            record.target,
            record.kind,
            record.location,
            record.cross_unit,
            record.detail,
        )


def test_the_graph_iterates_over_its_units(graph):
    assert len(graph) == 2
    assert [unit.name for unit in graph] == ["audit", "events"]
    assert graph.node_kind("unit:audit") == "unit"
    assert graph.node_kind("events:ShopBus") == "event_bus"
    assert graph.node_kind("nowhere") is None


def test_answers_follow_the_graph_as_it_grows(tmp_path):
    graph = load(FIXTURES / "cycle")
    assert len(graph.cross_unit_links()) == 2 and len(graph.resources()) == 4
    from pytest_serverless_arch.model import Edge

    graph.add_resource(Resource("a", "Extra", "AWS::SQS::Queue", "queue", Location("a/template.yaml", 1)))
    graph.add_edge(Edge("ssm_parameter", "a:Extra", "b:Topic", Location("a/template.yaml", 1)))
    assert len(graph.resources()) == 5
    assert len(graph.cross_unit_links()) == 3
    assert len(graph.links_of("b")) == 3
