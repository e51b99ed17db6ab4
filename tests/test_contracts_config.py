"""Reading contracts from configuration, and the one selector vocabulary they share with ``graph.where``."""

from __future__ import annotations

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.contracts import (
    ForbiddenContract,
    IndependenceContract,
    LayersContract,
    OwnershipContract,
    PatternContract,
    parse_ini_contracts,
    parse_toml_contracts,
    read_contracts,
)
from pytest_serverless_arch.selection import Selection, SelectorError, edge_kinds

from .helpers import FIXTURES

ISSUE_EXAMPLE = """\
[tool.serverless-arch.contracts.payments-off-orders]
type = "forbidden"
source = ["domain:payments"]
forbidden = ["domain:orders"]
edges = ["accesses", "invokes"]      # optional; default: every edge and link kind
transitive = false                    # optional

[tool.serverless-arch.contracts.service-layers]
type = "layers"
layers = [["domain:notifications", "domain:payments"], ["domain:orders"]]

[tool.serverless-arch.contracts.teams-apart]
type = "independence"
groups = ["domain:payments", "domain:notifications"]
"""


def test_the_toml_form_of_the_issue_reads_into_typed_contracts_with_their_lines():
    found = parse_toml_contracts(ISSUE_EXAMPLE, "pyproject.toml")
    assert found.errors == ()
    forbidden, layers, independence = found.contracts
    assert forbidden == ForbiddenContract(
        "payments-off-orders", source=("domain:payments",), forbidden=("domain:orders",), edges=("accesses", "invokes")
    )
    assert (forbidden.origin.line, forbidden.origin.location("edges").line) == (1, 5)
    assert layers == LayersContract("service-layers", layers=(("domain:notifications", "domain:payments"), ("domain:orders",)))
    assert independence == IndependenceContract("teams-apart", groups=(("domain:payments",), ("domain:notifications",)))
    assert [contract.rule_id for contract in found.contracts] == [
        "contract:payments-off-orders",
        "contract:service-layers",
        "contract:teams-apart",
    ]


def test_the_ini_form_reads_the_same_contracts_with_lines_and_bars():
    text = """\
[pytest]
addopts = -q

[serverless-arch.contracts.service-layers]
type = layers
layers =
    domain:notifications | domain:payments
    domain:orders
containers = domain:shop

[serverless-arch.contracts.teams]
type = ownership
owners =
    orders-team: domain:orders | unit:orders-*
    platform: tag:team=platform
shared = platform-*
own_triggers = true

[serverless-arch.contracts.cut]
type = pattern
pattern = trigger-grouped
tolerance = 0.2
select = domain:orders, kind:function
"""
    found = parse_ini_contracts(text, "pytest.ini")
    assert found.errors == ()
    layers, teams, cut = found.contracts
    assert layers == LayersContract(
        "service-layers", layers=(("domain:notifications", "domain:payments"), ("domain:orders",)), containers=("domain:shop",)
    )
    assert layers.origin.line == 4 and layers.origin.location("containers").line == 9
    assert teams == OwnershipContract(
        "teams",
        owners=(("orders-team", ("domain:orders", "unit:orders-*")), ("platform", ("tag:team=platform",))),
        shared=("platform-*",),
        own_triggers=True,
    )
    assert cut == PatternContract("cut", pattern="trigger-grouped", tolerance=0.2, select="domain:orders, kind:function")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            'source = "a"',
            "pyproject.toml:1: [tool.serverless-arch.contracts.x]: a contract needs a type: one of forbidden, "
            "layers, independence, ownership, pattern",
        ),
        (
            'type = "forbid"',
            "pyproject.toml:2: [tool.serverless-arch.contracts.x] type: unknown contract type 'forbid'; "
            "types: forbidden, layers, independence, ownership, pattern",
        ),
        (
            'type = "forbidden"\nsource = "a"',
            "pyproject.toml:1: [tool.serverless-arch.contracts.x]: a forbidden contract needs 'forbidden'",
        ),
        (
            'type = "forbidden"\nsource = "a"\nforbidden = "b"\nedges = ["calls"]',
            "pyproject.toml:5: "
            "[tool.serverless-arch.contracts.x] edges: unknown edge kind 'calls'; edge kinds: links, triggers, invokes, "
            "references, accesses, imports, ssm_parameter, stack_output, compose_param, depends_on, nested_stack, "
            "name_reference, remote_state",
        ),
        (
            'type = "forbidden"\nsource = ["team:a"]\nforbidden = "b"',
            "pyproject.toml:3: [tool.serverless-arch.contracts.x] "
            "source: selector 'team:a': unknown prefix 'team:'; selectors are domain:NAME, tag:KEY=VALUE, kind:KIND, "
            "unit:GLOB or a unit name glob",
        ),
        (
            'type = "forbidden"\nsource = "kind:lambda"\nforbidden = "b"',
            "pyproject.toml:3: "
            "[tool.serverless-arch.contracts.x] source: unknown resource kind 'lambda'; kinds: function, queue, topic, "
            "bucket, table, stream, api, event_rule, schedule, event_bus, state_machine, parameter, other",
        ),
        (
            'type = "forbidden"\nsource = "a"\nforbidden = "b"\ntransitive = "yes"',
            "pyproject.toml:5: [tool.serverless-arch.contracts.x] transitive: expected true or false",
        ),
        (
            'type = "layers"\nlayers = [["a"]]',
            "pyproject.toml:3: [tool.serverless-arch.contracts.x] layers: expected at "
            "least two layers, each with at least one selector (highest first)",
        ),
        (
            'type = "independence"\ngroups = ["a", "b"]\nvia = ["bus"]',
            "pyproject.toml:4: [tool.serverless-arch.contracts.x] "
            "via: unknown resource kind 'bus'; kinds: function, queue, topic, bucket, table, stream, api, event_rule, "
            "schedule, event_bus, state_machine, parameter, other",
        ),
        (
            'type = "ownership"\nowners = ["a"]',
            'pyproject.toml:3: [tool.serverless-arch.contracts.x] owners: expected a table of team = ["selector", ...]',
        ),
        (
            'type = "ownership"\nowners = {a = ["a"]}\nedges = ["links"]',
            "pyproject.toml:4: [tool.serverless-arch.contracts.x] "
            "edges: unknown key for an ownership contract; keys: type, reason, owners, shared, own_triggers",
        ),
        (
            'type = "pattern"\npattern = "layered"',
            "pyproject.toml:3: [tool.serverless-arch.contracts.x] pattern: unknown "
            "pattern 'layered'; patterns: monolith, infra-app-split, function-per-unit, trigger-grouped",
        ),
        (
            'type = "pattern"\npattern = "monolith"\ntolerance = 0.5',
            "pyproject.toml:4: [tool.serverless-arch.contracts.x] "
            "tolerance: pattern tolerance must be from 0 to below 0.5 (a share of trigger edges), not 0.5",
        ),
    ],
)
def test_a_contract_that_cannot_be_read_is_an_error_naming_the_file_table_and_key(body, expected):
    found = parse_toml_contracts(f"[tool.serverless-arch.contracts.x]\n{body}\n", "pyproject.toml")
    assert found.contracts == ()
    assert [str(error) for error in found.errors] == [expected]
    assert found.errors[0].name == "x"


def test_a_broken_toml_file_is_one_error_and_a_contract_declared_twice_is_an_error_at_the_second(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.serverless-arch.contracts.a]\ntype = "pattern"\npattern = "monolith"\n')
    (tmp_path / "pytest.ini").write_text("[serverless-arch.contracts.a]\ntype = pattern\npattern = monolith\n")
    (tmp_path / "broken.toml").write_text("[tool.serverless-arch.contracts.b\n")
    found = read_contracts([tmp_path / "pyproject.toml", tmp_path / "pytest.ini", tmp_path / "broken.toml"], tmp_path)
    assert [contract.origin.path for contract in found.contracts] == ["pyproject.toml"]
    duplicate, broken = (str(error) for error in found.errors)
    assert duplicate == "pytest.ini:1: [serverless-arch.contracts.a]: contract 'a' is already declared at pyproject.toml:1"
    assert broken.startswith("broken.toml:1: [tool.serverless-arch.contracts]: is not valid TOML: ")


def test_selector_strings_parse_into_the_selection_graph_where_uses():
    assert Selection.parse("domain:orders") == Selection.of(domain="orders")
    assert Selection.parse("tag:team=payments, kind:function") == Selection.of(tag="team=payments", kind="function")
    assert Selection.parse("tag:team") == Selection(tags=(("team", None),))
    assert Selection.parse("orders-*") == Selection.parse("unit:orders-*") == Selection.of(unit="orders-*")
    for bad in ("", "domain:", "domain:a, domain:b", "kind:lambda", "owner:x"):
        with pytest.raises(SelectorError):
            Selection.parse(bad)


def test_graph_where_takes_a_selector_string_and_kinds_and_edges_take_the_links_word():
    graph = load(FIXTURES / "contracts" / "chain")
    assert [resource.id for resource in graph.where("domain:platform, kind:function").resources()] == ["platform:JobsWorker"]
    assert [resource.id for resource in graph.where(kind="queue").resources()] == ["platform:JobsQueue"]
    assert [unit.name for unit in graph.where("payments", kind="function").units()] == ["payments"]
    assert graph.where(kind="state_machine").is_empty()
    assert [(edge.kind, edge.source, edge.target) for edge in graph.edges("links")] == [
        ("imports", "notifications:NotifyFunction", "platform:JobsQueue"),
        ("imports", "payments:PayFunction", "notifications:ReceiptsTopic"),
        ("imports", "platform:JobsWorker", "orders:OrdersTable"),
        ("ssm_parameter", "payments:PayFunction", "platform:JobsQueueUrl"),
    ]
    assert edge_kinds() == edge_kinds(["links", "triggers", "accesses", "invokes"])
    with pytest.raises(SelectorError):
        graph.edges("calls")
