"""Policies read from files: ``file()``/``templatefile()`` of a JSON document inside the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.graph import DeploymentGraph

FIXTURE = Path(__file__).parent / "fixtures" / "terraform" / "policy-files"


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """The fixture, plus a policy outside the repository and a symlink in it that leads there."""
    (tmp_path / "outside.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}')
    shutil.copytree(FIXTURE, tmp_path / "repo")
    (tmp_path / "repo" / "infra" / "policies" / "escape.json").symlink_to("../../../outside.json")
    return tmp_path / "repo"


def accesses(graph: DeploymentGraph) -> set[tuple[str, str, str, str]]:
    return {(e.source, e.target, str(e.location), e.detail) for e in graph.edges() if e.kind in ("accesses", "invokes")}


def test_templatefile_and_file_policies_give_accesses_at_the_statement_lines_of_their_files(repository: Path) -> None:
    graph = load(repository)
    assert accesses(graph) == {
        # ${queue_arn} is the templatefile variable set to aws_sqs_queue.jobs.arn.
        ("infra:aws_lambda_function.worker", "infra:aws_sqs_queue.jobs", "infra/policies/worker.json.tftpl:4", "write"),
        (
            "infra:aws_lambda_function.worker",
            "external:arn:arn:aws:sns:eu-west-1:123456789012:done",
            "infra/policies/static.json:2",
            "write",
        ),
        # ${table_arn} is no variable of the call: it stays unresolved, an external node with a note (no error).
        (
            "infra:aws_lambda_function.worker",
            "external:unresolved table ${table_arn} in infra",
            "infra/policies/worker.json.tftpl:9",
            "read",
        ),
    }
    assert [str(note) for note in graph.notes if "policy names" in note.message] == [
        "infra/policies/worker.json.tftpl:9: aws_lambda_function.worker: the resource this policy names "
        "cannot be resolved offline (${table_arn}); kept as external"
    ]
    assert graph.errors == []


def test_policy_files_outside_the_repository_are_refused_with_a_note(repository: Path) -> None:
    graph = load(repository)
    notes = {(str(n.location), n.message) for n in graph.notes if n.message.startswith("file:")}
    assert notes == {
        ("infra/main.tf:23", "file: './policies/escape.json' leads outside the repository (.. or a symlink); not read"),
        ("infra/main.tf:27", "file: '../../outside.json' leads outside the repository (.. or a symlink); not read"),
        ("infra/main.tf:31", "file: '/etc/policy.json' is an absolute path; not read"),
    }
    assert not any("s3" in e.detail or e.target.endswith("*") for e in graph.edges("accesses"))


def test_a_policy_file_that_is_not_json_is_a_note_and_other_policies_still_read(repository: Path) -> None:
    (repository / "infra" / "policies" / "static.json").write_text('{\n  "Statement": [\n    %{ for a in x }\n]}\n')
    graph = load(repository)
    assert [str(n.location) for n in graph.notes if "is not a JSON policy document" in n.message] == ["infra/main.tf:19"]
    assert {location for _, _, location, _ in accesses(graph)} == {
        "infra/policies/worker.json.tftpl:4",
        "infra/policies/worker.json.tftpl:9",
    }


def test_a_path_that_cannot_be_resolved_offline_is_a_note(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'provider "aws" {}\n'
        'resource "aws_iam_role" "r" {\n  name = "r"\n}\n'
        'resource "aws_iam_role_policy" "p" {\n  role = aws_iam_role.r.id\n'
        "  policy = file(var.policy_path)\n}\n"
        'variable "policy_path" {}\n'
        'resource "aws_lambda_function" "f" {\n  role = aws_iam_role.r.arn\n}\n'
    )
    graph = load(tmp_path)
    assert [(str(n.location), n.message) for n in graph.notes if "file(" in n.message] == [
        ("main.tf:7", "file(var.policy_path): the path cannot be resolved offline; not read")
    ]
