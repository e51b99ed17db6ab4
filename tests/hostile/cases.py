"""Hostile repositories, built at test time (issue 13).

Each case writes one hostile thing into a fresh repository beside a good SAM
unit and a good serverless unit, with a canary file outside the repository.
``scale`` grows the generated inputs: 1 is what the test suite runs (sizes
that prove a bound in seconds); the benchmark uses the issue's sizes.

>>> sorted(CASES)[:3]
['alias-recursive', 'big-json-objects', 'big-yaml-list']
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CANARY", "CASES", "GOOD_UNITS", "Case", "build"]

# Text that must never appear in any output: it is only outside the repository and in the environment.
CANARY = "CANARY-7f3a9c-do-not-print"

GOOD_SAM = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Events:
        Q:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
"""
GOOD_SERVERLESS = """\
service: good-sls
provider:
  name: aws
  runtime: python3.12
functions:
  hello:
    handler: h.main
    events:
      - sqs: arn:aws:sqs:us-east-1:123456789012:q
"""
# The unit names the good files give, which every case's report must still hold.
GOOD_UNITS = ("good-sam", "good-sls-dev")

SAM_HEADER = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
FUNCTION = "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Runtime: python3.12\n"


@dataclass(frozen=True)
class Case:
    """One hostile input: which class of the issue it belongs to, and how to build it."""

    name: str
    item: int  # the numbered item of issue 13
    build: Callable[[Path, Path, int], None]  # (repository, outside folder, scale)
    expect: tuple[str, ...] = ()  # texts the report's errors and notes must hold (``path:line: message``)
    units: tuple[str, ...] = ()  # units it must still report besides the good ones
    text: tuple[str, ...] = ()  # texts the text report must hold (escaped names)
    needs_root: bool = False
    needs_user: bool = False  # root reads every file whatever its mode: the case means nothing as root


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)


def build(case: Case, base: Path, scale: int = 1) -> Path:
    """Build ``case`` under ``base``: ``base/repo`` (returned) and ``base/outside`` with the canary."""
    repo, outside = base / "repo", base / "outside"
    outside.mkdir(parents=True)
    _write(outside / "secret.txt", f"{CANARY}\nSECRET={CANARY}\n")
    _write(repo / "good-sam" / "template.yaml", GOOD_SAM)
    _write(repo / "good-sls" / "serverless.yml", GOOD_SERVERLESS)
    case.build(repo, outside, scale)
    return repo


# --- 1-3: leaks -------------------------------------------------------------------------


def _terraform_environ(repo: Path, outside: Path, scale: int) -> None:
    _write(repo / "infra" / "main.tf", 'provider "aws" {\n  region = "eu-west-1"\n}\nvariable "x" {}\n')
    (repo / "infra" / "terraform.tfvars").symlink_to("/proc/self/environ")


def _terraform_outside_tf(repo: Path, outside: Path, scale: int) -> None:
    _write(repo / "infra" / "main.tf", 'provider "aws" {\n  region = "eu-west-1"\n}\n')
    _write(outside / "evil.tf", f'resource "aws_lambda_function" "{CANARY}" {{\n  function_name = "{CANARY}"\n}}\n')
    (repo / "infra" / "evil.tf").symlink_to(outside / "evil.tf")
    _write(outside / "vars.json", json.dumps({"x": CANARY}))
    (repo / "infra" / "prod.auto.tfvars.json").symlink_to(outside / "vars.json")


def _samconfig_outside(repo: Path, outside: Path, scale: int) -> None:
    _write(repo / "app" / "template.yaml", GOOD_SAM)
    _write(outside / "samconfig.toml", f'version = 0.1\n[default.deploy.parameters]\nstack_name = "{CANARY}"\n')
    (repo / "app" / "samconfig.toml").symlink_to(outside / "samconfig.toml")


def _cdk_manifest_outside(repo: Path, outside: Path, scale: int) -> None:
    manifest = {
        "version": "36.0.0",
        "artifacts": {CANARY: {"type": "aws:cloudformation:stack", "properties": {"templateFile": "t.json"}}},
    }
    _write(outside / "cdk.out" / "manifest.json", json.dumps(manifest))
    _write(outside / "cdk.out" / "t.json", json.dumps({"Resources": {CANARY: {"Type": "AWS::SQS::Queue"}}}))
    (repo / "cdk" / "cdk.out").mkdir(parents=True)
    _write(repo / "cdk" / "cdk.json", "{}")
    (repo / "cdk" / "cdk.out" / "manifest.json").symlink_to(outside / "cdk.out" / "manifest.json")


def _include_outside(repo: Path, outside: Path, scale: int) -> None:
    _write(outside / "api.yaml", f"openapi: 3.0.0\ninfo: {{title: {CANARY}}}\npaths: {{}}\n")
    (repo / "api").mkdir()
    (repo / "api" / "openapi.yaml").symlink_to(outside / "api.yaml")
    _write(
        repo / "api" / "template.yaml",
        SAM_HEADER + "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n"
        "      DefinitionUri: openapi.yaml\n",
    )
    _write(repo / "sls" / "serverless.yml", "service: filer\nprovider: {name: aws}\ncustom: ${file(../../outside/secret.txt)}\n")


# --- 4-7: hangs and memory -------------------------------------------------------------


def _alias_recursive(repo: Path, outside: Path, scale: int) -> None:
    _write(
        repo / "rec" / "template.yaml",
        SAM_HEADER + FUNCTION + "      Tags: &t [a, *t]\n",
    )


def _serverless_list_doubling(repo: Path, outside: Path, scale: int) -> None:
    levels = 40 if scale > 1 else 30  # the 40 levels; 30 already passes the budget
    lines = ["service: lists", "provider: {name: aws}", "custom:", "  l0: [a]"]
    lines += [f"  l{i}: ['${{self:custom.l{i - 1}}}', '${{self:custom.l{i - 1}}}']" for i in range(1, levels + 1)]
    lines += ["functions:", "  f:", "    handler: h.h", f"    description: ${{self:custom.l{levels}}}"]
    _write(repo / "lists" / "serverless.yml", "\n".join(lines) + "\n")


def _serverless_string_doubling(repo: Path, outside: Path, scale: int) -> None:
    levels = 40
    lines = ["service: strings", "provider: {name: aws}", "custom:", "  s0: ab"]
    lines += [f"  s{i}: ${{self:custom.s{i - 1}}}${{self:custom.s{i - 1}}}" for i in range(1, levels + 1)]
    lines += ["functions:", "  f:", "    handler: h.h", f"    description: ${{self:custom.s{levels}}}"]
    _write(repo / "strings" / "serverless.yml", "\n".join(lines) + "\n")


def _file_chain_doubling(repo: Path, outside: Path, scale: int) -> None:
    count = 40
    for i in range(count):
        body = f"v: ['${{file(./f{i + 1}.yml):v}}', '${{file(./f{i + 1}.yml):v}}']\n" if i + 1 < count else "v: leaf\n"
        _write(repo / "chain" / f"f{i}.yml", body)
    _write(
        repo / "chain" / "serverless.yml",
        "service: chain\nprovider: {name: aws}\ncustom: ${file(./f0.yml)}\nfunctions:\n  f:\n    handler: h.h\n",
    )


def _terraform_locals_doubling(repo: Path, outside: Path, scale: int) -> None:
    # the 22 levels of doubling; in the suite, 9 levels of five copies (4 MB of text, within
    # the evaluator's depth limit) so that the budget is what stops it
    levels, copies = (22, 2) if scale > 1 else (9, 5)
    lines = ['provider "aws" {\n  region = "eu-west-1"\n}', "locals {", '  l0 = "ab"']
    lines += [f'  l{i} = "' + f"${{local.l{i - 1}}}" * copies + '"' for i in range(1, levels + 1)]
    lines.append("}")
    lines.append(f'resource "aws_sqs_queue" "q" {{\n  name = local.l{levels}\n}}')
    _write(repo / "tflocals" / "main.tf", "\n".join(lines) + "\n")


def _nested_fan_out(repo: Path, outside: Path, scale: int) -> None:
    children, levels = (4, 9) if scale > 1 else (3, 9)
    for level in range(levels):
        stacks = "".join(
            f"  S{c}:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./n{level + 1}.yaml\n"
            for c in range(children)
        )
        _write(repo / "nest" / f"n{level}.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + stacks)
    _write(
        repo / "nest" / f"n{levels}.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"
    )
    _write(
        repo / "nest" / "template.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Root:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties:\n      TemplateURL: ./n0.yaml\n",
    )


def _merge_chain(repo: Path, outside: Path, scale: int) -> None:
    # each mapping merges the one before: the document grows quadratically while it is built
    levels = 5000 if scale > 1 else 1000
    lines = ["Mappings:", "  m0: &m0 {k0: 0}"] + [f"  m{i}: &m{i} {{<<: *m{i - 1}, k{i}: {i}}}" for i in range(1, levels)]
    _write(repo / "merges" / "template.yaml", SAM_HEADER + FUNCTION + "\n".join(lines) + "\n")


def _big_yaml_list(repo: Path, outside: Path, scale: int) -> None:
    # the 19 MB; in the suite past the base bound of 250,000 values: both load (the bound grows with the text)
    items = 1_600_000 if scale > 1 else 300_000
    _write(repo / "big" / "template.yaml", SAM_HEADER + FUNCTION + "      Tags:\n" + "        - a\n" * items)


def _big_json_objects(repo: Path, outside: Path, scale: int) -> None:
    items = 2_400_000 if scale > 1 else 150_000  # the 19 MB of small objects
    body = ",".join(['{"a":1}'] * items)
    _write(repo / "bigjson" / "template.json", '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Metadata": [' + body + "]}")


def _fifo(repo: Path, outside: Path, scale: int) -> None:
    (repo / "fifo").mkdir()
    os.mkfifo(repo / "fifo" / "template.yaml")


def _device(repo: Path, outside: Path, scale: int) -> None:
    (repo / "dev").mkdir()
    os.mknod(repo / "dev" / "template.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero


# --- 8-11, 13-14: crashes and silent losses ----------------------------------------------


def _huge_int(repo: Path, outside: Path, scale: int) -> None:
    digits = "9" * 5000
    _write(repo / "int" / "template.yaml", SAM_HEADER + FUNCTION + f"      MemorySize: {digits}\n")
    _write(repo / "intjson" / "template.json", '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "X": ' + digits + "}}}")
    _write(repo / "intsls" / "serverless.yml", f"service: ints\nprovider: {{name: aws}}\ncustom:\n  n: {digits}\n")
    _write(repo / "intcompose" / "serverless-compose.yml", f"services:\n  a:\n    path: a\n    n: {digits}\n")


def _symlink_loop(repo: Path, outside: Path, scale: int) -> None:
    (repo / "loop").mkdir()
    (repo / "loop" / "loop.yaml").symlink_to("loop.yaml")
    (repo / "loop" / "a.yaml").symlink_to("b.yaml")
    (repo / "loop" / "b.yaml").symlink_to("a.yaml")


def _no_permission(repo: Path, outside: Path, scale: int) -> None:
    _write(repo / "locked" / "template.yaml", GOOD_SAM)
    _write(repo / "unlisted" / "template.yaml", GOOD_SAM)
    (repo / "locked").chmod(0o600)  # listable, not searchable
    (repo / "unlisted").chmod(0o100)  # searchable, not listable


def _surrogate(repo: Path, outside: Path, scale: int) -> None:
    _write(
        repo / "sur" / "template.json",
        '{"Resources": {"F\\udc80\\u001b[31mX": {"Type": "AWS::Lambda::Function", "Properties": {}}}}',
    )


def _deep_toml(repo: Path, outside: Path, scale: int) -> None:
    _write(repo / "toml" / "template.yaml", GOOD_SAM)
    _write(repo / "toml" / "samconfig.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n")


def _nul_in_file_path(repo: Path, outside: Path, scale: int) -> None:
    # a NUL written as YAML's escape: the file is text, the path it names is not
    _write(repo / "nul" / "serverless.yml", 'service: nul\nprovider: {name: aws}\ncustom: "${file(./a\\0b.yml)}"\n')


def _nul_byte(repo: Path, outside: Path, scale: int) -> None:
    _write(repo / "nulbyte" / "template.yaml", SAM_HEADER.encode() + b"  Q:\n    Type: AWS::SQS::Queue\x00\n")


def _utf16_utf32(repo: Path, outside: Path, scale: int) -> None:
    text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Wide:\n    Type: AWS::SQS::Queue\n"
    for encoding in ("utf-16", "utf-32", "utf-16-le"):
        _write(repo / encoding / "template.yaml", text.encode(encoding))


def _self_naming_definition(repo: Path, outside: Path, scale: int) -> None:
    _write(
        repo / "selfdef" / "template.yaml",
        SAM_HEADER + "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n"
        "      DefinitionUri: template.yaml\n",
    )


def _mutual_nesting(repo: Path, outside: Path, scale: int) -> None:
    stack = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Other:\n    Type: AWS::CloudFormation::Stack\n"
    _write(repo / "mutual" / "a.yaml", stack + "    Properties:\n      TemplateURL: ./b.yaml\n")
    _write(repo / "mutual" / "b.yaml", stack + "    Properties:\n      TemplateURL: ./a.yaml\n")


def _serverless_list_top(repo: Path, outside: Path, scale: int) -> None:
    _write(repo / "listtop" / "serverless.yml", "- service: x\n- provider: {name: aws}\n")


def _sam_events_list(repo: Path, outside: Path, scale: int) -> None:
    _write(
        repo / "evlist" / "template.yaml",
        SAM_HEADER + FUNCTION + "      Events:\n        - Type: SQS\n          Properties: {Queue: arn:aws:sqs:eu-west-1:1:q}\n",
    )


# --- 15-16: messages and scale --------------------------------------------------------------


def _control_characters(repo: Path, outside: Path, scale: int) -> None:
    _write(
        repo / "ctl" / "template.json",
        '{"Resources": {"Evil\\u001b[2J\\nFAKE LINE": {"Type": "AWS::Lambda::Function", "Properties": {}}, '
        '"Bad": {"Properties": {}}}}',
    )
    _write(repo / "ctl" / "bad\x1b[31mname.yaml", "Resources: [\n")


def _many_units(repo: Path, outside: Path, scale: int) -> None:
    count = 1000 if scale == 1 else 5000
    for index in range(count):
        _write(
            repo / "many" / f"u{index}" / "template.yaml",
            f"Resources:\n  Q{index}:\n    Type: AWS::SQS::Queue\n  T{index}:\n    Type: AWS::SNS::Topic\n",
        )


CASES: dict[str, Case] = {
    case.name: case
    for case in (
        Case("terraform-tfvars-environ", 1, _terraform_environ, ("infra/terraform.tfvars:1: file resolves outside",)),
        Case("terraform-outside-files", 1, _terraform_outside_tf, ("infra/evil.tf:1: file resolves outside the repository",)),
        Case("samconfig-outside", 2, _samconfig_outside, ("app/samconfig.toml:1: resolves outside the repository",)),
        Case("cdk-manifest-outside", 2, _cdk_manifest_outside, ("cdk/cdk.out/manifest.json:1: resolves outside",)),
        Case(
            "include-outside",
            3,
            _include_outside,
            ("api/template.yaml:7: API definition api/openapi.yaml is a symlink out", "sls/serverless.yml:3: "),
        ),
        Case("alias-recursive", 4, _alias_recursive, ("rec/template.yaml:8: a recursive YAML alias",)),
        Case("serverless-list-doubling", 5, _serverless_list_doubling, ("lists/serverless.yml:", "expansion budget")),
        Case("serverless-string-doubling", 5, _serverless_string_doubling, ("strings/serverless.yml:", "expansion budget")),
        Case("file-chain-doubling", 5, _file_chain_doubling, ("chain/serverless.yml:3: variables expand beyond the expansion",)),
        Case("terraform-locals-doubling", 5, _terraform_locals_doubling, ("tflocals/main.tf:", "expansion budget")),
        Case("nested-fan-out", 5, _nested_fan_out, ("nested stacks expand beyond the expansion budget",)),
        Case("big-yaml-list", 6, _big_yaml_list, units=("big",)),
        Case("big-json-objects", 6, _big_json_objects, units=("bigjson",)),
        Case("merge-chain", 5, _merge_chain, ("merges/template.yaml:", ": YAML merge keys (<<) copy this document past")),
        Case("fifo", 7, _fifo, ("fifo/template.yaml:1: a FIFO (named pipe), not a regular file",)),
        Case("device", 7, _device, ("dev/template.yaml:1: a character device, not a regular file",), needs_root=True),
        Case(
            "huge-int",
            8,
            _huge_int,
            (
                "int/template.yaml:8: invalid YAML: a number with more digits than can be read (5,000)",
                "intjson/template.json:1: invalid JSON: a number with more digits",
                "intsls/serverless.yml:4: invalid YAML: a number with more digits",
                "intcompose/serverless-compose.yml:4: invalid YAML: a number with more digits",
            ),
        ),
        Case(
            "symlink-loop",
            9,
            _symlink_loop,
            ("loop/loop.yaml:1: a symlink loop", "loop/a.yaml:1: a symlink loop", "loop/b.yaml:1: a symlink loop"),
        ),
        Case(
            "no-permission",
            10,
            _no_permission,
            (
                "unlisted: folder cannot be listed (permission denied)",
                "locked/template.yaml:1: cannot be read: permission denied",
            ),
            needs_user=True,
        ),
        Case("surrogate-text", 11, _surrogate, units=("sur",), text=("function F\\udc80\\x1b[31mX",)),
        Case("deep-toml", 13, _deep_toml, ("toml/samconfig.toml:1: TOML nesting is too deep",), units=("toml",)),
        Case("nul-in-file-path", 13, _nul_in_file_path, ("nul/serverless.yml:3: ",), units=("nul-dev",)),
        Case("nul-byte", 13, _nul_byte, ("nulbyte/template.yaml:4: not text (a NUL character)",)),
        Case("utf16-utf32", 14, _utf16_utf32, units=("utf-16", "utf-32", "utf-16-le")),
        Case(
            "self-naming-definition",
            14,
            _self_naming_definition,
            ("selfdef/template.yaml:7: API definition selfdef/template.yaml is this template itself",),
        ),
        Case("mutual-nesting", 14, _mutual_nesting, ("mutual/b.yaml:6: nested stack Other: mutual/a.yaml includes itself",)),
        Case(
            "serverless-list-top", 14, _serverless_list_top, ("listtop/serverless.yml:1: a serverless service must be a mapping",)
        ),
        Case("sam-events-list", 14, _sam_events_list, ("evlist/template.yaml:8: Fn: `Events` must be a mapping",)),
        Case(
            "control-characters",
            15,
            _control_characters,
            ("ctl/template.json:1: resource Bad has no `Type`",),
            text=("function Evil\\x1b[2J\\nFAKE LINE", "ctl/bad\\x1b[31mname.yaml:2: invalid YAML"),
        ),
        Case("many-units", 16, _many_units, units=("u0", "u999")),
    )
}
