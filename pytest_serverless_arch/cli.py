"""``python -m pytest_serverless_arch report [PATH]`` and ``... rules``, ``... contracts [PATH]``: the gate outside pytest.

Every command reads the same configuration as the plugin (:mod:`.configfile`)
and takes the plugin's flags (``--arch-stage``, ``--arch-rule`` ...), declared
once in :data:`~pytest_serverless_arch.options.OPTIONS`. Exit statuses are
:class:`~pytest_serverless_arch.check.ExitCode`: 0 nothing to report, 1
violations, 2 load errors only, 3 usage errors. A command is one
:class:`Command` in :data:`COMMANDS`; a report format is one entry in :data:`FORMATS`.

>>> main(["rules", "--format", "json"])  # doctest: +SKIP
0
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from . import files
from .check import ExitCode, UsageError, check_repository, load_rules_module, settings_for
from .collector import collector_paused, end_without_freeing, gc_held_after_big_parse, keep_to_exit
from .configfile import ConfigFileError, find_config
from .escape import printable
from .options import OPTIONS

# The report formats, as --format spells them (report/__init__.py's FORMATS: a test keeps the two equal).
# Kept here so that a report reused from the cache imports neither the report package nor networkx.
FORMATS = ("json", "text", "html", "mermaid", "dot", "sarif", "markdown")

__all__ = ["COMMANDS", "FORMATS", "Command", "main"]


# The flags ``report`` had before it read the configuration, kept as aliases; and the cache's short flags.
_ALIASES = {
    "serverless_arch_stage": ("--stage",),
    "serverless_arch_region": ("--region",),
    "serverless_arch_ignore": ("--ignore",),
    "serverless_arch_domain_tag": ("--domain-tag",),
    "serverless_arch_external": ("--external",),
    "serverless_arch_baseline": ("--baseline",),
    "serverless_arch_cache_dir": ("--cache-dir",),
    "serverless_arch_no_cache": ("--no-cache",),
    "serverless_arch_jobs": ("--jobs",),
}


class _Parser(argparse.ArgumentParser):
    """argparse, with errors as one line, exit status 3 and a "did you mean"."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}{_suggestion(self, message)}")


def _suggestion(parser: argparse.ArgumentParser, message: str) -> str:
    unknown = re.search(r"unrecognized arguments: (\S+)", message)
    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if unknown:
        known = [flag for action in _all_actions(parser) for flag in action.option_strings]
        close = difflib.get_close_matches(unknown.group(1).split("=")[0], known, n=1)
    elif choice:
        close = difflib.get_close_matches(choice.group(1), re.findall(r"'([^']*)'", choice.group(2)), n=1)
    else:
        return ""
    return f"; did you mean {close[0]}?" if close else ""


def _all_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    actions = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                actions += sub._actions
    return actions


def _configuration_arguments(parser: argparse.ArgumentParser) -> None:
    """The pytest-like flags: where the configuration is, and every ``serverless_arch_*`` setting."""
    parser.add_argument("path", nargs="?", default=".", help="repository (default: the current directory)")
    parser.add_argument("-c", "--config-file", metavar="FILE", help="read the configuration from FILE (as pytest -c)")
    parser.add_argument("--rootdir", metavar="DIR", help="the rootdir paths are relative to (as pytest --rootdir)")
    group = parser.add_argument_group("settings (the plugin's flags; each overrides its serverless_arch_* ini option)")
    for option in OPTIONS:
        if option.flag and option.cli:
            group.add_argument(option.flag, *_ALIASES.get(option.name, ()), **option.flag_kwargs())
    parser.add_argument(
        "--rules-module", metavar="PATH", action="append", default=[], help="import @rule functions from this Python file"
    )


def _settings(args: argparse.Namespace) -> Any:
    path = Path(args.path)
    if not path.exists():
        raise UsageError(f"{args.path}: no such file or directory{_near(path)}")
    try:
        config_file = find_config(
            path,
            inifile=Path(args.config_file) if args.config_file else None,
            rootdir=Path(args.rootdir).resolve() if args.rootdir else None,
        )
    except ConfigFileError as exc:
        raise UsageError(str(exc)) from None
    flags = {option.name: getattr(args, option.name, None) for option in OPTIONS}
    return settings_for(config_file, path, flags)


def _near(path: Path) -> str:
    parent = path.parent if str(path.parent) else Path(".")
    try:
        names = [child.name for child in parent.iterdir()] if parent.is_dir() else []
    except OSError:
        names = []
    close = difflib.get_close_matches(path.name, names, n=1)
    return f"; did you mean {str(parent / close[0])!r}?" if close else ""


def _load_rules(args: argparse.Namespace) -> None:
    from .rules.plugins import load_rule_plugins

    for _, problem in load_rule_plugins():
        raise UsageError(problem)
    for module in getattr(args, "rules_module", []):
        load_rules_module(Path(module))


# --- report ---------------------------------------------------------------------------


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    _configuration_arguments(parser)
    parser.add_argument("--format", choices=FORMATS, default="json", help="output format (default: json)")
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="text format: list every cross-unit link (default: a count per unit pair)"
    )
    parser.add_argument("--output", "-o", metavar="FILE", default=None, help="write the report to FILE (default: stdout)")
    parser.add_argument(
        "--only-violations",
        action="store_true",
        help="mermaid/dot/markdown diagrams: only the units involved in failing violations (default: every unit)",
    )
    parser.add_argument(
        "--changed",
        action="append",
        default=[],
        metavar="FILE",
        help="mermaid/dot/markdown diagrams: only the units whose template (or its directory) holds FILE; repeatable",
    )
    parser.add_argument(
        "--ignore-load-errors", action="store_true", help="exit 0, not 2, when files could not be read (default: off)"
    )
    parser.add_argument("--fail-on-errors", action="store_true", help=argparse.SUPPRESS)  # load errors exit 2 now anyway


@dataclass(frozen=True)
class _Report:
    """What ``report`` prints: the rendered report, the error lines for stderr and the exit status."""

    output: str
    errors: tuple[str, ...]
    exit_code: int


def _report(args: argparse.Namespace) -> int:
    # The whole command runs with the cyclic collector paused: it builds hundreds of thousands of long-lived
    # objects and no cycles worth collecting, and every full collection walked all of them again (a fifth of a
    # cold corpus run, a quarter of a warm one with one template edited; peak memory within 1 MB of the same).
    with collector_paused():
        return _report_paused(args)


def _report_paused(args: argparse.Namespace) -> int:
    settings = _settings(args)
    stored = _stored_reports(settings, args)
    if stored is not None:
        runs, key = stored
        reused = runs.recall(key, settings.root)
        if isinstance(reused, _Report):  # nothing the last run read has changed: its report, as it was
            return _emit(args, reused, [])
    _load_rules(args)
    from .report import build_document, render

    # every file the check reads is recorded: the next run reuses this report while all of them say the same
    # (without a cache to keep the report in, nothing reads the record: nothing is recorded)
    recorded = files.recording() if stored is not None else contextlib.nullcontext(None)
    with recorded as log, gc_held_after_big_parse():  # the report of a big template: see load()
        check = check_repository(settings)
        document = build_document(check.graph, check=check)
        units: set[str] | None = None
        if args.only_violations or args.changed:
            units = set()
            if args.only_violations:
                units |= document.units_in_violations()
            if args.changed:
                units |= document.units_of_paths(args.changed)
        output = render(document, args.format, units=units, verbose=args.verbose)
    report = _Report(output, tuple(check.usage_errors), int(check.exit_code(ignore_load_errors=args.ignore_load_errors)))
    warnings = [check.cache.problem] if check.cache is not None and check.cache.problem else []
    if stored is not None and log is not None and not warnings:
        stored[0].keep(stored[1], log, report)
    notes = [check.baseline_written] if check.baseline_written else []
    keep_to_exit(check, document, log)  # a process that ends at once does not free them one by one
    return _emit(args, report, [f"warning: {warning}" for warning in warnings], notes)


def _emit(args: argparse.Namespace, report: _Report, warnings: list[str], notes: Sequence[str] = ()) -> int:
    if args.output:  # written whatever the exit status, as stdout is
        # a lone surrogate from a repository's name is written escaped, never a UnicodeEncodeError
        Path(args.output).write_text(report.output, encoding="utf-8", errors="backslashreplace")
    else:
        _write_to_stdout(report.output)
    for message in report.errors:
        sys.stderr.write(f"error: {message}\n")
    for line in [*notes, *warnings]:
        sys.stderr.write(f"{line}\n")
    return report.exit_code


_RULE_PLUGINS = "pytest_serverless_arch.rules"  # rules.plugins.ENTRY_POINT_GROUP (a test keeps the two equal)


def _stored_reports(settings: Any, args: argparse.Namespace) -> tuple[Any, str] | None:
    """The stored reports and this run's key, when this run's report may be reused (see :mod:`.run_cache`).

    The key holds everything the report depends on besides the files the run reads:
    the settings (configuration and flags), the report's own flags, the baseline's
    bytes, the environment values ``${env:..}`` may read, the working folder, where
    the enclosing git checkout is (SARIF paths) and this package's code. Never
    reused: a run that writes the baseline, one that reads git (``--arch-changed-since``),
    one with rules from outside this package (``--rules-module``, installed rule packages)
    and ``--no-cache``.
    """
    if not settings.cache or args.rules_module:
        return None
    from .installed import installed_entry_points

    if installed_entry_points(_RULE_PLUGINS):
        return None
    from .cache import default_cache_dir
    from .run_cache import RunCache, check_key

    root = Path(settings.root)
    key = check_key(
        "report",
        settings,
        os.getcwd(),
        tuple(os.path.exists(folder / ".git") for folder in (root, *root.parents)),
        (args.format, args.verbose, args.only_violations, tuple(args.changed), args.ignore_load_errors),
    )
    return None if key is None else (RunCache(settings.cache_dir or default_cache_dir()), key)


def _write_to_stdout(output: str) -> None:
    """Write a report; on a terminal, with every control character of the repository's names escaped."""
    if sys.stdout.isatty():  # an escape sequence in a logical id must not drive the terminal, whatever the format
        output = "\n".join(printable(line) for line in output.split("\n"))
    # replaced by something that is not a text stream (pytest's capture): it takes any str as it is
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    sys.stdout.write(output)


# --- rules ----------------------------------------------------------------------------


def _rules_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument(
        "--rules-module", metavar="PATH", action="append", default=[], help="import @rule functions from this Python file"
    )


def _rules(args: argparse.Namespace) -> int:
    from .rules import BUILTIN_RULES
    from .rules.base import registered_rules

    _load_rules(args)
    listed: list[dict[str, Any]] = [
        {
            "id": rule.id,
            "summary": rule.description,
            "default": "on" if rule.id in BUILTIN_RULES else "off",
            "builtin": rule.builtin,
            "needs_domains": rule.needs_domains,
            "docs_url": rule.docs_url,
        }
        for rule in sorted(registered_rules().values(), key=lambda found: (not found.builtin, found.id))
    ]
    if args.format == "json":
        sys.stdout.write(json.dumps(listed, indent=2) + "\n")
        return ExitCode.OK
    width = max((len(rule["id"]) for rule in listed), default=0)
    for rule in listed:
        origin = "" if rule["builtin"] else "  (installed)"
        sys.stdout.write(f"{rule['id']:<{width}}  {rule['default']:<3}  {rule['summary']}{origin}\n")
        if rule["docs_url"]:
            sys.stdout.write(f"{'':<{width}}       {rule['docs_url']}\n")
    return ExitCode.OK


@dataclass(frozen=True)
class Command:
    """A sub-command: its name, help, arguments and what it runs (returning an exit status)."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# --- contracts --------------------------------------------------------------------------


def _contracts_arguments(parser: argparse.ArgumentParser) -> None:
    _configuration_arguments(parser)


def _contracts(args: argparse.Namespace) -> int:
    from .contracts.command import run_contracts

    settings = _settings(args)
    if Path(args.path).resolve() != settings.root:
        # the contracts are the whole repository's: a PATH inside it finds its configuration, the rootdir is checked
        settings = _settings(argparse.Namespace(**{**vars(args), "path": str(settings.root)}))
    return run_contracts(args.path, settings=settings)


COMMANDS = (
    Command("report", "load a repository, run its configured rules and print the report", _report_arguments, _report),
    Command("rules", "list every rule (built-in and installed): id, summary, default, docs", _rules_arguments, _rules),
    Command(
        "contracts",
        "check the contracts declared in the repository's configuration and print each verdict",
        _contracts_arguments,
        _contracts,
    ),
)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m pytest_serverless_arch",
        description="Deployment graph and architecture rules for serverless repositories.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        command.arguments(commands.add_parser(command.name, help=command.help, description=command.help))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; usage errors print one line on stderr and return 3."""
    try:
        args = _parser().parse_args(argv)
        command = next(command for command in COMMANDS if command.name == args.command)
        return int(command.run(args))
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return int(ExitCode.USAGE_ERROR)


def run() -> NoReturn:
    """The ``serverless-arch`` command and ``python -m pytest_serverless_arch``: :func:`main`, then exit at once.

    A repository's graph is hundreds of thousands of objects; freeing them one by one at
    interpreter exit took about 0.45 s of a 3 s warm run on the shared corpus, after every
    output was written. So the streams are flushed and the process ends without that walk,
    unless a tracer or profiler (coverage, a debugger, cProfile) is attached and needs its own exit handlers.
    A reader that goes away early (``| head``) ends the run quietly with 1, as Python's docs advise.
    """
    traced = sys.gettrace() is not None or sys.getprofile() is not None or "coverage" in sys.modules
    if not traced:
        end_without_freeing()  # what main() builds is left to the end of the process, never freed one by one
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        code = 1
    sys.stderr.flush()
    if traced:
        raise SystemExit(code)
    os._exit(code)
