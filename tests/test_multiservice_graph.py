"""Issue 12: the graph on multi-service repositories, one regression test per defect.

Each fixture under ``tests/fixtures/graph/`` is a minimal repository written the
way real ones write it; the tests pin exact units, edges, links and lines.
"""

from __future__ import annotations

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.parse import DuplicateKey, ParseError, parse_json, parse_yaml
from pytest_serverless_arch.patterns import classify_pattern
from pytest_serverless_arch.report import build_report, render_text

from .helpers import GRAPH_FIXTURES, edge_facts


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
