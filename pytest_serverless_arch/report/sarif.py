"""SARIF 2.1.0, for GitHub code scanning and the other tools that read static-analysis results.

One result per violation and per load error. Each rule carries its
description, reason and a help link to its docs page. Artifact locations are
relative to the repository (the enclosing git checkout when there is one), so
code scanning puts each finding on its line. ``partialFingerprints`` come from
the stage-independent finding identity, so a finding keeps its alert across
stages and unrelated edits; suppressed findings carry their reason and
baselined ones are ``baselineState: unchanged``.

>>> log = json.loads(render_sarif(build_document(DeploymentGraph())))  # doctest: +SKIP
>>> log["version"]  # doctest: +SKIP
'2.1.0'
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any

from ..model import Location
from ..rules.base import DOCS_URL
from .document import ReportDocument
from .findings import Finding, finding_fingerprint

__all__ = ["LOAD_ERROR_RULE", "SARIF_SCHEMA", "render_sarif", "sarif_log"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LOAD_ERROR_RULE = "load-error"
LOAD_ERROR_DOCS = "https://github.com/pytest-serverless-arch/pytest-serverless-arch/blob/main/docs/reports.md#load-errors"
FINGERPRINT_KEY = "serverlessArchFinding/v1"
TOOL_URI = "https://github.com/pytest-serverless-arch/pytest-serverless-arch"


def render_sarif(document: ReportDocument) -> str:
    return json.dumps(sarif_log(document), indent=2) + "\n"


def sarif_log(document: ReportDocument) -> dict[str, Any]:
    """The SARIF log as JSON-ready data (one run)."""
    prefix = _repository_prefix(document.root)
    rules: list[dict[str, Any]] = [
        {
            "id": rule.id,
            "name": _pascal(rule.id),
            "shortDescription": {"text": rule.description or rule.id},
            "fullDescription": {"text": _sentences(rule.description, rule.reason) or rule.id},
            "helpUri": rule.docs_url or DOCS_URL.format(id=rule.id),
            "help": {"text": rule.reason or rule.description or rule.id},
            "defaultConfiguration": {"level": "error"},
        }
        for rule in document.rules
    ]
    rules.append(
        {
            "id": LOAD_ERROR_RULE,
            "name": "LoadError",
            "shortDescription": {"text": "a template could not be read"},
            "fullDescription": {
                "text": "A file (or part of one) could not be read; it is left out of the graph "
                "and every other unit is still checked."
            },
            "helpUri": LOAD_ERROR_DOCS,
            "help": {"text": "Fix the file, or ignore it with serverless_arch_ignore."},
            "defaultConfiguration": {"level": "error"},
        }
    )
    index: dict[str, int] = {str(rule["id"]): position for position, rule in enumerate(rules)}
    results = [_finding_result(finding, index, prefix, document.baseline_used) for finding in document.findings]
    for error in document.graph.errors:
        results.append(
            {
                "ruleId": LOAD_ERROR_RULE,
                "ruleIndex": index[LOAD_ERROR_RULE],
                "level": "error",
                "message": {"text": error.message},
                "locations": [_location(error.location, prefix)],
                "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(f"{LOAD_ERROR_RULE}|{error.path}|{error.message}")},
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pytest-serverless-arch",
                        "version": _version(),
                        "informationUri": TOOL_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": _repository_root(document.root).as_uri() + "/"}},
                "results": results,
                "invocations": [{"executionSuccessful": True}],
            }
        ],
    }


def _finding_result(finding: Finding, index: dict[str, int], prefix: PurePosixPath, baseline_used: bool) -> dict[str, Any]:
    violation = finding.violation
    result: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    result["level"] = "error"
    result["message"] = {"text": violation.message}
    result["locations"] = [_location(violation.location, prefix)]
    result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.state == "suppressed":
        suppression: dict[str, Any] = {"kind": "inSource", "status": "accepted", "justification": finding.justification}
        if finding.suppressed_at is not None:
            suppression["location"] = _location(finding.suppressed_at, prefix)
        result["suppressions"] = [suppression]
    if finding.state == "baselined":
        result["baselineState"] = "unchanged"
    elif baseline_used:
        result["baselineState"] = "new"
    result["properties"] = {"units": list(violation.units), "resources": list(violation.resources)}
    return result


def _location(location: Location, prefix: PurePosixPath) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": (prefix / location.path).as_posix(), "uriBaseId": "SRCROOT"}}
    if location.line > 0:
        region: dict[str, Any] = {"startLine": location.line}
        if location.column > 0:
            region["startColumn"] = location.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _repository_root(root: Path) -> Path:
    """The enclosing git checkout (a ``.git`` directory or file), else ``root`` itself. Nothing is run."""
    for candidate in (root, *root.parents):
        if (candidate / ".git").exists():
            return candidate
    return root


def _repository_prefix(root: Path) -> PurePosixPath:
    return PurePosixPath(root.relative_to(_repository_root(root)).as_posix())


def _sentences(*parts: str) -> str:
    """``"every lambda ships with its trigger", "A trigger ..."`` -> ``"Every lambda ships with its trigger. A trigger ..."``."""
    sentences = [part.strip() for part in parts if part and part.strip()]
    return " ".join(s[0].upper() + s[1:] + ("" if s.endswith((".", "!", "?")) else ".") for s in sentences)


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.replace("_", "-").split("-") if part)


def _version() -> str:
    try:
        return version("pytest-serverless-arch")
    except PackageNotFoundError:  # running from a source tree
        return "0"
