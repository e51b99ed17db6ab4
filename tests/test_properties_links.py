"""Properties of the links between units (issue 12).

- A ``${file()}`` read of a sibling unit's file never changes the set of units:
  the file read is a unit in its own right, whoever else reads it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.strategies import topologies

from .hypothesis_support import property_settings

UNIT_FILES = ("serverless.yml", "serverless.json", "template.yaml", "template.json")


def _reader_service(unit_files: list[str]) -> str:
    """A serverless service beside the units that reads one value from each unit's file."""
    lines = ["service: reader", "provider:", "  name: aws", "  runtime: python3.12", "custom:"]
    for index, relpath in enumerate(unit_files):
        address = "service" if Path(relpath).name.startswith("serverless") else "Resources"
        lines.append(f"  read{index}: ${{file(../{relpath}):{address}}}")
    lines += ["functions:", "  read:", "    handler: reader.handler"]
    return "\n".join(lines) + "\n"


@property_settings
@given(topologies(min_units=1, max_units=3, max_functions=3))
def test_a_file_read_of_a_sibling_unit_never_changes_the_set_of_units(topology):
    with tempfile.TemporaryDirectory(prefix="topology-") as directory:
        root = Path(directory)
        written = topology.write(root)
        before = {(unit.name, unit.path) for unit in load(root).units()}
        unit_files = sorted(path.relative_to(root).as_posix() for path in written if path.name in UNIT_FILES)
        (root / "reader").mkdir()
        (root / "reader" / "serverless.yml").write_text(_reader_service(unit_files))
        after = {(unit.name, unit.path) for unit in load(root).units()}
    assert after == before | {("reader-dev", "reader/serverless.yml")}


PROVIDER = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  RatesUrl:
    Type: AWS::SSM::Parameter
    Properties: {Name: /shop/rates/url, Type: String, Value: https://rates.example.com}
  RatesTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
Outputs:
  RatesTableName:
    Value: !Ref RatesTable
    Export: {Name: rates-TableName}
"""

# How each function reads the provider's value: once in Globals, or each on its own line.
READS = {
    "globals ssm": ("    Environment: {Variables: {RATES_URL: '{{resolve:ssm:/shop/rates/url}}'}}\n", ""),
    "own ssm": ("", "      Environment: {Variables: {RATES_URL: '{{resolve:ssm:/shop/rates/url}}'}}\n"),
    "own import": ("", "      Environment: {Variables: {RATES_TABLE: !ImportValue rates-TableName}}\n"),
}


def _consumer(functions: int, read: str) -> str:
    in_globals, in_function = READS[read]
    text = "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: python3.12\n    CodeUri: src/\n"
    text += in_globals + "Resources:\n"
    for index in range(functions):
        text += f"  Fn{index}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: f{index}.handler\n"
        text += in_function
    return text


def _links(functions: int, read: str) -> list[tuple[str, str, str | None, str]]:
    with tempfile.TemporaryDirectory(prefix="links-") as directory:
        root = Path(directory)
        for name, text in (("rates", PROVIDER), ("pricing", _consumer(functions, read))):
            (root / name).mkdir()
            (root / name / "template.yaml").write_text(text)
        graph = load(root)
        assert graph.errors == []
        return sorted((link.kind, link.from_unit, link.to_unit, link.target) for link in graph.cross_unit_links())


@property_settings
@given(st.integers(min_value=2, max_value=12), st.sampled_from(sorted(READS)))
def test_more_functions_reading_the_same_cross_unit_value_never_change_the_links(functions, read):
    assert _links(functions, read) == _links(1, read) != []
