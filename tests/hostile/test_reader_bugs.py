"""A bug in a reader costs the file it met, named with a load error; every other file still loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_serverless_arch import discover as discovery_module
from pytest_serverless_arch import load

QUEUE = "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n"


def test_a_parser_bug_during_discovery_is_a_load_error_on_that_file_and_the_other_units_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "good.yaml").write_text(QUEUE)
    (tmp_path / "trips.yaml").write_text(QUEUE.replace("Jobs", "Trips"))
    real_parse = discovery_module.parse_text

    def parse_with_a_bug(text: str, **options: object) -> object:
        if "Trips" in text:
            raise KeyError("a bug in the parser")
        return real_parse(text, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(discovery_module, "parse_text", parse_with_a_bug)
    graph = load(tmp_path)
    assert [unit.name for unit in graph.units()] == ["good.yaml"]
    [error] = graph.errors
    assert error.path == "trips.yaml"
    assert error.message.startswith("internal error while reading this file (KeyError: 'a bug in the parser'; at ")
    assert error.message.endswith("please report it")


def test_a_bug_met_in_discovery_of_an_explicitly_named_file_is_a_load_error_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "trips.yaml").write_text(QUEUE)

    def parse_with_a_bug(text: str, **options: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(discovery_module, "parse_text", parse_with_a_bug)
    graph = load(tmp_path / "trips.yaml", root=tmp_path)
    assert [unit.name for unit in graph.units()] == []
    assert [(error.path, error.message.split(";")[0]) for error in graph.errors] == [
        ("trips.yaml", "internal error while reading this file (RuntimeError: boom")
    ]
