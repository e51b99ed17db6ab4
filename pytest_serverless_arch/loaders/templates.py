"""CloudFormation and SAM templates as units: the template reader and the unit loader.

SAM is CloudFormation plus a transform, so this module sits above both
readers: SAM's reader expands ``Globals`` and the implicit resources first,
then the CloudFormation reader reads what is left. Local nested stacks join
their parent's unit; a ``samconfig.toml`` beside the template names the stack
and gives parameter values, and so do the pipelines that deploy it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from ..config import LoadConfig
from ..discover import Candidate, Discovery
from ..files import UnreadableFile, is_file
from ..model import LoadedUnit, LoadError, Location, StackRef
from ..parse import ParseError
from ..pipelines.inputs import UnitInputs
from .cloudformation.mentions import Walked
from .cloudformation.nested import join_nested_stacks
from .cloudformation.parameters import ssm_typed_names, unit_parameter_values, unsupplied_parameters
from .cloudformation.reader import read_outputs, read_resources, read_wiring, valid_shape
from .cloudformation.references import finish_unit, ssm_typed_parameters
from .cloudformation.template import TemplateReader
from .deploy_time import resolve_textual_references
from .sam.globals import globals_tags
from .sam.reader import SamReader
from .sam.samconfig import SamConfig, read_samconfig

__all__ = ["folder_name", "load_template", "read_template", "samconfig_for"]


def read_template(
    unit: LoadedUnit,
    document: Mapping[str, Any],
    config: LoadConfig,
    *,
    parameter_overrides: Mapping[str, Any] | None = None,
    root: Path | None = None,
    walked: dict[str, Walked] | None = None,
) -> LoadedUnit:
    """Read a CloudFormation or SAM template (already parsed) into ``unit``.

    With ``root`` (the repository root), definitions kept in local files beside
    the template are read too; without it they are left with a note.
    ``walked`` receives what the wiring's walk of each resource's properties
    found, for :func:`finish_unit`.
    """
    if not valid_shape(unit, document):
        unit.unreadable = True
        return unit
    reader = TemplateReader(unit, document, config, parameter_overrides=parameter_overrides, root=root)
    unit.parameters = dict(reader.parameter_values)
    sam = SamReader(reader) if unit.format == "sam" else None
    if sam is not None:
        sam.read_resources()
    read_resources(reader)
    if sam is not None:
        sam.read_wiring()
    read_wiring(reader)
    read_outputs(reader)
    if walked is not None:
        walked.update(reader.walked)
    return unit


def samconfig_for(
    candidate: Candidate, discovery: Discovery, config: LoadConfig, inputs: UnitInputs | None = None
) -> SamConfig | None:
    """The samconfig beside a template (or the one its deploy command names), when it applies to that template."""
    directory = str(Path(candidate.relpath).parent.as_posix())
    relpath = discovery.samconfigs.get(directory)
    chosen = inputs.chosen if inputs is not None else None
    if chosen is not None and chosen.tool == "sam" and chosen.config_file:
        named = str(Path(chosen.working_directory, chosen.config_file).as_posix())
        if is_file(discovery.root / named, discovery.root):
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


def load_template(
    candidate: Candidate, discovery: Discovery, config: LoadConfig, inputs: UnitInputs | None = None
) -> list[LoadedUnit]:
    """One CloudFormation/SAM template -> one unit, with what its pipeline, samconfig and the options give it.

    Stack name: ``stack_names`` option > the deploy command > samconfig > the template's folder
    (see :func:`folder_name`). Parameter values:
    ``serverless_arch_params`` > the deploy command's overrides > samconfig ``parameter_overrides`` > ``Default``.
    Local nested stacks join the unit.
    """
    samconfig = samconfig_for(candidate, discovery, config, inputs)
    name = (
        config.stack_names.get(candidate.relpath)
        or (inputs.stack_name if inputs is not None else None)
        or (samconfig.stack_name if samconfig else None)
    )
    named_by_folder = name is None
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
        region=region or config.region,  # None: kept symbolic (pseudo.py)
        tags=dict(samconfig.tags) if samconfig else {},
        location=Location(candidate.relpath, 1),
        named_by_folder=named_by_folder,
    )
    if samconfig is not None:
        unit.files_read.append(samconfig.path)
    # root: to read definitions kept in files beside the template
    walked: dict[str, Walked] = {}
    read_template(unit, candidate.document, config, parameter_overrides=overrides, root=discovery.root, walked=walked)
    if unit.unreadable:  # not a unit at all: keep only its errors
        discovery.errors.extend(unit.errors)
        return []
    join_nested_stacks(unit, candidate.document, discovery, config, read_template)
    unit.inherited_tags = globals_tags(candidate.document)
    unit.stack_refs.extend(
        StackRef(reference, location, detail) for reference, location, detail in ssm_typed_parameters(unit, candidate.document)
    )
    supplied = {*overrides, *(inputs.supplied if inputs is not None else ())}
    unit.notes.extend(unsupplied_parameters(candidate.document, candidate.relpath, supplied))
    resolve_textual_references(unit)  # parameter values a pipeline reads at deploy time
    finish_unit(unit, walked)
    return [unit]
