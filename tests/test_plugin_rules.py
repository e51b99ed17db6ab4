"""Custom rules (conftest and entry points) and suppressions with reasons, end to end with pytester."""

from __future__ import annotations

import textwrap

import hypothesis  # noqa: F401  (imported here once, so pytester's inner runs do not re-import it)
import pytest

from .helpers import split_queue_repo

QUEUES = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Loose:
    Type: AWS::SQS::Queue
  Named:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: named
"""

QUEUES_ARE_NAMED = """
import pytest_serverless_arch as arch

@arch.rule("queues-are-named", description="every queue has a QueueName", reason="names show in dashboards")
def queues_are_named(graph):
    for queue in graph.resources(kind="queue"):
        if not queue.physical_name:
            yield arch.Violation.of("queues-are-named", f"queue {queue.logical_id} has no QueueName", queue)
"""


def infra_with_metadata(*suppressions: str) -> str:
    """The split-queue infra.yaml with ``Metadata`` suppressions on OrdersQueue (declared at line 3)."""
    entries = "".join(f"          - {entry}\n" for entry in suppressions)
    return (
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  OrdersQueue:\n    Type: AWS::SQS::Queue\n'
        "    Metadata:\n      serverless-arch:\n        suppress:\n"
        + entries
        + "  Mapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n"
        "      EventSourceArn: !GetAtt OrdersQueue.Arn\n      FunctionName: !ImportValue app-worker-arn\n"
    )


# --- custom rules ----------------------------------------------------------------------


def test_a_rule_in_conftest_is_collected_like_a_builtin_and_works_with_assert_rule(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", queues=QUEUES)
    pytester.makeconftest(QUEUES_ARE_NAMED)
    pytester.makepyfile(
        test_arch="""
        from pytest_serverless_arch.assertions import assert_rule

        def test_queues_are_named(deployment_graph):
            assert_rule(deployment_graph, "queues-are-named")
    """
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "serverless-arch: 1 unit (cloudformation 1), 0 functions, 0 triggers, 0 load errors",
            "test_arch.py::test_queues_are_named FAILED*",
            "serverless-arch::queues-are-named FAILED*",
            "*queues.yaml:3: queues-are-named: queue Loose has no QueueName",
            "why: names show in dashboards",
        ]
    )
    assert result.stdout.str().count("queues.yaml:3: queues-are-named: queue Loose has no QueueName") == 2


def test_a_conftest_rule_that_finds_nothing_passes(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", queues=QUEUES.replace("  Loose:\n    Type: AWS::SQS::Queue\n", ""))
    pytester.makeconftest(QUEUES_ARE_NAMED)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["serverless-arch::queues-are-named PASSED*"])


def test_rule_packages_register_through_the_entry_point_group(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", queues=QUEUES)
    pytester.makepyfile(
        team_rules="""
        from pytest_serverless_arch import Violation, rule

        @rule("team-no-queues", description="queues belong to the platform team")
        def team_no_queues(graph):
            return [Violation.of("team-no-queues", f"queue {q.logical_id}", q) for q in graph.resources(kind="queue")]

        def at_most_one_unit(graph):
            return []
    """
    )
    dist = pytester.mkdir("team_rules-1.0.dist-info")
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: team-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[pytest_serverless_arch.rules]\nteam = team_rules\n"
        "at-most-one-unit = team_rules:at_most_one_unit\n"
        "broken = no_such_module_here\n"
    )
    pytester.syspathinsert()
    pytester.makeini("[pytest]\nserverless_arch_rules = team-no-queues\n    at-most-one-unit\n")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "serverless-arch::rule-plugin?broken? FAILED*",
            "serverless-arch::team-no-queues FAILED*",
            "serverless-arch::at-most-one-unit PASSED*",
            "entry point broken = no_such_module_here in group pytest_serverless_arch.rules cannot be imported: "
            "ModuleNotFoundError: *",
            "  queues.yaml:3: team-no-queues: queue Loose",
            "  queues.yaml:5: team-no-queues: queue Named",
        ]
    )


def test_a_rule_that_crashes_is_an_error_with_its_traceback(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", queues=QUEUES)
    pytester.makeconftest("""
        import pytest_serverless_arch as arch

        @arch.rule("crashes")
        def crashes(graph):
            raise ZeroDivisionError("a bug in the rule")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            '>       raise ZeroDivisionError("a bug in the rule")',
            "E       ZeroDivisionError: a bug in the rule",
            "conftest.py:5: ZeroDivisionError",
        ]
    )


# --- suppressions ----------------------------------------------------------------------


def test_a_suppression_with_a_reason_passes_the_rule_and_is_listed_in_the_summary(pytester: pytest.Pytester) -> None:
    split_queue_repo(
        pytester,
        "trigger-colocated",
        infra=infra_with_metadata("{rule: trigger-colocated, reason: shared queue until the billing split}"),
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*- serverless-arch -*",
            "suppressed findings (1):",
            "  infra.yaml:9: trigger-colocated: function Worker (unit app.yaml) is triggered by queue OrdersQueue*",
            "      suppressed at infra.yaml:3: shared queue until the billing split",
        ]
    )


def test_a_suppression_without_a_reason_is_an_error_and_suppresses_nothing(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated", infra=infra_with_metadata("{rule: trigger-colocated}"))
    result = pytester.runpytest("-v")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "serverless-arch::suppression?infra.yaml:3? FAILED*",
            "serverless-arch::trigger-colocated FAILED*",
            "infra.yaml:3: the suppression of trigger-colocated on infra.yaml:OrdersQueue has no reason; *",
            "  infra.yaml:9: trigger-colocated: function Worker *",
            "  infra.yaml:3: a suppression of trigger-colocated on infra.yaml:OrdersQueue has no reason, *",
        ]
    )
    result.stdout.no_fnmatch_line("suppressed findings*")


def test_a_suppression_that_suppresses_nothing_is_reported(pytester: pytest.Pytester) -> None:
    split_queue_repo(
        pytester,
        "no-unit-cycles",
        infra=infra_with_metadata(
            "{rule: no-unit-cycles, reason: old cycle}", "{rule: trigger-colocted, reason: typo in the rule id}"
        ),
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "suppressions that suppress nothing (2); remove them:",
            "  infra.yaml:3: no-unit-cycles suppressed on infra.yaml:OrdersQueue: old cycle",
            "  infra.yaml:3: trigger-colocted suppressed on infra.yaml:OrdersQueue: typo in the rule id "
            "(no rule is called 'trigger-colocted')",
        ]
    )


def test_assertion_helpers_apply_the_same_suppressions(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, infra=infra_with_metadata("{rule: trigger-colocated, reason: shared queue}"))
    pytester.makepyfile(
        test_arch="""
        from pytest_serverless_arch.assertions import assert_every_lambda_ships_with_its_trigger

        def test_colocated(deployment_graph):
            assert_every_lambda_ships_with_its_trigger(deployment_graph)
    """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["suppressed findings (1):", "  infra.yaml:9: trigger-colocated: *"])


def test_a_serverless_function_is_suppressed_through_custom_serverless_arch(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".yml",
        serverless=textwrap.dedent("""\
        service: shop
        provider:
          name: aws
          runtime: python3.12
        custom:
          serverlessArch:
            suppress:
              - rule: functions-have-timeouts
                function: checkout
                reason: the default timeout is fine for checkout
        functions:
          checkout:
            handler: handler.checkout
          refund:
            handler: handler.refund
    """),
    )
    pytester.makeconftest("""
        import pytest_serverless_arch as arch

        @arch.rule("functions-have-timeouts")
        def functions_have_timeouts(graph):
            for function in graph.functions():
                if "Timeout" not in function.properties:
                    yield arch.Violation.of("functions-have-timeouts", f"{function.name} has no timeout", function)
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  serverless.yml:14: functions-have-timeouts: refund has no timeout",
            "(1 suppressed; not failing)",
            "suppressed findings (1):",
            "  serverless.yml:12: functions-have-timeouts: checkout has no timeout",
            "      suppressed at serverless.yml:12: the default timeout is fine for checkout",
        ]
    )
