"""Terraform wiring, one resource type at a time: small root modules written into a temporary repository."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.graph import DeploymentGraph
from pytest_serverless_arch.loaders.terraform.expressions import traversals
from pytest_serverless_arch.loaders.terraform.hcl import parse_hcl
from pytest_serverless_arch.loaders.terraform.modules import Module

HEADER = 'provider "aws" {\n  region = "eu-west-1"\n}\n'


def load_tf(tmp_path: Path, files: dict[str, str], **options: object) -> DeploymentGraph:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return load(tmp_path, **options)


def triggers(graph: DeploymentGraph) -> set[tuple[str, str, str, str]]:
    """(source, function, file:line, detail), resources without their unit prefix."""

    def short(node: str) -> str:
        return node.split(":", 1)[1] if graph.unit_of(node) else node

    return {(short(t.source), short(t.function), str(t.location), t.detail) for t in graph.trigger_edges()}


def test_http_api_integration_triggers_the_function_and_its_permission_adds_nothing(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_apigatewayv2_api" "http" {
          name          = "orders"
          protocol_type = "HTTP"
        }
        resource "aws_apigatewayv2_integration" "create" {
          api_id           = aws_apigatewayv2_api.http.id
          integration_type = "AWS_PROXY"
          integration_uri  = aws_lambda_function.create.invoke_arn
        }
        resource "aws_lambda_permission" "api" {
          function_name = aws_lambda_function.create.function_name
          principal     = "apigateway.amazonaws.com"
          source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*/*"
        }
        resource "aws_lambda_function" "create" {
          function_name = "create-order"
          filename      = "create.zip"
        }
        """
        },
    )
    assert triggers(graph) == {("aws_apigatewayv2_api.http", "aws_lambda_function.create", "main.tf:12", "HttpApi")}


def test_rest_api_integration_names_its_api_and_function(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_api_gateway_rest_api" "shop" {
          name = "shop"
        }
        resource "aws_api_gateway_integration" "get" {
          rest_api_id = aws_api_gateway_rest_api.shop.id
          type        = "AWS_PROXY"
          uri         = aws_lambda_function.get.invoke_arn
        }
        resource "aws_lambda_function" "get" {
          function_name = "get"
          filename      = "get.zip"
        }
        """
        },
    )
    assert triggers(graph) == {("aws_api_gateway_rest_api.shop", "aws_lambda_function.get", "main.tf:11", "Api")}


def test_a_permission_is_the_trigger_when_nothing_else_wires_the_source(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_sns_topic" "alerts" {
          name = "alerts"
        }
        resource "aws_lambda_permission" "sns" {
          function_name = aws_lambda_function.pager.function_name
          principal     = "sns.amazonaws.com"
          source_arn    = aws_sns_topic.alerts.arn
        }
        resource "aws_lambda_function" "pager" {
          function_name = "pager"
          filename      = "pager.zip"
        }
        """
        },
    )
    assert triggers(graph) == {("aws_sns_topic.alerts", "aws_lambda_function.pager", "main.tf:8", "Permission")}


def test_policy_document_data_sources_give_accesses_with_the_statement_line(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_dynamodb_table" "orders" {
          name     = "orders"
          hash_key = "id"
        }
        data "aws_iam_policy_document" "reader" {
          statement {
            actions   = ["dynamodb:GetItem", "dynamodb:Query"]
            resources = [aws_dynamodb_table.orders.arn]
          }
          statement {
            actions   = ["lambda:InvokeFunction"]
            resources = [aws_lambda_function.audit.arn]
          }
        }
        resource "aws_iam_role" "reader" {
          name               = "reader"
          assume_role_policy = "{}"
        }
        resource "aws_iam_policy" "reader" {
          policy = data.aws_iam_policy_document.reader.json
        }
        resource "aws_iam_role_policy_attachment" "reader" {
          role       = aws_iam_role.reader.name
          policy_arn = aws_iam_policy.reader.arn
        }
        resource "aws_lambda_function" "report" {
          function_name = "report"
          role          = aws_iam_role.reader.arn
          filename      = "report.zip"
        }
        resource "aws_lambda_function" "audit" {
          function_name = "audit"
          filename      = "audit.zip"
        }
        """
        },
    )
    edges = {
        (e.kind, e.source.split(":", 1)[1], e.target.split(":", 1)[1], str(e.location), e.detail)
        for e in graph.edges()
        if e.kind in ("accesses", "invokes")
    }
    assert edges == {
        ("accesses", "aws_lambda_function.report", "aws_dynamodb_table.orders", "main.tf:10", "read"),
        ("invokes", "aws_lambda_function.report", "aws_lambda_function.audit", "main.tf:14", "IAM lambda:InvokeFunction"),
    }


def test_schedules_pipes_log_subscriptions_and_cognito_triggers(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          filename      = "fn.zip"
        }
        resource "aws_scheduler_schedule" "hourly" {
          name                = "hourly"
          schedule_expression = "rate(1 hour)"
          flexible_time_window {
            mode = "OFF"
          }
          target {
            arn      = aws_lambda_function.fn.arn
            role_arn = "arn:aws:iam::123456789012:role/scheduler"
          }
        }
        resource "aws_sqs_queue" "in" {
          name = "in"
        }
        resource "aws_pipes_pipe" "p" {
          name     = "p"
          role_arn = "arn:aws:iam::123456789012:role/pipes"
          source   = aws_sqs_queue.in.arn
          target   = aws_lambda_function.fn.arn
        }
        resource "aws_cloudwatch_log_group" "app" {
          name = "/app"
        }
        resource "aws_cloudwatch_log_subscription_filter" "errors" {
          name            = "errors"
          log_group_name  = aws_cloudwatch_log_group.app.name
          filter_pattern  = "ERROR"
          destination_arn = aws_lambda_function.fn.arn
        }
        resource "aws_cognito_user_pool" "users" {
          name = "users"
          lambda_config {
            pre_sign_up = aws_lambda_function.fn.arn
          }
        }
        """
        },
    )
    assert triggers(graph) == {
        ("aws_scheduler_schedule.hourly", "aws_lambda_function.fn", "main.tf:15", "Scheduler"),
        ("aws_sqs_queue.in", "aws_lambda_function.fn", "main.tf:27", "Pipe"),
        ("aws_cloudwatch_log_group.app", "aws_lambda_function.fn", "main.tf:36", "CloudWatchLogs"),
        ("aws_cognito_user_pool.users", "aws_lambda_function.fn", "main.tf:41", "Cognito pre_sign_up"),
    }
    assert graph.resource(f"{tmp_path.name}:aws_scheduler_schedule.hourly").kind == "schedule"


def test_literal_arns_and_ssm_lookups_are_foreign_references(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        data "aws_ssm_parameter" "stream" {
          name = "/shared/stream-arn"
        }
        resource "aws_lambda_event_source_mapping" "stream" {
          event_source_arn  = data.aws_ssm_parameter.stream.value
          function_name     = aws_lambda_function.fn.arn
          starting_position = "LATEST"
        }
        resource "aws_lambda_event_source_mapping" "orders" {
          event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:orders"
          function_name    = aws_lambda_function.fn.arn
        }
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          filename      = "fn.zip"
        }
        """
        },
    )
    assert triggers(graph) == {
        ("external:ssm:/shared/stream-arn", "aws_lambda_function.fn", "main.tf:8", "EventSourceMapping"),
        ("external:arn:arn:aws:sqs:eu-west-1:123456789012:orders", "aws_lambda_function.fn", "main.tf:13", "EventSourceMapping"),
    }
    assert {(link.kind, link.target) for link in graph.cross_unit_links()} >= {
        ("ssm_parameter", "external:ssm:/shared/stream-arn")
    }


def test_count_and_for_each_keep_one_node_with_a_note(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_sqs_queue" "shards" {
          count = 3
          name  = "shard-${count.index}"
        }
        """
        },
    )
    unit = tmp_path.name
    queue = graph.resource(f"{unit}:aws_sqs_queue.shards")
    assert queue.physical_name is None
    assert [str(note) for note in graph.notes] == [
        "main.tf:6: aws_sqs_queue.shards uses count: its instances are kept as one node"
    ]


def test_registry_modules_are_a_node_referencing_an_external_module(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        module "queue" {
          source  = "terraform-aws-modules/sqs/aws"
          version = "~> 4.0"
          name    = "jobs"
        }
        resource "aws_lambda_event_source_mapping" "jobs" {
          event_source_arn = module.queue.queue_arn
          function_name    = aws_lambda_function.fn.arn
        }
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          filename      = "fn.zip"
        }
        """
        },
    )
    unit = tmp_path.name
    assert graph.resource(f"{unit}:module.queue").type == "module"
    assert triggers(graph) == {("module.queue", "aws_lambda_function.fn", "main.tf:10", "EventSourceMapping")}
    assert [(e.target, str(e.location)) for e in graph.edges_from(f"{unit}:module.queue", "references")] == [
        ("external:module terraform-aws-modules/sqs/aws", "main.tf:6")
    ]


def test_a_stage_tfvars_file_is_read_only_when_the_stage_is_configured(tmp_path: Path) -> None:
    files = {
        "main.tf": HEADER
        + """
        variable "env" {
          default = "dev"
        }
        resource "aws_sqs_queue" "q" {
          name = lower("Jobs-${var.env}")
        }
        """,
        "prod.tfvars": 'env = "prod"\n',
    }
    unit = tmp_path.name
    assert load_tf(tmp_path, files).resource(f"{unit}:aws_sqs_queue.q").physical_name == "jobs-dev"
    assert load_tf(tmp_path, files, stage="prod").resource(f"{unit}:aws_sqs_queue.q").physical_name == "jobs-prod"


# --- properties of the expression reader -------------------------------------------------

identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(
    lambda name: name not in ("true", "false", "null", "for", "in", "if")
)


@settings(max_examples=60, deadline=None)
@given(prefix=identifiers, stage=identifiers, suffix=st.from_regex(r"[a-z0-9-]{0,8}", fullmatch=True))
def test_a_template_of_locals_and_variables_resolves_to_their_concatenation(prefix: str, stage: str, suffix: str) -> None:
    text = f'''
variable "stage" {{
  default = "{stage}"
}}
locals {{
  prefix = "{prefix}-${{var.stage}}"
}}
resource "aws_sqs_queue" "q" {{
  name = "${{local.prefix}}{suffix}"
}}
'''
    hcl = parse_hcl(text, "main.tf")
    module = Module("", Path("."), ".", "eu-west-1", "123456789012")
    for block in hcl.blocks:
        if block.type == "variable":
            module.variables[block.labels[0]] = block
        elif block.type == "locals":
            module.locals.update(block.attributes)
        elif block.type == "resource":
            module.resources[".".join(block.labels)] = block
    queue = module.resources["aws_sqs_queue.q"]
    assert module.resolve(queue.get("name")) == f"{prefix}-{stage}{suffix}"
    assert queue.line_of("name") == 9


@settings(max_examples=60, deadline=None)
@given(type_name=identifiers, name=identifiers, attribute=identifiers)
def test_every_resource_reference_in_an_expression_is_found(type_name: str, name: str, attribute: str) -> None:
    expression = f'jsonencode({{Resource = ["${{aws_{type_name}.{name}.{attribute}}}/*", var.{name}]}})'
    assert traversals(expression) == [f"aws_{type_name}.{name}.{attribute}", f"var.{name}"]


def test_heredoc_inline_policies_and_managed_policies_give_accesses(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_sqs_queue" "jobs" {
          name = "jobs"
        }
        resource "aws_sns_topic" "done" {
          name = "done"
        }
        resource "aws_iam_policy" "publish" {
          policy = <<EOF
        {
          "Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "${aws_sns_topic.done.arn}"}]
        }
        EOF
        }
        resource "aws_iam_role" "worker" {
          name                = "worker"
          assume_role_policy  = "{}"
          managed_policy_arns = [aws_iam_policy.publish.arn]
          inline_policy {
            name   = "consume"
            policy = <<EOF
        {
          "Statement": [
            {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": "${aws_sqs_queue.jobs.arn}"},
            {"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "${aws_sqs_queue.jobs.arn}"}
          ]
        }
        EOF
          }
        }
        resource "aws_lambda_function" "worker" {
          function_name = "worker"
          role          = aws_iam_role.worker.arn
          filename      = "worker.zip"
        }
        """
        },
    )
    unit = tmp_path.name
    accesses = {(e.target.split(":", 1)[1], str(e.location), e.detail) for e in graph.edges("accesses")}
    # heredoc policies are read with lines: each access is at its statement
    assert accesses == {("aws_sns_topic.done", "main.tf:14", "write"), ("aws_sqs_queue.jobs", "main.tf:27", "readwrite")}
    assert all(e.source == f"{unit}:aws_lambda_function.worker" for e in graph.edges("accesses"))


def test_an_indented_heredoc_policy_gives_its_accesses_at_their_lines(tmp_path: Path) -> None:
    # python-hcl2 escaped `"` in a `<<-` heredoc's value, so this policy's JSON could not be read
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_sqs_queue" "jobs" {
          name = "jobs"
        }
        resource "aws_iam_role" "worker" {
          name               = "worker"
          assume_role_policy = "{}"
          inline_policy {
            name   = "send"
            policy = <<-EOF
              {
                "Statement": [
                  {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "${aws_sqs_queue.jobs.arn}"}
                ]
              }
            EOF
          }
        }
        resource "aws_lambda_function" "worker" {
          function_name = "worker"
          role          = aws_iam_role.worker.arn
          filename      = "worker.zip"
        }
        """
        },
    )
    accesses = [
        (e.source.split(":", 1)[1], e.target.split(":", 1)[1], str(e.location), e.detail) for e in graph.edges("accesses")
    ]
    assert accesses == [("aws_lambda_function.worker", "aws_sqs_queue.jobs", "main.tf:16", "write")]


def test_a_bucket_notifying_a_function_of_another_unit_by_arn_is_a_cross_unit_trigger(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "infra/main.tf": HEADER
            + """
        resource "aws_s3_bucket" "uploads" {
          bucket = "uploads-dev"
        }
        resource "aws_s3_bucket_notification" "uploads" {
          bucket = aws_s3_bucket.uploads.id
          lambda_function {
            lambda_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:scanner-dev-scan"
            events              = ["s3:ObjectCreated:*"]
          }
        }
        """,
            "app/serverless.yml": """
        service: scanner
        provider:
          name: aws
          runtime: python3.12
          region: eu-west-1
        functions:
          scan:
            handler: scan.handler
        """,
        },
    )
    assert [(t.source, t.function, str(t.location), t.cross_unit) for t in graph.trigger_edges()] == [
        ("infra:aws_s3_bucket.uploads", "scanner-dev:scan", "infra/main.tf:10", True)
    ]


def test_json_variable_files_that_terraform_loads_by_itself_are_read(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        variable "env" {}
        resource "aws_sns_topic" "t" {
          name = "events-${var.env}"
        }
        """,
            "ci.auto.tfvars.json": '{"env": "ci"}',
        },
    )
    assert graph.resource(f"{tmp_path.name}:aws_sns_topic.t").physical_name == "events-ci"


def test_iot_rules_and_alb_target_groups_trigger_functions(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          filename      = "fn.zip"
        }
        resource "aws_iot_topic_rule" "telemetry" {
          name        = "telemetry"
          enabled     = true
          sql         = "SELECT * FROM 'devices/+/telemetry'"
          sql_version = "2016-03-23"
          lambda {
            function_arn = aws_lambda_function.fn.arn
          }
        }
        resource "aws_lb_target_group" "fn" {
          name        = "fn"
          target_type = "lambda"
        }
        resource "aws_lb_target_group_attachment" "fn" {
          target_group_arn = aws_lb_target_group.fn.arn
          target_id        = aws_lambda_function.fn.arn
        }
        """
        },
    )
    assert triggers(graph) == {
        ("aws_iot_topic_rule.telemetry", "aws_lambda_function.fn", "main.tf:14", "IoTRule"),
        ("aws_lb_target_group.fn", "aws_lambda_function.fn", "main.tf:24", "ALB"),
    }


def test_jsonencode_statements_have_their_own_lines_unless_a_function_call_hides_objects(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_sqs_queue" "jobs" {
          name = "jobs"
        }
        resource "aws_sns_topic" "done" {
          name = "done"
        }
        resource "aws_iam_role" "worker" {
          name               = "worker"
          assume_role_policy = "{}"
          inline_policy {
            name = "inline"
            policy = jsonencode({
              Statement = [{ Effect = "Allow", Action = "sqs:SendMessage", Resource = aws_sqs_queue.jobs.arn },
                {
                  Effect    = "Allow"
                  Action    = "sns:Publish"
                  Resource  = aws_sns_topic.done.arn
                  Condition = { Bool = { "aws:SecureTransport" = "true" } }
                }]
            })
          }
        }
        resource "aws_iam_role_policy" "computed" {
          role = aws_iam_role.worker.id
          policy = jsonencode({
            Statement = [{ Effect = "Allow", Action = "sqs:ReceiveMessage",
                           Resource = lookup({ jobs = aws_sqs_queue.jobs.arn }, "jobs") }]
          })
        }
        resource "aws_lambda_function" "worker" {
          function_name = "worker"
          role          = aws_iam_role.worker.arn
          filename      = "worker.zip"
        }
        """
        },
    )
    edges = {(e.target.split(":", 1)[1], str(e.location), e.detail) for e in graph.edges("accesses")}
    # lookup({...}) is text in the parsed value: objects no longer match, so the policy's own line is kept.
    assert edges == {
        ("aws_sqs_queue.jobs", "main.tf:17", "write"),
        ("aws_sns_topic.done", "main.tf:18", "write"),
        ("aws_sqs_queue.jobs", "main.tf:29", "read"),
    }
