"""Values read at deploy time, left as text inside an edge end, turned into the references they are.

``${cf:stack.Output}`` and ``${ssm:/name}`` are the Serverless Framework's
spelling of a value read from another stack's output or from SSM, and the one
the pipeline readers give a parameter whose value a deploy script reads with
``aws cloudformation describe-stacks`` or ``aws ssm get-parameter``. Where
such text reaches an edge end as a name or an ARN (inside serverless
``resources:``, or through a template parameter's ``!Ref``), this pass gives
the end its real meaning before the linker sees it.

A value the Serverless Framework resolves to such a placeholder is kept as a
:class:`VariableText`: its text as written, carrying the references it names,
so any reader (an IAM statement's ``Resource``, an environment variable) can
ask :func:`foreign_refs_in` what another unit it names.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from ..model import Endpoint, ForeignRef, LoadedUnit

__all__ = ["VariableText", "foreign_refs_in", "resolve_textual_references", "serverless_reference"]

_CF = re.compile(r"\$\{cf(?:\(([^)]*)\))?:([^.}\s]+)\.([^}\s]+)\}")
_SSM = re.compile(r"\$\{ssm(?:\(([^)]*)\))?:([^},\s]+)\}")


class VariableText(str):
    """A string that came out of variable resolution and must not be resolved again.

    ``refs`` are the foreign things (``${cf:..}``, ``${ssm:..}``) it names;
    ``unresolved`` says the text still holds a variable we could not resolve.

    >>> text = VariableText("${cf:orders-dev.TableArn}", (ForeignRef("stack_output", "orders-dev/TableArn"),))
    >>> foreign_refs_in({"Resource": [text, "*"]})
    (ForeignRef(how='stack_output', key='orders-dev/TableArn', kind_hint='other', region=None),)
    """

    refs: tuple[ForeignRef, ...]
    unresolved: bool

    def __new__(cls, text: str, refs: tuple[ForeignRef, ...] = (), unresolved: bool = False) -> VariableText:
        made = super().__new__(cls, text)
        made.refs = refs
        made.unresolved = unresolved
        return made


def foreign_refs_in(value: Any) -> tuple[ForeignRef, ...]:
    """Placeholders (``${cf:..}``, ``${ssm:..}``, ``${s3:..}``) named by a resolved value."""
    found: list[ForeignRef] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, VariableText):
            found.extend(ref for ref in node.refs if ref not in found)
        elif isinstance(node, Mapping):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return tuple(found)


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
        # most ends are logical ids: asked here before a call (a 19 MB template has 220,000 edges)
        if (isinstance(edge.source, ForeignRef) and _textual(edge.source))
        or (isinstance(edge.target, ForeignRef) and _textual(edge.target))
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
