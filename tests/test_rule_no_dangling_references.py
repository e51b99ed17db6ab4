"""``no-dangling-references``: every cross-unit reference names something a unit of the repository provides."""

from __future__ import annotations

import json

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.cli import main
from pytest_serverless_arch.references import judge_references
from pytest_serverless_arch.rules import no_dangling_references

from .helpers import write_files

INFRA = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      OrdersTable:
        Type: AWS::DynamoDB::Table
        Properties:
          TableName: orders
      OrdersTableParameter:
        Type: AWS::SSM::Parameter
        Properties:
          Name: /orders/table-arn
          Type: String
          Value: !GetAtt OrdersTable.Arn
    Outputs:
      OrdersTableArn:
        Value: !GetAtt OrdersTable.Arn
        Export:
          Name: orders-dev-OrdersTableArn
    """
INFRA_SAMCONFIG = """\
    version = 0.1
    [default.deploy.parameters]
    stack_name = "orders-infra"
    """


def app_template(*, parameters: str = "", variables: str) -> str:
    """A SAM function whose environment variables are ``variables`` (line 15 on, 10 spaces deep)."""
    return (
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Transform: AWS::Serverless-2016-10-31\n"
        "Parameters:\n"
        "  Env:\n"
        "    Type: String\n" + parameters + "Resources:\n"
        "  Worker:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Runtime: python3.12\n"
        "      Handler: app.handler\n"
        "      InlineCode: x\n"
        "      Environment:\n"
        "        Variables:\n" + variables
    )


def gate(pytester: pytest.Pytester, files: dict[str, str], *, external: tuple[str, ...] = ()) -> pytest.RunResult:
    write_files(pytester.path, {"infra/template.yaml": INFRA, "infra/samconfig.toml": INFRA_SAMCONFIG, **files})
    ini = "[pytest]\nserverless_arch_rules = no-dangling-references\n"
    if external:
        ini += "serverless_arch_external =\n" + "".join(f"    {glob}\n" for glob in external)
    pytester.makeini(ini)
    return pytester.runpytest("-p", "no:cacheprovider")


def test_a_typoed_import_value_fails_at_its_line_with_the_closest_export_name(pytester: pytest.Pytester) -> None:
    result = gate(
        pytester, {"app/template.yaml": app_template(variables="          TABLE: !ImportValue orders-dev-OrderTableArn\n")}
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 violation:",
            "  app/template.yaml:15: no-dangling-references: import of 'orders-dev-OrderTableArn' in unit app"
            " is provided by no unit: no unit exports 'orders-dev-OrderTableArn'; "
            "did you mean `orders-dev-OrdersTableArn`?",
        ]
    )


def test_an_ssm_typed_parameter_naming_a_parameter_no_unit_writes_fails_at_the_parameter(
    pytester: pytest.Pytester,
) -> None:
    parameters = "  QueueUrl:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /orders/queue-url\n"
    files = {"app/template.yaml": app_template(parameters=parameters, variables="          STAGE: dev\n")}
    result = gate(pytester, files)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  app/template.yaml:6: no-dangling-references: SSM parameter '/orders/queue-url' in unit app "
            "is provided by no unit: no unit writes the SSM parameter '/orders/queue-url'*",
        ]
    )


def test_a_name_declared_external_and_a_parameter_aws_publishes_pass(pytester: pytest.Pytester) -> None:
    parameters = (
        "  Ami:\n    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>\n"
        "    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\n"
    )
    variables = "          VPC: !ImportValue core-network-VpcId\n          IMAGE: !Ref Ami\n"
    result = gate(
        pytester, {"app/template.yaml": app_template(parameters=parameters, variables=variables)}, external=("core-network-*",)
    )
    result.assert_outcomes(passed=1)


def test_the_same_name_not_declared_external_fails(pytester: pytest.Pytester) -> None:
    result = gate(pytester, {"app/template.yaml": app_template(variables="          VPC: !ImportValue core-network-VpcId\n")})
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["  app/template.yaml:15: no-dangling-references: import of 'core-network-VpcId' *"])


def test_a_cf_variable_naming_an_output_the_stack_does_not_declare_fails(pytester: pytest.Pytester) -> None:
    service = """\
        service: shop
        provider:
          name: aws
          runtime: python3.12
          environment:
            TABLE: ${cf:orders-infra.OrdersTableArn}
            QUEUE: ${cf:orders-infra.OrdersQueueArn}
        functions:
          hello:
            handler: h.handler
        """
    result = gate(pytester, {"shop/serverless.yml": service})
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 violation:",
            "  shop/serverless.yml:7: no-dangling-references: output 'OrdersQueueArn' of stack 'orders-infra' in unit "
            "shop-dev is provided by no unit: unit 'orders-infra' (stack 'orders-infra') declares no output "
            "'OrdersQueueArn'; did you mean `orders-infra/OrdersTableArn`?",
        ]
    )


def test_a_compose_param_naming_an_output_the_service_does_not_declare_fails_at_the_compose_file(
    pytester: pytest.Pytester,
) -> None:
    files = {
        "serverless-compose.yml": """\
            services:
              inventory:
                path: inventory
              orders:
                path: orders
                params:
                  stockTopicArn: ${inventory.StockTopicArn}
                  stockQueueUrl: ${inventory.StockQueueUrl}
            """,
        "inventory/serverless.yml": """\
            service: inventory
            provider:
              name: aws
            resources:
              Resources:
                StockTopic:
                  Type: AWS::SNS::Topic
              Outputs:
                StockTopicArn:
                  Value: !Ref StockTopic
            """,
        "orders/serverless.yml": """\
            service: orders
            provider:
              name: aws
              environment:
                TOPIC: ${param:stockTopicArn}
                QUEUE: ${param:stockQueueUrl}
            functions:
              reserve:
                handler: h.handler
            """,
    }
    result = gate(pytester, files)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 violation:",
            "  serverless-compose.yml:8: no-dangling-references: output 'StockQueueUrl' of stack 'inventory-dev' in "
            "unit orders-dev is provided by no unit: unit 'inventory-dev' (stack 'inventory-dev') declares no output "
            "'StockQueueUrl'; did you mean `inventory-dev/StockTopicArn`?",
        ]
    )


def test_a_name_with_deploy_time_values_matches_a_provider_with_the_same_values(tmp_path) -> None:
    write_files(
        tmp_path,
        {
            "infra/template.yaml": """\
                Parameters:
                  Env:
                    Type: String
                Resources:
                  Topic:
                    Type: AWS::SNS::Topic
                Outputs:
                  TopicArn:
                    Value: !Ref Topic
                    Export:
                      Name: !Sub ${Env}-orders-topic
                """,
            "app/template.yaml": app_template(
                variables="          TOPIC: !ImportValue\n            Fn::Sub: ${Env}-orders-topic\n"
            ),
        },
    )
    graph = load(tmp_path)
    assert [(link.kind, link.from_unit, link.to_unit, str(link.location)) for link in graph.cross_unit_links()] == [
        ("imports", "app", "infra", "app/template.yaml:15")
    ]
    assert graph.unresolved_references() == []


def test_a_name_that_may_match_depending_on_deploy_time_values_is_a_note_not_a_violation(tmp_path) -> None:
    variables = (
        "          TABLE: !ImportValue\n            Fn::Sub: ${Env}-OrdersTableArn\n"
        "          GONE: !ImportValue\n            Fn::Sub: ${Env}-PaymentsTableArn\n"
    )
    infra = INFRA.replace("orders-dev-OrdersTableArn", "orders-dev-OrdersTableArn\n      OtherArn:\n        Value: x")
    write_files(tmp_path, {"infra/template.yaml": infra, "app/template.yaml": app_template(variables=variables)})
    graph = load(tmp_path)
    assert [str(note) for note in graph.notes if "deploy time" in note.message] == [
        "app/template.yaml:15: import of '${Env}-OrdersTableArn' may resolve to 'orders-dev-OrdersTableArn' "
        "depending on values known only at deploy time; not checked"
    ]
    assert [str(violation) for violation in no_dangling_references(graph)] == [
        "app/template.yaml:17: no-dangling-references: import of '${Env}-PaymentsTableArn' in unit app "
        "is provided by no unit: no unit exports '${Env}-PaymentsTableArn'"
    ]


def test_the_rule_option_allow_adds_globs_to_the_ini_option(tmp_path) -> None:
    write_files(tmp_path, {"app/template.yaml": app_template(variables="          VPC: !ImportValue core-network-VpcId\n")})
    graph = load(tmp_path, external=("shared-*",))
    assert [violation.location.line for violation in no_dangling_references(graph)] == [15]
    assert no_dangling_references(graph, allow=["core-network-*"]) == []


def test_the_reports_list_unresolved_references_with_counts_and_the_violations(tmp_path, capsys) -> None:
    variables = "          VPC: !ImportValue core-network-VpcId\n          TABLE: !ImportValue orders-dev-OrderTableArn\n"
    write_files(tmp_path, {"infra/template.yaml": INFRA, "app/template.yaml": app_template(variables=variables)})
    # exit 1: the dangling import is a violation of no-dangling-references, one of the CLI's default rules
    assert main(["report", str(tmp_path), "--format", "text", "--arch-external", "core-network-*"]) == 1
    text = capsys.readouterr().out
    assert (
        "unresolved references (2: 1 dangling, 0 undecidable, 1 external):\n"
        "  app/template.yaml:15: import of 'core-network-VpcId' in unit app: "
        "external (allowed by core-network-*)\n"
        "  app/template.yaml:16: import of 'orders-dev-OrderTableArn' in unit app: "
        "dangling (did you mean orders-dev-OrdersTableArn?)\n"
    ) in text
    main(["report", str(tmp_path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert [
        (v["location"], v["units"], v["resources"]) for v in report["violations"] if v["rule"] == "no-dangling-references"
    ] == [
        ("app/template.yaml:15", ["app"], ["app:Worker", "external:import:core-network-VpcId"]),
        ("app/template.yaml:16", ["app"], ["app:Worker", "external:import:orders-dev-OrderTableArn"]),
    ]
    assert [(ref["name"], ref["status"], ref["candidates"]) for ref in report["unresolved_references"]] == [
        ("core-network-VpcId", "dangling", []),
        ("orders-dev-OrderTableArn", "dangling", ["orders-dev-OrdersTableArn"]),
    ]


def test_judging_without_suggestions_gives_the_same_verdicts_without_the_closest_names(tmp_path) -> None:
    variables = (
        "          TABLE: !ImportValue orders-dev-OrderTableArn\n"
        "          ANY: !ImportValue\n            Fn::Sub: ${Env}-OrdersTableArn\n"
    )
    write_files(tmp_path, {"infra/template.yaml": INFRA, "app/template.yaml": app_template(variables=variables)})
    graph = load(tmp_path)
    judged = [(v.reference.name, v.status, v.candidates) for v in judge_references(graph)]
    assert judged == [
        ("orders-dev-OrderTableArn", "dangling", ("orders-dev-OrdersTableArn",)),
        ("${Env}-OrdersTableArn", "undecidable", ("orders-dev-OrdersTableArn",)),
    ]
    unsuggested = [(v.reference.name, v.status, v.candidates) for v in judge_references(graph, suggest=False)]
    assert unsuggested == [judged[0][:2] + ((),), judged[1]]
