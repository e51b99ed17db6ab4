"""The baseline: a file of accepted violations, so a legacy repository can adopt the gate.

Entries are matched by a finding's stage-independent identity (rule, unit
paths, resource logical ids; see :mod:`.identity`), never by line, message or
stage, so unrelated edits do not churn the file and a baseline written under
one stage holds under another. Matching counts: two identical findings need
two entries. A count finding (``max-cross-unit-links``: 17 links) stores
its number; it is new again when the number grows.

>>> from pytest_serverless_arch.rules.base import Violation
>>> from pytest_serverless_arch.model import Location
>>> found = Violation("no-unit-cycles", "a -> b -> a", Location("a.yaml", 3), units=("a", "b"))
>>> baseline = Baseline.from_violations([found])
>>> baseline.split([found]).baselined == [found]
True
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .identity import FindingIdentity, finding_identity, unit_identities
from .model import Location
from .rules.base import Violation

__all__ = ["Baseline", "BaselineEntry", "BaselineError", "BaselineSplit", "entry_of"]

FORMAT_VERSION = 2  # 1: units and resources by name; 2: by stage-independent identity
MAX_BASELINE_BYTES = 20 * 1024 * 1024
MAX_COUNT = 100_000  # more identical findings than this is no baseline anyone reviewed
MAX_MEASURED = 10**9
_NOWHERE = Location("<baseline>")

BaselineEntry = FindingIdentity
"""What identifies a finding across edits and stages (an alias kept for the baseline's readers)."""


class BaselineError(ValueError):
    """A baseline file that cannot be read (a usage error: it names the key and the fix)."""


def entry_of(violation: Violation, graph: Any = None) -> BaselineEntry:
    """The baseline entry ``violation`` matches (by identity in ``graph``; by names without one)."""
    return finding_identity(violation, graph)


@dataclass
class BaselineSplit:
    """Findings of one rule run, split against the baseline."""

    new: list[Violation] = field(default_factory=list)
    baselined: list[Violation] = field(default_factory=list)
    fixed: list[BaselineEntry] = field(default_factory=list)  # entries of the rules run that nothing matched
    shrunk: list[tuple[BaselineEntry, int, int]] = field(default_factory=list)  # (entry, accepted, now)


@dataclass
class Baseline:
    """Accepted findings, each entry with how many times it may occur."""

    entries: Counter[BaselineEntry] = field(default_factory=Counter)
    # A human-readable sample of each entry (message and location when written), kept for review.
    notes: dict[BaselineEntry, dict[str, Any]] = field(default_factory=dict)
    measured: dict[BaselineEntry, int] = field(default_factory=dict)  # count findings: the accepted number
    by_names: bool = False  # a version 1 file: units and resources named as the stage named them

    @classmethod
    def from_violations(cls, violations: Iterable[Violation], graph: Any = None) -> Baseline:
        """Accept ``violations`` (by identity in ``graph``; by names without one, translated when matched in a graph)."""
        baseline = cls(by_names=graph is None)
        for violation in violations:
            baseline.add(violation, graph)
        return baseline

    def add(self, violation: Violation, graph: Any = None) -> None:
        entry = entry_of(violation, graph)
        self.entries[entry] += 1
        self.notes.setdefault(entry, {"message": violation.message, "location": str(violation.location)})
        if violation.count is not None:
            self.measured[entry] = max(self.measured.get(entry, 0), violation.count)

    @classmethod
    def read(cls, path: Path) -> Baseline:
        """The baseline in ``path``; an empty one when the file does not exist.

        Anything but a well-formed baseline is a :class:`BaselineError` naming the key at fault.
        """
        if not os.path.lexists(path):
            return cls()
        fix = "fix it or regenerate it with --arch-update-baseline"
        try:
            mode = path.stat().st_mode
            if not stat.S_ISREG(mode):
                raise BaselineError(f"{path}: the baseline is not a regular file; {fix}")
            if path.stat().st_size > MAX_BASELINE_BYTES:
                raise BaselineError(f"{path}: the baseline is over {MAX_BASELINE_BYTES:,} bytes; {fix}")
            document = json.loads(path.read_bytes().decode("utf-8"))
        except BaselineError:
            raise
        except (OSError, ValueError) as exc:  # JSON errors, bad UTF-8, integers over Python's digit limit
            raise BaselineError(f"{path}: cannot read the baseline: {_one_line(exc)}; {fix}") from None
        except RecursionError:
            raise BaselineError(f"{path}: cannot read the baseline: it is nested too deeply; {fix}") from None
        except MemoryError:
            raise BaselineError(f"{path}: cannot read the baseline: it is too big; {fix}") from None
        return cls.from_document(document, str(path))

    @classmethod
    def from_document(cls, document: Any, where: str = "baseline") -> Baseline:
        """A baseline from its parsed JSON, validated key by key."""
        fix = "fix it or regenerate it with --arch-update-baseline"

        def fail(key: str, expected: str, value: Any) -> BaselineError:
            return BaselineError(f"{where}: {key} must be {expected}, not {_shown(value)}; {fix}")

        if not isinstance(document, Mapping):
            raise fail("the document", "a JSON object with a 'violations' list", document)
        version = document.get("version", 1)
        if version not in (1, 2) or isinstance(version, bool):
            raise fail("version", "1 or 2", version)
        items = document.get("violations")
        if not isinstance(items, list):
            raise fail("violations", "a list", items)
        baseline = cls(by_names=version == 1)
        for index, item in enumerate(items):
            key = f"violations[{index}]"
            if not isinstance(item, Mapping):
                raise fail(key, "an object", item)
            rule_id = item.get("rule")
            if not isinstance(rule_id, str) or not rule_id:
                raise fail(f"{key}.rule", "a rule id", rule_id)
            names = {}
            for list_key in ("units", "resources"):
                value = item.get(list_key, [])
                if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
                    raise fail(f"{key}.{list_key}", "a list of strings", value)
                names[list_key] = tuple(sorted(set(value)))
            count = item.get("count", 1)
            if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
                raise fail(f"{key}.count", f"a whole number from 1 to {MAX_COUNT:,}", count)
            entry = BaselineEntry(rule_id, names["units"], names["resources"])
            baseline.entries[entry] += count
            if "measured" in item:
                measured = item["measured"]
                if isinstance(measured, bool) or not isinstance(measured, int) or not 0 <= measured <= MAX_MEASURED:
                    raise fail(f"{key}.measured", f"a whole number from 0 to {MAX_MEASURED:,}", measured)
                baseline.measured[entry] = measured
            baseline.notes.setdefault(
                entry, {name: item[name] for name in ("message", "location") if isinstance(item.get(name), str)}
            )
        return baseline

    def for_graph(self, graph: Any) -> Baseline:
        """This baseline with a version 1 file's unit and resource names turned into identities in ``graph``."""
        if not self.by_names:
            return self
        names = unit_identities(graph)
        resolved = Baseline()
        for entry, count in self.entries.items():
            fake = Violation(entry.rule, "", _NOWHERE, entry.units, entry.resources)
            new_entry = finding_identity(fake, identities=names)
            resolved.entries[new_entry] += count
            if entry in self.notes:
                resolved.notes[new_entry] = self.notes[entry]
            if entry in self.measured:
                resolved.measured[new_entry] = self.measured[entry]
        return resolved

    def document(self) -> dict[str, Any]:
        """The JSON document, sorted by rule and resources so diffs stay small."""
        items = []
        for entry in sorted(self.entries):
            item: dict[str, Any] = {"rule": entry.rule, "units": list(entry.units), "resources": list(entry.resources)}
            if self.entries[entry] > 1:
                item["count"] = self.entries[entry]
            if entry in self.measured:
                item["measured"] = self.measured[entry]
            item.update(self.notes.get(entry, {}))
            items.append(item)
        return {
            "version": FORMAT_VERSION,
            "comment": "Accepted pytest-serverless-arch findings; regenerate with pytest --arch-update-baseline",
            "violations": items,
        }

    def write(self, path: Path) -> None:
        """Write the file atomically (a temporary file beside it, then a rename): readers never see half of it."""
        text = json.dumps(self.document(), indent=2) + "\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def __len__(self) -> int:
        return sum(self.entries.values())

    def rules(self) -> set[str]:
        return {entry.rule for entry in self.entries}

    def split(self, violations: Iterable[Violation], rules_run: Iterable[str] = (), graph: Any = None) -> BaselineSplit:
        """Separate new findings from accepted ones; ``fixed`` lists unmatched entries of ``rules_run``.

        A count finding whose number grew past the accepted one is new, its message saying by how much.
        """
        if self.by_names and graph is not None:
            return self.for_graph(graph).split(violations, rules_run, graph)
        identities = unit_identities(graph) if graph is not None else {}
        remaining = Counter(self.entries)
        split = BaselineSplit()
        for violation in violations:
            entry = finding_identity(violation, identities=identities)
            if remaining[entry] <= 0:
                split.new.append(violation)
                continue
            remaining[entry] -= 1
            accepted = self.measured.get(entry)
            if violation.count is not None and accepted is not None and violation.count > accepted:
                grown = violation.count - accepted
                message = f"{violation.message} (the baseline accepts {accepted}; grew by {grown})"
                split.new.append(dataclasses.replace(violation, message=message))
                continue
            if violation.count is not None and accepted is not None and violation.count < accepted:
                split.shrunk.append((entry, accepted, violation.count))
            split.baselined.append(violation)
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
                if entry in self.measured:
                    result.measured[entry] = self.measured[entry]
        for entry, count in fresh.entries.items():
            result.entries[entry] += count
            if entry in fresh.notes:
                result.notes[entry] = fresh.notes[entry]
            if entry in fresh.measured:
                result.measured[entry] = fresh.measured[entry]
        return result


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def _shown(value: Any) -> str:
    """A short JSON rendering of a bad value, for the message."""
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"a string ({_one_line(Exception(repr(value[:40])))})"
    if value is None:
        return "missing"
    try:
        text = json.dumps(value)
    except (ValueError, OverflowError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
