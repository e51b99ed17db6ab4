"""Payments' own rule: every SSM parameter lives under the /payments/ namespace."""

import pytest_serverless_arch
from pytest_serverless_arch.rules import Violation


@pytest_serverless_arch.rule("ssm-parameters-are-namespaced", description="SSM parameters are named /payments/...")
def ssm_parameters_are_namespaced(graph, prefix="/payments/"):
    """Parameter Store is shared by every team in the account; a namespace keeps ours apart."""
    for parameter in graph.resources(kind="parameter"):
        if not (parameter.physical_name or "").startswith(prefix):
            yield Violation(
                rule="ssm-parameters-are-namespaced",
                message=f"parameter {parameter.physical_name or parameter.name} is not under {prefix}",
                location=parameter.location,
                units=(parameter.unit,),
                resources=(parameter.id,),
            )
