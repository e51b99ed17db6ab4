"""The deployment-pattern classifier: verdicts in the issue's order, a per-unit breakdown, reasons with numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.graph import ExternalNode
from pytest_serverless_arch.model import Edge, Location
from pytest_serverless_arch.patterns import PATTERNS, UnitPattern, classify_pattern
from pytest_serverless_arch.report import build_report

from .helpers import REPO
from .rules_support import RULE_FIXTURES, GraphBuilder


def test_the_monolith_sample_repository_is_a_monolith():
    verdict = classify_pattern(load(REPO / "sample_repos" / "monolith-online-shop"))
    assert verdict.repo == "monolith"
    assert verdict.reason.startswith("unit online-shop holds all ")
    assert [unit.pattern for unit in verdict.units.values()] == ["monolith"]


def test_one_unit_holding_every_function_and_trigger_is_a_monolith():
    graph = (
        GraphBuilder()
        .resource("shop", "Queue", "queue", 3)
        .resource("shop", "A", "function", 5)
        .resource("shop", "B", "function", 9)
        .edge("triggers", "shop:Queue", "shop:A", 12)
        .resource("network", "Vpc", "other", 3)
    ).graph
    verdict = classify_pattern(graph)
    assert (verdict.repo, verdict.reason) == ("monolith", "unit shop holds all 2 functions and the 1 trigger edge")
    assert dict(verdict.units) == {"shop": UnitPattern("shop", "monolith", 2, 1, 0, 0, 0)}


def test_one_function_per_unit_with_its_trigger_is_function_per_unit():
    verdict = classify_pattern(load(RULE_FIXTURES / "per-function"))
    assert verdict.to_dict() == {
        "repo": "function-per-unit",
        "units": {
            name: {
                "pattern": "function-per-unit",
                "functions": 1,
                "triggers_inside": 1,
                "triggers_out": 0,
                "triggers_in": 0,
                "placeholders": 0,
            }
            for name in ("signup", "thumbnails")
        },
        "reason": "each of the 2 units holding functions holds exactly one; 0 of 2 trigger edges (0%) cross units",
        "exceptions": [],
        "tolerance": 0.1,
    }


def test_units_holding_their_triggers_and_several_functions_are_trigger_grouped():
    verdict = classify_pattern(load(RULE_FIXTURES / "grouped"))
    assert verdict.repo == "trigger-grouped"
    assert verdict.reason == (
        "all 3 trigger edges stay inside their unit; 2 units hold 3 functions; unit orders holds the most, 2"
    )
    assert {name: unit.pattern for name, unit in verdict.units.items()} == {
        "orders": "trigger-grouped",
        "payments": "function-per-unit",
    }


def split_repo(crossing: int, inside: int) -> GraphBuilder:
    """infra holds ``crossing`` queues triggering app's functions; app also triggers ``inside`` of its own."""
    builder = GraphBuilder()
    for index in range(crossing):
        builder.resource("infra", f"Queue{index}", "queue", 10 + index)
        builder.resource("app", f"Fn{index}", "function", 10 + index)
        builder.edge("triggers", f"infra:Queue{index}", f"app:Fn{index}", 40 + index)
    for index in range(inside):
        builder.resource("app", f"Local{index}", "queue", 60 + index)
        builder.edge("triggers", f"app:Local{index}", f"app:Fn{index % max(crossing, 1)}", 70 + index)
    return builder


def test_an_infrastructure_unit_triggering_functions_elsewhere_is_an_infra_app_split():
    verdict = classify_pattern(split_repo(crossing=3, inside=3).graph)
    assert verdict.repo == "infra-app-split"
    assert verdict.reason == (
        "unit infra holds triggers for 3 functions in other units; 3 of 6 trigger edges (50%) cross units, at least half"
    )
    assert verdict.units["infra"] == UnitPattern("infra", "infra", 0, 0, 3, 0, 0)
    assert verdict.units["app"] == UnitPattern("app", "app", 3, 3, 0, 3, 0)


def test_placeholder_functions_make_their_unit_infrastructure():
    verdict = classify_pattern(load(RULE_FIXTURES / "placeholders"))
    assert verdict.repo == "infra-app-split"
    assert verdict.reason == ("unit infra holds 2 placeholder functions; 1 of 1 trigger edge (100%) cross units, at least half")
    assert verdict.units["infra"].pattern == "infra"


def test_fewer_than_half_of_the_triggers_crossing_units_is_mixed_and_says_why():
    verdict = classify_pattern(split_repo(crossing=2, inside=3).graph)
    assert verdict.repo == "mixed"
    assert verdict.reason == (
        "not monolith: 2 units hold functions or triggers; "
        "not infra-app-split: only 2 of 5 trigger edges (40%) cross units, fewer than half; "
        "not function-per-unit: only 1 unit holds functions; "
        "not trigger-grouped: 2 of 5 trigger edges (40%) cross units, more than the 10% tolerance"
    )


def test_a_mixed_repository_gives_each_unit_its_own_part():
    graph = (
        split_repo(crossing=1, inside=2)
        .resource("reports", "Nightly", "schedule", 3)
        .resource("reports", "Report", "function", 5)
        .resource("reports", "Export", "function", 9)
        .edge("triggers", "reports:Nightly", "reports:Report", 4)
        .resource("search", "Index", "function", 4)
    ).graph
    verdict = classify_pattern(graph)
    assert verdict.repo == "mixed"
    assert {name: unit.pattern for name, unit in verdict.units.items()} == {
        "app": "app",
        "infra": "infra",
        "reports": "trigger-grouped",
        "search": "function-per-unit",
    }
    assert "not function-per-unit: unit reports holds 2 functions" in verdict.reason


def test_triggers_from_outside_the_repository_and_units_without_functions_take_no_part():
    builder = (
        GraphBuilder()
        .resource("a", "Fn", "function", 3)
        .resource("b", "Fn", "function", 3)
        .resource("b", "Gn", "function", 5)
        .resource("network", "Vpc", "other", 2)
    )
    builder.graph.add_external(ExternalNode("external:arn:topic", "topic", "arn:aws:sns:us-east-1:999:t"))
    builder.graph.add_edge(Edge("triggers", "external:arn:topic", "a:Fn", Location("a", 7), cross_unit=True))
    verdict = classify_pattern(builder.graph)
    assert (verdict.repo, verdict.triggers, sorted(verdict.units)) == ("trigger-grouped", 0, ["a", "b"])


def test_a_repository_without_functions_has_nothing_to_classify():
    verdict = classify_pattern(GraphBuilder().resource("network", "Vpc", "other", 2).graph)
    assert verdict.to_dict() == {
        "repo": "mixed",
        "units": {},
        "reason": "no unit holds a function or a trigger, so there is no cut to classify",
        "exceptions": [],
        "tolerance": 0.1,
    }


def test_a_scoped_view_is_classified_on_its_own_units():
    graph = load(RULE_FIXTURES / "grouped")
    assert classify_pattern(graph.where(unit="orders")).repo == "monolith"


def test_the_json_report_carries_the_verdict_and_every_violation_with_its_location():
    report = build_report(load(RULE_FIXTURES / "domains"))
    assert report["pattern"]["repo"] == "monolith"
    assert set(report["pattern"]) == {"repo", "units", "reason", "exceptions", "tolerance"}
    assert [(v["rule"], v["location"]) for v in report["violations"]] == [
        ("single-domain-units", "shop/template.yaml:18"),
        ("no-cross-domain-access", "shop/template.yaml:53"),
        ("no-cross-domain-access", "shop/template.yaml:68"),
    ]


@st.composite
def repositories(draw: st.DrawFn) -> GraphBuilder:
    units = draw(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=4, unique=True))
    builder = GraphBuilder()
    functions = []
    for index in range(draw(st.integers(1, 6))):
        unit = draw(st.sampled_from(units))
        builder.resource(
            unit,
            f"Fn{index}",
            "function",
            index + 1,
            code_source="parameter Key" if draw(st.booleans()) and draw(st.booleans()) else None,
        )
        functions.append(f"{unit}:Fn{index}")
    for index, (unit, function) in enumerate(
        draw(st.lists(st.tuples(st.sampled_from(units), st.sampled_from(functions)), max_size=6))
    ):
        builder.resource(unit, f"Queue{index}", "queue", 50 + index)
        builder.edge("triggers", f"{unit}:Queue{index}", function, 80 + index)
    return builder


def _renamed(builder: GraphBuilder, names: dict[str, str]) -> GraphBuilder:
    renamed = GraphBuilder()
    for resource in builder.graph.resources():
        renamed.resource(
            names[resource.unit], resource.logical_id, resource.kind, resource.location.line, code_source=resource.code_source
        )
    for edge in builder.graph.edges():
        unit, _, logical = edge.source.partition(":")
        target_unit, _, target = edge.target.partition(":")
        renamed.edge(edge.kind, f"{names[unit]}:{logical}", f"{names[target_unit]}:{target}", edge.location.line)
    return renamed


@given(repositories(), st.permutations("uvwxyz"))
def test_the_verdict_does_not_depend_on_unit_names_or_on_running_twice(builder, new_names):
    verdict = classify_pattern(builder.graph)
    assert verdict.repo in PATTERNS
    assert classify_pattern(builder.graph) == verdict
    names = dict(zip("abcdef", new_names, strict=True))
    renamed = classify_pattern(_renamed(builder, names).graph)
    assert renamed.repo == verdict.repo
    assert {names[name]: unit.pattern for name, unit in verdict.units.items()} == {
        name: unit.pattern for name, unit in renamed.units.items()
    }
    if verdict.repo == "monolith":
        assert len(verdict.units) == 1


def test_the_pattern_rule_points_at_the_unit_holding_another_units_trigger():
    from pytest_serverless_arch.rules import pattern

    graph = (
        split_repo(crossing=1, inside=2).resource("reports", "Report", "function", 5).resource("reports", "Export", "function", 9)
    ).graph
    violations = pattern(graph, expected="trigger-grouped")
    assert [(str(v.location), v.rule) for v in violations] == [("infra/template.yaml:1", "pattern")]
    assert violations[0].message.startswith("the repository is cut as mixed, expected trigger-grouped: not monolith")
    assert violations[0].message.endswith("(units: app: app, infra: infra, reports: trigger-grouped)")
    assert pattern(graph, expected=["mixed"]) == []


SAMPLES = sorted(path for path in (REPO / "sample_repos").glob("*/") if path.is_dir())


@pytest.mark.parametrize("sample", SAMPLES, ids=[path.name for path in SAMPLES])
def test_each_sample_repository_is_classified_as_its_name_says_and_reports_violations_with_locations(sample):
    report = build_report(load(sample))
    named = next((pattern for pattern in PATTERNS if sample.name.startswith(pattern + "-")), None)
    if named is not None:
        assert report["pattern"]["repo"] == named, report["pattern"]["reason"]
    for violation in report["violations"]:
        path, _, line = violation["location"].rpartition(":")
        assert (sample / path).is_file() and int(line) > 0, violation


def test_a_trigger_edge_into_something_other_than_a_function_is_not_counted():
    graph = (
        GraphBuilder()
        .resource("a", "Rule", "event_rule", 3)
        .resource("a", "Fn", "function", 5)
        .resource("b", "Bus", "event_bus", 4)
        .resource("b", "Gn", "function", 6)
        .edge("triggers", "a:Rule", "a:Fn", 8)
        .edge("triggers", "a:Rule", "b:Bus", 9)
    ).graph
    verdict = classify_pattern(graph)
    assert (verdict.repo, verdict.triggers, verdict.cross_unit_triggers) == ("function-per-unit", 1, 0)
