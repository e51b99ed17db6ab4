"""One expansion budget per unit, shared by every resolver that can multiply its input.

Serverless variables, ``${file()}`` chains, Terraform ``locals`` and nested
stacks can each refer to the same thing twice, and that twice again: 40
levels of doubling is 2^40 nodes from a file of 40 lines. Resolvers memoise,
so the work of resolving stays linear; what they *produce* is charged here.
Each use of a resolved value charges its expanded size (a mapping, list or
scalar is one node; a string is one node per :data:`CHARACTERS_PER_NODE`
characters). When a unit's budget runs out the resolver leaves that value
unresolved and reports one load error at the line where it ran out.

>>> budget = ExpansionBudget(limit=10)
>>> budget.spend(expanded_size(["a", "b", ["c"]]), path="t.yaml", line=3)
True
>>> budget.spend(expanded_size({"k": list(range(20))}), path="t.yaml", line=4)
False
>>> budget.exhausted_at
('t.yaml', 4)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CHARACTERS_PER_NODE", "DEFAULT_LIMIT", "ExpansionBudget", "expanded_size"]

# Far above any real unit (the largest of 2,615 corpus templates is 4,453 nodes), and low
# enough that building every node it allows (nested stacks are read node by node) takes seconds.
DEFAULT_LIMIT = 200_000
CHARACTERS_PER_NODE = 16


def expanded_size(value: Any, sizes: dict[int, int] | None = None) -> int:
    """How many nodes ``value`` is once every shared part is counted each time it is used.

    Linear in the distinct nodes (``sizes`` memoises by identity), however
    large the expansion; a string counts one node per
    :data:`CHARACTERS_PER_NODE` characters.
    """
    memo = {} if sizes is None else sizes
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, (Mapping, list)):
            continue
        key = id(node)
        if done:
            children = node.values() if isinstance(node, Mapping) else node
            memo[key] = 1 + sum(_leaf_or_known(child, memo) for child in children)
            continue
        if key in memo:
            continue
        memo[key] = 1  # provisional: a cycle counts once
        stack.append((node, True))
        children = node.values() if isinstance(node, Mapping) else node
        stack.extend((child, False) for child in children if isinstance(child, (Mapping, list)))
    return _leaf_or_known(value, memo)


def _leaf_or_known(value: Any, memo: dict[int, int]) -> int:
    if isinstance(value, (Mapping, list)):
        return memo.get(id(value), 1)
    if isinstance(value, str):
        return 1 + len(value) // CHARACTERS_PER_NODE
    return 1


class ExpansionBudget:
    """The nodes resolution may still produce for one unit (see the module docstring)."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self.used = 0
        self.exhausted_at: tuple[str, int] | None = None  # where it first ran out: (path, line)

    def spend(self, nodes: int, *, path: str, line: int) -> bool:
        """Charge ``nodes``; False (and nothing charged) when that would pass the limit."""
        if self.used + nodes > self.limit:
            if self.exhausted_at is None:
                self.exhausted_at = (path, line)
            return False
        self.used += nodes
        return True

    @property
    def exhausted(self) -> bool:
        return self.exhausted_at is not None

    def message(self, what: str, outcome: str = "what was left is kept unresolved") -> str:
        """The load error for a unit whose ``what`` (variables, locals, nested stacks) ran out of budget."""
        return (
            f"{what} expand beyond the expansion budget of {self.limit:,} nodes for one unit "
            f"(each reference counts the whole size of what it names: an exponential expansion?); {outcome}"
        )
