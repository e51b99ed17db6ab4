"""``serverless-compose.yml``: which services a project deploys, and in which order.

The services themselves are ordinary ``serverless.yml`` units, found and
loaded on their own. A compose file adds two kinds of cross-unit link:

- ``params`` whose values use ``${service.Output}`` (the consuming service
  needs the other one's output: a ``compose_param`` link), and
- ``dependsOn`` (a ``depends_on`` link).

:func:`read_compose` turns the file into a :class:`ComposeProject` record;
:func:`link_compose_projects` resolves its services to units by path and
gives each unit what it needs as typed references. A compose file is no
unit of its own.

>>> from pytest_serverless_arch.parse import parse_yaml
>>> project = read_compose(parse_yaml("services:\\n  a: {path: a}\\n  b: {path: b, dependsOn: a}\\n"), "c.yml")
>>> [(service.name, service.path, [name for name, _ in service.depends_on]) for service in project.services]
[('a', 'a', []), ('b', 'b', ['a'])]
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from ...model import ForeignRef, LoadedUnit, LoadError, Location, Note, StackRef
from ...parse import line_of

if TYPE_CHECKING:
    from ...config import LoadConfig
    from ...discover import Discovery

__all__ = [
    "ComposeParam",
    "ComposeProject",
    "ComposeService",
    "apply_compose_params",
    "compose_projects",
    "link_compose_projects",
    "read_compose",
    "service_units",
]

# ``${service.Output}``; ``${sls:stage}``, ``${env:X}`` and the like have a colon, not a dot, after the name.
_OUTPUT_REFERENCE = re.compile(r"\$\{\s*([A-Za-z0-9_-]+)\.([A-Za-z0-9_.-]+?)\s*\}")


@dataclass(frozen=True)
class ComposeParam:
    """A service parameter whose value uses another service's output."""

    name: str
    service: str
    output: str
    location: Location
    whole: bool = True  # the value is exactly ``${service.Output}`` (not text around it)


@dataclass(frozen=True)
class ComposeService:
    """One service of a compose project: its name, directory and what it needs from the others."""

    name: str
    path: str  # directory relative to the repository root, posix
    location: Location
    config_file: str | None = None  # the service file when it is not ``serverless.yml``
    params: tuple[ComposeParam, ...] = ()
    depends_on: tuple[tuple[str, Location], ...] = ()


@dataclass(frozen=True)
class ComposeProject:
    """What one ``serverless-compose.yml`` says; problems are errors/notes with file:line."""

    path: str
    services: tuple[ComposeService, ...] = ()
    errors: tuple[LoadError, ...] = ()
    notes: tuple[Note, ...] = field(default=())


def read_compose(document: Any, relpath: str) -> ComposeProject:
    """The services, params and ``dependsOn`` of a parsed compose file at ``relpath``."""
    errors: list[LoadError] = []
    notes: list[Note] = []
    services_block = document.get("services") if isinstance(document, Mapping) else None
    if not isinstance(services_block, Mapping):
        line = document.line_of("services") if hasattr(document, "line_of") else 1
        errors.append(LoadError(relpath, line or 1, "`services` must be a mapping of service names to settings"))
        return ComposeProject(relpath, errors=tuple(errors))
    base = PurePosixPath(relpath).parent
    lines = getattr(services_block, "key_lines", {})
    services: list[ComposeService] = []
    for name, spec in services_block.items():
        line = lines.get(name, 1)
        if not isinstance(spec, Mapping) or not isinstance(spec.get("path"), str):
            errors.append(LoadError(relpath, line, f"compose service {name!r} needs a `path`"))
            continue
        directory = _normalise(base / spec["path"])
        if directory is None:
            errors.append(
                LoadError(relpath, line, f"compose service {name!r}: path {spec['path']!r} leads out of the repository")
            )
            continue
        config_file = spec.get("config") if isinstance(spec.get("config"), str) else None
        services.append(
            ComposeService(
                name=str(name),
                path=directory,
                location=Location(relpath, line),
                config_file=config_file,
                params=tuple(_params(spec, relpath, line)),
                depends_on=tuple(_depends_on(spec, relpath, line)),
            )
        )
    return ComposeProject(relpath, tuple(services), tuple(errors), tuple(notes))


def _params(spec: Mapping[str, Any], relpath: str, line: int) -> list[ComposeParam]:
    params = spec.get("params")
    if not isinstance(params, Mapping):
        return []
    lines = getattr(params, "key_lines", {})
    found = []
    for name, value in params.items():
        if not isinstance(value, str):
            continue
        for match in _OUTPUT_REFERENCE.finditer(value):
            found.append(
                ComposeParam(
                    str(name),
                    match.group(1),
                    match.group(2),
                    Location(relpath, lines.get(name, line)),
                    whole=match.group(0) == value.strip(),
                )
            )
    return found


def _depends_on(spec: Mapping[str, Any], relpath: str, line: int) -> list[tuple[str, Location]]:
    value = spec.get("dependsOn")
    if value is None:
        return []
    key_line = spec.line_of("dependsOn") if hasattr(spec, "line_of") else line
    if isinstance(value, str):
        return [(value, Location(relpath, key_line or line))]
    if isinstance(value, list):
        item_lines = getattr(value, "item_lines", [])
        return [
            (str(item), Location(relpath, item_lines[index] if index < len(item_lines) else line_of(value, line)))
            for index, item in enumerate(value)
            if isinstance(item, str)
        ]
    return []


def _normalise(path: PurePosixPath) -> str | None:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts) or "."


def compose_projects(discovery: Discovery) -> list[ComposeProject]:
    """Every compose file discovery found, read."""
    return [
        read_compose(candidate.document, candidate.relpath) for candidate in discovery.candidates if candidate.format == "compose"
    ]


def service_units(project: ComposeProject, units: Iterable[LoadedUnit]) -> dict[str, LoadedUnit]:
    """Compose service name -> the unit loaded from its directory (its serverless file first)."""
    by_directory: dict[str, list[LoadedUnit]] = {}
    for unit in units:
        by_directory.setdefault(PurePosixPath(unit.path).parent.as_posix(), []).append(unit)
    found = {}
    for service in project.services:
        loaded = by_directory.get(service.path, [])
        if service.config_file:
            loaded = [unit for unit in loaded if PurePosixPath(unit.path).name == service.config_file]
        chosen = next((unit for unit in loaded if unit.format == "serverless"), loaded[0] if loaded else None)
        if chosen is not None:
            found[service.name] = chosen
    return found


def apply_compose_params(
    units: list[LoadedUnit], projects: Iterable[ComposeProject], discovery: Discovery, config: LoadConfig
) -> list[LoadedUnit]:
    """Reload each service whose ``${param:x}`` compose fills with another service's output.

    Compose passes the output's value at deploy time; offline it becomes a
    ``stack_output`` reference to the providing unit, so a trigger or an access
    through ``${param:x}`` ends at the provider's resource.
    """
    from .service import load_service

    candidates = {candidate.relpath: candidate for candidate in discovery.candidates}
    result = list(units)
    for project in projects:
        members = service_units(project, result)
        for service in project.services:
            consumer = members.get(service.name)
            candidate = candidates.get(consumer.path) if consumer is not None else None
            if consumer is None or candidate is None or consumer.format != "serverless":
                continue
            foreign = {
                param.name: ForeignRef("compose_param", f"{members[param.service].name}/{param.output}")
                for param in service.params
                if param.whole and param.service in members
            }
            if not foreign:
                continue
            params: dict[str, Any] = {**config.params, **foreign}
            reloaded = load_service(candidate, discovery, dataclasses.replace(config, params=params))
            if len(reloaded) == 1 and reloaded[0].name == consumer.name:
                result[result.index(consumer)] = reloaded[0]
                members[service.name] = reloaded[0]
    return result


_PARAM = re.compile(r"\$\{param:([A-Za-z0-9_.-]+)\}")


def link_compose_projects(projects: Iterable[ComposeProject], units: list[LoadedUnit]) -> tuple[list[LoadError], list[Note]]:
    """Give each service's unit what compose says it needs, as typed facts for the linker.

    - ``dependsOn`` -> a unit-level ``unit`` reference (a ``depends_on`` link);
    - ``params`` -> a unit-level ``compose_param`` reference to the provider's
      output, and every edge end still spelled ``${param:x}`` becomes that
      reference;
    - services, dependencies and params naming nothing in the project -> notes.

    Returns the projects' own errors and notes with those.
    """
    errors: list[LoadError] = []
    notes: list[Note] = []
    for project in projects:
        errors.extend(project.errors)
        notes.extend(project.notes)
        members = service_units(project, units)
        names = {service: unit.name for service, unit in members.items()}
        for service in project.services:
            if service.name not in names:
                notes.append(
                    Note(service.location, f"compose service {service.name!r}: no serverless service found at {service.path!r}")
                )
        for service in project.services:
            consumer = members.get(service.name)
            if consumer is None:
                continue
            _rewrite_param_ends(consumer, project, service, names)
            for dependency, location in service.depends_on:
                if dependency not in names:
                    notes.append(
                        Note(
                            location,
                            f"compose service {service.name!r} depends on "
                            f"{dependency!r}, which is not a service of this compose file",
                        )
                    )
                    continue
                reference = ForeignRef("unit", names[dependency], "unit")
                consumer.stack_refs.append(StackRef(reference, location, f"dependsOn {dependency}"))
            for param in service.params:
                if param.service not in names:
                    notes.append(
                        Note(
                            param.location,
                            f"compose param {param.name!r} names service {param.service!r}, which is not in this compose file",
                        )
                    )
                    continue
                reference = ForeignRef("compose_param", f"{names[param.service]}/{param.output}")
                detail = f"{param.name}: ${{{param.service}.{param.output}}}"
                consumer.stack_refs.append(StackRef(reference, param.location, detail))
    return errors, notes


def _rewrite_param_ends(unit: LoadedUnit, project: ComposeProject, service: ComposeService, names: Mapping[str, str]) -> None:
    """Edge ends spelled ``${param:x}`` (whole) become the provider's output that compose passes as ``x``."""
    outputs = {
        param.name: ForeignRef("compose_param", f"{names[param.service]}/{param.output}")
        for param in service.params
        if param.whole and param.service in names
    }
    if not outputs:
        return

    def rewritten(end: Any) -> Any:
        if not isinstance(end, ForeignRef) or end.how not in ("name", "arn", "external"):
            return end
        text = end.key[len("unresolved ") :] if end.how == "external" and end.key.startswith("unresolved ") else end.key
        match = _PARAM.fullmatch(text.strip())
        output = outputs.get(match.group(1)) if match else None
        return ForeignRef(output.how, output.key, end.kind_hint) if output else end

    unit.edges = [dataclasses.replace(edge, source=rewritten(edge.source), target=rewritten(edge.target)) for edge in unit.edges]
