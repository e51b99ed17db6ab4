"""Contract verdicts as text: what ``python -m pytest_serverless_arch contracts`` prints.

>>> from pytest_serverless_arch.contracts import ForbiddenContract
>>> verdict = ContractVerdict(ForbiddenContract("a", source=("domain:x",), forbidden=("domain:y",)))
>>> print(render_verdicts([verdict]))
contract:a (forbidden) KEPT
    domain:x must not reach domain:y (directly; edges: links, triggers, accesses, invokes)
<BLANKLINE>
Contracts: 1 kept, 0 broken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..rules.base import Violation
from .model import Contract, ContractError

__all__ = ["ContractVerdict", "render_verdicts"]


@dataclass(frozen=True)
class ContractVerdict:
    """One contract's outcome: kept, broken (``failing``), or not checkable (``error``)."""

    contract: Contract | None
    failing: tuple[Violation, ...] = ()
    error: ContractError | None = None
    suppressed: int = 0
    baselined: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        if self.contract is not None:
            return self.contract.name
        return self.error.name or self.error.origin.table if self.error is not None else "?"

    @property
    def kept(self) -> bool:
        return self.error is None and not self.failing

    @property
    def status(self) -> str:
        if self.error is not None:
            return "ERROR"
        return "KEPT" if self.kept else "BROKEN"


def render_verdicts(verdicts: Iterable[ContractVerdict]) -> str:
    """Each contract's verdict, its sentence and every broken chain; a count line at the end."""
    lines: list[str] = []
    counts = {"KEPT": 0, "BROKEN": 0, "ERROR": 0}
    for verdict in verdicts:
        counts[verdict.status] += 1
        kind = f" ({verdict.contract.type})" if verdict.contract is not None else ""
        quiet = []
        if verdict.suppressed:
            quiet.append(f"{verdict.suppressed} suppressed")
        if verdict.baselined:
            quiet.append(f"{verdict.baselined} in the baseline")
        extra = f" [{', '.join(quiet)}]" if quiet else ""
        lines.append(f"contract:{verdict.name}{kind} {verdict.status}{extra}")
        if verdict.contract is not None:
            lines.append(f"    {verdict.contract.describe()}")
        if verdict.error is not None:
            lines.append(f"    configuration error: {verdict.error}")
        for violation in verdict.failing:
            lines.append(f"    {violation.location}: {violation.message}")
    summary = f"Contracts: {counts['KEPT']} kept, {counts['BROKEN']} broken."
    if counts["ERROR"]:
        summary = summary[:-1] + f", {counts['ERROR']} not checked (configuration errors)."
    return "\n".join([*lines, "", summary])
