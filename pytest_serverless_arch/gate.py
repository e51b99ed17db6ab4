"""The state of one pytest run: settings, the graph (loaded once per process), baseline, findings.

It lives in ``config.stash`` (see :data:`GATE_KEY`). Rule items and assertion
helpers triage their findings through :meth:`ArchGate.triage`, which records
them on the running test; the reports carry them to the process that prints
the summary and writes the baseline, so ``pytest-xdist`` gives the same result.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import inspect
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from .baseline import Baseline, BaselineEntry
from .contracts.config import ContractSet, contract_files, read_contracts
from .graph import DeploymentGraph
from .identity import finding_identity, unit_identities
from .options import ArchSettings, read_settings
from .rules.base import Rule, Violation, registered_rules
from .suppressions import Suppression, Triage, suppressions_in, triage

if TYPE_CHECKING:
    from .cache import UnitCache

__all__ = [
    "GATE_KEY",
    "PLAN_INPUT",
    "ArchGate",
    "active_gate",
    "apply_suppressions_and_baseline",
    "assertion_filter",
    "repository_rules",
]

FINDINGS_KEY = pytest.StashKey[list[dict[str, Any]]]()
PLAN_INPUT = "serverless_arch_plan"  # the key of the gate's plan in an xdist worker's ``workerinput``
GATE_KEY = pytest.StashKey["ArchGate"]()
REPORT_ATTRIBUTE = "serverless_arch"  # the findings of a test, on its call-phase report

_ACTIVE: list[ArchGate] = []  # a stack: pytester runs pytest inside pytest


def active_gate() -> ArchGate | None:
    """The gate of the innermost running pytest session, if the plugin is active."""
    return _ACTIVE[-1] if _ACTIVE else None


class HasStash(Protocol):
    """A test item, as far as the triage needs one: somewhere to record its findings."""

    @property
    def stash(self) -> pytest.Stash: ...


@dataclass
class SessionFindings:
    """What every triage of the session found, merged from the test reports."""

    rules_run: set[str] = field(default_factory=set)
    # per rule, the most times each entry was found in one run (a rule may run more than once)
    found: dict[str, Counter[BaselineEntry]] = field(default_factory=dict)
    notes: dict[BaselineEntry, dict[str, Any]] = field(default_factory=dict)
    suppressed: dict[str, str] = field(default_factory=dict)  # finding -> suppression line
    unused: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    baselined: dict[str, int] = field(default_factory=dict)  # rule -> most findings the baseline accepted in a run
    measured: dict[BaselineEntry, int] = field(default_factory=dict)  # count findings: the largest number seen
    shrunk: dict[BaselineEntry, tuple[int, int]] = field(default_factory=dict)

    def add(self, payload: dict[str, Any]) -> None:
        rule_id = payload["rule"]
        self.rules_run.add(rule_id)
        counts: Counter[BaselineEntry] = Counter()
        for item in payload["found"]:
            entry = BaselineEntry(rule_id, tuple(item["units"]), tuple(item["resources"]))
            counts[entry] += 1
            self.notes.setdefault(entry, {"message": item["message"], "location": item["location"]})
            if item.get("count") is not None:
                self.measured[entry] = max(self.measured.get(entry, 0), item["count"])
        for rule, units, resources, accepted, now in payload.get("shrunk", ()):
            self.shrunk[BaselineEntry(rule, tuple(units), tuple(resources))] = (accepted, now)
        merged = self.found.setdefault(rule_id, Counter())
        for entry, count in counts.items():
            merged[entry] = max(merged[entry], count)
        for finding, suppression in payload["suppressed"]:
            self.suppressed[finding] = suppression
        self.used.update(payload["used"])
        self.baselined[rule_id] = max(self.baselined.get(rule_id, 0), payload.get("baselined", 0))
        for line in payload["unused"]:
            self.unused[line] = line

    def found_baseline(self) -> Baseline:
        baseline = Baseline()
        for counts in self.found.values():
            baseline.entries.update(counts)
        baseline.notes = {entry: self.notes[entry] for entry in baseline.entries if entry in self.notes}
        baseline.measured = {entry: self.measured[entry] for entry in baseline.entries if entry in self.measured}
        return baseline

    def fixed(self, baseline: Baseline) -> list[BaselineEntry]:
        """Baseline entries of the rules that ran which no finding matched."""
        fixed = []
        for entry, count in sorted(baseline.entries.items()):
            if entry.rule in self.rules_run:
                fixed += [entry] * max(0, count - self.found.get(entry.rule, Counter())[entry])
        return fixed


@dataclass
class ArchGate:
    """One pytest run's architecture gate."""

    config: pytest.Config
    settings: ArchSettings
    baseline: Baseline
    current_item: HasStash | None = None  # the running item (or what stands for it): its triages are recorded there
    findings: SessionFindings = field(default_factory=SessionFindings)
    written: str | None = None  # what --arch-update-baseline did, for the summary
    contracts: ContractSet = field(default_factory=ContractSet)  # declared in the inifile or pyproject.toml
    reports_written: list[str] = field(default_factory=list)  # what --arch-report and the step summary did
    # the gate's items as the xdist controller collected and ran them (see items.gate_plan), or as the
    # last run of this gate left them when nothing it read has changed since (see recall)
    plan: dict[str, Any] | None = None
    # what the items that ran in this process ended with, by item name (kept for the next run)
    outcomes: dict[str, list[Any]] = field(default_factory=dict)
    deferred_unknown: bool = False  # while an outcome is recorded: suppressions of unknown rules are added on replay
    _graph: DeploymentGraph | None = None
    _whole: DeploymentGraph | None = None  # the whole graph, when _graph is a change's neighbourhood
    _frozen: bool = False  # the loaded graph's objects are out of the cyclic collector's reach (gc.freeze)
    _graph_reads: tuple[Any, ...] | None = None  # every observation the load made (files.FileRead)
    _recalled: bool = False
    _since: tuple[Any, ...] | None = None  # --arch-changed-since: (commit, changed files), or () when git cannot say
    _resolved_baseline: Baseline | None = None

    @classmethod
    def start(cls, config: pytest.Config) -> ArchGate:
        """Read the options and the baseline (``UsageError`` for configuration errors)."""
        from .baseline import BaselineError
        from .options import SettingsError

        try:
            settings = read_settings(config)
            baseline = Baseline.read(settings.baseline)
        except (SettingsError, BaselineError) as exc:
            raise pytest.UsageError(f"serverless-arch: {exc}") from None
        if settings.update_baseline and not settings.baseline.exists() and os.environ.get("CI"):
            raise pytest.UsageError(
                f"serverless-arch: CI is set and the baseline {_relative(settings.baseline, settings.root)} does "
                f"not exist; refusing to create it here. Run pytest --arch-update-baseline locally, review "
                f"the file and commit it."
            )
        # A contract that cannot be read is a failing item of its own (see items.py), never a usage error:
        # every other contract and rule still runs.
        contracts = read_contracts(contract_files(config.rootpath, config.inipath), config.rootpath)
        plan = getattr(config, "workerinput", {}).get(PLAN_INPUT)
        gate = cls(config, settings, baseline, contracts=contracts, plan=plan)
        _ACTIVE.append(gate)
        return gate

    def stop(self) -> None:
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        # The run is over: let the graph go before pytest's closing garbage collections, which would
        # otherwise walk every node, edge and parsed template of it again.
        self._graph = None
        self._whole = None
        self._resolved_baseline = None
        if self._frozen:
            self._frozen = False
            gc.unfreeze()

    @property
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    # --- the graph ----------------------------------------------------------

    def graph(self) -> DeploymentGraph:
        """The repository under test, loaded on first use and shared by the whole process.

        With ``--arch-changed-since`` it may be linked as the change's neighbourhood only
        (``graph.link_scope``; see :mod:`.neighbourhood`): every unit and resource, every
        load error, and exactly the findings a whole graph gives on the units the change
        touches. :meth:`whole_graph` is the whole repository linked, for what reads all of it.
        """
        if self._graph is None:
            settings = self.settings
            paths = [str(path) for path in settings.paths]
            from . import files
            from .loading import load  # the loaders (yaml, tree-sitter, every reader) only when the gate runs

            cache = self._unit_cache()
            from .unit_memory import head_cache

            units = head_cache(cache, settings.changed_since)
            config = settings.load_config
            before, neighbourhood = self._neighbourhood(cache, paths) if settings.changed_since else (None, None)
            if neighbourhood is not None:
                config = dataclasses.replace(config, link_scope=neighbourhood)
                if units is not None and neighbourhood.refused is None and self._builtin_rules_only():
                    # the units the neighbourhood does not reach are taken as their records (unit_records.py)
                    units.records = True
            elif settings.changed_since:
                from .link_facts import FactsCapture

                config = dataclasses.replace(config, link_scope=FactsCapture())  # the touched units, from the facts
            # the collector stays paused from the cached units' unpickling to the freeze: its first
            # collection would otherwise walk every unit just before they are frozen
            with units.held_to_freeze() if units is not None else contextlib.nullcontext():
                with files.recording() as log:  # what the load observed: the next run reuses the outcomes while it holds
                    graph = load(paths, root=str(settings.root), config=config, cache=units)
                # what the load built lives to the end of the run and makes no cycles: later collections (the
                # rules, the items, the tests) need not walk it again and again (unfrozen in stop())
                gc.freeze()
                self._frozen = True
            self._graph_reads = tuple(log)
            if settings.changed_since:
                changes = self._changes(graph, paths, cache, units, before, config.link_scope)
                graph.changes = dataclasses.replace(changes, checked=_checked(graph, neighbourhood))
            self._graph = graph
        return self._graph

    def whole_graph(self) -> DeploymentGraph:
        """The repository under test linked whole (the ``deployment_graph`` fixture, reports, contracts).

        The same graph as :meth:`graph` unless that one is a change's neighbourhood: then the
        whole repository is loaded and linked once more (through the warm cache), with the same changes.
        """
        graph = self.graph()
        if graph.link_scope is None:
            return graph
        if self._whole is None:
            from .loading import load

            whole = load(
                [str(path) for path in self.settings.paths],
                root=str(self.settings.root),
                config=self.settings.load_config,
                cache=self._unit_cache(),
            )
            whole.changes = graph.changes
            self._whole = whole
        return self._whole

    def _neighbourhood(self, cache: UnitCache | None, paths: list[str]) -> tuple[Any, Any]:
        """The graph at the ref, read before the head's load, and the link scope of the change (or why not).

        Only with a cache folder: the graph at the ref is then in its store, or loaded with the
        units the last load left in the pack. Without one, the ref is loaded after the head, from its units.
        """
        if cache is None:
            return None, None
        from .changes import graph_at
        from .neighbourhood import Neighbourhood
        from .ref_store import RefStore
        from .unit_memory import head_entries

        settings = self.settings
        state = self._git_state()
        if state is None:
            return None, None  # git cannot say: the head's load, then the comparison, report it
        commit, changed = state
        config = settings.load_config
        before = graph_at(
            str(settings.changed_since),
            paths,
            root=settings.root,
            config=config,
            store=RefStore(cache.directory / "refs"),
            commit=commit,
            units=lambda: head_entries(cache, Path(settings.root).resolve(), config, paths),
        )
        return before, Neighbourhood(before, changed, config, refused=self._whole_graph_reason())

    def _builtin_rules_only(self) -> bool:
        """Whether every rule this run may run is built in: what they ask of the whole repository, the records answer.

        A rule of a plugin or a ``conftest.py`` that declares ``reads="neighbourhood"`` may still
        enumerate every resource (for a finding about no unit): the graph then holds them all.
        """
        return all(found.builtin for found in self._rules_that_may_run())

    def _rules_that_may_run(self) -> list[Rule]:
        """The rules listed in the settings that are registered, and the rules a ``conftest.py`` declares."""
        known = registered_rules()
        rules = [known[spec.rule_id] for spec in self.settings.rules if spec.rule_id in known]
        return rules + repository_rules(self.config)  # a conftest's rules are collected unlisted

    def _whole_graph_reason(self) -> str | None:
        """Why this run must link the whole graph whatever the change: a rule or report that reads all of it."""
        whole = sorted({found.id for found in self._rules_that_may_run() if found.reads != "neighbourhood"})
        if whole:
            return f"rule {', '.join(whole)} reads the whole graph"
        if self.contracts:
            return "contracts read the whole graph"
        if self.settings.reports or (self.settings.step_summary and os.environ.get("GITHUB_STEP_SUMMARY", "").strip()):
            return "a report of the whole repository is written"
        return None

    def _changes(
        self, graph: DeploymentGraph, paths: list[str], cache: UnitCache | None, units: Any, before: Any, scope: Any
    ) -> Any:
        """What the change touches (``graph.changes``): by its files, and by what the link facts resolve to."""
        from .changes import changes_since, graph_at
        from .neighbourhood import Neighbourhood, plan_neighbourhood
        from .ref_store import RefStore
        from .unit_memory import head_entries

        settings = self.settings
        config = settings.load_config
        state = self._git_state()  # asked once: the stored outcomes' key holds it too
        store = RefStore(cache.directory / "refs") if cache is not None else None  # the graph at REF, by commit
        if state is None:  # git cannot say: the comparison reports why
            return changes_since(graph, str(settings.changed_since), paths, config=config, store=store, units=units)
        if before is None:  # loaded after the head, taking every unit the change left alone from the head's load
            root = Path(graph.root)
            before = graph_at(
                str(settings.changed_since),
                paths,
                root=root,
                config=config,
                store=store,
                commit=state[0],
                units=(lambda: head_entries(units, root, config, paths)) if units is not None else None,
            )
        if isinstance(scope, Neighbourhood):
            plan = scope.plan
        else:
            plan = plan_neighbourhood(
                getattr(scope, "facts", ()), before, state[1], config, graph.pipelines(), graph.unit_level().level
            )
        return changes_since(
            graph,
            str(settings.changed_since),
            paths,
            config=config,
            before=before,
            state=state,
            also_changed=plan.changed if plan is not None else (),
            also_linked=plan.affected if plan is not None else (),
        )

    def _unit_cache(self) -> UnitCache | None:
        """The warm cache: serverless_arch_cache_dir, else pytest's cache folder (none with ``-p no:cacheprovider``).

        With ``--arch-changed-since`` the loaded graph is not kept whole: a run against a ref checks a
        change, and the next one checks another tree, so pickling the whole graph for a run over the
        same tree cost every run a quarter of a second on 200 templates (the units are kept as ever).
        """
        folder = self._cache_folder()
        if folder is None:
            return None
        from .cache import UnitCache  # it reads through discovery (PyYAML): only when the gate loads

        return UnitCache(folder, keep_graphs=not self.settings.changed_since)

    def _cache_folder(self) -> Path | None:
        if not self.settings.cache:
            return None
        if self.settings.cache_dir is not None:
            return self.settings.cache_dir
        pytest_cache = getattr(self.config, "cache", None)
        if pytest_cache is None:
            return None
        return Path(pytest_cache.mkdir("serverless-arch"))

    # --- the last run's outcomes ----------------------------------------------

    def stored_runs(self) -> tuple[Any, str] | None:
        """Where the gate's outcomes are kept (``run_cache.RunCache``) and this run's key; None when never reused.

        The key holds what the outcomes depend on besides the files the load reads:
        the settings (configuration and flags), the baseline's bytes, the environment
        values ``${env:..}`` may read, the contracts, the verbosity (failure texts) and
        this package's code; with ``--arch-changed-since``, the ref, the commit it names
        and the files changed since it (what git says; the graph at a commit never
        changes). Never reused: a run that writes the baseline, one with a Python
        domain resolver, one whose git state cannot be read.
        Only the outcomes of built-in rules and contracts are kept; other rules run.
        """
        folder = self._cache_folder()
        if folder is None:
            return None
        from .run_cache import RunCache, check_key

        settings = self.settings
        since: tuple[object, ...] = ()
        if settings.changed_since:
            state = self._git_state()
            if state is None:
                return None
            since = (("changed-since", settings.changed_since, *state),)
            settings = dataclasses.replace(settings, changed_since=None)  # git's part of the key is ``since``
        key = check_key("pytest-gate", settings, repr(self.contracts), self.config.get_verbosity(), *since)
        return None if key is None else (RunCache(folder), key)

    def _git_state(self) -> tuple[str, tuple[str, ...]] | None:
        """The commit ``--arch-changed-since`` names and the files changed since it, asked of git once a run."""
        if self._since is None:
            from .changes import ChangesError, state_since

            try:
                self._since = state_since(self.settings.root, str(self.settings.changed_since))
            except ChangesError:  # the load reports it; such a run is never reused
                self._since = ()
        return self._since or None

    @property
    def load_observations(self) -> tuple[Any, ...] | None:
        """Every observation this process's load of the graph made, or None when it did not load it."""
        return self._graph_reads if self._graph is not None else None

    def recall(self) -> None:
        """Take the last run's outcomes when nothing its load observed has changed (once; never on a worker)."""
        if self._recalled or self.plan is not None or self.is_worker:
            return
        self._recalled = True
        stored = self.stored_runs()
        if stored is None:
            return
        runs, key = stored
        plan = runs.recall(key, self.settings.root)
        if isinstance(plan, dict):
            self.plan = plan

    def header(self) -> list[str]:
        try:
            kept = self.plan.get("summary") if self.plan is not None and self._graph is None else None
            summary = kept if isinstance(kept, str) else self.graph().summary()
        except Exception as exc:  # the header must never stop the run
            summary = f"cannot load the repository ({type(exc).__name__}: {exc})"
        lines = [f"serverless-arch: {summary}"]
        details = []
        if self.settings.paths_configured:
            details.append("paths: " + ", ".join(_relative(path, self.settings.root) for path in self.settings.paths))
        if self.settings.rules:
            details.append("rules: " + ", ".join(spec.rule_id for spec in self.settings.rules))
        if self.contracts:
            details.append(f"contracts: {len(self.contracts.names())}")
        baseline_state = f"{len(self.baseline)} entries" if self.settings.baseline.exists() else "none"
        details.append(f"baseline: {_relative(self.settings.baseline, self.settings.root)} ({baseline_state})")
        lines.append("serverless-arch " + "; ".join(details))
        changes = self._graph.changes if self._graph is not None else None
        if changes is not None:
            lines.append(f"serverless-arch {changes.summary()}")
        elif self.plan is not None and isinstance(self.plan.get("changes"), str):  # the last run's, nothing changed
            lines.append(f"serverless-arch {self.plan['changes']}")
        return lines

    # --- findings -----------------------------------------------------------

    def triage(self, rule_id: str, violations: list[Violation], graph: Any = None) -> Triage:
        """Suppressions, then the baseline; recorded on the running test for the summary."""
        result = triage(rule_id, violations, graph, self.resolved_baseline(), accept_all=self.settings.update_baseline)
        unknown = [] if self.deferred_unknown else self.unknown_rule_suppressions(graph)
        if self.current_item is not None:
            self.current_item.stash.setdefault(FINDINGS_KEY, []).append(_payload(result, unknown, graph))
        return result

    def resolved_baseline(self) -> Baseline:
        """The baseline, a version 1 file's names turned into identities in the repository's graph."""
        if self._resolved_baseline is None:
            try:
                graph: Any = self.graph()
            except Exception:  # the load failure is its own item
                return self.baseline
            self._resolved_baseline = self.baseline.for_graph(graph)
        return self._resolved_baseline

    def unknown_rule_suppressions(self, graph: Any) -> list[Suppression]:
        """Suppressions in ``graph`` naming no rule this session knows (nor a contract)."""
        return _unknown_rule_suppressions(graph, {f"contract:{name}" for name in self.contracts.names()})

    def found_nothing(self) -> bool:
        """True when the repository holds no deployment unit (the discovery item fails)."""
        if self._graph is None and self.plan is not None and not self.is_worker:  # the last run's, nothing changed
            return bool(self.plan["stop"]) or any(entry[1] == "discovery" for entry in self.plan["graph"])
        try:
            return not self.graph().units()
        except Exception:
            return True

    def record_report(self, report: pytest.TestReport) -> None:
        for payload in getattr(report, REPORT_ATTRIBUTE, None) or ():
            self.findings.add(payload)

    def finish(self, *, gate_active: bool = True) -> None:
        """Write the reports and, when asked to, the baseline (never on an xdist worker)."""
        if self.is_worker:
            return
        self.write_reports(gate_active=gate_active)
        if not self.settings.update_baseline:
            return
        if self.found_nothing():  # an empty run must not empty the baseline
            self.written = f"{_relative(self.settings.baseline, self.settings.root)} not written: no deployment unit was found"
            return
        before = len(self.baseline)
        updated = self.baseline.updated(self.findings.found_baseline(), self.findings.rules_run)
        updated.write(self.settings.baseline)
        self.written = (
            f"wrote {_relative(self.settings.baseline, self.settings.root)}: {len(updated)} "
            f"entr{'y' if len(updated) == 1 else 'ies'} (was {before})"
        )

    def write_reports(self, *, gate_active: bool) -> None:
        """``--arch-report`` files, and the Markdown summary when ``$GITHUB_STEP_SUMMARY`` is set and the gate ran."""
        summary = os.environ.get("GITHUB_STEP_SUMMARY", "").strip()
        wants_summary = bool(summary) and self.settings.step_summary and gate_active
        if not self.settings.reports and not wants_summary:
            return
        from .report import build_document  # the report formats (networkx for the layout) only when one is written
        from .report.files import append_step_summary, write_reports

        try:
            document = build_document(self.whole_graph(), baseline=self.baseline, extra=self._contract_findings())
        except Exception as exc:  # a report must never hide the test results
            self.reports_written.append(f"cannot build the report: {type(exc).__name__}: {exc}")
            return
        self.reports_written += write_reports(document, self.settings.reports)
        if wants_summary:
            self.reports_written.append(append_step_summary(document, Path(summary)))

    def _contract_findings(self) -> list[tuple[Any, list[Violation]]]:
        """Each contract that can be checked, with its violations (a report shows them beside the rules')."""
        from .contracts.check import check_contract, contract_rule
        from .contracts.model import ContractError

        found = []
        for contract in self.contracts.contracts:
            try:
                found.append((contract_rule(contract), check_contract(contract, self.whole_graph())))
            except ContractError:
                continue  # its item fails with the configuration error
        return found

    def summary_lines(self) -> list[str]:
        findings = self.findings
        lines: list[str] = []
        if findings.suppressed:
            lines.append(f"suppressed findings ({len(findings.suppressed)}):")
            for finding, suppression in sorted(findings.suppressed.items()):
                lines += [f"  {finding}", f"      {suppression}"]
        unused = sorted(line for line in findings.unused if line not in findings.used)
        if unused:
            lines.append(f"suppressions that suppress nothing ({len(unused)}); remove them:")
            lines += [f"  {line}" for line in unused]
        accepted = sum(findings.baselined.values())
        if accepted and not self.settings.update_baseline:
            lines.append(f"findings accepted by the baseline {_relative(self.settings.baseline, self.settings.root)}: {accepted}")
        if findings.shrunk and not self.settings.update_baseline:
            lines.append("count findings below their baseline number; record it with --arch-update-baseline:")
            lines += [f"  {entry}: {accepted} -> {now}" for entry, (accepted, now) in sorted(findings.shrunk.items())]
        # fixed entries need a baseline and a rule that ran: else nothing can be fixed, and the
        # graph is not loaded for nothing (a run whose gate is inactive never loads it)
        if not self.settings.update_baseline and findings.rules_run and len(self.baseline) and not self.found_nothing():
            fixed = findings.fixed(self.resolved_baseline())
            if fixed:
                lines.append(
                    f"baseline entries now fixed ({len(fixed)}); shrink "
                    f"{_relative(self.settings.baseline, self.settings.root)} with --arch-update-baseline:"
                )
                lines += [f"  {entry}" for entry in fixed]
        if self.written:
            lines.append(self.written)
        lines += self.reports_written
        return lines


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


def _checked(graph: DeploymentGraph, neighbourhood: Any) -> str:
    """How a check against a ref was made, for its summary line: the neighbourhood linked, or the whole graph and why."""
    if graph.link_scope is not None:
        return f"checked: the neighbourhood ({len(graph.link_scope.linked)} of {len(graph.units_by_name)} units linked)"
    reason = neighbourhood.reason if neighbourhood is not None else "no cache folder keeps the graph at the ref"
    return f"checked: the whole graph ({reason})"


def _payload(result: Triage, unknown: list[Suppression], graph: Any) -> dict[str, Any]:
    """A JSON-friendly record of one triage (it travels from xdist workers in the report)."""
    used = {suppression for _, suppression in result.suppressed}
    identities = unit_identities(graph) if graph is not None else {}
    found = []
    for violation in result.found:
        identity = finding_identity(violation, identities=identities)
        found.append(
            {
                "units": list(identity.units),
                "resources": list(identity.resources),
                "message": violation.message,
                "location": str(violation.location),
                "count": violation.count,
            }
        )
    return {
        "rule": result.rule,
        "found": found,
        "shrunk": [[e.rule, list(e.units), list(e.resources), accepted, now] for e, accepted, now in result.shrunk],
        "suppressed": [
            [str(violation), f"suppressed at {suppression.location}: {suppression.reason}"]
            for violation, suppression in result.suppressed
        ],
        "used": [str(suppression) for suppression in used],
        "baselined": len(result.baselined),
        "unused": [str(suppression) for suppression in result.unused]
        + [f"{suppression} (no rule is called {suppression.rule!r})" for suppression in unknown],
    }


def _unknown_rule_suppressions(graph: Any, contract_rules: set[str]) -> list[Suppression]:
    if graph is None:
        return []
    known = set(registered_rules()) | contract_rules
    return [suppression for suppression in suppressions_in(graph) if suppression.rule not in known]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def apply_suppressions_and_baseline(violations: Iterable[Violation], graph: Any = None, *, rule: str | None = None) -> Triage:
    """Triage ``violations`` with the running pytest session's baseline, and record it for the summary.

    This is the seam for assertion helpers: ``assert_rule`` calls it and fails
    with :meth:`Triage.failure_text` when ``not triage.passed``. Outside a
    pytest session (or with the plugin disabled) only the suppressions apply.
    """
    violations = list(violations)
    rule_id = rule or (violations[0].rule if violations else "")
    gate = active_gate()
    if gate is None:
        return triage(rule_id, violations, graph)
    return gate.triage(rule_id, violations, graph)


def assertion_filter(rule: Rule, violations: list[Violation], graph: Any) -> list[Violation]:
    """The plugin's :data:`pytest_serverless_arch.assertions.violation_filter`: what still fails."""
    return apply_suppressions_and_baseline(violations, graph, rule=rule.id).failing
