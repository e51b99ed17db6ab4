"""``no-breaking-removals``: a change removes nothing another unit still reads, and says when it needs ordered deploys.

Compared with the repository at a git ref (``--arch-changed-since=REF``, see
:mod:`..changes`):

- every name a unit provided at ``REF`` (an export, an SSM parameter it
  writes, a stack or compose output) that is gone or renamed at the head
  while a unit at the head still reads it fails ("Export X cannot be deleted
  as it is in use by Y"), naming the line that provided it at ``REF`` and the
  line that reads it now;
- a unit that starts reading a name another unit starts providing in the
  same change fails too: the two units must go out in two deploys, provider
  first (connascence of timing, made explicit), which one merge cannot promise.

Removing a name together with its last reader passes.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..graph import DeploymentGraph, NameUse, ProvidedName
from ..references import PROVIDER_KIND, describe_reference, judge_references
from .base import RuleError, Violation, rule

__all__ = ["breaking_removals", "no_breaking_removals"]

RULE_ID = "no-breaking-removals"

_WHAT = {"export": "export", "ssm_parameter": "SSM parameter", "output": "output"}


@rule(
    RULE_ID,
    description="a change removes no export, output or SSM parameter another unit still reads",
    reason="CloudFormation refuses to delete an export in use, and a deleted output or parameter breaks the "
    "next deploy of every unit reading it; a reader and its new provider changed together need two ordered deploys.",
    builtin=True,
    reads="neighbourhood",
)
def no_breaking_removals(graph: Any) -> list[Violation]:
    """Nothing provided at the ref and still read is gone; no new reader depends on a provider new in the same change.

    The ref is the one the run was given (``--arch-changed-since`` /
    ``serverless_arch_changed_since``), kept in ``graph.changes``; in Python,
    set ``graph.changes = changes.changes_since(graph, "origin/main")`` first.
    """
    whole: DeploymentGraph = getattr(graph, "graph", graph)
    changes = whole.changes
    if changes is None:
        raise RuleError(
            f"{RULE_ID} compares the repository with a git ref: pass --arch-changed-since=REF, set "
            "serverless_arch_changed_since, or set graph.changes = changes_since(graph, REF)"
        )
    selects = getattr(graph, "selects_unit", None)
    found = breaking_removals(changes.before, whole, ref=changes.ref)
    return [v for v in found if selects is None or any(selects(unit) for unit in v.units)]


class NamesAtRef(Protocol):
    """What the rule reads of the repository at the ref: a graph, or the smaller ``changes.GraphAtRef`` kept by commit."""

    def provided_names(self) -> list[ProvidedName]: ...

    def name_uses(self) -> list[NameUse]: ...


def breaking_removals(before: NamesAtRef, after: DeploymentGraph, *, ref: str = "REF") -> list[Violation]:
    """The findings of ``no-breaking-removals`` between two graphs of one repository, ``before`` at ``ref``.

    >>> from pytest_serverless_arch.graph import DeploymentGraph
    >>> breaking_removals(DeploymentGraph(), DeploymentGraph())
    []
    """
    provided_before = _by_key(before.provided_names())
    provided_after = _by_key(after.provided_names())
    violations = []
    for verdict in judge_references(after):
        reference = verdict.reference
        key = (PROVIDER_KIND.get(reference.how, ""), reference.name)
        gone = provided_before.get(key)
        if verdict.status == "external" or gone is None or key in provided_after:
            continue
        renamed = _renamed(gone, provided_before, provided_after)
        what = f"{_WHAT[gone.kind]} {gone.name!r}"
        violations.append(
            Violation(
                RULE_ID,
                f"{what} of unit {gone.unit} (at {gone.location} in {ref}) is "
                + (f"renamed to {renamed!r}" if renamed else "gone")
                + f", but unit {reference.unit} still reads it ({describe_reference(reference)} at {reference.location})",
                reference.location,
                tuple(dict.fromkeys((reference.unit, gone.unit))),
                tuple(n for n in (reference.source, f"external:{reference.how}:{reference.name}") if not n.startswith("unit:")),
            )
        )
    uses_before = {(use.unit, use.how, use.name) for use in before.name_uses()}
    for use in after.name_uses():
        key = (PROVIDER_KIND.get(use.how, ""), use.name)
        provider = provided_after.get(key)
        if (
            use.provider is None
            or use.provider == use.unit
            or provider is None
            or key in provided_before
            or (use.unit, use.how, use.name) in uses_before
        ):
            continue
        violations.append(
            Violation(
                RULE_ID,
                f"unit {use.unit} starts reading {_WHAT[provider.kind]} {use.name!r}, which unit {provider.unit} "
                f"only starts providing in this change (at {provider.location}): deploy {provider.unit} first, "
                f"then {use.unit} (two deploys, in this order)",
                use.location,
                (use.unit, provider.unit),
                (provider.node,) if not provider.node.startswith("unit:") else (),
            )
        )
    return sorted(violations, key=lambda violation: (violation.location, violation.message))


def _by_key(provided: list[ProvidedName]) -> dict[tuple[str, str], ProvidedName]:
    found: dict[tuple[str, str], ProvidedName] = {}
    for name in provided:
        found.setdefault((name.kind, name.name), name)
    return found


def _renamed(
    gone: ProvidedName,
    before: dict[tuple[str, str], ProvidedName],
    after: dict[tuple[str, str], ProvidedName],
) -> str | None:
    """The new name of ``gone``: same kind, same unit and same resource, a name it did not have at the ref."""
    for (kind, name), provided in sorted(after.items()):
        if kind == gone.kind and provided.unit == gone.unit and provided.node == gone.node and (kind, name) not in before:
            return name
    return None
