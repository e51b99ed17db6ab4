"""The warm cache: a unit is read from it only while every file its loader read is unchanged.

Each test loads a small repository written in ``tmp_path`` twice through one
cache folder, changes nothing or one file between the two loads, and pins what
the second load took from the cache (hits, misses) and that the graph says what
the files now say. The cache's signing key lives in ``tmp_path`` too.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given

from pytest_serverless_arch import DeploymentGraph, load
from pytest_serverless_arch import cache as cache_module
from pytest_serverless_arch.cache import UnitCache, default_cache_dir
from pytest_serverless_arch.cli import main
from pytest_serverless_arch.report import build_document, render
from pytest_serverless_arch.strategies import Topology, topologies

from .helpers import REPO, edge_facts, trigger_rows, write, write_files
from .hypothesis_support import property_settings

TWO_TEMPLATES = {
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
    "billing/template.yaml": """\
        Resources:
          BillingTopic:
            Type: AWS::SNS::Topic
        """,
}


class Runs:
    """Loads of one repository through one cache folder; each load returns its graph and its cache's counts."""

    def __init__(self, tmp_path: Path) -> None:
        self.folder = tmp_path / "cache"
        self.key = tmp_path / "cache-key"

    def load(self, root: Path, **options: object) -> tuple[DeploymentGraph, UnitCache]:
        cache = UnitCache(self.folder, key_file=self.key, keep_graphs=False)  # the per-unit layer (graphs: test_run_cache)
        graph = load(root, cache=cache, **options)
        return graph, cache


@pytest.fixture
def runs(tmp_path: Path) -> Runs:
    return Runs(tmp_path)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    return root


def counts(cache: UnitCache) -> tuple[int, int]:
    return cache.hits, cache.misses


def report(graph: DeploymentGraph) -> str:
    return render(build_document(graph), "json")


# --- hits ----------------------------------------------------------------------------


def test_an_unchanged_repository_is_read_from_the_cache_and_gives_the_same_graph(runs, repo):
    write_files(repo, TWO_TEMPLATES)
    cold, first = runs.load(repo)
    warm, second = runs.load(repo)
    assert counts(first) == (0, 2)
    assert counts(second) == (2, 0)
    assert report(warm) == report(cold) == report(load(repo))
    assert trigger_rows(warm) == [("OrdersQueue", "queue", "OrdersFunction", 9)]


def test_a_load_without_a_cache_writes_nothing(runs, repo):
    write_files(repo, TWO_TEMPLATES)
    load(repo)
    assert not runs.folder.exists()


# --- edits of each kind of file a unit reads ------------------------------------------


def test_editing_a_template_reads_that_unit_again_and_only_it(runs, repo):
    write_files(repo, TWO_TEMPLATES)
    runs.load(repo)
    write(
        repo,
        "billing/template.yaml",
        "Resources:\n  BillingTopic:\n    Type: AWS::SNS::Topic\n  Dlq:\n    Type: AWS::SQS::Queue\n",
    )
    graph, cache = runs.load(repo)
    assert counts(cache) == (1, 1)
    assert [(r.id, r.location.line) for r in graph.resources(unit="billing")] == [("billing:BillingTopic", 2), ("billing:Dlq", 4)]


def test_editing_a_file_an_aws_include_pulls_in_reads_the_template_again(runs, repo):
    write_files(
        repo,
        {
            "template.yaml": """\
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  HttpApi:
                    Type: AWS::Serverless::HttpApi
                    Properties:
                      DefinitionBody:
                        Fn::Transform:
                          Name: AWS::Include
                          Parameters:
                            Location: spec/http.yaml
                  ListFunction:
                    Type: AWS::Serverless::Function
                    Properties:
                      Runtime: python3.12
                      Handler: app.handler
                      CodeUri: src/
                """,
            "spec/http.yaml": _openapi_route("/items", "ListFunction"),
        },
    )
    first, _ = runs.load(repo)
    assert trigger_rows(first) == [("HttpApi", "api", "ListFunction", 11)]
    write(repo, "spec/http.yaml", "# moved down a line\n" + _openapi_route("/items", "ListFunction"))
    graph, cache = runs.load(repo)
    assert counts(cache) == (0, 1)
    assert trigger_rows(graph) == [("HttpApi", "api", "ListFunction", 12)]


def _openapi_route(path: str, function: str) -> str:
    return f"""\
openapi: "3.0.1"
info:
  title: items
  version: "1"
paths:
  {path}:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{function}.Arn}}/invocations
"""


def test_editing_a_nested_stack_template_that_discovery_parsed_reads_its_parent_again(runs, repo):
    write_files(
        repo,
        {
            "parent.yaml": """\
                Resources:
                  Queues:
                    Type: AWS::CloudFormation::Stack
                    Properties:
                      TemplateURL: child.yaml
                """,
            "child.yaml": "Resources:\n  JobsQueue:\n    Type: AWS::SQS::Queue\n",
        },
    )
    first, _ = runs.load(repo)
    assert [r.logical_id for r in first.resources(kind="queue")] == ["Queues/JobsQueue"]
    write(repo, "child.yaml", "Resources:\n  EventsQueue:\n    Type: AWS::SQS::Queue\n")
    graph, cache = runs.load(repo)
    assert counts(cache) == (0, 1)
    assert [(r.logical_id, str(r.location)) for r in graph.resources(kind="queue")] == [("Queues/EventsQueue", "child.yaml:2")]


def test_editing_a_nested_stack_parent_reads_its_unchanged_child_parsed_on_first_use(runs, repo):
    write_files(
        repo,
        {
            "parent.yaml": (
                "Resources:\n  Queues:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: child.yaml\n"
            ),
            "child.yaml": "Resources:\n  JobsQueue:\n    Type: AWS::SQS::Queue\n",
        },
    )
    runs.load(repo)
    write(repo, "parent.yaml", "# the stack of queues\n" + (repo / "parent.yaml").read_text())
    graph, cache = runs.load(repo)
    assert counts(cache) == (0, 1)
    assert [(r.logical_id, str(r.location)) for r in graph.resources()] == [
        ("Queues", "parent.yaml:3"),
        ("Queues/JobsQueue", "child.yaml:2"),
    ]
    assert report(graph) == report(load(repo))


def test_a_warm_discovery_parses_only_the_files_whose_bytes_changed(runs, repo, monkeypatch):
    from pytest_serverless_arch import discover as discover_module

    write_files(repo, TWO_TEMPLATES)
    write(repo, "notes.yaml", "title: not a template\nResources: []\n")
    runs.load(repo)
    parsed: list[str] = []
    real_parse = discover_module.parse_text

    def counting_parse(text: str, **options: object) -> object:
        parsed.append(text.splitlines()[1])
        return real_parse(text, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(discover_module, "parse_text", counting_parse)
    write(repo, "billing/template.yaml", "Resources:\n  InvoicesTopic:\n    Type: AWS::SNS::Topic\n")
    graph, cache = runs.load(repo)
    assert parsed == ["  InvoicesTopic:"]  # orders/template.yaml and notes.yaml were not parsed again
    assert counts(cache) == (1, 1)
    # the remembered classification still gives its error, at its line
    assert [(error.path, error.line) for error in graph.errors] == [("notes.yaml", 2)]
    assert graph.errors == load(repo).errors


def test_editing_the_samconfig_beside_a_template_renames_its_unit(runs, repo):
    write_files(repo, TWO_TEMPLATES)
    write(repo, "orders/samconfig.toml", 'version = 0.1\n[default.deploy.parameters]\nstack_name = "orders-a"\n')
    first, _ = runs.load(repo)
    assert sorted(unit.name for unit in first.units()) == ["billing", "orders-a"]
    write(repo, "orders/samconfig.toml", 'version = 0.1\n[default.deploy.parameters]\nstack_name = "orders-b"\n')
    graph, cache = runs.load(repo)
    assert counts(cache) == (1, 1)
    assert sorted(unit.name for unit in graph.units()) == ["billing", "orders-b"]


def test_a_samconfig_that_appears_beside_a_template_names_its_unit(runs, repo):
    write_files(repo, TWO_TEMPLATES)
    runs.load(repo)
    write(repo, "orders/samconfig.toml", 'version = 0.1\n[default.deploy.parameters]\nstack_name = "orders-prod"\n')
    graph, cache = runs.load(repo)
    assert cache.misses >= 1
    assert sorted(unit.name for unit in graph.units()) == ["billing", "orders-prod"]


SERVICE_READING_A_FILE = """\
    service: worker
    provider:
      name: aws
      runtime: python3.12
    functions:
      work:
        handler: handler.work
        events:
          - sqs:
              arn: ${file(./config.yml):queueArn}
    """


def test_editing_a_file_variable_target_between_two_runs_reads_the_service_again(runs, repo):
    write(repo, "serverless.yml", SERVICE_READING_A_FILE)
    write(repo, "config.yml", "queueArn: arn:aws:sqs:us-east-1:123456789012:jobs-a\n")
    first, _ = runs.load(repo)
    assert [t.source for t in first.trigger_edges()] == ["external:arn:arn:aws:sqs:us-east-1:123456789012:jobs-a"]
    write(repo, "config.yml", "queueArn: arn:aws:sqs:us-east-1:123456789012:jobs-b\n")
    graph, cache = runs.load(repo)
    assert counts(cache) == (0, 1)
    assert [t.source for t in graph.trigger_edges()] == ["external:arn:arn:aws:sqs:us-east-1:123456789012:jobs-b"]


def test_a_file_variable_target_that_was_missing_and_appears_is_read(runs, repo):
    write(repo, "serverless.yml", SERVICE_READING_A_FILE)
    first, _ = runs.load(repo)
    assert [t.source for t in first.trigger_edges()] == ["external:unresolved ${file(./config.yml):queueArn}"]
    write(repo, "config.yml", "queueArn: arn:aws:sqs:us-east-1:123456789012:jobs-a\n")
    graph, cache = runs.load(repo)
    assert counts(cache) == (0, 1)
    assert [t.source for t in graph.trigger_edges()] == ["external:arn:arn:aws:sqs:us-east-1:123456789012:jobs-a"]
    assert graph.errors == [] and first.errors + first.notes != []


def test_editing_a_compose_file_changes_the_links_between_its_services(runs, repo):
    shutil.copytree(REPO / "tests" / "fixtures" / "link" / "compose", repo, dirs_exist_ok=True)
    first, _ = runs.load(repo)
    assert len(first.cross_unit_links("compose_param")) >= 1
    compose = (repo / "serverless-compose.yml").read_text()
    write(repo, "serverless-compose.yml", compose.replace("    params:\n", "    unused:\n"))
    graph, cache = runs.load(repo)
    assert cache.hits + cache.misses == 3
    assert graph.cross_unit_links("compose_param") == []
    assert report(graph) == report(load(repo))


WORKFLOW = """\
    name: deploy
    on: push
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - run: sam deploy --template-file orders/template.yaml --stack-name {stack}
    """


def test_editing_a_pipeline_file_reads_the_unit_it_deploys_again(runs, repo):
    write_files(repo, TWO_TEMPLATES)
    write(repo, ".github/workflows/deploy.yml", WORKFLOW.format(stack="shop-orders"))
    first, _ = runs.load(repo)
    assert sorted(unit.name for unit in first.units()) == ["billing", "shop-orders"]
    write(repo, ".github/workflows/deploy.yml", WORKFLOW.format(stack="shop-orders-v2"))
    graph, cache = runs.load(repo)
    assert counts(cache) == (1, 1)  # billing is deployed by no pipeline: its inputs did not change
    assert sorted(unit.name for unit in graph.units()) == ["billing", "shop-orders-v2"]


def test_a_terraform_file_added_to_a_root_module_is_read(runs, repo):
    write(
        repo,
        "infra/main.tf",
        'provider "aws" {\n  region = "us-east-1"\n}\n\nresource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n',
    )
    first, _ = runs.load(repo)
    assert [r.logical_id for r in first.resources()] == ["aws_sqs_queue.jobs"]
    write(repo, "infra/topics.tf", 'resource "aws_sns_topic" "events" {\n  name = "events"\n}\n')
    graph, cache = runs.load(repo)
    assert counts(cache) == (0, 1)
    assert sorted((r.logical_id, str(r.location)) for r in graph.resources()) == [
        ("aws_sns_topic.events", "infra/topics.tf:1"),
        ("aws_sqs_queue.jobs", "infra/main.tf:5"),
    ]


# --- renames, deletions, options ---------------------------------------------------------


def test_renaming_a_unit_file_gives_the_unit_under_its_new_path(runs, repo):
    write_files(repo, TWO_TEMPLATES)
    runs.load(repo)
    (repo / "billing").rename(repo / "payments")
    graph, cache = runs.load(repo)
    assert counts(cache) == (0, 2)  # the set of units changed: every unit is read again
    assert sorted((unit.name, unit.path) for unit in graph.units()) == [
        ("orders", "orders/template.yaml"),
        ("payments", "payments/template.yaml"),
    ]


def test_deleting_a_unit_file_removes_the_unit(runs, repo):
    write_files(repo, TWO_TEMPLATES)
    runs.load(repo)
    (repo / "billing" / "template.yaml").unlink()
    graph, _ = runs.load(repo)
    assert [unit.name for unit in graph.units()] == ["orders"]
    assert graph.resources(unit="billing") == []


def test_other_load_options_are_other_entries(runs, repo):
    write(repo, "serverless.yml", "service: svc\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.f\n")
    _, first = runs.load(repo, stage="dev")
    prod, second = runs.load(repo, stage="prod")
    _, third = runs.load(repo, stage="dev")
    assert (counts(first), counts(second), counts(third)) == ((0, 1), (0, 1), (1, 0))
    assert [unit.name for unit in prod.units()] == ["svc-prod"]


# --- damaged, foreign and concurrent packs -----------------------------------------------


def packs(runs: Runs) -> list[Path]:
    return sorted(runs.folder.glob("*.pack"))


def test_a_truncated_pack_is_a_miss_and_is_written_again(runs, repo):
    write_files(repo, TWO_TEMPLATES)
    cold, _ = runs.load(repo)
    [pack] = packs(runs)
    pack.write_bytes(pack.read_bytes()[:200])
    graph, cache = runs.load(repo)
    assert counts(cache) == (0, 2)
    assert report(graph) == report(cold)
    _, again = runs.load(repo)
    assert counts(again) == (2, 0)


def test_a_pack_of_another_version_of_the_package_is_a_miss(runs, repo, monkeypatch):
    write_files(repo, TWO_TEMPLATES)
    runs.load(repo)
    monkeypatch.setattr(cache_module, "_FINGERPRINT", ["another version"])
    _, cache = runs.load(repo)
    assert counts(cache) == (0, 2)
    assert len(packs(runs)) == 2


def test_a_pack_signed_with_another_key_is_never_unpickled(runs, repo, tmp_path):
    write_files(repo, TWO_TEMPLATES)
    runs.load(repo)
    [pack] = packs(runs)
    marker = tmp_path / "unpickled"
    planted = pickle.dumps(_Planted(str(marker)))
    pack.write_bytes(cache_module._FORMAT + b"\0" * 32 + planted)
    _, cache = runs.load(repo)
    assert counts(cache) == (0, 2)
    assert not marker.exists()


class _Planted:
    """What a hostile repository could ship as a cache file: unpickling it would create ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.path, "w"))


def test_an_unwritable_cache_folder_is_a_warning_and_the_load_goes_on(tmp_path, repo):
    write_files(repo, TWO_TEMPLATES)
    (tmp_path / "not-a-folder").write_text("")
    cache = UnitCache(tmp_path / "not-a-folder" / "cache", key_file=tmp_path / "key")
    graph = load(repo, cache=cache)
    assert sorted(unit.name for unit in graph.units()) == ["billing", "orders"]
    assert cache.problem is not None and cache.problem.startswith(f"cache folder {tmp_path / 'not-a-folder' / 'cache'}")


def test_the_least_recently_used_packs_beyond_the_bound_are_removed(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    write_files(first, TWO_TEMPLATES)
    write_files(second, TWO_TEMPLATES)
    cache = UnitCache(tmp_path / "cache", key_file=tmp_path / "key")
    load(first, cache=cache)
    [first_pack] = list((tmp_path / "cache").glob("*.pack"))
    os.utime(first_pack, ns=(1, 1))  # long unused
    bounded = UnitCache(tmp_path / "cache", key_file=tmp_path / "key", max_bytes=first_pack.stat().st_size * 3 // 2)
    load(second, cache=bounded)
    remaining = list((tmp_path / "cache").glob("*.pack"))
    assert len(remaining) == 1 and remaining[0] != first_pack


def test_two_processes_writing_the_same_pack_at_once_both_succeed(tmp_path, repo):
    write_files(repo, TWO_TEMPLATES)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "pytest_serverless_arch", "report", str(repo), "--cache-dir", str(tmp_path / "cache")]
    children = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
    results = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0]
    assert results[0][0] == results[1][0] and results[0][1] == results[1][1] == b""
    cache = UnitCache(tmp_path / "cache", key_file=tmp_path / "home" / "pytest-serverless-arch" / "cache-key")
    load([str(repo)], root=str(repo), cache=cache)
    assert counts(cache) == (2, 0)


# --- the command line and the plugin --------------------------------------------------------


def test_the_command_line_keeps_its_cache_in_the_user_cache_folder_not_in_the_repository(tmp_path, repo, monkeypatch):
    write_files(repo, TWO_TEMPLATES)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    before = sorted(path.relative_to(repo) for path in repo.rglob("*"))
    assert main(["report", str(repo), "-o", str(tmp_path / "cold.json")]) == 0
    assert main(["report", str(repo), "-o", str(tmp_path / "warm.json")]) == 0
    assert sorted(path.relative_to(repo) for path in repo.rglob("*")) == before
    assert default_cache_dir() == tmp_path / "home" / "pytest-serverless-arch" / "units"
    assert len(list(default_cache_dir().glob("*.pack"))) == 1
    assert (default_cache_dir() / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (tmp_path / "warm.json").read_text() == (tmp_path / "cold.json").read_text()


def test_no_cache_writes_nothing(tmp_path, repo, monkeypatch):
    write_files(repo, TWO_TEMPLATES)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    assert main(["report", str(repo), "--no-cache", "--cache-dir", str(tmp_path / "cache"), "-o", os.devnull]) == 0
    assert not (tmp_path / "cache").exists()
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize("sample", sorted(path.name for path in (REPO / "sample_repos").iterdir() if path.is_dir()))
def test_every_sample_repository_reports_the_same_findings_warm_and_cold(tmp_path, monkeypatch, sample):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    repo = REPO / "sample_repos" / sample
    outputs = []
    for flags in (["--no-cache"], [], []):  # cold without a cache, cold filling it, warm
        out = tmp_path / f"{len(outputs)}.json"
        status = main(["report", str(repo), "--format", "json", "-o", str(out), *flags])
        outputs.append((status, out.read_text()))
    assert outputs[0] == outputs[1] == outputs[2]


PLUGIN_INI = """\
    [pytest]
    serverless_arch_rules =
        trigger-colocated
        no-unit-cycles
        max-cross-unit-links limit=5
"""


def _plugin_repo(pytester: pytest.Pytester) -> None:
    write_files(pytester.path, TWO_TEMPLATES)
    write(pytester.path, "pytest.ini", PLUGIN_INI)


def _plugin_packs(pytester: pytest.Pytester) -> list[Path]:
    return sorted((pytester.path / ".pytest_cache" / "d" / "serverless-arch").glob("*.pack"))


def test_a_pytest_run_keeps_its_cache_in_pytests_cache_folder(pytester, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    _plugin_repo(pytester)
    pytester.runpytest("-p", "serverless_arch").assert_outcomes(passed=3)
    assert len(_plugin_packs(pytester)) == 1
    write(pytester.path, "billing/template.yaml", "Resources:\n  BillingTopic:\n    Type: AWS::SNS::Topic\n  Other:\n")
    result = pytester.runpytest("-p", "serverless_arch")
    result.assert_outcomes(passed=3, failed=1)  # the edit is seen: the broken resource is a load error
    result.stdout.fnmatch_lines(["FAILED serverless-arch::load-error[[]billing/template.yaml:4[]]*"])


def test_arch_no_cache_and_no_cacheprovider_keep_no_cache(pytester, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    _plugin_repo(pytester)
    pytester.runpytest("-p", "serverless_arch", "--arch-no-cache").assert_outcomes(passed=3)
    pytester.runpytest("-p", "serverless_arch", "-p", "no:cacheprovider").assert_outcomes(passed=3)
    assert _plugin_packs(pytester) == []


def test_two_xdist_workers_writing_the_cache_at_once_both_pass(pytester, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    _plugin_repo(pytester)
    # cold: each worker loads the repository and writes the same pack at the end of its load
    pytester.runpytest_subprocess("-p", "serverless_arch", "-p", "xdist", "-n", "2").assert_outcomes(passed=3)
    [pack] = _plugin_packs(pytester)
    cache = UnitCache(pack.parent, key_file=tmp_path / "home" / "pytest-serverless-arch" / "cache-key")
    # whole and signed, whichever worker wrote last: one entry per unit, one classification per template, one scan
    entries = cache._read_pack(pack)
    classifications = [key for key in entries if key.startswith("c:")]
    scans = [key for key in entries if key.startswith("p:")]
    assert (len(entries) - len(classifications) - len(scans), len(classifications), len(scans)) == (2, 2, 1)


def test_an_edge_list_is_the_same_from_the_cache(runs, repo):
    write_files(repo, TWO_TEMPLATES)
    cold, _ = runs.load(repo)
    warm, _ = runs.load(repo)
    assert (
        edge_facts(warm, "triggers")
        == edge_facts(cold, "triggers")
        == [("orders:OrdersQueue", "orders:OrdersFunction", "orders/template.yaml:9", False)]
    )


@property_settings
@given(first=topologies(pipelines=True), second=topologies(pipelines=True))
def test_whatever_changes_between_runs_a_load_through_the_cache_equals_a_fresh_load(first: Topology, second: Topology):
    """One repository folder holds ``first``, ``first`` again, then ``second``; each load goes through one cache."""
    with tempfile.TemporaryDirectory(prefix="cache-property-") as folder:
        root, cache = Path(folder) / "repo", Path(folder) / "cache"
        for topology in (first, first, second):
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            topology.write(root)
            cached = load(root, cache=UnitCache(cache, key_file=Path(folder) / "key"))
            assert report(cached) == report(load(root))


# --- the pipeline scan -----------------------------------------------------------------


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The roots the pipeline readers scan (each call of ``read_pipelines``)."""
    from pytest_serverless_arch.pipelines import reading

    called: list[Path] = []
    real = reading.read_pipelines

    def counted(root, *args, **kwargs):  # type: ignore[no-untyped-def]
        called.append(root)
        return real(root, *args, **kwargs)

    monkeypatch.setattr(reading, "read_pipelines", counted)
    return called


def test_a_warm_load_takes_the_pipeline_scan_from_the_cache_while_nothing_it_read_changed(runs, repo, scans):
    write_files(repo, TWO_TEMPLATES)
    write(repo, ".github/workflows/deploy.yml", WORKFLOW.format(stack="shop-orders"))
    first, _ = runs.load(repo)
    assert len(scans) == 1
    again, cache = runs.load(repo)
    assert len(scans) == 1  # not scanned again
    assert counts(cache) == (2, 0)
    assert [(p.name, p.units) for p in again.pipelines()] == [("deploy", ("shop-orders",))]
    assert report(again) == report(first) == report(load(repo))


def test_editing_a_pipeline_file_scans_the_pipelines_again(runs, repo, scans):
    write_files(repo, TWO_TEMPLATES)
    write(repo, ".github/workflows/deploy.yml", WORKFLOW.format(stack="shop-orders"))
    runs.load(repo)
    write(repo, ".github/workflows/deploy.yml", WORKFLOW.format(stack="shop-orders-v2"))
    graph, _ = runs.load(repo)
    assert len(scans) == 2
    assert [p.units for p in graph.pipelines()] == [("shop-orders-v2",)]
    assert report(graph) == report(load(repo))


def test_a_file_added_anywhere_scans_the_pipelines_again(runs, repo, scans):
    write_files(repo, TWO_TEMPLATES)
    runs.load(repo)
    buildspec = "version: 0.2\nphases:\n  build:\n    commands:\n      - sam deploy --template-file billing/template.yaml"
    write(repo, "ci/buildspec.yml", buildspec + " --stack-name shop-billing\n")
    graph, _ = runs.load(repo)
    assert len(scans) == 2
    assert sorted(unit.name for unit in graph.units()) == ["orders", "shop-billing"]
    assert report(graph) == report(load(repo))
