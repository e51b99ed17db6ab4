"""Issue 12, defect 11: an access to another unit's resource is an ``accesses`` edge to it, not only a link.

``tests/fixtures/graph/cross_unit_access`` is four units written the way real
repositories write them: ``orders`` (SAM, samconfig stack ``orders-dev``) owns a
table, a bucket, a topic and a queue and publishes their names (exports, SSM
parameters); ``reports`` (SAM) reads them through policy templates and inline
statements; ``inventory`` (serverless) through ``${cf:..}``/``${ssm:..}`` in its
IAM statements; ``analytics`` (Terraform) through data sources. Each unit has
its own domain (a samconfig tag, ``stackTags``, ``default_tags``).
"""

from __future__ import annotations

import shutil

from pytest_serverless_arch import load
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.loaders.cloudformation.accesses import access_targets, foreign_targets
from pytest_serverless_arch.loaders.cloudformation.template import TemplateReader
from pytest_serverless_arch.model import ForeignRef, LoadedUnit
from pytest_serverless_arch.parse import parse_yaml
from pytest_serverless_arch.rules import no_cross_domain_access

from .helpers import GRAPH_FIXTURES, access_facts, link_facts

REPOSITORY = GRAPH_FIXTURES / "cross_unit_access"


def _from(graph, unit: str) -> list[tuple[str, str, str, str, bool]]:
    return [fact for fact in access_facts(graph) if fact[0].startswith(f"{unit}:")]


def test_sam_policy_templates_and_statements_naming_another_units_resources_access_them_at_the_policy_line():
    graph = load(REPOSITORY)
    function = "reports-dev:DailyReportFunction"
    assert _from(graph, "reports-dev") == [
        # DynamoDBReadPolicy on a table another unit defines that no one exports: external, never dropped
        (function, "external:import:billing-dev-LedgerTableName", "read", "reports/template.yaml:39", True),
        # an inline statement's !GetAtt of nothing in this unit
        (
            function,
            "external:unresolved table GetAtt ['AuditTable', 'Arn'] in reports-dev",
            "read",
            "reports/template.yaml:37",
            True,
        ),
        # SNSPublishMessagePolicy with the topic's plain name
        (function, "orders-dev:OrderEventsTopic", "write", "reports/template.yaml:25", True),
        # DynamoDBReadPolicy: {TableName: !ImportValue orders-dev-OrdersTableName}
        (function, "orders-dev:OrdersTable", "read", "reports/template.yaml:19", True),
        # Resource: !Sub ["${TableArn}/index/*", {TableArn: !ImportValue orders-dev-OrdersTableArn}]
        (function, "orders-dev:OrdersTable", "read", "reports/template.yaml:29", True),
        # S3ReadPolicy: {BucketName: "{{resolve:ssm:..}}"}, the parameter orders writes with !Ref ReceiptsBucket
        (function, "orders-dev:ReceiptsBucket", "read", "reports/template.yaml:21", True),
        # SQSSendMessagePolicy: {QueueName: !Ref RefundQueueName}, an AWS::SSM::Parameter::Value<String> parameter
        # whose SSM value orders writes as the queue's name spelled out (!Sub "${AWS::StackName}-refunds")
        (function, "orders-dev:RefundQueue", "write", "reports/template.yaml:23", True),
        # Resource: !Sub "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders-dev-refunds"
        (function, "orders-dev:RefundQueue", "write", "reports/template.yaml:34", True),
    ]


def test_each_cross_unit_access_is_linked_once_per_kind_and_target_at_its_first_policy_line():
    graph = load(REPOSITORY)
    function = "reports-dev:DailyReportFunction"
    assert [fact for fact in link_facts(graph) if fact[1] == "reports-dev"] == [
        ("imports", "reports-dev", None, function, "external:import:billing-dev-LedgerTableName", "reports/template.yaml:39"),
        ("imports", "reports-dev", "orders-dev", function, "orders-dev:OrdersTable", "reports/template.yaml:19"),
        ("name_reference", "reports-dev", "orders-dev", function, "orders-dev:OrderEventsTopic", "reports/template.yaml:25"),
        ("name_reference", "reports-dev", "orders-dev", function, "orders-dev:RefundQueue", "reports/template.yaml:34"),
        (
            "ssm_parameter",
            "reports-dev",
            "orders-dev",
            function,
            "orders-dev:ReceiptsBucketNameParameter",
            "reports/template.yaml:21",
        ),
        (
            "ssm_parameter",
            "reports-dev",
            "orders-dev",
            function,
            "orders-dev:RefundQueueNameParameter",
            "reports/template.yaml:23",
        ),
    ]


def test_what_a_policy_names_but_nothing_provides_is_an_external_node_with_a_note_or_a_dangling_reference():
    graph = load(REPOSITORY)
    assert [(node.id, node.kind, str(node.location)) for node in graph.externals()] == [
        ("external:import:billing-dev-LedgerTableName", "table", "reports/template.yaml:39"),
        ("external:unresolved table GetAtt ['AuditTable', 'Arn'] in reports-dev", "table", "reports/template.yaml:37"),
    ]
    assert [str(note) for note in graph.notes] == [
        "reports/template.yaml:37: DailyReportFunction: the resource this policy names cannot be resolved offline "
        "(unresolved table GetAtt ['AuditTable', 'Arn'] in reports-dev); kept as external"
    ]
    assert [(ref.how, ref.name, str(ref.location), ref.source) for ref in graph.unresolved_references()] == [
        ("import", "billing-dev-LedgerTableName", "reports/template.yaml:39", "reports-dev:DailyReportFunction")
    ]


def test_serverless_cf_and_ssm_variables_in_iam_statements_access_the_resources_they_name():
    graph = load(REPOSITORY)
    function = "inventory-dev:reserveStock"
    assert _from(graph, "inventory-dev") == [
        (function, "orders-dev:OrdersTable", "read", "inventory/serverless.yml:14", True),
        (function, "orders-dev:ReceiptsBucket", "read", "inventory/serverless.yml:17", True),
    ]
    assert [fact for fact in link_facts(graph) if fact[1] == "inventory-dev"] == [
        (
            "ssm_parameter",
            "inventory-dev",
            "orders-dev",
            function,
            "orders-dev:ReceiptsBucketNameParameter",
            "inventory/serverless.yml:17",
        ),
        ("stack_output", "inventory-dev", "orders-dev", function, "orders-dev:OrdersTable", "inventory/serverless.yml:14"),
    ]


def test_terraform_policy_documents_naming_data_sources_access_the_other_units_resources():
    graph = load(REPOSITORY)
    function = "analytics:aws_lambda_function.export"
    assert _from(graph, "analytics") == [
        (function, "orders-dev:OrdersTable", "read", "analytics/main.tf:32", True),
        (function, "orders-dev:ReceiptsBucket", "read", "analytics/main.tf:36", True),
    ]
    assert [fact[0] for fact in link_facts(graph) if fact[1] == "analytics"] == ["name_reference", "ssm_parameter"]


def test_no_cross_domain_access_sees_reads_of_another_domains_stores_through_imports_ssm_and_outputs():
    graph = load(REPOSITORY)
    tail = "of domain orders directly; publish or consume an event instead"
    assert [str(violation) for violation in no_cross_domain_access(graph)] == [
        "analytics/main.tf:32: no-cross-domain-access: function aws_lambda_function.export (unit analytics) of domain "
        f"analytics accesses (read) table OrdersTable (unit orders-dev) {tail}",
        "analytics/main.tf:36: no-cross-domain-access: function aws_lambda_function.export (unit analytics) of domain "
        f"analytics accesses (read) bucket ReceiptsBucket (unit orders-dev) {tail}",
        "inventory/serverless.yml:14: no-cross-domain-access: function reserveStock (unit inventory-dev) of domain "
        f"inventory accesses (read) table OrdersTable (unit orders-dev) {tail}",
        "inventory/serverless.yml:17: no-cross-domain-access: function reserveStock (unit inventory-dev) of domain "
        f"inventory accesses (read) bucket ReceiptsBucket (unit orders-dev) {tail}",
        "reports/template.yaml:19: no-cross-domain-access: function DailyReportFunction (unit reports-dev) of domain "
        f"reports accesses (read) table OrdersTable (unit orders-dev) {tail}",
        "reports/template.yaml:21: no-cross-domain-access: function DailyReportFunction (unit reports-dev) of domain "
        f"reports accesses (read) bucket ReceiptsBucket (unit orders-dev) {tail}",
        "reports/template.yaml:29: no-cross-domain-access: function DailyReportFunction (unit reports-dev) of domain "
        f"reports accesses (read) table OrdersTable (unit orders-dev) {tail}",
    ]


def test_the_plugin_fails_no_cross_domain_access_on_a_policy_template_reading_another_domains_table(pytester):
    shutil.copytree(REPOSITORY / "orders", pytester.path / "orders")
    shutil.copytree(REPOSITORY / "reports", pytester.path / "reports")
    pytester.makeini("[pytest]\nserverless_arch_rules = no-cross-domain-access\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    prefix = "*reports/template.yaml"
    result.stdout.fnmatch_lines(
        [
            f"{prefix}:19: no-cross-domain-access: function DailyReportFunction (unit reports-dev) of domain reports "
            "accesses (read) table OrdersTable (unit orders-dev) of domain orders directly*",
            f"{prefix}:21: no-cross-domain-access: function DailyReportFunction*bucket ReceiptsBucket (unit orders-dev)*",
        ]
    )


# --- the one reader every format's policies go through ---------------------------------


def _reader(text: str) -> TemplateReader:
    document = parse_yaml(text)
    unit = LoadedUnit("shop", "cloudformation", "template.yaml")
    return TemplateReader(unit, document, LoadConfig())


def test_foreign_targets_finds_imports_ssm_values_and_stack_outputs_wherever_they_are_written():
    reader = _reader(
        "Parameters:\n"
        "  TableArn: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /orders/table-arn}\n"
        "  Stage: {Type: String}\n"
        "Resources: {}\n"
    )
    value = parse_yaml(
        "- !Join ['', [!ImportValue orders-TableArn, /index/*]]\n"
        "- !Sub '${TableArn}/stream/*'\n"
        "- !Sub 'arn:aws:s3:::{{resolve:ssm:/orders/bucket}}/*'\n"
        "- !ImportValue {'Fn::Sub': '${Stage}-queue-arn'}\n"
        "- {'Fn::GetStackOutput': {StackName: orders, OutputName: TopicArn}}\n"
    )
    assert foreign_targets(reader, value, "table") == [
        ForeignRef("import", "orders-TableArn", "table"),
        ForeignRef("ssm", "/orders/table-arn", "table"),
        ForeignRef("ssm", "/orders/bucket", "table"),
        ForeignRef("import", "${Stage}-queue-arn", "table"),
        ForeignRef("stack_output", "orders/TopicArn", "table"),
    ]


def test_access_targets_reads_each_branch_of_a_condition_and_skips_wildcards():
    reader = _reader("Conditions: {}\nResources: {}\n")
    value = parse_yaml(
        "Fn::If: [IsProd, !ImportValue prod-TableArn, 'arn:aws:dynamodb:us-east-1:123456789012:table/dev-orders']\n"
    )
    assert access_targets(reader, "Fn", value, 3, "table") == [
        ForeignRef("import", "prod-TableArn", "table"),
        ForeignRef("arn", "arn:aws:dynamodb:us-east-1:123456789012:table/dev-orders", "table"),
    ]
    assert access_targets(reader, "Fn", "*", 3) == []
    assert access_targets(reader, "Fn", parse_yaml("!Sub 'arn:aws:logs:${AWS::Region}:${AWS::AccountId}:*'"), 3) == []
    assert reader.unit.notes == []
