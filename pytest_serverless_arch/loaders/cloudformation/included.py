"""Definitions kept in other files of the repository, read as part of their template.

An API's OpenAPI body (SAM ``DefinitionUri``, ``BodyS3Location`` as
``aws cloudformation package`` allows, ``Fn::Transform: AWS::Include``) and a
state machine's ASL (``DefinitionUri``, ``DefinitionS3Location``) often live
in a file beside the template. :func:`read_included` finds that file relative
to the template, never outside the repository root, and parses it like a
template; whatever goes wrong is a note or a load error on the template's
line, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...discover import local_target
from ...files import UnreadableFile
from ...model import LoadError
from ...parse import ParseError, read_document
from .template import TemplateReader

__all__ = ["IncludedFile", "include_location", "is_local_path", "read_included"]


@dataclass(frozen=True)
class IncludedFile:
    """A file a template includes: its repository-relative posix path and parsed document."""

    path: str
    document: Mapping[str, Any]


def include_location(value: Any) -> Any:
    """The ``Location`` of ``{"Fn::Transform": {"Name": "AWS::Include", ...}}``; None for anything else."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return None
    transform = value.get("Fn::Transform")
    if not isinstance(transform, Mapping) or transform.get("Name") != "AWS::Include":
        return None
    parameters = transform.get("Parameters")
    return parameters.get("Location") if isinstance(parameters, Mapping) else None


def is_local_path(value: Any) -> bool:
    """A string naming a file rather than an S3/HTTP location (those are not in the repository)."""
    return isinstance(value, str) and bool(value.strip()) and not value.strip().startswith(("s3://", "http://", "https://"))


def read_included(reader: TemplateReader, value: Any, line: int, what: str) -> IncludedFile | None:
    """The file ``value`` names beside the template, parsed; None (with a note or error) when unreadable.

    ``what`` says what the file is ("API definition", "state machine definition")
    in the messages. Call only when ``reader.root`` is set.
    """
    root = reader.root
    if root is None or not is_local_path(value):
        return None
    rel = local_target(reader.path, value)
    if rel is None:
        reader.note(line, f"{what} {value!r} is outside the repository; not read")
        return None
    if rel in reader.included:  # read once; a file that failed is tried (and reported) per reference
        return IncludedFile(rel, reader.included[rel])
    if rel == reader.path:
        _error(reader, line, f"{what} {rel} is this template itself; not read")
        return None
    try:
        document = read_document(root / rel, root)
    except UnreadableFile as exc:
        if exc.cause == "outside":
            reader.note(line, f"{what} {rel} is a symlink out of the repository; not read")
        elif exc.cause == "missing":
            reader.note(line, f"{what} {rel} does not exist; what it wires is not in the graph")
        elif exc.cause == "special":
            reader.note(line, f"{what} {rel} {exc.reason}")
        else:
            at = f" (line {exc.line})" if exc.line else ""
            _error(reader, line, f"{what} {rel} {exc.reason}{at}")
        return None
    except ParseError as exc:
        where = f"{rel}:{exc.line}" if exc.line else rel
        _error(reader, line, f"{what} {where}: {exc.message}")
        return None
    if not isinstance(document, Mapping):
        _error(reader, line, f"{what} {rel} is not a mapping (an OpenAPI or ASL document); not read")
        return None
    reader.included[rel] = document
    return IncludedFile(rel, document)


def _error(reader: TemplateReader, line: int, message: str) -> None:
    reader.unit.errors.append(LoadError(reader.path, line, message))
