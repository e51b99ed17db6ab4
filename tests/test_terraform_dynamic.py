"""``dynamic`` blocks: their ``content`` is read as one block of the named type, with a note."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from pytest_serverless_arch import load
from pytest_serverless_arch.graph import DeploymentGraph
from pytest_serverless_arch.loaders.terraform.hcl import parse_hcl, parse_tf_json

HEADER = 'provider "aws" {\n  region = "eu-west-1"\n}\n'


def load_tf(tmp_path: Path, files: dict[str, str]) -> DeploymentGraph:
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    return load(tmp_path)


def short_edges(graph: DeploymentGraph) -> set[tuple[str, str, str, str, str]]:
    return {
        (e.kind, e.source.split(":", 1)[1], e.target.split(":", 1)[1], str(e.location), e.detail)
        for e in graph.edges()
        if e.kind in ("triggers", "accesses", "invokes")
    }


def notes(graph: DeploymentGraph) -> set[tuple[str, str]]:
    return {(str(note.location), note.message) for note in graph.notes if "dynamic" in note.message}


def test_a_dynamic_lambda_function_in_a_bucket_notification_still_triggers_the_function(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_s3_bucket" "uploads" {
          bucket = "uploads"
        }
        resource "aws_lambda_function" "thumbs" {
          function_name = "thumbs"
          filename      = "thumbs.zip"
        }
        resource "aws_s3_bucket_notification" "uploads" {
          bucket = aws_s3_bucket.uploads.id
          dynamic "lambda_function" {
            for_each = var.enabled ? [1] : []
            content {
              lambda_function_arn = aws_lambda_function.thumbs.arn
              events              = ["s3:ObjectCreated:*"]
            }
          }
        }
        variable "enabled" {
          default = true
        }
        """
        },
    )
    assert {e for e in short_edges(graph) if e[0] == "triggers"} == {
        ("triggers", "aws_s3_bucket.uploads", "aws_lambda_function.thumbs", "main.tf:14", "S3")
    }
    assert notes(graph) == {
        (
            "main.tf:14",
            'aws_s3_bucket_notification.uploads: dynamic "lambda_function" is read as '
            "one lambda_function block of its content; Terraform repeats it per "
            "for_each item",
        )
    }


def test_a_dynamic_statement_in_a_policy_document_gives_its_access(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_sqs_queue" "jobs" {
          name = "jobs"
        }
        data "aws_iam_policy_document" "worker" {
          statement {
            actions   = ["logs:PutLogEvents"]
            resources = ["*"]
          }
          dynamic "statement" {
            for_each = toset(["sqs:SendMessage"])
            iterator = action
            content {
              actions   = [action.value]
              resources = [aws_sqs_queue.jobs.arn]
            }
          }
        }
        resource "aws_iam_role" "worker" {
          name               = "worker"
          assume_role_policy = "{}"
        }
        resource "aws_iam_role_policy" "worker" {
          role   = aws_iam_role.worker.id
          policy = data.aws_iam_policy_document.worker.json
        }
        resource "aws_lambda_function" "worker" {
          function_name = "worker"
          role          = aws_iam_role.worker.arn
          filename      = "worker.zip"
        }
        """
        },
    )
    # The action comes from the iterator, so it is unknown: the statement still names the queue it reaches.
    accesses = {e for e in short_edges(graph) if e[2] == "aws_sqs_queue.jobs"}
    assert [(kind, source, location) for kind, source, _, location, _ in accesses] == [
        ("accesses", "aws_lambda_function.worker", "main.tf:13")
    ]
    assert (
        "main.tf:13",
        'data.aws_iam_policy_document.worker: dynamic "statement" is read as one statement block '
        "of its content; Terraform repeats it per for_each item",
    ) in notes(graph)


def test_dynamic_blocks_become_blocks_of_their_type_in_hcl_and_json_alike() -> None:
    hcl = parse_hcl(
        textwrap.dedent("""\
        resource "aws_s3_bucket_notification" "n" {
          dynamic "queue" {
            for_each = var.queues
            content {
              queue_arn = queue.value
            }
          }
          dynamic "topic" {
            for_each = []
          }
        }
        """),
        "main.tf",
    )
    tf = parse_tf_json(
        json.dumps(
            {
                "resource": {
                    "aws_s3_bucket_notification": {
                        "n": {"dynamic": {"queue": {"for_each": "${var.queues}", "content": {"queue_arn": "${queue.value}"}}}}
                    }
                }
            },
            indent=1,
        ),
        "main.tf.json",
    )
    for parsed in (hcl, tf):
        [queue] = parsed.blocks[0].children("queue")
        assert queue.get("queue_arn") == "${queue.value}"
        assert queue.repeated_by == "${var.queues}"
    assert hcl.blocks[0].children("queue")[0].line == 2
    # Without a content block there is nothing to read: it stays a dynamic block, wiring ignores it.
    assert [(b.type, b.labels) for b in hcl.blocks[0].blocks] == [("queue", ()), ("dynamic", ("topic",))]


def test_a_for_each_written_out_gives_one_block_per_item_with_the_iterator_put_in(tmp_path: Path) -> None:
    graph = load_tf(
        tmp_path,
        {
            "main.tf": HEADER
            + """
        resource "aws_s3_bucket" "uploads" {
          bucket = "uploads"
        }
        resource "aws_lambda_function" "thumbs" {
          function_name = "thumbs"
          filename      = "thumbs.zip"
        }
        resource "aws_lambda_function" "scan" {
          function_name = "scan"
          filename      = "scan.zip"
        }
        resource "aws_s3_bucket_notification" "uploads" {
          bucket = aws_s3_bucket.uploads.id
          dynamic "lambda_function" {
            for_each = { images = aws_lambda_function.thumbs.arn, all = aws_lambda_function.scan.arn }
            iterator = fn
            content {
              id                  = fn.key
              lambda_function_arn = fn.value
              events              = ["s3:ObjectCreated:*"]
            }
          }
        }
        """
        },
    )
    assert {e for e in short_edges(graph) if e[0] == "triggers"} == {
        ("triggers", "aws_s3_bucket.uploads", "aws_lambda_function.thumbs", "main.tf:18", "S3"),
        ("triggers", "aws_s3_bucket.uploads", "aws_lambda_function.scan", "main.tf:18", "S3"),
    }
    assert notes(graph) == set()  # every instance is known: nothing is read once for many
    [notification] = [
        b
        for b in parse_hcl((tmp_path / "main.tf").read_text(), "main.tf").blocks
        if b.labels[:1] == ("aws_s3_bucket_notification",)
    ]
    assert [b.get("id") for b in notification.children("lambda_function")] == ["images", "all"]
