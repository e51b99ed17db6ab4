"""For each sample repository, ``report --format json`` and a pytest run of the same configuration find the same.

The CLI runs in a subprocess; pytest runs the sample's gate in a copy of it
through ``pytester``. Findings are compared as (rule, location) pairs, for the
rules both ran (rules that only a ``conftest.py`` defines run under pytest alone,
and the CLI names them in ``rules_not_run``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import hypothesis  # noqa: F401  (imported once here, so pytester's inner runs do not re-import it)
import pytest

from .helpers import SAMPLES, run_cli
from .inner_runs import import_what_inner_runs_use

import_what_inner_runs_use()

SAMPLE_DIRS = sorted(path for path in SAMPLES.iterdir() if path.is_dir())
# a violation line of a failing rule item, or of the summary's suppressed findings: "  path:line: rule-id: message"
_FINDING = re.compile(r"^  (\S+:\d+|\S+): ([a-z0-9][a-z0-9-]*): ")


@pytest.mark.parametrize("sample", SAMPLE_DIRS, ids=[path.name for path in SAMPLE_DIRS])
def test_report_json_and_pytest_give_the_same_findings(sample: Path, pytester: pytest.Pytester) -> None:
    shutil.copytree(sample, pytester.path, dirs_exist_ok=True)
    report = run_cli("report", pytester.path, "--format", "json").json()
    ran = {rule["id"] for rule in report["rules"] if rule["status"] in ("passed", "failed")}
    assert ran, f"{sample.name}: the CLI ran no rule"
    cli_findings = {(violation["rule"], violation["location"]) for violation in report["violations"]}

    result = pytester.runpytest("-k", "serverless-arch", "-v")
    pytest_findings = set()
    for line in result.outlines:
        match = _FINDING.match(line)
        if match and match.group(2) in ran:
            pytest_findings.add((match.group(2), match.group(1)))
    assert cli_findings == pytest_findings
    # pytest ran, beyond the CLI's rules, exactly the conftest rules the CLI says it did not run
    items = {line.split("::", 1)[1].split()[0] for line in result.outlines if line.startswith("serverless-arch::")}
    rule_items = {item for item in items if "[" not in item and item != "discovery" and not item.startswith("contract:")}
    skipped = {rule["id"] for rule in report["rules"] if rule["status"] == "skipped"}
    assert rule_items - ran - skipped == set(report["rules_not_run"])
