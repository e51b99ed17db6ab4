"""Differential test: the SAM reader against the official SAM transform.

``serverless-application-model/tests/translator`` holds the transform's
inputs and, under ``output/``, the CloudFormation it produced for each. For
every input with an output, the triggers the SAM reader finds in the input
must equal those the CloudFormation reader finds in the output, compared as
``(function, source, source kind)``. Logical ids SAM derives from a hash
(``...Deployment1a2b3c4d5e``, ``...Version0123456789``) are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.load.cloudformation import read_template
from pytest_serverless_arch.load.parse import parse_text
from pytest_serverless_arch.model import ForeignRef, LoadedUnit

TRANSLATOR = Path("serverless-application-model/tests/translator")
HASHED_ID = re.compile(r"[0-9a-f]{10}$")

# Inputs whose triggers differ on purpose, each with the reason.
EXCEPTIONS = {
    "implicit_api_with_serverless_rest_api_resource":
        "the template names a *function* ServerlessRestApi; the transform silently replaces it with the "
        "implicit API, while the reader keeps the function the author wrote",
}

# Every SAM event type the issue lists must be exercised by at least one compared input.
EVENT_TYPES = {
    "Api", "HttpApi", "SQS", "SNS", "S3", "Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent",
    "CloudWatchLogs", "DynamoDB", "Kinesis", "MSK", "MQ", "SelfManagedKafka", "DocumentDB", "IoTRule",
    "AlexaSkill", "Cognito",
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
        ends = [f"external:{end.how}:{end.key}" if isinstance(end, ForeignRef) else str(end)
                for end in (edge.source, edge.target)]
        if not any(not name.startswith("external:") and HASHED_ID.search(name) for name in ends):
            found.add((edge.kind, ends[0], ends[1]))
    return found


def translator_cases(corpus: Path) -> list[str]:
    inputs = corpus / TRANSLATOR / "input"
    outputs = corpus / TRANSLATOR / "output"
    return sorted(path.stem for path in inputs.glob("*.yaml")
                  if not path.stem.startswith("error_") and (outputs / f"{path.stem}.json").is_file())


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
            mismatches[name] = (f"only in the transform output: {sorted(expected - actual)}; "
                                f"only from the SAM reader: {sorted(actual - expected)}")
    unused = sorted(name for name in EXCEPTIONS if name in cases and name not in mismatches
                    and triggers_of(root / "output" / f"{name}.json", "cloudformation")[0]
                    == triggers_of(root / "input" / f"{name}.yaml", "sam")[0])
    print(f"SAM differential: {len(cases)} inputs compared, {equal} equal, "
          f"{len(EXCEPTIONS)} listed exceptions, {len(mismatches)} unexpected mismatches, {edges} trigger edges")
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
    equal = sum(accesses_of(root / "output" / f"{name}.json", "cloudformation")
                == accesses_of(root / "input" / f"{name}.yaml", "sam") for name in cases)
    print(f"SAM differential (accesses/invokes): {equal} of {len(cases)} inputs equal")
    assert equal >= 500
