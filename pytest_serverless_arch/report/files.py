"""Writing reports after a pytest run: ``--arch-report`` files and the ``$GITHUB_STEP_SUMMARY`` section.

The document is built once, whatever the number of files.

>>> from pathlib import Path
>>> [format_of(path) for path in (Path("arch.html"), Path("arch.sarif"), Path("arch.mmd"))]
['html', 'sarif', 'mermaid']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import format_of, render
from .document import ReportDocument

__all__ = ["append_step_summary", "format_of", "write_reports"]


def write_reports(document: ReportDocument, paths: Sequence[Path]) -> list[str]:
    """Write ``document`` to each path in the format of its suffix; one line per file for the terminal summary."""
    written = []
    for path in paths:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(document, format_of(path)), encoding="utf-8")
        except OSError as exc:  # a report that cannot be written must not hide the test results
            written.append(f"cannot write the report {path}: {exc}")
            continue
        written.append(f"wrote the {format_of(path)} report {path}")
    return written


def append_step_summary(document: ReportDocument, path: Path) -> str:
    """Append the Markdown report to the GitHub step summary file at ``path``."""
    try:
        with path.open("a", encoding="utf-8") as summary:
            summary.write(render(document, "markdown") + "\n")
    except OSError as exc:
        return f"cannot append to $GITHUB_STEP_SUMMARY ({path}): {exc}"
    return f"appended the architecture summary to $GITHUB_STEP_SUMMARY ({path})"
