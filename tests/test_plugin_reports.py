"""Reports from a pytest run: ``--arch-report`` files, the GitHub step summary, the diagram of a failing rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import hypothesis  # noqa: F401  (imported here once, so pytester's inner runs do not re-import it)
import pytest

from .helpers import make_split_queue_worker_a_placeholder
from .inner_runs import import_what_inner_runs_use

SPLIT_QUEUE = Path(__file__).parent / "fixtures" / "plugin" / "split-queue"

import_what_inner_runs_use()
import pytest_serverless_arch.report.html  # noqa: E402, F401  (the formats, imported once for the inner runs)
import pytest_serverless_arch.report.markdown  # noqa: E402, F401
import pytest_serverless_arch.report.sarif  # noqa: E402, F401


def split_queue_repo(pytester: pytest.Pytester, *ini_lines: str) -> Path:
    for template in SPLIT_QUEUE.iterdir():
        shutil.copy(template, pytester.path / template.name)
    pytester.makeini("[pytest]\nserverless_arch_rules =\n    trigger-colocated\n" + "".join(f"{line}\n" for line in ini_lines))
    return pytester.path


def test_each_arch_report_file_is_written_in_the_format_of_its_suffix(pytester: pytest.Pytester) -> None:
    make_split_queue_worker_a_placeholder(split_queue_repo(pytester) / "app.yaml")
    result = pytester.runpytest("--arch-report=out/arch.sarif", "--arch-report=out/arch.html", "--arch-report=arch.mmd")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- serverless-arch -*",
            f"wrote the sarif report {pytester.path / 'out' / 'arch.sarif'}",
            f"wrote the html report {pytester.path / 'out' / 'arch.html'}",
            f"wrote the mermaid report {pytester.path / 'arch.mmd'}",
        ]
    )
    sarif = json.loads((pytester.path / "out" / "arch.sarif").read_text())
    assert [result["ruleId"] for result in sarif["runs"][0]["results"]] == ["no-function-placeholders", "trigger-colocated"]
    assert (pytester.path / "out" / "arch.html").read_text().startswith("<!DOCTYPE html>")
    assert (pytester.path / "arch.mmd").read_text().startswith("flowchart LR\n")


def test_the_reports_ini_option_is_relative_to_the_rootdir(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "serverless_arch_reports =\n    reports/arch.md")
    (pytester.path / "sub").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(pytester.path / "sub")
        result = pytester.runpytest(str(pytester.path))
    result.assert_outcomes(failed=1)
    assert (pytester.path / "reports" / "arch.md").read_text().startswith("## Deployment architecture\n")


def test_a_report_file_of_unknown_format_is_a_usage_error(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester)
    result = pytester.runpytest("--arch-report=arch.pdf")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*serverless_arch_reports: arch.pdf: cannot tell the report format from '.pdf'*"])


def test_the_markdown_report_is_appended_to_the_github_step_summary(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    split_queue_repo(pytester)
    summary = pytester.path / "step-summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"appended the architecture summary to $GITHUB_STEP_SUMMARY ({summary})"])
    text = summary.read_text()
    assert text.startswith("earlier step\n## Deployment architecture\n")
    assert "| `infra.yaml:7` | `trigger-colocated` |" in text
    assert "```mermaid\nflowchart LR\n" in text


@pytest.mark.parametrize("how", [["--arch-no-step-summary"], ["-o", "serverless_arch_step_summary=false"]])
def test_the_step_summary_can_be_turned_off(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: list[str]) -> None:
    split_queue_repo(pytester)
    summary = pytester.path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = pytester.runpytest(*how)
    result.assert_outcomes(failed=1)
    assert not summary.exists()
    assert "GITHUB_STEP_SUMMARY" not in result.stdout.str()


def test_without_a_gate_nothing_is_appended_to_the_step_summary(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")
    summary = pytester.path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    pytester.runpytest().assert_outcomes(passed=1)
    assert not summary.exists()


def test_a_failing_rule_item_can_end_with_the_mermaid_diagram_of_its_units(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester)
    result = pytester.runpytest("--arch-diagram-on-failure")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "units involved (Mermaid):",
            "```mermaid",
            "flowchart LR",
            '  subgraph u0["app.yaml"]',
            '    n0(["Worker"])',
            "  end",
            '  subgraph u1["infra.yaml"]',
            '    n1[/"queue: OrdersQueue"/]',
            "  end",
            "  n1 --> n0",
            '  u0 =="imports"==> u1',
            '  u1 =="triggers"==> u0',
            "*",
            "```",
        ]
    )


def test_the_diagram_is_off_by_default(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    assert "```mermaid" not in result.stdout.str()
