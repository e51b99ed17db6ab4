"""The whole pipeline in one call: discover -> load -> link -> graph.

>>> from pytest_serverless_arch import load
>>> graph = load("sample_repos/monolith-online-shop")  # doctest: +SKIP
"""

from __future__ import annotations

import collections
import dataclasses
import importlib
import os
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath

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
from .pipelines.attach import (
    DEPLOYMENTS,
    attach_deployments,
    deployed_pipelines,
    ssm_typed_names,
    unit_parameter_values,
    unsupplied_parameters,
)
from .pipelines.inputs import DeployPlan, UnitInputs, plan_deployments
from .pipelines.model import PipelineScan
from .pipelines.reading import read_pipelines

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
    pipelines: PipelineScan | None = None,
    **options: object,
) -> DeploymentGraph:
    """Load every deployment unit under ``paths`` into one :class:`DeploymentGraph`.

    ``paths`` defaults to ``root``; ``root`` defaults to the single path given
    (or the current directory). Keyword ``options`` build a :class:`LoadConfig`.
    ``pipelines`` replaces what the pipeline readers would find in the repository.
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
    scan = pipelines if pipelines is not None else scan_pipelines(root_path, config, discovery)
    projects = compose_projects(discovery)
    plan = plan_for(scan, discovery, projects, config)
    units = load_units(discovery, config, plan)
    # compose files fill their services' ${param:..} and add links between their units
    if projects:
        units = apply_compose_params(units, projects, discovery, config)
    units = assign_domains(units, config)
    attach_deployments(units, plan, config)
    return build_graph(
        units,
        root=str(root_path),
        config=config,
        errors=discovery.errors,
        notes=[*discovery.notes, *scan.notes, *plan.notes],
        compose=projects,
        pipelines=deployed_pipelines(scan, units),
    )


def scan_pipelines(root: Path, config: LoadConfig, discovery: Discovery) -> PipelineScan:
    """What the pipeline readers find under ``root``; their crash is a load error, never the loss of the units."""
    try:
        scan = read_pipelines(root, config)
    except Exception as exc:  # a bug must not lose the rest of the run
        discovery.errors.append(
            LoadError(".", 0, f"internal error while reading pipelines ({type(exc).__name__}: {exc}); please report it")
        )
        return PipelineScan()
    return scan if isinstance(scan, PipelineScan) else PipelineScan()


def plan_for(scan: PipelineScan, discovery: Discovery, projects: Sequence[object], config: LoadConfig) -> DeployPlan:
    """Bind the scan's deployments to the discovered files (samconfig ``template_file``, compose services)."""
    if not scan.pipelines:
        return DeployPlan()
    targets = [(candidate.relpath, candidate.format) for candidate in discovery.candidates]
    targets += [(relpath, "terraform") for relpath in discovery.terraform_dirs]
    samconfig_templates: dict[str, str | None] = {}
    for directory, relpath in discovery.samconfigs.items():
        try:
            samconfig = read_samconfig(discovery.root / relpath, relpath, config.samconfig_env, root=discovery.root)
        except (ParseError, UnreadableFile, OSError):
            samconfig_templates[directory] = None  # reported once, when the template beside it loads
            continue
        samconfig_templates[directory] = samconfig.template_file
    compose_services: dict[str, list[str]] = {}
    serverless_files = {candidate.relpath for candidate in discovery.candidates if candidate.format == "serverless"}
    for project in projects:
        directory = str(Path(getattr(project, "path", ".")).parent.as_posix())
        files = compose_services.setdefault(directory, [])
        for service in getattr(project, "services", ()):
            names = [service.config_file] if service.config_file else ["serverless.yml", "serverless.yaml", "serverless.ts"]
            for name in names:
                relpath = str(Path(service.path, name).as_posix())
                if relpath in serverless_files:
                    files.append(relpath)
                    break
    return plan_deployments(scan, targets, samconfig_templates, compose_services)


def load_units(discovery: Discovery, config: LoadConfig, plan: DeployPlan | None = None) -> list[LoadedUnit]:
    """Run the right loader on every candidate; a loader's crash becomes a load error.

    ``plan`` gives each candidate what its pipelines pass: a stack name and
    parameter values for templates, a stage and region for serverless services.
    """
    units: list[LoadedUnit] = []
    candidates: list[Candidate] = list(discovery.candidates)
    candidates += [Candidate(discovery.root / rel, rel, "terraform") for rel in discovery.terraform_dirs]
    for candidate in candidates:
        loader = _loader_for(candidate.format)
        if loader is None:
            continue
        inputs = plan.inputs_for(candidate.relpath, config.stage) if plan is not None else None
        try:
            if loader is load_template:
                loaded = load_template(candidate, discovery, config, inputs)
            else:
                loaded = loader(candidate, discovery, _config_for(config, inputs))
            for unit in loaded:
                if inputs is not None and unit.path == candidate.relpath:
                    unit.extra[DEPLOYMENTS] = inputs
            units.extend(loaded)
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
    _path_names_on_clash(units)
    _deduplicate_names(units)
    return units


def _config_for(config: LoadConfig, inputs: UnitInputs | None) -> LoadConfig:
    """A serverless service deployed with ``--stage``/``--region`` resolves with them (unless the options say)."""
    if inputs is None:
        return config
    chosen = inputs.chosen
    stage = config.stage or chosen.stage
    region = config.region or chosen.region
    if (stage, region) == (config.stage, config.region):
        return config
    return dataclasses.replace(config, stage=stage, region=region)


FOLDER_NAMED = "folder_named"  # LoadedUnit.extra key: the unit has no stack name of its own, only its folder's


def folder_name(relpath: str, root: Path) -> str:
    """The stack name a person would give a template with no samconfig: its folder's name.

    A ``template.yaml`` at the root takes the repository folder's name; any other
    file at the root keeps its path (nothing says the repository is that one stack).

    >>> folder_name("services/orders/template.yaml", Path("/repo/shop"))
    'orders'
    >>> folder_name("template.yaml", Path("/repo/shop"))
    'shop'
    >>> folder_name("queues.yaml", Path("/repo/shop"))
    'queues.yaml'
    """
    path = PurePosixPath(relpath)
    if path.parent.name:
        return path.parent.name
    return root.name if path.stem == "template" and root.name else relpath


def _path_names_on_clash(units: Sequence[LoadedUnit]) -> None:
    """A folder name two units share (two templates in one folder, or a stack of that name) names neither: the path does."""
    counts = collections.Counter(unit.name for unit in units)
    for unit in units:
        if unit.extra.get(FOLDER_NAMED) and counts[unit.name] > 1:
            unit.name = unit.path
            unit.resources = [dataclasses.replace(resource, unit=unit.name) for resource in unit.resources]


def _loader_for(format_name: str) -> UnitLoader | None:
    if format_name in ("cloudformation", "sam"):
        return load_template
    spec = _LAZY_LOADERS.get(format_name)
    if spec is None:
        return None
    return getattr(importlib.import_module(spec[0]), spec[1])  # type: ignore[no-any-return]


def samconfig_for(
    candidate: Candidate, discovery: Discovery, config: LoadConfig, inputs: UnitInputs | None = None
) -> SamConfig | None:
    """The samconfig beside a template (or the one its deploy command names), when it applies to that template."""
    directory = str(Path(candidate.relpath).parent.as_posix())
    relpath = discovery.samconfigs.get(directory)
    chosen = inputs.chosen if inputs is not None else None
    if chosen is not None and chosen.tool == "sam" and chosen.config_file:
        named = str(Path(chosen.working_directory, chosen.config_file).as_posix())
        if (discovery.root / named).is_file():
            relpath = named
    if relpath is None:
        return None
    env = (chosen.config_env if chosen is not None and chosen.tool == "sam" else None) or config.samconfig_env
    try:
        samconfig = read_samconfig(discovery.root / relpath, relpath, env, root=discovery.root)
    except (ParseError, UnreadableFile) as exc:
        discovery.errors.append(LoadError(relpath, exc.line or 1, exc.message))
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


def load_template(
    candidate: Candidate, discovery: Discovery, config: LoadConfig, inputs: UnitInputs | None = None
) -> list[LoadedUnit]:
    """One CloudFormation/SAM template -> one unit, with what its pipeline, samconfig and the options give it.

    Stack name: ``stack_names`` option > the deploy command > samconfig > the template's folder
    (see :func:`folder_name`). Parameter values:
    ``serverless_arch_params`` > the deploy command's overrides > samconfig ``parameter_overrides`` > ``Default``.
    """
    samconfig = samconfig_for(candidate, discovery, config, inputs)
    name = (
        config.stack_names.get(candidate.relpath)
        or (inputs.stack_name if inputs is not None else None)
        or (samconfig.stack_name if samconfig else None)
    )
    folder_named = name is None
    name = name or folder_name(candidate.relpath, discovery.root)
    overrides: dict[str, object] = dict(samconfig.parameter_overrides) if samconfig else {}
    if inputs is not None:
        overrides.update(inputs.parameter_values)
        for parameter in ssm_typed_names(candidate.document):
            # an SSM-typed parameter's value is a parameter *name*: a value read at deploy time is not one
            if parameter in overrides and parameter in dict(inputs.chosen.parameters):
                overrides[parameter] = inputs.chosen.parameter_map[parameter].value
    overrides.update(unit_parameter_values(config, candidate.document, name, candidate.relpath))
    region = (inputs.chosen.region if inputs is not None else None) or (samconfig.region if samconfig else None)
    unit = LoadedUnit(
        name=name,
        format=candidate.format,
        path=candidate.relpath,
        region=region or config.default_region,
        tags=dict(samconfig.tags) if samconfig else {},
        location=Location(candidate.relpath, 1),
    )
    if samconfig is not None:
        unit.extra["samconfig"] = samconfig.path
    if folder_named:
        unit.extra[FOLDER_NAMED] = True
    read_template(
        unit,
        candidate.document,
        config,
        parameter_overrides=overrides,
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
    supplied = {*overrides, *(inputs.supplied if inputs is not None else ())}
    unit.notes.extend(unsupplied_parameters(candidate.document, candidate.relpath, supplied))
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
