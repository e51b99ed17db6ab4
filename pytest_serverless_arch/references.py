"""What each unresolved cross-unit reference is: dangling, undecidable, or provided from outside.

The linker records every cross-unit reference no unit provides
(:meth:`DeploymentGraph.unresolved_references`). Here each one is judged:

- ``external``: its name matches a glob of names provided from outside the
  repository (``serverless_arch_external``, or parameters AWS itself publishes
  under ``/aws/service/``);
- ``undecidable``: its name holds a value known only at deploy time
  (``${Env}-orders-arn``) that could turn it into a name some unit provides
  (``dev-orders-arn``), or a provider's name holds one that could match it;
- ``dangling``: nothing in the repository can provide it, whatever the
  deploy-time values are. The closest provided names are kept as suggestions.

>>> from pytest_serverless_arch import load
>>> graph = load("sample_repos/monolith-online-shop")  # doctest: +SKIP
>>> [verdict.status for verdict in judge_references(graph)]  # doctest: +SKIP
[]
"""

from __future__ import annotations

import difflib
import functools
import heapq
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

from .graph import DeploymentGraph, UnresolvedReference
from .model import Note

__all__ = [
    "AWS_PROVIDED",
    "PROVIDER_KIND",
    "ReferenceVerdict",
    "allowed_by",
    "closest_names",
    "describe_reference",
    "judge_references",
    "symbolic_matches",
    "undecidable_notes",
]

# Public SSM parameters AWS itself writes (latest AMIs, regions, services): never dangling.
AWS_PROVIDED: tuple[str, ...] = ("/aws/service/*", "/aws/reference/*", "aws/service/*", "aws/reference/*")

# What kind of provided name answers each kind of reference.
PROVIDER_KIND = {
    "import": "export",
    "ssm": "ssm_parameter",
    "stack_output": "output",
    "compose_param": "output",
    "remote_state": "output",
}

_SYMBOL = re.compile(r"\$\{[^}]*\}")

Status = Literal["dangling", "undecidable", "external"]


@dataclass(frozen=True)
class ReferenceVerdict:
    """One unresolved reference and what it is; ``candidates`` are suggestions or possible matches."""

    reference: UnresolvedReference
    status: Status
    candidates: tuple[str, ...] = ()
    allowed_by: str | None = None  # the glob that declares it external


def allowed_by(reference: UnresolvedReference, globs: Iterable[str]) -> str | None:
    """The first glob that declares ``reference`` provided from outside, if one.

    An output reference (``stack/Output``) also matches by its stack name alone
    and by ``stack.Output``, the way ``${cf:}`` writes it.

    >>> from pytest_serverless_arch.model import Location
    >>> ref = UnresolvedReference("stack_output", "core-network-dev/VpcId", "app", Location("s.yml", 3), "stack_output", "")
    >>> allowed_by(ref, ["core-network-*"])
    'core-network-*'
    """
    names = [reference.name]
    if PROVIDER_KIND.get(reference.how) == "output":
        stack, _, output = reference.name.rpartition("/")
        names += [stack, f"{stack}.{output}"]
    for glob in globs:
        if any(fnmatchcase(name, glob) for name in names):
            return glob
    return None


def symbolic_matches(name: str, provided: Iterable[str]) -> list[str]:
    """Provided names that ``name`` could be once deploy-time values (``${..}``) are known, or vice versa.

    >>> symbolic_matches("${Env}-orders-arn", ["dev-orders-arn", "dev-users-arn"])
    ['dev-orders-arn']
    >>> symbolic_matches("dev-orders-arn", ["${Stage}-orders-arn"])
    ['${Stage}-orders-arn']
    """
    pattern = _pattern(name)
    found = []
    for candidate in provided:
        candidate_pattern = _pattern(candidate)
        if (pattern is not None and pattern.fullmatch(candidate)) or (
            candidate_pattern is not None and candidate_pattern.fullmatch(name)
        ):
            found.append(candidate)
    return sorted(set(found))


def _pattern(name: str) -> re.Pattern[str] | None:
    if not _SYMBOL.search(name):
        return None
    pieces = _SYMBOL.split(name)
    return re.compile(".+".join(re.escape(piece) for piece in pieces), re.DOTALL)


def closest_names(name: str, provided: Sequence[str], limit: int = 3) -> list[str]:
    """The provided names closest to ``name`` (a typo, most likely), best first.

    >>> closest_names("orders-dev-OrderTableArn", ["orders-dev-OrdersTableArn", "billing-prod-InvoiceQueueUrl"])
    ['orders-dev-OrdersTableArn']
    """
    return list(_closest(name, tuple(provided), limit))


@functools.lru_cache(maxsize=256)
def _closest(name: str, provided: tuple[str, ...], limit: int) -> tuple[str, ...]:
    # the report and the rule judge the same references against the same names: compare them once
    return tuple(close_matches(name, provided, limit, 0.6))


def close_matches(word: str, possibilities: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """``difflib.get_close_matches(word, possibilities, n, cutoff)``, the same list, with its first filters cheaper.

    difflib tries each candidate against two upper bounds of its similarity before
    computing it: one from the lengths, then ``quick_ratio``, which counts the
    characters both strings share in a Python loop over every character (two thirds
    of a dangling reference's suggestions against a thousand names). Here the shared
    characters are counted with ``str.count`` of each distinct character of ``word``, and
    the count is given up once what is left of ``word`` cannot lift it to the cutoff: the
    same count where it decides, so the same candidates kept and the same ratios.

    >>> close_matches("appel", ["ape", "apple", "peach", "puppy"])
    ['apple', 'ape']
    """
    if not n > 0:
        raise ValueError(f"n must be > 0: {n!r}")
    if not 0.0 <= cutoff <= 1.0:
        raise ValueError(f"cutoff must be in [0.0, 1.0]: {cutoff!r}")
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    # a reference's name has a few dozen distinct characters; the most repeated first (see the count below)
    wanted = sorted(Counter(word).items(), key=lambda item: -item[1])
    size = len(word)
    scored: list[tuple[float, str]] = []
    for candidate in possibilities:
        length = len(candidate) + size
        # difflib's ratios are 2.0 * matches / length (1.0 for two empty strings), compared with the cutoff
        if length and 2.0 * min(len(candidate), size) / length < cutoff:  # real_quick_ratio
            continue
        # quick_ratio's count of shared characters, given up as soon as what is left of the word cannot lift
        # it to the cutoff (nearly every candidate: the word's most repeated characters are counted first)
        shared = 0
        left = size
        for char, available in wanted:
            left -= available
            count = candidate.count(char)
            if count >= available:
                shared += available
                continue
            shared += count
            if length and 2.0 * (shared + left) / length < cutoff:
                break
        else:
            if not (length and 2.0 * shared / length < cutoff):  # quick_ratio
                matcher.set_seq1(candidate)
                score = matcher.ratio()
                if score >= cutoff:
                    scored.append((score, candidate))
    return [candidate for _, candidate in heapq.nlargest(n, scored)]


@dataclass(frozen=True)
class _ProvidedOfKind:
    """The names one kind of provider gives, sorted, with each symbolic name's pattern made once."""

    names: tuple[str, ...]
    patterns: tuple[re.Pattern[str] | None, ...]
    plain: tuple[str, ...]  # the names without ``${..}``: the ones a typo can be measured against

    @classmethod
    def of(cls, names: Iterable[str]) -> _ProvidedOfKind:
        ordered = tuple(sorted(set(names)))
        patterns = tuple(_pattern(name) for name in ordered)
        return cls(ordered, patterns, tuple(name for name, pattern in zip(ordered, patterns, strict=True) if pattern is None))

    def symbolic_matches(self, name: str) -> list[str]:
        """:func:`symbolic_matches` of ``name`` against these names (already sorted and unique)."""
        pattern = _pattern(name)
        return [
            candidate
            for candidate, candidate_pattern in zip(self.names, self.patterns, strict=True)
            if (pattern is not None and pattern.fullmatch(candidate))
            or (candidate_pattern is not None and candidate_pattern.fullmatch(name))
        ]


def judge_references(graph: Any, allow: Iterable[str] = (), *, suggest: bool = True) -> list[ReferenceVerdict]:
    """A verdict for every unresolved reference of ``graph`` (a graph or a scoped view), in file order.

    ``allow`` adds globs to the graph's own ``external_names``; ``suggest=False``
    leaves out the closest names of a dangling reference (the costly part).
    """
    whole: DeploymentGraph = getattr(graph, "graph", graph)
    selects = getattr(graph, "selects_unit", None)
    globs = (*whole.external_names, *allow, *AWS_PROVIDED)
    by_kind: dict[str, list[str]] = {}
    for provided in whole.provided_names():
        by_kind.setdefault(provided.kind, []).append(provided.name)
    of_kind: dict[str, _ProvidedOfKind] = {}
    verdicts = []
    for reference in whole.unresolved_references():
        if selects is not None and not selects(reference.unit):
            continue
        glob = allowed_by(reference, globs)
        if glob is not None:
            verdicts.append(ReferenceVerdict(reference, "external", allowed_by=glob))
            continue
        kind = PROVIDER_KIND.get(reference.how, "")
        if kind not in of_kind:
            of_kind[kind] = _ProvidedOfKind.of(by_kind.get(kind, ()))
        names = of_kind[kind]
        possible = names.symbolic_matches(reference.name)
        if possible:
            verdicts.append(ReferenceVerdict(reference, "undecidable", tuple(possible)))
            continue
        suggestions = _closest(reference.name, names.plain, 3) if suggest else ()
        verdicts.append(ReferenceVerdict(reference, "dangling", suggestions))
    return verdicts


def undecidable_notes(graph: DeploymentGraph) -> list[Note]:
    """A note for each reference that may or may not resolve, depending on deploy-time values."""
    notes = []
    for verdict in judge_references(graph, suggest=False):
        if verdict.status != "undecidable":
            continue
        reference = verdict.reference
        shown = ", ".join(repr(name) for name in verdict.candidates[:3])
        more = f" (+{len(verdict.candidates) - 3} more)" if len(verdict.candidates) > 3 else ""
        notes.append(
            Note(
                reference.location,
                f"{describe_reference(reference)} may resolve to {shown}{more} depending on values known only at deploy time; "
                "not checked",
            )
        )
    return notes


def describe_reference(reference: UnresolvedReference) -> str:
    """The reference in words: ``import of 'x'``, ``SSM parameter '/a/b'``, ``output 'O' of stack 's'``."""
    if reference.how == "import":
        return f"import of {reference.name!r}"
    if reference.how == "ssm":
        return f"SSM parameter {reference.name!r}"
    stack, _, output = reference.name.rpartition("/")
    return f"output {output!r} of stack {stack!r}"
