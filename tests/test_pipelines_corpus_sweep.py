"""Every pipeline file of the shared corpus is read with no traceback; run with ``-s`` for the counts.

The corpus holds the official ``sam pipeline init`` templates (GitHub Actions,
GitLab, Bitbucket, Jenkins, CodePipeline), their rendered test expectations,
and samstacks manifests. The ``{{cookiecutter...}}`` placeholders of the
unrendered templates are bad input on purpose: they must become notes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.pipelines import PipelineScan, read_pipeline_file, read_pipelines

# Rendered expectations are kept under test names; each is read as the system it renders.
RENDERED = {
    "testfile_github": "github-actions",
    "testfile_gitlab": "gitlab-ci",
    "testfile_bitbucket": "bitbucket-pipelines",
    "testfile_jenkins": "jenkins",
}


@pytest.fixture(scope="module")
def scans(corpus: Path) -> dict[str, PipelineScan]:
    root = corpus / "pipelines"
    if not root.is_dir():
        pytest.skip(f"the corpus has no pipelines at {root}")
    found: dict[str, PipelineScan] = {}
    templates = root / "sam-pipeline-init-templates"
    for output in sorted(templates.glob("*/*/{{cookiecutter.outputDir}}")):
        found[str(output.relative_to(root))] = read_pipelines(output, LoadConfig())
    for folder, system in RENDERED.items():
        for path in sorted((templates / "tests" / folder).iterdir()):
            if path.suffix in (".yml", ".yaml") or path.name == "expected":
                found[str(path.relative_to(root))] = read_pipeline_file(templates, str(path.relative_to(templates)), system)
    found["samstacks"] = read_pipelines(root / "samstacks", LoadConfig())
    return found


def totals(scans: dict[str, PipelineScan]) -> dict[str, int]:
    pipelines = [pipeline for scan in scans.values() for pipeline in scan.pipelines]
    deployments = [deployment for pipeline in pipelines for deployment in pipeline.deployments]
    return {
        "pipelines": len(pipelines),
        "deploy commands": len(deployments),
        "parameter values": sum(len(deployment.parameters) for deployment in deployments),
        "deploy-time reads": sum(len(pipeline.deploy_time_refs) for pipeline in pipelines),
        "notes": sum(len(scan.notes) for scan in scans.values()),
    }


def test_the_corpus_pipelines_are_read_without_a_traceback_and_the_counts_are_printed(scans):
    print()
    for name, scan in scans.items():
        deployments = sum(len(pipeline.deployments) for pipeline in scan.pipelines)
        systems = sorted({pipeline.system for pipeline in scan.pipelines})
        print(f"  {name}: {len(scan.pipelines)} pipelines ({', '.join(systems)}), {deployments} deploy commands")
    counts = totals(scans)
    print("corpus pipelines: " + ", ".join(f"{value} {key}" for key, value in counts.items()))
    internal = [str(note) for scan in scans.values() for note in scan.notes if "internal error" in note.message]
    assert internal == []
    assert counts["pipelines"] >= 20
    assert counts["deploy commands"] >= 25
    assert counts["parameter values"] >= 15


def test_every_official_rendered_pipeline_deploys_its_template_to_the_testing_and_prod_stacks(scans):
    for name, scan in scans.items():
        if "/tests/testfile_" not in f"/{name}":
            continue
        stacks = {d.stack_name for pipeline in scan.pipelines for d in pipeline.deployments}
        templates = {d.template for pipeline in scan.pipelines for d in pipeline.deployments}
        assert {"test-stack", "prod-stack"} <= stacks, name
        assert templates == {"template.yaml"}, name


def test_cookiecutter_placeholders_are_notes_with_a_line_never_lost_pipelines(scans):
    unrendered = {name: scan for name, scan in scans.items() if "{{cookiecutter" in name}
    assert unrendered
    for name, scan in unrendered.items():
        for note in scan.notes:
            assert note.location.path and note.message, (name, note)
