"""Template parameters: the values the options give them, which are SSM-typed, which nothing supplies.

>>> from pytest_serverless_arch.config import LoadConfig
>>> unit_parameter_values(LoadConfig(params={"app:QueueArn": "q", "Stage": "prod"}),
...                       {"Parameters": {"QueueArn": {}, "Stage": {}}}, "app", "app/template.yaml")
{'Stage': 'prod', 'QueueArn': 'q'}
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ...config import LoadConfig
from ...model import Location, Note

__all__ = ["ssm_typed_names", "unit_parameter_values", "unsupplied_parameters"]


def _declared(document: Any) -> Mapping[str, Any]:
    parameters = document.get("Parameters") if isinstance(document, Mapping) else None
    return parameters if isinstance(parameters, Mapping) else {}


def unit_parameter_values(config: LoadConfig, document: Any, unit: str, path: str) -> dict[str, str]:
    """The option values for the template parameters of unit ``unit`` (also matched by its ``path``).

    A ``unit:Key`` entry wins over a plain ``Key`` entry; a plain entry applies only where a
    template declares that parameter (serverless ``${param:..}`` values share the option).
    """
    declared = {str(name) for name in _declared(document)}
    values: dict[str, str] = {}
    scoped: dict[str, str] = {}
    for key, value in config.params.items():
        owner, separator, name = key.rpartition(":")
        if not separator:
            if key in declared:
                values[key] = value
        elif owner in (unit, path):
            scoped[name] = value
    values.update(scoped)
    return values


def ssm_typed_names(document: Any) -> list[str]:
    """The template's ``AWS::SSM::Parameter::Value<..>`` parameters."""
    return [
        str(name)
        for name, spec in _declared(document).items()
        if isinstance(spec, Mapping) and str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value")
    ]


def unsupplied_parameters(document: Any, path: str, supplied: Collection[str]) -> list[Note]:
    """A note at each parameter that has no ``Default`` and no value from a pipeline, samconfig or the options."""
    parameters = _declared(document)
    lines = getattr(parameters, "key_lines", {})
    notes = []
    for name, spec in parameters.items():
        if not isinstance(spec, Mapping) or "Default" in spec or str(name) in supplied:
            continue
        notes.append(
            Note(
                Location(path, lines.get(name, 0)),
                f"parameter {name} has no Default and no pipeline, samconfig or serverless_arch_params value "
                "supplies one; what it names stays unresolved",
            )
        )
    return notes
