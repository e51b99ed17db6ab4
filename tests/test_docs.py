"""The documentation cannot rot: its code runs, its outputs are real, its links resolve.

Conventions every docs page follows:

- every fenced ``python`` block runs. A page's blocks form one small
  repository: a copy of ``sample_repos/monolith-online-shop`` (or the sample
  named by ``<!-- run-in: sample_repos/NAME -->`` anywhere on the page) without
  its own tests and pytest configuration. A block whose first line is a
  comment naming a file (``# tests/conftest.py``) is written there; any other
  block becomes a test module of its own. A ``toml`` block whose first line
  is ``# pyproject.toml`` is configuration: the page's such blocks together
  become the repository's ``pyproject.toml``, and each contract they declare
  must be collected as its ``serverless-arch::contract:<name>`` item. pytest
  then runs the page's repository, and every item must pass;
- ``yaml``, ``json`` and ``toml`` blocks must parse (YAML with the same
  loader the templates go through);
- a ``text`` block after ``<!-- output-of: python -m pytest_serverless_arch ... -->``
  shows real output: each of its lines (``...`` skips) appears, in order, in
  what that command prints when run from the repository root;
- ``<!-- not-run -->`` on the line before a block exempts it (used sparingly,
  for deliberately broken examples);
- every relative link points at a file that exists.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_serverless_arch.parse import ParseError, parse_yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


from .inner_runs import import_what_inner_runs_use

import_what_inner_runs_use()

REPO = Path(__file__).parent.parent
PAGES = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
SAMPLE_READMES = sorted((REPO / "sample_repos").glob("*/README.md"))
DEFAULT_SAMPLE = "sample_repos/monolith-online-shop"

_FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
_NOT_RUN = "<!-- not-run -->"
_RUN_IN = re.compile(r"<!-- run-in: (\S+) -->")
_OUTPUT_OF = re.compile(r"<!-- output-of: (.+?) -->\s*$")
_FILE_HEADER = re.compile(r"^# ([\w./-]+\.py)\s*$")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_RESULT_LINE = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int
    language: str
    code: str
    preceding: str  # the last non-blank line before the fence

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.preceding.strip() != _NOT_RUN


def blocks_of(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        before = [line for line in text[: match.start()].splitlines() if line.strip()]
        found.append(
            Block(
                page, text.count("\n", 0, match.start()) + 1, match.group(1).lower(), match.group(2), before[-1] if before else ""
            )
        )
    return found


def page_id(page: Path) -> str:
    return str(page.relative_to(REPO))


def config_blocks(page: Path) -> list[Block]:
    """The page's ``toml`` blocks headed ``# pyproject.toml``: the configuration of its repository."""
    return [b for b in blocks_of(page) if b.language == "toml" and b.runs and b.code.startswith("# pyproject.toml\n")]


def python_pages() -> list[Path]:
    return [page for page in PAGES if any(b.language == "python" and b.runs for b in blocks_of(page)) or config_blocks(page)]


def blocks(language: str, *, runs: bool = True) -> list[Block]:
    return [block for page in PAGES for block in blocks_of(page) if block.language == language and block.runs == runs]


def _ids(blocks_: list[Block]) -> list[str]:
    return [block.where for block in blocks_]


def test_the_block_reader_finds_fences_their_language_and_the_line_before(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n<!-- not-run -->\n```yaml\na: [\n```\n\ntext\n```python\nx = 1\n```\n")
    first, second = blocks_of(page)
    assert (first.line, first.language, first.code, first.runs) == (4, "yaml", "a: [\n", False)
    assert (second.line, second.language, second.code, second.runs) == (9, "python", "x = 1\n", True)


def test_the_docs_hold_python_examples_and_few_exemptions():
    runnable = blocks("python")
    exempt = [block for page in PAGES for block in blocks_of(page) if not block.runs]
    assert len(runnable) >= 10
    assert len(exempt) <= 3, [block.where for block in exempt]


@pytest.mark.parametrize("block", blocks("yaml"), ids=_ids(blocks("yaml")))
def test_a_yaml_example_parses(block):
    try:
        parse_yaml(block.code)
    except ParseError as exc:
        pytest.fail(f"{block.where}: YAML example does not parse (block line {exc.line}): {exc.message}")


@pytest.mark.parametrize("block", blocks("toml"), ids=_ids(blocks("toml")))
def test_a_toml_example_parses(block):
    tomllib.loads(block.code)


@pytest.mark.parametrize("block", blocks("json"), ids=_ids(blocks("json")))
def test_a_json_example_parses(block):
    json.loads(block.code)


def _output_blocks() -> list[tuple[Block, str]]:
    found = []
    for page in [*PAGES, *SAMPLE_READMES]:  # a sample README's report is real output too
        for block in blocks_of(page):
            match = _OUTPUT_OF.search(block.preceding)
            if match and block.runs:
                found.append((block, match.group(1)))
    return found


@pytest.mark.parametrize(("block", "command"), _output_blocks(), ids=[b.where for b, _ in _output_blocks()])
def test_an_output_example_is_what_the_command_prints(block, command):
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "pytest_serverless_arch"], f"{block.where}: only the CLI may be run"
    printed = subprocess.run(
        [sys.executable, *argv[1:]], cwd=REPO, capture_output=True, text=True, timeout=120
    ).stdout.splitlines()
    position = 0
    for expected in block.code.splitlines():
        if not expected.strip() or expected.strip() == "...":
            continue
        for index in range(position, len(printed)):
            if printed[index].rstrip() == expected.rstrip():
                position = index + 1
                break
        else:
            pytest.fail(f"{block.where}: `{expected}` is not (in this order) in the output of {command}:\n" + "\n".join(printed))


def _page_repository(page: Path, target: Path) -> int:
    """Write the page's repository into ``target``; return how many test functions its blocks define."""
    text = page.read_text(encoding="utf-8")
    run_in = _RUN_IN.search(text)
    sample = REPO / (run_in.group(1) if run_in else DEFAULT_SAMPLE)
    assert sample.is_dir(), f"{page_id(page)}: run-in names {sample}, which does not exist"
    shutil.copytree(
        sample,
        target,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("tests", "pyproject.toml", "pytest.ini", "README.md", "__pycache__", ".pytest_cache"),
    )
    (target / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    configuration = config_blocks(page)
    if configuration:
        (target / "pyproject.toml").write_text("\n".join(block.code for block in configuration), encoding="utf-8")
    written: dict[str, str] = {}
    tests = 0
    for index, block in enumerate(b for b in blocks_of(page) if b.language == "python" and b.runs):
        header = _FILE_HEADER.match(block.code.splitlines()[0]) if block.code.strip() else None
        name = header.group(1) if header else f"tests/test_doc_{page.stem.replace('-', '_')}_{index}.py"
        assert ".." not in Path(name).parts, f"{block.where}: {name} would leave the page's repository"
        assert name not in written, f"{block.where}: {name} is already written by {written[name]}"
        written[name] = block.where
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.code, encoding="utf-8")
        tests += len(re.findall(r"^def test_", block.code, re.M))
    return tests


@pytest.mark.parametrize("page", python_pages(), ids=[page_id(page) for page in python_pages()])
def test_the_python_examples_of_a_page_run_and_pass(page, pytester):
    tests = _page_repository(page, pytester.path)
    result = pytester.runpytest("-rA")
    outcomes = {}
    for line in result.outlines:
        match = _RESULT_LINE.match(line)
        if match:
            outcomes[match.group(2)] = match.group(1)
    failing = {node: outcome for node, outcome in outcomes.items() if outcome != "PASSED"}
    assert result.ret == 0 and not failing, "\n".join(result.outlines[-60:])
    assert sum(node.startswith("tests/") for node in outcomes) >= tests
    declared = {
        name
        for block in config_blocks(page)
        for name in re.findall(r"^\[tool\.serverless-arch\.contracts\.([^\]]+)\]", block.code, re.M)
    }
    assert {node for node in outcomes if node.startswith("serverless-arch::contract:")} == {
        f"serverless-arch::contract:{name}" for name in declared
    }


def _links() -> list[tuple[Path, str]]:
    found = []
    for page in [*PAGES, *SAMPLE_READMES, REPO / "sample_repos" / "README.md"]:
        text = _FENCE.sub("", page.read_text(encoding="utf-8"))
        for target in _LINK.findall(text):
            if not re.match(r"^[a-z]+:", target) and not target.startswith("#"):
                found.append((page, target))
    return found


@pytest.mark.parametrize(("page", "target"), _links(), ids=[f"{page_id(p)}->{t}" for p, t in _links()])
def test_a_relative_link_points_at_a_file_that_exists(page, target):
    path = (page.parent / target.split("#", 1)[0]).resolve()
    assert path.exists(), f"{page_id(page)} links to {target}, which does not exist"
