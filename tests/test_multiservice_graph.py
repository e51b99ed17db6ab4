"""Issue 12: the graph on multi-service repositories, one regression test per defect.

Each fixture under ``tests/fixtures/graph/`` is a minimal repository written the
way real ones write it; the tests pin exact units, edges, links and lines.
"""

from __future__ import annotations

import shutil

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.assertions import assert_pattern
from pytest_serverless_arch.parse import DuplicateKey, ParseError, parse_json, parse_yaml
from pytest_serverless_arch.patterns import classify_pattern
from pytest_serverless_arch.report import build_report, render_text
from pytest_serverless_arch.rules import (
    RuleError,
    no_function_placeholders,
    pattern,
    trigger_colocated,
    unit_coupling,
)

from .helpers import GRAPH_FIXTURES, edge_facts, link_facts


def test_a_trigger_of_a_function_outside_the_repository_is_listed_and_counted_once_with_one_prefix():
    graph = load(GRAPH_FIXTURES / "external_trigger")
    rule_arn = "arn:aws:lambda:us-east-1:111122223333:function:audit-trail"
    assert edge_facts(graph, "triggers") == [
        ("billing:AuditRule", f"external:arn:{rule_arn}", "billing/template.yaml:27", True),
        ("billing:InvoiceQueue", "billing:InvoiceFunction", "billing/template.yaml:16", False),
    ]
    text = render_text(build_report(graph))
    assert text.splitlines()[0] == "1 deployment unit, 1 function, 2 triggers, 0 cross-unit links, 0 load errors"
    assert "unit billing (sam, billing/template.yaml, 3 resources)" in text
    assert "    <- queue billing:InvoiceQueue  billing/template.yaml:16" in text
    assert (
        f"  event_rule billing:AuditRule -> external:arn:{rule_arn}  billing/template.yaml:27  CROSS-UNIT"
    ) in text.splitlines()
    verdict = classify_pattern(graph)
    assert verdict.reason == (
        "unit billing holds the 1 function and the 1 trigger edge; 1 trigger edge with one end outside the repository not counted"
    )


def test_ids_of_external_nodes_carry_one_external_prefix():
    graph = load(GRAPH_FIXTURES / "external_trigger")
    assert [node.id for node in graph.externals()] == [
        "external:arn:arn:aws:lambda:us-east-1:111122223333:function:audit-trail",
        "external:default event bus",
    ]


def test_a_key_written_twice_in_a_sam_template_keeps_the_last_value_with_a_warning_at_both_lines():
    graph = load(GRAPH_FIXTURES / "duplicate_keys")
    assert [unit.name for unit in graph.units()] == ["orders"]
    function = graph.resource("orders:ProcessOrderFunction")
    assert (function.properties["CodeUri"], function.code_source) == ("src/", None)
    assert edge_facts(graph, "triggers") == [
        ("orders:OrdersQueue", "orders:ProcessOrderFunction", "orders/template.yaml:17", False)
    ]
    assert [str(note) for note in graph.notes] == [
        "orders/template.yaml:12: warning: duplicate key 'CodeUri', written again on line 15; "
        "this value is ignored (sam deploy keeps the last)",
        "orders/template.yaml:15: warning: duplicate key 'CodeUri' (first written on line 12); "
        "this value is used, as sam deploy keeps the last",
    ]


def test_a_key_written_twice_in_a_serverless_yml_is_still_refused_as_the_framework_refuses_it():
    graph = load(GRAPH_FIXTURES / "duplicate_keys")
    assert [str(error) for error in graph.errors] == [
        "billing/serverless.yml:12: duplicate key 'charge' (first written on line 8)"
    ]


def test_keys_equal_in_python_but_of_other_types_are_not_duplicates():
    found: list[DuplicateKey] = []
    document = parse_yaml("Mappings:\n  Flags:\n    1: one\n    true: yes\n    1.0: float\n", found)
    assert document["Mappings"]["Flags"] == {1: "one", "true": True, "1.0": "float"}
    assert found == []
    with pytest.raises(ParseError, match=r"duplicate key 1 \(first written on line 1\)"):
        parse_yaml("1: a\n1: b\n")
    assert parse_json('{"a": 1, "a": 2}', found) == {"a": 2} and found == [DuplicateKey("a", 1, 1)]


def test_one_trigger_edge_crossing_units_within_the_tolerance_is_trigger_grouped_with_its_exception():
    graph = load(GRAPH_FIXTURES / "tolerance")
    exception = "graphql:GraphQLApi -> orders:GetOrderFunction at graphql/template.yaml:35"
    verdict = classify_pattern(graph, tolerance=0.25)
    assert (verdict.repo, verdict.reason) == (
        "trigger-grouped",
        f"4 of 5 trigger edges (80%) stay inside their unit, within the 25% tolerance; 1 exception: {exception}",
    )
    assert verdict.to_dict()["exceptions"] == [
        {"source": "graphql:GraphQLApi", "function": "orders:GetOrderFunction", "location": "graphql/template.yaml:35"}
    ]
    assert pattern(graph, expected="trigger-grouped", tolerance=0.25) == []
    assert_pattern(graph, "trigger-grouped", tolerance=0.25)


def test_more_trigger_edges_crossing_units_than_the_tolerance_is_mixed():
    graph = load(GRAPH_FIXTURES / "tolerance")
    verdict = classify_pattern(graph)
    assert verdict.repo == "mixed" and verdict.exceptions == ()
    assert verdict.reason.endswith("not trigger-grouped: 1 of 5 trigger edges (20%) cross units, more than the 10% tolerance")
    assert classify_pattern(graph, tolerance=0).repo == "mixed"
    with pytest.raises(RuleError, match="pattern tolerance must be from 0 to below 0.5"):
        pattern(graph, expected="trigger-grouped", tolerance=0.5)


def test_the_tolerance_ini_option_and_flag_reach_the_pattern_rule(pytester):
    shutil.copytree(GRAPH_FIXTURES / "tolerance", pytester.path, dirs_exist_ok=True)
    pytester.makeini(
        "[pytest]\nserverless_arch_rules = pattern expected=trigger-grouped\nserverless_arch_pattern_tolerance = 0.25\n"
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    result = pytester.runpytest("-p", "no:cacheprovider", "--arch-pattern-tolerance", "0.1")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the repository is cut as mixed, expected trigger-grouped*more than the 10% tolerance*"])


def test_a_service_whose_serverless_yml_another_service_reads_with_file_stays_a_unit():
    graph = load(GRAPH_FIXTURES / "file_read")
    assert [(unit.name, unit.path) for unit in graph.units()] == [
        ("shop-api-dev", "api/serverless.yml"),
        ("shop-db-dev", "db/serverless.yml"),
    ]
    assert graph.errors == [] and graph.notes == []
    assert link_facts(graph) == [
        (
            "stack_output",
            "shop-api-dev",
            "shop-db-dev",
            "shop-api-dev:placeOrder",
            "shop-db-dev:OrdersTable",
            "api/serverless.yml:14",
        )
    ]
    environment = graph.resource("shop-api-dev:placeOrder").properties["Environment"]["Variables"]
    assert environment == {"ORDERS_TABLE": "shop-orders-dev"}


def test_one_ssm_parameter_read_in_globals_by_every_function_is_one_link_naming_its_users():
    graph = load(GRAPH_FIXTURES / "globals_ssm")
    [link] = graph.cross_unit_links()
    assert (link.kind, link.from_unit, link.to_unit, link.source, link.target, str(link.location), link.detail) == (
        "ssm_parameter",
        "pricing",
        "rates",
        "pricing:AuditFunction",
        "rates:RatesApiUrlParameter",
        "pricing/template.yaml:11",
        "/shop/rates/api-url; used by 3: AuditFunction, QuoteFunction, RepriceFunction",
    )
    assert [coupling.links for coupling in unit_coupling(graph).values()] == [1, 1]


def test_the_text_report_groups_links_by_unit_pair_and_lists_them_with_verbose():
    report = build_report(load(GRAPH_FIXTURES / "globals_ssm"))
    lines = render_text(report).splitlines()
    assert "1 cross-unit link" in lines[0]
    assert lines[lines.index("cross-unit links: (list them with -v)") + 1] == "  pricing -> rates: 1 link (ssm_parameter 1)"
    verbose = render_text(report, verbose=True).splitlines()
    start = verbose.index("cross-unit links:")
    assert verbose[start + 1 : start + 3] == [
        "  pricing -> rates: 1 link (ssm_parameter 1)",
        "    ssm_parameter pricing:AuditFunction -> rates:RatesApiUrlParameter  pricing/template.yaml:11",
    ]


def test_a_function_with_its_own_code_triggered_from_another_unit_is_not_a_placeholder():
    graph = load(GRAPH_FIXTURES / "tolerance")
    assert no_function_placeholders(graph) == []
    assert [str(violation) for violation in trigger_colocated(graph)] == [
        "graphql/template.yaml:35: trigger-colocated: function GetOrderFunction (unit orders) is triggered by api "
        "GraphQLApi (unit graphql), defined in unit graphql; ship the trigger and the function in one unit"
    ]


def test_a_state_machine_task_naming_its_function_by_an_ssm_typed_parameter_invokes_the_other_units_function():
    graph = load(GRAPH_FIXTURES / "ssm_invoke")
    assert edge_facts(graph, "invokes") == [
        ("checkout:CheckoutStateMachine", "payments:CollectPaymentFunction", "checkout/template.yaml:31", True)
    ]
    assert link_facts(graph) == [
        (
            "ssm_parameter",
            "checkout",
            "payments",
            "checkout:CheckoutStateMachine",
            "payments:CollectPaymentFunctionArnParameter",
            "checkout/template.yaml:31",
        )
    ]


def test_a_template_url_written_for_the_build_folder_nests_one_shared_child_in_each_parent():
    graph = load(GRAPH_FIXTURES / "build_relative")
    assert [(unit.name, unit.path) for unit in graph.units()] == [
        ("billing", "billing/template.yaml"),
        ("orders", "orders/template.yaml"),
    ]
    assert [(r.id, r.physical_name, str(r.location)) for r in graph.resources(kind="queue")] == [
        ("billing:DeadLetters/DeadLetterQueue", "billing-dlq", "shared/templates/dlq.yaml:9"),
        ("orders:DeadLetters/DeadLetterQueue", "orders-dlq", "shared/templates/dlq.yaml:9"),
    ]
    assert [str(error) for error in graph.errors] == [
        "billing/template.yaml:16: nested stack Alarms: TemplateURL ../../../alarms/template.yaml leaves the repository "
        "(read beside the template, from the repository root and from .aws-sam/build/); not read"
    ]
