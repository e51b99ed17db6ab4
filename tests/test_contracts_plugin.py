"""Contracts end to end with pytester: each type, read from pyproject.toml or pytest.ini, reported as
``serverless-arch::contract:<name>`` items with suppressions and the baseline, like any rule.

The fixture repository ``tests/fixtures/contracts/chain`` has four CloudFormation units, one domain each:
``payments`` (PayFunction reads the platform's queue URL from SSM and imports the notifications topic),
``platform`` (JobsQueue triggers JobsWorker, which imports the orders table), ``orders`` and
``notifications`` (NotifyFunction consumes the platform's queue).
"""

from __future__ import annotations

import json

import pytest

from .helpers import fixture_repository
from .inner_runs import import_what_inner_runs_use

import_what_inner_runs_use()

CHAIN = "contracts/chain"
HEADER = "[tool.pytest.ini_options]\naddopts = '-p no:cacheprovider'\n\n"


def contract(name: str, body: str) -> str:
    return f"[tool.serverless-arch.contracts.{name}]\n{body.strip()}\n\n"


def run(pytester: pytest.Pytester, *contracts: str, args: tuple[str, ...] = ("-v",)) -> pytest.RunResult:
    fixture_repository(pytester, CHAIN, pyproject=HEADER + "".join(contracts))
    return pytester.runpytest(*args)


PAYMENTS_OFF_ORDERS = """
type = "forbidden"
source = ["domain:payments"]
forbidden = ["domain:orders"]
"""


def test_a_forbidden_contract_without_a_direct_edge_passes_as_its_own_item(pytester):
    result = run(pytester, contract("payments-off-orders", PAYMENTS_OFF_ORDERS))
    result.stdout.fnmatch_lines(["serverless-arch::contract:payments-off-orders PASSED*"])
    result.assert_outcomes(passed=1)


def test_a_transitive_forbidden_contract_prints_the_chain_through_three_units(pytester):
    result = run(pytester, contract("payments-off-orders", PAYMENTS_OFF_ORDERS + "transitive = true\n"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "contract:payments-off-orders: domain:payments must not reach domain:orders (directly or through any chain; "
            "edges: links, triggers, accesses, invokes)",
            "1 violation:",
            "  payments/template.yaml:13: contract:payments-off-orders: function PayFunction (unit payments) must not reach "
            "table OrdersTable (unit orders) through 2 edges: payments:PayFunction -[accesses]-> platform:JobsQueue "
            "(payments/template.yaml:13), then platform:JobsWorker -[accesses]-> orders:OrdersTable (platform/template.yaml:21)",
        ]
    )


def test_a_chain_through_an_ssm_parameter_is_found_when_only_links_count(pytester):
    body = PAYMENTS_OFF_ORDERS + 'edges = ["links"]\ntransitive = true\n'
    result = run(pytester, contract("payments-off-orders", body), args=("-v", "-v"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  payments/template.yaml:13: contract:payments-off-orders: function PayFunction (unit payments) must not reach "
            "table OrdersTable (unit orders) through 2 edges: payments:PayFunction -[ssm_parameter]-> platform:JobsQueueUrl "
            "(payments/template.yaml:13), then platform:JobsWorker -[imports]-> orders:OrdersTable (platform/template.yaml:21)",
            "      units: payments, platform, orders",
            "      resources: payments:PayFunction, orders:OrdersTable",
        ]
    )


def test_k_selects_one_contract_by_its_item_name(pytester):
    result = run(
        pytester,
        contract("payments-off-orders", PAYMENTS_OFF_ORDERS),
        contract("layers", 'type = "layers"\nlayers = [["domain:orders"], ["domain:payments"]]'),
        args=("-v", "-k", "contract:payments-off-orders"),
    )
    result.assert_outcomes(passed=1, deselected=1)


def test_layers_listed_highest_first_pass_and_in_the_wrong_order_fail_at_every_upward_edge(pytester):
    kept = 'type = "layers"\nlayers = [["domain:payments"], ["domain:platform", "domain:notifications"], ["domain:orders"]]'
    broken = 'type = "layers"\nlayers = [["domain:orders"], ["domain:platform"], ["domain:payments"]]'
    result = run(pytester, contract("kept", kept), contract("upside-down", broken))
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "serverless-arch::contract:kept PASSED*",
            "serverless-arch::contract:upside-down FAILED*",
            "4 violations:",
            "  payments/template.yaml:13: contract:upside-down: function PayFunction (unit payments) in layer 3 "
            "(domain:payments) depends on parameter JobsQueueUrl (unit platform) in the higher layer 2 (domain:platform) "
            "(ssm_parameter /platform/jobs-queue-url)",
            "  payments/template.yaml:13: contract:upside-down: function PayFunction (unit payments) in layer 3 "
            "(domain:payments) depends on queue JobsQueue (unit platform) in the higher layer 2 (domain:platform) "
            "(accesses environment JOBS_QUEUE_URL)",
            "  platform/template.yaml:21: contract:upside-down: function JobsWorker (unit platform) in layer 2 "
            "(domain:platform) depends on table OrdersTable (unit orders) in the higher layer 1 (domain:orders) "
            "(accesses environment ORDERS_TABLE)",
            "  platform/template.yaml:21: contract:upside-down: function JobsWorker (unit platform) in layer 2 "
            "(domain:platform) depends on table OrdersTable (unit orders) in the higher layer 1 (domain:orders) "
            "(imports orders-OrdersTableName)",
        ]
    )


def test_layers_with_containers_apply_inside_each_domain(pytester):
    body = (
        'type = "layers"\nlayers = [["kind:function"], ["kind:queue", "kind:table"]]\n'
        'containers = ["domain:platform", "domain:orders"]'
    )
    result = run(pytester, contract("functions-over-stores", body))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "1 violation:",
            "  platform/template.yaml:22: contract:functions-over-stores: queue JobsQueue (unit platform) in layer 2 "
            "(kind:queue | kind:table) depends on function JobsWorker (unit platform) in the higher layer 1 (kind:function) "
            "inside domain:platform (triggers EventSourceMapping)",
        ]
    )


def test_independence_counts_chains_and_via_allows_event_channels(pytester):
    groups = 'type = "independence"\ngroups = ["domain:payments", "domain:notifications"]\ntransitive = true\n'
    result = run(pytester, contract("apart", groups), contract("through-events", groups + 'via = ["queue", "topic"]'))
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "serverless-arch::contract:through-events PASSED*",
            "3 violations:",
            "  payments/template.yaml:13: contract:apart: function PayFunction (unit payments) of domain:payments depends on "
            "function NotifyFunction (unit notifications) of domain:notifications through 2 edges: payments:PayFunction "
            "-[accesses]-> platform:JobsQueue (payments/template.yaml:13), then platform:JobsQueue -[triggers]-> "
            "notifications:NotifyFunction (notifications/template.yaml:13)",
            "  payments/template.yaml:14: contract:apart: function PayFunction (unit payments) of domain:payments depends on "
            "topic ReceiptsTopic (unit notifications) of domain:notifications (accesses environment RECEIPTS_TOPIC)",
            "  payments/template.yaml:14: contract:apart: function PayFunction (unit payments) of domain:payments depends on "
            "topic ReceiptsTopic (unit notifications) of domain:notifications (imports notifications-ReceiptsTopicArn)",
        ]
    )


TEAMS = 'owners = { payments-team = ["domain:payments"], core = ["platform", "orders"], messaging = ["notifications"] }\n'


def test_ownership_reports_units_without_or_with_two_owners_and_triggers_across_teams(pytester):
    overlapping = (
        'type = "ownership"\nowners = { payments-team = ["domain:payments"], core = ["platform", "orders", "payments"] }'
    )
    crossing = 'type = "ownership"\nown_triggers = true\n' + TEAMS
    shared = crossing + 'shared = ["platform"]\n'
    result = run(pytester, contract("one-owner", overlapping), contract("own-triggers", crossing), contract("shared", shared))
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "  notifications/template.yaml:1: contract:one-owner: unit notifications has no owner (teams: payments-team, core)",
            "  payments/template.yaml:1: contract:one-owner: unit payments is owned by 2 teams: payments-team, core",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "  notifications/template.yaml:13: contract:own-triggers: function NotifyFunction (unit notifications) of team "
            "messaging is triggered by queue JobsQueue (unit platform) of team core, neither its own nor a shared unit",
        ]
    )
    result.stdout.fnmatch_lines(["serverless-arch::contract:shared PASSED*"])


def test_a_pattern_contract_asks_the_classifier_with_its_tolerance_and_names_each_unit_off_the_pattern(pytester):
    grouped = 'type = "pattern"\npattern = "trigger-grouped"\ntolerance = 0.25'
    split = 'type = "pattern"\npattern = "infra-app-split"'
    part = 'type = "pattern"\npattern = "monolith"\nselect = "orders"'
    result = run(pytester, contract("grouped", grouped), contract("split", split), contract("orders-alone", part))
    result.assert_outcomes(passed=2, failed=1)
    why = (
        "the repository is infra-app-split: unit platform holds triggers for 1 function in other units; "
        "1 of 2 trigger edges (50%) cross units, at least half"
    )
    result.stdout.fnmatch_lines(
        [
            "contract:grouped: the repository is cut as trigger-grouped (tolerance 25% of trigger edges)",
            "2 violations:",
            "  notifications/template.yaml:1: contract:grouped: unit notifications plays app (1 function, 0 triggers inside, "
            f"0 out to other units, 1 in from other units), not trigger-grouped; {why}",
            "  platform/template.yaml:1: contract:grouped: unit platform plays infra (1 function, 1 trigger inside, "
            f"1 out to other units, 0 in from other units), not trigger-grouped; {why}",
        ]
    )


def test_the_ini_form_in_pytest_ini_declares_the_same_contracts(pytester):
    ini = """\
[pytest]
addopts = -p no:cacheprovider

[serverless-arch.contracts.layers]
type = layers
layers =
    domain:payments
    domain:platform | domain:notifications
    domain:orders

[serverless-arch.contracts.payments-off-orders]
type = forbidden
source = domain:payments
forbidden = domain:orders
edges = links
transitive = yes
"""
    fixture_repository(pytester, CHAIN, ini=ini)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "serverless-arch::contract:layers PASSED*",
            "serverless-arch::contract:payments-off-orders FAILED*",
            "*through 2 edges: payments:PayFunction -[[]ssm_parameter]-> platform:JobsQueueUrl*",
        ]
    )


def test_configuration_errors_fail_naming_the_file_and_key_and_the_other_contracts_still_run(pytester):
    typo = 'type = "forbidden"\nsource = ["domain:paymnts"]\nforbidden = ["domain:orders"]'
    unknown_key = 'type = "forbidden"\nsource = ["domain:payments"]\nforbiden = ["domain:orders"]\nforbidden = ["orders"]'
    cycle = 'type = "layers"\nlayers = [["domain:orders"], ["domain:payments"], ["domain:orders"]]'
    overlap = 'type = "layers"\nlayers = [["domain:platform"], ["kind:queue"]]'
    result = run(
        pytester,
        contract("typo", typo),
        contract("unknown-key", unknown_key),
        contract("cycle", cycle),
        contract("overlap", overlap),
        contract("payments-off-orders", PAYMENTS_OFF_ORDERS),
    )
    result.assert_outcomes(passed=1, failed=4)
    result.stdout.fnmatch_lines(
        [
            "configuration error: pyproject.toml:12: [[]tool.serverless-arch.contracts.unknown-key[]] "
            "forbiden: unknown key for a forbidden "
            "contract; keys: type, reason, source, forbidden, edges, transitive",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "configuration error: pyproject.toml:17: [[]tool.serverless-arch.contracts.cycle[]] layers: "
            "'domain:orders' is in layer 1 and in "
            "layer 3: the layers would form a cycle",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "contract:overlap: configuration error: pyproject.toml:21: [[]tool.serverless-arch.contracts.overlap[]] layers: "
            "platform:JobsQueue is in layer 1 (domain:platform) and in layer 2 (kind:queue): they overlap, so the contract "
            "says nothing",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "contract:typo: configuration error: pyproject.toml:6: [[]tool.serverless-arch.contracts.typo[]] source: "
            "'domain:paymnts' matches no unit and no resource; did you mean 'payments'? (domains: notifications, orders, "
            "payments, platform; units: notifications, orders, payments, platform)",
        ]
    )


def test_a_suppression_with_a_reason_silences_a_contract_finding_on_its_resource(pytester):
    fixture_repository(
        pytester, CHAIN, pyproject=HEADER + contract("payments-off-orders", PAYMENTS_OFF_ORDERS + "transitive = true")
    )
    template = pytester.path / "payments" / "template.yaml"
    template.write_text(
        template.read_text().replace(
            "    Type: AWS::Lambda::Function\n",
            "    Type: AWS::Lambda::Function\n    Metadata:\n      serverless-arch:\n        suppress:\n"
            "          - rule: contract:payments-off-orders\n            reason: the jobs queue moves to payments in Q3\n",
            1,
        )
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["suppressed findings (1):", "*suppressed at payments/template.yaml:4: the jobs queue moves*"])
    assert "no rule is called" not in result.stdout.str()


def test_the_baseline_freezes_contract_findings_and_fails_only_on_new_ones(pytester):
    body = PAYMENTS_OFF_ORDERS + "transitive = true"
    fixture_repository(pytester, CHAIN, pyproject=HEADER + contract("payments-off-orders", body))
    pytester.runpytest("--arch-update-baseline").assert_outcomes(passed=1)
    entries = json.loads((pytester.path / ".serverless-arch-baseline.json").read_text())["violations"]
    assert [(entry["rule"], entry["units"], entry["resources"]) for entry in entries] == [
        (
            "contract:payments-off-orders",
            ["orders/template.yaml", "payments/template.yaml", "platform/template.yaml"],
            ["orders/template.yaml#OrdersTable", "payments/template.yaml#PayFunction"],
        )
    ]
    pytester.runpytest().assert_outcomes(passed=1)
    # a new edge from payments straight to the orders table is a new finding
    template = pytester.path / "payments" / "template.yaml"
    template.write_text(template.read_text() + "          ORDERS: !ImportValue orders-OrdersTableName\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*payments/template.yaml:15: contract:payments-off-orders: function PayFunction*(imports*"])


def test_contract_findings_are_in_the_sarif_report_with_the_contract_as_its_rule(pytester):
    body = PAYMENTS_OFF_ORDERS + 'edges = ["links"]\ntransitive = true\nreason = "payments ships without orders"'
    fixture_repository(pytester, CHAIN, pyproject=HEADER + contract("payments-off-orders", body))
    pytester.runpytest("--arch-report=arch.sarif").assert_outcomes(failed=1)
    run = json.loads((pytester.path / "arch.sarif").read_text())["runs"][0]
    results = [result for result in run["results"] if result["ruleId"].startswith("contract:")]
    assert [
        (
            result["ruleId"],
            location["physicalLocation"]["artifactLocation"]["uri"],
            location["physicalLocation"]["region"]["startLine"],
        )
        for result in results
        for location in result["locations"]
    ] == [("contract:payments-off-orders", "payments/template.yaml", 13)]
    [rule] = [rule for rule in run["tool"]["driver"]["rules"] if rule["id"] == "contract:payments-off-orders"]
    assert rule["help"] == {"text": "payments ships without orders"}
    assert rule["helpUri"].endswith("/docs/contracts.md")
