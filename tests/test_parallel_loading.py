"""Loading on several cores (parallel.py): the same graph, errors, notes and warm cache for any number of processes.

A load forks its workers only in a process with no other thread and outside
pytest-xdist workers, so the loads compared here run in processes of their own
(``PROBE`` below), started without ``PYTEST_XDIST_WORKER``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from pytest_serverless_arch import parallel
from pytest_serverless_arch.options import SettingsError

from .helpers import FIXTURES, REPO

pytestmark = pytest.mark.skipif(parallel.fork_refusal() not in (None, "inside a pytest-xdist worker"), reason="no fork here")

PROBE = '''
"""Load a repository with N processes and print, as JSON, what came out."""
import gc, inspect, json, os, sys, time
from pathlib import Path

from pytest_serverless_arch import parallel
from pytest_serverless_arch.cache import UnitCache
from pytest_serverless_arch.loading import load
from pytest_serverless_arch.report import build_document, render

root, jobs, fault, cache_dir, bugs = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
teams = []
start = parallel.Team.start


def recorded_start(self, workers):
    teams.append(self)
    start(self, workers)


parallel.Team.start = recorded_start
share_out, gather = parallel.Team.share_out, parallel.Team.gather


def faulty_gather(self, work, shares):
    if self.rank:
        if fault == "dies":
            os._exit(7)
        if fault == "garbage":
            parallel._send(self._parent[1], b"not a pickle")
            os._exit(0)
        if fault == "hangs":
            time.sleep(120)
    return gather(self, work, shares)


def faulty_share_out(self, work, shares, **options):
    if self.rank and fault == "dies-parsing":
        os._exit(9)
    return share_out(self, work, shares, **options)


from pytest_serverless_arch import loading

read_scan, scans = loading._read_scan, []


def watched_scan(*args):
    # this process's pipeline scan: while its workers parse (inside share_out), or after discovery
    scans.append("while parsing" if any(frame.function == "share_out" for frame in inspect.stack()) else "after")
    return read_scan(*args)


loading._read_scan = watched_scan


parallel.Team.gather, parallel.Team.share_out = faulty_gather, faulty_share_out
if fault == "hangs":
    parallel._MIN_WAIT_S, parallel._WAIT_FACTOR = 1.0, 0.0
if bugs:
    from pytest_serverless_arch.loaders import templates

    load_template = templates.load_template

    def buggy(candidate, *args):
        if candidate.relpath in bugs:
            raise ZeroDivisionError("a bug in a loader")
        return load_template(candidate, *args)

    templates.load_template = buggy
if jobs == "auto-on-little-work":  # as a big repository on an idle machine would be: forked for
    parallel.MIN_SHARE_BYTES, jobs = 1, "auto"
    os.getloadavg = lambda: (0.0, 0.0, 0.0)
cache = UnitCache(Path(cache_dir), key_file=Path(cache_dir) / "key") if cache_dir else None
graph = load(root, jobs=None if jobs == "auto" else int(jobs), cache=cache)
team = teams[0] if teams else None
print(json.dumps({
    "report": render(build_document(graph), "json"),
    "errors": [str(error) for error in graph.errors],
    "notes": [str(note) for note in graph.notes],
    "processes": team.size if team else 1,
    "worker_files": sorted(rel for rel, rank in team.holds.items() if rank) if team else [],
    "terraform_holders": sorted({rank for rel, rank in team.holds.items() if "." not in rel.rpartition("/")[2]}) if team else [],
    "hits": cache.hits if cache else 0,
    "misses": cache.misses if cache else 0,
    "reused": cache.graph_reused if cache else False,
    "collector": [gc.isenabled(), gc.get_freeze_count()],  # frozen while the workers ran, not after
    "scans": scans,
    "pipelines": [[pipeline.name, pipeline.system, list(pipeline.units)] for pipeline in graph.pipelines()],
}))
'''


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("probe") / "probe.py"
    path.write_text(PROBE, encoding="utf-8")
    return path


def _environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}
    environment["PYTHONPATH"] = os.pathsep.join([str(REPO), environment.get("PYTHONPATH", "")])
    return environment


def run_load(
    probe: Path, root: Path, jobs: str, *, fault: str = "none", cache: Path | None = None, bugs: tuple[str, ...] = ()
) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(probe), str(root), jobs, fault, str(cache or ""), *bugs],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Templates of every format from the corpus-derived fixtures, with their errors and notes, in one repository."""
    root = tmp_path_factory.mktemp("repository")
    for name in ("cfn", "sam", "serverless", "terraform", "cdk", "included"):
        shutil.copytree(FIXTURES / name, root / name)
    shutil.copytree(FIXTURES / "pipelines" / "codepipeline-cfn", root / "pipelined")  # found by discovery's sniff
    shutil.copytree(FIXTURES / "pipelines" / "sam-pipeline-github", root, dirs_exist_ok=True)  # deploys ./template.yaml
    (root / "broken").mkdir()
    (root / "broken" / "template.yaml").write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  - oops\n")
    return root


@pytest.fixture(scope="module")
def serial(probe: Path, repository: Path) -> dict[str, Any]:
    return run_load(probe, repository, "1")


def _same_load(first: dict[str, Any], second: dict[str, Any]) -> None:
    for field in ("report", "errors", "notes"):
        assert first[field] == second[field], field


def test_two_and_three_processes_give_the_serial_graph_errors_and_notes_in_the_same_order(
    probe: Path, repository: Path, serial: dict[str, Any]
) -> None:
    assert serial["processes"] == 1
    assert serial["errors"] and serial["notes"]  # the comparison covers both
    assert serial["scans"] == ["after"]
    # the GitHub workflow (it deploys the root's template: the unit named after the folder), the CodePipeline
    # discovery sniffed and the buildspec beside it
    assert [name for name, _, _ in serial["pipelines"]] == ["Pipeline", "shop-release-prod", "pipelined/buildspec.yml"]
    assert serial["pipelines"][0] == ["Pipeline", "github-actions", [repository.name]]
    for jobs in ("2", "3"):
        shared = run_load(probe, repository, jobs)
        assert shared["processes"] == int(jobs)
        assert shared["worker_files"]  # the workers parsed and loaded files of their own
        assert shared["terraform_holders"] == [int(jobs) - 1]  # the Terraform directories: one worker, the last
        assert shared["collector"] == [True, 0]
        assert shared["scans"] == ["while parsing"]  # once here, in the time it would wait for the workers
        assert shared["pipelines"] == serial["pipelines"]
        _same_load(serial, shared)


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ("dies", "worker 1 ended with status 7; its share was run in the main process"),
        ("dies-parsing", "worker 1 ended with status 9; its share was run in the main process"),
        ("garbage", "worker 1 sent something unreadable; its share was run in the main process"),
        ("hangs", "worker 1 did not finish in time; its share was run in the main process"),
    ],
)
def test_a_worker_that_dies_hangs_or_sends_garbage_costs_nothing_but_a_note_to_whoever_asked_for_processes(
    probe: Path, repository: Path, serial: dict[str, Any], fault: str, problem: str
) -> None:
    shared = run_load(probe, repository, "2", fault=fault)
    noted = [note for note in shared["notes"] if "parallel loading" in note]
    assert noted == [f".: parallel loading: {problem}"]
    assert [note for note in shared["notes"] if note not in noted] == serial["notes"]
    assert shared["errors"] == serial["errors"]
    report = json.loads(shared["report"])
    report["notes"] = [note for note in report["notes"] if "parallel loading" not in note]
    assert report == json.loads(serial["report"])


@pytest.mark.skipif(parallel.usable_cores() < 2, reason="one core: auto loads in one process")
def test_a_worker_that_fails_is_said_only_when_processes_were_asked_for(
    probe: Path, repository: Path, serial: dict[str, Any]
) -> None:
    unasked = run_load(probe, repository, "auto-on-little-work", fault="dies")
    assert unasked["processes"] == 2
    _same_load(unasked, serial)


def test_a_bug_in_a_loader_inside_a_worker_is_the_same_load_error_as_in_one_process(
    probe: Path, repository: Path, serial: dict[str, Any]
) -> None:
    worker_templates = [rel for rel in run_load(probe, repository, "2")["worker_files"] if rel.startswith("cfn/")]
    bugs = (worker_templates[0], "sam/basic_application.yaml")
    one = run_load(probe, repository, "1", bugs=bugs)
    two = run_load(probe, repository, "2", bugs=bugs)
    _same_load(one, two)
    internal = [error for error in two["errors"] if "internal error" in error]
    assert sorted(error.split(":")[0] for error in internal) == sorted(bugs)
    assert all("(ZeroDivisionError: a bug in a loader; at probe.py:" in error for error in internal)


def test_a_warm_run_after_a_parallel_cold_run_reuses_it_and_sees_an_edit_of_a_file_a_worker_read(
    probe: Path, repository: Path, tmp_path: Path
) -> None:
    root = tmp_path / "repository"
    shutil.copytree(repository, root)
    cache = tmp_path / "cache"
    cold = run_load(probe, root, "2", cache=cache)
    assert cold["processes"] == 2 and cold["misses"] > 0 and not cold["reused"]
    warm = run_load(probe, root, "2", cache=cache)
    assert warm["reused"] and warm["report"] == cold["report"]
    edited = next(rel for rel in cold["worker_files"] if rel.startswith(("cfn/", "sam/")) and rel.endswith(".yaml"))
    # a SAM template stays one (else the repository's layout changes: every unit is read again)
    sam = "AWS::Serverless" in (root / edited).read_text(encoding="utf-8")
    (root / edited).write_text(("Transform: AWS::Serverless-2016-10-31\n" if sam else "") + EDITED, encoding="utf-8")
    after = run_load(probe, root, "2", cache=cache)
    assert not after["reused"]
    assert (after["hits"], after["misses"]) == (cold["misses"] - 1, 1)  # the worker's units were kept in the pack
    assert "EditedFunction" in after["report"] and "EditedFunction" not in cold["report"]
    assert after["report"] == run_load(probe, root, "1")["report"]


EDITED = """\
Resources:
  EditedQueue:
    Type: AWS::SQS::Queue
  EditedFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: {ZipFile: "def handler(event, context): pass"}
  EditedMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt EditedQueue.Arn
      FunctionName: !Ref EditedFunction
"""


def test_a_warm_cache_that_knows_some_units_gives_the_same_load_in_two_processes(
    probe: Path, repository: Path, tmp_path: Path
) -> None:
    """Units taken from the pack and units loaded again, in both processes, merged as one process has them."""
    root = tmp_path / "repository"
    shutil.copytree(repository, root)
    cache = tmp_path / "cache"
    run_load(probe, root, "1", cache=cache)
    for path in sorted(root.rglob("*.yaml")):  # every YAML file's bytes change: the pack knows none of them
        with path.open("a", encoding="utf-8") as stream:
            stream.write("\n# edited\n")
    shared = run_load(probe, root, "2", cache=cache)
    assert shared["processes"] == 2 and shared["hits"] > 0  # the JSON templates' units are still taken from the pack
    _same_load(shared, run_load(probe, root, "1"))


def test_a_small_repository_is_loaded_in_one_process(probe: Path) -> None:
    assert run_load(probe, FIXTURES / "plugin" / "split-queue", "auto")["processes"] == 1


def test_processes_are_used_only_where_forking_is_safe_and_pays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 4)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.5, 0.5))
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert parallel.workers_for(None, 100 * parallel.MIN_SHARE_BYTES, 500) == 4
    assert parallel.workers_for(None, 2 * parallel.MIN_SHARE_BYTES, 500) == 2
    assert parallel.workers_for(None, parallel.MIN_SHARE_BYTES - 1, 500) == 1
    assert parallel.workers_for(3, 10, 500) == 3  # asked for: taken as it is
    assert parallel.workers_for(8, 10**9, 5) == 5  # never more processes than pieces
    assert parallel.workers_for(1, 10**9, 500) == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (2.5, 0.5, 0.5))  # this run's core and one and a half more
    assert parallel.workers_for(None, 100 * parallel.MIN_SHARE_BYTES, 500) == 3
    monkeypatch.setattr(os, "getloadavg", lambda: (3.2, 3.5, 3.5))  # this run's own core and most of another
    assert parallel.workers_for(None, 100 * parallel.MIN_SHARE_BYTES, 500) == 2
    monkeypatch.setattr(os, "getloadavg", lambda: (3.6, 3.5, 3.5))
    assert parallel.workers_for(None, 100 * parallel.MIN_SHARE_BYTES, 500) == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (6.0, 3.5, 3.5))
    assert parallel.workers_for(None, 100 * parallel.MIN_SHARE_BYTES, 500) == 1
    assert parallel.workers_for(2, 100 * parallel.MIN_SHARE_BYTES, 500) == 2  # asked for: whatever the load
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.04, 1.0, 1.0))  # a quiet machine after the run before this one
    assert parallel.workers_for(None, 100 * parallel.MIN_SHARE_BYTES, 500) == 2
    monkeypatch.setattr(os, "getloadavg", lambda: (1.7, 1.0, 1.0))
    assert parallel.workers_for(None, 100 * parallel.MIN_SHARE_BYTES, 500) == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
    assert parallel.workers_for(None, 100 * parallel.MIN_SHARE_BYTES, 500) == 1
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert parallel.fork_refusal() == "inside a pytest-xdist worker"
    assert parallel.workers_for(2, 10**9, 500) == 1
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert parallel.fork_refusal() == "other threads are running in this process"
    assert parallel.workers_for(2, 10**9, 500) == 1
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert parallel.fork_refusal() == "no safe fork on this platform"


def test_shares_are_balanced_by_weight_with_the_workers_pickling_and_our_unpickling() -> None:
    # here 12, then unpickling 11 (0.15 each); the worker 11, and pickling it (0.3 each): 13.65 and 14.3
    assert parallel.balance([10, 1, 1, 1, 9, 1], 2) == [[0, 1, 3], [2, 4, 5]]
    assert parallel.balance([10, 1, 1, 1, 9, 1], 2, placed={5: 0}) == [[0, 2, 5], [1, 3, 4]]
    assert parallel.balance([10] * 10, 2) == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]  # 57.5 and 65; 6 and 4 would end at 66
    assert parallel.balance([10] * 4, 2, placed={3: 1}) == [[0, 1], [2, 3]]
    assert parallel.balance([3, 3, 3], 1) == [[0, 1, 2]]


@pytest.mark.parametrize(("value", "jobs"), [("auto", None), ("AUTO", None), ("1", 1), ("4", 4)])
def test_the_jobs_setting_is_auto_or_a_number_of_processes(value: str, jobs: int | None, tmp_path: Path) -> None:
    from pytest_serverless_arch.check import settings_for
    from pytest_serverless_arch.configfile import find_config

    (tmp_path / "pyproject.toml").write_text(f'[tool.pytest.ini_options]\nserverless_arch_jobs = "{value}"\n')
    assert settings_for(find_config(tmp_path), tmp_path).load_config.jobs == jobs


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_jobs_setting_that_is_no_number_of_processes_is_a_usage_error(value: str) -> None:
    from pytest_serverless_arch.options import _jobs

    with pytest.raises(SettingsError, match=r"serverless_arch_jobs / --arch-jobs: .* is not a number of processes"):
        _jobs(value)


def test_the_command_line_report_is_the_same_with_one_and_two_processes(repository: Path, tmp_path: Path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"report-{jobs}.json"
        command = [sys.executable, "-m", "pytest_serverless_arch", "report", str(repository), "--no-cache", "--jobs", jobs]
        done = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True, env=_environment(), check=False)
        assert done.returncode == 1, done.stderr  # violations (and a load error: the broken template)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_the_pytest_gate_gives_the_same_items_and_report_with_one_and_two_processes(
    pytester: pytest.Pytester, repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    for name in ("cfn", "sam", "terraform"):
        shutil.copytree(repository / name, pytester.path / name)
    pytester.makeini("[pytest]\nserverless_arch_rules =\n    trigger-colocated\n    no-unit-cycles\n")
    runs = []
    for jobs in ("1", "2"):
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--arch-jobs={jobs}", f"--arch-report=arch-{jobs}.json")
        runs.append((result.parseoutcomes(), (pytester.path / f"arch-{jobs}.json").read_bytes()))
    assert runs[0] == runs[1]
    assert runs[0][0].get("passed", 0) + runs[0][0].get("failed", 0) == 2
