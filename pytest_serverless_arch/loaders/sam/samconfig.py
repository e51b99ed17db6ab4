"""``samconfig.toml`` / ``samconfig.yaml``: a SAM template's stack name, region, tags and parameters."""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from ...files import read_text
from ...parse import ParseError, long_number_error, nesting_error, parse_yaml

__all__ = ["SamConfig", "parse_toml", "read_samconfig"]

_TOML_POSITION = re.compile(r"\(at (?:line (\d+), column \d+|end of document)\)")


def parse_toml(text: str) -> Any:
    """Parse TOML; raise :class:`ParseError` with a line for every problem (syntax, nesting, huge numbers).

    >>> parse_toml("[deploy]\\nstack_name = \\n").line
    Traceback (most recent call last):
    ...
    pytest_serverless_arch.parse.ParseError: invalid TOML: Invalid value
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        if position is None:
            line = 1
        else:  # "at end of document" names no line: the last one
            line = int(position.group(1)) if position.group(1) else text.count("\n") + 1
        raise ParseError(f"invalid TOML: {_TOML_POSITION.sub('', message).strip()}", line) from None
    except RecursionError:
        raise nesting_error(text, "TOML") from None
    except ValueError:  # an integer longer than Python's int-to-string limit
        raise long_number_error(text, "TOML") from None


@dataclass(frozen=True)
class SamConfig:
    """The deploy settings of one config environment."""

    path: str
    stack_name: str | None = None
    region: str | None = None
    template_file: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)


def _pairs(value: Any) -> dict[str, str]:
    """``Key=Value Other="a b"`` (or a list of such strings, or a mapping) as a dict."""
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    items: list[str] = []
    if isinstance(value, str):
        try:
            items = shlex.split(value)
        except ValueError:
            items = value.split()
    elif isinstance(value, list):
        for entry in value:
            try:
                items.extend(shlex.split(str(entry)))
            except ValueError:
                items.extend(str(entry).split())
    result = {}
    for item in items:
        key, sep, val = item.partition("=")
        if sep:
            # parameter_overrides also allows ParameterKey=K,ParameterValue=V
            if key == "ParameterKey" and ",ParameterValue=" in val:
                key, _, val = val.partition(",ParameterValue=")
            result[key.strip()] = val.strip().strip('"')
    return result


def read_samconfig(path: Path, relpath: str, env: str = "default", *, root: Path | None = None) -> SamConfig:
    """Read one config environment's deploy parameters.

    Raises :class:`ParseError` on bad input and
    :class:`~pytest_serverless_arch.files.UnreadableFile` for a file outside
    ``root`` (default: the file's folder) or one that is not a readable file.
    """
    text = read_text(path, root if root is not None else path.parent)
    if path.suffix == ".toml":
        data = parse_toml(text)
    else:
        data = parse_yaml(text)
    if not isinstance(data, Mapping):
        return SamConfig(relpath)
    environment = data.get(env)
    if not isinstance(environment, Mapping):
        return SamConfig(relpath)
    merged: dict[str, Any] = {}
    for command in ("global", "deploy"):
        section = environment.get(command)
        parameters = section.get("parameters") if isinstance(section, Mapping) else None
        if isinstance(parameters, Mapping):
            merged.update(parameters)
    return SamConfig(
        path=relpath,
        stack_name=str(merged["stack_name"]) if merged.get("stack_name") else None,
        region=str(merged["region"]) if merged.get("region") else None,
        template_file=str(merged["template_file"]) if merged.get("template_file") else None,
        tags=_pairs(merged.get("tags")),
        parameter_overrides=_pairs(merged.get("parameter_overrides")),
    )
