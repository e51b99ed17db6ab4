"""The podcast platform's own rule: the application finds the infrastructure only through SSM parameters."""

import pytest_serverless_arch
from pytest_serverless_arch import Violation


@pytest_serverless_arch.rule(
    "links-go-through-ssm",
    description="the application reaches the Terraform infrastructure only through its SSM parameters",
)
def links_go_through_ssm(graph):
    """SSM parameters are the published contract of the infrastructure; hand-typed names and ARNs are not."""
    terraform_units = {unit.name for unit in graph.units() if unit.format == "terraform"}
    for link in graph.cross_unit_links():
        if link.to_unit in terraform_units and link.kind != "ssm_parameter":
            yield Violation.of(
                "links-go-through-ssm",
                f"{link.from_unit} reaches {link.target} through {link.kind}, not an SSM parameter",
                link,
            )
