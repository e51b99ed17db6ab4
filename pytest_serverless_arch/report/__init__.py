"""The deployment report: its data is built once (``model``, ``document``), and each format is one module beside the others.

>>> from pytest_serverless_arch.report import build_report, render_json, render_text
>>> format_of("reports/architecture.sarif")
'sarif'
"""

from __future__ import annotations

from pathlib import Path

from .document import ReportDocument, build_document
from .json import render_json
from .model import REPORT_VERSION, build_report
from .text import render_text

__all__ = [
    "FORMATS",
    "REPORT_VERSION",
    "SUFFIXES",
    "ReportDocument",
    "build_document",
    "build_report",
    "format_of",
    "render",
    "render_json",
    "render_text",
]

FORMATS = ("json", "text", "html", "mermaid", "dot", "sarif", "markdown")
SUFFIXES = {
    ".json": "json",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".mmd": "mermaid",
    ".dot": "dot",
    ".gv": "dot",
    ".sarif": "sarif",
    ".md": "markdown",
}


def format_of(path: str | Path) -> str:
    """The format a report file's suffix asks for (``ValueError`` for an unknown suffix)."""
    suffix = Path(path).suffix.lower()
    name = Path(path).name.lower()
    if name.endswith(".sarif.json"):
        return "sarif"
    if suffix not in SUFFIXES:
        raise ValueError(
            f"{path}: cannot tell the report format from {suffix or 'no suffix'!r}; use one of {', '.join(SUFFIXES)}"
        )
    return SUFFIXES[suffix]


def render(document: ReportDocument, format: str, *, units: set[str] | None = None, verbose: bool = False) -> str:
    """``document`` in ``format`` (one of :data:`FORMATS`); ``units`` limits the diagram formats to those units.

    ``verbose``: the text format lists every cross-unit link, not only a count per pair of units.
    """
    if format == "json":
        return render_json(dict(document.data))
    if format == "text":
        return render_text(dict(document.data), verbose=verbose)
    if format == "mermaid":
        from .mermaid import render_mermaid

        return render_mermaid(document, units=units)
    if format == "dot":
        from .dot import render_dot

        return render_dot(document, units=units)
    if format == "markdown":
        from .markdown import render_markdown

        return render_markdown(document, units=units)
    if format == "sarif":
        from .sarif import render_sarif

        return render_sarif(document)
    if format == "html":
        from .html import render_html

        return render_html(document)
    raise ValueError(f"unknown report format {format!r}; formats: {', '.join(FORMATS)}")
