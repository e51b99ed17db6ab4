"""Food delivery's own rule: every unit belongs to a domain."""

import pytest_serverless_arch
from pytest_serverless_arch import Violation


@pytest_serverless_arch.rule("every-unit-has-a-domain", description="every unit is tagged with its domain")
def every_unit_has_a_domain(graph):
    """An untagged unit escapes every domain rule; tag the stack (`stackTags`, samconfig `tags`)."""
    for unit in graph.units():
        if not any(resource.domain for resource in graph.resources(unit=unit.name)):
            yield Violation.of("every-unit-has-a-domain", f"unit {unit.name} has no domain tag", unit)
