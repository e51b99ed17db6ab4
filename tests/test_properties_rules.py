"""Rules against a reference: each built-in rule's verdict on a loaded topology equals
the small reference computed on the abstract topology (``strategies.reference``).
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given

from pytest_serverless_arch import DeploymentGraph
from pytest_serverless_arch.rules import (
    Violation,
    no_cross_domain_access,
    no_function_placeholders,
    no_unit_cycles,
    run_builtin_rules,
    single_domain_units,
    trigger_colocated,
)
from pytest_serverless_arch.strategies import Function, Topology, Trigger, Unit, topologies
from pytest_serverless_arch.strategies.reference import (
    expected_no_cross_domain_access,
    expected_no_function_placeholders,
    expected_no_unit_cycles,
    expected_single_domain_units,
    expected_trigger_colocated,
)

from .hypothesis_support import loaded, property_settings


def _names(graph: DeploymentGraph, violation: Violation) -> list[tuple[str, str]]:
    """(unit, name) of each resource a violation names."""
    return [(graph.resource(rid).unit, graph.resource(rid).name) for rid in violation.resources]


def found_trigger_colocated(graph: DeploymentGraph) -> list[tuple[str, str, str]]:
    found = []
    for violation in trigger_colocated(graph):
        (function_unit, function), (source_unit, _) = _names(graph, violation)
        found.append((function_unit, function, source_unit))
    return sorted(found)


def found_single_domain_units(graph: DeploymentGraph) -> list[str]:
    return sorted(violation.units[0] for violation in single_domain_units(graph))


def found_no_unit_cycles(graph: DeploymentGraph) -> list[frozenset[str]]:
    return sorted((frozenset(violation.units) for violation in no_unit_cycles(graph)), key=sorted)


def found_no_function_placeholders(graph: DeploymentGraph) -> list[str]:
    return sorted(_names(graph, violation)[0][1] for violation in no_function_placeholders(graph))


def found_no_cross_domain_access(graph: DeploymentGraph) -> list[tuple[str, str]]:
    found = []
    for violation in no_cross_domain_access(graph):
        (_, function), (_, store) = _names(graph, violation)
        found.append((function, store))
    return sorted(found)


@property_settings
@given(topologies(max_units=4, max_functions=5))
def test_every_builtin_rule_finds_what_the_reference_finds_on_the_abstract_topology(topology):
    with loaded(topology) as graph:
        found = {
            "trigger-colocated": found_trigger_colocated(graph),
            "single-domain-units": found_single_domain_units(graph),
            "no-unit-cycles": found_no_unit_cycles(graph),
            "no-function-placeholders": found_no_function_placeholders(graph),
            "no-cross-domain-access": found_no_cross_domain_access(graph),
        }
        every = run_builtin_rules(graph)
    expected = {
        "trigger-colocated": expected_trigger_colocated(topology),
        "single-domain-units": expected_single_domain_units(topology),
        "no-unit-cycles": expected_no_unit_cycles(topology),
        "no-function-placeholders": expected_no_function_placeholders(topology),
        "no-cross-domain-access": expected_no_cross_domain_access(topology),
    }
    assert found == expected, topology.describe()
    # run_builtin_rules reports exactly these (and max-cross-unit-links, which has no reference here)
    counted = Counter(violation.rule for violation in every if violation.rule != "max-cross-unit-links")
    assert counted == Counter({rule_id: len(items) for rule_id, items in expected.items() if items})


# The smallest counterexample this property found (a linker bug, since fixed), kept as a regression test.
def test_a_permission_for_a_cross_unit_bucket_does_not_report_its_trigger_twice():
    topology = Topology(
        units=(Unit("app"), Unit("infra")),
        functions=(Function("Fn0", "app"),),
        triggers=(Trigger("Bucket0", "bucket", "infra", "Fn0", wiring="source", link="name_reference", permission=True),),
    )
    with loaded(topology) as graph:
        assert found_trigger_colocated(graph) == expected_trigger_colocated(topology) == [("app", "Fn0", "infra")]
