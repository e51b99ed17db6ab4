"""The plugin's options: one group, an ini option for each, a flag where a person wants one.

Every option is read once into :class:`ArchSettings`, which maps them onto a
:class:`~pytest_serverless_arch.config.LoadConfig` and the rule selection.
Flags win over ini options; ini options win over the defaults.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from .config import LoadConfig
from .levels import UNIT_LEVELS

__all__ = ["DEFAULT_BASELINE", "ArchSettings", "RuleSpec", "add_options", "parse_rule_spec", "read_settings"]

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

    @property
    def gate_configured(self) -> bool:
        """Whether the options ask for a gate (rules to run or paths to load)."""
        return bool(self.rules) or self.paths_configured


def add_options(parser: pytest.Parser) -> None:
    """Declare the ini options and flags (``pytest_addoption``)."""
    group = parser.getgroup("serverless-arch", "architecture rules for serverless repositories (pytest-serverless-arch)")

    def ini(name: str, help_text: str, kind: str = "linelist", default: Any = None) -> None:
        parser.addini(name, help=help_text, type=kind, default=default)  # type: ignore[arg-type]

    ini("serverless_arch_paths", "Directories or templates to load, relative to the rootdir (default: the rootdir).")
    group.addoption(
        "--arch-path",
        action="append",
        dest="serverless_arch_paths",
        metavar="PATH",
        help="Load this directory or template instead of serverless_arch_paths; repeatable "
        "(default: the ini option, else the rootdir).",
    )
    ini(
        "serverless_arch_ignore",
        "Glob patterns (relative to the rootdir) of files and directories not to load "
        "(default: none besides build output such as node_modules, .aws-sam, .serverless, cdk.out).",
    )
    group.addoption(
        "--arch-ignore",
        action="append",
        dest="serverless_arch_ignore",
        metavar="GLOB",
        help="Also ignore this glob; repeatable, added to serverless_arch_ignore (default: none).",
    )
    ini(
        "serverless_arch_stage",
        "Serverless Framework stage used to resolve ${opt:stage} and ${sls:stage} (default: provider.stage, else dev).",
        "string",
        "",
    )
    group.addoption(
        "--arch-stage",
        dest="serverless_arch_stage",
        metavar="STAGE",
        help="Serverless stage (default: serverless_arch_stage, else provider.stage, else dev).",
    )
    ini(
        "serverless_arch_region",
        "AWS region used to resolve templates (default: samconfig or provider region, else us-east-1).",
        "string",
        "",
    )
    group.addoption(
        "--arch-region",
        dest="serverless_arch_region",
        metavar="REGION",
        help="AWS region (default: serverless_arch_region, else samconfig/provider region, else us-east-1).",
    )
    ini(
        "serverless_arch_params",
        "NAME=VALUE lines: values for serverless ${param:NAME} variables and for CloudFormation/SAM template "
        "parameters; UNIT:NAME=VALUE sets a template parameter of one unit only. They win over pipeline "
        "parameter overrides, samconfig and Default (default: none).",
    )
    group.addoption(
        "--arch-param",
        action="append",
        dest="serverless_arch_params",
        metavar="[UNIT:]NAME=VALUE",
        help="A value for ${param:NAME} or a template parameter (UNIT:NAME for one unit); repeatable, "
        "overrides serverless_arch_params (default: none).",
    )
    ini(
        "serverless_arch_unit_level",
        "What a deployment unit is for the classifier and the rules trigger-colocated, no-unit-cycles, "
        "max-cross-unit-links and single-domain-units: stack, pipeline (the stacks one CI pipeline deploys), "
        "or auto (pipeline when the pipelines deploy every unit holding a function) (default: auto).",
        "string",
        "auto",
    )
    group.addoption(
        "--arch-unit-level",
        dest="serverless_arch_unit_level",
        choices=UNIT_LEVELS,
        help="Unit level: auto, stack or pipeline (default: serverless_arch_unit_level, else auto).",
    )
    ini(
        "serverless_arch_env",
        "Values for serverless ${env:NAME} variables: NAME=VALUE lines, or a bare NAME to "
        "read it from the process environment (default: none; the environment is never read otherwise).",
    )
    group.addoption(
        "--arch-env",
        action="append",
        dest="serverless_arch_env",
        metavar="NAME[=VALUE]",
        help="A value for ${env:NAME} (a bare NAME reads the process environment); repeatable, "
        "overrides serverless_arch_env (default: none).",
    )
    ini("serverless_arch_domain_tag", "Tag key that names a resource's or stack's domain (default: domain).", "string", "domain")
    group.addoption(
        "--arch-domain-tag",
        dest="serverless_arch_domain_tag",
        metavar="KEY",
        help="Tag key that names the domain (default: serverless_arch_domain_tag, else domain).",
    )
    ini(
        "serverless_arch_domains",
        "Domain mapping, 'GLOB = DOMAIN' lines matched against template paths, first "
        "match wins; a line with {domain} and no '=' (e.g. services/{domain}/**) is a path convention "
        "(default: none; domains then come from tags).",
    )
    ini(
        "serverless_arch_external",
        "Globs of names provided from outside the repository (export names, SSM parameter names, "
        "stack names or stack/Output), one per line; no-dangling-references accepts references to them "
        "(default: none).",
    )
    group.addoption(
        "--arch-external",
        action="append",
        dest="serverless_arch_external",
        metavar="GLOB",
        help="Also accept references to names matching GLOB as provided from outside; repeatable, added to "
        "serverless_arch_external (default: none).",
    )
    ini(
        "serverless_arch_rules",
        "Rules to run as test items, one per line: a rule id, then KEY=VALUE options "
        "(values are JSON, else strings). Rules defined in the repository (conftest.py) are always collected "
        "(default: none).",
    )
    ini(
        "serverless_arch_pattern_tolerance",
        "The share of trigger edges (0 to below 0.5) that may cross units in a repository the pattern rule "
        "still calls trigger-grouped; each is named as an exception (default: 0.1). A 'pattern' line's own "
        "tolerance=... wins.",
        "string",
        "",
    )
    group.addoption(
        "--arch-pattern-tolerance",
        dest="serverless_arch_pattern_tolerance",
        metavar="SHARE",
        help="Pattern tolerance (default: serverless_arch_pattern_tolerance, else 0.1).",
    )
    group.addoption(
        "--arch-rule",
        action="append",
        dest="serverless_arch_rules",
        metavar="'ID [KEY=VALUE ...]'",
        help="Run this rule as a test item; repeatable, replaces serverless_arch_rules (default: the ini).",
    )
    ini(
        "serverless_arch_baseline",
        f"Baseline file of accepted violations, relative to the rootdir (default: {DEFAULT_BASELINE}).",
        "string",
        DEFAULT_BASELINE,
    )
    group.addoption(
        "--arch-baseline",
        dest="serverless_arch_baseline",
        metavar="PATH",
        help=f"Baseline file (default: serverless_arch_baseline, else {DEFAULT_BASELINE}).",
    )
    group.addoption(
        "--arch-update-baseline",
        action="store_true",
        dest="serverless_arch_update_baseline",
        default=False,
        help="Write every current violation of the rules run into the baseline file and pass "
        "(default: off; refuses to create a missing baseline when CI is set).",
    )
    ini(
        "serverless_arch_reports",
        "Report files to write after the run, relative to the rootdir; the format comes from the suffix: "
        ".html, .mmd, .md, .dot, .sarif, .json, .txt (default: none).",
    )
    group.addoption(
        "--arch-report",
        action="append",
        dest="serverless_arch_reports",
        metavar="FILE",
        help="Write the deployment report to FILE after the run, in the format its suffix names "
        "(.html .mmd .md .dot .sarif .json .txt); repeatable, replaces serverless_arch_reports (default: none).",
    )
    ini(
        "serverless_arch_step_summary",
        "Append the Markdown report to the file named by $GITHUB_STEP_SUMMARY when that variable is set (default: true).",
        "bool",
        True,
    )
    group.addoption(
        "--arch-no-step-summary",
        action="store_false",
        dest="serverless_arch_step_summary",
        default=None,
        help="Do not append the Markdown report to $GITHUB_STEP_SUMMARY (default: append when it is set).",
    )
    ini(
        "serverless_arch_diagram_on_failure",
        "A failing rule item's text ends with a Mermaid diagram of the units involved (default: false).",
        "bool",
        False,
    )
    group.addoption(
        "--arch-diagram-on-failure",
        action="store_true",
        dest="serverless_arch_diagram_on_failure",
        default=None,
        help="End a failing rule item's text with a Mermaid diagram of the units involved "
        "(default: serverless_arch_diagram_on_failure, else off).",
    )


def read_settings(config: pytest.Config) -> ArchSettings:
    """Resolve every option into :class:`ArchSettings` (raises :class:`SettingsError`)."""
    root = config.rootpath

    def lines(name: str) -> list[str]:
        flag = config.getoption(name, default=None)
        if flag:
            return [str(line) for line in flag]
        return [str(line).strip() for line in config.getini(name) or () if str(line).strip()]

    def text(name: str, default: str = "") -> str:
        flag = config.getoption(name, default=None)
        return str(flag) if flag else (str(config.getini(name) or "").strip() or default)

    path_lines = lines("serverless_arch_paths")
    ignore = [str(line).strip() for line in config.getini("serverless_arch_ignore") or () if str(line).strip()]
    ignore += config.getoption("serverless_arch_ignore", default=None) or []
    external = [str(line).strip() for line in config.getini("serverless_arch_external") or () if str(line).strip()]
    external += config.getoption("serverless_arch_external", default=None) or []
    env, env_allow = _env_values(lines("serverless_arch_env"))
    domains, domain_path = _domain_mapping(config.getini("serverless_arch_domains") or ())
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
    )
    baseline_text = text("serverless_arch_baseline", DEFAULT_BASELINE)
    return ArchSettings(
        root=root,
        paths=tuple((root / line).resolve() for line in path_lines) or (root,),
        paths_configured=bool(path_lines),
        load_config=load_config,
        rules=tuple(
            _with_tolerance(parse_rule_spec(line), text("serverless_arch_pattern_tolerance"))
            for line in lines("serverless_arch_rules")
        ),
        baseline=(root / baseline_text).resolve(),
        baseline_configured=baseline_text != DEFAULT_BASELINE,
        update_baseline=bool(config.getoption("serverless_arch_update_baseline", default=False)),
        # a flag's file is relative to where pytest was run (as --junitxml), an ini line's to the rootdir
        reports=tuple(
            _report_path(config.invocation_params.dir if config.getoption("serverless_arch_reports", None) else root, line)
            for line in lines("serverless_arch_reports")
        ),
        step_summary=_flag_or_ini(config, "serverless_arch_step_summary"),
        diagram_on_failure=_flag_or_ini(config, "serverless_arch_diagram_on_failure"),
    )


def _flag_or_ini(config: pytest.Config, name: str) -> bool:
    flag = config.getoption(name, default=None)
    return bool(config.getini(name)) if flag is None else bool(flag)


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
