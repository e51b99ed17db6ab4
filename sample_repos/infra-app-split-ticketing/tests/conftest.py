"""Ticketing's own rule: the application reaches the infrastructure only through published outputs."""

import pytest_serverless_arch
from pytest_serverless_arch import Violation

PUBLISHED = {"imports", "stack_output"}


@pytest_serverless_arch.rule(
    "links-use-published-outputs",
    description="units reach each other only through stack exports and outputs",
)
def links_use_published_outputs(graph):
    """Exports and outputs are a published contract; names and ARNs typed by hand are not."""
    for link in graph.cross_unit_links():
        if link.to_unit is not None and link.kind not in PUBLISHED:
            yield Violation.of(
                "links-use-published-outputs",
                f"{link.from_unit} reaches {link.target} through {link.kind}, not an export or output",
                link,
            )
