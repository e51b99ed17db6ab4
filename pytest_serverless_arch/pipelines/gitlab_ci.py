"""GitLab CI: ``.gitlab-ci.yml`` with its local ``include:`` files.

Jobs (top-level keys that are not keywords and not hidden ``.templates``)
run in stage order (``stages:``), a job with ``needs:`` right after what it
needs; ``extends:`` templates and ``default:`` are merged in first. Each
job's ``before_script``, ``script`` and ``after_script`` run in one shell,
with global and job ``variables:``.

Pipelines: jobs that share a ``rules: changes:`` / ``only: changes:`` path
filter form one pipeline (the monorepo style, ``paths`` = the filter); the
other jobs form one pipeline per file that defines them. A pipeline whose
job ``needs:`` a job of another pipeline is ordered after it.

Example::

    deploy-orders:
      stage: deploy
      rules:
        - changes: ["services/orders/**"]
      script:
        - cd services/orders && sam deploy --stack-name orders

is a pipeline with ``paths=("services/orders/**",)`` deploying ``orders``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..model import Location
from ..parse import LineDict, item_line, key_line
from .model import Pipeline
from .source import join_path, read_document, read_text
from .values import Value
from .walk import Frame, PipelineState, run_items
from .yaml_lines import script_source

__all__ = ["GITLAB_FILE", "read_gitlab"]

GITLAB_FILE = ".gitlab-ci.yml"
_KEYWORDS = {
    "image",
    "services",
    "stages",
    "types",
    "before_script",
    "after_script",
    "variables",
    "cache",
    "include",
    "default",
    "workflow",
}
_DEFAULT_STAGES = [".pre", "build", "test", "deploy", ".post"]


def _merge(base: Any, over: Any) -> Any:
    """GitLab's ``extends`` merge: mappings merge deeply, everything else is replaced."""
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        merged = LineDict(base)
        for key, value in over.items():
            merged[key] = _merge(base.get(key), value) if key in base else value
        merged.line = int(getattr(over, "line", 0) or 0)
        merged.key_lines = {**getattr(base, "key_lines", {}), **getattr(over, "key_lines", {})}
        return merged
    return over


class _Definitions:
    """Every job and template of the root file and its local includes, with the file each came from."""

    def __init__(self, root: Path, state: PipelineState) -> None:
        self.root = root
        self.state = state
        self.entries: dict[str, tuple[Any, str]] = {}
        self.key_lines: dict[str, int] = {}
        self.global_lines: dict[str, int] = {}
        self.order: list[str] = []
        self.globals: dict[str, tuple[Any, str]] = {}
        self.lines: dict[str, list[str]] = {}

    def read(self, relpath: str, chain: tuple[str, ...], include_line: Location | None = None) -> bool:
        document, file = read_document(self.root, relpath)
        if document is None:
            where = Location(relpath, file.line) if file.line or include_line is None else include_line
            self.state.note(where, f"GitLab CI file {relpath} not read: {file.reason}")
            return False
        if not isinstance(document, Mapping):
            self.state.note(Location(relpath, 1), "GitLab CI file is not a mapping; not read")
            return False
        self.state.files_read.append(relpath)
        self.lines[relpath] = (read_text(self.root, relpath).text or "").splitlines()
        self.includes(document.get("include"), relpath, chain, key_line(document, "include"))
        for key, value in document.items():
            name = str(key)
            if name in _KEYWORDS:
                self.globals.setdefault(name, (value, relpath))
                self.global_lines.setdefault(name, key_line(document, key, 1))
            elif isinstance(value, Mapping):
                self.entries[name] = (value, relpath)
                self.key_lines[name] = key_line(document, key, 1)
                if name not in self.order:
                    self.order.append(name)
        return True

    def includes(self, raw: Any, relpath: str, chain: tuple[str, ...], line: int) -> None:
        items = raw if isinstance(raw, list) else [raw] if raw is not None else []
        for index, item in enumerate(items):
            where = Location(relpath, item_line(raw, index, line) if isinstance(raw, list) else line)
            if isinstance(item, str) and "://" not in item:
                local: Any = item
            elif isinstance(item, Mapping) and isinstance(item.get("local"), str):
                local = item["local"]
            else:
                kind = next(iter(item), "remote") if isinstance(item, Mapping) else "remote"
                self.state.note(where, f"include of a {kind} file is not readable offline; not read")
                continue
            if "*" in local:
                self.state.note(where, f"include {local}: wildcard includes are not followed")
                continue
            target = join_path(".", local.lstrip("/"))
            if target is None:
                self.state.note(where, f"include {local} is outside the repository; not read")
            elif target in chain:
                self.state.note(where, f"include loop: {' -> '.join((*chain, target))}")
            else:
                self.read(target, (*chain, target), where)

    def job(self, name: str, seen: tuple[str, ...] = ()) -> tuple[Any, dict[str, tuple[str, Any]]]:
        """The job with its ``extends`` templates merged in, and where each top-level key came from."""
        value, relpath = self.entries[name]
        parents = value.get("extends")
        parents = [parents] if isinstance(parents, str) else parents if isinstance(parents, list) else []
        merged: Any = {}
        origins: dict[str, tuple[str, Any]] = {}
        for parent in parents:
            if parent in self.entries and parent not in seen:
                inherited, inherited_origins = self.job(parent, (*seen, name))
                merged = _merge(merged, inherited)
                origins.update(inherited_origins)
            elif parent in seen:
                self.state.note(Location(relpath, key_line(value, "extends")), f"extends loop through {parent}")
            else:
                self.state.note(Location(relpath, key_line(value, "extends")), f"extends {parent}: no such template")
        origins.update({str(key): (relpath, value) for key in value})
        return _merge(merged, value), origins


def _variables(raw: Any, into: Mapping[str, Value]) -> dict[str, Value]:
    out = dict(into)
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            if isinstance(value, Mapping):
                value = value.get("value")
            if isinstance(value, bool):
                value = str(value).lower()
            if isinstance(value, (str, int, float)):
                out[str(key)] = Value(str(value))
    return out


def _expand_variables(text: str, env: Mapping[str, Value]) -> str:
    """GitLab's own ``$VAR``/``${VAR}`` expansion in keywords such as ``environment:``."""

    def swap(match: re.Match[str]) -> str:
        known = env.get(match.group(1) or match.group(2))
        return known.text if known is not None and known.resolved else match.group(0)

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", swap, text)


def _script_items(raw: Any, lines: list[str], line: int) -> list[tuple[str, int]]:
    """The script lines of a job section with their first lines (``line``: the section's key)."""
    if isinstance(raw, str):
        return [script_source(lines, line, raw)]
    items: list[tuple[str, int]] = []
    if isinstance(raw, list):
        for index, item in enumerate(raw):
            item_at = item_line(raw, index, line)
            if isinstance(item, str):
                items.append(script_source(lines, item_at, item))
            elif isinstance(item, list):
                items.extend(_script_items(item, lines, item_at))
    return items


def _changes(job: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []

    def add(raw: Any) -> None:
        if isinstance(raw, Mapping):
            raw = raw.get("paths")
        if isinstance(raw, list):
            found.extend(str(item) for item in raw if str(item) not in found)

    rules = job.get("rules")
    if isinstance(rules, list):
        for rule in rules:
            if isinstance(rule, Mapping) and "changes" in rule:
                add(rule["changes"])
    only = job.get("only")
    if isinstance(only, Mapping) and "changes" in only:
        add(only["changes"])
    return tuple(found)


def _order(names: list[str], jobs: Mapping[str, Any], stages: list[str]) -> list[str]:
    def stage_index(name: str) -> int:
        stage = jobs[name].get("stage", "test")
        return stages.index(stage) if stage in stages else len(stages)

    def needs(name: str) -> list[str]:
        raw = jobs[name].get("needs")
        if not isinstance(raw, list):
            return [other for other in names if stage_index(other) < stage_index(name)]
        needed = [item.get("job") if isinstance(item, Mapping) else item for item in raw]
        return [str(item) for item in needed if item in jobs]

    position = {name: index for index, name in enumerate(names)}
    remaining = sorted(names, key=lambda name: (stage_index(name), position[name]))
    ordered: list[str] = []
    while remaining:
        ready = next((name for name in remaining if all(item in ordered for item in needs(name))), remaining[0])
        ordered.append(ready)
        remaining.remove(ready)
    return ordered


def read_gitlab(root: Path, relpath: str, state: PipelineState) -> list[Pipeline]:
    definitions = _Definitions(root, state)
    if not definitions.read(relpath, (relpath,)):
        return []
    globals_ = definitions.globals
    stages_raw = globals_.get("stages", (None, ""))[0] or globals_.get("types", (None, ""))[0]
    stages = [".pre", *[str(stage) for stage in stages_raw], ".post"] if isinstance(stages_raw, list) else _DEFAULT_STAGES
    default = globals_.get("default", ({}, ""))[0]
    default = default if isinstance(default, Mapping) else {}
    global_env = _variables(globals_.get("variables", ({}, ""))[0], {"CI_PROJECT_DIR": Value(".")})
    merged = {name: definitions.job(name) for name in definitions.order if not name.startswith(".")}
    jobs = {name: job for name, (job, _) in merged.items()}
    origins = {name: origin for name, (_, origin) in merged.items()}
    jobs = {name: job for name, job in jobs.items() if "script" in job or "trigger" in job or "extends" in job}
    groups: dict[tuple[str, ...] | str, list[str]] = {}
    for name in _order(list(jobs), jobs, stages):
        changes = _changes(jobs[name])
        groups.setdefault(changes or definitions.entries[name][1], []).append(name)
    group_of = {name: key for key, members in groups.items() for name in members}
    names: dict[tuple[str, ...] | str, str] = {}
    for key, members in groups.items():
        file = definitions.entries[members[0]][1]
        names[key] = key if isinstance(key, str) else f"{file} [{', '.join(key)}]"
    pipelines: list[Pipeline] = []
    for key, members in groups.items():
        group_state = PipelineState(root, built=state.built, plans=state.plans)
        after: list[str] = []
        for name in members:
            job = jobs[name]
            file = definitions.entries[name][1]
            environment = job.get("environment")
            if isinstance(environment, Mapping):
                environment = environment.get("name")
            env = _variables(job.get("variables"), global_env)
            if isinstance(environment, str):
                environment = _expand_variables(environment, env)
                env["CI_ENVIRONMENT_NAME"] = Value(environment)
            items: list[tuple[str, int, str]] = []
            for section in ("before_script", "script", "after_script"):
                if section in job:
                    source_file, holder = origins[name].get(section, (file, job))
                elif section in default:
                    source_file, holder = globals_["default"][1], default
                elif section in globals_:
                    source_file, holder = globals_[section][1], {section: globals_[section][0]}
                else:
                    continue
                line = key_line(holder, section, 0) or definitions.global_lines.get(section, 1)
                raw = holder[section]
                lines_of_file = definitions.lines.get(source_file, [])
                items.extend((text, at, source_file) for text, at in _script_items(raw, lines_of_file, line))
            frame = Frame(file, 1, ".", env, job=name, environment=environment if isinstance(environment, str) else None)
            run_items(items, frame, group_state)
            raw_needs = job.get("needs")
            for item in raw_needs if isinstance(raw_needs, list) else []:
                needed = item.get("job") if isinstance(item, Mapping) else item
                if needed in group_of and group_of[needed] != key and names[group_of[needed]] not in after:
                    after.append(names[group_of[needed]])
        first_file = definitions.entries[members[0]][1]
        pipelines.append(
            Pipeline(
                name=names[key],
                system="gitlab-ci",
                location=Location(first_file, 1 if isinstance(key, str) else definitions.key_lines[members[0]]),
                deployments=tuple(group_state.deployments),
                after=tuple(after),
                paths=key if isinstance(key, tuple) else (),
                deploy_time_refs=tuple(group_state.refs),
            )
        )
        for note in group_state.notes:
            state.note(note.location, note.message)
        state.files_read.extend(path for path in group_state.files_read if path not in state.files_read)
    return pipelines
