"""Issue 19: what the plugin costs a pytest run that does not use its gate, and what it imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

# What a gate needs and a run without one must not pay for.
HEAVY = ("networkx", "yaml", "tree_sitter", "tree_sitter_bash", "pytest_serverless_arch.loading")

CONFTEST = f"""
import sys


def pytest_unconfigure(config):
    print("HEAVY MODULES:", [name for name in {HEAVY!r} if name in sys.modules])
"""
TEMPLATE = "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n"


def test_importing_the_plugin_imports_neither_networkx_nor_the_loaders_nor_a_parser() -> None:
    code = f"import sys, pytest_serverless_arch.plugin; print([m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_run_without_a_gate_loads_no_repository_even_beside_a_template(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app="def test_business_rule():\n    assert True\n")
    pytester.makeconftest(CONFTEST)
    (pytester.path / "template.yaml").write_text(TEMPLATE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["HEAVY MODULES: []"])


def test_a_run_with_a_gate_loads_the_repository_it_checks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app="def test_business_rule():\n    assert True\n")
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\nserverless_arch_rules = trigger-colocated\n")
    (pytester.path / "template.yaml").write_text(TEMPLATE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=2)
    # the graph keeps its own adjacency: networkx is imported only to list unit cycles or for to_networkx()
    result.stdout.fnmatch_lines(["HEAVY MODULES: ['yaml', 'pytest_serverless_arch.loading']"])
