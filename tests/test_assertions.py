"""Assertion helpers: readable failures (``file:line: rule-id: message``, the reason, a docs link), no noise."""

from __future__ import annotations

import shutil

import pytest

from pytest_serverless_arch import assertions, load
from pytest_serverless_arch.assertions import (
    assert_every_lambda_ships_with_its_trigger,
    assert_no_cross_domain_access,
    assert_no_function_placeholders,
    assert_no_unit_cycles,
    assert_no_unit_spans_two_domains,
    assert_pattern,
    assert_rule,
    check,
    keep_every_violation,
)
from pytest_serverless_arch.rules import RuleError, Violation, rule

from .rules_support import RULE_FIXTURES, GraphBuilder

DOCS = "https://github.com/pytest-serverless-arch/pytest-serverless-arch/blob/main/docs/rules/"


@pytest.fixture(autouse=True)
def report_every_violation(monkeypatch):
    """These tests are about the helpers, not the plugin's suppressions and baseline."""
    monkeypatch.setattr(assertions, "violation_filter", keep_every_violation)


def failure(call, *args, **kwargs) -> str:
    with pytest.raises(pytest.fail.Exception) as excinfo:
        call(*args, **kwargs)
    assert excinfo.value.pytrace is False
    return str(excinfo.value.msg)


def test_a_clean_repository_passes_every_helper():
    graph = load(RULE_FIXTURES / "grouped")
    assert_every_lambda_ships_with_its_trigger(graph)
    assert_no_unit_spans_two_domains(graph)
    assert_no_unit_cycles(graph)
    assert_no_function_placeholders(graph)
    assert_no_cross_domain_access(graph)
    assert_pattern(graph, "trigger-grouped")
    assert_rule(graph, "max-cross-unit-links", limit=0)


def test_a_failure_lists_each_violation_then_the_reason_and_the_docs_link():
    text = failure(assert_no_cross_domain_access, load(RULE_FIXTURES / "domains"))
    assert text.splitlines() == [
        "no-cross-domain-access: 2 violations of: functions reach other domains' data stores only through events",
        "  shop/template.yaml:53: no-cross-domain-access: function PlaceOrder (unit shop) of domain "
        "orders accesses (read) table PaymentsTable (unit shop) of domain payments directly; "
        "publish or consume an event instead",
        "  shop/template.yaml:68: no-cross-domain-access: function PlaceOrder (unit shop) of domain "
        "orders accesses (environment PAYMENTS_TABLE) table PaymentsTable (unit shop) of domain "
        "payments directly; publish or consume an event instead",
        "why: A function touching another domain's table, bucket, stream, state machine or parameter couples to "
        "its storage; topics, queues and event buses keep the contract explicit.",
        f"docs: {DOCS}no-cross-domain-access.md",
    ]


def test_each_helper_runs_its_rule():
    split = (
        GraphBuilder()
        .resource("infra", "Jobs", "queue", 4)
        .resource("app", "Worker", "function", 6)
        .edge("triggers", "infra:Jobs", "app:Worker", 20, wired_in="infra")
        .resource("infra", "WorkerAlias", "other", 22, type="AWS::Lambda::Alias")
        .edge("name_reference", "infra:WorkerAlias", "app:Worker", 24, wired_in="infra")
        .resource("app", "Table", "table", 9, domain="a")
        .resource("app", "Fn", "function", 12, domain="b")
        .edge("imports", "app:Fn", "infra:Jobs", 30)
        .edge("imports", "infra:Jobs", "app:Table", 31)
    ).graph
    cases = [
        (assert_every_lambda_ships_with_its_trigger, "trigger-colocated", "infra/template.yaml:20"),
        (assert_no_unit_spans_two_domains, "single-domain-units", "app/template.yaml:12"),
        (assert_no_unit_cycles, "no-unit-cycles", "app/template.yaml:30"),
        (assert_no_function_placeholders, "no-function-placeholders", "app/template.yaml:6"),
    ]
    for helper, rule_id, location in cases:
        assert failure(helper, split).splitlines()[1].startswith(f"  {location}: {rule_id}: ")


def test_a_scoped_helper_names_its_selection_and_checks_only_it():
    graph = load(RULE_FIXTURES / "domains")
    assert failure(assert_no_cross_domain_access, graph.where(domain="payments")).startswith(
        "no-cross-domain-access in domain=payments: 2 violations"
    )
    with pytest.raises(RuleError, match="matches no unit"):
        assert_no_cross_domain_access(graph.where(domain="billing"))
    assert_no_cross_domain_access(graph.where(domain="billing"), allow_empty=True)


def test_assert_pattern_explains_the_verdict():
    text = failure(assert_pattern, load(RULE_FIXTURES / "per-function"), "trigger-grouped")
    assert text.splitlines()[1] == (
        "  signup/template.yaml:1: pattern: the repository is cut as function-per-unit, expected trigger-grouped: "
        "each of the 2 units holding functions holds exactly one; 0 of 2 trigger edges (0%) cross units "
        "(units: signup: function-per-unit, thumbnails: function-per-unit)"
    )
    assert_pattern(load(RULE_FIXTURES / "per-function"), ["trigger-grouped", "function-per-unit"])
    with pytest.raises(RuleError, match="unknown pattern 'microservices'"):
        assert_pattern(load(RULE_FIXTURES / "per-function"), "microservices")


def test_a_custom_rule_registered_in_a_conftest_is_asserted_like_a_builtin():
    @rule("no-untagged-functions", description="every function carries a team tag", reason="someone must be paged when it breaks")
    def no_untagged_functions(graph):
        for function in graph.functions():
            if "team" not in function.tag_map:
                yield Violation.of("no-untagged-functions", f"function {function.name} has no team tag", function)

    graph = load(RULE_FIXTURES / "placeholders")
    assert failure(assert_rule, graph, "no-untagged-functions").splitlines() == [
        "no-untagged-functions: 4 violations of: every function carries a team tag",
        "  app/template.yaml:4: no-untagged-functions: function Api has no team tag",
        "  infra/template.yaml:12: no-untagged-functions: function Worker has no team tag",
        "  infra/template.yaml:21: no-untagged-functions: function Renderer has no team tag",
        "  infra/template.yaml:28: no-untagged-functions: function Shipped has no team tag",
        "why: someone must be paged when it breaks",
    ]
    assert_rule(graph.where(unit="nothing-here"), no_untagged_functions, allow_empty=True)


def test_a_plain_function_is_a_rule_too():
    def every_unit_has_a_function(graph):
        return [
            Violation.of("every-unit-has-a-function", f"unit {unit.name} has no function", unit)
            for unit in graph.units()
            if not graph.functions(unit=unit.name)
        ]

    graph = GraphBuilder().resource("a", "Fn", "function", 3).resource("b", "Vpc", "other", 2).graph
    assert failure(assert_rule, graph, every_unit_has_a_function).splitlines() == [
        "every-unit-has-a-function: 1 violation",
        "  b/template.yaml:1: every-unit-has-a-function: unit b has no function",
    ]


def test_check_is_the_one_seam_where_findings_are_filtered(monkeypatch):
    seen = []

    def drop_line_53(rule, violations, graph):
        seen.append(rule.id)
        return [violation for violation in violations if violation.location.line != 53]

    monkeypatch.setattr(assertions, "violation_filter", drop_line_53)
    graph = load(RULE_FIXTURES / "domains")
    assert [v.location.line for v in check(graph, "no-cross-domain-access")] == [68]
    assert failure(assert_no_cross_domain_access, graph).startswith("no-cross-domain-access: 1 violation of")
    assert seen == ["no-cross-domain-access", "no-cross-domain-access"]


def test_configuration_mistakes_are_errors_not_failures():
    graph = load(RULE_FIXTURES / "grouped")
    with pytest.raises(RuleError, match="unknown rule 'trigger-colocted'"):
        assert_rule(graph, "trigger-colocted")
    with pytest.raises(RuleError, match="trigger-colocated: got an unexpected keyword argument 'limit'"):
        assert_rule(graph, "trigger-colocated", limit=3)


def test_a_failing_helper_shows_the_users_line_and_no_traceback_from_the_package(pytester):
    shutil.copytree(RULE_FIXTURES / "domains", pytester.path / "repo")
    pytester.makepyfile(
        test_architecture="""
        from pytest_serverless_arch import load
        from pytest_serverless_arch.assertions import assert_no_unit_spans_two_domains

        def test_no_unit_spans_two_domains():
            graph = load("repo")
            assert_no_unit_spans_two_domains(graph)
    """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*single-domain-units: 1 violation of: no unit spans two domains",
            "*  shop/template.yaml:18: single-domain-units: unit shop holds resources of 2 domains: *",
            "*why: A deployment unit is released by one pipeline*",
            f"*docs: {DOCS}single-domain-units.md",
        ]
    )
    assert "assertions.py" not in result.stdout.str()
    assert "def assert_rule" not in result.stdout.str()
