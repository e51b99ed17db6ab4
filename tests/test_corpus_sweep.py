"""Every real template in the shared corpus loads or yields a clean load error; nothing raises.

Run with ``-s`` to see how many loaded, how many errored, and why.
"""

from __future__ import annotations

import collections
import csv
from pathlib import Path

import pytest

from pytest_serverless_arch import load

TEMPLATE_KINDS = {"cfn", "sam", "serverless"}


@pytest.fixture(scope="module")
def corpus_graph(corpus: Path):
    return load(corpus)


def manifest_rows(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "MANIFEST.tsv").open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_the_whole_corpus_loads_without_a_single_internal_error(corpus, corpus_graph):
    internal = [str(error) for error in corpus_graph.errors if "internal error" in error.message]
    reasons = collections.Counter(error.message.split(" (")[0].split(":")[0] for error in corpus_graph.errors)
    print(f"\ncorpus: {corpus_graph.summary()}")
    for reason, count in reasons.most_common():
        print(f"  {count:4d} x {reason}")
    assert internal == []
    assert len(corpus_graph.units()) > 1500


def test_every_manifest_template_is_a_unit_an_error_or_part_of_another_unit(corpus, corpus_graph):
    unit_paths = {unit.path for unit in corpus_graph.units()}
    error_paths = {error.path for error in corpus_graph.errors}
    note_paths = {note.location.path for note in corpus_graph.notes}
    unaccounted = []
    for row in manifest_rows(corpus):
        if row["kind"] not in TEMPLATE_KINDS:
            continue
        path = row["path"]
        flags = row.get("flags") or ""
        if "included-by" in flags or "nested-or-referenced-template" in flags or "fragment" in flags:
            continue
        if path in unit_paths or path in error_paths or path in note_paths:
            continue
        unaccounted.append(path)
    print(f"\n{len(unaccounted)} manifest templates are neither units nor errors: {unaccounted[:20]}")
    # Files the corpus calls templates but that hold no AWS resource (a Parameters-only
    # file, a provider-less serverless fragment) are allowed to be skipped; there are few.
    assert len(unaccounted) <= 10, unaccounted


def test_every_load_error_names_a_file_and_a_readable_reason(corpus_graph):
    for error in corpus_graph.errors:
        assert error.path and not error.path.startswith("/")
        assert error.message and "\n" not in error.message and "Traceback" not in error.message


def test_every_function_and_trigger_has_a_location_inside_the_corpus(corpus, corpus_graph):
    for function in corpus_graph.functions():
        assert (corpus / function.location.path).is_file(), function.id
        assert function.location.line >= 1, function.id
    for trigger in corpus_graph.trigger_edges():
        assert (corpus / trigger.location.path).is_file(), trigger
        assert trigger.location.line >= 1, trigger
