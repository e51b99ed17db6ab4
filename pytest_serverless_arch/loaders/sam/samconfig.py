"""``samconfig.toml`` / ``samconfig.yaml``: a SAM template's stack name, region, tags and parameters."""

from __future__ import annotations

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

from ...parse import ParseError, decode_bytes, parse_yaml

__all__ = ["SamConfig", "read_samconfig"]


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


def read_samconfig(path: Path, relpath: str, env: str = "default") -> SamConfig:
    """Read one config environment's deploy parameters; raise :class:`ParseError` on bad input."""
    text = decode_bytes(path.read_bytes())
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = getattr(exc, "lineno", 0) or 0
            raise ParseError(f"invalid TOML: {exc}", line) from None
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
