"""The pipeline scan finds CodePipeline and samstacks files from what discovery already read, not by reading them again."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import files
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.discover import discover
from pytest_serverless_arch.pipelines.reading import kind_by_text, read_pipelines
from pytest_serverless_arch.pipelines.samstacks import looks_like_manifest

from .helpers import PIPELINE_FIXTURES
from .hypothesis_support import property_settings

QUEUE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"


@pytest.mark.parametrize("fixture", ["codepipeline-cfn", "samstacks", "sam-pipeline-codepipeline"])
def test_the_scan_finds_the_same_pipelines_from_what_discovery_sniffed_as_by_reading_every_file(fixture: str) -> None:
    root = (PIPELINE_FIXTURES / fixture).resolve()
    config = LoadConfig()
    read_again = read_pipelines(root, config)
    discovery = discover([root], root, config, sniff=kind_by_text)
    assert read_pipelines(root, config, discovery.sniffed) == read_again
    assert read_again.pipelines  # each fixture holds a pipeline the scan must not lose


def test_discovery_keeps_what_the_sniffer_said_of_every_file_it_read_and_none_for_bytes_that_are_not_text(
    tmp_path: Path,
) -> None:
    shutil.copy(PIPELINE_FIXTURES / "codepipeline-cfn" / "ci" / "pipeline.yaml", tmp_path / "pipeline.yaml")
    shutil.copy(PIPELINE_FIXTURES / "samstacks" / "pipeline.yml", tmp_path / "stacks.yml")
    (tmp_path / "template.yaml").write_text(QUEUE)
    (tmp_path / "broken.yaml").write_bytes(b"Resources: \xff\xfe\x00")
    (tmp_path / "notes.txt").write_text("AWS::CodePipeline::Pipeline")  # not a template suffix: discovery never reads it
    discovery = discover([tmp_path], tmp_path, LoadConfig(), sniff=kind_by_text)
    assert discovery.sniffed == {
        "broken.yaml": None,
        "pipeline.yaml": "codepipeline",
        "stacks.yml": "samstacks",
        "template.yaml": None,
    }
    assert discover([tmp_path], tmp_path, LoadConfig()).sniffed == {}  # no sniffer, nothing kept


def test_the_scan_reads_only_the_pipeline_files_among_those_discovery_sniffed(tmp_path: Path) -> None:
    shutil.copy(PIPELINE_FIXTURES / "samstacks" / "pipeline.yml", tmp_path / "pipeline.yml")
    (tmp_path / "template.yaml").write_text(QUEUE)
    (tmp_path / "other.json").write_text('{"Resources": {}}')
    root = tmp_path.resolve()
    discovery = discover([root], root, LoadConfig(), sniff=kind_by_text)
    with files.recording() as log:
        scan = read_pipelines(root, LoadConfig(), discovery.sniffed)
    read = sorted(Path(entry.path).name for entry in log if entry.what == "bytes")
    assert read == ["pipeline.yml"]
    assert [(pipeline.system, str(pipeline.location.path)) for pipeline in scan.pipelines] == [("samstacks", "pipeline.yml")]
    with files.recording() as log:
        read_pipelines(root, LoadConfig())  # without discovery's answers every YAML/JSON file is looked at
    assert sorted(Path(entry.path).name for entry in log if entry.what == "bytes") == [
        "other.json",
        "pipeline.yml",
        "template.yaml",
    ]


@property_settings
@given(
    st.lists(
        st.sampled_from(["stacks:", "pipeline_name:", "pipeline_settings:", " stacks:", "pipeline_", "x", "\n", "\r\n", "#"]),
        max_size=10,
    ).map("".join)
)
def test_a_samstacks_manifest_is_spotted_as_the_multiline_expressions_spot_it(text: str) -> None:
    expected = bool(re.search(r"^stacks:", text, re.MULTILINE)) and bool(
        re.search(r"^pipeline_(name|settings):", text, re.MULTILINE)
    )
    assert looks_like_manifest(text) is expected


_SNIFF_ALONE = """
import sys
from pathlib import Path
import pytest_serverless_arch.link, pytest_serverless_arch.loaders.templates, pytest_serverless_arch.pipelines.attach
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.discover import discover
from pytest_serverless_arch.pipelines.sniff import kind_by_text
root = Path(sys.argv[1]).resolve()
assert discover([root], root, LoadConfig(), sniff=kind_by_text).sniffed["ci/pipeline.yaml"] == "codepipeline"
print(" ".join(sorted(name for name in sys.modules if name.startswith("pytest_serverless_arch.pipelines"))))
"""


def test_discovery_sniffs_without_importing_the_pipeline_readers_which_the_scan_imports_later() -> None:
    # the readers (and the shell, Makefile and script readers under them) cost a load 15-20 ms of imports: a load
    # on several processes runs the scan, and imports them, while its workers parse
    root = PIPELINE_FIXTURES / "codepipeline-cfn"
    done = subprocess.run([sys.executable, "-c", _SNIFF_ALONE, str(root)], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [
        "pytest_serverless_arch.pipelines",
        "pytest_serverless_arch.pipelines.attach",
        "pytest_serverless_arch.pipelines.inputs",
        "pytest_serverless_arch.pipelines.model",
        "pytest_serverless_arch.pipelines.sniff",
    ]
    from pytest_serverless_arch.pipelines import read_pipelines as exported  # asked for: imported then

    assert exported is read_pipelines


@pytest.mark.parametrize("ignore", [(), ("ci/**",), ("**/buildspec.yml",)])
def test_the_scan_looks_at_the_files_discoverys_walk_listed_the_files_its_own_walk_would_list(ignore: tuple[str, ...]) -> None:
    from pytest_serverless_arch.pipelines.buildspec import walk_files

    root = (PIPELINE_FIXTURES / "codepipeline-cfn").resolve()
    config = LoadConfig(ignore=ignore)
    discovery = discover([root], root, config, sniff=kind_by_text)
    assert discovery.walked == list(walk_files(root, config))
    assert ("buildspec.yml" in discovery.walked) is (ignore != ("**/buildspec.yml",))
    assert read_pipelines(root, config, discovery.sniffed, discovery.walked) == read_pipelines(root, config)


def test_a_discovery_of_part_of_the_repository_lists_no_walk_for_the_scan() -> None:
    root = (PIPELINE_FIXTURES / "codepipeline-cfn").resolve()
    assert discover([root / "ci"], root, LoadConfig()).walked is None
    assert discover([root / "app" / "template.yaml"], root, LoadConfig()).walked is None
    assert discover([root], root, LoadConfig()).walked == [
        "buildspec.yml",
        "app/template.yaml",
        "ci/pipeline.yaml",
        "config/app-prod.json",
    ]
