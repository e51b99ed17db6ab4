"""Values read at deploy time, left as text inside an edge end, turned into the references they are.

``${cf:stack.Output}`` and ``${ssm:/name}`` are the Serverless Framework's
spelling of a value read from another stack's output or from SSM, and the one
the pipeline readers give a parameter whose value a deploy script reads with
``aws cloudformation describe-stacks`` or ``aws ssm get-parameter``. Where
such text reaches an edge end as a name or an ARN (inside serverless
``resources:``, or through a template parameter's ``!Ref``), this pass gives
the end its real meaning before the linker sees it.
"""

from __future__ import annotations

import dataclasses
import re

from ..model import Endpoint, ForeignRef, LoadedUnit

__all__ = ["resolve_textual_references", "serverless_reference"]

_CF = re.compile(r"\$\{cf(?:\(([^)]*)\))?:([^.}\s]+)\.([^}\s]+)\}")
_SSM = re.compile(r"\$\{ssm(?:\(([^)]*)\))?:([^},\s]+)\}")


def serverless_reference(text: str, kind_hint: str = "other") -> ForeignRef | None:
    """A whole ``${cf:stack.Output}`` or ``${ssm:/name}`` left as text (e.g. inside ``resources:``).

    >>> serverless_reference("${cf(eu-west-1):orders-dev.QueueArn}")
    ForeignRef(how='stack_output', key='orders-dev/QueueArn', kind_hint='other', region='eu-west-1')
    """
    match = _CF.fullmatch(text.strip())
    if match:
        return ForeignRef("stack_output", f"{match.group(2)}/{match.group(3)}", kind_hint, match.group(1) or None)
    match = _SSM.fullmatch(text.strip())
    if match:
        return ForeignRef("ssm", match.group(2), kind_hint, match.group(1) or None)
    return None


def resolve_textual_references(unit: LoadedUnit) -> None:
    """Every edge end that is a name or ARN spelled as a serverless variable becomes that reference."""
    unit.edges = [
        dataclasses.replace(edge, source=_resolved(edge.source), target=_resolved(edge.target))
        if _textual(edge.source) or _textual(edge.target)
        else edge
        for edge in unit.edges
    ]


def _textual(end: Endpoint) -> bool:
    return isinstance(end, ForeignRef) and end.how in ("name", "arn") and "${" in end.key


def _resolved(end: Endpoint) -> Endpoint:
    if not _textual(end):
        return end
    assert isinstance(end, ForeignRef)
    return serverless_reference(end.key, end.kind_hint) or end
