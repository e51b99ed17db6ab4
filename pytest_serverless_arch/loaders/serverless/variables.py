"""Serverless Framework v3 variables, resolved offline.

:class:`VariableResolver` turns a parsed ``serverless.yml`` into the document
the framework would see, without running anything or calling AWS:

- ``${self:a.b}``, ``${opt:stage|region}``, ``${sls:stage|instanceId}``,
  ``${env:X}`` (only configured values or allowed names), ``${file(p):a.b}``
  (YAML/JSON inside the repository only), ``${param:x}``, ``${aws:region|accountId}``,
  ``${strToBool(..)}``, fallbacks (``${opt:stage, 'dev'}``), nesting and
  variables inside longer strings;
- ``${cf:..}``, ``${cf(region):..}``, ``${ssm:..}``, ``${s3:..}`` are never
  called: they become :class:`VariableText` placeholders carrying the
  :class:`~..model.ForeignRef` they name, so edges fed by them become
  cross-unit links;
- anything else stays visible as its ``${...}`` text (a :class:`VariableText`
  with ``unresolved=True``) with a :class:`~..model.Note` naming file and line.

>>> from pytest_serverless_arch.parse import parse_yaml
>>> from pytest_serverless_arch.config import LoadConfig
>>> doc = parse_yaml("service: a\\nprovider: {name: aws}\\ncustom: {n: '${self:service}-${sls:stage}'}\\n")
>>> VariableResolver(doc, config=LoadConfig(), path="serverless.yml").resolve()["custom"]["n"]
'a-dev'
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...budget import CHARACTERS_PER_NODE, ExpansionBudget, expanded_size
from ...config import LoadConfig
from ...files import UnreadableFile, confine, is_file, read_text
from ...model import ForeignRef, LoadError, Location, Note
from ...parse import LineDict, LineList, ParseError, line_of, parse_text
from ...pseudo import ACCOUNT_ID, REGION, has_pseudo
from ..deploy_time import VariableText, foreign_refs_in

__all__ = ["VariableResolver", "VariableText", "foreign_refs_in", "parse_template"]

_TYPE = re.compile(r"[a-z][a-zA-Z0-9]*")
_LITERAL_CHARS = re.compile(r"[a-zA-Z0-9.\-]+")
_VARIABLE_START = re.compile(r"\$\{\s*[a-z][a-zA-Z0-9]*[:(]")  # ``${self:``, ``${file(`` ...
_MAX_DEPTH = 60  # nesting of variables resolving variables, far beyond any real file
_PLACEHOLDER_SOURCES = frozenset({"cf", "ssm", "s3"})


# --- syntax -----------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One source of a variable: ``type(params):address`` or a literal fallback."""

    type: str | None
    params: tuple[TextWithVariables, ...] = ()
    address: TextWithVariables | None = None
    literal: Any = None
    variable: Variable | None = None  # a whole ``${..}`` given as a fallback


@dataclass(frozen=True)
class Variable:
    """``${source, fallback, ...}`` as written (``text``)."""

    text: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class TextWithVariables:
    """A string cut into literal text and variables."""

    parts: tuple[str | Variable, ...] = field(default_factory=tuple)

    @property
    def has_variables(self) -> bool:
        return any(isinstance(part, Variable) for part in self.parts)


class VariableSyntaxError(Exception):
    pass


def parse_template(text: str) -> TextWithVariables:
    """Cut ``text`` into literals and variables; ``${AWS::Region}`` (CloudFormation) stays literal."""
    parts, end = _parse_parts(text, 0, stop="")
    del end
    return TextWithVariables(tuple(parts))


def _parse_parts(text: str, index: int, stop: str) -> tuple[list[str | Variable], int]:
    """Literal text and variables until one of ``stop`` (outside quotes and nesting) or the end."""
    parts: list[str | Variable] = []
    literal: list[str] = []
    depth = 0  # parentheses inside a parameter or an address
    while index < len(text):
        char = text[index]
        if char == "\\" and text.startswith("${", index + 1):
            literal.append("${")  # an escaped variable stays literal text
            index += 3
            continue
        if char == "$" and text.startswith("${", index):
            variable, after = _parse_variable(text, index)
            if variable is None:
                literal.append(text[index:after])
            else:
                if literal:
                    parts.append("".join(literal))
                    literal = []
                parts.append(variable)
            index = after
            continue
        if stop:
            if char == "(":
                depth += 1
            elif char == ")" and depth:
                depth -= 1
            elif char in stop and depth == 0:
                break
        literal.append(char)
        index += 1
    if literal:
        parts.append("".join(literal))
    return parts, index


def _foreign_end(text: str, start: int) -> int:
    """End of a ``${...}`` that is not a variable (CloudFormation Sub syntax): after its brace."""
    close = text.find("}", start)
    return len(text) if close < 0 else close + 1


def _parse_variable(text: str, start: int) -> tuple[Variable | None, int]:
    index = start + 2
    match = _TYPE.match(text, index)
    if match is None or match.end() >= len(text) or text[match.end()] not in ":(" or text.startswith("::", match.end()):
        return None, _foreign_end(text, index)
    sources: list[Source] = []
    while True:
        while index < len(text) and text[index] == " ":
            index += 1
        if index >= len(text):
            raise VariableSyntaxError(f"unterminated variable {text[start:]!r}")
        source, index = _parse_source(text, index)
        sources.append(source)
        while index < len(text) and text[index] == " ":
            index += 1
        if index >= len(text):
            raise VariableSyntaxError(f"unterminated variable {text[start:]!r}")
        if text[index] == "}":
            return Variable(text[start : index + 1], tuple(sources)), index + 1
        if text[index] != ",":
            raise VariableSyntaxError(f"unexpected {text[index]!r} in variable {text[start : index + 1]!r}")
        index += 1


def _parse_source(text: str, index: int) -> tuple[Source, int]:
    char = text[index]
    if text.startswith("${", index):
        nested, after = _parse_variable(text, index)
        if nested is None:
            raise VariableSyntaxError(f"invalid variable source at {text[index : index + 20]!r}")
        return Source(None, variable=nested), after
    if char in "'\"":
        close = text.find(char, index + 1)
        if close < 0:
            raise VariableSyntaxError(f"unterminated string in {text!r}")
        return Source(None, literal=text[index + 1 : close]), close + 1
    match = _TYPE.match(text, index)
    if match and match.end() < len(text) and text[match.end()] in ":(":
        kind = match.group(0)
        index = match.end()
        params: list[TextWithVariables] = []
        if text[index] == "(":
            index += 1
            while True:
                parts, index = _parse_parts(text, index, stop=",)")
                if index >= len(text):
                    raise VariableSyntaxError(f"unterminated parameters in {text!r}")
                params.append(_unquoted(_trimmed(parts)))
                index += 1
                if text[index - 1] == ")":
                    break
            if index >= len(text) or text[index] != ":":
                return Source(kind, tuple(params)), index
        index += 1  # the ':'
        parts, index = _parse_parts(text, index, stop=",}")
        return Source(kind, tuple(params), _trimmed(parts)), index
    literal = _LITERAL_CHARS.match(text, index)
    if literal is None:
        raise VariableSyntaxError(f"invalid variable source at {text[index : index + 20]!r}")
    word = literal.group(0)
    value: Any
    if word in ("true", "false"):
        value = word == "true"
    elif word == "null":
        value = None
    else:
        try:
            value = int(word)
        except ValueError:
            try:
                value = float(word)
            except ValueError:
                raise VariableSyntaxError(f"invalid literal fallback {word!r} (quote strings)") from None
    return Source(None, literal=value), literal.end()


def _unquoted(template: TextWithVariables) -> TextWithVariables:
    """A quoted parameter (``strToBool('false')``) is a string literal."""
    if len(template.parts) == 1 and isinstance(template.parts[0], str):
        text = template.parts[0]
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return TextWithVariables((text[1:-1],))
    return template


def _trimmed(parts: list[str | Variable]) -> TextWithVariables:
    items = list(parts)
    if items and isinstance(items[0], str):
        items[0] = items[0].lstrip()
    if items and isinstance(items[-1], str):
        items[-1] = items[-1].rstrip()
    return TextWithVariables(tuple(item for item in items if item != ""))


# --- resolution -------------------------------------------------------------


class _Missing:
    """A source that gave no value: the next fallback is tried."""

    def __init__(self, reason: str, hard: bool = False) -> None:
        self.reason = reason
        self.hard = hard  # a refusal (file outside the repo), reported even with fallbacks


@dataclass(frozen=True)
class _Foreign:
    ref: ForeignRef


class VariableResolver:
    """Resolves every variable of one service document; see the module docstring."""

    def __init__(
        self,
        document: Any,
        *,
        config: LoadConfig,
        path: str,
        root: Path | None = None,
        service_dir: Path | None = None,
        budget: ExpansionBudget | None = None,
    ) -> None:
        self.document = document
        self.budget = budget or ExpansionBudget()
        self.errors: list[LoadError] = []
        self.config = config
        self.path = path
        self.root = (root or Path.cwd()).resolve()
        self.service_dir = (service_dir or self.root).resolve()
        self.notes: list[Note] = []
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._active: list[tuple[Any, ...]] = []
        self._variable_depth = 0
        self._files: dict[Path, Any] = {}
        self._noted: set[tuple[int, str]] = set()
        self.files_read: list[str] = []

    # --- public -------------------------------------------------------------

    def resolve(self) -> Any:
        """The whole document with variables resolved (lines kept)."""
        try:
            return self._resolve_node(self.document, ())
        except RecursionError:
            self.note(1, "the document nests too deeply to resolve its variables; they are left as written")
            return self.document

    @property
    def stage(self) -> str:
        if self.config.stage:
            return self.config.stage
        value = self._self_value(["provider", "stage"], 0)
        return value if isinstance(value, str) and value and not _is_unresolved(value) else "dev"

    @property
    def region(self) -> str | None:
        """The configured region, else ``provider.region``; None when nobody gives one (kept symbolic)."""
        if self.config.region:
            return self.config.region
        value = self._self_value(["provider", "region"], 0)
        if isinstance(value, str) and value and not _is_unresolved(value) and not has_pseudo(value):
            return value
        return None

    # --- notes ----------------------------------------------------------------

    def note(self, line: int, message: str) -> None:
        if (line, message) in self._noted:
            return
        self._noted.add((line, message))
        self.notes.append(Note(Location(self.path, line), message))

    # --- walking ----------------------------------------------------------------

    def _resolve_node(self, value: Any, key: tuple[Any, ...], line: int = 0) -> Any:
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            cycle = " -> ".join(_describe_key(k) for k in self._active[self._active.index(key) :] + [key])
            self.note(line or line_of(value, 1), f"variable cycle: {cycle}")
            return VariableText(str(value) if isinstance(value, str) else "${cycle}", unresolved=True)
        self._active.append(key)
        try:
            result = self._resolve_fresh(value, key, line)
        finally:
            self._active.pop()
        self._memo[key] = result
        return result

    def _resolve_fresh(self, value: Any, key: tuple[Any, ...], line: int) -> Any:
        if isinstance(value, Mapping):
            result = LineDict()
            result.line = line_of(value, line)
            result.column = getattr(value, "column", 0)
            lines = getattr(value, "key_lines", {})
            for child_key, child in value.items():
                child_line = lines.get(child_key, result.line)
                if isinstance(child_key, str) and _VARIABLE_START.search(child_key):
                    # the framework resolves values only: a key keeps its ``${..}`` as written
                    self.note(
                        child_line,
                        f"`{child_key}` is a key: the framework does not resolve variables in "
                        "keys, so it stays as written (CloudFormation rejects it as a logical id, "
                        "Lambda as a variable name)",
                    )
                result[child_key] = self._resolve_node(child, key + (child_key,), child_line)
                result.key_lines[child_key] = child_line
            return result
        if isinstance(value, list):
            items = LineList()
            items.line = line_of(value, line)
            item_lines = getattr(value, "item_lines", [])
            for index, child in enumerate(value):
                child_line = item_lines[index] if index < len(item_lines) else items.line
                items.append(self._resolve_node(child, key + (index,), child_line))
            items.item_lines = list(item_lines)
            return items
        if isinstance(value, str) and not isinstance(value, VariableText):
            return self._resolve_text(value, line)
        return value

    def _resolve_text(self, text: str, line: int) -> Any:
        if "${" not in text:
            return text
        try:
            template = parse_template(text)
        except VariableSyntaxError as exc:
            self.note(line, f"invalid variable syntax: {exc}")
            return VariableText(text, unresolved=True)
        if not template.has_variables:
            return "".join(part for part in template.parts if isinstance(part, str))
        return self._render(template, line, text)

    def _render(self, template: TextWithVariables, line: int, original: str) -> Any:
        """A template's value: the variable's own value when it is the whole text, else a string."""
        if len(template.parts) == 1 and isinstance(template.parts[0], Variable):
            variable = template.parts[0]
            value = self._variable_value(variable, line)
            if isinstance(value, _Foreign):
                return VariableText(variable.text, (value.ref,))
            if isinstance(value, _Missing):
                return VariableText(variable.text, unresolved=True)
            if not self._spend(expanded_size(value), line):
                return VariableText(variable.text, unresolved=True)
            return value
        pieces: list[str] = []
        refs: list[ForeignRef] = []
        unresolved = False
        for part in template.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            value = self._variable_value(part, line)
            if isinstance(value, _Foreign):
                refs.append(value.ref)
                pieces.append(part.text)
            elif isinstance(value, _Missing):
                unresolved = True
                pieces.append(part.text)
            elif isinstance(value, (Mapping, list)):
                self.note(
                    line,
                    f"{part.text} resolves to a {'mapping' if isinstance(value, Mapping) else 'list'}, "
                    "which cannot be put inside a string; left unresolved",
                )
                unresolved = True
                pieces.append(part.text)
            else:
                if isinstance(value, VariableText):
                    refs.extend(value.refs)
                    unresolved = unresolved or value.unresolved
                pieces.append(_as_text(value))
        if not self._spend(1 + sum(len(piece) for piece in pieces) // CHARACTERS_PER_NODE, line):
            return VariableText(original or "".join(part.text for part in template.parts if isinstance(part, Variable)), (), True)
        text = "".join(pieces)
        if refs or unresolved:
            return VariableText(text, tuple(refs), unresolved)
        return text

    def _spend(self, nodes: int, line: int) -> bool:
        """Charge what a variable's value adds to the unit; on the first overrun, one load error at its line."""
        first = not self.budget.exhausted
        if self.budget.spend(nodes, path=self.path, line=line):
            return True
        if first:
            self.errors.append(LoadError(self.path, line, self.budget.message("variables")))
        return False

    def _template_text(self, template: TextWithVariables | None, line: int) -> str | None:
        """A parameter or address as text (nested variables resolved), None if one is unresolved."""
        if template is None:
            return None
        if not template.has_variables:
            return "".join(part for part in template.parts if isinstance(part, str))
        value = self._render(template, line, "")
        if isinstance(value, VariableText) and (value.unresolved or value.refs):
            return None
        if isinstance(value, (Mapping, list)) or value is None:
            return None
        return _as_text(value)

    # --- variables ----------------------------------------------------------

    def _variable_value(self, variable: Variable, line: int) -> Any:
        if self._variable_depth >= _MAX_DEPTH:
            self.note(line, f"{variable.text}: variables nest too deeply; left unresolved")
            return _Missing("nested too deeply", hard=True)
        self._variable_depth += 1
        try:
            return self._variable_value_of(variable, line)
        finally:
            self._variable_depth -= 1

    def _variable_value_of(self, variable: Variable, line: int) -> Any:
        missing: list[_Missing] = []
        default: Any = None
        for source in variable.sources:
            if source.type == "opt" and source.address is not None and source.address.parts in (("stage",), ("region",)):
                # no option given: the framework's own default stage; a region nobody gives stays symbolic
                default = default if default is not None else ("dev" if source.address.parts == ("stage",) else REGION)
            if source.type is None and source.variable is None:
                return source.literal  # a literal fallback, ``null`` included, ends the chain
            value = self._source_value(source, line)
            if isinstance(value, _Missing):
                missing.append(value)
                if value.hard:
                    self.note(line, f"{variable.text}: {value.reason}")
                continue
            if value is None:
                continue
            return value
        if default is not None:
            return default
        reasons = "; ".join(m.reason for m in missing if not m.hard) or "no value"
        if not any(m.hard for m in missing):
            self.note(line, f"cannot resolve {variable.text} offline ({reasons}); left unresolved")
        return _Missing(reasons)

    def _source_value(self, source: Source, line: int) -> Any:
        if source.variable is not None:
            return self._variable_value(source.variable, line)
        if source.type is None:
            return source.literal
        params = [self._template_text(param, line) for param in source.params]
        address = self._template_text(source.address, line)
        if source.address is not None and address is None:
            return _Missing("its address holds an unresolved variable")
        handler = getattr(self, f"_source_{source.type}", None)
        if source.type in _PLACEHOLDER_SOURCES:
            return self._placeholder(source.type, params, address)
        if handler is None:
            return _Missing(f"unknown variable source {source.type!r}", hard=True)
        result: Any = handler(params, address, line)
        return result

    def _placeholder(self, kind: str, params: list[str | None], address: str | None) -> Any:
        region = params[0] if params and params[0] else None
        if not address:
            return _Missing(f"`{kind}:` needs an address")
        if kind == "cf":
            stack, _, output = address.partition(".")
            return _Foreign(ForeignRef("stack_output", f"{stack}/{output}", "other", region))
        if kind == "ssm":
            name = address.split("~", 1)[0]  # v2 ``~true``/``~split`` suffixes
            return _Foreign(ForeignRef("ssm", name, "parameter", region))
        return _Foreign(ForeignRef("external", f"s3://{address}", "other"))

    def _source_self(self, params: list[str | None], address: str | None, line: int) -> Any:
        parts = [part for part in (address or "").split(".") if part != ""]
        if not parts:  # ``${self:}``: the whole configuration
            # What resolving the rest finds while this property is unresolved (a sibling that
            # needs it is a cycle only from here) is forgotten: each is resolved again on its own.
            memo, notes, noted = dict(self._memo), list(self.notes), set(self._noted)
            try:
                return self._whole(self.document, (), line)
            finally:
                self._memo, self.notes, self._noted = memo, notes, noted
        value = self._self_value(parts, line)
        return _Missing(f"`{address}` is not set in this file") if value is None else value

    def _self_value(self, parts: list[str], line: int) -> Any:
        return self._follow(self.document, (), parts, line)

    def _whole(self, node: Any, key: tuple[Any, ...], line: int) -> Any:
        """``node`` resolved, except along the path being resolved now, which is kept as written.

        The property that asks for ``${self:}`` is part of the whole: resolving it
        there would never end, so that one path stays unresolved text.
        """
        if key not in self._active:
            return self._resolve_node(node, key, line)
        if isinstance(node, Mapping):
            result = LineDict()
            result.line = line_of(node, line)
            lines = getattr(node, "key_lines", {})
            for child_key, child in node.items():
                result[child_key] = self._whole(child, key + (child_key,), lines.get(child_key, result.line))
                result.key_lines[child_key] = lines.get(child_key, result.line)
            return result
        if isinstance(node, list):
            items = LineList()
            items.line = line_of(node, line)
            items.extend(self._whole(child, key + (index,), line) for index, child in enumerate(node))
            items.item_lines = list(getattr(node, "item_lines", []))
            return items
        return VariableText(str(node), unresolved=True) if isinstance(node, str) else node

    def _follow(self, node: Any, key: tuple[Any, ...], parts: list[str], line: int) -> Any:
        current = node
        for part in parts:
            current = self._resolve_node(current, key, line) if isinstance(current, str) else current
            if isinstance(current, Mapping) and part in current:
                current = current[part]
                key = key + (part,)
            elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
                current = current[int(part)]
                key = key + (int(part),)
            else:
                return None
        return self._resolve_node(current, key, line)

    def _source_opt(self, params: list[str | None], address: str | None, line: int) -> Any:
        if address == "stage":
            return self.config.stage
        if address == "region":
            return self.config.region
        return _Missing(f"no `--{address}` option is configured")

    def _source_sls(self, params: list[str | None], address: str | None, line: int) -> Any:
        if address == "stage":
            return self.stage
        if address == "instanceId":
            return "offline-instance-id"  # random per framework run: any stable value will do
        return _Missing(f"unknown `sls:` address {address!r}", hard=True)

    def _source_aws(self, params: list[str | None], address: str | None, line: int) -> Any:
        if address == "region":
            return self.region or REGION
        if address == "accountId":
            return self.config.account_id or ACCOUNT_ID
        return _Missing(f"unknown `aws:` address {address!r}", hard=True)

    def _source_env(self, params: list[str | None], address: str | None, line: int) -> Any:
        if not address:
            return _Missing("`env:` needs a variable name", hard=True)
        if address in self.config.env:
            return self.config.env[address]
        if address in self.config.env_allow and address in os.environ:
            return os.environ[address]
        return _Missing(f"environment variable {address} is not configured")

    def _source_param(self, params: list[str | None], address: str | None, line: int) -> Any:
        declared = self.document.get("params") if isinstance(self.document, Mapping) else None
        if isinstance(declared, Mapping):
            for stage in (self.stage, "default"):
                values = declared.get(stage)
                if isinstance(values, Mapping) and address in values:
                    return self._resolve_node(values[address], ("params", stage, address), line)
        if address is not None and address in self.config.params:
            value = self.config.params[address]
            # a serverless-compose param naming another service's output (loaders/serverless/compose.py)
            return _Foreign(value) if isinstance(value, ForeignRef) else value
        return _Missing(f"parameter {address} is not set for stage {self.stage} nor configured")

    def _source_strToBool(self, params: list[str | None], address: str | None, line: int) -> Any:  # noqa: N802
        text = (params[0] if params else "") or ""
        if text.strip().lower() in ("true", "1"):
            return True
        if text.strip().lower() in ("false", "0", ""):
            return False
        return _Missing(f"strToBool cannot read {text!r}", hard=True)

    def _source_file(self, params: list[str | None], address: str | None, line: int) -> Any:
        if not params or not params[0]:
            return _Missing("`file()` needs a path", hard=True)
        raw = params[0]
        target, refusal = self._confined(raw)
        if refusal:
            # a missing file lets a fallback apply quietly; a refused one is always reported
            return _Missing(refusal, hard=not refusal.endswith("does not exist"))
        assert target is not None
        if not is_file(target, self.root):
            return _Missing(f"file {raw} is not a regular file; not read", hard=True)
        suffix = target.suffix.lower()
        if suffix in (".js", ".cjs", ".mjs", ".ts"):
            return _Missing(f"{raw} is code; it is never executed, so its value stays unknown", hard=True)
        content = self._file_content(target, raw, line)
        if isinstance(content, _Missing):
            return content
        if not address:
            return self._resolve_node(content, ("file", str(target)), line)
        parts = address.split(".")
        value = self._follow(content, ("file", str(target)), parts, line)
        return _Missing(f"`{address}` is not in {raw}") if value is None else value

    def _confined(self, raw: str) -> tuple[Path | None, str | None]:
        """The file a ``file()`` path names, or why it is refused (outside the repository)."""
        if raw.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:[\\/]", raw):
            return None, f"refused {raw}: an absolute path; only files inside the repository are read"
        joined = self.service_dir / raw
        normal = Path(os.path.normpath(joined))
        if not _is_within(normal, self.root):
            return None, f"refused {raw}: it leaves the repository"
        try:
            real = confine(joined, self.root)
        except UnreadableFile as exc:
            if exc.cause == "outside":
                return None, f"refused {raw}: a symlink that leads out of the repository"
            if exc.cause == "missing":
                return None, f"file {raw} does not exist"
            return None, f"file {raw} {exc.reason}"
        return real, None

    def _file_content(self, target: Path, raw: str, line: int) -> Any:
        if target in self._files:
            return self._files[target]
        content: Any
        try:
            text = read_text(target, self.root)
            if target.suffix.lower() in (".yml", ".yaml", ".json"):
                content = parse_text(text, json_first=target.suffix.lower() == ".json")
                _restamp(content, line)  # things pulled in are located at the ``${file()}``
            else:
                content = text
        except ParseError as exc:
            where = f" line {exc.line}" if exc.line else ""
            content = _Missing(f"cannot parse {raw}{where}: {exc.message}", hard=True)
        except UnreadableFile as exc:
            content = _Missing(f"cannot read {raw}: it {exc.reason}", hard=True)
        self._files[target] = content
        if _is_within(target, self.root):
            self.files_read.append(target.relative_to(self.root).as_posix())
        return content


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _restamp(value: Any, line: int) -> None:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, LineDict):
            node.line = line
            node.key_lines = {key: line for key in node}
            stack.extend(node.values())
        elif isinstance(node, LineList):
            node.line = line
            node.item_lines = [line] * len(node)
            stack.extend(node)


def _is_unresolved(value: Any) -> bool:
    return isinstance(value, VariableText) and (value.unresolved or bool(value.refs))


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _describe_key(key: tuple[Any, ...]) -> str:
    if key[:1] == ("file",):
        return f"file {Path(str(key[1])).name}" + ("." + ".".join(map(str, key[2:])) if key[2:] else "")
    return "self:" + ".".join(str(part) for part in key)
