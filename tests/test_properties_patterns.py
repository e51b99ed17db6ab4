"""The classifier returns the drawn pattern for ``topologies(pattern=p)``, and agrees with
the topology's own verdict (the classifier's definition on the abstract model) on any topology.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from pytest_serverless_arch.patterns import classify_pattern
from pytest_serverless_arch.strategies import PATTERNS, topologies

from .hypothesis_support import load_topology, property_settings


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_classifier_returns_the_pattern_a_topology_was_drawn_with(pattern):
    @property_settings
    @given(topologies(pattern=pattern, max_units=4, max_functions=5))
    def check(topology):
        verdict = classify_pattern(load_topology(topology))
        assert verdict.repo == pattern, f"{verdict.reason}\n{topology.describe()}"

    check()


@property_settings
@given(topologies(max_units=4, max_functions=5))
def test_the_classifier_agrees_with_the_abstract_verdict_on_any_topology(topology):
    verdict = classify_pattern(load_topology(topology))
    assert verdict.repo == topology.pattern, f"{verdict.reason}\n{topology.describe()}"
