"""Inventory's own rule: every unit is named by its stack, not only by its template's folder."""

from pathlib import PurePosixPath

import pytest_serverless_arch
from pytest_serverless_arch import Violation


@pytest_serverless_arch.rule("units-have-stack-names", description="every unit has a stack name")
def units_have_stack_names(graph):
    """A template without a stack name (samconfig.toml `stack_name`) is deployed under whatever name people type."""
    for unit in graph.units():
        # with no stack name, a template's unit takes its folder's name
        if unit.name == PurePosixPath(unit.path).parent.name:
            yield Violation.of(
                "units-have-stack-names",
                f"{unit.path} has no stack name; add a samconfig.toml with stack_name",
                unit,
            )
