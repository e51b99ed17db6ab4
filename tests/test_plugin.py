"""The pytest plugin end to end: options, the report header, fixtures, the zero-code gate, load errors."""

from __future__ import annotations

import shutil
import subprocess
import sys

import hypothesis  # noqa: F401  (imported here once, so pytester's inner runs do not re-import it)
import pytest

from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.options import RuleSpec, parse_rule_spec, read_settings

from .helpers import SPLIT_QUEUE, split_queue_repo

# infra.yaml:7 wires the queue of unit infra.yaml to the function of unit app.yaml (app.yaml:3).
TRIGGER_LINE = "infra.yaml:7: trigger-colocated: function Worker (unit app.yaml) is triggered by queue OrdersQueue*"


# --- the zero-code gate ---------------------------------------------------------


def test_a_three_line_pyproject_gives_a_gate_with_one_item_per_rule(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester)
    pytester.makefile(
        ".toml", pyproject='[tool.pytest.ini_options]\nserverless_arch_rules = ["trigger-colocated", "no-unit-cycles"]\n'
    )
    result = pytester.runpytest("-rA")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "serverless-arch: 2 units (cloudformation 2), 1 functions, 1 triggers, 0 load errors",
            "*serverless-arch rules: trigger-colocated, no-unit-cycles; baseline: .serverless-arch-baseline.json (none)",
            "*_ serverless-arch rule trigger-colocated _*",
            "trigger-colocated: *",
            "1 violation:",
            f"  {TRIGGER_LINE}",
            "why: *",
            "docs: https://*/docs/rules/trigger-colocated.md",
            "PASSED serverless-arch::no-unit-cycles",
            "FAILED serverless-arch::trigger-colocated*",
        ]
    )


def test_rule_items_are_selected_with_k_and_deselected_by_node_id(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated", "no-unit-cycles", config="pyproject")
    pytester.runpytest("-k", "trigger-colocated").assert_outcomes(failed=1, deselected=1)
    pytester.runpytest("--deselect", "serverless-arch::trigger-colocated").assert_outcomes(passed=1, deselected=1)
    pytester.runpytest("-k", "not serverless-arch").assert_outcomes(deselected=2)


def test_verbose_failures_name_the_units_and_resources_of_each_violation(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated", config="pyproject")
    quiet = pytester.runpytest()
    quiet.stdout.fnmatch_lines([f"  {TRIGGER_LINE}", "(run with -v to see the units and resources of each violation)"])
    quiet.stdout.no_fnmatch_line("*units: app.yaml, infra.yaml*")
    verbose = pytester.runpytest("-v")
    verbose.stdout.fnmatch_lines(
        [
            f"  {TRIGGER_LINE}",
            "      units: app.yaml, infra.yaml",
            "      resources: app.yaml:Worker, infra.yaml:OrdersQueue",
        ]
    )


def test_rule_options_reach_the_rule_and_a_rule_listed_twice_runs_once_per_line(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "max-cross-unit-links limit=0", "max-cross-unit-links limit=10", config="pyproject")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["serverless-arch::max-cross-unit-links FAILED*", "serverless-arch::max-cross-unit-links#2 PASSED*"]
    )


def test_an_unknown_rule_id_fails_instead_of_passing(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocted", config="pyproject")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*names an unknown rule 'trigger-colocted'; did you mean 'trigger-colocated'? (known rules: *trigger-colocated*)"]
    )


def test_a_bad_rule_option_is_a_failing_item_not_a_crash(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated no_such_option=1", config="pyproject")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["trigger-colocated: rule trigger-colocated: *no_such_option*"])


def test_the_arch_rule_flag_replaces_the_ini_rules(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated", config="pyproject")
    result = pytester.runpytest("--arch-rule", "no-unit-cycles", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["serverless-arch::no-unit-cycles PASSED*"])


def test_without_any_configuration_the_plugin_adds_no_items_and_no_header(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester)
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("serverless-arch*")


def test_the_gate_runs_with_the_whole_repo_but_not_when_one_test_file_is_asked_for(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "no-unit-cycles", config="pyproject")
    pytester.makepyfile(test_one="def test_one(): pass")
    pytester.runpytest("test_one.py").assert_outcomes(passed=1)
    pytester.runpytest(".").assert_outcomes(passed=2)
    pytester.runpytest().assert_outcomes(passed=2)


def test_the_gate_runs_when_testpaths_point_elsewhere(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester)
    pytester.makefile(
        ".toml", pyproject='[tool.pytest.ini_options]\ntestpaths = ["tests"]\nserverless_arch_rules = ["trigger-colocated"]\n'
    )
    pytester.mkdir("tests").joinpath("test_one.py").write_text("def test_one(): pass\n")
    pytester.runpytest().assert_outcomes(passed=1, failed=1)


def test_the_plugin_can_be_disabled_with_p_no(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester)
    pytester.makeini("[pytest]\nserverless_arch_rules = trigger-colocated\n")
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest("-p", "no:serverless_arch", "-W", "ignore::pytest.PytestConfigWarning")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("serverless-arch*")


# --- load errors ------------------------------------------------------------------


def test_every_load_error_is_a_failing_item_and_every_other_unit_is_still_checked(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester, "trigger-colocated", "no-unit-cycles", config="pyproject")
    pytester.makefile(".yaml", broken="AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Queue: [unclosed\n")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "serverless-arch: 2 units (cloudformation 2), 1 functions, 1 triggers, 1 load error",
            "serverless-arch::load-error?broken.yaml:4? FAILED*",
            "serverless-arch::trigger-colocated FAILED*",
            "serverless-arch::no-unit-cycles PASSED*",
            "broken.yaml:4: *",
            "(this file was not loaded; every other unit is still checked)",
            f"  {TRIGGER_LINE}",
        ]
    )


def test_load_errors_alone_make_a_gate_when_paths_are_configured(pytester: pytest.Pytester) -> None:
    pytester.mkdir("infra").joinpath("broken.json").write_text('{"Resources": {"Queue": ')
    pytester.makeini("[pytest]\nserverless_arch_paths = infra\n")
    result = pytester.runpytest("-rf")
    # the broken file is its own item, and a gate with no unit left fails its discovery item
    result.assert_outcomes(failed=2)
    # (pytest 8's short summary has no " - message" suffix: the message is matched in the failure text)
    result.stdout.fnmatch_lines(["infra/broken.json:1: *"])
    result.stdout.fnmatch_lines(["*no deployment unit found under infra*"])
    result.stdout.fnmatch_lines(["FAILED serverless-arch::discovery*"])


# --- options -------------------------------------------------------------------------


def test_ini_options_map_onto_the_load_config(pytester: pytest.Pytester) -> None:
    pytester.mkdir("services")
    pytester.mkdir("infra")
    pytester.makeini("""
        [pytest]
        serverless_arch_paths = services
            infra
        serverless_arch_ignore = **/fixtures/**
        serverless_arch_stage = prod
        serverless_arch_region = eu-west-1
        serverless_arch_params = bucket=assets
            suffix = blue
        serverless_arch_env = TEAM=payments
            HOME
        serverless_arch_domain_tag = team
        serverless_arch_domains = services/orders/** = orders
            services/{domain}/**
        serverless_arch_rules = trigger-colocated
            max-cross-unit-links limit=3 direction="in"
        serverless_arch_baseline = arch/baseline.json
    """)
    settings = read_settings(pytester.parseconfigure())
    root = pytester.path
    assert settings.paths == ((root / "services").resolve(), (root / "infra").resolve())
    assert settings.load_config == LoadConfig(
        ignore=("**/fixtures/**",),
        stage="prod",
        region="eu-west-1",
        params={"bucket": "assets", "suffix": "blue"},
        env={"TEAM": "payments"},
        env_allow=("HOME",),
        domain_tag="team",
        domains=(("services/orders/**", "orders"),),
        domain_path="services/{domain}/**",
    )
    assert settings.rules == (RuleSpec("trigger-colocated"), RuleSpec("max-cross-unit-links", {"limit": 3, "direction": "in"}))
    assert settings.baseline == (root / "arch" / "baseline.json").resolve()
    assert settings.gate_configured


def test_flags_win_over_ini_options(pytester: pytest.Pytester) -> None:
    pytester.mkdir("svc")
    pytester.makeini("[pytest]\nserverless_arch_stage = prod\nserverless_arch_params = a=1\nserverless_arch_ignore = one/**\n")
    settings = read_settings(
        pytester.parseconfigure(
            "--arch-stage",
            "dev",
            "--arch-region",
            "us-west-2",
            "--arch-param",
            "b=2",
            "--arch-env",
            "X=y",
            "--arch-domain-tag",
            "owner",
            "--arch-ignore",
            "two/**",
            "--arch-path",
            "svc",
            "--arch-baseline",
            "b.json",
            "--arch-update-baseline",
        )
    )
    config = settings.load_config
    assert (config.stage, config.region, dict(config.params), dict(config.env), config.domain_tag, config.ignore) == (
        "dev",
        "us-west-2",
        {"b": "2"},
        {"X": "y"},
        "owner",
        ("one/**", "two/**"),
    )
    assert settings.paths == ((pytester.path / "svc").resolve(),)
    assert settings.baseline == (pytester.path / "b.json").resolve()
    assert settings.update_baseline


def test_defaults_are_the_rootdir_no_rules_and_the_default_baseline(pytester: pytest.Pytester) -> None:
    settings = read_settings(pytester.parseconfigure())
    assert settings.paths == (pytester.path,)
    assert settings.load_config == LoadConfig()
    assert settings.rules == ()
    assert settings.baseline == (pytester.path / ".serverless-arch-baseline.json").resolve()
    assert not settings.gate_configured


def test_a_malformed_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nserverless_arch_params = no-equals-sign\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*serverless-arch: serverless_arch_params: expected NAME=VALUE, got 'no-equals-sign'"])


def test_every_option_is_in_one_group_with_its_default_in_the_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    text = result.stdout.str()
    section = text[text.index("architecture rules for serverless repositories") :]
    for flag in (
        "--arch-path",
        "--arch-ignore",
        "--arch-stage",
        "--arch-region",
        "--arch-param",
        "--arch-env",
        "--arch-domain-tag",
        "--arch-rule",
        "--arch-baseline",
        "--arch-update-baseline",
    ):
        assert flag in section
    for name in (
        "serverless_arch_paths",
        "serverless_arch_ignore",
        "serverless_arch_stage",
        "serverless_arch_region",
        "serverless_arch_params",
        "serverless_arch_env",
        "serverless_arch_domain_tag",
        "serverless_arch_domains",
        "serverless_arch_rules",
        "serverless_arch_baseline",
    ):
        assert name in text
    assert text.count("(default:") >= 20


def test_rule_lines_parse_json_values_and_keep_other_values_as_text() -> None:
    assert parse_rule_spec('max-cross-unit-links limit=3 direction=in allow=\'["a", "b"]\'') == RuleSpec(
        "max-cross-unit-links", {"limit": 3, "direction": "in", "allow": ["a", "b"]}
    )


def test_the_stage_option_reaches_serverless_variables(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".yml",
        serverless="service: shop\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "functions:\n  hello:\n    handler: handler.hello\n",
    )
    pytester.makeini("[pytest]\nserverless_arch_stage = prod\n")
    pytester.makepyfile("""
        def test_stage(deployment_graph):
            assert [unit.name for unit in deployment_graph.units()] == ["shop-prod"]
    """)
    pytester.runpytest().assert_outcomes(passed=1)


# --- fixtures ---------------------------------------------------------------------


def test_deployment_graph_is_loaded_once_and_shared_by_every_test(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester)
    pytester.makeini("[pytest]\nserverless_arch_ignore = app.yaml\n")
    pytester.makepyfile(
        test_a="""
        SEEN = []
        def test_first(deployment_graph):
            SEEN.append(deployment_graph)
            assert [unit.name for unit in deployment_graph.units()] == ["infra.yaml"]
        def test_second(deployment_graph):
            assert deployment_graph is SEEN[0]
    """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_load_deployment_graph_loads_another_path_with_its_own_options(pytester: pytest.Pytester) -> None:
    split_queue_repo(pytester)
    other = pytester.mkdir("other")
    shutil.copy(SPLIT_QUEUE / "app.yaml", other / "template.yaml")
    pytester.makepyfile("""
        def test_other(load_deployment_graph):
            graph = load_deployment_graph("other", domains=[("**", "billing")])
            assert [unit.name for unit in graph.units()] == ["other"]
            assert [fn.domain for fn in graph.functions()] == ["billing"]
            assert load_deployment_graph("other", domains=[("**", "billing")]) is graph
            assert load_deployment_graph("other") is not graph
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_fixture_docstrings_are_the_documentation(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(
        [
            "deployment_graph ?session scope? -- *",
            "    The deployment graph of the repository under test, loaded once per session and shared by every test.",
            "load_deployment_graph ?session scope? -- *",
            "    A factory that loads any other repository: ``load_deployment_graph(path, **options)``.",
        ]
    )


def test_loading_the_plugin_imports_neither_hypothesis_nor_the_strategies() -> None:
    code = (
        "import sys, pytest_serverless_arch.plugin; "
        "print(sorted(m for m in sys.modules if m.startswith(('hypothesis', 'pytest_serverless_arch.strategies'))))"
    )
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert printed.strip() == "[]"
