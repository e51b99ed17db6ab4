"""Differential test: the SAM reader against the official SAM transform.

``serverless-application-model/tests/translator`` holds the transform's
inputs and, under ``output/``, the CloudFormation it produced for each. For
every input with an output, the triggers the SAM reader finds in the input
must equal those the CloudFormation reader finds in the output, compared as
``(function, source, source kind)``. Logical ids SAM derives from a hash
(``...Deployment1a2b3c4d5e``, ``...Version0123456789``) are left out.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest

from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.loaders.templates import read_template
from pytest_serverless_arch.model import ForeignRef, LoadedUnit
from pytest_serverless_arch.parse import parse_text

TRANSLATOR = Path("serverless-application-model/tests/translator")
HASHED_ID = re.compile(r"[0-9a-f]{10}$")

# Inputs whose triggers differ on purpose, each with the reason.
EXCEPTIONS = {
    "implicit_api_with_serverless_rest_api_resource": (
        "the template names a *function* ServerlessRestApi; the transform silently replaces it with the "
        "implicit API, while the reader keeps the function the author wrote"
    ),
}

# Every SAM event type the issue lists must be exercised by at least one compared input.
EVENT_TYPES = {
    "Api",
    "HttpApi",
    "SQS",
    "SNS",
    "S3",
    "Schedule",
    "ScheduleV2",
    "EventBridgeRule",
    "CloudWatchEvent",
    "CloudWatchLogs",
    "DynamoDB",
    "Kinesis",
    "MSK",
    "MQ",
    "SelfManagedKafka",
    "DocumentDB",
    "IoTRule",
    "AlexaSkill",
    "Cognito",
}

Trigger = tuple[str, str, str]
Access = tuple[str, str, str]


def triggers_of(path: Path, template_format: str) -> tuple[set[Trigger], set[str]]:
    """``(function, source, source kind)`` of every trigger, and the details (event types) seen."""
    text = path.read_text(encoding="utf-8")
    unit = LoadedUnit(name="unit", format=template_format, path=path.name)
    read_template(unit, parse_text(text, json_first=path.suffix == ".json"), LoadConfig())
    kinds = {resource.logical_id: resource.kind for resource in unit.resources}
    found: set[Trigger] = set()
    details: set[str] = set()
    for edge in unit.edges:
        if edge.kind != "triggers":
            continue
        ends = []
        for end in (edge.target, edge.source):
            if isinstance(end, ForeignRef):
                ends.append((f"external:{end.how}:{end.key}", end.kind_hint))
            else:
                ends.append((end, kinds.get(end, "?")))
        if any(not name.startswith("external:") and HASHED_ID.search(name) for name, _ in ends):
            continue
        (function, _), (source, source_kind) = ends
        found.add((function, source, source_kind))
        details.add(edge.detail.split(" ")[0])
    return found, details


def accesses_of(path: Path, template_format: str) -> set[Access]:
    """``(kind, source, target)`` of every ``accesses``/``invokes`` edge, SAM's generated roles left out."""
    text = path.read_text(encoding="utf-8")
    unit = LoadedUnit(name="unit", format=template_format, path=path.name)
    read_template(unit, parse_text(text, json_first=path.suffix == ".json"), LoadConfig())
    found: set[Access] = set()
    for edge in unit.edges:
        if edge.kind not in ("accesses", "invokes"):
            continue
        ends = [
            f"external:{end.how}:{end.key}" if isinstance(end, ForeignRef) else str(end) for end in (edge.source, edge.target)
        ]
        if not any(not name.startswith("external:") and HASHED_ID.search(name) for name in ends):
            found.add((edge.kind, ends[0], ends[1]))
    return found


def translator_cases(corpus: Path) -> list[str]:
    inputs = corpus / TRANSLATOR / "input"
    outputs = corpus / TRANSLATOR / "output"
    return sorted(
        path.stem
        for path in inputs.glob("*.yaml")
        if not path.stem.startswith("error_") and (outputs / f"{path.stem}.json").is_file()
    )


def test_the_sam_reader_finds_the_triggers_the_sam_transform_produces(corpus: Path) -> None:
    root = corpus / TRANSLATOR
    cases = translator_cases(corpus)
    assert len(cases) > 500, "the SAM translator corpus is incomplete"
    mismatches: dict[str, str] = {}
    equal = edges = 0
    event_types: set[str] = set()
    for name in cases:
        expected, _ = triggers_of(root / "output" / f"{name}.json", "cloudformation")
        actual, details = triggers_of(root / "input" / f"{name}.yaml", "sam")
        edges += len(actual)
        event_types |= details
        if expected == actual:
            equal += 1
        elif name not in EXCEPTIONS:
            mismatches[name] = (
                f"only in the transform output: {sorted(expected - actual)}; "
                f"only from the SAM reader: {sorted(actual - expected)}"
            )
    unused = sorted(
        name
        for name in EXCEPTIONS
        if name in cases
        and name not in mismatches
        and triggers_of(root / "output" / f"{name}.json", "cloudformation")[0]
        == triggers_of(root / "input" / f"{name}.yaml", "sam")[0]
    )
    print(
        f"SAM differential: {len(cases)} inputs compared, {equal} equal, "
        f"{len(EXCEPTIONS)} listed exceptions, {len(mismatches)} unexpected mismatches, {edges} trigger edges"
    )
    assert mismatches == {}
    assert unused == [], "an exception that no longer differs must leave the list"
    assert equal >= len(cases) - len(EXCEPTIONS)
    assert edges > 400
    assert event_types >= EVENT_TYPES, f"event types never exercised: {sorted(EVENT_TYPES - event_types)}"


def test_the_sam_reader_finds_the_accesses_of_the_roles_the_sam_transform_writes(corpus: Path) -> None:
    """A floor, not equality: the transform adds statements the reader does not model (event source
    secrets and KMS keys, ``table/x/index/*`` wildcards, connectors whose source is a role name)."""
    root = corpus / TRANSLATOR
    cases = translator_cases(corpus)
    equal = sum(
        accesses_of(root / "output" / f"{name}.json", "cloudformation") == accesses_of(root / "input" / f"{name}.yaml", "sam")
        for name in cases
    )
    print(f"SAM differential (accesses/invokes): {equal} of {len(cases)} inputs equal")
    assert equal >= 500


# --- real templates, transformed offline by aws-sam-translator (only where it is installed) ---------


def _packaged(template: dict) -> dict:  # type: ignore[type-arg]
    """What ``sam package`` does before the transform: local code and definition paths become S3 URIs."""

    def local(value: object) -> bool:
        return isinstance(value, str) and not value.startswith("s3://")

    function_globals = (template.get("Globals") or {}).get("Function") or {}
    if local(function_globals.get("CodeUri")):
        function_globals["CodeUri"] = "s3://bucket/code.zip"
    for resource in (template.get("Resources") or {}).values():
        if not isinstance(resource, dict) or not str(resource.get("Type", "")).startswith("AWS::Serverless::"):
            continue
        properties = resource.setdefault("Properties", {})
        if not isinstance(properties, dict):
            continue
        type_name = resource["Type"]
        if type_name == "AWS::Serverless::Function":
            has_code = (
                any(key in properties for key in ("CodeUri", "InlineCode", "ImageUri"))
                or "CodeUri" in function_globals
                or properties.get("PackageType") == "Image"
            )
            if local(properties.get("CodeUri")) or not has_code:
                properties["CodeUri"] = "s3://bucket/code.zip"
        elif type_name == "AWS::Serverless::LayerVersion" and local(properties.get("ContentUri")):
            properties["ContentUri"] = "s3://bucket/layer.zip"
        elif local(properties.get("DefinitionUri")):
            properties["DefinitionUri"] = "s3://bucket/definition"
        elif type_name == "AWS::Serverless::Application" and local(properties.get("Location")):
            properties["Location"] = "https://s3.amazonaws.com/bucket/template.yaml"
    return template


def test_real_sam_templates_give_the_triggers_of_their_transformed_cloudformation(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every third SAM template of serverless-patterns, transformed by aws-sam-translator offline."""
    transform = pytest.importorskip("samtranslator.translator.transform").transform
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the transform asks boto3 for a region
    from samtranslator.yaml_helper import yaml_parse

    def plain(value: object) -> object:
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value.isoformat() if isinstance(value, datetime.date) else value

    class NoManagedPolicies:
        def load(self) -> dict:  # type: ignore[type-arg]
            return {}

    rows = [line.split("\t") for line in (corpus / "MANIFEST.tsv").read_text().splitlines()[1:]]
    paths = sorted(row[0] for row in rows if row[1] == "sam" and row[0].startswith("serverless-patterns/"))[::3]
    compared = equal = 0
    mismatches = {}
    for relpath in paths:
        source = corpus / relpath
        try:
            template = _packaged(plain(yaml_parse(source.read_text())))  # type: ignore[arg-type]
            parameters = {
                name: spec.get("Default", "x")
                for name, spec in (template.get("Parameters") or {}).items()
                if isinstance(spec, dict)
            }
            parameters.update({"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"})
            output = transform(template, parameters, NoManagedPolicies())
        except Exception:  # the transform rejects the template (or YAML it cannot read): nothing to compare
            continue
        transformed = tmp_path / (relpath.replace("/", "__") + ".json")
        transformed.write_text(json.dumps(output, default=str))
        try:
            actual, _ = triggers_of(source, "sam")
        except Exception:
            continue  # our parser refuses it (duplicate keys): a load error, tested elsewhere
        expected, _ = triggers_of(transformed, "cloudformation")
        compared += 1
        if expected == actual:
            equal += 1
        else:
            mismatches[relpath] = (sorted(expected - actual), sorted(actual - expected))
    print(f"real SAM templates transformed by aws-sam-translator: {compared} compared, {equal} equal")
    assert compared > 100
    assert mismatches == {}
