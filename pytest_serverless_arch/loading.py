"""The whole pipeline in one call: discover -> load -> link -> graph.

>>> from pytest_serverless_arch import load
>>> graph = load("sample_repos/monolith-online-shop")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .config import LoadConfig
from .discover import Candidate, Discovery, discover
from .domains import assign_domains
from .files import UnreadableFile
from .graph import DeploymentGraph
from .link import build_graph
from .loaders.cloudformation.reader import read_template
from .loaders.sam.samconfig import SamConfig, read_samconfig
from .loaders.serverless.compose import apply_compose_params, compose_projects
from .model import LoadedUnit, LoadError, Location, Note
from .parse import ParseError

__all__ = ["load", "load_units"]

UnitLoader = Callable[[Candidate, Discovery, LoadConfig], list[LoadedUnit]]

# Formats whose loader is imported only when such a file is found (python-hcl2 and
# lark, behind Terraform, take a while to import). A compose file is no unit of its
# own: its projects are read below and linked by ``build_graph``.
_LAZY_LOADERS = {
    "serverless": ("pytest_serverless_arch.loaders.serverless.service", "load_service"),
    "terraform": ("pytest_serverless_arch.loaders.terraform.root_module", "load_root_module"),
    "cdk": ("pytest_serverless_arch.loaders.cdk", "load_cloud_assembly"),
}


def load(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    config: LoadConfig | None = None,
    **options: object,
) -> DeploymentGraph:
    """Load every deployment unit under ``paths`` into one :class:`DeploymentGraph`.

    ``paths`` defaults to ``root``; ``root`` defaults to the single path given
    (or the current directory). Keyword ``options`` build a :class:`LoadConfig`.
    """
    if config is None:
        config = LoadConfig(**options)  # type: ignore[arg-type]
    elif options:
        raise TypeError("pass either config= or keyword options, not both")
    if paths is None:
        path_list: list[str | os.PathLike[str]] = [root or "."]
    elif isinstance(paths, (str, os.PathLike)):
        path_list = [paths]
    else:
        path_list = list(paths)
    if root is None:
        root = path_list[0] if len(path_list) == 1 and Path(path_list[0]).is_dir() else "."
    root_path = Path(root).resolve()
    discovery = discover([Path(path).resolve() for path in path_list], root_path, config)
    units = load_units(discovery, config)
    # compose files fill their services' ${param:..} and add links between their units
    projects = compose_projects(discovery)
    if projects:
        units = apply_compose_params(units, projects, discovery, config)
    units = assign_domains(units, config)
    return build_graph(
        units, root=str(root_path), config=config, errors=discovery.errors, notes=discovery.notes, compose=projects
    )


def load_units(discovery: Discovery, config: LoadConfig) -> list[LoadedUnit]:
    """Run the right loader on every candidate; a loader's crash becomes a load error."""
    units: list[LoadedUnit] = []
    candidates: list[Candidate] = list(discovery.candidates)
    candidates += [Candidate(discovery.root / rel, rel, "terraform") for rel in discovery.terraform_dirs]
    for candidate in candidates:
        loader = _loader_for(candidate.format)
        if loader is None:
            continue
        try:
            units.extend(loader(candidate, discovery, config))
        except Exception as exc:  # a bug must not lose the rest of the run
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            discovery.errors.append(
                LoadError(
                    candidate.relpath,
                    0,
                    f"internal error while reading this file ({type(exc).__name__}: {exc}; "
                    f"at {Path(frame.filename).name}:{frame.lineno}); please report it",
                )
            )
    _deduplicate_names(units)
    return units


def _loader_for(format_name: str) -> UnitLoader | None:
    if format_name in ("cloudformation", "sam"):
        return load_template
    spec = _LAZY_LOADERS.get(format_name)
    if spec is None:
        return None
    return getattr(importlib.import_module(spec[0]), spec[1])  # type: ignore[no-any-return]


def samconfig_for(candidate: Candidate, discovery: Discovery, config: LoadConfig) -> SamConfig | None:
    """The samconfig beside a template, when it applies to that template."""
    directory = str(Path(candidate.relpath).parent.as_posix())
    relpath = discovery.samconfigs.get(directory)
    if relpath is None:
        return None
    try:
        samconfig = read_samconfig(discovery.root / relpath, relpath, config.samconfig_env, root=discovery.root)
    except (ParseError, UnreadableFile) as exc:
        discovery.errors.append(LoadError(relpath, exc.line, exc.message))
        return None
    name = Path(candidate.relpath).name
    if samconfig.template_file:
        if Path(samconfig.template_file).name != name:
            return None
    elif name not in ("template.yaml", "template.yml", "template.json"):
        siblings = [
            c
            for c in discovery.candidates
            if c.format in ("sam", "cloudformation") and str(Path(c.relpath).parent.as_posix()) == directory
        ]
        if len(siblings) != 1:
            return None
    return samconfig


def load_template(candidate: Candidate, discovery: Discovery, config: LoadConfig) -> list[LoadedUnit]:
    samconfig = samconfig_for(candidate, discovery, config)
    name = config.stack_names.get(candidate.relpath) or (samconfig.stack_name if samconfig else None) or candidate.relpath
    unit = LoadedUnit(
        name=name,
        format=candidate.format,
        path=candidate.relpath,
        region=(samconfig.region if samconfig else None) or config.default_region,
        tags=dict(samconfig.tags) if samconfig else {},
        location=Location(candidate.relpath, 1),
    )
    if samconfig is not None:
        unit.extra["samconfig"] = samconfig.path
    read_template(
        unit,
        candidate.document,
        config,
        parameter_overrides=samconfig.parameter_overrides if samconfig else None,
        root=discovery.root,
    )  # to read definitions kept in files beside the template
    if unit.extra.get("unreadable"):  # not a unit at all: keep only its errors
        discovery.errors.extend(unit.errors)
        return []
    # issue 4: local nested stacks join this unit; SAM Globals tags count as stack tags for domains
    from .domains import GLOBALS_TAGS, sam_globals_tags
    from .link import SSM_PARAMETERS, ssm_typed_parameters
    from .loaders.cloudformation.nested import join_nested_stacks

    join_nested_stacks(unit, candidate.document, discovery, config)
    unit.extra[GLOBALS_TAGS] = sam_globals_tags(candidate.document)
    unit.extra[SSM_PARAMETERS] = ssm_typed_parameters(candidate.document, unit.parameters)
    return [unit]


def _deduplicate_names(units: Iterable[LoadedUnit]) -> None:
    """Two units may not share a name: the later ones are renamed by path, with a note."""
    seen: dict[str, LoadedUnit] = {}
    for unit in units:
        if unit.name in seen:
            original = unit.name
            unit.name = f"{original}@{unit.path}"
            unit.resources = [dataclasses.replace(resource, unit=unit.name) for resource in unit.resources]
            unit.notes.append(
                Note(
                    Location(unit.path, 1),
                    f"unit name {original!r} is also used by {seen[original].path}; this unit is called {unit.name!r}",
                )
            )
        seen[unit.name] = unit
