"""The whole pipeline in one call: discover -> load -> link -> graph.

>>> from pytest_serverless_arch import load
>>> graph = load("sample_repos/monolith-online-shop")  # doctest: +SKIP
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import operator
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import files
from .collector import gc_held_after_big_parse, keep_to_exit
from .config import LoadConfig
from .files import UnreadableFile, forget_folders
from .model import LoadError, Location, Note, Resource

# Discovery, the readers, the pipeline readers and linking are imported when something must be built:
# a graph taken whole from the cache (the pytest gate's second run) needs none of them.
if TYPE_CHECKING:
    from .cache import CacheChanges, Loader, UnitCache
    from .discover import Candidate, Discovery
    from .graph import DeploymentGraph
    from .model import LoadedUnit
    from .parallel import Team
    from .pipelines.inputs import DeployPlan, UnitInputs
    from .pipelines.model import PipelineScan

__all__ = ["load", "load_units"]


def load(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    config: LoadConfig | None = None,
    pipelines: PipelineScan | None = None,
    cache: UnitCache | None = None,
    **options: object,
) -> DeploymentGraph:
    """Load every deployment unit under ``paths`` into one :class:`DeploymentGraph`.

    ``paths`` defaults to ``root``; ``root`` defaults to the single path given
    (or the current directory). Keyword ``options`` build a :class:`LoadConfig`.
    ``pipelines`` replaces what the pipeline readers would find in the repository.
    ``cache`` keeps loaded units between runs (see :mod:`.cache`); without it every unit is read.
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
    forget_folders()  # each load resolves every folder once again
    with gc_held_after_big_parse():  # a big template's reading and linking is not walked by the collector again and again
        if cache is not None and cache.keep_graphs and pipelines is None and config.domain_resolver is None:
            return _load_whole(path_list, Path(root).resolve(), config, cache)
        return _load(path_list, Path(root).resolve(), config, pipelines, cache)


def _load_whole(
    path_list: Sequence[str | os.PathLike[str]], root_path: Path, config: LoadConfig, cache: UnitCache
) -> DeploymentGraph:
    """The graph of the last load with the same paths and options, while nothing it read has changed; else loaded and kept.

    The key holds the root, the paths, every load option, the environment values
    ``${env:..}`` may read, the working folder and this package's code; every file,
    path and folder the load observed is observed again (see :mod:`.run_cache`).
    """
    from .cache import _settings
    from .graph import DeploymentGraph
    from .run_cache import RunCache, run_key

    runs = RunCache(cache.directory, key_file=cache._key_file)
    environment = tuple((name, os.environ.get(name)) for name in config.env_allow)
    key = run_key("load", str(root_path), [str(path) for path in path_list], _settings(config), environment, os.getcwd())
    graph = runs.recall(key, root_path)
    if isinstance(graph, DeploymentGraph):
        cache.graph_reused = True
        cache.hits += len(graph.units())
        return graph
    cache.graph_reused = False
    with files.recording() as log:
        graph = _load(path_list, root_path, config, None, cache)
    if cache.problem is None:
        runs.keep(key, log, graph)
        cache.problem = runs.problem
    return graph


def _load(
    path_list: Sequence[str | os.PathLike[str]],
    root_path: Path,
    config: LoadConfig,
    pipelines: PipelineScan | None,
    cache: UnitCache | None,
) -> DeploymentGraph:
    from .discover import discover
    from .domains import assign_domains
    from .link import build_graph
    from .loaders.serverless.compose import apply_compose_params, compose_projects, link_compose_projects
    from .parallel import Team
    from .pipelines.attach import attach_deployments, deployed_pipelines
    from .pipelines.sniff import kind_by_text  # not the readers: the scan imports them (while the workers parse)

    # A worker forked by discovery (parallel.py) runs this block too, up to its share of load_units, and ends
    # there: the Team's block is the innermost, so it never leaves it, nor runs the cache's end of the run.
    scanned: list[tuple[PipelineScan, LoadError | None]] = []

    def scan_meanwhile(discovery: Discovery) -> None:
        """The pipeline scan needs only what the walk read: this process runs it while its workers parse."""
        if pipelines is None:
            scanned.append(_scan(cache, root_path, config, discovery))

    with cache.run(root_path, config, path_list) if cache is not None else contextlib.nullcontext(), Team() as team:
        discovery = discover(
            [Path(path).resolve() for path in path_list],
            root_path,
            config,
            classifications=cache,
            sniff=kind_by_text,
            team=team,
            prepare_terraform=_prepare_terraform,
            meanwhile=scan_meanwhile,
        )
        if pipelines is not None:
            scan = pipelines
        else:  # (a worker, and a load in one process, scan now)
            scan, crash = scanned[0] if scanned else _scan(cache, root_path, config, discovery)
            if crash is not None:
                discovery.errors.append(crash)
        projects = compose_projects(discovery)
        plan = plan_for(scan, discovery, projects, config)
        if cache is not None:
            # a unit may be taken as its record (unit_records.py) while what happens after all are loaded is
            # known of the record too: no compose params (its pipelines' deployments are: RecordedUnit.facts),
            # domains from the options alone
            cache.deferring = cache.records and config.link_scope is not None and not projects and config.domain_resolver is None
        try:
            units = load_units(discovery, config, plan, cache=cache, team=team)
        finally:
            if cache is not None:
                cache.deferring = False
    # compose files fill their services' ${param:..} and add links between their units
    if projects:
        units = apply_compose_params(units, projects, discovery, config)
        errors, notes = link_compose_projects(projects, units)
        discovery.errors.extend(errors)
        discovery.notes.extend(notes)
    units = assign_domains(units, config)
    attach_deployments(units, plan, config)
    graph = build_graph(
        units,
        root=str(root_path),
        config=config,
        errors=discovery.errors,
        notes=[*discovery.notes, *scan.notes, *plan.notes],
        pipelines=deployed_pipelines(scan, units),
    )
    keep_to_exit(discovery)  # its parsed documents: a process that ends at once does not free them one by one
    return graph


def _prepare_terraform(discovery: Discovery) -> None:
    from .loaders.terraform.root_module import prepare_index

    prepare_index(discovery)


def _scan(cache: UnitCache | None, root: Path, config: LoadConfig, discovery: Discovery) -> tuple[PipelineScan, LoadError | None]:
    """:func:`_read_scan`, through the warm cache when there is one (see ``UnitCache.scan``)."""
    if cache is None:
        return _read_scan(root, config, discovery)
    return cache.scan(discovery, lambda: _read_scan(root, config, discovery))


def _read_scan(root: Path, config: LoadConfig, discovery: Discovery) -> tuple[PipelineScan, LoadError | None]:
    """What the pipeline readers find under ``root``; their crash is returned as the load error to add, never the loss
    of the units (the scan may run before discovery has ended, so the caller adds it)."""
    from .pipelines.model import PipelineScan
    from .pipelines.reading import read_pipelines

    try:
        scan = read_pipelines(root, config, discovery.sniffed, discovery.walked)
    except Exception as exc:  # a bug must not lose the rest of the run
        crash = LoadError(".", 0, f"internal error while reading pipelines ({type(exc).__name__}: {exc}); please report it")
        return PipelineScan(), crash
    return (scan if isinstance(scan, PipelineScan) else PipelineScan()), None


def plan_for(scan: PipelineScan, discovery: Discovery, projects: Sequence[object], config: LoadConfig) -> DeployPlan:
    """Bind the scan's deployments to the discovered files (samconfig ``template_file``, compose services)."""
    from .loaders.sam.samconfig import read_samconfig
    from .parse import ParseError
    from .pipelines.inputs import DeployPlan, plan_deployments

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


def load_units(
    discovery: Discovery,
    config: LoadConfig,
    plan: DeployPlan | None = None,
    *,
    cache: UnitCache | None = None,
    team: Team | None = None,
) -> list[LoadedUnit]:
    """Run the right loader on every candidate (through ``cache`` when given); a loader's crash becomes a load error.

    ``plan`` gives each candidate what its pipelines pass: a stack name and
    parameter values for templates, a stage and region for serverless services.
    With a ``team`` that discovery started (see :mod:`.parallel`), each process loads
    the candidates whose files it parsed (and a share of the rest, by weight); the
    workers' units, errors, notes and file observations are taken back in the serial
    order and the workers end, so the result is the same for any number of processes.
    """
    from .discover import Candidate
    from .loaders import loader_for
    from .parallel import balance

    candidates: list[Candidate] = list(discovery.candidates)
    candidates += [Candidate(discovery.root / rel, rel, "terraform") for rel in discovery.terraform_dirs]
    work = [(candidate, loader) for candidate in candidates if (loader := loader_for(candidate.format)) is not None]

    def load_one(index: int, shipped: bool) -> _Loaded:
        candidate, loader = work[index]
        return _load_candidate(candidate, loader, discovery, config, plan, cache, shipped)

    if team is not None and team.forked:
        # each process loads what it parsed (and the Terraform directories, if discovery gave it them); the rest by weight
        weights = [_weight(candidate) for candidate, _ in work]
        placed = {
            index: team.holds[candidate.relpath] for index, (candidate, _) in enumerate(work) if candidate.relpath in team.holds
        }
        results = team.gather(load_one, balance(weights, team.size, placed=placed))
    else:
        results = {index: load_one(index, False) for index in range(len(work))}
    units: list[LoadedUnit] = []
    for index in range(len(work)):
        results[index].merge(units, discovery, cache)
    if team is not None and team.problems and config.jobs is not None:  # said only to whoever asked for processes
        discovery.notes.extend(Note(Location("."), f"parallel loading: {problem}") for problem in team.problems)
    units = _loaded_on_clash(units)
    _path_names_on_clash(units)
    _deduplicate_names(units)
    return units


def _loaded_on_clash(units: list[LoadedUnit]) -> list[LoadedUnit]:
    """``units``, each one taken as its record that a name clash renames unpickled: a rename is not in the records.

    The renames (:func:`_path_names_on_clash`, :func:`_deduplicate_names`) depend only on
    every unit's name, path and whether its folder names it: they are made first on
    stand-ins, and only the units they rename are unpickled before they are made again.
    """
    from .unit_records import RecordedUnit

    if not any(isinstance(unit, RecordedUnit) for unit in units):
        return units
    names = [unit.name for unit in units]
    if len(set(names)) == len(names):
        return units
    from .model import LoadedUnit

    stand_ins = [LoadedUnit(unit.name, unit.format, unit.path, named_by_folder=unit.named_by_folder) for unit in units]
    _path_names_on_clash(stand_ins)
    _deduplicate_names(stand_ins)
    return [
        unit.loaded() if isinstance(unit, RecordedUnit) and stand_in.name != unit.name else unit
        for unit, stand_in in zip(units, stand_ins, strict=True)
    ]


def _weight(candidate: Candidate) -> int:
    """What loading a candidate discovery did not place costs, in template bytes (a CDK assembly: a typical stack)."""
    return max(candidate.size, 20_000 if candidate.format == "cdk" else 2_000)


@dataclasses.dataclass
class _Loaded:
    """One candidate's loading: its units and the errors and notes it added to discovery's.

    Loaded in a forked worker (``shipped``), also what it observed through :mod:`.files`
    and what it added to the unit cache's run: the parent records and keeps them.
    """

    units: list[LoadedUnit]
    errors: list[LoadError]
    notes: list[Note]
    reads: tuple[files.FileRead, ...] = ()
    cached: CacheChanges | None = None

    def merge(self, units: list[LoadedUnit], discovery: Discovery, cache: UnitCache | None) -> None:
        units.extend(self.units)
        discovery.errors.extend(self.errors)
        discovery.notes.extend(self.notes)
        if self.reads:
            files.replay(self.reads)  # every recording of this run sees what the worker read (the warm cache keys on it)
        if self.cached is not None and cache is not None:
            cache.absorb(self.cached)


def _load_candidate(
    candidate: Candidate,
    loader: Loader,
    discovery: Discovery,
    config: LoadConfig,
    plan: DeployPlan | None,
    cache: UnitCache | None,
    shipped: bool,
) -> _Loaded:
    """Load one candidate; what it adds to ``discovery``'s errors and notes is taken off and returned with its units."""
    inputs = plan.inputs_for(candidate.relpath, config.stage) if plan is not None else None
    errors_at, notes_at = len(discovery.errors), len(discovery.notes)
    loaded: list[LoadedUnit] = []
    with contextlib.ExitStack() as stack:
        # a worker records what it reads for this process's recordings: none (a run without a cache), nothing to send
        log = stack.enter_context(files.recording()) if shipped and files.is_recording() else None
        cached = stack.enter_context(cache.collecting()) if shipped and cache is not None else None
        try:
            unit_config = _config_for(config, inputs)
            if cache is not None:
                loaded = cache.load(loader, candidate, discovery, unit_config, inputs)
            else:
                loaded = loader(candidate, discovery, unit_config, inputs)
            for unit in loaded:
                if inputs is not None and unit.path == candidate.relpath:
                    unit.deployments = inputs
        except Exception as exc:  # a bug must not lose the rest of the run
            loaded = []
            discovery.errors.append(LoadError.internal(candidate.relpath, exc))
    errors, notes = discovery.errors[errors_at:], discovery.notes[notes_at:]
    del discovery.errors[errors_at:], discovery.notes[notes_at:]
    return _Loaded(loaded, errors, notes, tuple(log) if log is not None else (), cached)


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


def _path_names_on_clash(units: Sequence[LoadedUnit]) -> None:
    """A folder name two units share (two templates in one folder, or a stack of that name) names neither: the path does."""
    counts = collections.Counter(unit.name for unit in units)
    for unit in units:
        if unit.named_by_folder and counts[unit.name] > 1:
            unit.name = unit.path
            unit.resources = _in_unit(unit.resources, unit.name)


def _deduplicate_names(units: Iterable[LoadedUnit]) -> None:
    """Two units may not share a name: the later ones are renamed by path, with a note."""
    seen: dict[str, LoadedUnit] = {}
    for unit in units:
        if unit.name in seen:
            original = unit.name
            unit.name = f"{original}@{unit.path}"
            unit.resources = _in_unit(unit.resources, unit.name)
            unit.notes.append(
                Note(
                    Location(unit.path, 1),
                    f"unit name {original!r} is also used by {seen[original].path}; this unit is called {unit.name!r}",
                )
            )
        seen[unit.name] = unit


_RESOURCE_FIELDS = [field.name for field in dataclasses.fields(Resource)]
_resource_values = operator.attrgetter(*_RESOURCE_FIELDS)
_UNIT_FIELD = _RESOURCE_FIELDS.index("unit")


def _in_unit(resources: Iterable[Resource], unit: str) -> list[Resource]:
    """``dataclasses.replace(resource, unit=unit)`` of each resource, at half its cost.

    ``replace`` looks the dataclass's fields up again for every call: the corpus
    renames 8,452 resources of 1,721 units whose folder names clash (0.04 s).

    >>> from .model import Location
    >>> queue = Resource("orders", "Queue", "AWS::SQS::Queue", "queue", Location("orders/template.yaml", 3))
    >>> _in_unit([queue], "orders/template.yaml") == [dataclasses.replace(queue, unit="orders/template.yaml")]
    True
    """
    moved = []
    for resource in resources:
        values = list(_resource_values(resource))
        values[_UNIT_FIELD] = unit
        moved.append(Resource(*values))
    return moved
