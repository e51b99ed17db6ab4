"""The media pipeline's own rule: one function per deployment unit."""

import pytest_serverless_arch
from pytest_serverless_arch import Violation


@pytest_serverless_arch.rule("one-function-per-unit", description="every unit ships exactly one function")
def one_function_per_unit(graph):
    """Each function is released on its own: a second function needs its own unit."""
    for unit in graph.units():
        for extra in graph.functions(unit=unit.name)[1:]:
            yield Violation.of("one-function-per-unit", f"unit {unit.name} ships a second function, {extra.name}", extra)
