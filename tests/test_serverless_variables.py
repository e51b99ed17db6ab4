"""Serverless Framework variables, resolved offline: every source, fallbacks, nesting, refusals."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.loaders.serverless.variables import VariableResolver, VariableText, parse_template
from pytest_serverless_arch.model import ForeignRef
from pytest_serverless_arch.parse import parse_yaml

from .helpers import FIXTURES


def resolve(text: str, root: Path | None = None, **config: object) -> tuple[dict, list[str]]:
    """Resolve a service document; returns (document, notes as ``file:line: message``)."""
    resolver = VariableResolver(
        parse_yaml(textwrap.dedent(text)),
        config=LoadConfig(**config),  # type: ignore[arg-type]
        path="serverless.yml",
        root=root,
        service_dir=root,
    )
    return resolver.resolve(), [str(note) for note in resolver.notes]


def custom(text: str, root: Path | None = None, **config: object) -> tuple[dict, list[str]]:
    document, notes = resolve("service: svc\nprovider: {name: aws}\n" + textwrap.dedent(text), root, **config)
    return document["custom"], notes


# --- self, opt, sls, aws, param, env ---------------------------------------------------------


def test_self_references_resolve_at_any_depth_and_through_other_variables():
    values, notes = custom("""\
        custom:
          a: ${self:custom.b}
          b: ${self:custom.deep.c}-x
          deep: {c: '${self:service}'}
          whole: ${self:custom.deep}
          listed: ${self:custom.items.1}
          items: [zero, one]
    """)
    assert (values["a"], values["b"], values["whole"], values["listed"]) == ("svc-x", "svc-x", {"c": "svc"}, "one")
    assert notes == []


def test_stage_and_region_come_from_the_config_then_the_provider_then_the_defaults():
    text = """\
        service: s
        provider: {name: aws, stage: qa, region: eu-west-1}
        custom: {opt: '${opt:stage}', sls: '${sls:stage}', aws: '${aws:region}', optRegion: '${opt:region, "x"}'}
    """
    document, _ = resolve(text)
    assert document["custom"] == {"opt": "dev", "sls": "qa", "aws": "eu-west-1", "optRegion": "x"}
    document, _ = resolve(text, stage="prod", region="ap-south-1")
    assert document["custom"] == {"opt": "prod", "sls": "prod", "aws": "ap-south-1", "optRegion": "ap-south-1"}


def test_provider_region_read_through_self_is_not_defaulted_like_in_the_framework():
    # osls fails with "Value not found at self source" here: ${aws:region} is the way to read the default
    values, notes = custom("custom: {region: '${self:provider.region}', aws: '${aws:region}'}\n")
    # nobody gives a region: it stays symbolic, never a made-up us-east-1
    assert values["region"].unresolved and values["aws"] == "${AWS::Region}"
    assert notes == [
        "serverless.yml:3: cannot resolve ${self:provider.region} offline "
        "(`provider.region` is not set in this file); left unresolved"
    ]


def test_sls_instance_id_and_aws_account_id_resolve_to_stable_offline_values():
    values, _ = custom("custom: {id: '${sls:instanceId}', account: '${aws:accountId}'}\n", account_id="111122223333")
    assert values["account"] == "111122223333" and values["id"]


def test_params_come_from_the_stage_then_default_then_the_config():
    text = """\
        service: s
        provider: {name: aws}
        params:
          prod: {queue: prod-queue}
          default: {queue: default-queue, only: from-default}
        custom: {queue: '${param:queue}', only: '${param:only}', configured: '${param:fromConfig}'}
    """
    document, _ = resolve(text, params={"fromConfig": "c"})
    assert document["custom"] == {"queue": "default-queue", "only": "from-default", "configured": "c"}
    document, _ = resolve(text, stage="prod", params={"fromConfig": "c"})
    assert document["custom"]["queue"] == "prod-queue"


def test_env_reads_configured_values_and_allowed_names_only(monkeypatch):
    monkeypatch.setenv("ALLOWED", "from-process")
    monkeypatch.setenv("SECRET", "must-not-appear")
    values, notes = custom(
        """\
        custom:
          given: ${env:GIVEN}
          allowed: ${env:ALLOWED}
          secret: ${env:SECRET}
    """,
        env={"GIVEN": "configured"},
        env_allow=("ALLOWED",),
    )
    assert (values["given"], values["allowed"]) == ("configured", "from-process")
    assert values["secret"] == "${env:SECRET}" and values["secret"].unresolved
    assert notes == [
        "serverless.yml:6: cannot resolve ${env:SECRET} offline (environment variable SECRET is not configured); left unresolved"
    ]


def test_fallbacks_are_tried_in_order_including_bare_variables_and_literals():
    values, notes = custom("""\
        custom:
          y: from-self
          chain: ${env:MISSING, self:custom.y, 'z'}
          literal: ${env:MISSING, 'z'}
          number: ${env:MISSING, 3}
          explicitNull: ${env:MISSING, null}
          nested: ${env:MISSING, ${self:custom.y}}
    """)
    assert (values["chain"], values["literal"], values["number"], values["nested"]) == ("from-self", "z", 3, "from-self")
    assert values["explicitNull"] is None
    assert notes == []


def test_variables_nest_inside_addresses_and_inside_longer_strings():
    values, _ = custom("""\
        custom:
          dev: {name: dev-name}
          name: ${self:custom.${sls:stage}.name}
          arn: arn:aws:sqs:${aws:region}:${aws:accountId}:${self:custom.name}-queue
    """)
    assert values["name"] == "dev-name"
    assert values["arn"] == "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:dev-name-queue"


def test_cloudformation_sub_syntax_is_left_alone():
    values, notes = custom("""\
        custom:
          sub: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/${self:service}"
          escaped: \\${self:service}
    """)
    assert values["sub"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/svc"}
    assert values["escaped"] == "${self:service}"
    assert notes == []


def test_str_to_bool_reads_quoted_and_bare_values():
    values, notes = custom("custom: {a: '${strToBool(true)}', b: \"${strToBool('false')}\"}\n")
    assert values == {"a": True, "b": False} and notes == []


# --- placeholders -------------------------------------------------------------------------------


def test_cf_ssm_and_s3_never_call_anything_and_keep_what_they_name():
    values, notes = custom("""\
        custom:
          output: ${cf:billing-prod.QueueArn}
          regional: ${cf(eu-west-1):billing-prod.TopicArn}
          parameter: ${ssm:/app/db-url}
          object: ${s3:my-bucket/key.json}
          inside: prefix-${ssm:/app/name}-suffix
    """)
    assert values["output"].refs == (ForeignRef("stack_output", "billing-prod/QueueArn"),)
    assert values["regional"].refs == (ForeignRef("stack_output", "billing-prod/TopicArn", region="eu-west-1"),)
    assert values["parameter"].refs == (ForeignRef("ssm", "/app/db-url", "parameter"),)
    assert values["object"].refs == (ForeignRef("external", "s3://my-bucket/key.json"),)
    assert values["inside"] == "prefix-${ssm:/app/name}-suffix"
    assert values["inside"].refs == (ForeignRef("ssm", "/app/name", "parameter"),)
    assert notes == []


# --- files ------------------------------------------------------------------------------------


def test_file_reads_yaml_and_json_inside_the_repository_with_an_address(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "dev.yml").write_text("db:\n  name: ${self:service}-db\n")
    (tmp_path / "settings.json").write_text(json.dumps({"a": {"b": 7}}))
    values, notes = custom(
        """\
        custom:
          whole: ${file(./config/${sls:stage}.yml)}
          name: ${file(config/dev.yml):db.name}
          number: ${file(settings.json):a.b}
          missing: ${file(nope.yml), 'fallback'}
    """,
        tmp_path,
    )
    assert values == {"whole": {"db": {"name": "svc-db"}}, "name": "svc-db", "number": 7, "missing": "fallback"}
    assert notes == []


def test_code_files_are_never_executed(tmp_path):
    (tmp_path / "config.js").write_text("require('fs').writeFileSync('ran', 'x'); module.exports = {a: 1}")
    values, notes = custom("custom:\n  a: ${file(./config.js):a}\n", tmp_path)
    assert values["a"].unresolved and not (tmp_path / "ran").exists()
    assert notes == [
        "serverless.yml:4: ${file(./config.js):a}: ./config.js is code; it is never executed, so its value stays unknown"
    ]


@pytest.mark.parametrize("path", ["../outside.yml", "../../etc/passwd", "/etc/passwd", "sub/../../outside.yml"])
def test_file_paths_that_leave_the_repository_are_refused(tmp_path, path):
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "outside.yml").write_text("secret: TOPSECRET\n")
    values, notes = custom(f"custom:\n  a: ${{file({path})}}\n", root)
    assert values["a"] == f"${{file({path})}}" and values["a"].unresolved
    assert len(notes) == 1 and notes[0].startswith("serverless.yml:4: ") and "refused" in notes[0]


def test_a_symlink_out_of_the_repository_is_refused_and_its_content_appears_nowhere(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    secret = tmp_path / "secret.yml"
    secret.write_text("value: TOPSECRET\n")
    (root / "link.yml").symlink_to(secret)
    (root / "serverless.yml").write_text(
        "service: s\nprovider: {name: aws}\nfunctions:\n  f:\n    handler: h\n    environment: {X: '${file(link.yml):value}'}\n"
    )
    graph = load(root)
    from pytest_serverless_arch.report import build_report

    report = json.dumps(build_report(graph), default=str)
    assert "TOPSECRET" not in report
    assert "TOPSECRET" not in repr(graph.resource("s-dev:f").properties)
    assert any("symlink that leads out of the repository" in str(note) for note in graph.notes)


def test_a_file_pulled_in_is_not_a_unit_of_its_own(tmp_path):
    (tmp_path / "resources.yml").write_text("Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    (tmp_path / "serverless.yml").write_text("service: s\nprovider: {name: aws}\nresources: ${file(resources.yml)}\n")
    graph = load(tmp_path)
    assert [unit.name for unit in graph.units()] == ["s-dev"]
    assert graph.resource("s-dev:Q").location.line == 3  # where the file is pulled in


# --- errors ---------------------------------------------------------------------------------


def test_an_unknown_source_and_a_cycle_are_notes_with_their_lines():
    values, notes = custom("""\
        custom:
          unknown: ${vault:secret/x}
          a: ${self:custom.b}
          b: ${self:custom.a}
    """)
    assert values["unknown"].unresolved and values["a"].unresolved
    assert "serverless.yml:4: ${vault:secret/x}: unknown variable source 'vault'" in notes
    assert any(
        note.startswith("serverless.yml:") and "variable cycle: self:custom.a -> self:custom.b -> self:custom.a" in note
        for note in notes
    )


def test_invalid_variable_syntax_is_a_note_not_a_crash():
    values, notes = custom("custom:\n  a: ${self:custom.b\n  b: x\n")
    assert values["a"].unresolved
    assert notes[0].startswith("serverless.yml:4: invalid variable syntax")


def test_a_mapping_cannot_be_put_inside_a_string():
    values, notes = custom("custom:\n  m: {k: v}\n  s: x-${self:custom.m}\n")
    assert values["s"] == "x-${self:custom.m}" and values["s"].unresolved
    assert notes == [
        "serverless.yml:5: ${self:custom.m} resolves to a mapping, which cannot be put inside a string; left unresolved"
    ]


def test_framework_variables_fixture_resolves_files_nested_addresses_and_leaves_cloudformation_alone():
    document = parse_yaml((FIXTURES / "serverless" / "framework-variables" / "serverless.yml").read_text())
    root = FIXTURES / "serverless" / "framework-variables"
    resolver = VariableResolver(document, config=LoadConfig(), path="serverless.yml", root=root, service_dir=root)
    values = resolver.resolve()["custom"]
    assert values == {
        "importedFile": {"foo": "bar"},
        "importedFileWithKey": "bar",
        "awsVariable": "${AWS::Region}",
        "cloudFormationReference": "${AnotherResource}",
        "selfReference": "bar",
        "nestedRef": "nestedVal",
        "nestedVal": {"prop": "resolvedNested"},
        "nestedReference": "resolvedNested",
        "prototype": {"nestedInPrototype": "bar-in-prototype"},
    }
    assert resolver.notes == []


# --- properties ---------------------------------------------------------------------------------

_plain = st.text(alphabet=st.characters(blacklist_characters="${}\\", blacklist_categories=("Cs",)), max_size=12)


@given(st.lists(st.tuples(_plain, st.sampled_from(["a", "b", "c"])), max_size=5), _plain)
def test_a_string_of_literals_and_self_references_resolves_to_their_concatenation(pieces, tail):
    values = {"a": "alpha", "b": "7", "c": "gamma"}
    text = "".join(literal + "${self:custom." + key + "}" for literal, key in pieces) + tail
    document = {"service": "s", "provider": {"name": "aws"}, "custom": {**values, "text": text}}
    resolver = VariableResolver(document, config=LoadConfig(), path="serverless.yml")
    expected = "".join(literal + values[key] for literal, key in pieces) + tail
    assert resolver.resolve()["custom"]["text"] == expected
    assert resolver.notes == []


@given(_plain)
def test_text_without_variables_is_left_exactly_as_written(text):
    template = parse_template(text)
    assert "".join(part for part in template.parts if isinstance(part, str)) == text
    assert not isinstance(VariableResolver({"x": text}, config=LoadConfig(), path="p").resolve()["x"], VariableText)


def test_a_missing_or_broken_file_is_a_note_naming_the_line_that_pulls_it_in(tmp_path):
    (tmp_path / "broken.yml").write_text("a: [1, 2\n")
    values, notes = custom("custom:\n  missing: ${file(nope.yml)}\n  broken: ${file(broken.yml):a}\n", tmp_path)
    assert values["missing"].unresolved and values["broken"].unresolved
    assert notes == [
        "serverless.yml:4: cannot resolve ${file(nope.yml)} offline (file nope.yml does not exist); left unresolved",
        "serverless.yml:5: ${file(broken.yml):a}: cannot parse broken.yml line 2: invalid YAML: "
        "did not find expected ',' or ']' (while parsing a flow sequence)",
    ]


def test_deep_documents_and_long_reference_chains_resolve_without_false_alarms():
    deep = "custom:\n" + "".join("  " * (level + 1) + f"k{level}:\n" for level in range(80)) + "  " * 81 + "v: ${sls:stage}\n"
    values, notes = custom(deep)
    node = values
    for level in range(80):
        node = node[f"k{level}"]
    assert node == {"v": "dev"} and notes == []
    chain = "custom:\n" + "".join(f"  a{i}: ${{self:custom.a{i + 1}}}\n" for i in range(40)) + "  a40: end\n"
    values, notes = custom(chain)
    assert values["a0"] == "end" and notes == []


def test_a_reference_chain_deeper_than_any_real_file_stops_with_a_note():
    chain = "custom:\n" + "".join(f"  a{i}: ${{self:custom.a{i + 1}}}\n" for i in range(100)) + "  a100: end\n"
    values, notes = custom(chain)
    assert values["a0"].unresolved
    assert any("variables nest too deeply" in note for note in notes)


def test_self_with_no_address_is_the_whole_resolved_document_not_a_cycle():
    document, notes = resolve("""\
        service: svc
        provider: {name: aws, stage: prod}
        custom:
          name: ${self:service}-${self:provider.stage}
          whole: ${self:}
          service: ${self:custom.whole.service}
        """)
    whole = document["custom"]["whole"]
    assert whole["service"] == "svc" and whole["provider"]["stage"] == "prod"
    assert whole["custom"]["name"] == "svc-prod"
    assert whole["custom"]["whole"] == "${self:}" and whole["custom"]["whole"].unresolved
    assert document["custom"]["service"] == "svc"
    assert not any("cycle" in note for note in notes)


def test_the_whole_document_through_self_can_be_followed_by_a_later_variable():
    document, notes = resolve("""\
        service: svc
        provider: {name: aws}
        custom:
          everything: ${self:}
          region: ${self:custom.everything.provider.name}
        """)
    assert document["custom"]["region"] == "aws"
    assert notes == []


def test_a_variable_in_a_key_stays_as_written_with_a_note_as_the_framework_leaves_it():
    document, notes = resolve("""\
        service: svc
        provider:
          name: aws
          environment:
            ${self:custom.envName}: x
        custom:
          envName: TABLE
        resources:
          Resources:
            ${self:custom.envName}Table:
              Type: AWS::DynamoDB::Table
              Properties: {TableName: "${self:custom.envName}"}
        """)
    assert list(document["provider"]["environment"]) == ["${self:custom.envName}"]
    table = document["resources"]["Resources"]["${self:custom.envName}Table"]
    assert table["Properties"]["TableName"] == "TABLE"
    assert [note.split(": ", 1)[0] for note in notes if "is a key" in note] == ["serverless.yml:5", "serverless.yml:10"]


_SELF_VALUES = st.sampled_from(
    ["${self:}", "${self:custom}", "${self:custom.a}", "${self:custom.b.c}", "x-${self:service}", "plain"]
)


@given(a=_SELF_VALUES, c=_SELF_VALUES, d=_SELF_VALUES)
def test_whole_document_references_anywhere_always_terminate_with_every_other_value_kept(a, c, d):
    document, _ = resolve(f"""\
        service: svc
        provider: {{name: aws}}
        custom:
          a: "{a}"
          b: {{c: "{c}", d: "{d}"}}
        """)
    assert document["service"] == "svc" and document["provider"]["name"] == "aws"
    assert set(document["custom"]) == {"a", "b"}
