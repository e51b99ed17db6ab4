"""Deploy commands read from one expanded command line: what is deployed, how, with which inputs.

Understood forms (wrappers such as ``npx``, ``yarn``, ``poetry run``,
``sudo`` and ``env`` are looked through):

- ``sam build`` / ``sam package`` / ``aws cloudformation package`` remember
  which source template a built or packaged template stands for, so a later
  ``sam deploy`` of ``.aws-sam/build/template.yaml`` (or a bare ``sam deploy``)
  deploys the source;
- ``sam deploy`` / ``sam sync`` (``--template-file``/``-t``/``--template``,
  ``--stack-name``, ``--parameter-overrides`` in the ``K=V`` and
  ``ParameterKey=K,ParameterValue=V`` forms, ``--config-env``,
  ``--config-file``, ``--region``);
- ``aws cloudformation deploy | create-stack | update-stack``
  (``--template-file``, ``--template-body file://``, ``--stack-name``,
  ``--parameter-overrides``, ``--parameters``, and ``file://`` JSON in its three
  formats: ``[{"ParameterKey", "ParameterValue"}]``, ``["K=V"]``,
  ``{"Parameters": {...}}``);
- ``serverless|sls deploy`` (``--stage``, ``--region``, ``--config``,
  ``--param``; at the root of a serverless-compose project it deploys every service);
- ``terraform apply`` (``-chdir=``, ``-var``, ``-var-file``, ``TF_VAR_*``, a
  saved plan from ``terraform plan -out``); ``cdk deploy STACK... | --all``
  (``--parameters``); ``rain deploy TEMPLATE [STACK]`` (``--params``).

Example::

    sam deploy -t infra/template.yaml --stack-name shop-infra \\
        --parameter-overrides Stage=prod QueueArn=$QUEUE_ARN

gives ``Deployment(tool="sam", template="infra/template.yaml",
stack_name="shop-infra", parameters=(("Stage", ...), ("QueueArn", ...)))``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..model import Location, Note
from .model import Deployment, DeployTimeRef, ParameterValue
from .source import join_path, read_document, repo_exists
from .values import Expanded, Value

__all__ = ["Arg", "CommandFacts", "Site", "deploy_time_read", "read_command", "strip_wrappers"]


@dataclass(frozen=True)
class Arg:
    """One word of a command line after expansion, with the line it was written on."""

    expanded: Expanded
    line: int
    source: str = ""

    @property
    def text(self) -> str:
        return self.expanded.text

    @classmethod
    def of(cls, text: str, line: int = 0) -> Arg:
        return cls(Expanded.of(text), line, text)


@dataclass(frozen=True)
class Site:
    """Where a command runs."""

    root: Path
    path: str  # the file the command is written in
    line: int
    cwd: str = "."
    env: Mapping[str, Value] = field(default_factory=dict)
    job: str | None = None
    environment: str | None = None
    via: tuple[Location, ...] = ()
    built: Mapping[str, str] = field(default_factory=dict)  # built/packaged template -> source template
    plans: Mapping[str, Deployment] = field(default_factory=dict)  # terraform plan file -> the plan's inputs

    def location(self, line: int | None = None) -> Location:
        return Location(self.path, line or self.line)


@dataclass
class CommandFacts:
    """What one command line tells: deployments, build mappings, reads, notes."""

    deployments: list[Deployment] = field(default_factory=list)
    builds: list[tuple[str, str]] = field(default_factory=list)  # (built template, source template)
    plans: list[tuple[str, Deployment]] = field(default_factory=list)  # terraform plan -out file -> its inputs
    notes: list[Note] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)


# wrappers that run the next word as the command
_WRAPPERS = {"sudo", "env", "time", "exec", "command", "nohup", "xargs"}
_RUNNERS = {
    "npx": set(),
    "bunx": set(),
    "pnpx": set(),
    "yarn": set(),
    "pnpm": {"exec", "dlx"},
    "npm": {"exec", "x"},
    "poetry": {"run"},
    "pipenv": {"run"},
    "uv": {"run"},
    "pdm": {"run"},
    "hatch": {"run"},
    "dotenv": set(),
    "aws-vault": {"exec"},
}


def _tool_name(text: str) -> str:
    base = text.rsplit("/", 1)[-1]
    if base.startswith("@") and "/" in text:  # npx @scope/pkg
        base = text
    base = re.sub(r"@[\w.^~-]+$", "", base) or base  # serverless@3.38.0
    return base.removesuffix(".cmd").removesuffix(".exe")


def strip_wrappers(args: Sequence[Arg]) -> list[Arg]:
    """The command line without the runners around the real tool (``npx serverless`` -> ``serverless``)."""
    rest = list(args)
    for _ in range(6):
        if not rest:
            return rest
        name = _tool_name(rest[0].text)
        if name in _WRAPPERS:
            rest = rest[1:]
            while rest and (rest[0].text.startswith("-") or ("=" in rest[0].text and name == "env")):
                rest = rest[1:]
            continue
        if name in _RUNNERS:
            subcommands = _RUNNERS[name]
            tail = rest[1:]
            if subcommands:
                if not tail or tail[0].text not in subcommands:
                    return rest
                tail = tail[1:]
            while tail and tail[0].text.startswith("-"):
                tail = tail[1:]
            if tail and tail[0].text == "--":
                tail = tail[1:]
            if name == "yarn" and tail and tail[0].text in ("run", "exec"):
                tail = tail[1:]
            if name == "aws-vault" and tail:
                tail = tail[1:]  # the profile
                if tail and tail[0].text == "--":
                    tail = tail[1:]
            rest = tail
            continue
        return rest
    return rest


# option parsing ---------------------------------------------------------------------------


@dataclass
class _Parsed:
    options: dict[str, list[list[Arg]]] = field(default_factory=dict)
    positionals: list[Arg] = field(default_factory=list)

    def first(self, *names: str) -> Arg | None:
        for name in names:
            for values in self.options.get(name, []):
                if values:
                    return values[0]
        return None

    def all(self, *names: str) -> list[Arg]:
        out: list[Arg] = []
        for name in names:
            for values in self.options.get(name, []):
                out.extend(values)
        return out

    def has(self, *names: str) -> bool:
        return any(name in self.options for name in names)


def _parse_options(
    args: Sequence[Arg],
    *,
    flags: frozenset[str] = frozenset(),
    multi: frozenset[str] = frozenset(),
    aliases: Mapping[str, str] | None = None,
    valued: frozenset[str] | None = None,
) -> _Parsed:
    """Options as the tool's own parser would see them.

    ``valued`` lists the options taking a value when every other option is a
    flag (tools with positional arguments); otherwise every option not in
    ``flags`` takes one value, and ``multi`` options take all up to the next option.
    """
    aliases = aliases or {}
    parsed = _Parsed()
    index = 0
    while index < len(args):
        arg = args[index]
        text = arg.text
        index += 1
        if text == "--":
            parsed.positionals.extend(args[index:])
            break
        if not text.startswith("-") or text == "-" or _looks_numeric(text):
            parsed.positionals.append(arg)
            continue
        name, inline = text, None
        if "=" in text:
            name, _, _ = text.partition("=")
            inline = Arg(arg.expanded.slice(len(name) + 1), arg.line, arg.source)
        name = aliases.get(name, name)
        if inline is not None:
            parsed.options.setdefault(name, []).append([inline])
            continue
        takes_value = (name in valued or name in multi) if valued is not None else name not in flags
        if name.startswith("--no-") and name not in multi:
            takes_value = False
        values: list[Arg] = []
        if takes_value and name in multi:
            while index < len(args) and not (args[index].text.startswith("-") and not _looks_numeric(args[index].text)):
                values.append(args[index])
                index += 1
        elif takes_value and index < len(args) and not args[index].text.startswith("--"):
            values.append(args[index])
            index += 1
        parsed.options.setdefault(name, []).append(values)
    return parsed


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"-\d+(\.\d+)?", text))


# helpers ----------------------------------------------------------------------------------


def _param(expanded: Expanded, site: Site, line: int) -> ParameterValue:
    value = expanded.value
    return ParameterValue(value.text, site.location(line), value.resolved, value.ref)


def _unquote_span(text: str, start: int, end: int) -> tuple[int, int]:
    if end - start >= 2 and text[start] == text[end - 1] and text[start] in "'\"":
        return start + 1, end - 1
    return start, end


def _token_spans(text: str, opaque: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Whitespace-separated tokens of a value, quotes kept together (``K="a b" L=c``).

    Spans in ``opaque`` (symbolic text of values only known at run time) never split.
    """

    def hidden(position: int) -> bool:
        return any(start <= position < end for start, end in opaque)

    def splits(position: int) -> bool:
        return text[position].isspace() and not hidden(position)

    spans: list[tuple[int, int]] = []
    index, length = 0, len(text)
    while index < length:
        while index < length and splits(index):
            index += 1
        if index >= length:
            break
        start = index
        quote = ""
        while index < length and (quote or not splits(index)):
            char = text[index]
            if hidden(index):
                pass
            elif quote and char == quote:
                quote = ""
            elif not quote and char in "'\"":
                quote = char
            index += 1
        spans.append((start, index))
    return spans


def _opaque_spans(expanded: Expanded) -> list[tuple[int, int]]:
    spans = []
    offset = 0
    for segment in expanded.segments:
        if not segment.resolved:
            spans.append((offset, offset + len(segment.text)))
        offset += len(segment.text)
    return spans


def _line_in(arg: Arg, offset: int) -> int:
    """The line of ``offset`` in an argument written over several lines."""
    before = arg.text[:offset]
    return arg.line + before.count("\n") if arg.source.count("\n") else arg.line


def _overrides(args: Sequence[Arg], site: Site, *, split_spaces: bool) -> list[tuple[str, ParameterValue]]:
    """``K=V`` and ``ParameterKey=K,ParameterValue=V`` pairs, in the order written."""
    pairs: list[tuple[str, ParameterValue]] = []
    for arg in args:
        text = arg.text
        spans = _token_spans(text, _opaque_spans(arg.expanded)) if split_spaces else [(0, len(text))]
        for start, end in spans:
            start, end = _unquote_span(text, start, end)
            token = text[start:end]
            if token.startswith("ParameterKey="):
                match = re.match(r"ParameterKey=([^,]*),\s*ParameterValue=", token)
                if not match:
                    continue
                key = match.group(1).strip("'\"")
                vstart = start + match.end()
                vend = end
                tail = re.search(r",\s*(UsePreviousValue|ResolvedValue)=", text[vstart:end])
                if tail:
                    vend = vstart + tail.start()
            elif "=" in token:
                key = token.split("=", 1)[0]
                vstart, vend = start + len(key) + 1, end
            else:
                continue
            vstart, vend = _unquote_span(text, vstart, vend)
            pairs.append((key, _param(arg.expanded.slice(vstart, vend), site, _line_in(arg, start))))
    return pairs


def _json_parameters(document: Any, relpath: str, site: Site) -> tuple[list[tuple[str, ParameterValue]], str]:
    """The three ``file://`` parameter formats; returns the pairs and a problem ("" when understood)."""

    def line_of(container: Any, key: Any) -> int:
        lines = getattr(container, "key_lines", None)
        if lines is not None and key in lines:
            return int(lines[key])
        item_lines = getattr(container, "item_lines", None)
        if item_lines is not None and isinstance(key, int) and key < len(item_lines):
            return int(item_lines[key])
        return int(getattr(container, "line", 0) or 0)

    def value_of(raw: Any, line: int) -> ParameterValue:
        if isinstance(raw, (str, int, float, bool)):
            text = str(raw).lower() if isinstance(raw, bool) else str(raw)
            return ParameterValue(text, Location(relpath, line))
        return ParameterValue(str(raw), Location(relpath, line), resolved=False)

    pairs: list[tuple[str, ParameterValue]] = []
    if isinstance(document, Mapping) and isinstance(document.get("Parameters"), Mapping):
        parameters = document["Parameters"]
        for key, raw in parameters.items():
            pairs.append((str(key), value_of(raw, line_of(parameters, key))))
        return pairs, ""
    if isinstance(document, list):
        for index, item in enumerate(document):
            line = line_of(document, index)
            if isinstance(item, Mapping) and "ParameterKey" in item:
                if "ParameterValue" in item:
                    value_line = line_of(item, "ParameterValue") or line
                    pairs.append((str(item["ParameterKey"]), value_of(item["ParameterValue"], value_line)))
            elif isinstance(item, str) and "=" in item:
                key, _, raw = item.partition("=")
                pairs.append((key, ParameterValue(raw, Location(relpath, line))))
            else:
                return pairs, f"item {index + 1} is neither a ParameterKey/ParameterValue object nor a K=V string"
        return pairs, ""
    return pairs, 'not a parameters file: expected [{"ParameterKey", "ParameterValue"}], ["K=V"] or {"Parameters": {...}}'


def _parameters_file(arg: Arg, site: Site, facts: CommandFacts) -> list[tuple[str, ParameterValue]] | None:
    """Parameters of a ``file://`` argument, or None when the argument is not a file reference."""
    text = arg.text.strip()
    if not text.startswith("file://"):
        return None
    if not arg.expanded.value.resolved:
        facts.notes.append(Note(site.location(arg.line), f"parameters file {text} is not known offline"))
        return []
    relpath = join_path(site.cwd, text[len("file://") :])
    if relpath is None:
        facts.notes.append(Note(site.location(arg.line), f"parameters file {text} is outside the repository; not read"))
        return []
    document, file = read_document(site.root, relpath)
    if document is None:
        where = Location(relpath, file.line) if file.line else site.location(arg.line)
        facts.notes.append(Note(where, f"parameters file {relpath} (from {site.location(arg.line)}): {file.reason}"))
        return []
    facts.files_read.append(relpath)
    pairs, problem = _json_parameters(document, relpath, site)
    if problem:
        facts.notes.append(Note(Location(relpath, int(getattr(document, "line", 0) or 1)), problem))
    return pairs


def _parameter_args(
    args: Sequence[Arg], site: Site, facts: CommandFacts, *, split_spaces: bool
) -> list[tuple[str, ParameterValue]]:
    pairs: list[tuple[str, ParameterValue]] = []
    for arg in args:
        from_file = _parameters_file(arg, site, facts)
        if from_file is not None:
            pairs.extend(from_file)
            continue
        stripped = arg.text.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            try:
                import json

                document = json.loads(stripped)
            except ValueError:
                document = None
            if document is not None:
                inline, _ = _json_parameters(document, site.path, site)
                pairs.extend((key, replace(value, location=site.location(arg.line))) for key, value in inline)
                continue
        pairs.extend(_overrides([arg], site, split_spaces=split_spaces))
    return pairs


class _Paths:
    """Path arguments joined to the working directory, with a note for paths outside the repository."""

    def __init__(self, site: Site, facts: CommandFacts) -> None:
        self.site = site
        self.facts = facts
        self.unresolved: list[str] = []

    def path(self, arg: Arg | None, what: str, *, field_name: str = "") -> str | None:
        if arg is None:
            return None
        value = arg.expanded.value
        text = value.text.strip().strip("'\"")
        if text.startswith("file://"):
            text = text[len("file://") :]
        if not value.resolved:
            if field_name:
                self.unresolved.append(field_name)
            return text
        joined = join_path(self.site.cwd, text)
        if joined is None:
            self.facts.notes.append(
                Note(self.site.location(arg.line), f"{what} {text} is outside the repository; it is not read")
            )
        return joined

    def source_template(self, relpath: str | None) -> str | None:
        seen = set()
        while relpath is not None and relpath in self.site.built and relpath not in seen:
            seen.add(relpath)
            relpath = self.site.built[relpath]
        return relpath

    def default_template(self, directory: str) -> str | None:
        for name in ("template.yaml", "template.yml", "template.json"):
            candidate = join_path(directory, name)
            if candidate and repo_exists(self.site.root, candidate):
                return candidate
        return None


def _text(arg: Arg | None, unresolved: list[str], field_name: str) -> str | None:
    if arg is None:
        return None
    value = arg.expanded.value
    if not value.resolved:
        unresolved.append(field_name)
    return value.text.strip()


def _region(arg: Arg | None, site: Site, unresolved: list[str]) -> str | None:
    if arg is not None:
        return _text(arg, unresolved, "region")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        known = site.env.get(name)
        if known is not None and known.resolved:
            return known.text
    return None


def _deployment(site: Site, tool: str, **fields: Any) -> Deployment:
    return Deployment(
        tool=tool,  # type: ignore[arg-type]
        location=site.location(),
        job=site.job,
        environment=site.environment,
        via=site.via,
        **fields,
    )


# sam ----------------------------------------------------------------------------------------

_SAM_FLAGS = frozenset(
    {
        "--guided",
        "-g",
        "--fail-on-empty-changeset",
        "--confirm-changeset",
        "--disable-rollback",
        "--force-upload",
        "--use-json",
        "--resolve-s3",
        "--resolve-image-repos",
        "--debug",
        "--beta-features",
        "--use-container",
        "-u",
        "--cached",
        "--parallel",
        "--watch",
        "--code",
        "--dependency-layer",
        "--skip-pull-image",
        "--save-params",
        "--mount-with",
        "--build-in-source",
        "--no-use-container",
    }
)
_SAM_MULTI = frozenset({"--parameter-overrides", "--capabilities", "--tags", "--notification-arns", "--image-repositories"})
_SAM_ALIASES = {"-t": "--template-file", "--template": "--template-file", "-b": "--build-dir", "-s": "--base-dir"}


def _sam(args: Sequence[Arg], site: Site, facts: CommandFacts) -> None:
    if not args:
        return
    sub = args[0].text
    parsed = _parse_options(args[1:], flags=_SAM_FLAGS, multi=_SAM_MULTI, aliases=_SAM_ALIASES)
    paths = _Paths(site, facts)
    cwd = site.cwd
    template_arg = parsed.first("--template-file")
    if sub == "build":
        source = paths.path(template_arg, "template") or paths.default_template(cwd)
        build_dir = paths.path(parsed.first("--build-dir"), "build directory") or join_path(cwd, ".aws-sam/build")
        if source and build_dir:
            facts.builds.append((f"{build_dir}/template.yaml".removeprefix("./"), source))
        return
    if sub == "package":
        source = paths.path(template_arg, "template") or _sam_built_or_default(paths, cwd)
        output = paths.path(parsed.first("--output-template-file"), "output template")
        if source and output:
            facts.builds.append((output, paths.source_template(source) or source))
        return
    if sub not in ("deploy", "sync"):
        return
    template = paths.path(template_arg, "template", field_name="template") if template_arg else _sam_built_or_default(paths, cwd)
    unresolved = paths.unresolved
    deployment = _deployment(
        site,
        "sam",
        working_directory=cwd,
        template=paths.source_template(template),
        stack_name=_text(parsed.first("--stack-name"), unresolved, "stack_name"),
        region=_region(parsed.first("--region"), site, unresolved),
        config_file=paths.path(parsed.first("--config-file"), "config file", field_name="config_file"),
        config_env=_text(parsed.first("--config-env"), unresolved, "config_env"),
        parameters=tuple(_parameter_args(parsed.all("--parameter-overrides"), site, facts, split_spaces=True)),
    )
    facts.deployments.append(replace(deployment, unresolved=tuple(unresolved)))


def _sam_built_or_default(paths: _Paths, cwd: str) -> str | None:
    built = join_path(cwd, ".aws-sam/build/template.yaml")
    if built and built in paths.site.built:
        return built
    return paths.default_template(cwd)


# aws cloudformation ------------------------------------------------------------------------

_AWS_GLOBAL_VALUED = frozenset(
    {
        "--region",
        "--profile",
        "--output",
        "--endpoint-url",
        "--query",
        "--color",
        "--ca-bundle",
        "--cli-read-timeout",
        "--cli-connect-timeout",
    }
)
_AWS_FLAGS = frozenset(
    {
        "--fail-on-empty-changeset",
        "--disable-rollback",
        "--force-upload",
        "--use-json",
        "--debug",
        "--enable-termination-protection",
        "--cli-auto-prompt",
        "--dry-run",
    }
)
_AWS_MULTI = frozenset({"--parameter-overrides", "--capabilities", "--tags", "--notification-arns", "--parameters"})


def _aws_service(args: Sequence[Arg]) -> tuple[list[Arg], list[Arg]]:
    """Split ``aws [global options] SERVICE OP ...`` into the global options and the rest."""
    index = 0
    global_args: list[Arg] = []
    while index < len(args) and args[index].text.startswith("-"):
        name = args[index].text.split("=", 1)[0]
        global_args.append(args[index])
        index += 1
        if name in _AWS_GLOBAL_VALUED and "=" not in args[index - 1].text and index < len(args):
            global_args.append(args[index])
            index += 1
    return global_args, list(args[index:])


def _aws(args: Sequence[Arg], site: Site, facts: CommandFacts) -> None:
    global_args, rest = _aws_service(args)
    if len(rest) < 2 or rest[0].text != "cloudformation":
        return
    operation = rest[1].text
    parsed = _parse_options(global_args + rest[2:], flags=_AWS_FLAGS, multi=_AWS_MULTI)
    paths = _Paths(site, facts)
    if operation == "package":
        source = paths.path(parsed.first("--template-file"), "template")
        output = paths.path(parsed.first("--output-template-file"), "output template")
        if source and output:
            facts.builds.append((output, paths.source_template(source) or source))
        return
    if operation not in ("deploy", "create-stack", "update-stack"):
        return
    unresolved = paths.unresolved
    template_arg = parsed.first("--template-file", "--template-body")
    template = paths.path(template_arg, "template", field_name="template")
    if template_arg is None and parsed.has("--template-url"):
        facts.notes.append(Note(site.location(), "the template is read from a URL (--template-url); not followed"))
    parameters = _parameter_args(parsed.all("--parameter-overrides", "--parameters"), site, facts, split_spaces=False)
    deployment = _deployment(
        site,
        "cloudformation",
        working_directory=site.cwd,
        template=paths.source_template(template),
        stack_name=_text(parsed.first("--stack-name"), unresolved, "stack_name"),
        region=_region(parsed.first("--region"), site, unresolved),
        parameters=tuple(parameters),
    )
    facts.deployments.append(replace(deployment, unresolved=tuple(unresolved)))


# serverless ---------------------------------------------------------------------------------

_SLS_FLAGS = frozenset(
    {"--force", "--verbose", "--debug", "--conceal", "--aws-s3-accelerate", "--enforce-hash-update", "--help", "-h"}
)
_SLS_ALIASES = {"-s": "--stage", "-r": "--region", "-c": "--config", "-p": "--package"}
_COMPOSE_FILES = ("serverless-compose.yml", "serverless-compose.yaml", "serverless-compose.json", "serverless-compose.ts")


def _serverless(args: Sequence[Arg], site: Site, facts: CommandFacts) -> None:
    if not args or args[0].text != "deploy":
        return
    if len(args) > 1 and args[1].text in ("function", "list"):
        return  # updates one function's code, or lists deployments: no stack deploy
    parsed = _parse_options(args[1:], flags=_SLS_FLAGS, aliases=_SLS_ALIASES)
    paths = _Paths(site, facts)
    unresolved = paths.unresolved
    config = paths.path(parsed.first("--config"), "config file", field_name="config_file")
    at_compose_root = config is None and any(repo_exists(site.root, join_path(site.cwd, name) or name) for name in _COMPOSE_FILES)
    parameters = []
    for arg in parsed.all("--param"):
        parameters.extend(_overrides([arg], site, split_spaces=False))
    deployment = _deployment(
        site,
        "serverless",
        working_directory=site.cwd,
        stage=_text(parsed.first("--stage"), unresolved, "stage"),
        region=_region(parsed.first("--region"), site, unresolved),
        config_file=config,
        all_stacks=at_compose_root and not parsed.has("--service"),
        stack_name=_text(parsed.first("--service"), unresolved, "stack_name") if at_compose_root else None,
        parameters=tuple(parameters),
    )
    facts.deployments.append(replace(deployment, unresolved=tuple(unresolved)))


# terraform ----------------------------------------------------------------------------------

_TF_VALUED = frozenset({"-var", "-var-file", "-target", "-replace", "-out", "-state", "-state-out", "-backup"})


def _terraform(args: Sequence[Arg], site: Site, facts: CommandFacts) -> None:
    chdir = None
    rest = list(args)
    while rest and rest[0].text.startswith("-"):
        if rest[0].text.startswith("-chdir="):
            chdir = Arg(rest[0].expanded.slice(len("-chdir=")), rest[0].line, rest[0].source)
        rest = rest[1:]
    if not rest or rest[0].text not in ("apply", "plan"):
        return
    sub = rest[0].text
    parsed = _parse_options(rest[1:], valued=_TF_VALUED)
    paths = _Paths(site, facts)
    directory = paths.path(chdir, "directory", field_name="working_directory") if chdir else site.cwd
    directory = directory or site.cwd
    parameters: list[tuple[str, ParameterValue]] = []
    for name, known in site.env.items():
        if name.startswith("TF_VAR_"):
            parameters.append((name[len("TF_VAR_") :], ParameterValue(known.text, site.location(), known.resolved, known.ref)))
    parameters.extend(_overrides(parsed.all("-var"), site, split_spaces=False))
    # -var-file paths are relative to the root module when -chdir is given
    var_file_site = replace(site, cwd=directory)
    var_files = tuple(
        path for path in (_Paths(var_file_site, facts).path(arg, "var file") for arg in parsed.all("-var-file")) if path
    )
    deployment = _deployment(
        site,
        "terraform",
        working_directory=directory,
        region=_region(None, site, paths.unresolved),
        parameters=tuple(parameters),
        var_files=var_files,
        unresolved=tuple(paths.unresolved),
    )
    if sub == "plan":
        out = parsed.first("-out")
        if out is not None:
            facts.plans.append((join_path(directory, out.text) or out.text, deployment))
        return
    if parsed.positionals:
        plan = join_path(directory, parsed.positionals[0].text) or ""
        saved = site.plans.get(plan)
        if saved is not None:
            deployment = replace(saved, location=site.location(), via=site.via, job=site.job)
    facts.deployments.append(deployment)


# cdk ----------------------------------------------------------------------------------------

_CDK_VALUED = frozenset(
    {
        "--app",
        "-a",
        "--context",
        "-c",
        "--parameters",
        "--profile",
        "--require-approval",
        "--outputs-file",
        "-O",
        "--toolkit-stack-name",
        "--role-arn",
        "-r",
        "--method",
        "-m",
        "--concurrency",
        "--tags",
        "-t",
        "--notification-arns",
        "--progress",
        "--change-set-name",
        "--output",
        "-o",
        "--plugin",
        "-p",
        "--ca-bundle-path",
        "--proxy",
        "--build",
        "--exclude",
        "-e",
    }
)


def _cdk(args: Sequence[Arg], site: Site, facts: CommandFacts) -> None:
    if not args or args[0].text != "deploy":
        return
    parsed = _parse_options(args[1:], valued=_CDK_VALUED)
    unresolved: list[str] = []
    all_parameters = _overrides(parsed.all("--parameters"), site, split_spaces=False)
    stacks = [arg for arg in parsed.positionals]
    common = dict(working_directory=site.cwd, region=_region(None, site, unresolved))
    if parsed.has("--all") or not stacks:
        facts.deployments.append(
            _deployment(site, "cdk", all_stacks=True, parameters=tuple(all_parameters), **common)  # type: ignore[arg-type]
        )
        return
    for arg in stacks:
        stack_unresolved = list(unresolved)
        stack = _text(arg, stack_unresolved, "stack_name") or ""
        mine = []
        for key, value in all_parameters:
            owner, colon, bare = key.rpartition(":")
            if not colon:
                mine.append((key, value))
            elif owner == stack:
                mine.append((bare, value))
        facts.deployments.append(
            _deployment(
                site,
                "cdk",
                stack_name=stack,
                parameters=tuple(mine),
                unresolved=tuple(stack_unresolved),
                **common,  # type: ignore[arg-type]
            )
        )


# rain ---------------------------------------------------------------------------------------

_RAIN_VALUED = frozenset(
    {
        "--params",
        "--config",
        "-c",
        "--tags",
        "--region",
        "-r",
        "--profile",
        "-p",
        "--s3-bucket",
        "--s3-prefix",
        "--role-arn",
        "--changeset",
        "--node-style",
    }
)


def _rain(args: Sequence[Arg], site: Site, facts: CommandFacts) -> None:
    if not args or args[0].text != "deploy":
        return
    parsed = _parse_options(args[1:], valued=_RAIN_VALUED)
    if not parsed.positionals:
        return
    paths = _Paths(site, facts)
    unresolved = paths.unresolved
    template_arg = parsed.positionals[0]
    template = paths.path(template_arg, "template", field_name="template")
    if len(parsed.positionals) > 1:
        stack = _text(parsed.positionals[1], unresolved, "stack_name")
    else:  # rain names the stack after the template file
        stack = template_arg.text.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    parameters: list[tuple[str, ParameterValue]] = []
    for arg in parsed.all("--params"):
        text = arg.text
        offset = 0
        for piece in text.split(","):
            if "=" in piece:
                key = piece.split("=", 1)[0].strip()
                start = offset + piece.index("=") + 1
                parameters.append((key, _param(arg.expanded.slice(start, offset + len(piece)), site, arg.line)))
            offset += len(piece) + 1
    deployment = _deployment(
        site,
        "rain",
        working_directory=site.cwd,
        template=paths.source_template(template),
        stack_name=stack,
        region=_region(parsed.first("--region", "-r"), site, unresolved),
        config_file=paths.path(parsed.first("--config", "-c"), "config file", field_name="config_file"),
        parameters=tuple(parameters),
        unresolved=tuple(unresolved),
    )
    facts.deployments.append(deployment)


_TOOLS = {
    "sam": _sam,
    "aws": _aws,
    "serverless": _serverless,
    "sls": _serverless,
    "osls": _serverless,
    "terraform": _terraform,
    "tofu": _terraform,
    "cdk": _cdk,
    "aws-cdk": _cdk,
    "rain": _rain,
}


def read_command(args: Sequence[Arg], site: Site) -> CommandFacts:
    """The deploy facts of one command line (already expanded); empty for any other command."""
    facts = CommandFacts()
    words = strip_wrappers(args)
    if not words:
        return facts
    reader = _TOOLS.get(_tool_name(words[0].text))
    if reader is not None:
        reader(words[1:], site, facts)
    return facts


# deploy-time reads ----------------------------------------------------------------------------

_OUTPUT_KEY = re.compile(r"""OutputKey\s*==\s*[\\`'"]*([A-Za-z0-9_.:/-]+)""")
_EXPORT_NAME = re.compile(r"""Name\s*==\s*[\\`'"]*([A-Za-z0-9_.:/-]+)""")


def deploy_time_read(commands: Sequence[Sequence[Arg]], site: Site) -> tuple[DeployTimeRef | None, Note | None]:
    """The stack output, export or SSM parameter a ``$(...)`` reads, if it reads one.

    ``commands`` are the expanded command lines inside the substitution (a
    pipeline such as ``aws cloudformation describe-stacks ... | jq ...``).
    """
    whole = " ".join(arg.text for command in commands for arg in command)
    for command in commands:
        words = strip_wrappers(command)
        if not words or _tool_name(words[0].text) != "aws":
            continue
        _, rest = _aws_service(words[1:])
        if len(rest) < 2:
            continue
        service, operation = rest[0].text, rest[1].text
        parsed = _parse_options(rest[2:], flags=_AWS_FLAGS)
        line = words[0].line
        if service == "cloudformation" and operation == "describe-stacks":
            stack = parsed.first("--stack-name")
            key = _OUTPUT_KEY.search(whole)
            if stack is None or key is None:
                return None, Note(
                    site.location(line), "describe-stacks read without one --stack-name and OutputKey; not followed"
                )
            return DeployTimeRef("stack_output", f"{stack.text}/{key.group(1)}", site.location(line)), None
        if service == "cloudformation" and operation == "list-exports":
            name = _EXPORT_NAME.search(whole)
            if name is None:
                return None, Note(site.location(line), "list-exports read without an export Name; not followed")
            return DeployTimeRef("import", name.group(1), site.location(line)), None
        if service == "ssm" and operation in ("get-parameter", "get-parameters"):
            name_arg = parsed.first("--name", "--names")
            if name_arg is None:
                return None, Note(site.location(line), f"ssm {operation} without --name; not followed")
            return DeployTimeRef("ssm", name_arg.text, site.location(line)), None
    return None, None
