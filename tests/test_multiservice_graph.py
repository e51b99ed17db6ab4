"""Issue 12: the graph on multi-service repositories, one regression test per defect.

Each fixture under ``tests/fixtures/graph/`` is a minimal repository written the
way real ones write it; the tests pin exact units, edges, links and lines.
"""

from __future__ import annotations

from pytest_serverless_arch import load
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
