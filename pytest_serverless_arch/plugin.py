"""The pytest plugin (registered under the ``pytest11`` entry point as ``serverless_arch``).

Kept thin: hooks and options here, fixtures in :mod:`.fixtures`; it never
imports hypothesis or the strategies module.
"""

from __future__ import annotations

from .fixtures import deployment_graph, load_deployment_graph  # noqa: F401  (fixtures)
