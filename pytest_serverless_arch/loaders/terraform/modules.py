"""A Terraform module instance: its blocks, and what its expressions name or evaluate to.

A :class:`Module` is one directory of ``.tf`` files as called from a root
module (``prefix`` ``""`` for the root, ``module.x.`` for a child). It
answers two questions about an attribute value, offline:

- :meth:`Module.resolve`: the string it certainly evaluates to (``var.x``
  defaults, ``*.tfvars``, module inputs, ``locals``, templates, ``lower``/
  ``upper``/``format``, the configured region and account, else ``${AWS::Region}``/``${AWS::AccountId}``), or None;
- :meth:`Module.targets`: the resources, data sources and outside modules it
  references, following variables into the caller and outputs into children.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...budget import CHARACTERS_PER_NODE, ExpansionBudget
from ...files import is_dir, is_file, list_dir
from ...model import LoadError, Location, Note
from ...pseudo import ACCOUNT_ID, REGION, has_pseudo
from .expressions import sole_interpolation, split_template, string_literal, traversals, walk_strings
from .hcl import Attribute, Block, HclError, is_terraform_file, read_hcl_file

__all__ = ["DataTarget", "ExternalTarget", "Module", "ModuleCall", "ResourceTarget", "read_module", "split_arguments"]

MAX_MODULE_DEPTH = 8
_MAX_EVAL_DEPTH = 24
_FORMAT_VERB = re.compile(r"%(?:%|[-+# 0]*\d*(?:\.\d+)?[sdvqft])")


@dataclass(frozen=True)
class ResourceTarget:
    """A managed resource named by an expression: ``module.x.aws_sqs_queue.q`` + ``arn``."""

    address: str
    attribute: str


@dataclass(frozen=True)
class DataTarget:
    """A data source named by an expression (a lookup of something managed elsewhere)."""

    module: Module
    block: Block
    attribute: str

    def __hash__(self) -> int:
        return hash((self.module.prefix, self.block.type, self.block.labels, self.attribute))


@dataclass(frozen=True)
class ExternalTarget:
    """A module call whose source is not in the repository (registry, git, missing): its address and source."""

    address: str
    source: str


Target = ResourceTarget | DataTarget | ExternalTarget


@dataclass
class ModuleCall:
    """``module "name" { source = ... }`` and the child it loads (None when not local)."""

    name: str
    block: Block
    source: str
    child: Module | None


@dataclass
class Module:
    """One module instance; see the module docstring."""

    prefix: str
    directory: Path
    relpath: str
    region: str | None  # None: nobody gave it, ``${AWS::Region}`` in values (pseudo.py)
    account_id: str | None
    parent: Module | None = None
    call_name: str = ""
    files: list[str] = field(default_factory=list)
    variables: dict[str, Block] = field(default_factory=dict)
    inputs: dict[str, Attribute] = field(default_factory=dict)  # module call arguments, in the parent's scope
    tfvars: dict[str, Attribute] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    resources: dict[str, Block] = field(default_factory=dict)  # "aws_sqs_queue.q" -> block
    data: dict[str, Block] = field(default_factory=dict)  # "aws_sqs_queue.q" -> block
    calls: dict[str, ModuleCall] = field(default_factory=dict)
    terraform_blocks: list[Block] = field(default_factory=list)
    providers: list[Block] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    repository: Path | None = None  # the repository root: files read by file()/templatefile() stay inside it
    local_paths: dict[str, str] = field(default_factory=dict)  # local name -> the file of its ``locals`` block
    # shared by the root module and all its children: what their locals may produce
    budget: ExpansionBudget = field(default_factory=ExpansionBudget)
    # each local evaluated once (None: unknown offline, or a cycle while it is being evaluated)
    _local_values: dict[str, str | None] = field(default_factory=dict, repr=False)
    _local_targets: dict[str, list[Target]] = field(default_factory=dict, repr=False)

    # --- walking --------------------------------------------------------------

    def instances(self) -> Iterator[Module]:
        """This module and every local child, depth first."""
        yield self
        for call in self.calls.values():
            if call.child is not None:
                yield from call.child.instances()

    def address(self, local_address: str) -> str:
        return self.prefix + local_address

    # --- evaluation -----------------------------------------------------------

    def variable_value(self, name: str) -> tuple[Any, Module] | None:
        """The value a variable has here, and the module whose scope evaluates it."""
        if name in self.inputs and self.parent is not None:
            return self.inputs[name].value, self.parent
        if name in self.tfvars:
            return self.tfvars[name].value, self
        block = self.variables.get(name)
        if block is not None and "default" in block.attributes:
            return block.get("default"), self
        return None

    def resolve(self, value: Any, _depth: int = 0) -> str | None:
        """The string ``value`` certainly evaluates to offline, or None."""
        if _depth > _MAX_EVAL_DEPTH:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        if not isinstance(value, str):
            return None
        out: list[str] = []
        for is_expression, piece in split_template(value):
            if not is_expression:
                out.append(piece)
                continue
            resolved = self._evaluate(piece, _depth + 1)
            if resolved is None:
                return None
            out.append(resolved)
        return "".join(out)

    def _evaluate(self, expression: str, depth: int) -> str | None:
        expression = expression.strip()
        while expression.startswith("(") and expression.endswith(")") and _balanced(expression[1:-1]):
            expression = expression[1:-1].strip()
        literal = string_literal(expression)
        if literal is not None:
            return self.resolve(literal, depth)
        if re.fullmatch(r"-?\d+(?:\.\d+)?", expression):
            return expression
        call = re.fullmatch(r"(lower|upper|trimspace|format|replace)\((.*)\)", expression, re.DOTALL)
        if call:
            return self._function(call.group(1), call.group(2), depth)
        if not re.fullmatch(r"[A-Za-z_][\w.\-\[\]\"]*", expression):
            return None
        parts = _path(expression)
        if not parts:
            return None
        head = parts[0]
        if head == "var" and len(parts) >= 2:
            found = self.variable_value(parts[1])
            if found is None:
                return None
            value, scope = found
            if len(parts) > 2:
                value = _index(value, parts[2:])
            return scope.resolve(value, depth) if not isinstance(value, (dict, list)) else None
        if head == "local" and len(parts) == 2 and parts[1] in self.locals:
            return self._local_value(parts[1], depth)
        if head == "local" and len(parts) >= 2 and parts[1] in self.locals:
            value = self.locals[parts[1]].value
            if len(parts) > 2:
                value = _index(value, parts[2:])
            return self.resolve(value, depth) if not isinstance(value, (dict, list)) else None
        if head == "module" and len(parts) >= 3 and parts[1] in self.calls:
            child = self.calls[parts[1]].child
            output = child.outputs.get(parts[2]) if child is not None else None
            if child is None or output is None:
                return None
            return child.resolve(output.get("value"), depth)
        if head == "data" and len(parts) >= 4:
            return self._data_attribute(parts[1], parts[3])
        if head == "terraform" and parts[1:] == ["workspace"]:
            return "default"
        return None

    def _local_value(self, name: str, depth: int) -> str | None:
        """``local.<name>``, evaluated once per module instance and charged to the unit's expansion budget."""
        if name in self._local_values:
            return self._local_values[name]
        self._local_values[name] = None  # while it is evaluated, a reference back to it is a cycle: unknown
        attribute = self.locals[name]
        text = None if isinstance(attribute.value, (dict, list)) else self.resolve(attribute.value, depth)
        if text is not None:
            path = self.local_paths.get(name, self.relpath)
            first = not self.budget.exhausted
            if not self.budget.spend(1 + len(text) // CHARACTERS_PER_NODE, path=path, line=attribute.line):
                if first:
                    self.errors.append(LoadError(path, attribute.line, self.budget.message("Terraform locals")))
                text = None
        self._local_values[name] = text
        return text

    def _data_attribute(self, type_name: str, attribute: str) -> str | None:
        if type_name == "aws_region" and attribute in ("name", "id", "region"):
            return self.region or REGION
        if type_name == "aws_caller_identity" and attribute == "account_id":
            return self.account_id or ACCOUNT_ID
        if type_name == "aws_partition" and attribute == "partition":
            return "aws"
        if type_name == "aws_partition" and attribute == "dns_suffix":
            return "amazonaws.com"
        return None

    def _function(self, name: str, arguments: str, depth: int) -> str | None:
        args = split_arguments(arguments)
        values = [self._evaluate(arg, depth + 1) for arg in args]
        if any(value is None for value in values) or not values:
            return None
        texts = [value for value in values if value is not None]
        if name == "lower":
            return texts[0].lower()
        if name == "upper":
            return texts[0].upper()
        if name == "trimspace":
            return texts[0].strip()
        if name == "replace" and len(texts) == 3 and not texts[1].startswith("/"):
            return texts[0].replace(texts[1], texts[2])
        if name == "format":
            template, rest = texts[0], iter(texts[1:])
            try:
                return _FORMAT_VERB.sub(lambda m: "%" if m.group(0) == "%%" else next(rest), template)
            except StopIteration:
                return None
        return None

    def targets(self, value: Any, _seen: frozenset[tuple[str, str]] = frozenset()) -> list[Target]:
        """Resources, data sources and outside modules ``value`` references, in order of mention."""
        found: list[Target] = []
        for text in walk_strings(value):
            if "${" not in text:
                continue
            for traversal in _traversals_in(text):
                found.extend(self._target_of(traversal, _seen))
        unique: list[Target] = []
        for target in found:
            if target not in unique:
                unique.append(target)
        return unique

    def _target_of(self, traversal: str, seen: frozenset[tuple[str, str]]) -> list[Target]:
        parts = _path(traversal)
        key = (self.prefix, traversal)
        if len(parts) < 2 or key in seen or len(seen) > _MAX_EVAL_DEPTH * 4:
            return []
        seen = seen | {key}
        head = parts[0]
        if head == "var":
            found = self.variable_value(parts[1])
            if found is None:
                return []
            value, scope = found
            return scope.targets(value, seen)
        if head == "local":
            attribute = self.locals.get(parts[1])
            if attribute is None:
                return []
            # once per local: a chain of locals each naming the previous one twice stays linear
            if parts[1] not in self._local_targets:
                self._local_targets[parts[1]] = []  # while it is walked, a reference back to it adds nothing
                self._local_targets[parts[1]] = self.targets(attribute.value, seen)
            return self._local_targets[parts[1]]
        if head == "module":
            call = self.calls.get(parts[1])
            if call is None:
                return []
            if call.child is None:
                return [ExternalTarget(self.address(f"module.{call.name}"), call.source)]
            if len(parts) < 3 or parts[2] not in call.child.outputs:
                return []
            return call.child.targets(call.child.outputs[parts[2]].get("value"), seen)
        if head == "data" and len(parts) >= 3:
            block = self.data.get(f"{parts[1]}.{parts[2]}")
            if block is None:
                return []
            return [DataTarget(self, block, ".".join(parts[3:]))]
        local_address = f"{parts[0]}.{parts[1]}"
        if local_address in self.resources:
            return [ResourceTarget(self.address(local_address), ".".join(parts[2:]))]
        return []

    def unresolved_variable(self, value: Any) -> str | None:
        """The variable without any value that ``value`` comes from (placeholder code, say)."""
        expression = sole_interpolation(value)
        if expression is None:
            return None
        parts = _path(expression.strip())
        if len(parts) >= 2 and parts[0] == "var":
            found = self.variable_value(parts[1])
            if found is None:
                return f"{self.prefix}var.{parts[1]}"
            inner, scope = found
            if scope is not self:
                return scope.unresolved_variable(inner)
        return None


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _expressions(text: str) -> list[str]:
    return [piece for is_expression, piece in split_template(text) if is_expression]


@functools.lru_cache(maxsize=4096)
def _traversals_in(text: str) -> tuple[str, ...]:
    """Every traversal of every expression interpolated in ``text``, in order (a module's values repeat them)."""
    return tuple(traversal for expression in _expressions(text) for traversal in traversals(expression))


def _path(traversal: str) -> list[str]:
    """``aws_sqs_queue.q[0].arn`` -> ``["aws_sqs_queue", "q", "arn"]`` (index steps dropped, string keys kept)."""
    return list(_path_parts(traversal))  # a list of its own: callers slice and compare it with lists


@functools.lru_cache(maxsize=4096)
def _path_parts(traversal: str) -> tuple[str, ...]:
    # a module's values name the same few traversals again and again (every output, every reference)
    parts: list[str] = []
    for match in _STEP.finditer(traversal):
        if match.group(1) is not None:
            parts.append(match.group(1))
        elif match.group(2) is not None:
            parts.append(match.group(2))
    return tuple(parts)


_STEP = re.compile(r"\[\s*\"([^\"]*)\"\s*\]|\[[^\]]*\]|([A-Za-z_][\w-]*|\*)")


def _index(value: Any, keys: list[str]) -> Any:
    for key in keys:
        if isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return None
    return value


def split_arguments(text: str) -> list[str]:
    args: list[str] = []
    depth = 0
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == '"':
            end = index + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            current.append(text[index : end + 1])
            index = end + 1
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    if "".join(current).strip():
        args.append("".join(current).strip())
    return args


# --- reading a directory ---------------------------------------------------------


def _posix_join(directory: str, name: str) -> str:
    return name if directory in ("", ".") else f"{directory}/{name}"


def read_module(
    directory: Path,
    relpath: str,
    *,
    root: Path,
    region: str | None,
    account_id: str | None,
    prefix: str = "",
    parent: Module | None = None,
    call: Block | None = None,
    stage: str | None = None,
    depth: int = 0,
    active: frozenset[Path] = frozenset(),
) -> Module:
    """Read every ``.tf`` file of ``directory`` (and its local child modules) into a :class:`Module`."""
    module = Module(prefix, directory, relpath, region, account_id, parent=parent, repository=root)
    if parent is not None:
        module.budget = parent.budget
    if call is not None:
        module.call_name = call.labels[0] if call.labels else ""
        module.inputs = {
            name: attribute
            for name, attribute in call.attributes.items()
            if name not in ("source", "version", "providers", "count", "for_each", "depends_on")
        }
    try:
        names = [name for name in list_dir(directory, root) if is_file(directory / name, root)]
    except OSError as exc:
        module.errors.append(LoadError(relpath, 0, f"cannot list module directory: {exc.strerror}"))
        return module
    for name in names:
        if not is_terraform_file(name):
            continue
        file_rel = _posix_join(relpath, name)
        try:
            hcl = read_hcl_file(directory / name, file_rel, root)
        except HclError as exc:
            module.errors.append(LoadError(file_rel, exc.line or 1, exc.message))
            continue
        module.files.append(file_rel)
        for block in hcl.blocks:
            _take_block(module, block)
    if parent is None:
        _read_tfvars(module, directory, relpath, names, stage, root)
        module.region = _provider_region(module) or region
    for call_block in [b for b in _module_blocks(module)]:
        _read_call(module, call_block, root=root, stage=stage, depth=depth, active=active | {directory.resolve()})
    return module


def _provider_region(module: Module) -> str | None:
    """The region of the default (unaliased) AWS provider, when it is known offline."""
    for block in module.providers:
        if block.labels == ("aws",) and "alias" not in block.attributes and "region" in block.attributes:
            region = module.resolve(block.get("region"))
            return region if region is None or not has_pseudo(region) else None
    return None


def _module_blocks(module: Module) -> list[Block]:
    return [call.block for call in module.calls.values()]


def _take_block(module: Module, block: Block) -> None:
    kind = block.type
    labels = block.labels
    for name, line in block.duplicates:
        module.errors.append(LoadError(block.path, line, f"attribute {name!r} is set twice in this block"))
    if kind == "resource" and len(labels) == 2:
        module.resources[f"{labels[0]}.{labels[1]}"] = block
    elif kind == "data" and len(labels) == 2:
        module.data[f"{labels[0]}.{labels[1]}"] = block
    elif kind == "variable" and len(labels) == 1:
        module.variables[labels[0]] = block
    elif kind == "output" and len(labels) == 1:
        module.outputs[labels[0]] = block
    elif kind == "locals":
        module.locals.update(block.attributes)
        module.local_paths.update(dict.fromkeys(block.attributes, block.path))
    elif kind == "module" and len(labels) == 1:
        module.calls[labels[0]] = ModuleCall(labels[0], block, str(block.get("source") or ""), None)
    elif kind == "terraform":
        module.terraform_blocks.append(block)
    elif kind == "provider":
        module.providers.append(block)
    elif kind in ("moved", "import", "removed", "check"):
        pass  # refactoring and validation blocks: nothing to deploy
    else:
        named = "".join(f" {label!r}" for label in labels)
        module.notes.append(Note(Location(block.path, block.line), f"unknown top-level block {kind!r}{named}; ignored"))


def _read_tfvars(module: Module, directory: Path, relpath: str, names: list[str], stage: str | None, root: Path) -> None:
    """``terraform.tfvars[.json]`` and ``*.auto.tfvars[.json]`` (as Terraform loads them), then ``<stage>.tfvars``."""
    chosen = [name for name in names if name in ("terraform.tfvars", "terraform.tfvars.json")]
    chosen += sorted(name for name in names if name.endswith((".auto.tfvars", ".auto.tfvars.json")))
    if stage and f"{stage}.tfvars" in names:
        chosen.append(f"{stage}.tfvars")
    for name in chosen:
        file_rel = _posix_join(relpath, name)
        try:
            attributes = (
                _json_tfvars(directory / name, root)
                if name.endswith(".json")
                else read_hcl_file(directory / name, file_rel, root).attributes
            )
        except HclError as exc:
            module.errors.append(LoadError(file_rel, exc.line or 1, exc.message))
            continue
        module.tfvars.update(attributes)
    others = [name for name in names if name.endswith(".tfvars") and name not in chosen]
    if others:
        module.notes.append(
            Note(
                Location(_posix_join(relpath, others[0])),
                f"variable files Terraform does not load by itself ({', '.join(others)}) are not read; "
                "set the stage option to read `<stage>.tfvars`",
            )
        )


def _json_tfvars(path: Path, root: Path) -> dict[str, Attribute]:
    from ...files import UnreadableFile
    from ...parse import ParseError, read_document

    try:
        document = read_document(path, root, json_first=True)
    except ParseError as exc:
        raise HclError(exc.message, exc.line) from None
    except UnreadableFile as exc:
        raise HclError(f"file {exc.reason}", exc.line) from None
    if not isinstance(document, dict):
        raise HclError("a JSON variables file must hold an object", 1)
    lines = getattr(document, "key_lines", {})
    return {str(key): Attribute(str(key), value, lines.get(key, 1)) for key, value in document.items()}


def _has_terraform_files(directory: Path, root: Path) -> bool:
    try:
        return is_dir(directory, root) and any(is_terraform_file(name) for name in list_dir(directory, root))
    except OSError:  # a folder that cannot be listed
        return False


def _read_call(module: Module, block: Block, *, root: Path, stage: str | None, depth: int, active: frozenset[Path]) -> None:
    name = block.labels[0]
    call = module.calls[name]
    source = call.source
    line = block.line_of("source")
    if not source:
        module.errors.append(LoadError(block.path, block.line, f"module {name!r} has no `source`"))
        return
    if not source.startswith(("./", "../")):
        return  # registry, git or archive source: its outputs become external nodes
    from ...files import UnreadableFile, confine

    try:
        target = confine(module.directory / source, root)
    except UnreadableFile as exc:
        if exc.cause == "missing":
            module.errors.append(
                LoadError(block.path, line, f"module {name!r}: source {source!r} is not a directory with .tf files")
            )
            return
        if exc.cause != "outside":
            module.errors.append(LoadError(block.path, line, f"module {name!r}: source {source!r} {exc.reason}"))
            return
        module.notes.append(
            Note(
                Location(block.path, line),
                f"module {name!r}: source {source!r} is outside the repository; its resources are not read",
            )
        )
        return
    if not _has_terraform_files(target, root):
        module.errors.append(LoadError(block.path, line, f"module {name!r}: source {source!r} is not a directory with .tf files"))
        return
    if target in active or depth >= MAX_MODULE_DEPTH:
        module.errors.append(
            LoadError(block.path, line, f"module {name!r}: source {source!r} calls itself (directly or through other modules)")
        )
        return
    if "count" in block.attributes or "for_each" in block.attributes:
        meta = "count" if "count" in block.attributes else "for_each"
        module.notes.append(
            Note(
                Location(block.path, block.line_of(meta)),
                f"module {name!r} uses {meta}: its resources are kept as one instance each",
            )
        )
    from ...discover import relative_posix

    call.child = read_module(
        target,
        relative_posix(target, root),
        root=root,
        region=module.region,
        account_id=module.account_id,
        prefix=f"{module.prefix}module.{name}.",
        parent=module,
        call=block,
        stage=stage,
        depth=depth + 1,
        active=active,
    )
