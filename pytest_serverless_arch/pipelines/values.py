"""Shell and CI values as far as they can be known offline.

A :class:`Value` is the text a word expands to. Anything that only exists
when the pipeline runs (a secret, a matrix value, an unset variable, the
output of a command) stays in the text symbolically and makes the value
unresolved; a value read from another stack's output or an SSM parameter
carries that :class:`~.model.DeployTimeRef`.

CI expressions (``${{ secrets.X }}``, ``${{ env.Y }}``) are not shell: the
CI readers replace each with a placeholder token before the shell grammar
sees the script (:func:`protect`), and expansion puts the value back.

Example::

    >>> text, tokens = protect("deploy ${{ secrets.KEY }}", lambda expr: Value("${{ " + expr + " }}", False))
    >>> restore(text, tokens)
    Value(text='deploy ${{ secrets.KEY }}', resolved=False, ref=None)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .model import DeployTimeRef
from .shell import Command, Lit, Scope, Sub, Var, Word

__all__ = ["Expanded", "Value", "expand", "protect", "restore", "restore_expanded"]

_CI_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)
_TOKEN = re.compile(r"__ci_expr_(\d+)__")


@dataclass(frozen=True)
class Value:
    text: str
    resolved: bool = True
    ref: DeployTimeRef | None = None


def protect(text: str, evaluate: Callable[[str], Value], tokens: dict[str, Value] | None = None) -> tuple[str, dict[str, Value]]:
    """Replace each ``${{ expr }}`` with a shell-safe token; ``evaluate`` gives each one's value."""
    table = tokens if tokens is not None else {}

    def swap(match: re.Match[str]) -> str:
        token = f"__ci_expr_{len(table)}__"
        table[token] = evaluate(match.group(1))
        # keep the line count: an expression written over several lines stays that long
        return token + "\n" * match.group(0).count("\n")

    return _CI_EXPRESSION.sub(swap, text), table


def restore(text: str, tokens: Mapping[str, Value]) -> Value:
    """Put the values of CI tokens back into literal text."""
    return Expanded(tuple(_restore_segments(text, tokens))).value


def restore_expanded(text: str, tokens: Mapping[str, Value]) -> Expanded:
    """Like :func:`restore`, keeping which parts came from which expression."""
    return Expanded(tuple(_restore_segments(text, tokens)))


def _restore_segments(text: str, tokens: Mapping[str, Value]) -> list[Value]:
    if "__ci_expr_" not in text:
        return [Value(text)]
    segments: list[Value] = []
    cursor = 0
    for match in _TOKEN.finditer(text):
        value = tokens.get(match.group(0))
        if value is None:
            continue
        segments.append(Value(text[cursor : match.start()]))
        segments.append(value)
        cursor = match.end()
    segments.append(Value(text[cursor:]))
    return segments


@dataclass(frozen=True)
class Expanded:
    """A word after expansion, as segments that remember which came from a variable or a read.

    Slicing keeps a segment's reference only when the slice holds all of it, so
    ``Queue=$QUEUE_ARN`` split at ``=`` gives a value that *is* the read.
    """

    segments: tuple[Value, ...]

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)

    @property
    def value(self) -> Value:
        resolved = all(segment.resolved for segment in self.segments)
        refs = [segment for segment in self.segments if segment.ref is not None]
        others = [segment for segment in self.segments if segment.ref is None and segment.text]
        ref = refs[0].ref if len(refs) == 1 and not others else None
        return Value(self.text, resolved, ref)

    def slice(self, start: int, end: int | None = None) -> Expanded:
        total = len(self.text)
        end = total if end is None else end
        out: list[Value] = []
        offset = 0
        for segment in self.segments:
            seg_start, seg_end = offset, offset + len(segment.text)
            offset = seg_end
            lo, hi = max(start, seg_start), min(end, seg_end)
            if lo > hi or (lo == hi and segment.text):
                continue
            whole = lo == seg_start and hi == seg_end
            out.append(Value(segment.text[lo - seg_start : hi - seg_start], segment.resolved, segment.ref if whole else None))
        return Expanded(tuple(out))

    @classmethod
    def of(cls, text: str) -> Expanded:
        return cls((Value(text),))


def expand(
    word: Word,
    env: Mapping[str, Value],
    tokens: Mapping[str, Value],
    substitute: Callable[[tuple[Command | Scope, ...], str], Value],
) -> Expanded:
    """What ``word`` expands to, given the variables known so far.

    ``substitute`` gives the value of a ``$(...)`` (a deploy-time read, or unknown).
    """
    segments: list[Value] = []
    for part in word.parts:
        if isinstance(part, Lit):
            segments.extend(_restore_segments(part.text, tokens))
        elif isinstance(part, Var):
            known = env.get(part.name)
            if known is None and part.default is not None:
                segments.extend(expand(part.default, env, tokens, substitute).segments)
            elif known is None:
                segments.append(Value("${" + part.name + "}", False))
            else:
                segments.append(known)
        elif isinstance(part, Sub):
            segments.append(substitute(part.commands, part.source))
        else:
            segments.append(Value(part.source, False))
    return Expanded(tuple(segments))
