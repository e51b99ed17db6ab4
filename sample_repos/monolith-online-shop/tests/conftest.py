"""The shop's own architecture rules, collected as test items beside the built-in ones."""

import pytest_serverless_arch
from pytest_serverless_arch import Violation


@pytest_serverless_arch.rule("every-queue-has-a-consumer", description="every queue triggers at least one function")
def every_queue_has_a_consumer(graph):
    """A queue nobody reads fills up silently: each queue must trigger a function."""
    for queue in graph.resources(kind="queue"):
        if not graph.edges_from(queue.id, "triggers"):
            yield Violation.of("every-queue-has-a-consumer", f"queue {queue.name} triggers no function", queue)


@pytest_serverless_arch.rule("small-units", description="no unit holds more than max_functions functions")
def small_units(graph, max_functions=3):
    """Big units redeploy many functions for every change."""
    for unit in graph.units():
        functions = graph.functions(unit=unit.name)
        if len(functions) > max_functions:
            yield Violation.of(
                "small-units",
                f"unit {unit.name} holds {len(functions)} functions (at most {max_functions})",
                unit,
                *functions,
            )
