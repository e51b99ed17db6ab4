"""The deployment report: its data is built once (``model``), and each format is one module beside the others.

>>> from pytest_serverless_arch.report import build_report, render_json, render_text
"""

from __future__ import annotations

from .json import render_json
from .model import REPORT_VERSION, build_report
from .text import render_text

__all__ = ["REPORT_VERSION", "build_report", "render_json", "render_text"]
