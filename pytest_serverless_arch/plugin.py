"""The pytest plugin (registered under the ``pytest11`` entry point as ``serverless_arch``).

Kept thin: hooks and options here, fixtures in :mod:`.fixtures`, the run's
state in :mod:`.gate`, the gate's items in :mod:`.items`. It never imports
hypothesis or the strategies module. Disable it with ``-p no:serverless_arch``.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from . import assertions
from .fixtures import deployment_graph, load_deployment_graph  # noqa: F401  (fixtures)
from .gate import FINDINGS_KEY, GATE_KEY, PLAN_INPUT, REPORT_ATTRIBUTE, ArchGate, active_gate, assertion_filter
from .items import RuleItem, collect_gate, gate_plan, gate_requested, keep_outcomes, load_rule_plugins, repository_rules
from .options import add_options
from .rules.base import RuleError

PLUGIN_PROBLEMS_KEY = pytest.StashKey[list[tuple[str, str]]]()
PREVIOUS_FILTER_KEY = pytest.StashKey[assertions.ViolationFilter]()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    gate = config.stash[GATE_KEY] = ArchGate.start(config)
    config.stash[PLUGIN_PROBLEMS_KEY] = load_rule_plugins()
    if config.pluginmanager.hasplugin("xdist") and not gate.is_worker:
        config.pluginmanager.register(XdistController(config), "serverless-arch-xdist")
    # assertion helpers apply the same suppressions and baseline as the rule items
    config.stash[PREVIOUS_FILTER_KEY] = assertions.violation_filter
    assertions.violation_filter = assertion_filter


class XdistController:
    """With pytest-xdist, the controller loads the repository and runs the gate once, for every worker.

    Each worker gets the outcome of every gate item in its ``workerinput`` and
    replays it, so no worker imports the readers or loads the repository for
    the gate (a worker's own tests may still ask for ``deployment_graph``).
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.plan: dict[str, Any] | None = None

    def pytest_configure_node(self, node: Any) -> None:
        gate = self.config.stash.get(GATE_KEY, None)
        if gate is None or not _gate_active(gate) or not gate_requested(self.config):
            return
        if self.plan is None:
            gate.recall()  # the last run's outcomes, when nothing it read has changed
            self.plan = gate.plan or gate_plan(gate, self.config, self.config.stash.get(PLUGIN_PROBLEMS_KEY, []))
            gate.outcomes.update(self.plan["outcomes"])  # kept for the next run at the end of this one
        node.workerinput[PLAN_INPUT] = self.plan


def pytest_unconfigure(config: pytest.Config) -> None:
    gate = config.stash.get(GATE_KEY, None)
    if gate is not None:
        gate.stop()
    previous = config.stash.get(PREVIOUS_FILTER_KEY, None)
    if previous is not None:
        assertions.violation_filter = previous


def _gate_active(gate: ArchGate) -> bool:
    return gate.settings.gate_configured or bool(gate.contracts) or bool(repository_rules(gate.config))


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    gate = config.stash.get(GATE_KEY, None)
    if gate is None or gate.is_worker or not _gate_active(gate):  # a worker's header is never shown: it loads nothing for it
        return None
    gate.recall()  # the last run's outcomes (and summary), when nothing it read has changed
    return gate.header()


@pytest.hookimpl(tryfirst=True)  # before -k, -m and --deselect filter the items
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    gate = config.stash.get(GATE_KEY, None)
    if gate is None or not _gate_active(gate) or not gate_requested(config):
        return
    gate.recall()
    items.extend(collect_gate(session, gate, config.stash.get(PLUGIN_PROBLEMS_KEY, [])))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    gate = item.config.stash.get(GATE_KEY, None)
    if gate is not None:
        gate.current_item = item
    try:
        return (yield)
    finally:
        if gate is not None:
            gate.current_item = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """A rule that cannot run as written (a selection typo, a bad option) fails with its one-line message."""
    try:
        return (yield)
    except RuleError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    if call.when == "call" and isinstance(item, RuleItem) and isinstance(getattr(report, "longrepr", None), tuple):
        # a skipped rule: ``-rs`` names the item, not the plugin line that skipped it
        report.longrepr = (item.nodeid, None, report.longrepr[2])  # type: ignore[attr-defined]
    if call.when == "call":
        # findings ride on the report, so xdist carries them to the controller
        setattr(report, REPORT_ATTRIBUTE, item.stash.get(FINDINGS_KEY, []))
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and getattr(report, REPORT_ATTRIBUTE, None):
        gate = active_gate()  # this hook gets no config; the innermost running session is the one
        if gate is not None:
            gate.record_report(report)


def pytest_sessionfinish(session: pytest.Session) -> None:
    gate = session.config.stash.get(GATE_KEY, None)
    if gate is not None:
        gate.finish(gate_active=_gate_active(gate))
        keep_outcomes(gate)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    gate = config.stash.get(GATE_KEY, None)
    if gate is None or gate.is_worker:
        return
    lines = gate.summary_lines()
    if lines:
        terminalreporter.write_sep("-", "serverless-arch")
        for line in lines:
            terminalreporter.write_line(line)
