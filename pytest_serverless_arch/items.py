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

import functools
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .contracts.check import check_contract, contract_rule
from .contracts.model import Contract, ContractError
from .escape import printable
from .gate import FINDINGS_KEY, ArchGate, repository_rules
from .model import LoadError
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


class ArchGateCollector(pytest.Collector):
    """Collects the gate's items; the graph is loaded once per process and shared."""

    def __init__(self, *, gate: ArchGate, plugin_problems: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = gate
        self.plugin_problems = plugin_problems

    def collect(self) -> Iterator[pytest.Item]:
        gate = self.gate
        plan = gate.plan  # an xdist worker's: what the controller found and ran, so the worker loads nothing
        outcomes: dict[str, Any] = plan["outcomes"] if plan is not None else {}
        for kind, name, entry in gate_entries(gate, self.config, self.plugin_problems):
            if kind == "problem":
                message, location = entry
                yield ProblemItem.from_parent(self, name=name, message=message, location=location)
            elif kind == "load-error":
                root, error = entry
                yield LoadErrorItem.from_parent(self, name=name, error=error, root=root)
            elif kind == "rule":
                found, spec = entry
                outcome = outcomes.get(name)
                yield RuleItem.from_parent(
                    self, name=name, rule=found, spec=spec, outcome=outcome if outcome and outcome[0] == found.id else None
                )
            else:
                outcome = outcomes.get(name)
                yield ContractItem.from_parent(
                    self, name=name, contract=entry, outcome=outcome if outcome and outcome[0] == entry.rule_id else None
                )

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, COLLECTOR_NAME


def graph_entries(gate: ArchGate) -> tuple[list[list[Any]], bool]:
    """The items the repository's graph decides, as plain lists (they travel to xdist workers), and whether to stop.

    A repository that cannot be loaded is one problem item and nothing else;
    else: no unit found, each load error, each suppression without a reason.
    """
    if gate.plan is not None:
        return gate.plan["graph"], gate.plan["stop"]
    try:
        graph = gate.graph()
    except Exception as exc:  # an unreadable repository is one failing item, not a crash
        return [["problem", "load", f"cannot load the repository: {type(exc).__name__}: {exc}", None]], True
    return _graph_entries(gate, graph), False


def _graph_entries(gate: ArchGate, graph: Any) -> list[list[Any]]:
    found: list[list[Any]] = []
    if not graph.units():  # never green on nothing: a typo in a path must fail somewhere
        settings = gate.settings
        found.append(["problem", "discovery", nothing_found(list(settings.paths), settings.root, settings.load_config), None])
    for error in graph.errors:
        found.append(
            ["load-error", f"load-error[{printable(str(error.location))}]", graph.root, error.path, error.line, error.message]
        )
    for suppression in suppressions_in(graph):
        if not suppression.reason:
            message = (
                f"{suppression.location}: the suppression of {suppression.rule} on "
                f"{suppression.resource} has no reason; a suppression needs `reason:` "
                f"(it suppresses nothing until it has one)"
            )
            location = [graph.root, suppression.location.path, suppression.location.line]
            found.append(["problem", f"suppression[{suppression.location}]", message, location])
    return found


def plan_of_graph(gate: ArchGate) -> dict[str, Any]:
    """What collecting and replaying the gate's items needs of the graph, as plain data (no outcome yet)."""
    if gate.plan is not None:
        return dict(gate.plan, outcomes={})
    found, stop = graph_entries(gate)
    graph = None if stop else gate.graph()
    return {
        "graph": found,
        "stop": stop,
        "summary": graph.summary() if graph is not None else None,
        # --arch-changed-since: what the change touches, for the header of a run that replays this one
        "changes": graph.changes.summary() if graph is not None and graph.changes is not None else None,
        # each suppression and the rule it names: a replay says which name no rule of its session
        "suppressions": [[str(item), item.rule] for item in suppressions_in(graph)] if graph is not None else [],
        "outcomes": {},
    }


def gate_entries(gate: ArchGate, config: pytest.Config, plugin_problems: list[tuple[str, str]]) -> Iterator[tuple[str, str, Any]]:
    """Each item of the gate as ``(kind, unique name, what it needs)``, in collection order."""
    names: set[str] = set()

    def unique(name: str) -> str:
        candidate, index = name, 2
        while candidate in names:
            candidate, index = f"{name}#{index}", index + 1
        names.add(candidate)
        return candidate

    for entry_point, problem in plugin_problems:
        yield "problem", unique(f"rule-plugin[{entry_point}]"), (problem, None)
    found, stop = graph_entries(gate)
    for entry in found:
        if entry[0] == "problem":
            _, name, message, location = entry
            yield "problem", unique(name), (message, tuple(location) if location else None)
        else:
            _, name, root, path, line, message = entry
            yield "load-error", unique(name), (root, LoadError(path, line, message))
    if stop:
        return
    # listed rules (a rule may be listed twice with other options), then unlisted conftest rules
    selected = list(gate.settings.rules)
    listed = {spec.rule_id for spec in selected}
    selected += [RuleSpec(found_rule.id) for found_rule in repository_rules(config) if found_rule.id not in listed]
    known = registered_rules()
    for spec in selected:
        if spec.rule_id in known:
            yield "rule", unique(spec.rule_id), (known[spec.rule_id], spec)
        else:
            yield "problem", unique(spec.rule_id), (unknown_rule_message(spec.rule_id, known), None)
    # contracts from the configuration; one that cannot be read fails under its own name
    root = str(gate.settings.root)
    for contract_error in gate.contracts.errors:
        origin = contract_error.origin
        yield (
            "problem",
            unique(f"contract:{contract_error.name}" if contract_error.name else f"contracts[{origin.path}]"),
            (f"configuration error: {contract_error}", (root, origin.path, contract_error.location.line)),
        )
    for contract in gate.contracts.contracts:
        yield "contract", unique(contract.rule_id), contract


def gate_plan(gate: ArchGate, config: pytest.Config, plugin_problems: list[tuple[str, str]]) -> dict[str, Any]:
    """What the gate's items find, computed once by the xdist controller and sent to every worker.

    Workers then collect the same items and replay each outcome (its failure
    text, skip reason and findings), loading nothing; an item whose run ended
    in a crash is left out, so the worker that gets it runs it and shows the traceback.
    """
    plan = plan_of_graph(gate)
    for kind, name, entry in gate_entries(gate, config, plugin_problems):
        if kind == "rule":
            rule_found, spec = entry
            outcome = _outcome(gate, rule_found, functools.partial(run_rule, gate, rule_found, spec))
            rule_id = rule_found.id
        elif kind == "contract":
            outcome = _outcome(gate, contract_rule(entry), functools.partial(run_contract, gate, entry))
            rule_id = entry.rule_id
        else:
            continue
        if outcome is not None:
            plan["outcomes"][name] = [rule_id, *outcome]
    return plan


def keep_outcomes(gate: ArchGate) -> None:
    """Store what this run's gate items ended with, for the next run (see :meth:`ArchGate.stored_runs`).

    Only when this process loaded the graph (else nothing it read was recorded:
    a replayed run has nothing new to keep), and only built-in rules and contracts.
    """
    reads = gate.load_observations
    if gate.is_worker or reads is None:
        return
    stored = gate.stored_runs()
    if stored is None:
        return
    known = registered_rules()
    plan = plan_of_graph(gate)
    plan["outcomes"] = {
        name: outcome
        for name, outcome in gate.outcomes.items()
        if outcome[0].startswith("contract:") or (outcome[0] in known and known[outcome[0]].builtin)
    }
    runs, key = stored
    runs.keep(key, reads, plan)


class _Recorder:
    """Stands for the running item while the controller runs a rule: the triage records its findings here."""

    def __init__(self) -> None:
        self.stash = pytest.Stash()


def _outcome(gate: ArchGate, rule: Rule, run: Callable[[], None]) -> list[Any] | None:
    """``[status, text, findings]`` of one run, or None when it crashed."""
    recorder = _Recorder()
    previous, gate.current_item = gate.current_item, recorder
    gate.deferred_unknown = True  # which rules exist is the session's that replays it (see _GateItem.replay)
    try:
        run()
    except pytest.skip.Exception as exc:
        status, text = "skipped", str(exc.msg)
    except ItemFailure as exc:
        status, text = "failed", str(exc)
    except RuleViolations as exc:
        status, text = "failed", violations_text(gate, rule, exc.result, verbose=gate.config.get_verbosity() > 0)
    except Exception:
        return None
    else:
        status, text = "passed", ""
    finally:
        gate.current_item = previous
        gate.deferred_unknown = False
    return [status, text, recorder.stash.get(FINDINGS_KEY, [])]


def run_rule(gate: ArchGate, rule: Rule, spec: RuleSpec) -> None:
    """Run one rule item: skip, fail with :class:`ItemFailure` or :class:`RuleViolations`, or pass."""
    graph = gate.graph()
    reason = skip_reason(rule, graph)
    if reason is not None:
        pytest.skip(reason)  # the plugin's makereport puts the item's node id as its location
    try:
        violations = rule(graph, **spec.options)
    except RuleError as exc:  # e.g. a domain that exists nowhere: a configuration error, not a pass
        message = str(exc)
        raise ItemFailure(message if message.startswith(rule.id) else f"{rule.id}: {message}") from None
    if graph.changes is not None:  # --arch-changed-since: a full run's findings, on the units the change touches
        from .changes import violations_within

        violations = violations_within(graph.changes, violations)
    result = gate.triage(rule.id, violations, graph)
    if not result.passed:
        raise RuleViolations(result)


def run_contract(gate: ArchGate, contract: Contract) -> None:
    """Check one contract item: fail with :class:`ItemFailure` or :class:`RuleViolations`, or pass."""
    graph = gate.graph()
    try:
        violations = check_contract(contract, graph)
    except ContractError as exc:  # e.g. a selector that matches nothing: never a pass
        raise ItemFailure(f"{contract.rule_id}: configuration error: {exc}") from None
    result = gate.triage(contract.rule_id, violations, graph)
    if not result.passed:
        raise RuleViolations(result)


def violations_text(gate: ArchGate, rule: Rule, result: Triage, *, verbose: bool) -> str:
    """A failing rule's text: its findings, and the units they involve as Mermaid when asked."""
    text = result.failure_text(rule, verbose=verbose)
    if gate.settings.diagram_on_failure:
        text += "\n" + _diagram_text(gate, result)
    return text


def _unknown_lines(gate: ArchGate) -> list[str]:
    """The suppressions naming no rule nor contract of this session, as a triage's ``unused`` lists them."""
    if gate.plan is not None and "suppressions" in gate.plan:
        named = [(text, rule_id) for text, rule_id in gate.plan["suppressions"]]
    else:
        named = [(str(item), item.rule) for item in suppressions_in(gate.graph())]
    known = set(registered_rules()) | {f"contract:{name}" for name in gate.contracts.names()}
    return [f"{text} (no rule is called {rule_id!r})" for text, rule_id in named if rule_id not in known]


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
            gate: ArchGate = self.parent.gate  # type: ignore[union-attr]
            verbose = self.config.get_verbosity() > 0
            return _printable_lines(violations_text(gate, self.rule, excinfo.value.result, verbose=verbose))
        return str(super().repr_failure(excinfo, style=style))

    def run_recorded(self, run: Callable[[], None]) -> None:
        """Run this item, recording its outcome (for the next run), then end as that outcome says."""
        gate: ArchGate = self.parent.gate  # type: ignore[union-attr]
        outcome = _outcome(gate, self.rule, run)
        if outcome is None:
            run()  # it crashed: once more, so that the failure shows its traceback
            return
        self.replay([self.rule.id, *outcome])

    def replay(self, outcome: list[Any]) -> None:
        """End as a recorded run of this item ended: ``[rule id, status, text, findings]``.

        The findings say which suppressions name a rule this session does not know.
        """
        gate: ArchGate = self.parent.gate  # type: ignore[union-attr]
        gate.outcomes[self.name] = outcome
        _, status, text, findings = outcome
        if findings:
            unknown = _unknown_lines(gate)
            self.stash[FINDINGS_KEY] = [dict(found, unused=[*found["unused"], *unknown]) for found in findings]
        if status == "skipped":
            pytest.skip(text)
        if status == "failed":
            raise ItemFailure(text)


class RuleItem(_GateItem):
    """Runs one rule on the repository's graph; fails with ``file:line: rule-id: message`` lines."""

    def __init__(self, *, rule: Rule, spec: RuleSpec, outcome: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule
        self.spec = spec
        self.outcome = outcome

    def runtest(self) -> None:
        if self.outcome is not None:
            self.replay(self.outcome)
            return
        self.run_recorded(functools.partial(run_rule, self.parent.gate, self.rule, self.spec))  # type: ignore[union-attr]

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

    def __init__(self, *, contract: Contract, outcome: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.contract = contract
        # what the failure text shows: the contract as a sentence and its reason
        self.rule = contract_rule(contract)
        self.outcome = outcome

    def runtest(self) -> None:
        if self.outcome is not None:
            self.replay(self.outcome)
            return
        self.run_recorded(functools.partial(run_contract, self.parent.gate, self.contract))  # type: ignore[union-attr]

    def reportinfo(self) -> tuple[Path, int | None, str]:
        root = Path(self.parent.gate.settings.root)  # type: ignore[union-attr]
        origin = self.contract.origin
        return root / origin.path, (origin.line - 1) if origin.line else None, f"{COLLECTOR_NAME} {self.name}"


def _diagram_text(gate: ArchGate, result: Triage) -> str:
    """The units the failing violations involve, as a Mermaid block to paste into a pull request."""
    from .report.mermaid import mermaid_of_violations

    if not any(violation.units for violation in result.failing):
        return "(no units to draw: the violations name none)"
    diagram = mermaid_of_violations(gate.whole_graph(), result.failing)  # every link between them
    return "units involved (Mermaid):\n```mermaid\n" + diagram + "```"


class LoadErrorItem(_GateItem):
    """A template that could not be read; it fails naming the file and line."""

    def __init__(self, *, error: LoadError, root: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error
        self.root = root

    def runtest(self) -> None:
        raise ItemFailure(f"{self.error}\n(this file was not loaded; every other unit is still checked)")

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return Path(self.root) / self.error.path, (self.error.line - 1) if self.error.line else None, self.name


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
