"""The sample repositories do what their READMEs say.

Each sample README states the pattern the classifier gives it, its deploy
order, and the outcome of every test item its own test run collects (see
``sample_repos/README.md``). These tests hold the samples to that: the graph
is loaded and classified here, and the sample's own tests run in a copy of it
through ``pytester``.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.patterns import classify_pattern

from .inner_runs import import_what_inner_runs_use

import_what_inner_runs_use()

SAMPLES_DIR = Path(__file__).parent.parent / "sample_repos"
SAMPLES = sorted(path for path in SAMPLES_DIR.iterdir() if path.is_dir())
PATTERN_IDS = ("monolith", "infra-app-split", "function-per-unit", "trigger-grouped", "mixed")

_PATTERN_LINE = re.compile(r"^Pattern: `([a-z-]+)`\s*$", re.M)
_DEPLOY_ORDER_LINE = re.compile(r"^Deploy order: `([^`]*)`\s*$", re.M)
_OUTCOME_ROW = re.compile(r"^\| `([^`]+)` \| (passed|failed) \|", re.M)
_RESULT_LINE = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)")


@dataclass(frozen=True)
class SampleReadme:
    """What a sample's README promises."""

    pattern: str
    deploy_order: list[list[str]]
    outcomes: dict[str, str]  # pytest node id -> "passed" | "failed"


def parse_waves(text: str) -> list[list[str]]:
    """``[a, b] ; [c]`` (the text report's form) as ``[["a", "b"], ["c"]]``."""
    return [[name.strip() for name in wave.strip().strip("[]").split(",") if name.strip()] for wave in text.split(";")]


def read_sample_readme(sample: Path) -> SampleReadme:
    text = (sample / "README.md").read_text(encoding="utf-8")
    pattern = _PATTERN_LINE.search(text)
    order = _DEPLOY_ORDER_LINE.search(text)
    assert pattern, f"{sample.name}/README.md has no line 'Pattern: `<pattern id>`'"
    assert order, f"{sample.name}/README.md has no line 'Deploy order: `[unit, ...] ; [...]`'"
    rows = _OUTCOME_ROW.findall(text)
    assert rows, f"{sample.name}/README.md has no table of test outcomes"
    outcomes = dict(rows)
    assert len(outcomes) == len(rows), f"{sample.name}/README.md lists a test twice"
    return SampleReadme(pattern.group(1), parse_waves(order.group(1)), outcomes)


def ids(samples: list[Path]) -> list[str]:
    return [sample.name for sample in samples]


def test_the_wave_notation_of_the_readmes_reads_as_lists_of_unit_names():
    assert parse_waves("[a] ; [b, c/template.yaml]") == [["a"], ["b", "c/template.yaml"]]


def test_there_is_a_sample_of_every_pattern_and_a_broken_one():
    prefixes = {sample.name.split("-")[0] for sample in SAMPLES}
    for pattern in PATTERN_IDS:
        assert any(sample.name.startswith(pattern + "-") for sample in SAMPLES), f"no sample of {pattern}"
    assert "broken" in prefixes


@pytest.mark.parametrize("sample", SAMPLES, ids=ids(SAMPLES))
def test_a_samples_folder_name_starts_with_the_pattern_its_readme_states(sample):
    readme = read_sample_readme(sample)
    assert readme.pattern in PATTERN_IDS
    if not sample.name.startswith("broken-"):
        assert sample.name.startswith(readme.pattern + "-")


@pytest.mark.parametrize("sample", SAMPLES, ids=ids(SAMPLES))
def test_a_sample_loads_with_the_pattern_and_deploy_order_its_readme_states(sample):
    readme = read_sample_readme(sample)
    graph = load(sample)
    assert classify_pattern(graph).repo == readme.pattern
    assert graph.deploy_order() == readme.deploy_order
    if not sample.name.startswith("broken-"):
        assert graph.errors == []


@pytest.mark.parametrize("sample", SAMPLES, ids=ids(SAMPLES))
def test_a_samples_own_tests_pass_and_fail_as_its_readme_says(sample, pytester):
    readme = read_sample_readme(sample)
    shutil.copytree(
        sample,
        pytester.path,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".serverless-arch-baseline.json"),
    )
    result = pytester.runpytest("-rA", "-p", "no:cacheprovider")
    outcomes = {}
    for line in result.outlines:
        match = _RESULT_LINE.match(line)
        if match:
            outcomes[match.group(2)] = match.group(1).lower()
    assert outcomes == readme.outcomes, "\n".join(result.outlines[-40:])
