"""The command ends its process at once after writing (no walk over the graph at exit): nothing it wrote is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .helpers import REPO

SAMPLES = ["trigger-grouped-food-delivery", "broken-inventory", "mixed-payments-platform"]


def _in_process(*argv: str) -> tuple[int, str]:
    """main()'s verdict and output with a normal interpreter exit (a fresh process: rules other tests
    registered in this one would change the report)."""
    script = "import sys; from pytest_serverless_arch.cli import main; raise SystemExit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True)
    return done.returncode, done.stdout


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_process_prints_the_whole_report_and_exits_with_mains_verdict(sample, tmp_path):
    argv = ["report", str(REPO / "sample_repos" / sample), "--format", "json", "--no-cache"]
    code, expected = _in_process(*argv)
    done = subprocess.run([sys.executable, "-m", "pytest_serverless_arch", *argv], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == code
    assert json.loads(done.stdout) == json.loads(expected)
    assert "Traceback" not in done.stderr


def test_a_report_written_to_a_file_is_complete_when_the_process_has_ended(tmp_path):
    target = tmp_path / "report.json"
    argv = ["report", str(REPO / "sample_repos" / "monolith-online-shop"), "--format", "json", "--no-cache"]
    done = subprocess.run([sys.executable, "-m", "pytest_serverless_arch", *argv, "-o", str(target)], capture_output=True)
    assert done.returncode == _in_process(*argv)[0]
    assert json.loads(target.read_text(encoding="utf-8"))["units"]


def test_a_reader_that_goes_away_early_gets_no_traceback_and_exit_code_1(tmp_path):
    argv = ["report", str(REPO / "sample_repos" / "mixed-payments-platform"), "--format", "text", "--no-cache"]
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `| head -0`: nobody reads
    done = subprocess.run(
        [sys.executable, "-m", "pytest_serverless_arch", *argv], stdout=write_end, stderr=subprocess.PIPE, text=True
    )
    os.close(write_end)
    assert "Traceback" not in done.stderr
    assert done.returncode == 1


def test_a_profiler_attached_to_the_command_still_writes_its_profile(tmp_path):
    profile = tmp_path / "report.prof"
    argv = ["report", str(REPO / "sample_repos" / "monolith-online-shop"), "--format", "json", "--no-cache"]
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "pytest_serverless_arch", *argv],
        capture_output=True,
        text=True,
    )
    assert done.returncode == _in_process(*argv)[0]
    assert profile.stat().st_size > 0
