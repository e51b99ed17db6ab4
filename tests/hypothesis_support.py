"""Hypothesis settings for the property tests: a bounded budget in CI, a thorough one on demand.

- ``ci``: few examples, no deadline, derandomized (the same examples on every
  run, so a red build is reproducible); chosen when ``CI`` is set.
- ``dev``: the default locally, the same budget with fresh examples each run.
- ``thorough``: many examples; ``HYPOTHESIS_PROFILE=thorough pytest tests/test_properties*.py``.

``tests/conftest.py`` loads the chosen profile for the whole suite; the property
tests also apply :data:`property_settings` themselves, so they run the same when
imported on their own.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, settings

from pytest_serverless_arch import DeploymentGraph, load
from pytest_serverless_arch.strategies import Topology

# Some properties draw a topology and keep the ones of a shape (two units of one domain...): on a
# loaded machine the share kept can dip below the health check's bar without anything being wrong.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.filter_too_much]

settings.register_profile(
    "ci",
    max_examples=20,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=_SUPPRESSED,
    database=None,
)
settings.register_profile("dev", max_examples=20, deadline=None, suppress_health_check=_SUPPRESSED)
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=_SUPPRESSED)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
property_settings = settings.get_profile(PROFILE)
"""The settings of the chosen profile, as a decorator for ``@given`` tests."""


# --- shared by the property tests --------------------------------------------------


@contextmanager
def loaded(topology: Topology) -> Iterator[DeploymentGraph]:
    """``topology`` written to a fresh directory and loaded back."""
    with tempfile.TemporaryDirectory(prefix="topology-") as directory:
        topology.write(directory)
        yield load(directory)


def load_topology(topology: Topology) -> DeploymentGraph:
    with loaded(topology) as graph:
        return graph
