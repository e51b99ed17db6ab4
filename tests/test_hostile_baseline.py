"""Issue 13, item 12: hostile baseline files are usage errors naming the key, and updates are atomic.

Each file is built at test time and read by the CLI (in a subprocess) and by pytest
(through ``pytester``): one line naming the key and the fix, exit status 3 / pytest's
usage error, never a traceback.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_serverless_arch.baseline import Baseline, BaselineEntry

from .helpers import linked_repo, pyproject, run_cli

BASELINE = ".serverless-arch-baseline.json"
FIX = "fix it or regenerate it with --arch-update-baseline"


def _entry(**fields: object) -> str:
    return json.dumps({"version": 2, "violations": [{"rule": "max-cross-unit-links", **fields}]})


HOSTILE = {
    "units-a-number": (_entry(units=5), "violations[0].units must be a list of strings, not 5"),
    "units-a-string": (_entry(units="name"), "violations[0].units must be a list of strings, not a string ('name')"),
    "resources-of-numbers": (_entry(resources=[1, 2]), "violations[0].resources must be a list of strings, not a list"),
    "huge-count": (_entry(count=300000000), "violations[0].count must be a whole number from 1 to 100,000, not 300000000"),
    "float-count": ('{"violations": [{"rule": "r", "count": 1e30}]}', "violations[0].count must be a whole number *, not 1e+30"),
    "measured-a-bool": (_entry(measured=True), "violations[0].measured must be a whole number from 0 to *, not true"),
    "no-rule": ('{"violations": [{"units": []}]}', "violations[0].rule must be a rule id, not missing"),
    "deep-nesting": (
        '{"violations": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "cannot read the baseline: it is nested too deeply",
    ),
    "giant-integer": ('{"violations": [], "version": ' + "9" * 5000 + "}", "cannot read the baseline: Exceeds the limit *"),
    "not-an-object": ("[1, 2]", "the document must be a JSON object with a 'violations' list, not a list"),
    "bad-utf8": (b'{"violations": ["\xff"]}', "cannot read the baseline: 'utf-8' codec can't decode *"),
}


def _write(path: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_baseline_is_a_usage_error_naming_the_key(case: str, pytester: pytest.Pytester) -> None:
    content, message = HOSTILE[case]
    linked_repo(pytester.path, 2)
    pyproject(pytester.path, "max-cross-unit-links limit=1")
    _write(pytester.path / BASELINE, content)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    pattern = message.replace("[", "[[]")  # fnmatch reads [0] as a character class
    result.stderr.fnmatch_lines([f"ERROR: serverless-arch: {pytester.path / BASELINE}: {pattern}; {FIX}"])
    result.stderr.no_fnmatch_line("*Traceback*")
    cli = run_cli("report", pytester.path)
    assert cli.returncode == 3
    [line] = cli.stderr.splitlines()
    assert fnmatch.fnmatchcase(line, f"error: {pytester.path / BASELINE}: {pattern}; {FIX}"), line
    assert "Traceback" not in cli.stderr and cli.stdout == ""


def test_reading_a_huge_count_costs_no_memory_and_a_valid_one_still_matches(tmp_path: Path) -> None:
    entry = BaselineEntry("max-cross-unit-links", ("app.yaml",))
    (tmp_path / BASELINE).write_text(_entry(units=["app.yaml"], count=100_000, measured=3))
    baseline = Baseline.read(tmp_path / BASELINE)
    assert (baseline.entries[entry], baseline.measured[entry], len(baseline)) == (100_000, 3, 100_000)


def test_a_baseline_is_written_through_a_temporary_file_and_a_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / BASELINE
    target.write_text('{"violations": []}\n')
    replaced = []
    real_replace = os.replace

    def replace(source: str, destination: Path) -> None:
        # when the rename happens, the temporary file beside the target is complete and the target untouched
        assert Path(source).parent == tmp_path and json.loads(Path(source).read_text())["version"] == 2
        assert target.read_text() == '{"violations": []}\n'
        replaced.append(Path(source).name)
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", replace)
    Baseline().write(target)
    assert len(replaced) == 1 and replaced[0].startswith(f".{BASELINE}.")
    assert json.loads(target.read_text())["violations"] == []
    assert sorted(path.name for path in tmp_path.iterdir()) == [BASELINE]  # no temporary file left behind


def test_a_reader_never_sees_a_half_written_baseline_during_concurrent_updates(tmp_path: Path) -> None:
    linked_repo(tmp_path, 40)
    pyproject(tmp_path, "max-cross-unit-links limit=1")
    assert run_cli("report", tmp_path, "--arch-update-baseline").returncode == 0
    command = [sys.executable, "-m", "pytest_serverless_arch", "report", str(tmp_path), "--arch-update-baseline"]
    writers = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    reads = 0
    deadline = time.monotonic() + 120
    while any(writer.poll() is None for writer in writers) and time.monotonic() < deadline:
        document = json.loads((tmp_path / BASELINE).read_text())  # never empty, never cut short
        assert len(document["violations"]) == 2
        reads += 1
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    assert reads > 0
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == [BASELINE]
