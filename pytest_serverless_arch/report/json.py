"""The JSON report: a stable interface for CI systems."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["render_json"]


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=False) + "\n"
