"""The plugin with the ecosystem: pytest-xdist, --junitxml, no cache provider."""

from __future__ import annotations

import json
import shutil
import sys
import xml.etree.ElementTree as ElementTree

import hypothesis  # noqa: F401  (imported here once, so pytester's inner runs do not re-import it)
import pytest

from .helpers import SPLIT_QUEUE, make_split_queue_worker_a_placeholder


def gate_repo(pytester: pytest.Pytester) -> None:
    """A failing rule, a passing rule, a load error, a suppressed finding and two ordinary tests."""
    for template in SPLIT_QUEUE.iterdir():
        shutil.copy(template, pytester.path / template.name)
    pytester.makefile(".yaml", broken="AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Queue: [unclosed\n")
    pytester.makeini(
        "[pytest]\nserverless_arch_rules =\n    trigger-colocated\n    no-unit-cycles\n    no-function-placeholders\n"
    )
    # the worker's code comes from a parameter; no-function-placeholders is suppressed on it, with a reason
    app = pytester.path / "app.yaml"
    make_split_queue_worker_a_placeholder(app)
    app.write_text(
        app.read_text().replace(
            "    Type: AWS::Lambda::Function\n",
            "    Type: AWS::Lambda::Function\n    Metadata:\n      serverless-arch:\n        suppress:\n"
            "          - {rule: no-function-placeholders, reason: code ships from the app pipeline}\n",
            1,
        )
    )
    pytester.makepyfile(
        test_arch="""
        def test_one(deployment_graph):
            assert len(deployment_graph.units()) == 2

        def test_two(deployment_graph):
            assert deployment_graph.functions()
    """
    )


def test_xdist_gives_the_same_outcomes_and_summary(pytester: pytest.Pytester) -> None:
    gate_repo(pytester)
    serial = pytester.runpytest()
    serial.assert_outcomes(passed=4, failed=2)
    parallel = pytester.runpytest("-n", "2")
    parallel.assert_outcomes(passed=4, failed=2)
    for result in (serial, parallel):
        result.stdout.fnmatch_lines(
            [
                "*infra.yaml:7: trigger-colocated: function Worker *",
                "suppressed findings (1):",
                "  app.yaml:3: no-function-placeholders: *",
                "      suppressed at app.yaml:3: code ships from the app pipeline",
                "FAILED serverless-arch::load-error?broken.yaml:4?*",
                "FAILED serverless-arch::trigger-colocated*",
            ]
        )


def test_xdist_writes_the_same_baseline(pytester: pytest.Pytester) -> None:
    gate_repo(pytester)
    pytester.runpytest("--arch-update-baseline").assert_outcomes(passed=5, failed=1)
    serial = json.loads((pytester.path / ".serverless-arch-baseline.json").read_text())
    (pytester.path / ".serverless-arch-baseline.json").unlink()
    pytester.runpytest("-n", "2", "--arch-update-baseline").assert_outcomes(passed=5, failed=1)
    parallel = json.loads((pytester.path / ".serverless-arch-baseline.json").read_text())
    assert parallel == serial
    assert [item["rule"] for item in serial["violations"]] == ["trigger-colocated"]
    pytester.runpytest("-n", "2").assert_outcomes(passed=5, failed=1)  # only the load error is left


def test_junitxml_carries_the_violations_in_the_failure_text(pytester: pytest.Pytester) -> None:
    gate_repo(pytester)
    pytester.runpytest("--junitxml=report.xml").assert_outcomes(passed=4, failed=2)
    cases = {case.get("name"): case for case in ElementTree.parse(pytester.path / "report.xml").iter("testcase")}
    assert sorted(cases) == [
        "load-error[broken.yaml:4]",
        "no-function-placeholders",
        "no-unit-cycles",
        "test_one",
        "test_two",
        "trigger-colocated",
    ]
    assert cases["trigger-colocated"].get("classname") == "serverless-arch"
    failure = cases["trigger-colocated"].find("failure")
    assert failure is not None
    assert "infra.yaml:7: trigger-colocated: function Worker (unit app.yaml)" in (failure.text or "")
    load_failure = cases["load-error[broken.yaml:4]"].find("failure")
    assert load_failure is not None and "broken.yaml:4: " in (load_failure.text or "")
    assert cases["no-unit-cycles"].find("failure") is None


def test_the_plugin_needs_no_cache(pytester: pytest.Pytester) -> None:
    gate_repo(pytester)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4, failed=2)
    assert not (pytester.path / ".pytest_cache").exists()


HEAVY_BY_WORKER = """
import os
import sys

HEAVY = ("networkx", "yaml", "pytest_serverless_arch.loading")


def pytest_unconfigure(config):
    # beside the repository, not in it: a new file in a folder the gate walked is a change
    worker = getattr(config, "workerinput", {}).get("workerid", "controller")
    loaded = [name for name in HEAVY if name in sys.modules]
    with open(os.path.join(str(config.rootpath.parent), f"heavy-{config.rootpath.name}-{worker}.txt"), "w") as out:
        out.write(" ".join(loaded))
"""


def heavy(pytester: pytest.Pytester, worker: str) -> str:
    """What the last run's process ``worker`` had imported of networkx, PyYAML and the loaders."""
    return (pytester.path.parent / f"heavy-{pytester.path.name}-{worker}.txt").read_text()


def test_with_xdist_the_controller_runs_the_gate_once_and_the_workers_load_nothing(pytester: pytest.Pytester) -> None:
    gate_repo(pytester)
    pytester.makepyfile(test_arch="def test_one():\n    pass\n\n\ndef test_two():\n    pass\n")
    pytester.makeconftest(HEAVY_BY_WORKER)
    serial = pytester.runpytest("-p", "no:cacheprovider", "-rA", "--junitxml=../serial.xml")
    parallel = pytester.runpytest("-p", "no:cacheprovider", "-n", "2", "-rA", "--junitxml=../parallel.xml")
    for result in (serial, parallel):
        result.assert_outcomes(passed=4, failed=2)
        result.stdout.fnmatch_lines(
            [
                "*infra.yaml:7: trigger-colocated: function Worker *",
                "suppressed findings (1):",
                "  app.yaml:3: no-function-placeholders: *",
                "      suppressed at app.yaml:3: code ships from the app pipeline",
            ]
        )
    assert heavy(pytester, "gw0") == heavy(pytester, "gw1") == ""

    def failures(name: str) -> dict[str, str]:
        cases = ElementTree.parse(pytester.path.parent / name).iter("testcase")
        return {case.get("name", ""): (case.find("failure").text or "") for case in cases if case.find("failure") is not None}

    assert failures("parallel.xml") == failures("serial.xml")
    assert sorted(failures("serial.xml")) == ["load-error[broken.yaml:4]", "trigger-colocated"]


def test_with_xdist_a_rule_that_crashes_is_run_by_its_worker_and_shows_its_traceback(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "from pytest_serverless_arch import rule\n\n\n"
        "@rule('crashes', description='a rule with a bug')\n"
        "def crashes(graph):\n    return 1 / 0\n"
    )
    pytester.makefile(".yaml", template="Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n")
    pytester.makeini("[pytest]\nserverless_arch_rules = crashes\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*return 1 / 0*", "E*ZeroDivisionError*"])


def subprocess_run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.run(sys.executable, "-m", "pytest", *args)


def test_a_second_run_with_nothing_changed_replays_the_gate_without_loading_the_repository(pytester: pytest.Pytester) -> None:
    gate_repo(pytester)
    pytester.makepyfile(test_arch="def test_one():\n    pass\n\n\ndef test_two():\n    pass\n")
    pytester.makeconftest(HEAVY_BY_WORKER)
    infra = pytester.path / "infra.yaml"
    infra.write_text(
        infra.read_text().replace(
            "    Type: AWS::SQS::Queue\n",
            "    Type: AWS::SQS::Queue\n    Metadata:\n      serverless-arch:\n        suppress:\n"
            "          - {rule: no-such-rule, reason: a typo}\n",
            1,
        )
    )
    # in subprocesses: which modules a run imported says whether it loaded the repository; not
    # pytester's runpytest_subprocess, which makes a new folder in the repository for each run (a change)
    runs = [subprocess_run(pytester, "-rA", f"--junitxml=../run{index}.xml") for index in range(2)]
    assert heavy(pytester, "controller") == ""  # the second run
    for result in runs:
        result.assert_outcomes(passed=4, failed=2)
        result.stdout.fnmatch_lines(
            [
                "serverless-arch: 2 units (cloudformation 2), 1 functions, 1 triggers, 1 load error",
                "  infra.yaml:11: trigger-colocated: function Worker *",
                "suppressed findings (1):",
                "  app.yaml:3: no-function-placeholders: *",
                "      suppressed at app.yaml:3: code ships from the app pipeline",
                "suppressions that suppress nothing (1); remove them:",
                "  infra.yaml:*: no-such-rule * (no rule is called 'no-such-rule')",
            ]
        )

    def failures(name: str) -> dict[str, str]:
        cases = ElementTree.parse(pytester.path.parent / name).iter("testcase")
        return {case.get("name", ""): (case.find("failure").text or "") for case in cases if case.find("failure") is not None}

    assert failures("run0.xml") == failures("run1.xml")
    assert sorted(failures("run1.xml")) == ["load-error[broken.yaml:4]", "trigger-colocated"]
    (pytester.path / "broken.yaml").unlink()  # a file the last run read is gone: the gate runs again
    fixed = subprocess_run(pytester)
    fixed.assert_outcomes(passed=4, failed=1)
    fixed.stdout.fnmatch_lines(["serverless-arch: 2 units (cloudformation 2), 1 functions, 1 triggers, 0 load errors"])
    # the graph keeps its own adjacency: networkx is imported only to list unit cycles (none here)
    assert heavy(pytester, "controller") == "yaml pytest_serverless_arch.loading"


def test_a_rule_from_a_conftest_runs_every_time_while_the_built_in_ones_are_replayed(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", template="Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n")
    pytester.makeini("[pytest]\nserverless_arch_rules =\n    no-unit-cycles\n    queues-named\n")
    conftest = (
        "from pytest_serverless_arch import Violation, rule\n\n\n"
        "@rule('queues-named', description='queues have a name')\n"
        "def queues_named(graph):\n"
        "    return [Violation('queues-named', 'MESSAGE', resource.location, (resource.unit,), (resource.id,))\n"
        "            for resource in graph.resources(kind='queue')]\n"
    )
    pytester.makeconftest(conftest.replace("MESSAGE", "first wording"))
    pytester.runpytest().stdout.fnmatch_lines(["*template.yaml:2: queues-named: first wording"])
    pytester.makeconftest(conftest.replace("MESSAGE", "second wording"))
    again = pytester.runpytest()
    again.assert_outcomes(passed=1, failed=1)
    again.stdout.fnmatch_lines(["*template.yaml:2: queues-named: second wording"])


def test_a_gate_run_over_a_reused_graph_is_kept_with_what_that_graph_read(pytester: pytest.Pytester) -> None:
    gate_repo(pytester)
    pytester.makepyfile(test_arch="def test_one():\n    pass\n")
    subprocess_run(pytester).assert_outcomes(passed=3, failed=2)  # loads the graph and keeps it and the gate's outcomes
    verbose = subprocess_run(pytester, "-v")  # another gate key: its outcomes are made from the kept graph
    verbose.assert_outcomes(passed=3, failed=2)
    (pytester.path / "broken.yaml").unlink()
    again = subprocess_run(pytester, "-v")  # the file the kept graph read is gone: neither is reused
    again.assert_outcomes(passed=3, failed=1)
    again.stdout.fnmatch_lines(["serverless-arch: 2 units (cloudformation 2), 1 functions, 1 triggers, 0 load errors"])
