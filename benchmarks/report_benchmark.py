"""How much generating every report format adds to the report's run time, on the largest corpus project.

    python benchmarks/report_benchmark.py [PROJECT]

The report's run time is what ``python -m pytest_serverless_arch report PROJECT``
does: load the repository, build the JSON report (every built-in rule) and
render it. The extra is what building the report document once adds to the
JSON report (triaged findings, the picture) plus rendering html, mermaid,
dot, sarif and markdown from it (text, the existing alternative to JSON, is
timed too and printed apart). Each part is timed on its own, best of 3,
so the seconds of loading do not drown the difference in noise.
The largest project is the corpus folder holding the most template files.
Prints seconds (best of 3) and the ratio; issue 17 asks for less than 20%.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_serverless_arch import load
from pytest_serverless_arch.report import build_document, build_report, render, render_json

SUFFIXES = {".yaml", ".yml", ".json", ".template", ".tf"}
EXTRA_FORMATS = ("html", "mermaid", "dot", "sarif", "markdown")


def largest_project(corpus: Path) -> Path:
    def size(folder: Path) -> int:
        return sum(1 for path in folder.rglob("*") if path.suffix.lower() in SUFFIXES)

    return max((folder for folder in corpus.iterdir() if folder.is_dir() and not folder.name.startswith(("_", "."))), key=size)


def best_of(runs: int, action: Callable[[], Any]) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        value = action()
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> int:
    corpus = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    if len(sys.argv) > 1:
        project = Path(sys.argv[1])
    elif corpus.is_dir():
        project = largest_project(corpus)
    else:
        print(f"no corpus at {corpus}; pass a project folder")
        return 1

    load_time, graph = best_of(3, lambda: load(project, root=str(project)))
    rules_time, data = best_of(3, lambda: build_report(graph))
    json_time, _ = best_of(3, lambda: render_json(data))
    base = load_time + rules_time + json_time
    # the document builds the JSON report too: only what it adds to that counts
    document_time, document = best_of(3, lambda: build_document(graph))
    extra = max(0.0, document_time - rules_time)
    timings = {}
    for name in EXTRA_FORMATS:
        timings[name], _ = best_of(3, lambda name=name: render(document, name))
        extra += timings[name]
    print(f"project: {project} ({len(graph.units())} units, {len(graph.functions())} functions, {len(graph.errors)} load errors)")
    print(f"report = load {load_time:.2f} s + JSON report {rules_time:.2f} s + render {json_time:.2f} s = {base:.2f} s")
    print(f"report document (findings, picture) adds {max(0.0, document_time - rules_time):.2f} s")
    print("render: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items()))
    text_time, _ = best_of(3, lambda: render(document, "text"))
    print(f"(text, the existing alternative to JSON, renders in {text_time:.2f} s)")
    print(f"every new format adds {extra:.2f} s = {extra / base:.1%} of the report's run time (issue 17 asks for < 20%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
