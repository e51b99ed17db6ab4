"""File observations are recorded only when something keeps them: a run without a cache records none.

Every read through :mod:`pytest_serverless_arch.files` is recorded while a
recording is active (the warm cache and the stored reports key on them). A
command-line report with ``--no-cache`` keeps nothing, so it opens no recording,
and a load's worker sends back its reads only when the main process records.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_serverless_arch import cli, files
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.discover import discover
from pytest_serverless_arch.loaders import loader_for
from pytest_serverless_arch.loading import _load_candidate

from .helpers import REPO

SHOP = REPO / "sample_repos" / "monolith-online-shop"


def _observations(monkeypatch: pytest.MonkeyPatch) -> list[files.FileRead]:
    seen: list[files.FileRead] = []
    log = files._log

    def counted(read: files.FileRead) -> None:
        seen.append(read)
        log(read)

    monkeypatch.setattr(files, "_log", counted)
    return seen


def test_a_report_without_a_cache_records_no_observation_and_one_with_a_cache_records_the_template(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = _observations(monkeypatch)
    argv = ["report", str(SHOP), "--format", "json", "-o", str(tmp_path / "report.json")]
    cli.main([*argv, "--no-cache"])
    assert seen == []
    cli.main([*argv, "--cache-dir", str(tmp_path / "cache")])
    template = str((SHOP / "template.yaml").resolve())
    assert ("bytes", template) in {(read.what, read.path) for read in seen}


def test_a_shipped_load_carries_its_reads_only_while_this_process_records() -> None:
    root = SHOP.resolve()
    config = LoadConfig()
    discovery = discover([root], root, config)
    candidate = next(candidate for candidate in discovery.candidates if candidate.relpath == "template.yaml")
    loader = loader_for(candidate.format)
    assert loader is not None
    alone = _load_candidate(candidate, loader, discovery, config, None, None, True)
    with files.recording():
        recorded = _load_candidate(candidate, loader, discovery, config, None, None, True)
    assert [unit.path for unit in alone.units] == [unit.path for unit in recorded.units] == ["template.yaml"]
    assert alone.reads == ()
    # the template was read by discovery; what its loading reads besides is the samconfig beside it
    assert [(read.what, read.path) for read in recorded.reads] == [("bytes", str(root / "samconfig.toml"))]
