"""Metamorphic properties: changes that must not change a verdict, and changes that must change exactly one.

Renaming logical ids, short vs long intrinsic forms, YAML vs JSON, SAM vs
plain CloudFormation and the order of resources and files change no verdict; moving a cross-unit trigger
into its function's unit removes exactly its ``trigger-colocated``
violation; merging two units of one domain never adds a
``single-domain-units`` violation.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from hypothesis import assume, given
from hypothesis import strategies as st

from pytest_serverless_arch import DeploymentGraph
from pytest_serverless_arch.patterns import classify_pattern
from pytest_serverless_arch.rules import run_builtin_rules, single_domain_units
from pytest_serverless_arch.strategies import SYNTAXES, Topology, topologies

from .hypothesis_support import load_topology, property_settings
from .test_properties_rules import found_trigger_colocated

SMALL = topologies(max_units=3, max_functions=4)


def verdicts(graph: DeploymentGraph, *, with_resources: bool = True) -> tuple[Counter[tuple[object, ...]], str]:
    """Every built-in rule's findings (rule, units, resources) and the classifier's verdict."""
    findings = Counter(
        (violation.rule, violation.units, tuple(sorted(violation.resources)) if with_resources else ())
        for violation in run_builtin_rules(graph)
    )
    return findings, classify_pattern(graph).repo


@st.composite
def renamed_topologies(draw: st.DrawFn) -> tuple[Topology, Topology]:
    topology = draw(SMALL)
    names = [f.name for f in topology.functions] + [t.name for t in topology.triggers] + [s.name for s in topology.stores]
    names += [b.name for b in topology.buses]
    new_names = draw(st.permutations([f"Renamed{name}" for name in names]))
    return topology, topology.renamed(dict(zip(names, new_names, strict=True)))


@property_settings
@given(renamed_topologies())
def test_renaming_logical_ids_changes_no_verdict(pair):
    before, after = pair
    assert verdicts(load_topology(after), with_resources=False) == verdicts(load_topology(before), with_resources=False)


@st.composite
def resyntaxed_topologies(draw: st.DrawFn) -> tuple[Topology, Topology]:
    topology = draw(SMALL)
    syntaxes = draw(st.lists(st.sampled_from(SYNTAXES), min_size=len(topology.units), max_size=len(topology.units)))
    units = [dataclasses.replace(unit, syntax=syntax) for unit, syntax in zip(topology.units, syntaxes, strict=True)]
    return topology, topology.with_units(units)


@property_settings
@given(resyntaxed_topologies())
def test_short_tags_long_form_yaml_and_json_give_the_same_verdicts(pair):
    before, after = pair
    assert verdicts(load_topology(after)) == verdicts(load_topology(before))


@st.composite
def reformatted_topologies(draw: st.DrawFn) -> tuple[Topology, Topology]:
    """A topology, and the same one with some CloudFormation units written as SAM and back."""
    topology = draw(topologies(max_units=3, max_functions=4, formats=st.sampled_from(["cloudformation", "sam"])))
    flips = draw(st.lists(st.booleans(), min_size=len(topology.units), max_size=len(topology.units)))
    swapped = {"cloudformation": "sam", "sam": "cloudformation"}
    units = [
        dataclasses.replace(unit, format=swapped[unit.format]) if flip else unit
        for unit, flip in zip(topology.units, flips, strict=True)
    ]
    return topology, topology.with_units(units)


@property_settings
@given(reformatted_topologies())
def test_writing_a_unit_as_sam_instead_of_plain_cloudformation_changes_no_verdict(pair):
    # SAM events instead of raw mappings, subscriptions and rules: rules never ask which format a unit is
    before, after = pair
    assert verdicts(load_topology(after), with_resources=False) == verdicts(load_topology(before), with_resources=False)


@property_settings
@given(SMALL)
def test_reordering_resources_and_files_changes_no_verdict(topology):
    # reversed resources, and directories whose names sort the other way round
    count = len(topology.units)
    moved = [
        dataclasses.replace(unit, directory=f"stacks/{count - index:02d}-{unit.service}")
        for index, unit in enumerate(topology.units)
    ]
    reordered = topology.with_units(moved).reordered()
    # the framework numbers a function's schedule and eventBridge rules by their position among its
    # events (Fn0EventsRuleSchedule1), so implicit ids may change: compare rules and units, not ids
    assert verdicts(load_topology(reordered), with_resources=False) == verdicts(load_topology(topology), with_resources=False)


@st.composite
def topologies_with_a_cross_unit_trigger(draw: st.DrawFn) -> tuple[Topology, int]:
    topology = draw(
        topologies(max_units=3, max_functions=4, pattern=draw(st.sampled_from([None, "infra-app-split"]))).filter(
            lambda t: bool(t.cross_unit_triggers())
        )
    )
    return topology, draw(st.integers(0, len(topology.cross_unit_triggers()) - 1))


@property_settings
@given(topologies_with_a_cross_unit_trigger())
def test_moving_a_cross_unit_trigger_into_its_functions_unit_removes_exactly_that_violation(case):
    topology, index = case
    trigger = topology.cross_unit_triggers()[index]
    moved = topology.with_trigger_moved_to_its_function(trigger)
    assume(not moved.empty_units())
    before = Counter(found_trigger_colocated(load_topology(topology)))
    after = Counter(found_trigger_colocated(load_topology(moved)))
    removed = (topology.unit_of(trigger.function), trigger.function, trigger.unit)
    assert before[removed] >= 1
    assert after == before - Counter([removed])


@st.composite
def merges_of_two_units_of_one_domain(draw: st.DrawFn) -> tuple[Topology, str, str]:
    topology = draw(topologies(min_units=2, max_units=4, max_functions=4, domains=st.sampled_from(("orders", "billing"))))
    keep, drop = draw(st.permutations([unit.name for unit in topology.units]))[:2]
    assume(len(topology.domains_of(keep, declared=True) | topology.domains_of(drop, declared=True)) <= 1)
    placeholders = any(f.placeholder for f in topology.functions_in(drop))
    assume(not (placeholders and topology.unit(keep).format == "serverless"))
    return topology, keep, drop


@property_settings
@given(merges_of_two_units_of_one_domain())
def test_merging_two_units_of_one_domain_never_adds_a_single_domain_units_violation(case):
    topology, keep, drop = case
    merged = topology.with_units_merged(keep, drop)
    before = {violation.units[0] for violation in single_domain_units(load_topology(topology))}
    after = {violation.units[0] for violation in single_domain_units(load_topology(merged))}
    assert after <= before - {drop}
