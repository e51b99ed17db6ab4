"""Terraform's JSON syntax (``.tf.json``, what CDKTF synthesizes): read into the same blocks as HCL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.discover import discover
from pytest_serverless_arch.loaders.terraform.hcl import HclError, parse_tf_json

FIXTURE = Path(__file__).parent / "fixtures" / "terraform" / "cdktf-json"


def short_edges(graph, kinds=("triggers", "accesses", "invokes")):  # type: ignore[no-untyped-def]
    return {
        (e.kind, e.source.split(":", 1)[1], e.target.split(":", 1)[1], str(e.location), e.detail)
        for e in graph.edges()
        if e.kind in kinds
    }


def test_a_module_mixing_tf_and_tf_json_wires_triggers_and_accesses_with_json_lines() -> None:
    graph = load(FIXTURE)
    assert [unit.name for unit in graph.units()] == ["cdktf-json"]
    assert graph.errors == []
    assert short_edges(graph) == {
        ("triggers", "aws_sqs_queue.jobs", "aws_lambda_function.worker", "cdk.tf.json:25", "EventSourceMapping"),
        ("accesses", "aws_lambda_function.worker", "aws_sns_topic.done", "cdk.tf.json:18", "environment TOPIC_ARN"),
        ("accesses", "aws_lambda_function.worker", "aws_sqs_queue.jobs", "cdk.tf.json:47", "readwrite"),
        ("accesses", "aws_lambda_function.worker", "aws_sns_topic.done", "cdk.tf.json:51", "write"),
    }
    # The topic comes from the .tf file, the queue from the .tf.json file of the same module.
    assert str(graph.resource("cdktf-json:aws_sns_topic.done").location) == "main.tf:9"
    assert str(graph.resource("cdktf-json:aws_sqs_queue.jobs").location) == "cdk.tf.json:7"
    assert graph.resource("cdktf-json:aws_sqs_queue.jobs").physical_name == "orders-jobs"


def test_a_tf_json_file_is_never_sniffed_as_a_cloudformation_template(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(
        json.dumps(
            {
                "provider": {"aws": {"region": "eu-west-1"}},
                "resource": {
                    "aws_cloudformation_stack": {
                        "legacy": {"name": "legacy", "template_body": '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}'}
                    }
                },
            },
            indent=2,
        )
    )
    discovery = discover([tmp_path], tmp_path)
    assert discovery.terraform_dirs == ["."]
    assert discovery.documents == {}
    assert [c.format for c in discovery.candidates if c.format != "terraform"] == []
    graph = load(tmp_path)
    assert [(u.name, u.format) for u in graph.units()] == [(tmp_path.name, "terraform")]
    assert graph.errors == []


def test_a_directory_with_only_ignored_tf_json_files_is_not_terraform(tmp_path: Path) -> None:
    shutil.copy(FIXTURE / "cdk.tf.json", tmp_path / "cdk.tf.json")
    assert discover([tmp_path], tmp_path).terraform_dirs == ["."]
    from pytest_serverless_arch.config import LoadConfig

    assert discover([tmp_path], tmp_path, LoadConfig(ignore=("*.tf.json",))).terraform_dirs == []


def test_json_blocks_keep_labels_lines_and_repeated_bodies() -> None:
    text = "\n".join(
        [
            "{",
            '  "//": "a comment",',
            '  "terraform": {"backend": {"s3": {"bucket": "state", "key": "app.tfstate"}}},',
            '  "provider": {"aws": [',
            '    {"region": "eu-west-1"},',
            '    {"alias": "us", "region": "us-east-1"}',
            "  ]},",
            '  "locals": {"stage": "dev"},',
            '  "resource": {"aws_s3_bucket_notification": {"n": {',
            '    "bucket": "${aws_s3_bucket.b.id}",',
            '    "tags": {"team": "media"},',
            '    "lambda_function": [{"lambda_function_arn": "${aws_lambda_function.f.arn}"}]',
            "  }}}",
            "}",
        ]
    )
    tf = parse_tf_json(text, "x.tf.json")
    assert [(b.type, b.labels, b.line) for b in tf.blocks] == [
        ("terraform", (), 3),
        ("provider", ("aws",), 5),
        ("provider", ("aws",), 6),
        ("locals", (), 8),
        ("resource", ("aws_s3_bucket_notification", "n"), 9),
    ]
    backend = tf.blocks[0].children("backend")[0]
    assert backend.labels == ("s3",) and backend.get("bucket") == "state"
    assert tf.blocks[3].get("stage") == "dev"
    notification = tf.blocks[4]
    assert notification.get("tags") == {"team": "media"}  # an object attribute, not a block
    assert notification.line_of("bucket") == 10
    [function] = notification.children("lambda_function")
    assert function.get("lambda_function_arn") == "${aws_lambda_function.f.arn}" and function.line == 12


@pytest.mark.parametrize(("text", "line"), [('{\n  "resource": {\n    "x": [1,\n}', 4), ("[1, 2]", 1)])
def test_bad_json_is_an_hcl_error_with_its_line(text: str, line: int) -> None:
    with pytest.raises(HclError) as raised:
        parse_tf_json(text, "bad.tf.json")
    assert raised.value.line == line


def test_a_broken_tf_json_file_is_a_load_error_and_the_rest_of_the_module_still_loads(tmp_path: Path) -> None:
    shutil.copy(FIXTURE / "main.tf", tmp_path / "main.tf")
    (tmp_path / "broken.tf.json").write_text('{\n  "resource": {\n    "aws_sqs_queue": {,\n}\n')
    graph = load(tmp_path)
    assert [(e.path, e.line) for e in graph.errors] == [("broken.tf.json", 3)]
    assert [r.logical_id for r in graph.resources()] == ["aws_sns_topic.done"]
