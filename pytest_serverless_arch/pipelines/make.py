"""Makefiles read, never run: which recipe lines ``make TARGET`` would give the shell.

Understood: rules ``target: prerequisites`` with tab-indented recipes
(prerequisites first, each once), ``VAR = v``, ``VAR := v``, ``VAR ::= v``,
``VAR ?= v``, ``VAR += v``, ``export``/``override`` prefixes, ``$(VAR)`` and
``${VAR}`` with ``$$`` for the shell's ``$``, ``$@``, ``$(MAKE)``, ``include``
and ``-include`` (a loop is a note), and ``VAR=value`` on the make command
line (which beats every assignment but ``override``). Functions such as
``$(shell ...)`` stay unknown. Variables make does not define fall through to
the environment, and otherwise stay as ``${VAR}`` for the shell reader.

Example::

    STAGE ?= dev
    deploy:
    \tsam deploy --stack-name shop-$(STAGE)

``make deploy STAGE=prod`` gives one recipe line, ``sam deploy --stack-name shop-prod``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Location, Note
from .source import join_path, read_text

__all__ = ["MakeRun", "Makefile", "RecipeLine", "parse_makefile", "plan_make"]

MAX_INCLUDE_DEPTH = 10


@dataclass(frozen=True)
class RecipeLine:
    """One recipe line as the shell gets it, with its own file and line."""

    text: str
    location: Location
    target: str


@dataclass
class _Rule:
    target: str
    prerequisites: list[str]
    recipe: list[tuple[str, Location]]
    location: Location


@dataclass
class Makefile:
    """The parts of a Makefile (and its includes) the reader needs."""

    path: str
    variables: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (raw value, flavor)
    overrides: set[str] = field(default_factory=set)
    rules: dict[str, _Rule] = field(default_factory=dict)
    default_target: str | None = None
    notes: list[Note] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)


@dataclass
class MakeRun:
    """What ``make ...`` would run: recipe lines in order, with notes and files read."""

    lines: list[RecipeLine] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)
    directory: str = "."


_ASSIGNMENT = re.compile(r"^(?:(export|override)\s+)*([A-Za-z_][A-Za-z0-9_.-]*)\s*(\?=|:=|::=|\+=|!=|=)\s*(.*)$")
_RULE = re.compile(r"^([^:=#\t][^:=#]*?)\s*(::?)(?!=)\s*(.*)$")
_INCLUDE = re.compile(r"^(-?include|sinclude)\s+(.+)$")
_REFERENCE = re.compile(r"\$(?:\(([^()]*)\)|\{([^{}]*)\}|([@<*^?]))")


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with backslash continuations joined, each with its first line number."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw.endswith("\\"):
            pending.append(raw[:-1])
            continue
        pending.append(raw)
        out.append((start, " ".join(part.strip() if index else part for index, part in enumerate(pending))))
        pending = []
    if pending:
        out.append((start, " ".join(pending)))
    return out


def parse_makefile(
    root: Path, relpath: str, makefile: Makefile | None = None, chain: tuple[str, ...] = (), directory: str | None = None
) -> Makefile:
    """Read ``relpath`` (and what it includes) into ``makefile``; problems become notes.

    ``directory`` is where make runs: ``include`` names are relative to it, not to the including file.
    """
    makefile = makefile or Makefile(relpath)
    file = read_text(root, relpath)
    if file.text is None:
        makefile.notes.append(Note(Location(relpath, file.line), f"Makefile not read: {file.reason}"))
        return makefile
    makefile.files_read.append(relpath)
    chain = (*chain, relpath)
    if directory is None:
        directory = relpath.rsplit("/", 1)[0] if "/" in relpath else "."
    current: list[_Rule] = []
    lines = file.text.splitlines()
    for number, line in _logical_lines(file.text):
        if line.startswith("\t") and current:
            body = lines[number - 1][1:]
            # a recipe line continued with "\" stays one shell command; keep its first line
            continued = [body]
            cursor = number
            while continued[-1].endswith("\\") and cursor < len(lines):
                continued.append(lines[cursor].lstrip("\t"))
                cursor += 1
            for rule in current:
                rule.recipe.append(("\n".join(continued), Location(relpath, number)))
            continue
        stripped = line.split("#", 1)[0].rstrip() if not line.lstrip().startswith("#") else ""
        if not stripped.strip():
            continue
        stripped = stripped.strip()
        include = _INCLUDE.match(stripped)
        if include:
            optional = include.group(1) != "include"
            for name in include.group(2).split():
                target = join_path(directory, expand_make(name, makefile, {}, {}))
                if target is None:
                    makefile.notes.append(Note(Location(relpath, number), f"include {name} is outside the repository; not read"))
                elif target in chain:
                    makefile.notes.append(Note(Location(relpath, number), f"include loop: {' -> '.join((*chain, target))}"))
                elif len(chain) > MAX_INCLUDE_DEPTH:
                    makefile.notes.append(Note(Location(relpath, number), "includes nested too deeply; not read"))
                elif optional and read_text(root, target).text is None:
                    continue
                else:
                    parse_makefile(root, target, makefile, chain, directory)
            current = []
            continue
        assignment = _ASSIGNMENT.match(stripped)
        if assignment:
            _, name, operator, value = assignment.groups()
            if "override" in stripped.split(name, 1)[0]:
                makefile.overrides.add(name)
            if operator == "?=":
                makefile.variables.setdefault(name, (value, "conditional"))
            elif operator in (":=", "::="):
                makefile.variables[name] = (expand_make(value, makefile, {}, {}), "simple")
            elif operator == "+=":
                old, flavor = makefile.variables.get(name, ("", "recursive"))
                makefile.variables[name] = ((old + " " + value).strip(), flavor)
            elif operator == "!=":
                makefile.variables[name] = ("$(shell " + value + ")", "simple")
            else:
                makefile.variables[name] = (value, "recursive")
            current = []
            continue
        rule_match = _RULE.match(stripped)
        if rule_match:
            targets, _, rest = rule_match.groups()
            rest, _, inline = rest.partition(";")
            if _ASSIGNMENT.match(rest.strip()):  # target-specific variable: not followed
                current = []
                continue
            current = []
            for target in targets.split():
                if target.startswith(".") and target != ".":
                    continue
                made = makefile.rules.get(target)
                if made is None:
                    made = _Rule(target, [], [], Location(relpath, number))
                    makefile.rules[target] = made
                    if makefile.default_target is None and "%" not in target:
                        makefile.default_target = target
                made.prerequisites.extend(rest.split())
                if inline.strip():
                    made.recipe.append((inline.strip(), Location(relpath, number)))
                current.append(made)
            continue
        current = []
    return makefile


def expand_make(
    text: str,
    makefile: Makefile,
    command_line: Mapping[str, str],
    environment: Mapping[str, str],
    target: str = "",
    depth: int = 0,
) -> str:
    """Make's expansion of ``text``; ``$$`` becomes the shell's ``$``."""
    if depth > 20:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "$":
            out.append(char)
            index += 1
            continue
        if text.startswith("$$", index):
            out.append("$")
            index += 2
            continue
        match = _REFERENCE.match(text, index)
        if match is None:
            out.append(char)
            index += 1
            continue
        index = match.end()
        name = match.group(1) if match.group(1) is not None else match.group(2)
        if match.group(3):
            out.append(target if match.group(3) == "@" else "")
            continue
        assert name is not None
        out.append(_variable(name, makefile, command_line, environment, target, depth))
    return "".join(out)


def _variable(
    name: str, makefile: Makefile, command_line: Mapping[str, str], environment: Mapping[str, str], target: str, depth: int
) -> str:
    if name in ("MAKE", "MAKE_COMMAND"):
        return "make"
    if name == "CURDIR":
        return "."
    if " " in name or name.startswith(("shell", "call", "eval", "wildcard", "foreach")):
        return "$(" + name + ")"  # a make function: unknown offline, the shell reader sees a substitution
    if name in command_line and name not in makefile.overrides:
        return command_line[name]
    if name in makefile.variables:
        raw, flavor = makefile.variables[name]
        if flavor == "conditional" and name in environment:  # ?= only sets what the environment does not
            return environment[name]
        if flavor == "simple":
            return raw
        return expand_make(raw, makefile, command_line, environment, target, depth + 1)
    if name in environment:
        return environment[name]
    return "${" + name + "}"


def plan_make(
    root: Path,
    cwd: str,
    argv: list[str],
    line_location: Location,
    environment: Mapping[str, str],
) -> MakeRun:
    """The recipe lines ``make`` with ``argv`` (after the command name) would run."""
    run = MakeRun()
    directory = cwd
    makefile_name: str | None = None
    targets: list[str] = []
    command_line: dict[str, str] = {}
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg in ("-C", "--directory") and index < len(argv):
            directory = join_path(directory, argv[index]) or directory
            index += 1
        elif arg.startswith("--directory="):
            directory = join_path(directory, arg.split("=", 1)[1]) or directory
        elif arg in ("-f", "--file", "--makefile") and index < len(argv):
            makefile_name = argv[index]
            index += 1
        elif arg.startswith("-C") and len(arg) > 2:
            directory = join_path(directory, arg[2:]) or directory
        elif arg.startswith("-"):
            continue
        elif "=" in arg:
            name, _, value = arg.partition("=")
            command_line[name] = value
        else:
            targets.append(arg)
    run.directory = directory
    if makefile_name is None:
        for candidate in ("GNUmakefile", "makefile", "Makefile"):
            path = join_path(directory, candidate)
            if path and read_text(root, path).text is not None:
                makefile_name = candidate
                break
    relpath = join_path(directory, makefile_name) if makefile_name else None
    if relpath is None:
        run.notes.append(Note(line_location, f"make: no Makefile in {directory}"))
        return run
    makefile = parse_makefile(root, relpath, directory=directory)
    run.notes.extend(makefile.notes)
    run.files_read.extend(makefile.files_read)
    if not targets:
        targets = [makefile.default_target] if makefile.default_target else []
    done: set[str] = set()

    def visit(target: str, chain: tuple[str, ...]) -> None:
        if target in done:
            return
        if target in chain:
            run.notes.append(Note(line_location, f"make: circular prerequisites {' -> '.join((*chain, target))}"))
            return
        rule = makefile.rules.get(target)
        if rule is None:
            if chain == ():
                run.notes.append(Note(line_location, f"make: no rule for target {target!r} in {relpath}"))
            return
        done.add(target)
        for prerequisite in rule.prerequisites:
            visit(expand_make(prerequisite, makefile, command_line, environment, target), (*chain, target))
        for text, location in rule.recipe:
            body = text.lstrip("@-+ \t")
            run.lines.append(RecipeLine(expand_make(body, makefile, command_line, environment, target), location, target))

    for target in targets:
        visit(target, ())
    return run
