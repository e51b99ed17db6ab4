"""``no-dangling-references``: every cross-unit reference has a provider in the repository.

An ``Fn::ImportValue`` of an export no unit declares fails the deploy with
"No export named X found"; a ``${cf:stack.Output}``, ``${ssm:/name}``, an
SSM-typed parameter, a Terraform ``terraform_remote_state`` output or
``aws_ssm_parameter`` data source, or a serverless-compose ``${service.Output}``
that names nothing fails the same way. One violation per dangling reference,
at its line, with the closest names some unit does provide.

Names provided from outside the repository are declared with
``serverless_arch_external`` globs (or the rule's ``allow=`` option); a name
that holds a value known only at deploy time and may or may not match a
provider is a note, never a violation (see :mod:`..references`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..references import describe_reference, judge_references
from ..view import GraphView
from .base import Violation, rule

__all__ = ["no_dangling_references"]

RULE_ID = "no-dangling-references"


@rule(
    RULE_ID,
    description="every cross-unit reference resolves to a unit of the repository or a declared external name",
    reason="A reference to an export, output or SSM parameter no unit provides fails the deploy "
    '("No export named X found"); single-template linters cannot see it, the whole repository can.',
    builtin=True,
    reads="neighbourhood",
)
def no_dangling_references(graph: GraphView, *, allow: Sequence[str] = ()) -> list[Violation]:
    """Every import, stack output, SSM read and compose param names something a unit provides.

    ``allow`` adds globs of names provided from outside the repository to
    ``serverless_arch_external``.
    """
    if isinstance(allow, str):
        allow = [allow]
    violations = []
    for verdict in judge_references(graph, allow):
        if verdict.status != "dangling":
            continue
        reference = verdict.reference
        hint = ""
        if verdict.candidates:
            hint = "; did you mean " + " or ".join(f"`{name}`" for name in verdict.candidates) + "?"
        violations.append(
            Violation(
                RULE_ID,
                f"{describe_reference(reference)} in unit {reference.unit} is provided by no unit: {reference.reason}{hint}",
                reference.location,
                (reference.unit,),
                _resources(reference.source, f"external:{reference.how}:{reference.name}"),
            )
        )
    return violations


def _resources(*nodes: str) -> tuple[str, ...]:
    """The resources a finding involves (a suppression on the consumer silences it); unit nodes are not resources."""
    return tuple(node for node in nodes if node and not node.startswith("unit:"))
