"""The rule model: violations, the registry, configuration errors, running every built-in rule."""

from __future__ import annotations

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.graph import Trigger
from pytest_serverless_arch.model import Location
from pytest_serverless_arch.rules import (
    BUILTIN_RULES,
    RuleError,
    Violation,
    get_rule,
    registered_rules,
    rule,
    run_builtin_rules,
)

from .helpers import REPO
from .rules_support import RULE_FIXTURES, GraphBuilder


def test_a_violation_reads_like_a_compiler_message_and_serialises_to_json_fields():
    violation = Violation(
        "trigger-colocated", "too far apart", Location("infra/template.yaml", 20), ("app", "infra"), ("app:Worker", "infra:Jobs")
    )
    assert str(violation) == "infra/template.yaml:20: trigger-colocated: too far apart"
    assert violation.to_dict() == {
        "rule": "trigger-colocated",
        "message": "too far apart",
        "location": "infra/template.yaml:20",
        "units": ["app", "infra"],
        "resources": ["app:Worker", "infra:Jobs"],
    }


def test_a_violation_about_graph_elements_fills_in_location_units_and_resources():
    graph = (GraphBuilder().resource("infra", "Jobs", "queue", 4).resource("app", "Worker", "function", 6)).graph
    trigger = Trigger("infra:Jobs", "queue", "app:Worker", True, Location("infra/template.yaml", 20))
    from_trigger = Violation.of("my-rule", "m", trigger)
    assert (str(from_trigger.location), from_trigger.units, from_trigger.resources) == (
        "infra/template.yaml:20",
        ("infra", "app"),
        ("infra:Jobs", "app:Worker"),
    )
    from_resources = Violation.of("my-rule", "m", graph.resource("app:Worker"), "infra:Jobs")
    assert (str(from_resources.location), from_resources.units, from_resources.resources) == (
        "app/template.yaml:6",
        ("app", "infra"),
        ("app:Worker", "infra:Jobs"),
    )
    assert str(Violation.of("my-rule", "m", graph.unit("app")).location) == "app/template.yaml:1"


def test_every_builtin_rule_is_registered_with_a_description_reason_and_docs_page():
    rules = registered_rules()
    for rule_id in (*BUILTIN_RULES, "pattern"):
        registered = rules[rule_id]
        assert registered.builtin and registered.description and registered.reason
        assert registered.docs_url.endswith(f"/docs/rules/{rule_id}.md")
        assert get_rule(rule_id) is registered


def test_the_exported_rule_functions_are_the_registered_rules():
    from pytest_serverless_arch import rules

    for rule_id in (*BUILTIN_RULES, "pattern"):
        function = getattr(rules, rule_id.replace("-", "_"))
        assert get_rule(function) is registered_rules()[rule_id]


def test_a_decorated_function_is_found_by_its_id_and_by_itself():
    @rule("every-queue-has-a-consumer")
    def every_queue_has_a_consumer(graph):
        """Every queue triggers some function."""
        return []

    assert get_rule(every_queue_has_a_consumer).id == "every-queue-has-a-consumer"
    assert get_rule("every-queue-has-a-consumer").description == "Every queue triggers some function."
    assert every_queue_has_a_consumer(load(RULE_FIXTURES / "grouped")) == []


def test_findings_come_back_sorted_by_location():
    @rule("backwards")
    def backwards(graph):
        return [Violation("backwards", str(line), Location("t.yaml", line)) for line in (9, 3, 5)]

    assert [v.message for v in backwards(GraphBuilder().graph)] == ["3", "5", "9"]


def test_run_builtin_rules_gathers_every_rules_findings_in_location_order():
    violations = run_builtin_rules(load(RULE_FIXTURES / "placeholders"))
    assert [(str(v.location), v.rule) for v in violations] == [
        ("infra/template.yaml:12", "no-function-placeholders"),
        ("infra/template.yaml:21", "no-function-placeholders"),
        ("infra/template.yaml:27", "no-dangling-references"),
    ]
    assert run_builtin_rules(GraphBuilder().graph) == []


@pytest.mark.parametrize("rule_id", BUILTIN_RULES)
def test_every_builtin_rule_passes_on_an_empty_repository(rule_id):
    assert get_rule(rule_id)(GraphBuilder().graph) == []


@pytest.mark.parametrize("rule_id", [*BUILTIN_RULES, "pattern"])
def test_every_builtin_rule_has_a_docs_page_with_an_example_and_how_to_suppress(rule_id):
    page = (REPO / "docs" / "rules" / f"{rule_id}.md").read_text()
    assert page.startswith(f"# `{rule_id}`")
    for section in ("**What it checks.**", "**Why.**", "## A violation", "## Fixed", "## Suppress"):
        assert section in page
    assert f": {rule_id}: " in page  # the example finding, as the rule prints it


def test_a_rule_can_declare_that_an_empty_selection_is_fine():
    @rule("optional-legacy-check", allow_empty=True)
    def optional_legacy_check(graph):
        return []

    @rule("strict-check")
    def strict_check(graph):
        return []

    view = GraphBuilder().resource("orders", "Fn", "function", 3).graph.where(unit="legacy-*")
    assert optional_legacy_check(view) == []
    with pytest.raises(RuleError, match=r"strict-check: the selection \(unit=legacy-\*\) matches no unit"):
        strict_check(view)


def test_a_violation_about_a_link_from_a_unit_names_the_unit_not_a_resource():
    from pytest_serverless_arch.graph import Link

    link = Link(
        "compose_param", "delivery", "orders", "unit:delivery", "orders:OrdersTable", Location("serverless-compose.yml", 19)
    )
    violation = Violation.of("my-rule", "m", link)
    assert (violation.units, violation.resources) == (("delivery", "orders"), ("orders:OrdersTable",))
