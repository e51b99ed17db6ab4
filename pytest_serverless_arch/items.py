"""The zero-code gate as test items: one per rule, one per load error, one per configuration problem.

Every item sits under one collector whose node id is ``serverless-arch``::

    serverless-arch::trigger-colocated
    serverless-arch::load-error[services/orders/serverless.yml:12]
    serverless-arch::suppression[infra/template.yaml:30]
    serverless-arch::contract:service-layers

so ``-k trigger-colocated``, ``--deselect serverless-arch::no-unit-cycles`` and
``-k "not serverless-arch"`` work as for any test.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .contracts.check import check_contract, contract_rule
from .contracts.model import Contract, ContractError
from .escape import printable
from .gate import ArchGate
from .options import RuleSpec
from .rules.base import Rule, RuleError, registered_rules, unknown_rule_message
from .rules.plugins import ENTRY_POINT_GROUP, load_rule_plugins
from .suppressions import Triage, suppressions_in
from .vacuity import nothing_found, skip_reason

__all__ = [
    "ENTRY_POINT_GROUP",
    "ArchGateCollector",
    "ContractItem",
    "LoadErrorItem",
    "ProblemItem",
    "RuleItem",
    "load_rule_plugins",
    "repository_rules",
    "unknown_rule_message",
]

COLLECTOR_NAME = "serverless-arch"


def repository_rules(config: pytest.Config) -> list[Rule]:
    """Custom rules defined in a ``conftest.py`` this session loaded: collected without being listed."""
    conftests = set()
    for plugin in config.pluginmanager.get_plugins():
        path = getattr(plugin, "__file__", None)
        if isinstance(path, str) and Path(path).name == "conftest.py":
            conftests.add(Path(path).resolve())
    if not conftests:
        return []
    found = []
    for candidate in registered_rules().values():
        if candidate.builtin:
            continue
        try:
            source = Path(inspect.getfile(candidate.function)).resolve()
        except (TypeError, OSError):
            continue
        if source in conftests:
            found.append(candidate)
    return sorted(found, key=lambda found_rule: found_rule.id)


class ArchGateCollector(pytest.Collector):
    """Collects the gate's items; the graph is loaded once per process and shared."""

    def __init__(self, *, gate: ArchGate, plugin_problems: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = gate
        self.plugin_problems = plugin_problems

    def collect(self) -> Iterator[pytest.Item]:
        gate = self.gate
        names: set[str] = set()

        def unique(name: str) -> str:
            candidate, index = name, 2
            while candidate in names:
                candidate, index = f"{name}#{index}", index + 1
            names.add(candidate)
            return candidate

        for entry_point, problem in self.plugin_problems:
            yield ProblemItem.from_parent(self, name=unique(f"rule-plugin[{entry_point}]"), message=problem)
        try:
            graph = gate.graph()
        except Exception as exc:  # an unreadable repository is one failing item, not a crash
            yield ProblemItem.from_parent(
                self, name=unique("load"), message=f"cannot load the repository: {type(exc).__name__}: {exc}"
            )
            return
        if not graph.units():  # never green on nothing: a typo in a path must fail somewhere
            settings = gate.settings
            message = nothing_found(list(settings.paths), settings.root, settings.load_config)
            yield ProblemItem.from_parent(self, name=unique("discovery"), message=message)
        for error in graph.errors:
            yield LoadErrorItem.from_parent(self, name=unique(f"load-error[{printable(str(error.location))}]"), error=error)
        for suppression in suppressions_in(graph):
            if not suppression.reason:
                yield ProblemItem.from_parent(
                    self,
                    name=unique(f"suppression[{suppression.location}]"),
                    message=f"{suppression.location}: the suppression of {suppression.rule} on "
                    f"{suppression.resource} has no reason; a suppression needs `reason:` "
                    f"(it suppresses nothing until it has one)",
                    location=(graph.root, suppression.location.path, suppression.location.line),
                )
        # listed rules (a rule may be listed twice with other options), then unlisted conftest rules
        selected = list(gate.settings.rules)
        listed = {spec.rule_id for spec in selected}
        selected += [RuleSpec(found.id) for found in repository_rules(self.config) if found.id not in listed]
        known = registered_rules()
        for spec in selected:
            if spec.rule_id in known:
                yield RuleItem.from_parent(self, name=unique(spec.rule_id), rule=known[spec.rule_id], spec=spec)
            else:
                yield ProblemItem.from_parent(self, name=unique(spec.rule_id), message=unknown_rule_message(spec.rule_id, known))
        # contracts from the configuration; one that cannot be read fails under its own name
        root = str(gate.settings.root)
        for contract_error in gate.contracts.errors:
            origin = contract_error.origin
            yield ProblemItem.from_parent(
                self,
                name=unique(f"contract:{contract_error.name}" if contract_error.name else f"contracts[{origin.path}]"),
                message=f"configuration error: {contract_error}",
                location=(root, origin.path, contract_error.location.line),
            )
        for contract in gate.contracts.contracts:
            yield ContractItem.from_parent(self, name=unique(contract.rule_id), contract=contract)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, COLLECTOR_NAME


class RuleViolations(Exception):
    """Raised by a rule item whose rule found violations that are neither suppressed nor baselined."""

    def __init__(self, result: Triage) -> None:
        super().__init__(result.rule)
        self.result = result


class ItemFailure(Exception):
    """A failure whose message is the whole story (no traceback)."""


def _printable_lines(text: str) -> str:
    """Each line escaped (names and messages come from the repository; see :mod:`..escape`)."""
    return "\n".join(printable(line) for line in text.split("\n"))


class _GateItem(pytest.Item):
    rule: Rule  # rule and contract items: what their failure text describes

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],  # type: ignore[override]
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, ItemFailure):
            return _printable_lines(str(excinfo.value))
        if isinstance(excinfo.value, RuleViolations):  # raised by rule and contract items only
            text = excinfo.value.result.failure_text(self.rule, verbose=self.config.get_verbosity() > 0)
            gate: ArchGate = self.parent.gate  # type: ignore[union-attr]
            if gate.settings.diagram_on_failure:
                text += "\n" + _diagram_text(gate, excinfo.value.result)
            return _printable_lines(text)
        return str(super().repr_failure(excinfo, style=style))


class RuleItem(_GateItem):
    """Runs one rule on the repository's graph; fails with ``file:line: rule-id: message`` lines."""

    def __init__(self, *, rule: Rule, spec: RuleSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule
        self.spec = spec

    def runtest(self) -> None:
        gate: ArchGate = self.parent.gate  # type: ignore[union-attr]
        graph = gate.graph()
        reason = skip_reason(self.rule, graph)
        if reason is not None:
            pytest.skip(reason)  # the plugin's makereport puts the item's node id as its location
        try:
            violations = self.rule(graph, **self.spec.options)
        except RuleError as exc:  # e.g. a domain that exists nowhere: a configuration error, not a pass
            message = str(exc)
            raise ItemFailure(message if message.startswith(self.rule.id) else f"{self.rule.id}: {message}") from None
        if graph.changes is not None:  # --arch-changed-since: a full run's findings, on the units the change touches
            from .changes import violations_within

            violations = violations_within(graph.changes, violations)
        result = gate.triage(self.rule.id, violations, graph)
        if not result.passed:
            raise RuleViolations(result)

    def _traceback_filter(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
        """A crashing rule shows its own code, not pytest's or the plugin's frames."""
        traceback = excinfo.traceback
        try:
            cut = traceback.cut(path=Path(inspect.getfile(self.rule.function)))
        except (TypeError, OSError):
            return traceback
        return cut.filter(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{COLLECTOR_NAME} rule {self.spec}"


class ContractItem(_GateItem):
    """Checks one contract from the configuration; reported exactly like a rule item."""

    def __init__(self, *, contract: Contract, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.contract = contract
        # what the failure text shows: the contract as a sentence and its reason
        self.rule = contract_rule(contract)

    def runtest(self) -> None:
        gate: ArchGate = self.parent.gate  # type: ignore[union-attr]
        graph = gate.graph()
        try:
            violations = check_contract(self.contract, graph)
        except ContractError as exc:  # e.g. a selector that matches nothing: never a pass
            raise ItemFailure(f"{self.contract.rule_id}: configuration error: {exc}") from None
        result = gate.triage(self.contract.rule_id, violations, graph)
        if not result.passed:
            raise RuleViolations(result)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        root = Path(self.parent.gate.settings.root)  # type: ignore[union-attr]
        origin = self.contract.origin
        return root / origin.path, (origin.line - 1) if origin.line else None, f"{COLLECTOR_NAME} {self.name}"


def _diagram_text(gate: ArchGate, result: Triage) -> str:
    """The units the failing violations involve, as a Mermaid block to paste into a pull request."""
    from .report.mermaid import mermaid_of_violations

    if not any(violation.units for violation in result.failing):
        return "(no units to draw: the violations name none)"
    diagram = mermaid_of_violations(gate.graph(), result.failing)
    return "units involved (Mermaid):\n```mermaid\n" + diagram + "```"


class LoadErrorItem(_GateItem):
    """A template that could not be read; it fails naming the file and line."""

    def __init__(self, *, error: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise ItemFailure(f"{self.error}\n(this file was not loaded; every other unit is still checked)")

    def reportinfo(self) -> tuple[Path, int | None, str]:
        root = Path(self.parent.gate.graph().root)  # type: ignore[union-attr]
        return root / self.error.path, (self.error.line - 1) if self.error.line else None, self.name


class ProblemItem(_GateItem):
    """A configuration problem (unknown rule, broken rule package, suppression without a reason)."""

    def __init__(self, *, message: str, location: tuple[str, str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = message
        self.problem_location = location

    def runtest(self) -> None:
        raise ItemFailure(self.message)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        if self.problem_location is not None:
            root, path, line = self.problem_location
            return Path(root) / path, (line - 1) if line else None, self.name
        return self.path, None, f"{COLLECTOR_NAME} {self.name}"


def collect_gate(session: pytest.Session, gate: ArchGate, plugin_problems: list[tuple[str, str]]) -> list[pytest.Item]:
    """Collect the gate's items under ``session`` the way pytest collects any node (with a collect report)."""
    from _pytest.runner import collect_one_node

    collector = ArchGateCollector.from_parent(
        session, name=COLLECTOR_NAME, nodeid=COLLECTOR_NAME, gate=gate, plugin_problems=plugin_problems
    )
    report = collect_one_node(collector)
    session.ihook.pytest_collectreport(report=report)
    if not report.passed:
        return []
    return [node for node in report.result if isinstance(node, pytest.Item)]


def gate_requested(config: pytest.Config) -> bool:
    """Whether this run collects the gate: not when only specific files or tests were asked for."""
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return True
    root = config.rootpath
    for arg in config.args:
        path = Path(arg.split("::")[0])
        path = (config.invocation_params.dir / path).resolve() if not path.is_absolute() else path
        if path == root or root.is_relative_to(path):
            return True
    return False
