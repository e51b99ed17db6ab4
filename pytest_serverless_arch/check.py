"""The gate outside pytest: the configured rules, suppressions and baseline on one repository.

The CLI's ``report`` command (and any later command) calls :func:`check_repository`
with the settings :mod:`.options` resolved from the same configuration file the
plugin reads, so a finding is reported identically by both. Rules come from the
built-in set, installed rule packages (entry points) and an explicit
``--rules-module``; ``conftest.py`` is never imported here, and rules that only a
``conftest.py`` defines are counted as not run.

>>> from pathlib import Path
>>> from pytest_serverless_arch.configfile import find_config
>>> config = find_config(Path("sample_repos/monolith-online-shop"))  # doctest: +SKIP
>>> check = check_repository(settings_for(config, Path("sample_repos/monolith-online-shop")))  # doctest: +SKIP
>>> check.exit_code()  # doctest: +SKIP
0
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import files
from .collector import gc_held_after_big_parse
from .config import DEFAULT_IGNORED_DIRS
from .configfile import ConfigFile
from .options import ArchSettings, RuleSpec, SettingsError, check_setting_names, resolve_settings

if TYPE_CHECKING:  # the loaders, networkx and the rules are imported when a check runs, not by the CLI's fast path
    from .baseline import Baseline
    from .cache import UnitCache
    from .evaluation import RuleRun
    from .graph import DeploymentGraph

__all__ = ["ExitCode", "RepositoryCheck", "UsageError", "check_repository", "load_rules_module", "settings_for"]


class ExitCode(IntEnum):
    """The CLI's exit statuses (documented in docs/configuration.md)."""

    OK = 0  # nothing to report
    VIOLATIONS = 1  # violations that are neither suppressed nor baselined
    LOAD_ERRORS = 2  # files that could not be read, and no violations (0 with --ignore-load-errors)
    USAGE_ERROR = 3  # a missing path, an unknown option or rule, a selection naming nothing, bad configuration


class UsageError(Exception):
    """A configuration or command-line error: one line naming the setting and the fix."""


@dataclass(frozen=True)
class _CliSource:
    """Settings from a configuration file and command-line flags (the plugin's :class:`PytestSource`, outside pytest)."""

    root: Path
    config_file: ConfigFile
    flags: dict[str, Any]

    @property
    def config_path(self) -> Path | None:
        return self.config_file.path

    @property
    def invocation_dir(self) -> Path:
        return Path.cwd()

    def flag(self, name: str) -> Any:
        return self.flags.get(name)

    def ini(self, name: str) -> Any:
        from .options import OPTIONS

        option = next(option for option in OPTIONS if option.name == name)
        return self.config_file.value(name, option.kind, option.default)


def settings_for(config_file: ConfigFile, path: Path, flags: dict[str, Any] | None = None) -> ArchSettings:
    """The settings for checking ``path``: its configuration file, then ``flags`` (dest -> value) on top.

    A ``path`` other than the rootdir is what is loaded (as ``--arch-path`` would);
    findings are still located relative to the rootdir.
    """
    where = config_file.path.name if config_file.path is not None else "the configuration"
    try:
        check_setting_names(config_file.settings(), where)
        flags = dict(flags or {})
        resolved = path.resolve()
        if not flags.get("serverless_arch_paths") and resolved != config_file.rootdir:
            flags["serverless_arch_paths"] = [str(resolved)]
        return resolve_settings(_CliSource(config_file.rootdir, config_file, flags))
    except SettingsError as exc:
        raise UsageError(str(exc)) from None


@dataclass
class RepositoryCheck:
    """What checking one repository found."""

    settings: ArchSettings
    graph: DeploymentGraph
    runs: list[RuleRun] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)  # rule ids only a conftest.py defines
    nothing_found: str | None = None  # why no unit was found, when none was
    baseline_written: str | None = None
    cache: UnitCache | None = None  # the warm cache the units came through (None: --no-cache)

    @property
    def usage_errors(self) -> list[str]:
        errors = [run.error for run in self.runs if run.error]
        return errors + ([self.nothing_found] if self.nothing_found else [])

    def exit_code(self, *, ignore_load_errors: bool = False) -> ExitCode:
        if self.usage_errors:
            return ExitCode.USAGE_ERROR
        if any(run.result is not None and not run.result.passed for run in self.runs):
            return ExitCode.VIOLATIONS
        if self.graph.errors and not ignore_load_errors:
            return ExitCode.LOAD_ERRORS
        return ExitCode.OK


def check_repository(settings: ArchSettings, *, default_rules: Sequence[str] | None = None) -> RepositoryCheck:
    """Load the repository and run its rules (``serverless_arch_rules``, else ``default_rules``: the built-in set).

    Raises :class:`UsageError` for what stops the check before it starts (a bad baseline, an unknown rule).
    """
    from .baseline import Baseline, BaselineError
    from .cache import UnitCache, default_cache_dir
    from .evaluation import run_rule
    from .loading import load
    from .rules import BUILTIN_RULES
    from .rules.base import registered_rules
    from .vacuity import nothing_found

    default_rules = BUILTIN_RULES if default_rules is None else default_rules

    try:
        baseline = Baseline.read(settings.baseline)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None
    if settings.update_baseline and not settings.baseline.exists() and os.environ.get("CI"):
        raise UsageError(
            f"CI is set and the baseline {settings.baseline} does not exist; refusing to create it here. "
            f"Run with --arch-update-baseline locally, review the file and commit it."
        )
    specs = list(settings.rules) or [RuleSpec(rule_id) for rule_id in default_rules]
    if settings.changed_since and not settings.rules:
        specs.append(RuleSpec("no-breaking-removals"))
    known = registered_rules()
    declared_in_conftest = _conftest_rule_ids(settings.root)
    not_run = sorted(declared_in_conftest - set(known))
    for spec in specs:
        if spec.rule_id not in known and spec.rule_id not in declared_in_conftest:
            from .rules.base import unknown_rule_message

            raise UsageError(unknown_rule_message(spec.rule_id, known))
    with gc_held_after_big_parse():  # the rules walk what a big template built: see load()
        # the command line keeps its whole report (cli.py), not the graph: pickling a big graph costs more than linking
        cache = UnitCache(settings.cache_dir or default_cache_dir(), keep_graphs=False) if settings.cache else None
        from .unit_memory import head_cache

        units = head_cache(cache, settings.changed_since)
        graph = load([str(path) for path in settings.paths], root=str(settings.root), config=settings.load_config, cache=units)
        if settings.changed_since:
            from .changes import ChangesError, changes_since
            from .ref_store import RefStore

            store = RefStore(cache.directory / "refs") if cache is not None else None  # the graph at REF, by commit
            try:
                graph.changes = changes_since(
                    graph, settings.changed_since, list(settings.paths), config=settings.load_config, store=store, units=units
                )
            except ChangesError as exc:
                raise UsageError(f"--arch-changed-since: {exc}") from None
        check = RepositoryCheck(settings, graph, not_run=not_run, cache=cache)
        if not graph.units():
            check.nothing_found = nothing_found(list(settings.paths), settings.root, settings.load_config)
        resolved = baseline.for_graph(graph)
        for spec in specs:
            if spec.rule_id in known:
                check.runs.append(run_rule(spec, known[spec.rule_id], graph, resolved, accept_all=settings.update_baseline))
        if settings.update_baseline:
            check.baseline_written = _update_baseline(check, baseline)
        return check


def _update_baseline(check: RepositoryCheck, baseline: Baseline) -> str:
    from .baseline import Baseline

    path = check.settings.baseline
    if check.nothing_found:
        return f"{path} not written: no deployment unit was found"
    fresh = Baseline()
    ran = set()
    for run in check.runs:
        if run.result is not None:
            ran.add(run.rule.id)
            for violation in run.result.found:
                fresh.add(violation, check.graph)
    updated = baseline.for_graph(check.graph).updated(fresh, ran)
    updated.write(path)
    return f"wrote {path}: {len(updated)} entr{'y' if len(updated) == 1 else 'ies'} (was {len(baseline)})"


_RULE_DECLARATION = re.compile(r"""\brule\(\s*(?:rule_id\s*=\s*)?["']([^"']+)["']""")


def _conftest_rule_ids(root: Path) -> set[str]:
    """Rule ids that a ``conftest.py`` under ``root`` declares, read as text (never imported).

    Through :mod:`.files`, so a stored report is not reused after a ``conftest.py`` changed.
    Folders no repository's tests live in (hidden ones, dependencies, virtual environments) are not walked.
    """
    found: set[str] = set()
    for directory, dirnames, filenames in files.walk(root, root):
        dirnames[:] = [name for name in dirnames if not name.startswith(".") and name not in DEFAULT_IGNORED_DIRS]
        if "conftest.py" in filenames:
            try:
                data = files.read_bytes(Path(directory) / "conftest.py", root)
            except files.UnreadableFile:
                continue
            found.update(_RULE_DECLARATION.findall(data.decode("utf-8", errors="replace")))
    return found


def load_rules_module(path: Path) -> None:
    """Import a Python file of ``@rule`` functions (``--rules-module``; explicit only, never found by search)."""
    if not path.is_file():
        raise UsageError(f"--rules-module {path}: no such file")
    name = f"serverless_arch_rules_module_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"--rules-module {path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise UsageError(f"--rules-module {path}: cannot be imported: {type(exc).__name__}: {exc}") from None
