"""Payments' own rule: every SSM parameter lives under the /payments/ namespace."""

import pytest_serverless_arch
from pytest_serverless_arch import Violation


@pytest_serverless_arch.rule("ssm-parameters-are-namespaced", description="SSM parameters are named /payments/...")
def ssm_parameters_are_namespaced(graph, prefix="/payments/"):
    """Parameter Store is shared by every team in the account; a namespace keeps ours apart."""
    for parameter in graph.resources(kind="parameter"):
        name = parameter.physical_name or parameter.name
        if not name.startswith(prefix):
            yield Violation.of("ssm-parameters-are-namespaced", f"parameter {name} is not under {prefix}", parameter)
