"""Discovery: templates recognised by content, tool output skipped, nothing read outside the root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_serverless_arch import LoadConfig, load
from pytest_serverless_arch.discover import discover, glob_matches
from pytest_serverless_arch.files import digest

QUEUE_TEMPLATE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
SAM_WITHOUT_TRANSFORM = (
    "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      Handler: app.handler\n      Runtime: python3.12\n      CodeUri: src/\n"
)


def write(root: Path, relpath: str, text: str) -> Path:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def formats(root: Path, **options: object) -> dict[str, str]:
    return {c.relpath: c.format for c in discover([root], root, LoadConfig(**options)).candidates}  # type: ignore[arg-type]


def test_templates_are_recognised_by_content_not_by_file_name(tmp_path):
    write(tmp_path, "infra/queues.yml", QUEUE_TEMPLATE)
    write(tmp_path, "infra/version-only.json", '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}')
    write(tmp_path, "app/sam.yaml", "Transform: AWS::Serverless-2016-10-31\n" + SAM_WITHOUT_TRANSFORM)
    write(tmp_path, "app/no-transform.yaml", SAM_WITHOUT_TRANSFORM)
    write(tmp_path, "config/settings.yaml", "Resources: just a word\nother: 1\n")
    write(tmp_path, ".github/workflows/ci.yml", "on: push\njobs: {}\n")
    assert formats(tmp_path) == {
        "infra/queues.yml": "cloudformation",
        "infra/version-only.json": "cloudformation",
        "app/sam.yaml": "sam",
        "app/no-transform.yaml": "sam",
    }


def test_tool_output_dependencies_and_virtual_environments_are_skipped(tmp_path):
    for folder in (".aws-sam/build", "node_modules/pkg", ".serverless", ".venv/lib", ".git", "cdk.out"):
        write(tmp_path, f"{folder}/template.yaml", QUEUE_TEMPLATE)
    write(tmp_path, "template.yaml", QUEUE_TEMPLATE)
    assert formats(tmp_path) == {"template.yaml": "cloudformation"}


def test_configured_ignore_globs_skip_files_and_folders(tmp_path):
    write(tmp_path, "legacy/old/template.yaml", QUEUE_TEMPLATE)
    write(tmp_path, "services/a/template.yaml", QUEUE_TEMPLATE)
    write(tmp_path, "services/a/test-template.yaml", QUEUE_TEMPLATE)
    assert formats(tmp_path, ignore=("legacy", "**/test-*.yaml")) == {"services/a/template.yaml": "cloudformation"}


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("legacy", "legacy/x/template.yaml", True),
        ("legacy", "src/legacy/template.yaml", True),
        ("services/*/tests", "services/a/tests/t.yaml", True),
        ("services/*/tests", "services/a/b/tests/t.yaml", False),
        ("**/fixtures/**", "a/b/fixtures/c/t.yaml", True),
        ("*.json", "a/b.json", True),
        ("*.json", "a/b.yaml", False),
    ],
)
def test_ignore_globs_match_like_gitignore(pattern, path, expected):
    assert glob_matches(pattern, path) is expected


def test_files_a_template_pulls_in_are_not_units(tmp_path):
    write(
        tmp_path,
        "template.yaml",
        (
            "Transform: AWS::Serverless-2016-10-31\nResources:\n"
            "  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: nested/child.yaml\n"
            "  Machine:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
            "      DefinitionUri: statemachine/flow.asl.json\n"
            "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n"
            "      DefinitionUri: ./api/openapi.yaml\n"
        ),
    )
    write(tmp_path, "nested/child.yaml", QUEUE_TEMPLATE)
    write(tmp_path, "statemachine/flow.asl.json", '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}')
    write(tmp_path, "api/openapi.yaml", "openapi: 3.0.1\npaths: {}\nResources: {}\n")
    discovery = discover([tmp_path], tmp_path)
    assert [c.relpath for c in discovery.candidates] == ["template.yaml"]
    assert discovery.included["nested/child.yaml"] == ("template.yaml", 6)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlink_out_of_the_root_is_never_followed(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "secret.yaml", QUEUE_TEMPLATE)
    repo = tmp_path / "repo"
    write(repo, "template.yaml", QUEUE_TEMPLATE)
    (repo / "linked.yaml").symlink_to(outside / "secret.yaml")
    (repo / "linked-dir").symlink_to(outside, target_is_directory=True)
    discovery = discover([repo], repo)
    assert [c.relpath for c in discovery.candidates] == ["template.yaml"]
    assert [str(note) for note in discovery.notes] == ["linked.yaml: symlink leads out of the repository; not followed"]


def test_a_path_outside_the_root_is_refused(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    discovery = discover([tmp_path], repo)
    assert discovery.candidates == []
    assert "outside the repository root" in discovery.errors[0].message


def test_broken_template_files_become_load_errors_and_other_units_still_load(tmp_path):
    write(tmp_path, "good/template.yaml", QUEUE_TEMPLATE)
    write(tmp_path, "bad/template.yaml", "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n   x: [\n")
    write(tmp_path, "dup/template.yaml", QUEUE_TEMPLATE + "  Queue:\n    Type: AWS::SQS::Queue\n")
    write(tmp_path, "list/template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  - Queue\n")
    write(tmp_path, "notype/template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Queue:\n    Properties: {}\n")
    write(tmp_path, "empty/template.yaml", "")
    (tmp_path / "latin1").mkdir()
    (tmp_path / "latin1" / "template.yaml").write_bytes(b"Resources:\n  Queue:\n    Type: AWS::SQS::Queue # caf\xe9\n")
    graph = load(tmp_path)
    assert [unit.name for unit in graph.units()] == ["dup", "good", "notype"]
    assert sorted((e.path, e.line, e.message) for e in graph.errors) == [
        ("bad/template.yaml", 4, "invalid YAML: did not find expected key (while parsing a block mapping)"),
        ("latin1/template.yaml", 3, "not UTF-8 text (byte 0xe9)"),
        ("list/template.yaml", 2, "`Resources` must be a mapping of logical ids to resources, not a list"),
        ("notype/template.yaml", 3, "resource Queue has no `Type`"),
    ]


def test_samconfig_beside_a_template_names_the_unit_and_gives_region_and_tags(tmp_path):
    write(tmp_path, "orders/template.yaml", "Transform: AWS::Serverless-2016-10-31\n" + SAM_WITHOUT_TRANSFORM)
    write(
        tmp_path,
        "orders/samconfig.toml",
        (
            'version = 0.1\n[default.global.parameters]\nstack_name = "orders-service"\n'
            '[default.deploy.parameters]\nregion = "eu-west-1"\ntags = "domain=\\"orders\\" team=\\"a b\\""\n'
            '[prod.deploy.parameters]\nstack_name = "orders-prod"\n'
        ),
    )
    write(tmp_path, "billing/template.yaml", QUEUE_TEMPLATE)
    write(tmp_path, "billing/samconfig.yaml", "version: 0.1\ndefault:\n  deploy:\n    parameters:\n      stack_name: billing\n")
    graph = load(tmp_path)
    assert [(u.name, u.path, u.region) for u in graph.units()] == [
        ("billing", "billing/template.yaml", None),  # no samconfig region: nobody gives one
        ("orders-service", "orders/template.yaml", "eu-west-1"),
    ]
    assert dict(graph.unit("orders-service").tags) == {"domain": "orders", "team": "a b"}
    assert graph.resource("orders-service:Fn").domain == "orders"
    assert [u.name for u in load(tmp_path, samconfig_env="prod").units()] == ["billing", "orders-prod"]


def test_two_units_with_one_stack_name_are_both_kept_and_the_second_is_renamed_with_a_note(tmp_path):
    for folder in ("a", "b"):
        write(tmp_path, f"{folder}/template.yaml", QUEUE_TEMPLATE)
        write(tmp_path, f"{folder}/samconfig.toml", 'version = 0.1\n[default.deploy.parameters]\nstack_name = "same"\n')
    graph = load(tmp_path)
    assert [unit.name for unit in graph.units()] == ["same", "same@b/template.yaml"]
    assert [resource.id for resource in graph.resources()] == ["same:Queue", "same@b/template.yaml:Queue"]
    assert [str(note) for note in graph.notes] == [
        "b/template.yaml:1: unit name 'same' is also used by a/template.yaml; this unit is called 'same@b/template.yaml'"
    ]


@pytest.mark.parametrize(
    ("name", "text", "includes"),
    [
        ("plain.yaml", QUEUE_TEMPLATE, ()),
        (
            "nested.yaml",
            "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: child.yaml\n",
            (("child.yaml", 5),),
        ),
        (  # a key spelled with a JSON escape: the text never says TemplateURL
            "escaped.json",
            '{"Resources": {"Child": {"Type": "AWS::CloudFormation::Stack",\n'
            '  "Properties": {"Templ\\u0061teURL": "child.yaml"}}}}',
            (("child.yaml", 2),),
        ),
        (  # a key spelled with a YAML double-quoted escape
            "quoted.yaml",
            'Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      "Def\\x69nitionUri": api.yaml\n',
            (("api.yaml", 5),),
        ),
        (  # an AWS::Include transform, its tag spelled with a %-escape: found as the transform and as a Location
            "include.yaml",
            "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
            "  Extra: !Tr%61nsform {Name: AWS::Include, Parameters: {Location: shared.yaml}}\n",
            (("shared.yaml", 4), ("shared.yaml", 4)),
        ),
    ],
)
def test_the_files_a_template_names_are_found_however_their_keys_are_spelled(tmp_path, name, text, includes):
    write(tmp_path, name, text)
    (candidate,) = discover([tmp_path], tmp_path).candidates
    assert candidate.includes == includes


def _walked(root: Path, given: str) -> tuple[list[tuple[str, str, str]], list[str], list[str], list[str]]:
    """What discovery of ``given`` under ``root`` recorded, found and said: observations, candidates, errors, notes."""
    from pytest_serverless_arch import files

    files.forget_folders()
    with files.recording() as log:
        found = discover([given], root)
    reads = [(read.what, read.path, read.outcome) for read in log]
    candidates = [f"{c.relpath} {c.format} {os.path.relpath(c.path, root)}" for c in found.candidates]
    return reads, candidates, [str(e) for e in found.errors], [str(n) for n in found.notes]


def test_a_folder_named_with_dot_dot_is_walked_and_recorded_as_the_same_folder_named_plainly(tmp_path):
    # a walk under such a name confines each file by realpath itself; a plain name, by the name the folder listed
    root = tmp_path.resolve() / "repo"
    write(root, "svc/template.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    write(root, "svc/deep/serverless.yml", "service: s\nprovider: {name: aws}\n")
    write(root, "svc/bad.yaml", "Resources: [\n")
    write(tmp_path, "secret.yaml", "Resources: {}\n")
    (root / "svc" / "out.yaml").symlink_to(tmp_path / "secret.yaml")
    (root / "svc" / "loop.yaml").symlink_to("loop.yaml")
    plain = _walked(root, "svc")
    assert _walked(root, "svc/deep/../../svc") == plain
    reads, candidates, errors, notes = plain
    assert [(what, os.path.relpath(path, root), outcome.replace(str(root), "~")) for what, path, outcome in reads] == [
        ("real", "svc", "~/svc"),
        ("is_file", "svc", "no"),
        ("walk", "svc", reads[2][2]),
        ("is_file", "svc/cdk.out/manifest.json", "no"),
        ("real", "svc/bad.yaml", "~/svc/bad.yaml"),
        ("bytes", "svc/bad.yaml", digest(b"Resources: [\n")),
        ("real", "svc/loop.yaml", "!loop:0:is a symlink loop (or too many symlinks); not read"),
        ("real", "svc/out.yaml", "!outside:0:resolves outside the repository; not read"),
        ("real", "svc/template.yaml", "~/svc/template.yaml"),
        ("bytes", "svc/template.yaml", digest(b"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")),
        ("walk", "svc/deep", reads[10][2]),
        ("is_file", "svc/deep/cdk.out/manifest.json", "no"),
        ("real", "svc/deep/serverless.yml", "~/svc/deep/serverless.yml"),
        ("bytes", "svc/deep/serverless.yml", digest(b"service: s\nprovider: {name: aws}\n")),
    ]
    assert candidates == [
        "svc/template.yaml cloudformation svc/template.yaml",
        "svc/deep/serverless.yml serverless svc/deep/serverless.yml",
    ]
    assert errors == [
        "svc/bad.yaml:2: invalid YAML: did not find expected node content (while parsing a flow node)",
        "svc/loop.yaml:1: a symlink loop (or too many symlinks); not read",
    ]
    assert notes == ["svc/out.yaml: symlink leads out of the repository; not followed"]


def test_a_renamed_units_resources_keep_every_field_but_their_unit():
    import dataclasses

    from pytest_serverless_arch.loading import _in_unit
    from pytest_serverless_arch.model import Location, Resource

    # every field set apart from its default: a new field left out of the copy would differ
    resource = Resource(
        "orders", "Fn", "AWS::Serverless::Function", "function", Location("orders/template.yaml", 7, 3), "Fn",
        "orders-fn", (("team", "a"),), "sales", {"Handler": "app.handler"}, ("FnAlias",), True, "external", True,
        "Queue", (("trigger-colocated", "why"),),
    )  # fmt: skip
    assert all(getattr(resource, field.name) != field.default for field in dataclasses.fields(Resource))
    moved = _in_unit([resource, resource], "orders/template.yaml")
    assert moved == [dataclasses.replace(resource, unit="orders/template.yaml")] * 2
    assert moved[0].id == "orders/template.yaml:Fn"
