"""Loaders: one subpackage per input format, each turning discovered files into ``LoadedUnit`` records.

:data:`LOADERS` is the one registry from a discovered file's format to the
function that loads it. Loaders are imported only when a file of their format
is found (the tree-sitter grammars, say, are loaded only for the formats that need them).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import LoadConfig
    from ..discover import Candidate, Discovery
    from ..model import LoadedUnit
    from ..pipelines.inputs import UnitInputs

__all__ = ["LOADERS", "UnitLoader", "loader_for"]

# loader(candidate, discovery, config, inputs): ``inputs`` is what the repository's pipelines deploy the
# file with (stack name, parameter values), for the loaders that take it; the others get the stage and
# region through ``config``.
UnitLoader = Callable[["Candidate", "Discovery", "LoadConfig", "UnitInputs | None"], "list[LoadedUnit]"]

# format -> (module, function, whether it takes the pipelines' inputs). A compose file is no unit of
# its own: loading.py reads its projects.
LOADERS: dict[str, tuple[str, str, bool]] = {
    "cloudformation": ("pytest_serverless_arch.loaders.templates", "load_template", True),
    "sam": ("pytest_serverless_arch.loaders.templates", "load_template", True),
    "serverless": ("pytest_serverless_arch.loaders.serverless.service", "load_service", False),
    "terraform": ("pytest_serverless_arch.loaders.terraform.root_module", "load_root_module", False),
    "cdk": ("pytest_serverless_arch.loaders.cdk", "load_cloud_assembly", False),
}


def loader_for(format_name: str) -> UnitLoader | None:
    """The loader of a discovered file's format, or None for formats that are no unit (compose)."""
    spec = LOADERS.get(format_name)
    if spec is None:
        return None
    module, name, takes_inputs = spec
    function = getattr(importlib.import_module(module), name)
    if takes_inputs:
        return function  # type: ignore[no-any-return]
    return lambda candidate, discovery, config, inputs: function(candidate, discovery, config)  # type: ignore[no-any-return]
