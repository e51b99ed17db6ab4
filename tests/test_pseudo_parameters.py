"""Issue 12, defect 8: a region or account nobody gives stays ``${AWS::Region}``/``${AWS::AccountId}``.

Nothing shown (ids, names, ARNs, edge targets, links, notes, reports) holds a
made-up value; where a name holding a pseudo-parameter is matched with another
unit's, the placeholder matches any value of its ARN field, never across a
separator. The fixture ``tests/fixtures/graph/pseudo_params`` is written the way
real repositories write it: an ``orders`` SAM service (samconfig gives its
region, nothing gives its account), an ``assistant`` SAM service that gives
neither, and a ``billing`` serverless service with ``provider.region``.
"""

from __future__ import annotations

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.pseudo import (
    WildcardKeys,
    arn_fields,
    field_matches,
    names_match,
    split_fields,
)
from pytest_serverless_arch.report import build_report, render_json, render_text

from .helpers import GRAPH_FIXTURES, edge_facts, link_facts

REPOSITORY = GRAPH_FIXTURES / "pseudo_params"
BEDROCK_MODEL = "arn:aws:bedrock:${AWS::Region}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"


def test_a_policy_on_bedrock_keeps_the_region_symbolic_and_invents_no_account():
    graph = load(REPOSITORY)
    assert [node.id for node in graph.externals()] == [
        f"external:arn:{BEDROCK_MODEL}",
        "external:arn:arn:aws:sqs:us-east-2:111122223333:orders",
    ]
    assert ("assistant:AskFunction", f"external:arn:{BEDROCK_MODEL}", "assistant/template.yaml:23", True) in edge_facts(
        graph, "accesses"
    )
    document = render_json(build_report(graph))
    text = render_text(build_report(graph), verbose=True)
    for shown in (document, text, *(node for node in graph.to_networkx().nodes)):
        assert "123456789012" not in shown
        assert "us-east-1" not in shown


def test_a_name_holds_the_region_the_repository_gives_and_keeps_the_account_nobody_gives():
    graph = load(REPOSITORY)
    assert [(unit.name, unit.region) for unit in graph.units()] == [
        ("assistant", None),
        ("billing-dev", "eu-west-1"),
        ("orders", "eu-west-1"),
    ]
    assert graph.resource("orders:UploadsBucket").physical_name == "uploads-${AWS::AccountId}-eu-west-1"


def test_arns_with_pseudo_parameters_link_to_the_queue_of_that_name_in_another_unit_and_never_to_a_longer_name():
    graph = load(REPOSITORY)
    assert edge_facts(graph, "triggers") == [
        ("orders:OrdersDeadLetterQueue", "assistant:AskFunction", "assistant/template.yaml:25", True),
        ("orders:OrdersDeadLetterQueue", "billing-dev:charge", "billing/serverless.yml:18", True),
    ]
    assert edge_facts(graph, "accesses") == [
        ("assistant:AskFunction", f"external:arn:{BEDROCK_MODEL}", "assistant/template.yaml:23", True),
        ("assistant:AskFunction", "orders:OrdersQueue", "assistant/template.yaml:14", True),
        # ``uploads-${AWS::AccountId}-${AWS::Region}`` written in a unit with no region names
        # ``uploads-${AWS::AccountId}-eu-west-1`` of the unit whose samconfig gives eu-west-1
        ("assistant:AskFunction", "orders:UploadsBucket", "assistant/template.yaml:15", True),
        # us-east-2 is not the orders unit's region (its samconfig says eu-west-1): not its queue
        ("billing-dev:archive", "external:arn:arn:aws:sqs:us-east-2:111122223333:orders", "billing/serverless.yml:23", True),
        # ``#{AWS::Region}`` of serverless-pseudo-parameters is a wildcard too
        ("billing-dev:charge", "orders:OrdersDeadLetterQueue", "billing/serverless.yml:16", True),
        # ``${aws:region}`` is the provider's eu-west-1; ``${aws:accountId}`` stays symbolic
        ("billing-dev:charge", "orders:OrdersQueue", "billing/serverless.yml:15", True),
    ]
    assert link_facts(graph) == [
        (
            "name_reference",
            "assistant",
            "orders",
            "assistant:AskFunction",
            "orders:OrdersDeadLetterQueue",
            "assistant/template.yaml:25",
        ),
        ("name_reference", "assistant", "orders", "assistant:AskFunction", "orders:OrdersQueue", "assistant/template.yaml:14"),
        ("name_reference", "assistant", "orders", "assistant:AskFunction", "orders:UploadsBucket", "assistant/template.yaml:15"),
        (
            "name_reference",
            "billing-dev",
            "orders",
            "billing-dev:charge",
            "orders:OrdersDeadLetterQueue",
            "billing/serverless.yml:18",
        ),
        ("name_reference", "billing-dev", "orders", "billing-dev:charge", "orders:OrdersQueue", "billing/serverless.yml:15"),
    ]
    details = sorted(link.detail for link in graph.cross_unit_links())
    assert details == [
        "arn:aws:s3:::uploads-${AWS::AccountId}-${AWS::Region}",
        "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders",
        "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders-dlq",
        "arn:aws:sqs:eu-west-1:${AWS::AccountId}:orders",
        "arn:aws:sqs:eu-west-1:111122223333:orders-dlq",
    ]


def test_a_configured_account_and_region_are_used_and_an_arn_of_another_account_is_outside_the_repository():
    graph = load(REPOSITORY, region="eu-west-1", account_id="444455556666")
    assert graph.resource("orders:UploadsBucket").physical_name == "uploads-444455556666-eu-west-1"
    assert [node.id for node in graph.externals()] == [
        "external:arn:arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        "external:arn:arn:aws:sqs:eu-west-1:111122223333:orders-dlq",
        "external:arn:arn:aws:sqs:us-east-2:111122223333:orders",
    ]
    assert edge_facts(graph, "triggers") == [
        ("external:arn:arn:aws:sqs:eu-west-1:111122223333:orders-dlq", "billing-dev:charge", "billing/serverless.yml:18", True),
        ("orders:OrdersDeadLetterQueue", "assistant:AskFunction", "assistant/template.yaml:25", True),
    ]


def test_a_symbolic_name_matching_names_in_two_units_is_ambiguous_and_stays_external(tmp_path):
    for unit, region in (("east", "us-east-2"), ("west", "eu-west-1")):
        (tmp_path / unit).mkdir()
        (tmp_path / unit / "template.yaml").write_text(
            f"Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties: {{QueueName: jobs-{region}}}\n"
        )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "template.yaml").write_text(
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        "      Environment:\n"
        "        Variables:\n"
        "          JOBS: !Sub arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:jobs-${AWS::Region}\n"
    )
    graph = load(tmp_path)
    assert edge_facts(graph, "accesses") == [
        (
            "app:Fn",
            "external:arn:arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:jobs-${AWS::Region}",
            "app/template.yaml:7",
            True,
        )
    ]
    assert link_facts(graph) == []


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders", "arn:aws:sqs:eu-west-1:111122223333:orders", True),
        ("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders", "arn:aws:sqs:eu-west-1:111122223333:orders-dlq", False),
        ("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders", "arn:aws:sqs:eu-west-1:111122223333:x:orders", False),
        ("orders-${AWS::Region}", "orders-dlq", False),
        ("orders-${AWS::Region}", "orders-us-gov-west-1", True),
        ("orders-${AWS::Region}", "orders-eu-west-1/x", False),
        ("uploads-${AWS::AccountId}", "uploads-1234", False),
        ("uploads-${AWS::AccountId}-eu-west-1", "uploads-${AWS::AccountId}-${AWS::Region}", True),
        ("arn:aws:sqs:#{AWS::Region}:#{AWS::AccountId}:q", "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q", True),
        ("arn:aws:sqs:${aws:region}:${aws:accountId}:q", "arn:aws:sqs:ap-south-1:111122223333:q", True),
        ("arn:${AWS::Partition}:sqs:${AWS::Region}:1:q", "arn:aws-cn:sqs:cn-north-1:1:q", True),
        ("orders-${Env}", "orders-prod", False),  # a template parameter is compared as text, not a wildcard
        ("orders", "orders", True),
    ],
)
def test_a_pseudo_parameter_matches_one_value_of_its_shape_and_never_a_separator(first, second, expected):
    assert names_match(first, second) is expected
    assert names_match(second, first) is expected


def test_arn_fields_keep_a_placeholder_whole():
    assert arn_fields("arn:aws:sqs:#{AWS::Region}:${AWS::AccountId}:orders") == [
        "arn",
        "aws",
        "sqs",
        "#{AWS::Region}",
        "${AWS::AccountId}",
        "orders",
    ]
    assert arn_fields("arn:aws:lambda:eu-west-1:111122223333:function:f:live")[5] == "function:f:live"
    assert split_fields("table/${Name}/stream/${AWS::Region}", "/") == ["table", "${Name}", "stream", "${AWS::Region}"]


def test_an_arn_field_left_empty_symbolic_or_unknown_matches_any_value():
    assert field_matches("", "eu-west-1")
    assert field_matches("eu-west-1", None)
    assert field_matches("${AWS::Region}", "eu-west-1")
    assert field_matches("eu-west-1", "${AWS::Region}")
    assert not field_matches("eu-west-1", "us-east-2")


def test_wildcard_keys_compare_a_concrete_name_only_with_symbolic_keys():
    keys = WildcardKeys(["orders", "orders-${AWS::Region}", "orders-dlq"])
    assert keys.matches("orders-eu-west-1") == ["orders-${AWS::Region}"]
    assert keys.matches("orders-${AWS::Region}") == []  # an exact key is the caller's dictionary lookup
    assert keys.matches("payments") == []
