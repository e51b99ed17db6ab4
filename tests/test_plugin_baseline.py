"""The baseline end to end: write, read, match without lines, report fixed entries, shrink, CI."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch.baseline import Baseline, entry_of
from pytest_serverless_arch.model import Location
from pytest_serverless_arch.rules.base import Violation

from .helpers import split_queue_repo

BASELINE = ".serverless-arch-baseline.json"

TRIGGER = {
    "rule": "trigger-colocated",
    "units": ["app.yaml", "infra.yaml"],
    "resources": ["app.yaml#Worker", "infra.yaml#OrdersQueue"],
}

MAPPING = """\
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt OrdersQueue.Arn
      FunctionName: !ImportValue app-worker-arn
"""

SECOND_QUEUE = """\
  RefundsQueue:
    Type: AWS::SQS::Queue
  RefundsMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt RefundsQueue.Arn
      FunctionName: !ImportValue app-worker-arn
"""


def baseline_entries(pytester: pytest.Pytester, name: str = BASELINE) -> list[dict[str, object]]:
    document = json.loads((pytester.path / name).read_text())
    return [{key: item[key] for key in ("rule", "units", "resources")} for item in document["violations"]]


def edit_infra(pytester: pytest.Pytester, old: str, new: str) -> None:
    infra = pytester.path / "infra.yaml"
    text = infra.read_text()
    assert old in text
    infra.write_text(text.replace(old, new, 1))


def test_update_baseline_writes_every_finding_and_later_runs_pass(pytester: pytest.Pytester) -> None:
    # the worker ships its own code: its trigger in infra is trigger-colocated's finding only (issue 12, defect 5)
    split_queue_repo(pytester, "trigger-colocated", "no-function-placeholders")
    pytester.runpytest().assert_outcomes(failed=1, passed=1)
    written = pytester.runpytest("--arch-update-baseline")
    written.assert_outcomes(passed=2)
    written.stdout.fnmatch_lines([f"wrote {BASELINE}: 1 entry (was 0)"])
    assert baseline_entries(pytester) == [TRIGGER]
    document = json.loads((pytester.path / BASELINE).read_text())
    assert [item["location"] for item in document["violations"]] == ["infra.yaml:7"]
    again = pytester.runpytest()
    again.assert_outcomes(passed=2)
    again.stdout.fnmatch_lines([f"*baseline: {BASELINE} (1 entries)", f"findings accepted by the baseline {BASELINE}: 1"])
    again.stdout.no_fnmatch_line("*now fixed*")


def test_an_unrelated_edit_that_moves_lines_does_not_churn_the_baseline(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated")
    pytester.runpytest("--arch-update-baseline").assert_outcomes(passed=1)
    edit_infra(pytester, "Resources:\n", 'Description: "orders infrastructure"\n\nResources:\n')
    pytester.runpytest().assert_outcomes(passed=1)
    assert baseline_entries(pytester) == [TRIGGER]


def test_only_findings_missing_from_the_baseline_fail(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated")
    pytester.runpytest("--arch-update-baseline").assert_outcomes(passed=1)
    edit_infra(pytester, "Outputs:\n", SECOND_QUEUE + "Outputs:\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "1 violation:",
            "  infra.yaml:14: trigger-colocated: function Worker (unit app.yaml) is triggered by queue RefundsQueue*",
            "(1 in the baseline; not failing)",
        ]
    )
    result.stdout.no_fnmatch_line("  infra.yaml:7: trigger-colocated: *")


def test_fixed_entries_are_reported_and_the_update_shrinks_the_file(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated", "no-function-placeholders")
    pytester.runpytest("--arch-update-baseline").assert_outcomes(passed=2)
    edit_infra(pytester, MAPPING, "")
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            f"baseline entries now fixed (1); shrink {BASELINE} with --arch-update-baseline:",
            "  trigger-colocated: app.yaml#Worker, infra.yaml#OrdersQueue",
        ]
    )
    result.stdout.no_fnmatch_line("  no-function-placeholders: *")
    shrunk = pytester.runpytest("--arch-update-baseline")
    shrunk.stdout.fnmatch_lines([f"wrote {BASELINE}: 0 entries (was 1)"])
    assert baseline_entries(pytester) == []


def test_updating_with_some_rules_deselected_keeps_their_entries(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated", "no-function-placeholders")
    pytester.runpytest("--arch-update-baseline").assert_outcomes(passed=2)
    edit_infra(pytester, MAPPING, "")
    # trigger-colocated is deselected: its (now fixed) entry stays until a run that selects it
    pytester.runpytest("--arch-update-baseline", "-k", "placeholders").assert_outcomes(passed=1, deselected=1)
    assert baseline_entries(pytester) == [TRIGGER]


def test_the_baseline_path_is_configurable(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated")
    pytester.mkdir("arch")
    pytester.runpytest("--arch-update-baseline", "--arch-baseline", "arch/accepted.json").assert_outcomes(passed=1)
    assert baseline_entries(pytester, "arch/accepted.json") == [TRIGGER]
    assert not (pytester.path / BASELINE).exists()
    pytester.runpytest("--arch-baseline", "arch/accepted.json").assert_outcomes(passed=1)
    pytester.runpytest().assert_outcomes(failed=1)


def test_with_ci_set_a_missing_baseline_is_never_created(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    split_queue_repo(pytester, "trigger-colocated")
    monkeypatch.setenv("CI", "true")
    refused = pytester.runpytest("--arch-update-baseline")
    assert refused.ret == pytest.ExitCode.USAGE_ERROR
    refused.stderr.fnmatch_lines([f"*CI is set and the baseline {BASELINE} does not exist; refusing to create it*"])
    assert not (pytester.path / BASELINE).exists()
    pytester.runpytest().assert_outcomes(failed=1)
    assert not (pytester.path / BASELINE).exists()
    monkeypatch.delenv("CI")
    pytester.runpytest("--arch-update-baseline").assert_outcomes(passed=1)
    monkeypatch.setenv("CI", "true")
    pytester.runpytest("--arch-update-baseline").assert_outcomes(passed=1)  # an existing one may be updated


def test_assertion_helpers_apply_the_baseline_too(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated")
    pytester.makepyfile(
        test_arch="""
        from pytest_serverless_arch.assertions import assert_every_lambda_ships_with_its_trigger

        def test_colocated(deployment_graph):
            assert_every_lambda_ships_with_its_trigger(deployment_graph)
    """
    )
    pytester.runpytest().assert_outcomes(failed=2)
    pytester.runpytest("--arch-update-baseline", "-k", "serverless-arch").assert_outcomes(passed=1, deselected=1)
    pytester.runpytest().assert_outcomes(passed=2)


def test_an_unreadable_baseline_is_a_usage_error(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated")
    (pytester.path / BASELINE).write_text('{"violations": 3}')
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*serverless-arch: *: violations must be a list, not 3; fix it or regenerate it with --arch-update-baseline"]
    )


# --- the matching itself, as properties ------------------------------------------------

_names = st.sampled_from(["orders", "billing", "infra"])
_violations = st.lists(
    st.builds(
        Violation,
        rule=st.sampled_from(["trigger-colocated", "no-unit-cycles"]),
        message=st.text(max_size=5),
        location=st.builds(Location, path=st.sampled_from(["a.yaml", "b.yml"]), line=st.integers(1, 200)),
        units=st.lists(_names, max_size=2).map(tuple),
        resources=st.lists(_names.map(lambda name: f"{name}:Queue"), max_size=2).map(tuple),
    ),
    max_size=8,
)


@given(_violations, st.integers(-50, 50), st.randoms(use_true_random=False))
def test_a_baseline_matches_its_findings_whatever_their_lines_messages_and_order(violations, shift, random):
    baseline = Baseline.from_violations(violations)
    moved = [
        dataclasses.replace(v, message=v.message + "!", location=Location(v.location.path, max(1, v.location.line + shift)))
        for v in violations
    ]
    random.shuffle(moved)
    split = baseline.split(moved, rules_run=["trigger-colocated", "no-unit-cycles"])
    assert (split.new, split.fixed, len(split.baselined)) == ([], [], len(violations))


@given(_violations, _violations)
def test_findings_beyond_the_baseline_are_new_and_missing_ones_are_fixed(kept, gone):
    baseline = Baseline.from_violations(kept + gone)
    split = baseline.split(kept, rules_run=["trigger-colocated", "no-unit-cycles"])
    assert split.new == []
    assert sorted(split.fixed) == sorted(entry_of(v) for v in gone)
    grown = Baseline.from_violations(kept).split(kept + gone)
    assert (grown.new, grown.baselined) == (gone, kept)


def test_the_file_round_trips_and_an_update_replaces_only_the_rules_run(tmp_path):
    a = Violation("trigger-colocated", "m", Location("a.yaml", 3), ("x", "y"), ("x:Q", "y:F"))
    b = Violation("no-unit-cycles", "n", Location("b.yaml", 9), ("x", "y"))
    path = tmp_path / "baseline.json"
    Baseline.from_violations([a, a, b]).write(path)
    read = Baseline.read(path)
    assert read.entries == Baseline.from_violations([a, a, b]).entries
    updated = read.updated(Baseline.from_violations([a]), rules_run=["trigger-colocated"])
    assert updated.entries == Baseline.from_violations([a, b]).entries
