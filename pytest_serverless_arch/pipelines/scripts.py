"""Local scripts a CI step calls: shell scripts and ``package.json`` scripts, found, never run.

``./scripts/deploy.sh``, ``bash deploy.sh``, ``sh -e deploy.sh``, ``source
env.sh`` name a shell script (relative to the step's working directory);
``npm run X``, ``npm run-script X``, ``yarn X``, ``yarn run X``, ``pnpm run X``
name the ``scripts.X`` entry of the working directory's ``package.json`` (with
its ``preX``/``postX``). A path that leaves the repository is refused.

Example::

    >>> script_call(["bash", "-e", "scripts/deploy.sh", "prod"])
    ('scripts/deploy.sh', ['prod'], False)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..model import Location
from .source import join_path, read_document

__all__ = ["NpmScript", "npm_call", "npm_scripts", "script_call"]

_SHELLS = {"bash", "sh", "zsh", "dash", "ksh"}
_SCRIPT_SUFFIXES = (".sh", ".bash")


def script_call(argv: list[str]) -> tuple[str, list[str], bool] | None:
    """``(path, arguments, sourced)`` when ``argv`` runs a script file, else None.

    ``bash -c '...'`` is not a file: see :func:`inline_script`.
    """
    if not argv:
        return None
    name = argv[0]
    if name in ("source", "."):
        return (argv[1], argv[2:], True) if len(argv) > 1 else None
    base = name.rsplit("/", 1)[-1]
    if base in _SHELLS:
        rest = argv[1:]
        while rest and rest[0].startswith("-"):
            if rest[0] in ("-c", "-s"):
                return None
            if rest[0] in ("-o", "+o") and len(rest) > 1:
                rest = rest[1:]
            rest = rest[1:]
        return (rest[0], rest[1:], False) if rest else None
    if "/" in name or name.endswith(_SCRIPT_SUFFIXES):
        return name, argv[1:], False
    return None


def inline_script(argv: list[str]) -> int | None:
    """The index of the script text in ``bash -c 'text'``, else None."""
    if argv and argv[0].rsplit("/", 1)[-1] in _SHELLS:
        for index, arg in enumerate(argv[1:-1], start=1):
            if arg == "-c":
                return index + 1
            if not arg.startswith("-"):
                return None
    return None


def npm_call(argv: list[str]) -> tuple[str, list[str]] | None:
    """``(script name, extra arguments)`` when ``argv`` runs a package.json script."""
    if not argv:
        return None
    tool, rest = argv[0], argv[1:]
    while rest and rest[0].startswith("-") and rest[0] != "--":
        rest = rest[1:]
    if tool == "npm" and rest and rest[0] in ("run", "run-script", "rum", "urn"):
        rest = rest[1:]
    elif tool == "npm" and rest and rest[0] in ("start", "test", "stop", "restart"):
        pass
    elif tool in ("yarn", "pnpm", "bun") and rest:
        if rest[0] == "run":
            rest = rest[1:]
    else:
        return None
    while rest and rest[0].startswith("-") and rest[0] != "--":
        rest = rest[1:]
    if not rest:
        return None
    extra = rest[1:]
    if extra and extra[0] == "--":
        extra = extra[1:]
    return rest[0], extra


@dataclass(frozen=True)
class NpmScript:
    name: str
    text: str
    location: Location


def npm_scripts(root: Path, cwd: str) -> tuple[Mapping[str, NpmScript], str, str]:
    """The ``scripts`` of ``cwd/package.json``: ``(scripts, package.json path, problem)``."""
    relpath = join_path(cwd, "package.json") or "package.json"
    document, file = read_document(root, relpath)
    if document is None:
        return {}, relpath, file.reason
    scripts = document.get("scripts") if isinstance(document, Mapping) else None
    if not isinstance(scripts, Mapping):
        return {}, relpath, "no scripts in package.json"
    lines = getattr(scripts, "key_lines", {})
    found = {
        str(key): NpmScript(str(key), value, Location(relpath, int(lines.get(key, 0))))
        for key, value in scripts.items()
        if isinstance(value, str)
    }
    return found, relpath, ""
