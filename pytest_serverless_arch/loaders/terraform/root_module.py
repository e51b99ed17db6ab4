"""Terraform root modules as deployment units (HCL read with tree-sitter-hcl; Terraform is never run).

A root module is a directory of ``.tf`` files with a ``terraform`` block or a
provider configuration that no other module in the repository calls. It is
one unit named by its path; local child modules belong to it, their resources
addressed ``module.x.aws_sqs_queue.this``; a registry or git module call is a
node ``module.x`` that references an external ``module <source>`` node.

Cross-unit endpoints left for the linker (:class:`ForeignRef`):

- ``data "aws_sqs_queue"`` (and the other lookups by name): ``("name", <name>, <kind>)``;
- ``data "aws_ssm_parameter"``: ``("ssm", <parameter name>)``; an ``aws_ssm_parameter``
  resource is a ``parameter`` node whose physical name is the parameter name;
- ``data "terraform_remote_state"``: ``("remote_state", "<unit>/<output>")`` where
  ``<unit>`` is the root module of this repository whose state it reads (a
  ``local`` backend ``path``, or an ``s3``/``gcs``/... backend with the same
  bucket and key); a state no root module here writes keeps ``<backend>:<bucket>:<key>``.
  Root module ``output`` blocks are the unit's exports, so ``<unit>/<output>``
  resolves like a CloudFormation stack output (split on the last ``/``);
- literal ARNs: ``("arn", <arn>)``.

>>> from pytest_serverless_arch import load
>>> graph = load("sample_repos/infra-app-split-terraform-media")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...config import LoadConfig
from ...discover import Candidate, Discovery, relative_posix
from ...files import FileRead, UnreadableFile, confine, is_file, list_dir, recording, replay
from ...model import Export, ForeignRef, LoadedUnit, Location, Note, Resource
from .hcl import Block, HclError, dynamic_blocks, is_terraform_file, read_hcl_file
from .modules import Module, ResourceTarget, read_module
from .reader import CONFIGURING_TYPES, KIND_BY_TERRAFORM_TYPE, NAME_ATTRIBUTES, TerraformReader
from .wiring import WIRED_TYPES, read_wiring

__all__ = ["load_root_module", "unit_name_for"]

# Attributes that say where a function's code comes from.
CODE_ATTRIBUTES = ("filename", "s3_bucket", "s3_key", "s3_object_version", "image_uri", "source_code_hash")
_CODE_SOURCES = ("filename", "s3_key", "s3_object_version", "image_uri", "source_code_hash")


@dataclass
class _DirectoryFacts:
    """What the repository-wide look at one directory of ``.tf`` files found."""

    relpath: str
    declares_root: bool = False  # a terraform block or a provider configuration
    calls: list[str] = field(default_factory=list)  # directories its local module calls name
    backend: tuple[str, dict[str, str]] | None = None


@dataclass
class _RepositoryIndex:
    directories: dict[str, _DirectoryFacts]
    called_by: dict[str, str]  # child directory -> the first directory that calls it
    reads: tuple[FileRead, ...] = ()  # what building it read


def load_root_module(candidate: Candidate, discovery: Discovery, config: LoadConfig) -> list[LoadedUnit]:
    """One unit for a root module directory; ``[]`` for child modules and non-root directories."""
    index = _repository_index(discovery)
    relpath = candidate.relpath
    if relpath in index.called_by:
        return []
    facts = index.directories.get(relpath)
    if facts is None or not facts.declares_root:
        discovery.notes.append(
            Note(
                Location(relpath),
                "Terraform files without a `terraform` block or a provider "
                "configuration, and called by no module here: read as a "
                "reusable module, not a deployment unit",
            )
        )
        return []
    name = unit_name_for(relpath, discovery.root)
    name = config.stack_names.get(relpath, name)
    root = read_module(
        discovery.root / relpath if relpath != "." else discovery.root,
        relpath,
        root=discovery.root,
        region=config.region,
        account_id=config.account_id,
        stage=config.stage,
    )
    unit = LoadedUnit(name=name, format="terraform", path=relpath, region=root.region)
    unit.location = _unit_location(root)
    reader = TerraformReader(unit, root, config, remote_states=_remote_states(root, index, discovery))
    reported = {id(module): len(module.errors) for module in root.instances()}
    for module in root.instances():
        unit.errors.extend(module.errors)
        unit.notes.extend(module.notes)
    _read_resources(reader)
    read_wiring(reader)
    _read_outputs(reader)
    for module in root.instances():  # found while evaluating: locals past the expansion budget
        unit.errors.extend(module.errors[reported[id(module)] :])
    unit.tags = _default_tags(root)
    unit.parameters = _parameters(root)
    unit.files_read.extend(path for module in root.instances() for path in module.files if path != relpath)
    logical_ids = unit.logical_ids()  # once: a unit may hold many parameters
    unit.resources = [_with_value_target(resource, logical_ids) for resource in unit.resources]
    return [unit]


_INTERPOLATION = re.compile(r"\$\{([^}]+)\}")


def _with_value_target(resource: Resource, logical_ids: Mapping[str, str]) -> Resource:
    """An ``aws_ssm_parameter`` whose ``value`` interpolates a resource of this unit names it (``value_target``)."""
    if resource.kind != "parameter" or not isinstance(resource.properties, Mapping):
        return resource
    # ``Value`` is the reader's resolved form (module outputs followed to the resource), ``value`` as written
    value = resource.properties.get("Value", resource.properties.get("value"))
    if not isinstance(value, str):
        return resource
    for expression in _INTERPOLATION.findall(value):
        parts = expression.strip().split(".")
        for end in range(len(parts), 1, -1):
            found = logical_ids.get(".".join(parts[:end]))
            if found is not None and found != resource.logical_id:
                return dataclasses.replace(resource, value_target=found)
    return resource


def unit_name_for(relpath: str, root: Path) -> str:
    """A root module's unit name: its directory relative to the repository root."""
    return root.name if relpath in ("", ".") else relpath


def _unit_location(root: Module) -> Location:
    for block in root.terraform_blocks + root.providers:
        return Location(block.path, block.line)
    return Location(root.files[0] if root.files else root.relpath, 1)


# --- resources -----------------------------------------------------------------


def _read_resources(reader: TerraformReader) -> None:
    for module in reader.root.instances():
        for local_address, block in module.resources.items():
            type_name = block.labels[0]
            if not type_name.startswith("aws_"):
                continue
            address = module.address(local_address)
            resource = _make_resource(reader, module, address, block)
            reader.add_resource(resource, block, module)
            for meta in ("count", "for_each"):
                # Only where it changes the picture: a node of a kind rules look at, or trigger wiring.
                if meta in block.attributes and (resource.kind != "other" or type_name in WIRED_TYPES):
                    reader.note(block.path, block.line_of(meta), f"{address} uses {meta}: its instances are kept as one node")
            if resource.kind != "other" or type_name in WIRED_TYPES:
                _note_dynamic_blocks(reader, address, block)
        for local_address, block in module.data.items():
            _note_dynamic_blocks(reader, f"data.{module.address(local_address)}", block)
        for name, call in module.calls.items():
            if call.child is None and call.source and not call.source.startswith(("./", "../")):
                address = module.address(f"module.{name}")
                reader.add_resource(
                    Resource(
                        reader.unit.name,
                        address,
                        "module",
                        "other",
                        Location(call.block.path, call.block.line),
                        name=address,
                        properties={"source": call.source},
                    ),
                    call.block,
                    module,
                )
                reader.edge(
                    "references",
                    address,
                    ForeignRef("external", f"module {call.source}"),
                    call.block.path,
                    call.block.line_of("source"),
                    "module source",
                )


def _note_dynamic_blocks(reader: TerraformReader, address: str, block: Block) -> None:
    for dynamic in dynamic_blocks(block):
        reader.note(
            block.path,
            dynamic.line,
            f'{address}: dynamic "{dynamic.type}" is read as one {dynamic.type} '
            "block of its content; Terraform repeats it per for_each item",
        )


def _make_resource(reader: TerraformReader, module: Module, address: str, block: Block) -> Resource:
    type_name = block.labels[0]
    kind = KIND_BY_TERRAFORM_TYPE.get(type_name, "other")
    if kind == "event_rule" and block.get("schedule_expression") is not None:
        kind = "schedule"
    name_attribute = NAME_ATTRIBUTES.get(type_name, "name")
    physical_name = None
    if name_attribute in block.attributes:
        physical_name = module.resolve(block.get(name_attribute))
        if physical_name is None and kind == "parameter" and block.get(name_attribute) is not None:
            reader.note(
                block.path,
                block.line_of(name_attribute),
                f"{address}: the parameter name cannot be resolved offline; other units cannot link to it",
            )
    return Resource(
        unit=reader.unit.name,
        logical_id=address,
        type=type_name,
        kind=kind,
        location=Location(block.path, block.line),
        name=address,
        physical_name=physical_name,
        tags=_tags(module, block.get("tags")),
        configures_function=type_name in CONFIGURING_TYPES,
        properties=_properties(module, block),
        code_source=code_source(module, block) if type_name == "aws_lambda_function" else None,
    )


def _properties(module: Module, block: Block) -> dict[str, Any]:
    """The block's attributes; a parameter also gets ``Value`` naming, by its full address, what it stores.

    The linker follows an SSM parameter to the resource its value names (a function
    triggered through ``${ssm:..}`` is triggered by that queue); a value passed through a
    module output (``module.jobs.queue_arn``) is spelled out here as ``${module.jobs.aws_sqs_queue.this.arn}``.
    """
    properties = {name: attribute.value for name, attribute in block.attributes.items()}
    if block.labels[0] == "aws_ssm_parameter" and "value" in block.attributes:
        for target in module.targets(block.get("value")):
            if isinstance(target, ResourceTarget) and target.address.split(".")[-2].startswith("aws_"):
                properties["Value"] = "${" + ".".join(filter(None, (target.address, target.attribute))) + "}"
                break
    return properties


def code_source(module: Module, block: Block) -> str | None:
    """Why a function's code comes from outside its unit (placeholder), or None when the unit ships it."""
    ignored: list[str] = []
    for lifecycle in block.children("lifecycle"):
        value = lifecycle.get("ignore_changes")
        if isinstance(value, str) and value.strip("${} ") == "all":
            return "lifecycle.ignore_changes = all"
        if isinstance(value, list):
            ignored += [str(item).strip("${} ") for item in value]
    ignored_code = [name for name in CODE_ATTRIBUTES if name in ignored]
    if ignored_code:
        return f"{' and '.join(ignored_code)} {'is' if len(ignored_code) == 1 else 'are'} in lifecycle.ignore_changes"
    for name in _CODE_SOURCES:
        if name in block.attributes:
            variable = module.unresolved_variable(block.get(name))
            if variable is not None:
                return f"{name} comes from {variable}, which has no default"
    return None


def _tags(module: Module, value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    pairs = []
    for key, item in value.items():
        resolved = module.resolve(item)
        if resolved is not None:
            pairs.append((str(key), resolved))
    return tuple(pairs)


def _default_tags(root: Module) -> dict[str, str]:
    for provider in root.providers:
        if provider.labels == ("aws",) and "alias" not in provider.attributes:
            for default_tags in provider.children("default_tags"):
                return dict(_tags(root, default_tags.get("tags")))
    return {}


def _parameters(root: Module) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in root.variables:
        found = root.variable_value(name)
        values[name] = root.resolve(found[0]) if found is not None else None
    return values


def _read_outputs(reader: TerraformReader) -> None:
    root = reader.root
    for name, block in root.outputs.items():
        value = block.get("value")
        target = next(
            (t.address for t in root.targets(value) if isinstance(t, ResourceTarget) and t.address in reader.records), None
        )
        reader.unit.exports.append(Export(name, None, target, Location(block.path, block.line), value))


# --- the repository-wide view: which directories are root modules -------------------


def prepare_index(discovery: Discovery) -> None:
    """Build the index of every ``.tf`` directory now, before any is loaded (parallel loading: while others parse)."""
    _repository_index(discovery)


def _repository_index(discovery: Discovery) -> _RepositoryIndex:
    """Built once per discovery (kept on it), from every directory of ``.tf`` files."""
    cached = getattr(discovery, "_terraform_index", None)
    if isinstance(cached, _RepositoryIndex):
        replay(cached.reads)  # every unit read what the index was built from (for the warm cache)
        return cached
    directories: dict[str, _DirectoryFacts] = {}
    with recording() as reads:
        for relpath in discovery.terraform_dirs:
            directories[relpath] = _directory_facts(discovery.root, relpath)
    called_by: dict[str, str] = {}
    for relpath, facts in directories.items():
        for child in facts.calls:
            if child != relpath:
                called_by.setdefault(child, relpath)
    index = _RepositoryIndex(directories, called_by, tuple(reads))
    setattr(discovery, "_terraform_index", index)  # noqa: B010 - per-run state on the run's own object
    return index


def _directory_facts(root: Path, relpath: str) -> _DirectoryFacts:
    directory = root / relpath if relpath != "." else root
    facts = _DirectoryFacts(relpath)
    try:
        names = [name for name in list_dir(directory, root) if is_terraform_file(name) and is_file(directory / name, root)]
    except OSError:
        return facts
    for name in names:
        try:
            hcl = read_hcl_file(directory / name, relative_posix(directory / name, root), root)
        except HclError:
            facts.declares_root = True  # unreadable: let the loader report it rather than hide it
            continue
        for block in hcl.blocks:
            if block.type == "terraform" or block.type == "provider":
                facts.declares_root = True
            if block.type == "terraform":
                for backend in block.children("backend"):
                    config = {
                        key: attribute.value
                        for key, attribute in backend.attributes.items()
                        if isinstance(attribute.value, str) and "${" not in attribute.value
                    }
                    facts.backend = (backend.labels[0] if backend.labels else "local", config)
            if block.type == "module":
                source = block.get("source")
                if isinstance(source, str) and source.startswith(("./", "../")):
                    try:
                        target = confine(directory / source, root)
                    except UnreadableFile:
                        continue  # the module reader reports it at the call
                    facts.calls.append(relative_posix(target, root.resolve()) if target != root.resolve() else ".")
    return facts


def _remote_states(root: Module, index: _RepositoryIndex, discovery: Discovery) -> dict[str, str]:
    """``data.terraform_remote_state.x`` address -> the unit name of the root module whose state it reads."""
    found: dict[str, str] = {}
    repository = discovery.root.resolve()
    for module in root.instances():
        for local_address, block in module.data.items():
            if block.labels[0] != "terraform_remote_state":
                continue
            backend = module.resolve(block.get("backend")) or ""
            config = block.get("config")
            if not isinstance(config, dict):
                continue
            target: str | None = None
            if backend == "local" and config.get("path") is not None:
                path = module.resolve(config["path"])
                if path:
                    try:  # a NUL byte or a symlink loop in the path names no state of this repository
                        state_dir = (module.directory / path).resolve().parent
                        state_dir.relative_to(repository)
                        rel = relative_posix(state_dir, repository) if state_dir != repository else "."
                    except (ValueError, OSError, RuntimeError):
                        rel = None
                    if rel is not None and rel in index.directories:
                        target = rel
            else:
                wanted = {key: module.resolve(value) for key, value in config.items() if key in ("bucket", "key", "prefix")}
                for rel, facts in index.directories.items():
                    if (
                        facts.backend
                        and facts.backend[0] == backend
                        and wanted
                        and all(facts.backend[1].get(key) == value for key, value in wanted.items())
                    ):
                        target = rel
                        break
            if target is not None:
                found[f"{module.prefix}data.{local_address}"] = unit_name_for(target, discovery.root)
            else:
                module.notes.append(
                    Note(
                        Location(block.path, block.line),
                        f"data.{local_address}: no root module in this repository writes the state "
                        "it reads; its outputs are external",
                    )
                )
    return found
