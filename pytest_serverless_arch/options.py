"""The plugin's options: one group, an ini option for each, a flag where a person wants one.

Every option is read once into :class:`ArchSettings`, which maps them onto a
:class:`~pytest_serverless_arch.config.LoadConfig` and the rule selection.
Flags win over ini options; ini options win over the defaults.
"""

from __future__ import annotations

import difflib
import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from .config import LoadConfig
from .levels import UNIT_LEVELS

if TYPE_CHECKING:  # the CLI reads settings without importing pytest
    import pytest

    from .configfile import ConfigFile

__all__ = [
    "DEFAULT_BASELINE",
    "OPTIONS",
    "ArchSettings",
    "Option",
    "RuleSpec",
    "SettingsError",
    "SettingsSource",
    "add_options",
    "check_setting_names",
    "parse_rule_spec",
    "read_settings",
    "resolve_settings",
]

DEFAULT_BASELINE = ".serverless-arch-baseline.json"


class SettingsError(ValueError):
    """An option whose value cannot be understood (a configuration error, not a violation)."""


@dataclass(frozen=True)
class RuleSpec:
    """One line of ``serverless_arch_rules``: a rule id and the options it runs with.

    >>> parse_rule_spec("max-cross-unit-links limit=3")
    RuleSpec(rule_id='max-cross-unit-links', options=mappingproxy({'limit': 3}))
    """

    rule_id: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))

    def __str__(self) -> str:
        return " ".join([self.rule_id, *(f"{key}={json.dumps(value)}" for key, value in self.options.items())])


@dataclass(frozen=True)
class ArchSettings:
    """Everything the options say, resolved against the rootdir."""

    root: Path
    paths: tuple[Path, ...]
    paths_configured: bool  # paths were set explicitly (the gate then runs even without rules)
    load_config: LoadConfig
    rules: tuple[RuleSpec, ...]
    baseline: Path
    baseline_configured: bool
    update_baseline: bool
    reports: tuple[Path, ...] = ()  # --arch-report files, format from the suffix
    step_summary: bool = True  # append the Markdown report to $GITHUB_STEP_SUMMARY when it is set
    diagram_on_failure: bool = False  # a failing rule item shows the Mermaid diagram of the units involved
    config_file: Path | None = None  # the inifile the settings came from (None: none was found)
    changed_since: str | None = None  # a git ref: check only what a change since it touches
    cache: bool = True  # keep loaded units between runs (cache.py); --arch-no-cache / --no-cache turn it off
    cache_dir: Path | None = None  # None: pytest's cache folder, or the user's cache folder for the command line

    @property
    def configuration(self) -> ConfigFile:
        """The configuration file, for readers of other tables in it (``[tool.serverless-arch.contracts.<name>]``).

        >>> settings.configuration.tool_table("contracts")  # doctest: +SKIP
        """
        from .configfile import ConfigFile, read_config_file

        values = read_config_file(self.config_file) if self.config_file is not None else None
        return ConfigFile(self.root, self.config_file, values or {})

    @property
    def gate_configured(self) -> bool:
        """Whether the options ask for a gate (rules to run or paths to load)."""
        return bool(self.rules) or self.paths_configured


@dataclass(frozen=True)
class Option:
    """One setting: its ini key (``serverless_arch_*``) and the flag that overrides it.

    The pytest plugin and the CLI both declare their options from :data:`OPTIONS`,
    so a new setting is one entry here (flag names like ``--arch-stage`` are the same in both).
    """

    name: str  # the ini key, also the flag's dest
    help: str  # the ini option's help
    kind: str = "linelist"  # linelist | string | bool (a flag without an ini key)
    default: Any = None
    flag: str | None = None
    flag_help: str = ""
    metavar: str | None = None
    repeat: bool = False  # the flag may be given several times
    ini: bool = True  # False: a flag only
    choices: tuple[str, ...] | None = None  # the flag's accepted values
    action: str | None = None  # store_true / store_false for a flag that sets a bool ini option
    cli: bool = True  # False: a pytest-run option the CLI does not take (report files, step summary)

    def flag_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``addoption``/``add_argument`` (the same in pytest and argparse)."""
        kwargs: dict[str, Any] = {"dest": self.name, "help": self.flag_help}
        if self.action is not None:
            kwargs.update(action=self.action, default=None)  # None: not given, the ini option decides
        elif self.kind == "bool":
            kwargs.update(action="store_true", default=False)
        else:
            kwargs.update(metavar=self.metavar, action="append" if self.repeat else "store")
            if self.choices is not None:
                kwargs["choices"] = self.choices
        return kwargs


OPTIONS: tuple[Option, ...] = (
    Option(
        "serverless_arch_paths",
        "Directories or templates to load, relative to the rootdir (default: the rootdir).",
        flag="--arch-path",
        repeat=True,
        metavar="PATH",
        flag_help="Load this directory or template instead of serverless_arch_paths; repeatable "
        "(default: the ini option, else the rootdir).",
    ),
    Option(
        "serverless_arch_ignore",
        "Glob patterns (relative to the rootdir) of files and directories not to load "
        "(default: none besides build output such as node_modules, .aws-sam, .serverless, cdk.out).",
        flag="--arch-ignore",
        repeat=True,
        metavar="GLOB",
        flag_help="Also ignore this glob; repeatable, added to serverless_arch_ignore (default: none).",
    ),
    Option(
        "serverless_arch_stage",
        "Serverless Framework stage used to resolve ${opt:stage} and ${sls:stage} (default: provider.stage, else dev).",
        "string",
        "",
        flag="--arch-stage",
        metavar="STAGE",
        flag_help="Serverless stage (default: serverless_arch_stage, else provider.stage, else dev).",
    ),
    Option(
        "serverless_arch_region",
        "AWS region used to resolve templates (default: samconfig, pipeline or provider region, else kept as ${AWS::Region}).",
        "string",
        "",
        flag="--arch-region",
        metavar="REGION",
        flag_help="AWS region (default: serverless_arch_region, else samconfig/pipeline/provider region, else ${AWS::Region}).",
    ),
    Option(
        "serverless_arch_params",
        "NAME=VALUE lines: values for serverless ${param:NAME} variables and for CloudFormation/SAM template "
        "parameters; UNIT:NAME=VALUE sets a template parameter of one unit only. They win over pipeline "
        "parameter overrides, samconfig and Default (default: none).",
        flag="--arch-param",
        repeat=True,
        metavar="[UNIT:]NAME=VALUE",
        flag_help="A value for ${param:NAME} or a template parameter (UNIT:NAME for one unit); repeatable, "
        "overrides serverless_arch_params (default: none).",
    ),
    Option(
        "serverless_arch_unit_level",
        "What a deployment unit is for the classifier and the rules trigger-colocated, no-unit-cycles, "
        "max-cross-unit-links and single-domain-units: stack, pipeline (the stacks one CI pipeline deploys), "
        "or auto (pipeline when the pipelines deploy every unit holding a function) (default: auto).",
        "string",
        "auto",
        flag="--arch-unit-level",
        choices=UNIT_LEVELS,
        flag_help="Unit level: auto, stack or pipeline (default: serverless_arch_unit_level, else auto).",
    ),
    Option(
        "serverless_arch_env",
        "Values for serverless ${env:NAME} variables: NAME=VALUE lines, or a bare NAME to "
        "read it from the process environment (default: none; the environment is never read otherwise).",
        flag="--arch-env",
        repeat=True,
        metavar="NAME[=VALUE]",
        flag_help="A value for ${env:NAME} (a bare NAME reads the process environment); repeatable, "
        "overrides serverless_arch_env (default: none).",
    ),
    Option(
        "serverless_arch_domain_tag",
        "Tag key that names a resource's or stack's domain (default: domain).",
        "string",
        "domain",
        flag="--arch-domain-tag",
        metavar="KEY",
        flag_help="Tag key that names the domain (default: serverless_arch_domain_tag, else domain).",
    ),
    Option(
        "serverless_arch_domains",
        "Domain mapping, 'GLOB = DOMAIN' lines matched against template paths, first "
        "match wins; a line with {domain} and no '=' (e.g. services/{domain}/**) is a path convention "
        "(default: none; domains then come from tags).",
    ),
    Option(
        "serverless_arch_external",
        "Globs of names provided from outside the repository (export names, SSM parameter names, "
        "stack names or stack/Output), one per line; no-dangling-references accepts references to them "
        "(default: none).",
        flag="--arch-external",
        repeat=True,
        metavar="GLOB",
        flag_help="Also accept references to names matching GLOB as provided from outside; repeatable, added to "
        "serverless_arch_external (default: none).",
    ),
    Option(
        "serverless_arch_changed_since",
        "A git ref (origin/main, HEAD~1): check only the units whose files changed since it and every unit "
        "linked to them, and compare with the repository at it for no-breaking-removals (default: none, check everything).",
        "string",
        "",
        flag="--arch-changed-since",
        metavar="REF",
        flag_help="Check what changed since git ref REF (default: serverless_arch_changed_since, else everything).",
    ),
    Option(
        "serverless_arch_rules",
        "Rules to run as test items, one per line: a rule id, then KEY=VALUE options "
        "(values are JSON, else strings). Rules defined in the repository (conftest.py) are always collected "
        "(default: none).",
        flag="--arch-rule",
        repeat=True,
        metavar="'ID [KEY=VALUE ...]'",
        flag_help="Run this rule as a test item; repeatable, replaces serverless_arch_rules (default: the ini).",
    ),
    Option(
        "serverless_arch_baseline",
        f"Baseline file of accepted violations, relative to the rootdir (default: {DEFAULT_BASELINE}).",
        "string",
        DEFAULT_BASELINE,
        flag="--arch-baseline",
        metavar="PATH",
        flag_help=f"Baseline file (default: serverless_arch_baseline, else {DEFAULT_BASELINE}).",
    ),
    Option(
        "serverless_arch_update_baseline",
        "",
        "bool",
        False,
        flag="--arch-update-baseline",
        ini=False,
        flag_help="Write every current violation of the rules run into the baseline file and pass "
        "(default: off; refuses to create a missing baseline when CI is set).",
    ),
    Option(
        "serverless_arch_pattern_tolerance",
        "The share of trigger edges (0 to below 0.5) that may cross units in a repository the pattern rule "
        "still calls trigger-grouped; each is named as an exception (default: 0.1). A 'pattern' line's own "
        "tolerance=... wins.",
        "string",
        "",
        flag="--arch-pattern-tolerance",
        metavar="SHARE",
        flag_help="Pattern tolerance (default: serverless_arch_pattern_tolerance, else 0.1).",
    ),
    Option(
        "serverless_arch_reports",
        "Report files to write after the run, relative to the rootdir; the format comes from the suffix: "
        ".html, .mmd, .md, .dot, .sarif, .json, .txt (default: none).",
        flag="--arch-report",
        repeat=True,
        metavar="FILE",
        flag_help="Write the deployment report to FILE after the run, in the format its suffix names "
        "(.html .mmd .md .dot .sarif .json .txt); repeatable, replaces serverless_arch_reports (default: none).",
        cli=False,  # the CLI writes one report: --format and --output
    ),
    Option(
        "serverless_arch_step_summary",
        "Append the Markdown report to the file named by $GITHUB_STEP_SUMMARY when that variable is set (default: true).",
        "bool",
        True,
        flag="--arch-no-step-summary",
        action="store_false",
        flag_help="Do not append the Markdown report to $GITHUB_STEP_SUMMARY (default: append when it is set).",
        cli=False,
    ),
    Option(
        "serverless_arch_diagram_on_failure",
        "A failing rule item's text ends with a Mermaid diagram of the units involved (default: false).",
        "bool",
        False,
        flag="--arch-diagram-on-failure",
        action="store_true",
        flag_help="End a failing rule item's text with a Mermaid diagram of the units involved "
        "(default: serverless_arch_diagram_on_failure, else off).",
        cli=False,
    ),
    Option(
        "serverless_arch_cache_dir",
        "Folder of the warm cache, which keeps loaded units by the content of every file they read, "
        "relative to the rootdir (default: pytest's cache folder, .pytest_cache/d/serverless-arch, in a pytest run; "
        "$XDG_CACHE_HOME/pytest-serverless-arch/units, else ~/.cache/pytest-serverless-arch/units, for the command line).",
        "string",
        "",
        flag="--arch-cache-dir",
        metavar="DIR",
        flag_help="Keep the warm cache in DIR (default: serverless_arch_cache_dir, else pytest's cache folder; "
        "the command line: ~/.cache/pytest-serverless-arch/units).",
    ),
    Option(
        "serverless_arch_jobs",
        "How many processes load the units: a number, or auto for as many as pay on this machine "
        "(forked workers where safe; 1 loads them in this process; default: auto).",
        "string",
        "",
        flag="--arch-jobs",
        metavar="N",
        flag_help="Load the units in N processes (auto: as many as pay; 1: in this process; "
        "default: serverless_arch_jobs, else auto).",
    ),
    Option(
        "serverless_arch_no_cache",
        "",
        "bool",
        False,
        flag="--arch-no-cache",
        ini=False,
        flag_help="Read every unit again: neither use nor write the warm cache (default: use it; "
        "-p no:cacheprovider also turns it off in a pytest run, unless serverless_arch_cache_dir names a folder).",
    ),
)
"""Every setting, in the order ``--help`` lists them."""

INI_KEYS = frozenset(option.name for option in OPTIONS if option.ini)


def add_options(parser: pytest.Parser) -> None:
    """Declare the ini options and flags (``pytest_addoption``)."""
    group = parser.getgroup("serverless-arch", "architecture rules for serverless repositories (pytest-serverless-arch)")
    for option in OPTIONS:
        if option.ini:
            parser.addini(option.name, help=option.help, type=option.kind, default=option.default)  # type: ignore[arg-type]
        if option.flag:
            group.addoption(option.flag, **option.flag_kwargs())


class SettingsSource(Protocol):
    """Where settings come from: flags (None when not given) and ini values (typed as pytest's ``getini``)."""

    @property
    def root(self) -> Path: ...

    @property
    def config_path(self) -> Path | None: ...

    @property
    def invocation_dir(self) -> Path: ...

    def flag(self, name: str) -> Any: ...

    def ini(self, name: str) -> Any: ...


@dataclass(frozen=True)
class PytestSource:
    """The settings of a pytest run."""

    config: pytest.Config

    @property
    def root(self) -> Path:
        return self.config.rootpath

    @property
    def config_path(self) -> Path | None:
        return self.config.inipath

    @property
    def invocation_dir(self) -> Path:
        return self.config.invocation_params.dir

    def flag(self, name: str) -> Any:
        return self.config.getoption(name, default=None)

    def ini(self, name: str) -> Any:
        return self.config.getini(name)


def read_settings(config: pytest.Config) -> ArchSettings:
    """Resolve every option of a pytest run into :class:`ArchSettings` (raises :class:`SettingsError`)."""
    if config.inipath is not None:
        from .configfile import ConfigFileError, read_config_file

        try:
            keys = list(read_config_file(Path(config.inipath)) or {})
        except ConfigFileError:  # pytest read it already; what it could not read is its own error
            keys = []
        check_setting_names(keys, config.inipath.name)
    return resolve_settings(PytestSource(config))


def check_setting_names(keys: Iterable[str], where: str) -> None:
    """A ``serverless_arch_*`` key that is no setting is a typo: :class:`SettingsError` with the closest name."""
    for key in keys:
        if key.startswith("serverless_arch") and key not in INI_KEYS:
            close = difflib.get_close_matches(key, sorted(INI_KEYS), n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; settings: {', '.join(sorted(INI_KEYS))}"
            raise SettingsError(f"{where}: unknown setting {key}{hint}")


def resolve_settings(source: SettingsSource) -> ArchSettings:
    """Every option from ``source`` (flags win over ini values, ini values over defaults)."""
    root = source.root

    def lines(name: str) -> list[str]:
        flag = source.flag(name)
        if flag:
            return [str(line) for line in flag]
        return [str(line).strip() for line in source.ini(name) or () if str(line).strip()]

    def text(name: str, default: str = "") -> str:
        flag = source.flag(name)
        return str(flag) if flag else (str(source.ini(name) or "").strip() or default)

    path_lines = lines("serverless_arch_paths")
    ignore = [str(line).strip() for line in source.ini("serverless_arch_ignore") or () if str(line).strip()]
    ignore += source.flag("serverless_arch_ignore") or []
    external = [str(line).strip() for line in source.ini("serverless_arch_external") or () if str(line).strip()]
    external += source.flag("serverless_arch_external") or []
    env, env_allow = _env_values(lines("serverless_arch_env"))
    domains, domain_path = _domain_mapping(source.ini("serverless_arch_domains") or ())
    load_config = LoadConfig(
        ignore=tuple(ignore),
        stage=text("serverless_arch_stage") or None,
        region=text("serverless_arch_region") or None,
        params=_pairs(lines("serverless_arch_params"), "serverless_arch_params"),
        env=env,
        env_allow=env_allow,
        domain_tag=text("serverless_arch_domain_tag", "domain"),
        domains=domains,
        domain_path=domain_path,
        unit_level=_unit_level(text("serverless_arch_unit_level", "auto")),
        external=tuple(external),
        jobs=_jobs(text("serverless_arch_jobs", "auto")),
    )
    paths = tuple((root / line).resolve() for line in path_lines)
    for line, path in zip(path_lines, paths, strict=True):
        if not path.exists():
            raise SettingsError(f"serverless_arch_paths / --arch-path: {line!r} does not exist under {root}{_near_path(path)}")
    baseline_text = text("serverless_arch_baseline", DEFAULT_BASELINE)
    return ArchSettings(
        root=root,
        paths=paths or (root,),
        paths_configured=bool(path_lines),
        load_config=load_config,
        rules=tuple(
            _with_tolerance(parse_rule_spec(line), text("serverless_arch_pattern_tolerance"))
            for line in lines("serverless_arch_rules")
        ),
        baseline=(root / baseline_text).resolve(),
        baseline_configured=baseline_text != DEFAULT_BASELINE,
        update_baseline=bool(source.flag("serverless_arch_update_baseline")),
        # a flag's file is relative to where pytest was run (as --junitxml), an ini line's to the rootdir
        reports=tuple(
            _report_path(source.invocation_dir if source.flag("serverless_arch_reports") else root, line)
            for line in lines("serverless_arch_reports")
        ),
        step_summary=_flag_or_ini(source, "serverless_arch_step_summary"),
        diagram_on_failure=_flag_or_ini(source, "serverless_arch_diagram_on_failure"),
        changed_since=text("serverless_arch_changed_since") or None,
        config_file=source.config_path,
        cache=not source.flag("serverless_arch_no_cache"),
        # a flag's folder is relative to where the run started, an ini line's to the rootdir
        cache_dir=_cache_dir(source),
    )


def _cache_dir(source: SettingsSource) -> Path | None:
    flag = source.flag("serverless_arch_cache_dir")
    if flag:
        return (source.invocation_dir / str(flag)).resolve()
    line = str(source.ini("serverless_arch_cache_dir") or "").strip()
    return (source.root / line).resolve() if line else None


def _flag_or_ini(source: SettingsSource, name: str) -> bool:
    flag = source.flag(name)
    return bool(source.ini(name)) if flag is None else bool(flag)


def _report_path(root: Path, line: str) -> Path:
    from .report import format_of

    try:
        format_of(line)
    except ValueError as exc:
        raise SettingsError(f"serverless_arch_reports: {exc}") from None
    return (root / line).resolve()


def _with_tolerance(spec: RuleSpec, tolerance: str) -> RuleSpec:
    """The ``pattern`` rule runs with the tolerance option unless its own line sets one."""
    if spec.rule_id != "pattern" or not tolerance or "tolerance" in spec.options:
        return spec
    from .patterns import check_tolerance

    try:
        value = check_tolerance(tolerance)
    except ValueError as exc:
        raise SettingsError(f"serverless_arch_pattern_tolerance: {exc}") from None
    return RuleSpec(spec.rule_id, {**spec.options, "tolerance": value})


def _near_path(path: Path) -> str:
    """``; did you mean 'services'?`` for a path whose parent holds a close name (a typo, most likely)."""
    parent = path.parent
    try:
        names = sorted(child.name for child in parent.iterdir()) if parent.is_dir() else []
    except OSError:
        names = []
    close = difflib.get_close_matches(path.name, names, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def parse_rule_spec(line: str) -> RuleSpec:
    """``"rule-id key=value ..."`` -> :class:`RuleSpec`; values are JSON where they parse, else strings."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise SettingsError(f"serverless_arch_rules: cannot read {line!r}: {exc}") from None
    if not words:
        raise SettingsError("serverless_arch_rules: an empty rule line")
    options: dict[str, Any] = {}
    for word in words[1:]:
        key, equals, value = word.partition("=")
        if not equals or not key:
            raise SettingsError(f"serverless_arch_rules: {line!r}: expected KEY=VALUE, got {word!r}")
        options[key.replace("-", "_")] = _json_or_text(value)
    return RuleSpec(words[0], options)


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _pairs(entries: Iterable[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for entry in entries:
        name, equals, value = entry.partition("=")
        if not equals or not name.strip():
            raise SettingsError(f"{option}: expected NAME=VALUE, got {entry!r}")
        pairs[name.strip()] = value.strip()
    return pairs


def _unit_level(value: str) -> str:
    if value not in UNIT_LEVELS:
        raise SettingsError(f"serverless_arch_unit_level: expected one of {', '.join(UNIT_LEVELS)}, got {value!r}")
    return value


def _jobs(value: str) -> int | None:
    """``auto`` (None: as many processes as pay) or a whole number of processes, at least 1.

    >>> _jobs("auto"), _jobs("2")
    (None, 2)
    """
    value = value.strip().lower()
    if value == "auto":
        return None
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"serverless_arch_jobs / --arch-jobs: {value!r} is not a number of processes (1, 2, ...) nor auto")
    return int(value)


def _env_values(entries: Sequence[str]) -> tuple[dict[str, str], tuple[str, ...]]:
    values = _pairs([entry for entry in entries if "=" in entry], "serverless_arch_env")
    allowed = tuple(entry.strip() for entry in entries if "=" not in entry)
    return values, allowed


def _domain_mapping(entries: Iterable[Any]) -> tuple[tuple[tuple[str, str], ...], str | None]:
    mapping: list[tuple[str, str]] = []
    convention: str | None = None
    for raw in entries:
        entry = str(raw).strip()
        if not entry:
            continue
        glob, equals, domain = entry.rpartition("=")
        if equals and glob.strip() and domain.strip():
            mapping.append((glob.strip(), domain.strip()))
        elif "{domain}" in entry and not equals:
            convention = entry
        else:
            raise SettingsError(f"serverless_arch_domains: expected 'GLOB = DOMAIN' or a path with {{domain}}, got {entry!r}")
    return tuple(mapping), convention
