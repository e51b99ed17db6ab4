"""Issue 16: the CLI and the gate read one configuration, exit honestly and are never green on nothing.

Each scenario of the issue is run end to end: pytest through ``pytester``, the CLI
in a subprocess, on repositories built at test time.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import hypothesis  # noqa: F401  (imported once here, so pytester's inner runs do not re-import it)
import pytest

from .helpers import SAMPLES, linked_repo, pyproject, run_cli
from .inner_runs import import_what_inner_runs_use

import_what_inner_runs_use()

SPLIT_QUEUE = Path(__file__).parent / "fixtures" / "plugin" / "split-queue"
BASELINE = ".serverless-arch-baseline.json"


def baseline_entries(root: Path, name: str = BASELINE) -> list[dict[str, object]]:
    return json.loads((root / name).read_text())["violations"]


# --- never green on nothing ----------------------------------------------------------


def test_a_typo_in_arch_path_is_a_usage_error_naming_the_closest_folder(pytester: pytest.Pytester) -> None:
    linked_repo(pytester.mkdir("services"), 2)
    pyproject(pytester.path, "max-cross-unit-links limit=1")
    result = pytester.runpytest("--arch-path", "servics")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: serverless-arch: serverless_arch_paths / --arch-path: 'servics' does not exist under *; did you mean 'serv*'?"]
    )
    cli = run_cli("report", pytester.path, "--arch-path", "servics")
    assert cli.returncode == 3
    assert cli.stderr == (
        f"error: serverless_arch_paths / --arch-path: 'servics' does not exist under {pytester.path}; did you mean 'services'?\n"
    )


def test_a_path_without_units_fails_the_discovery_item_and_calls_no_baseline_entry_fixed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    linked_repo(pytester.mkdir("services"), 2)
    docs = pytester.mkdir("docs")
    docs.joinpath("stack.yaml").write_text("title: how we use queues\nexample: AWS::SQS::Queue\n")
    docs.joinpath("node_modules").mkdir()
    pyproject(pytester.path, "max-cross-unit-links limit=1")
    pytester.runpytest("--arch-update-baseline").assert_outcomes(passed=1)
    assert len(baseline_entries(pytester.path)) == 2

    result = pytester.runpytest("--arch-path", "docs", "-rfs")
    result.assert_outcomes(failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*_ serverless-arch discovery _*",
            f"no deployment unit found under docs (rootdir {pytester.path})",
            "  folders not searched (1): docs/node_modules",
            "  files that look like templates but are not units (1):",
            "    docs/stack.yaml:1: mentions AWS types but has no `Resources` section: not read as a template",
            "  set serverless_arch_paths (or --arch-path) to the folders holding templates, *",
            "FAILED serverless-arch::discovery - no deployment unit found under docs*",
            "SKIPPED [[]1] serverless-arch::max-cross-unit-links: no deployment unit was found (see serverless-arch::discovery)",
        ]
    )
    result.stdout.no_fnmatch_line("*now fixed*")
    # an update on nothing leaves the baseline alone
    pytester.runpytest("--arch-path", "docs", "--arch-update-baseline").stdout.fnmatch_lines(
        [f"{BASELINE} not written: no deployment unit was found"]
    )
    assert len(baseline_entries(pytester.path)) == 2

    cli = run_cli("report", pytester.path, "--arch-path", "docs", "--format", "json")
    assert cli.returncode == 3
    assert cli.json()["units"] == []  # the report is written whatever the exit status
    assert cli.stderr.splitlines()[:2] == [
        f"error: no deployment unit found under docs (rootdir {pytester.path})",
        "  folders not searched (1): docs/node_modules",
    ]


def test_report_on_a_path_that_does_not_exist_exits_3_with_one_line() -> None:
    cli = run_cli("report", "/does/not/exist")
    assert (cli.returncode, cli.stdout, cli.stderr) == (3, "", "error: /does/not/exist: no such file or directory\n")


def test_rules_that_need_domains_are_skipped_with_the_reason_when_no_domain_is_configured(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    linked_repo(pytester.path, 1)
    pyproject(pytester.path, "single-domain-units", "no-cross-domain-access", "no-unit-cycles")
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=1, skipped=2)
    reason = "needs domains and no resource has one: configure serverless_arch_domains, or tag resources or stacks"
    result.stdout.fnmatch_lines(
        [
            f"SKIPPED [[]1] serverless-arch::single-domain-units: single-domain-units {reason}*",
            f"SKIPPED [[]1] serverless-arch::no-cross-domain-access: no-cross-domain-access {reason}*",
        ]
    )
    cli = run_cli("report", pytester.path)
    assert cli.returncode == 0
    assert [(rule["id"], rule["status"]) for rule in cli.json()["rules"]] == [
        ("single-domain-units", "skipped"),
        ("no-cross-domain-access", "skipped"),
        ("no-unit-cycles", "passed"),
    ]
    assert cli.json()["rules"][0]["reason"].startswith(f"single-domain-units {reason}")
    # with domains configured, both run
    pyproject(
        pytester.path, "single-domain-units", "no-cross-domain-access", domains=["app.yaml = orders", "infra.yaml = billing"]
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_selection_that_matches_nothing_fails_with_the_closest_name(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    linked_repo(pytester.path, 1)
    pyproject(
        pytester.path,
        "no-cross-domain-access allow='[\"orders->biling\"]'",
        "single-domain-units ignore_kinds='[\"queu\"]'",
        domains=["app.yaml = orders", "infra.yaml = billing"],
    )
    result = pytester.runpytest("-rf")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "FAILED serverless-arch::no-cross-domain-access - no-cross-domain-access: allow names 'biling', which "
            "matches nothing; did you mean 'billing'?*",
            "FAILED serverless-arch::single-domain-units - single-domain-units: ignore_kinds names 'queu', which "
            "matches nothing; did you mean 'queue'?*",
        ]
    )
    cli = run_cli("report", pytester.path)
    assert cli.returncode == 3
    assert "error: no-cross-domain-access: allow names 'biling', which matches nothing; did you mean 'billing'?" in cli.stderr


def test_a_selection_typo_in_a_test_is_a_one_line_failure_not_a_traceback(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    linked_repo(pytester.path, 1)
    pytester.makepyfile(
        test_arch="""
        from pytest_serverless_arch.assertions import assert_rule


        def test_the_app_is_small(deployment_graph):
            assert_rule(deployment_graph.where(unit="app.yml"), "max-cross-unit-links", limit=5)


        def test_tagged_resources_are_small(deployment_graph):
            assert_rule(deployment_graph.where(tag="tema"), "max-cross-unit-links", limit=5)
        """
    )
    for resource in ("Queue0:\n    Type: AWS::SQS::Queue",):
        text = (pytester.path / "infra.yaml").read_text()
        tagged = resource + "\n    Properties:\n      Tags:\n        - Key: team\n          Value: billing"
        (pytester.path / "infra.yaml").write_text(text.replace(resource, tagged))
    result = pytester.runpytest("-rf")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "FAILED test_arch.py::test_the_app_is_small - Failed: max-cross-unit-links: the selection (unit=app.yml) matches "
            "no unit and no resource (did you mean 'app.yaml'? *",
            "FAILED test_arch.py::test_tagged_resources_are_small - Failed: max-cross-unit-links: the selection (tag=tema) "
            "matches no unit and no resource (did you mean 'team'? *",
        ]
    )
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*raise RuleError*")


# --- one configuration ---------------------------------------------------------------


def test_report_applies_the_projects_rules_and_baseline_and_exits_1_only_on_new_violations(pytester: pytest.Pytester) -> None:
    linked_repo(pytester.path, 2)
    pyproject(pytester.path, "max-cross-unit-links limit=1")
    cli = run_cli("report", pytester.path)
    assert cli.returncode == 1
    assert [(v["location"], v["status"], v["count"]) for v in cli.json()["violations"]] == [
        ("app.yaml:1", "new", 2),
        ("infra.yaml:1", "new", 2),
    ]
    pytester.runpytest("--arch-update-baseline").assert_outcomes(passed=1)
    cli = run_cli("report", pytester.path)
    assert cli.returncode == 0
    assert [v["status"] for v in cli.json()["violations"]] == ["baselined", "baselined"]


def test_report_applies_the_suppressions_of_the_templates(pytester: pytest.Pytester) -> None:
    for template in SPLIT_QUEUE.iterdir():
        shutil.copy(template, pytester.path / template.name)
    infra = pytester.path / "infra.yaml"
    infra.write_text(
        infra.read_text().replace(
            "    Type: AWS::SQS::Queue\n",
            "    Type: AWS::SQS::Queue\n    Metadata:\n      serverless-arch:\n        suppress:\n"
            "          - rule: trigger-colocated\n            reason: shared until the split\n",
        )
    )
    pyproject(pytester.path, "trigger-colocated")
    pytester.runpytest().assert_outcomes(passed=1)
    cli = run_cli("report", pytester.path)
    assert cli.returncode == 0
    [violation] = cli.json()["violations"]
    assert (violation["status"], violation["reason"]) == ("suppressed", "infra.yaml:3: shared until the split")


def test_a_baseline_written_under_one_stage_holds_under_another(pytester: pytest.Pytester) -> None:
    shutil.copytree(SAMPLES / "infra-app-split-ticketing", pytester.path, dirs_exist_ok=True)
    pytester.runpytest("--arch-stage", "dev", "--arch-update-baseline", "-k", "trigger-colocated")
    entries = baseline_entries(pytester.path)
    app, infra = "app/serverless.yml", "infrastructure/template.yaml"
    assert [(entry["units"], entry["resources"]) for entry in entries] == [
        ([app, infra], [f"{app}#emailTicket", f"{infra}#TicketIssuedTopic"]),
        ([app, infra], [f"{app}#issueTicket", f"{infra}#OrdersQueue"]),
        ([app, infra], [f"{app}#reserveSeat", f"{infra}#TicketingApi"]),
    ]
    result = pytester.runpytest("--arch-stage", "prod", "-k", "trigger-colocated", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["serverless-arch: 2 units*", "findings accepted by the baseline *: 3"])
    result.stdout.no_fnmatch_line("*now fixed*")
    cli = run_cli("report", pytester.path, "--arch-stage", "prod")
    assert cli.returncode == 0
    report = cli.json()
    assert [unit["name"] for unit in report["units"]] == ["ticketing-app-prod", "ticketing-infra"]
    assert {v["status"] for v in report["violations"]} == {"baselined"}


def test_a_baselined_count_that_grows_is_new_again_and_an_update_records_a_smaller_one(pytester: pytest.Pytester) -> None:
    linked_repo(pytester.path, 17)
    pyproject(pytester.path, "max-cross-unit-links limit=10")
    pytester.runpytest("--arch-update-baseline").assert_outcomes(passed=1)
    assert [(entry["units"], entry["measured"]) for entry in baseline_entries(pytester.path)] == [
        (["app.yaml"], 17),
        (["infra.yaml"], 17),
    ]
    linked_repo(pytester.path, 19)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "2 violations:",
            "  app.yaml:1: max-cross-unit-links: unit app.yaml has 19 cross-unit links, more than the limit of 10 "
            "(*) (the baseline accepts 17; grew by 2)",
            "  infra.yaml:1: max-cross-unit-links: unit infra.yaml has 19 * (the baseline accepts 17; grew by 2)",
        ]
    )
    cli = run_cli("report", pytester.path)
    assert cli.returncode == 1
    assert [v["message"].endswith("(the baseline accepts 17; grew by 2)") for v in cli.json()["violations"]] == [True, True]

    linked_repo(pytester.path, 15)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "count findings below their baseline number; record it with --arch-update-baseline:",
            "  max-cross-unit-links: app.yaml: 17 -> 15",
            "  max-cross-unit-links: infra.yaml: 17 -> 15",
        ]
    )
    assert run_cli("report", pytester.path, "--arch-update-baseline").returncode == 0  # the CLI's update, same file
    assert [entry["measured"] for entry in baseline_entries(pytester.path)] == [15, 15]


# --- exit statuses and messages ------------------------------------------------------


def test_the_exit_status_says_violations_1_load_errors_2_and_ignore_load_errors_makes_them_0(pytester: pytest.Pytester) -> None:
    linked_repo(pytester.path, 2)
    pyproject(pytester.path, "max-cross-unit-links limit=5")
    assert run_cli("report", pytester.path).returncode == 0
    (pytester.path / "broken.yaml").write_text("Resources:\n  Queue: [\n")
    broken = run_cli("report", pytester.path)
    assert broken.returncode == 2
    assert broken.json()["errors"][0]["path"] == "broken.yaml"
    assert run_cli("report", pytester.path, "--ignore-load-errors").returncode == 0
    violating = run_cli("report", pytester.path, "--arch-rule", "max-cross-unit-links limit=1")
    assert violating.returncode == 1  # violations win over load errors
    assert len(violating.json()["violations"]) == 2


def test_usage_errors_are_one_line_with_did_you_mean_and_exit_3(pytester: pytest.Pytester) -> None:
    linked_repo(pytester.path, 1)
    pyproject(pytester.path, "max-cross-unit-links")
    cases = {
        ("--arch-stge", "prod"): "unrecognized arguments: --arch-stge prod; did you mean --arch-stage?",
        (
            "--format",
            "jsn",
        ): "argument --format: invalid choice: 'jsn' (choose from 'json', 'text', 'html', 'mermaid', 'dot', 'sarif', "
        "'markdown'); did you mean json?",
        ("--arch-rule", "trigger-colocted"): "serverless_arch_rules names an unknown rule 'trigger-colocted'; "
        "did you mean 'trigger-colocated'?",
        ("--arch-param", "novalue"): "serverless_arch_params: expected NAME=VALUE, got 'novalue'",
        ("--arch-rule", "pattern expected=monolit"): "pattern: unknown pattern 'monolit'; did you mean 'monolith'?",
    }
    for args, message in cases.items():
        cli = run_cli("report", pytester.path, *args)
        assert cli.returncode == 3, args
        assert len(cli.stderr.splitlines()) == 1 and message in cli.stderr, (args, cli.stderr)
        assert "Traceback" not in cli.stderr


def test_an_unknown_setting_is_a_usage_error_in_pytest_and_the_cli(pytester: pytest.Pytester) -> None:
    linked_repo(pytester.path, 1)
    (pytester.path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nserverless_arch_rule = ["no-unit-cycles"]\n')
    message = "pyproject.toml: unknown setting serverless_arch_rule; did you mean serverless_arch_rules?"
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: serverless-arch: {message}"])
    cli = run_cli("report", pytester.path)
    assert (cli.returncode, cli.stderr) == (3, f"error: {message}\n")
    (pytester.path / "pyproject.toml").write_text("[tool.pytest.ini_options\n")
    cli = run_cli("report", pytester.path)
    assert cli.returncode == 3 and cli.stderr.startswith(f"error: {pytester.path / 'pyproject.toml'}: cannot read")


def test_the_cli_reads_the_configuration_pytest_would_find(pytester: pytest.Pytester) -> None:
    linked_repo(pytester.mkdir("services"), 2)
    pytester.makefile(
        ".ini", pytest="[pytest]\nserverless_arch_paths = services\nserverless_arch_rules =\n    max-cross-unit-links limit=1\n"
    )
    (pytester.path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nserverless_arch_rules = ["no-unit-cycles"]\n')
    cli = run_cli("report", cwd=pytester.path)  # pytest.ini comes before pyproject.toml, as in pytest
    assert [rule["id"] for rule in cli.json()["rules"]] == ["max-cross-unit-links"]
    assert [v["location"] for v in cli.json()["violations"]] == ["services/app.yaml:1", "services/infra.yaml:1"]
    # a sub-folder: the configuration of its parent applies, locations stay relative to the rootdir
    cli = run_cli("report", pytester.path / "services")
    assert [v["location"] for v in cli.json()["violations"]] == ["services/app.yaml:1", "services/infra.yaml:1"]
    pytester.runpytest().assert_outcomes(failed=1)


def test_the_settings_name_the_configuration_file_for_readers_of_other_tables(pytester: pytest.Pytester) -> None:
    from pytest_serverless_arch.check import settings_for
    from pytest_serverless_arch.configfile import find_config
    from pytest_serverless_arch.options import read_settings

    linked_repo(pytester.path, 1)
    pyproject(pytester.path, "no-unit-cycles")
    with (pytester.path / "pyproject.toml").open("a") as toml:
        toml.write('\n[tool.serverless-arch.contracts.orders]\nevents = ["OrderPlaced"]\n')
    from_cli = settings_for(find_config(pytester.path), pytester.path)
    from_pytest = read_settings(pytester.parseconfigure())
    for settings in (from_cli, from_pytest):
        assert settings.config_file == pytester.path / "pyproject.toml"
        assert dict(settings.configuration.tool_table("contracts", "orders")) == {"events": ["OrderPlaced"]}


def test_rules_from_conftest_are_counted_as_not_run_and_rules_module_runs_them(pytester: pytest.Pytester) -> None:
    linked_repo(pytester.path, 1)
    rules = """
        from pytest_serverless_arch.rules import Violation, rule


        @rule("one-link-at-most", description="no unit has more than one link")
        def one_link_at_most(graph):
            return [Violation.of("one-link-at-most", "too many links", unit) for unit in graph.units()
                    if sum(1 for link in graph.cross_unit_links() if unit.name in (link.from_unit, link.to_unit)) > 0]
        """
    pytester.makeconftest(rules)
    pyproject(pytester.path, "one-link-at-most", "no-unit-cycles")
    pytester.runpytest().assert_outcomes(passed=1, failed=1)
    cli = run_cli("report", pytester.path, "--format", "text")
    assert cli.returncode == 0
    assert (
        "rules not run (one-link-at-most): defined in conftest.py, which only pytest imports "
        "(--rules-module PATH runs a module of rules here)"
    ) in cli.stdout.splitlines()
    shutil.copy(pytester.path / "conftest.py", pytester.path / "arch_rules.py")
    cli = run_cli("report", pytester.path, "--rules-module", pytester.path / "arch_rules.py")
    assert cli.returncode == 1
    assert [(v["rule"], v["location"]) for v in cli.json()["violations"]] == [
        ("one-link-at-most", "app.yaml:1"),
        ("one-link-at-most", "infra.yaml:1"),
    ]
    listed = run_cli("rules", "--format", "json", "--rules-module", pytester.path / "arch_rules.py").json()
    assert listed[-1] == {
        "id": "one-link-at-most",
        "summary": "no unit has more than one link",
        "default": "off",
        "builtin": False,
        "needs_domains": False,
        "docs_url": "",
    }


def test_the_rules_command_lists_every_rule_with_its_default_and_docs() -> None:
    listed = run_cli("rules", "--format", "json")
    assert listed.returncode == 0
    by_id = {rule["id"]: rule for rule in listed.json()}
    assert set(by_id) >= {"trigger-colocated", "single-domain-units", "no-unit-cycles", "pattern", "max-cross-unit-links"}
    assert by_id["trigger-colocated"] == {
        "id": "trigger-colocated",
        "summary": "every lambda ships with its trigger",
        "default": "on",
        "builtin": True,
        "needs_domains": False,
        "docs_url": "https://github.com/pytest-serverless-arch/pytest-serverless-arch/blob/main/docs/rules/trigger-colocated.md",
    }
    assert (by_id["pattern"]["default"], by_id["single-domain-units"]["needs_domains"]) == ("off", True)
    text = run_cli("rules").stdout.splitlines()
    assert text[0].split()[:2] == ["max-cross-unit-links", "on"]
    assert text[1].strip() == by_id["max-cross-unit-links"]["docs_url"]
