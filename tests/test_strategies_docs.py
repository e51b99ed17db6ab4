"""The example in docs/strategies.md runs as written, pasted into a fresh repository's tests."""

from __future__ import annotations

import re

from .helpers import REPO

DOCS = REPO / "docs" / "strategies.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_documented_custom_rule_property_test_passes_in_a_fresh_repository(pytester):
    example = python_blocks()[0]
    assert "def test_queue_consumers_colocated" in example
    pytester.makepyfile(test_queue_rule=example)
    # a fixed seed: the same hundred repositories on every run, so the suite is not flaky
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", "--hypothesis-seed=0")
    result.assert_outcomes(passed=1)


def test_the_documented_from_graph_example_runs_on_a_repository_of_two_units(pytester):
    from pytest_serverless_arch.strategies import Function, Topology, Trigger, Unit

    Topology(
        units=(Unit("orders"), Unit("billing", "sam")),
        functions=(Function("Fn0", "orders"), Function("Fn1", "billing")),
        triggers=(Trigger("Queue0", "queue", "billing", "Fn0"),),
    ).write(pytester.path)
    pytester.makepyfile(test_merges=python_blocks()[1])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)
