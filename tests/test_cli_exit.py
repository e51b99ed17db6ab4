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


# Watches the graph a report builds; ends either through run() (os._exit) or with main() called as a function.
_WATCH = """
import gc, json, os, sys, weakref
from pytest_serverless_arch import cli, collector
graphs = []
checked = cli.check_repository
def watched(*args, **kwargs):
    check = checked(*args, **kwargs)
    graphs.append(weakref.ref(check.graph))
    return check
cli.check_repository = watched
def seen(code):
    kept = sorted(type(each).__name__ for objects in collector._EXIT.kept for each in objects if each is not None)
    return json.dumps({"code": code, "collector": gc.isenabled(), "graph_alive": graphs[0]() is not None, "kept": kept})
how, argv = sys.argv[1], sys.argv[2:]
if how == "run":
    real_exit = os._exit
    def leave(code):
        sys.stderr.write(seen(code))
        sys.stderr.flush()
        real_exit(code)
    os._exit = leave
    sys.argv = ["serverless-arch", *argv]
    cli.run()
else:
    code = cli.main(argv)
    sys.stderr.write(seen(code))
"""


KEPT = ["Discovery", "ReportDocument", "RepositoryCheck"]  # the parsed documents, the graph and its checks, the report


@pytest.mark.parametrize(("how", "collector", "graph_alive", "kept"), [("run", False, True, KEPT), ("main", True, False, [])])
def test_the_command_keeps_its_graph_to_the_end_but_main_called_as_a_function_frees_it(
    tmp_path, how, collector, graph_alive, kept
):
    argv = ["report", str(REPO / "sample_repos" / "monolith-online-shop"), "--format", "json", "--no-cache"]
    done = subprocess.run(
        [sys.executable, "-c", _WATCH, how, *argv, "-o", str(tmp_path / "r.json")], capture_output=True, text=True
    )
    seen = json.loads(done.stderr)
    # the process that ends with os._exit leaves the collector off and frees nothing; main() frees all it built
    assert seen == {"code": _in_process(*argv)[0], "collector": collector, "graph_alive": graph_alive, "kept": kept}
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["units"]
