"""Bad Terraform input becomes load errors and notes with file:line; everything else still loads."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.graph import DeploymentGraph

HEADER = 'terraform {\n  required_version = ">= 1.5"\n}\n'


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def messages(graph: DeploymentGraph) -> tuple[list[str], list[str]]:
    return [str(error) for error in graph.errors], [str(note) for note in graph.notes]


def test_a_broken_file_is_a_load_error_at_its_line_and_the_other_files_still_load(tmp_path: Path) -> None:
    graph = load(
        write(
            tmp_path,
            {
                "infra/main.tf": HEADER + 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n',
                "infra/broken.tf": 'resource "aws_sns_topic" "t" {\n  name = \n}\n',
                "other/main.tf": HEADER + 'resource "aws_sns_topic" "events" {\n  name = "events"\n}\n',
            },
        )
    )
    errors, _ = messages(graph)
    assert len(errors) == 1
    assert errors[0] == "infra/broken.tf:2: HCL syntax error: unexpected `name =` (column 3)"
    assert [r.id for r in graph.resources()] == ["infra:aws_sqs_queue.jobs", "other:aws_sns_topic.events"]


def test_unknown_blocks_duplicate_attributes_and_missing_module_sources_are_reported(tmp_path: Path) -> None:
    graph = load(
        write(
            tmp_path,
            {
                "main.tf": HEADER
                + """
        widget "x" {
          size = 1
        }
        module "gone" {
          source = "./modules/gone"
        }
        module "nameless" {
          name = "x"
        }
        resource "aws_sqs_queue" "jobs" {
          name = "jobs"
          name = "jobs-again"
        }
        """
            },
        )
    )
    errors, notes = messages(graph)
    assert errors == [
        "main.tf:16: attribute 'name' is set twice in this block",
        "main.tf:9: module 'gone': source './modules/gone' is not a directory with .tf files",
        "main.tf:11: module 'nameless' has no `source`",
    ]
    assert notes == ["main.tf:5: unknown top-level block 'widget' 'x'; ignored"]
    assert graph.resource(f"{tmp_path.name}:aws_sqs_queue.jobs").physical_name == "jobs-again"


def test_a_module_that_calls_itself_is_an_error_not_a_hang(tmp_path: Path) -> None:
    graph = load(
        write(
            tmp_path,
            {
                "main.tf": HEADER + 'module "loop" {\n  source = "./m"\n}\n',
                "m/main.tf": 'module "again" {\n  source = "../m"\n}\nresource "aws_sqs_queue" "q" {\n  name = "q"\n}\n',
            },
        )
    )
    errors, _ = messages(graph)
    assert errors == ["m/main.tf:2: module 'again': source '../m' calls itself (directly or through other modules)"]
    assert [r.id for r in graph.resources()] == [f"{tmp_path.name}:module.loop.aws_sqs_queue.q"]


def test_a_lookup_whose_name_cannot_be_resolved_is_a_note_and_an_external_node(tmp_path: Path) -> None:
    graph = load(
        write(
            tmp_path,
            {
                "main.tf": HEADER
                + """
        variable "queue_name" {}
        data "aws_sqs_queue" "jobs" {
          name = var.queue_name
        }
        resource "aws_lambda_event_source_mapping" "jobs" {
          event_source_arn = data.aws_sqs_queue.jobs.arn
          function_name    = aws_lambda_function.fn.arn
        }
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          filename      = "fn.zip"
        }
        """
            },
        )
    )
    _, notes = messages(graph)
    assert notes == ["main.tf:7: data.aws_sqs_queue.jobs: the name it looks up cannot be resolved offline"]
    assert [(t.source, str(t.location)) for t in graph.trigger_edges()] == [
        ("external:unresolved data.aws_sqs_queue.jobs", "main.tf:9")
    ]


def test_a_directory_that_is_neither_a_root_nor_a_called_module_is_a_note_not_a_unit(tmp_path: Path) -> None:
    graph = load(write(tmp_path, {"shared/queue/main.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'}))
    assert graph.units() == []
    assert messages(graph)[1] == [
        "shared/queue: Terraform files without a `terraform` block or a provider configuration, and called by no "
        "module here: read as a reusable module, not a deployment unit"
    ]


hcl_like = st.lists(
    st.sampled_from(
        [
            'resource "aws_sqs_queue" "q" {',
            "}",
            "{",
            'name = "x"',
            "name = var.x",
            "locals {",
            "a = [",
            "]",
            'module "m" {',
            'source = "./m"',
            "<<EOF",
            "EOF",
            "= =",
            '"',
            "${",
            'data "aws_sqs_queue" "d" {',
            "#",
        ]
    ),
    max_size=12,
).map("\n".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hcl_like)
def test_any_text_loads_without_an_internal_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "main.tf").write_text(HEADER + text + "\n")
    graph = load(tmp_path)
    assert not [error for error in graph.errors if "internal error" in error.message]
