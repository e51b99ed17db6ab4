"""Issue 13: byte-level mutations of real corpus templates never produce a traceback.

A mutated template is loaded beside a good unit; whatever the bytes, loading
returns a graph (the good unit in it) and both reports render: a broken file
is a load error or a note, never an exception and never an "internal error".
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.report import build_report, render_json, render_text

from ..hypothesis_support import property_settings
from .cases import GOOD_SAM

CORPUS = Path(os.environ.get("SERVERLESS_ARCH_CORPUS", "/work/shared/corpus"))
# A fixed spread of real templates: SAM, CloudFormation (YAML and JSON), serverless.yml, compose.
PICKS = (
    "serverless-patterns",
    "cfn-lint",
    "serverless-framework-v3",
    "serverless-application-model",
    "rain",
)


def corpus_templates(per_source: int = 4) -> list[Path]:
    found: list[Path] = []
    for source in PICKS:
        files = sorted(
            path
            for path in (CORPUS / source).rglob("*")
            if path.suffix in (".yaml", ".yml", ".json") and path.is_file() and path.stat().st_size < 20_000
        )
        found += files[:: max(1, len(files) // per_source)][:per_source]
    return found


TEMPLATES = corpus_templates() if CORPUS.is_dir() else []

mutations = st.lists(
    st.tuples(
        st.sampled_from(["replace", "insert", "delete", "repeat"]),
        st.floats(min_value=0, max_value=1, exclude_max=True),
        st.binary(min_size=1, max_size=6),
    ),
    min_size=1,
    max_size=6,
)


def mutate(data: bytes, steps: list[tuple[str, float, bytes]]) -> bytes:
    """Apply each step at a relative position of the current bytes."""
    for operation, where, chunk in steps:
        at = int(where * (len(data) + 1))
        if operation == "replace":
            data = data[:at] + chunk + data[at + len(chunk) :]
        elif operation == "insert":
            data = data[:at] + chunk + data[at:]
        elif operation == "delete":
            data = data[:at] + data[at + len(chunk) :]
        else:  # a stretch written again right after itself (duplicate keys, nesting)
            data = data[:at] + data[at : at + 40] * 2 + data[at + 40 :]
    return data


@pytest.mark.skipif(not TEMPLATES, reason="the real-world corpus is not on this machine")
@property_settings
@given(index=st.integers(min_value=0), steps=mutations)
def test_a_mutated_corpus_template_never_produces_a_traceback(index, steps):
    source = TEMPLATES[index % len(TEMPLATES)]
    with tempfile.TemporaryDirectory() as directory:
        repo = Path(directory)
        name = "serverless.yml" if source.name.startswith("serverless") else "template" + source.suffix
        (repo / "mutated").mkdir()
        (repo / "mutated" / name).write_bytes(mutate(source.read_bytes(), steps))
        (repo / "good").mkdir()
        (repo / "good" / "template.yaml").write_text(GOOD_SAM)
        graph = load(repo)
        report = build_report(graph)
        render_json(report)
        render_text(report)
    assert "good" in [unit.name for unit in graph.units()]
    assert not [error for error in graph.errors if "internal error" in error.message], source
