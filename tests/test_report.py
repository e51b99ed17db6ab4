"""The JSON report (a public interface) and the ``report`` command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from pytest_serverless_arch import load
from pytest_serverless_arch.cli import main
from pytest_serverless_arch.report import build_report

from .helpers import FIXTURES

REPORT_REPO = FIXTURES / "report"


def test_the_report_lists_units_functions_and_triggers_with_locations():
    report = build_report(load(REPORT_REPO))
    assert set(report) >= {"units", "functions", "triggers", "links", "deploy_order", "pattern", "violations", "errors"}
    assert report["units"] == [
        {
            "name": "orders",
            "path": "orders/template.yaml",
            "format": "cloudformation",
            "domain": "orders",
            "resources": 3,
            "pipelines": [],
        }
    ]
    assert report["functions"] == [
        {
            "id": "orders:ProcessOrder",
            "name": "ProcessOrder",
            "unit": "orders",
            "location": "orders/template.yaml:11",
        }
    ]
    assert report["triggers"] == [
        {
            "source": "orders:OrdersQueue",
            "source_kind": "queue",
            "function": "orders:ProcessOrder",
            "cross_unit": False,
            "cross_pipeline": None,
            "location": "orders/template.yaml:22",
        }
    ]
    assert report["deploy_order"] == [["orders"]]
    assert report["errors"] == []


def test_load_errors_appear_in_the_report_with_path_and_line(tmp_path):
    (tmp_path / "broken.yaml").write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  - oops\n")
    report = build_report(load(tmp_path))
    assert report["errors"] == [
        {"path": "broken.yaml", "line": 4, "message": "invalid YAML: did not find expected key (while parsing a block mapping)"}
    ]


def test_the_report_command_prints_json(capsys):
    assert main(["report", str(REPORT_REPO)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [unit["name"] for unit in report["units"]] == ["orders"]


def test_the_report_command_prints_a_readable_text_summary(capsys):
    assert main(["report", str(REPORT_REPO), "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert "unit orders (cloudformation, orders/template.yaml, 3 resources) [domain orders]" in text
    assert "    <- queue orders:OrdersQueue  orders/template.yaml:22" in text


def test_load_errors_exit_2_unless_ignored_and_a_repository_of_nothing_exits_3(tmp_path, capsys):
    (tmp_path / "broken.yaml").write_text("Resources: [\n")
    assert main(["report", str(tmp_path)]) == 3  # no unit at all: never green on nothing
    shutil.copytree(REPORT_REPO, tmp_path / "good")
    assert main(["report", str(tmp_path)]) == 2
    assert main(["report", str(tmp_path), "--fail-on-errors"]) == 2  # the old flag is accepted; 2 is the default now
    assert main(["report", str(tmp_path), "--ignore-load-errors"]) == 0


def test_python_dash_m_runs_the_report_command():
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_serverless_arch", "report", str(REPORT_REPO), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(completed.stdout)["triggers"][0]["source_kind"] == "queue"
