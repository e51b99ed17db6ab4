"""Policy documents kept in files: ``file("${path.module}/policy.json")`` and ``templatefile(...)``.

Only a file inside the repository is read: an absolute path, a ``..`` that
climbs out, or a symlink that leads out is refused with a reason. A
``templatefile`` variable passed as a string (``{queue_arn = aws_sqs_queue.q.arn}``)
is put in place of its ``${queue_arn}`` so the statement names the resource;
any other template variable or directive stays as written (unresolved).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ...files import UnreadableFile, confine, read_text
from ...parse import ParseError, parse_text
from .expressions import split_template, string_literal
from .hcl import MAX_HCL_BYTES, parse_expression
from .modules import Module, split_arguments

__all__ = ["PolicyFile", "read_policy_file"]

_CALL = re.compile(r"(file|templatefile)\((.*)\)", re.DOTALL)
_TEMPLATE_VARIABLE = re.compile(r"(?<!\$)\$\{\s*([A-Za-z_][\w-]*)\s*\}")


@dataclass(frozen=True)
class PolicyFile:
    """What a ``file``/``templatefile`` call gave: the parsed document and its file, or why it was not read."""

    document: Any = None
    relpath: str = ""
    problem: str = ""


def read_policy_file(expression: str, module: Module) -> PolicyFile | None:
    """The JSON document ``file(...)``/``templatefile(...)`` reads; None when ``expression`` is neither call."""
    call = _CALL.fullmatch(expression.strip())
    if call is None:
        return None
    function, arguments = call.group(1), split_arguments(call.group(2))
    if not arguments:
        return PolicyFile(problem=f"{function}() without a path")
    path_text = _path_text(arguments[0], module)
    if path_text is None:
        return PolicyFile(problem=f"{function}({arguments[0]}): the path cannot be resolved offline; not read")
    repository = (module.repository or module.directory).resolve()
    written = string_literal(arguments[0]) or arguments[0]
    if PurePosixPath(written).is_absolute() or re.match(r"[A-Za-z]:[\\/]", written):
        return PolicyFile(problem=f"{function}: {written!r} is an absolute path; not read")
    # path.module was put in as the module directory; any other relative path is from the root module's.
    candidate = Path(path_text) if Path(path_text).is_absolute() else _root_directory(module) / path_text
    try:
        real = confine(candidate, repository)
        relpath = real.relative_to(repository).as_posix()
        text = read_text(real, repository, limit=MAX_HCL_BYTES)
    except UnreadableFile as exc:
        if exc.cause == "outside":
            return PolicyFile(
                problem=f"{function}: {_shown(path_text, module)!r} leads outside the repository (.. or a symlink); not read"
            )
        return PolicyFile(problem=f"{function}: {_shown(path_text, module)!r} {exc.reason}")
    if function == "templatefile" and len(arguments) > 1:
        text = _fill_template(text, parse_expression(arguments[1]))
    try:
        document = parse_text(text, json_first=True)
    except ParseError as exc:
        return PolicyFile(
            problem=f"{function}: {relpath} is not a JSON policy document ({exc.message}, "
            f"line {exc.line}); its statements are not read"
        )
    return PolicyFile(document, relpath)


def _root_directory(module: Module) -> Path:
    while module.parent is not None:
        module = module.parent
    return module.directory


def _path_text(argument: str, module: Module) -> str | None:
    """The path argument as text, ``path.module``/``path.root``/``path.cwd`` put in as directories."""
    literal = string_literal(argument)
    if literal is None:
        literal = "${" + argument + "}"
    directories = {
        "path.module": str(module.directory),
        "path.root": str(_root_directory(module)),
        "path.cwd": str(_root_directory(module)),
    }
    out: list[str] = []
    for is_expression, piece in split_template(literal):
        if not is_expression:
            out.append(piece)
        elif piece.strip() in directories:
            out.append(directories[piece.strip()])
        else:
            resolved = module.resolve("${" + piece + "}")
            if resolved is None:
                return None
            out.append(resolved)
    return "".join(out)


def _shown(path_text: str, module: Module) -> str:
    """The path as the reader wrote it relative to the repository (no machine-specific prefix)."""
    for directory in (str(module.directory), str(_root_directory(module))):
        if path_text.startswith(directory):
            return "." + path_text[len(directory) :]
    return path_text


def _fill_template(text: str, variables: Any) -> str:
    """Put string-valued ``templatefile`` variables in place; anything else stays as written."""
    if not isinstance(variables, dict):
        return text

    def replace(match: re.Match[str]) -> str:
        value = variables.get(match.group(1))
        return value if isinstance(value, str) and '"' not in value else match.group(0)

    return _TEMPLATE_VARIABLE.sub(replace, text)
