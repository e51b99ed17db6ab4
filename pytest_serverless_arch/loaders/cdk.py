"""CDK cloud assemblies (``cdk.out``) as deployment units: one per synthesized stack.

``cdk.out/manifest.json`` lists the assembly's artifacts. Every
``aws:cloudformation:stack`` artifact is a unit named by its stack name
(``properties.stackName``, else the artifact id), of format ``cdk``, whose
template (``properties.templateFile``) the CloudFormation reader reads. Stages
are nested assemblies (``cdk:cloud-assembly`` artifacts with a
``directoryName``), read the same way. The manifest's ``dependencies`` between
stacks become unit-level :class:`~pytest_serverless_arch.model.StackRef` records (the
linker makes them ``depends_on`` links); asset manifests and other artifacts are skipped.

Resources keep their template line as location, and where the template's
``Metadata`` (or the manifest's ``aws:cdk:logicalId`` entries) give the
construct path, it is the resource's display ``name`` (``Orders/Handler``
rather than ``Handler886CB40B``).

>>> from pytest_serverless_arch import load
>>> graph = load("tests/fixtures/cdk/shop")  # doctest: +SKIP
>>> [unit.name for unit in graph.units()]  # doctest: +SKIP
['shop-orders', 'shop-shared']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from ..config import LoadConfig
from ..discover import Candidate, Discovery, relative_posix
from ..files import UnreadableFile, confine, is_file
from ..model import ForeignRef, LoadedUnit, LoadError, Location, StackRef
from ..parse import ParseError, read_document
from .cloudformation.references import finish_unit
from .templates import read_template

__all__ = ["load_cloud_assembly"]

STACK = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"
_MAX_NESTING = 6


def load_cloud_assembly(candidate: Candidate, discovery: Discovery, config: LoadConfig) -> list[LoadedUnit]:
    """Every stack of the cloud assembly at ``candidate.path`` (a ``cdk.out`` directory), stages included."""
    units: list[LoadedUnit] = []
    _read_assembly(candidate.path, discovery, config, units, depth=0)
    return units


def _line(mapping: Any, key: str, default: int = 1) -> int:
    line_of = getattr(mapping, "line_of", None)
    return int(line_of(key)) if callable(line_of) and key in mapping else default


def _read_json(path: Path, relpath: str, errors: list[LoadError], root: Path) -> Any:
    try:
        return read_document(path, root, json_first=True)
    except (ParseError, UnreadableFile) as exc:
        errors.append(LoadError(relpath, exc.line or 1, exc.message))
    return None


def _read_assembly(directory: Path, discovery: Discovery, config: LoadConfig, units: list[LoadedUnit], depth: int) -> None:
    root = discovery.root
    manifest_path = directory / "manifest.json"
    manifest_rel = relative_posix(manifest_path, root)
    manifest = _read_json(manifest_path, manifest_rel, discovery.errors, root)
    if manifest is None:
        return
    artifacts = manifest.get("artifacts") if isinstance(manifest, Mapping) else None
    if not isinstance(artifacts, Mapping):
        discovery.errors.append(
            LoadError(manifest_rel, _line(manifest, "artifacts"), "a cloud assembly manifest without an `artifacts` mapping")
        )
        return
    stack_names = {
        str(artifact_id): _stack_name(str(artifact_id), artifact)
        for artifact_id, artifact in artifacts.items()
        if isinstance(artifact, Mapping) and artifact.get("type") == STACK
    }
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, Mapping):
            continue
        kind = artifact.get("type")
        line = _line(artifacts, artifact_id)
        if kind == STACK:
            unit = _read_stack(str(artifact_id), artifact, directory, manifest_rel, line, stack_names, discovery, config)
            if unit is not None:
                units.append(unit)
        elif kind == NESTED_ASSEMBLY:
            properties = artifact.get("properties")
            name = properties.get("directoryName") if isinstance(properties, Mapping) else None
            if not isinstance(name, str):
                discovery.errors.append(LoadError(manifest_rel, line, f"nested assembly {artifact_id}: no `directoryName`"))
                continue
            nested = _confined(directory / name, root)
            if depth >= _MAX_NESTING or nested is None or not is_file(nested / "manifest.json", root):
                discovery.errors.append(
                    LoadError(manifest_rel, line, f"nested assembly {artifact_id}: {name}/manifest.json cannot be read")
                )
                continue
            _read_assembly(nested, discovery, config, units, depth + 1)


def _confined(path: Path, root: Path) -> Path | None:
    """The real path of ``path`` when it exists inside the repository, else None."""
    try:
        return confine(path, root)
    except UnreadableFile:
        return None


def _leaves_repository(path: Path, root: Path) -> bool:
    try:
        confine(path, root)
    except UnreadableFile as exc:
        return exc.cause == "outside"
    return False


def _stack_name(artifact_id: str, artifact: Mapping[str, Any]) -> str:
    properties = artifact.get("properties")
    name = properties.get("stackName") if isinstance(properties, Mapping) else None
    return name if isinstance(name, str) and name else artifact_id


def _region(artifact: Mapping[str, Any], config: LoadConfig) -> str | None:
    environment = artifact.get("environment")
    if isinstance(environment, str) and environment.startswith("aws://"):
        parts = environment[len("aws://") :].split("/")
        if len(parts) == 2 and parts[1] and not parts[1].startswith("unknown-"):
            return parts[1]
    return config.region  # None: ``unknown-region``, kept symbolic (pseudo.py)


def _read_stack(
    artifact_id: str,
    artifact: Mapping[str, Any],
    directory: Path,
    manifest_rel: str,
    line: int,
    stack_names: dict[str, str],
    discovery: Discovery,
    config: LoadConfig,
) -> LoadedUnit | None:
    properties = artifact.get("properties")
    template_file = properties.get("templateFile") if isinstance(properties, Mapping) else None
    if not isinstance(template_file, str):
        discovery.errors.append(LoadError(manifest_rel, line, f"stack {artifact_id}: no `properties.templateFile`"))
        return None
    template_path = directory / template_file
    template_rel = relative_posix(template_path, discovery.root)
    if _leaves_repository(template_path, discovery.root):
        discovery.errors.append(
            LoadError(manifest_rel, line, f"stack {artifact_id}: template {template_file!r} is outside the repository; not read")
        )
        return None
    name = stack_names[artifact_id]
    name = config.stack_names.get(template_rel, config.stack_names.get(name, name))
    unit = LoadedUnit(
        name=name, format="cdk", path=template_rel, region=_region(artifact, config), location=Location(manifest_rel, line)
    )
    unit.files_read.append(manifest_rel)
    document = _read_json(template_path, template_rel, unit.errors, discovery.root)
    if isinstance(document, Mapping):
        read_template(unit, document, config)
        _name_by_construct_path(unit, document, _artifact_metadata(artifact, directory, discovery, unit))
    elif document is not None:
        unit.errors.append(LoadError(template_rel, 1, "a CDK stack template that is not a JSON object"))
    dependencies = artifact.get("dependencies")
    if isinstance(dependencies, list):
        where = Location(manifest_rel, _line(artifact, "dependencies", line))
        for dependency in dependencies:
            if isinstance(dependency, str) and dependency in stack_names:
                name = stack_names[dependency]
                unit.stack_refs.append(StackRef(ForeignRef("unit", name), where, f"depends on {name}"))
    finish_unit(unit)
    return unit


def _artifact_metadata(artifact: Mapping[str, Any], directory: Path, discovery: Discovery, unit: LoadedUnit) -> Any:
    """The artifact's construct metadata: inline, or (newer assemblies) in its ``additionalMetadataFile``."""
    metadata = artifact.get("metadata")
    if isinstance(metadata, Mapping):
        return metadata
    extra_file = artifact.get("additionalMetadataFile")
    if not isinstance(extra_file, str):
        return None
    path = _confined(directory / extra_file, discovery.root)
    if path is None or not is_file(path, discovery.root):
        return None
    return _read_json(path, relative_posix(directory / extra_file, discovery.root), unit.errors, discovery.root)


def _name_by_construct_path(unit: LoadedUnit, document: Mapping[str, Any], metadata: Any) -> None:
    """Give resources their construct path (``Stack/Orders/Handler``) as display name."""
    paths: dict[str, str] = {}
    if isinstance(metadata, Mapping):
        for path, entries in metadata.items():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, Mapping) and entry.get("type") == "aws:cdk:logicalId" and isinstance(entry.get("data"), str):
                    paths[entry["data"]] = str(path).lstrip("/")
    resources = document.get("Resources")
    if isinstance(resources, Mapping):
        for logical_id, spec in resources.items():
            resource_metadata = spec.get("Metadata") if isinstance(spec, Mapping) else None
            path = resource_metadata.get("aws:cdk:path") if isinstance(resource_metadata, Mapping) else None
            if isinstance(path, str):
                paths[str(logical_id)] = path
    if not paths:
        return
    renamed = []
    for resource in unit.resources:
        path = paths.get(resource.logical_id)
        if path and not resource.implicit:
            shown = str(PurePosixPath(path).parent) if PurePosixPath(path).name == "Resource" else path
            resource = dataclasses.replace(resource, name=shown)
        renamed.append(resource)
    unit.resources = renamed
