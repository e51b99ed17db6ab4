"""The baseline: a file of accepted violations, so a legacy repository can adopt the gate.

Entries are matched by rule, units and resources, never by line or message,
so unrelated edits do not churn the file. Matching counts: two identical
findings need two entries.

>>> from pytest_serverless_arch.rules.base import Violation
>>> from pytest_serverless_arch.model import Location
>>> found = Violation("no-unit-cycles", "a -> b -> a", Location("a.yaml", 3), units=("a", "b"))
>>> baseline = Baseline.from_violations([found])
>>> baseline.split([found]).baselined == [found]
True
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .rules.base import Violation

__all__ = ["Baseline", "BaselineEntry", "BaselineError", "BaselineSplit", "entry_of"]

FORMAT_VERSION = 1


class BaselineError(ValueError):
    """A baseline file that cannot be read."""


@dataclass(frozen=True, order=True)
class BaselineEntry:
    """What identifies a finding across edits: its rule, units and resources (sorted)."""

    rule: str
    units: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()

    def __str__(self) -> str:
        involved = ", ".join(self.resources or self.units) or "(no units)"
        return f"{self.rule}: {involved}"


def entry_of(violation: Violation) -> BaselineEntry:
    return BaselineEntry(violation.rule, tuple(sorted(set(violation.units))), tuple(sorted(set(violation.resources))))


@dataclass
class BaselineSplit:
    """Findings of one rule run, split against the baseline."""

    new: list[Violation] = field(default_factory=list)
    baselined: list[Violation] = field(default_factory=list)
    fixed: list[BaselineEntry] = field(default_factory=list)  # entries of the rules run that nothing matched


@dataclass
class Baseline:
    """Accepted findings, each entry with how many times it may occur."""

    entries: Counter[BaselineEntry] = field(default_factory=Counter)
    # A human-readable sample of each entry (message and location when written), kept for review.
    notes: dict[BaselineEntry, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_violations(cls, violations: Iterable[Violation]) -> Baseline:
        baseline = cls()
        for violation in violations:
            entry = entry_of(violation)
            baseline.entries[entry] += 1
            baseline.notes.setdefault(entry, {"message": violation.message, "location": str(violation.location)})
        return baseline

    @classmethod
    def read(cls, path: Path) -> Baseline:
        """The baseline in ``path``; an empty one when the file does not exist."""
        if not path.exists():
            return cls()
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BaselineError(f"{path}: cannot read the baseline: {exc}") from None
        items = document.get("violations") if isinstance(document, Mapping) else None
        if not isinstance(items, list):
            raise BaselineError(f"{path}: a baseline is a JSON object with a 'violations' list")
        baseline = cls()
        for index, item in enumerate(items):
            if not isinstance(item, Mapping) or not isinstance(item.get("rule"), str):
                raise BaselineError(f"{path}: violations[{index}] has no 'rule'")
            entry = BaselineEntry(
                item["rule"],
                tuple(sorted(map(str, item.get("units") or ()))),
                tuple(sorted(map(str, item.get("resources") or ()))),
            )
            count = item.get("count", 1)
            baseline.entries[entry] += count if isinstance(count, int) and count > 0 else 1
            baseline.notes.setdefault(entry, {key: item[key] for key in ("message", "location") if key in item})
        return baseline

    def write(self, path: Path) -> None:
        """Write the file sorted by rule and resources, so diffs stay small."""
        items = []
        for entry in sorted(self.entries):
            item: dict[str, Any] = {"rule": entry.rule, "units": list(entry.units), "resources": list(entry.resources)}
            if self.entries[entry] > 1:
                item["count"] = self.entries[entry]
            item.update(self.notes.get(entry, {}))
            items.append(item)
        document = {
            "version": FORMAT_VERSION,
            "comment": "Accepted pytest-serverless-arch findings; regenerate with pytest --arch-update-baseline",
            "violations": items,
        }
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")

    def __len__(self) -> int:
        return sum(self.entries.values())

    def rules(self) -> set[str]:
        return {entry.rule for entry in self.entries}

    def split(self, violations: Iterable[Violation], rules_run: Iterable[str] = ()) -> BaselineSplit:
        """Separate new findings from accepted ones; ``fixed`` lists unmatched entries of ``rules_run``."""
        remaining = Counter(self.entries)
        split = BaselineSplit()
        for violation in violations:
            entry = entry_of(violation)
            if remaining[entry] > 0:
                remaining[entry] -= 1
                split.baselined.append(violation)
            else:
                split.new.append(violation)
        ran = set(rules_run)
        for entry in sorted(remaining):
            if entry.rule in ran:
                split.fixed.extend([entry] * remaining[entry])
        return split

    def updated(self, fresh: Baseline, rules_run: Iterable[str]) -> Baseline:
        """This baseline with the entries of every rule in ``rules_run`` replaced by ``fresh``."""
        ran = set(rules_run)
        result = Baseline()
        for entry, count in self.entries.items():
            if entry.rule not in ran:
                result.entries[entry] = count
                if entry in self.notes:
                    result.notes[entry] = self.notes[entry]
        for entry, count in fresh.entries.items():
            result.entries[entry] += count
            if entry in fresh.notes:
                result.notes[entry] = fresh.notes[entry]
        return result
