"""The strategies themselves: valid drawings, hypothesis-style arguments, readable shrinking, real files."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, Unsatisfiable

from pytest_serverless_arch.parse import parse_yaml
from pytest_serverless_arch.rules import trigger_colocated
from pytest_serverless_arch.strategies import (
    PATTERNS,
    Function,
    Topology,
    Trigger,
    Unit,
    from_graph,
    functions,
    topologies,
    triggers,
    units,
)

from .hypothesis_support import load_topology, property_settings


def draw_once(strategy: st.SearchStrategy[object]) -> None:
    @given(strategy)
    def draw(value: object) -> None:
        pass

    draw()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pattern": "star"}, "pattern='star'"),
        ({"min_units": 3, "max_units": 2}, "min_units=3 is more than max_units=2"),
        ({"max_functions": 0}, "max_functions=0"),
        ({"formats": "sam"}, "formats='sam' must be a hypothesis strategy"),
        ({"formats": st.just("terraform")}, "formats drew 'terraform'"),
        ({"pattern": "function-per-unit", "max_units": 1}, "needs max_units >= 2"),
        ({"pattern": "infra-app-split", "cross_unit_links": None}, "needs cross_unit_links"),
        ({"pipelines": "yes"}, "pipelines='yes'; expected True or False"),
    ],
)
def test_an_invalid_argument_is_reported_when_a_topology_is_drawn_not_when_the_strategy_is_made(options, message):
    strategy = topologies(**options)  # no error yet: hypothesis style
    with pytest.raises(InvalidArgument, match=message):
        draw_once(strategy)


def test_the_smaller_strategies_check_their_arguments_when_drawn():
    with pytest.raises(InvalidArgument, match="units="):
        draw_once(functions(units="orders"))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="kinds drew 'lambda'"):
        draw_once(triggers(functions=st.just("Fn0"), units=st.just("orders"), kinds=st.just("lambda")))
    with pytest.raises(InvalidArgument, match="must be a DeploymentGraph"):
        draw_once(from_graph("not a graph"))  # type: ignore[arg-type]


@property_settings
@given(
    st.sampled_from((None, *PATTERNS)).flatmap(
        lambda pattern: st.tuples(st.just(pattern), topologies(pattern=pattern, min_units=2, max_units=3, max_functions=4))
    )
)
def test_a_drawn_topology_respects_its_options_and_names_every_unit_it_uses(case):
    pattern, topology = case
    assert 2 <= len(topology.units) <= 3
    assert 1 <= len(topology.functions) <= 4
    if pattern is not None:
        assert topology.pattern == pattern
    names = {unit.name for unit in topology.units}
    used = {f.unit for f in topology.functions} | {t.unit for t in topology.triggers} | {s.unit for s in topology.stores}
    used |= {b.unit for b in topology.buses}
    assert used == names  # every unit holds something, and nothing lives in an unknown unit
    everything = [f.name for f in topology.functions] + [t.name for t in topology.triggers] + [s.name for s in topology.stores]
    everything += [b.name for b in topology.buses]
    assert len(everything) == len(set(everything))


@property_settings
@given(units(), st.data())
def test_the_smaller_strategies_compose_into_a_topology_that_loads(unit, data):
    function = data.draw(functions(units=st.just(unit.name), names=st.just("Fn0")))
    trigger = data.draw(triggers(functions=st.just("Fn0"), units=st.just(unit.name), names=st.just("Source0")))
    topology = Topology(units=(unit,), functions=(function,), triggers=(trigger,))
    graph = load_topology(topology)
    assert [(f.unit, f.name) for f in graph.functions()] == [(unit.name, "Fn0")]
    assert [t.source_kind for t in graph.trigger_edges()] == [trigger.kind]


# Shrinking is searched, not computed: derandomized, so a loaded machine cannot stop it short of the minimum.
SHRINK = settings(derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_a_cross_unit_trigger_shrinks_to_two_units_one_function_and_one_trigger():
    smallest = find(topologies(), lambda topology: bool(topology.cross_unit_triggers()), settings=SHRINK)
    assert (len(smallest.units), len(smallest.functions), len(smallest.triggers)) == (2, 1, 1)
    assert not smallest.stores or len(smallest.stores) == 1  # a unit holding only the trigger keeps it
    assert not smallest.accesses
    assert len(smallest.describe().splitlines()) <= 5


def test_a_single_domain_violation_shrinks_to_one_unit_with_a_stray_function_or_source():
    smallest = find(
        topologies(), lambda topology: any(len(topology.domains_of(u.name)) > 1 for u in topology.units), settings=SHRINK
    )
    assert len(smallest.units) == 1
    assert len(smallest.functions) + len(smallest.triggers) + len(smallest.stores) == 2


def test_write_lays_out_a_repository_and_returns_the_paths(tmp_path):
    topology = Topology(
        units=(
            Unit("orders", "cloudformation", "yaml-short"),
            Unit("billing", "sam", "json"),
            Unit("shipping-dev", "serverless", "yaml-long"),
        ),
        functions=(Function("Fn0", "orders"), Function("Fn1", "billing"), Function("Fn2", "shipping-dev")),
        triggers=(
            Trigger("Queue0", "queue", "orders", "Fn0"),
            Trigger("Topic1", "topic", "billing", "Fn1"),
            Trigger("Stream2", "stream", "shipping-dev", "Fn2"),
        ),
    )
    paths = topology.write(tmp_path)
    assert [path.relative_to(tmp_path).as_posix() for path in paths] == [
        "services/orders/template.yaml",
        "services/orders/samconfig.toml",
        "services/billing/template.json",
        "services/billing/samconfig.toml",
        "services/shipping/serverless.yml",
    ]
    short = paths[0].read_text()
    assert "!GetAtt 'Queue0.Arn'" in short or "!GetAtt Queue0.Arn" in short
    assert "Fn::" not in short
    assert json.loads(paths[2].read_text())["Transform"] == "AWS::Serverless-2016-10-31"
    long_form = paths[4].read_text()
    assert "Fn::GetAtt" in long_form and "!" not in long_form
    assert parse_yaml(long_form)["service"] == "shipping"
    assert 'stack_name = "orders"' in paths[1].read_text()


@st.composite
def loaded_graphs_with_mutations(draw: st.DrawFn, kinds: st.SearchStrategy[str] | None = None):
    topology = draw(topologies(min_units=2, max_units=3, max_functions=3, domains=None))
    graph = load_topology(topology)
    return graph, draw(from_graph(graph, kinds=kinds))


@property_settings
@given(loaded_graphs_with_mutations())
def test_a_graph_mutation_keeps_every_resource_and_trigger(case):
    graph, mutation = case
    assert len(mutation.graph.resources()) == len(graph.resources())
    assert len(mutation.graph.trigger_edges()) == len(graph.trigger_edges())
    for old, new in mutation.moved.items():
        assert graph.resource(old).logical_id in mutation.graph.resource(new).logical_id
    expected_units = len(graph.units()) + {"merge-units": -1, "split-unit": 1, "move-function": 0}[mutation.kind]
    assert len(mutation.graph.units()) == expected_units


@property_settings
@given(loaded_graphs_with_mutations(kinds=st.just("merge-units")))
def test_merging_two_units_never_adds_a_cross_unit_trigger(case):
    graph, mutation = case

    def involved(g):
        return Counter(tuple(sorted(v.resources)) for v in trigger_colocated(g))

    after = involved(mutation.graph)
    renamed_before = Counter(tuple(sorted(mutation.moved.get(r, r) for r in key)) for key in involved(graph).elements())
    assert not after - renamed_before


def test_a_mutation_the_graph_cannot_undergo_is_reported_not_replaced_by_another():
    one_function = load_topology(Topology(units=(Unit("orders"),), functions=(Function("Fn0", "orders"),)))
    with pytest.raises(InvalidArgument, match="no mutation applies to a graph of 1 unit"):
        draw_once(from_graph(one_function))
    one_unit = load_topology(
        Topology(
            units=(Unit("orders"),),
            functions=(Function("Fn0", "orders"),),
            triggers=(Trigger("Queue0", "queue", "orders", "Fn0"),),
        )
    )
    with pytest.raises(Unsatisfiable):
        draw_once(from_graph(one_unit, kinds=st.just("merge-units")))
    draw_once(from_graph(one_unit))  # a split applies


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"functions": (Function("Fn0", "orders"), Function("Fn0", "orders"))}, "'Fn0' names two things"),
        ({"functions": (Function("fn-0", "orders"),)}, "'fn-0' is not an alphanumeric logical id"),
        ({"functions": (Function("Fn0", "billing"),)}, "Fn0 is in unknown unit 'billing'"),
        ({"triggers": (Trigger("Queue0", "queue", "orders", "Fn9"),)}, "invokes unknown function 'Fn9'"),
        ({"triggers": (Trigger("Queue0", "lambda", "orders", "Fn0"),)}, "has kind 'lambda'"),
        ({"units": (Unit("orders", "terraform"),)}, "has format 'terraform'"),
    ],
)
def test_a_hand_built_topology_that_cannot_be_written_is_refused_with_every_reason(change, message):
    parts = {"units": (Unit("orders"),), "functions": (Function("Fn0", "orders"),)}
    with pytest.raises(ValueError, match=message):
        Topology(**{**parts, **change})
