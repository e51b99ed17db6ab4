"""The whole-run result: a report is reused only while nothing its run observed has changed.

Each test runs ``report`` twice in this process through one cache folder, with
nothing or one thing changed in between, and pins whether the second run was
taken from the stored report (``check_repository`` is then not called at all)
and that what it prints is what a run without a cache prints.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_serverless_arch import cli, files, run_cache
from pytest_serverless_arch.cli import main
from pytest_serverless_arch.report import FORMATS
from pytest_serverless_arch.rules.plugins import ENTRY_POINT_GROUP

from .helpers import write, write_files

SERVICE = {
    "orders/template.yaml": """\
        Resources:
          OrdersQueue:
            Type: AWS::SQS::Queue
          OrdersFunction:
            Type: AWS::Lambda::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
          OrdersMapping:
            Type: AWS::Lambda::EventSourceMapping
            Properties:
              EventSourceArn: !GetAtt OrdersQueue.Arn
              FunctionName: !Ref OrdersFunction
        """,
    "billing/serverless.yml": """\
        service: billing
        provider:
          name: aws
        custom: ${file(./settings.yml)}
        functions:
          charge:
            handler: charge.handler
        """,
    "billing/settings.yml": "size: 1\n",
}


class Reports:
    """``report REPO --format json`` through one cache folder; ``reused`` says whether the last one was the stored one."""

    def __init__(self, tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp_path, self.repo, self.monkeypatch = tmp_path, repo, monkeypatch
        self.runs = 0
        self.reused = False
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))

    def run(self, *flags: str, cache: bool = True) -> tuple[int, str]:
        checked = []
        real = cli.check_repository

        def spy(settings: object) -> object:
            checked.append(settings)
            return real(settings)  # type: ignore[arg-type]

        self.monkeypatch.setattr(cli, "check_repository", spy)
        self.runs += 1
        out = self.tmp_path / f"report-{self.runs}.json"
        options = ["--cache-dir", str(self.tmp_path / "cache")] if cache else ["--no-cache"]
        status = main(["report", str(self.repo), "--format", "json", "-o", str(out), *options, *flags])
        self.reused = cache and not checked
        return status, out.read_text() if out.exists() else ""

    def fresh(self, *flags: str) -> tuple[int, str]:
        return self.run(*flags, cache=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write_files(root, SERVICE)
    return root


@pytest.fixture
def reports(tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch) -> Reports:
    return Reports(tmp_path, repo, monkeypatch)


def _units(output: str) -> list[str]:
    import json

    return sorted(unit["path"] for unit in json.loads(output)["units"])


def test_an_unchanged_repository_prints_the_stored_report_without_checking_it_again(reports):
    first = reports.run()
    assert not reports.reused
    second = reports.run()
    assert reports.reused
    assert first == second == reports.fresh()
    assert _units(second[1]) == ["billing/serverless.yml", "orders/template.yaml"]


def test_a_stored_report_is_found_again_without_reading_the_files_whose_stamps_hold(reports, repo, monkeypatch):
    for path in repo.rglob("*.y*ml"):  # written a minute ago: no longer racy, so the first run stamps them
        info = path.stat()
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 60_000_000_000))
    real = files.time.time_ns
    monkeypatch.setattr(files.time, "time_ns", lambda: real() + 60_000_000_000)  # and their change times too
    reports.run()
    monkeypatch.setattr(files, "_read_stamped", lambda *args: pytest.fail(f"read again: {args[0]}"))
    reports.run()
    assert reports.reused


def test_an_edit_keeping_the_size_is_seen(reports, repo):
    reports.run()
    write(repo, "billing/settings.yml", "size: 2\n")
    assert reports.run() == reports.fresh()
    assert not reports.reused


def test_an_edit_in_the_same_second_as_the_stored_run_keeping_size_and_modification_time_is_seen(reports, repo):
    path = repo / "orders" / "template.yaml"
    before = path.stat()
    reports.run()
    path.write_text(path.read_text().replace("OrdersQueue", "OrdersQueuX"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    status, output = reports.run()
    assert not reports.reused
    assert "OrdersQueuX" in output and (status, output) == reports.fresh()


def test_a_touch_without_a_change_still_reuses_the_stored_report(reports, repo):
    first = reports.run()
    path = repo / "orders" / "template.yaml"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    assert reports.run() == first
    assert reports.reused


def test_a_file_variable_target_edited_between_two_runs_is_seen(reports, repo):
    reports.run()
    write(repo, "billing/settings.yml", "size: 1\nmore: 2\n")
    assert reports.run() == reports.fresh()
    assert not reports.reused


def test_a_renamed_template_is_reported_under_its_new_path(reports, repo):
    reports.run()
    (repo / "orders" / "template.yaml").rename(repo / "orders" / "stack.yaml")
    status, output = reports.run()
    assert not reports.reused
    assert _units(output) == ["billing/serverless.yml", "orders/stack.yaml"]
    assert (status, output) == reports.fresh()


def test_a_deleted_template_is_no_longer_reported(reports, repo):
    reports.run()
    (repo / "orders" / "template.yaml").unlink()
    status, output = reports.run()
    assert not reports.reused
    assert _units(output) == ["billing/serverless.yml"]


def test_a_new_template_in_a_folder_discovery_walked_is_reported(reports, repo):
    reports.run()
    write(repo, "orders/extra.yaml", "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    status, output = reports.run()
    assert not reports.reused
    assert _units(output) == ["billing/serverless.yml", "orders/extra.yaml", "orders/template.yaml"]


def test_a_new_folder_with_a_template_is_reported(reports, repo):
    reports.run()
    write(repo, "shipping/deep/template.yaml", "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    _, output = reports.run()
    assert not reports.reused
    assert "shipping/deep/template.yaml" in _units(output)


def test_a_new_pipeline_workflow_is_read(reports, repo):
    reports.run()
    write(
        repo,
        ".github/workflows/deploy.yml",
        """\
        on: push
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - run: sam deploy --template-file orders/template.yaml --stack-name orders-prod
        """,
    )
    assert reports.run() == reports.fresh()
    assert not reports.reused


def test_a_conftest_declaring_a_rule_is_seen(reports, repo):
    reports.run()
    write(
        repo,
        "tests/conftest.py",
        "from pytest_serverless_arch import rule\n\n@rule('team-rule')\ndef team(graph):\n    return []\n",
    )
    _, output = reports.run()
    assert not reports.reused
    import json

    assert json.loads(output)["rules_not_run"] == ["team-rule"]


def test_other_flags_an_edited_baseline_or_another_allowed_environment_value_are_other_reports(reports, repo, monkeypatch):
    reports.run()
    reports.run("--ignore-load-errors")
    assert not reports.reused
    (repo / ".serverless-arch-baseline.json").write_text("not json")
    status, _ = reports.run()
    assert not reports.reused and status == 3  # a bad baseline is a usage error, as without a cache
    (repo / ".serverless-arch-baseline.json").unlink()
    reports.run("--arch-env", "STAGE_NAME")
    monkeypatch.setenv("STAGE_NAME", "prod")
    reports.run("--arch-env", "STAGE_NAME")
    assert not reports.reused
    reports.run("--arch-env", "STAGE_NAME")
    assert reports.reused


def test_no_cache_neither_reuses_nor_stores_a_report(reports, tmp_path):
    reports.fresh()
    assert not (tmp_path / "cache").exists()


def test_a_stored_report_signed_with_another_key_is_never_unpickled(reports, tmp_path):
    reports.run()
    [stored] = (tmp_path / "cache").glob("*.run")
    marker = tmp_path / "unpickled"
    stored.write_bytes(run_cache._FORMAT + b"\0" * 32 + pickle.dumps(_Planted(str(marker))))
    assert reports.run() == reports.fresh()
    assert not reports.reused and not marker.exists()
    reports.run()
    assert reports.reused  # written again, whole


def test_a_truncated_stored_report_is_a_miss(reports, tmp_path):
    first = reports.run()
    [stored] = (tmp_path / "cache").glob("*.run")
    stored.write_bytes(stored.read_bytes()[:100])
    assert reports.run() == first
    assert not reports.reused


class _Planted:
    """What a hostile repository could ship as a cache file: unpickling it would create ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.path, "w"))


def test_two_processes_storing_the_same_report_at_once_both_succeed_and_leave_it_whole(reports, repo, tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "pytest_serverless_arch", "report", str(repo), "--cache-dir", str(tmp_path / "cache")]
    children = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
    results = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0]
    assert results[0] == results[1] and results[0][1] == b""
    reports.run()
    assert reports.reused


def test_the_command_lines_formats_and_rule_entry_point_group_are_the_report_packages():
    assert cli.FORMATS == FORMATS
    assert cli._RULE_PLUGINS == ENTRY_POINT_GROUP


def test_a_reused_report_imports_neither_networkx_nor_the_readers(repo, tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "pytest_serverless_arch", "report", str(repo), "--cache-dir", str(tmp_path / "cache")]
    subprocess.run(command, check=True, capture_output=True, env=env)
    probe = (
        "import sys, runpy; sys.argv = ['x', *sys.argv[1:]]\n"
        "from pytest_serverless_arch import cli\n"
        "code = cli.main(sys.argv[1:])\n"
        "print(sorted(name for name in ('networkx', 'yaml', 'pytest_serverless_arch.discover',"
        " 'pytest_serverless_arch.loading') if name in sys.modules), code, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, *command[3:]], capture_output=True, env=env, text=True, check=True)
    assert done.stderr.strip() == "[] 0"


# --- load(): the whole graph of a load through the unit cache (what the pytest gate uses) -------------


def _load(repo: Path, tmp_path: Path) -> tuple[object, object]:
    from pytest_serverless_arch import load
    from pytest_serverless_arch.cache import UnitCache

    cache = UnitCache(tmp_path / "cache", key_file=tmp_path / "key")
    return load(repo, cache=cache), cache


def _json(graph: object) -> str:
    from pytest_serverless_arch.report import build_document, render

    return render(build_document(graph), "json")  # type: ignore[arg-type]


def test_a_load_through_the_cache_takes_the_whole_graph_while_nothing_changed(repo, tmp_path):
    from pytest_serverless_arch import load

    cold, first = _load(repo, tmp_path)
    warm, second = _load(repo, tmp_path)
    assert (first.graph_reused, second.graph_reused) == (False, True)
    assert (second.hits, second.misses) == (2, 0)
    assert _json(warm) == _json(cold) == _json(load(repo))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda repo: write(repo, "billing/settings.yml", "size: 3\n"), id="a file() target edited"),
        pytest.param(lambda repo: write(repo, "billing/extra.yaml", "Resources: {}\n"), id="a file added"),
        pytest.param(lambda repo: (repo / "billing" / "settings.yml").unlink(), id="a file() target deleted"),
        pytest.param(lambda repo: (repo / "orders").rename(repo / "sales"), id="a folder renamed"),
    ],
)
def test_a_load_after_a_change_is_made_again_and_equals_a_fresh_load(repo, tmp_path, change):
    from pytest_serverless_arch import load

    _load(repo, tmp_path)
    change(repo)
    graph, cache = _load(repo, tmp_path)
    assert not cache.graph_reused
    assert _json(graph) == _json(load(repo))
    _, again = _load(repo, tmp_path)
    assert again.graph_reused


def test_a_pytest_gate_takes_the_whole_graph_from_pytests_cache_folder_on_its_second_run(pytester, monkeypatch, tmp_path):
    from pytest_serverless_arch import loading

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    write_files(pytester.path, SERVICE)
    write(pytester.path, "pytest.ini", "[pytest]\nserverless_arch_rules =\n    trigger-colocated\n    no-unit-cycles\n")
    built = []
    real = loading._load
    monkeypatch.setattr(loading, "_load", lambda *args: built.append(args) or real(*args))
    pytester.runpytest("-p", "serverless_arch").assert_outcomes(passed=2)
    pytester.runpytest("-p", "serverless_arch").assert_outcomes(passed=2)
    assert len(built) == 1
    # the load's graph, and the gate's outcomes (kept with what that graph read)
    assert len(list((pytester.path / ".pytest_cache" / "d" / "serverless-arch").glob("*.run"))) == 2
    (pytester.path / "orders" / "template.yaml").unlink()
    result = pytester.runpytest("-p", "serverless_arch")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["serverless-arch: 1 unit (serverless 1), 1 functions, 0 triggers, 0 load errors"])
    assert len(built) == 2


def test_the_code_fingerprint_holds_the_versions_of_the_installed_parsers_and_graph_library():
    from importlib.metadata import version

    from pytest_serverless_arch.cache import _dependency_versions

    found = {name.lower().rsplit(".", 1)[0] for name in _dependency_versions()}
    for distribution, spelled in (("PyYAML", "pyyaml"), ("networkx", "networkx"), ("tree-sitter-hcl", "tree_sitter_hcl")):
        assert f"{spelled}-{version(distribution)}" in found


UNPICKLED: list[str] = []


def _note_unpickling(tag: str) -> None:
    UNPICKLED.append(tag)


class _CountsItsUnpickling:
    """A stored result that says when it is unpickled."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (_note_unpickling, ("unpickled",))


def test_a_stored_run_whose_file_changed_is_a_miss_without_unpickling_its_result(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "template.yaml").write_text("Resources: {}\n")
    runs = run_cache.RunCache(tmp_path / "cache", key_file=tmp_path / "key")
    with files.recording() as log:
        files.read_bytes(repo / "template.yaml", repo)
    runs.keep("k", log, _CountsItsUnpickling())
    UNPICKLED.clear()
    assert runs.recall("k", repo) is None  # the result is what _note_unpickling returns: a hit
    assert (runs.hit, UNPICKLED) == (True, ["unpickled"])
    (repo / "template.yaml").write_text("Resources: {Queue: {Type: AWS::SQS::Queue}}\n")
    UNPICKLED.clear()
    assert runs.recall("k", repo) is None
    assert (runs.hit, UNPICKLED) == (False, [])
