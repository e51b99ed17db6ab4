"""Bitbucket Pipelines, Jenkinsfiles and samstacks manifests go through the same command reader."""

from __future__ import annotations

from pytest_serverless_arch.model import Location
from pytest_serverless_arch.pipelines import DeployTimeRef

from .helpers import parameters_of, read_pipeline_fixture


def rows(pipeline):
    return [(str(d.location), d.job, d.template, d.stack_name, d.region, d.unresolved) for d in pipeline.deployments]


def test_each_bitbucket_branch_pipeline_is_a_pipeline_and_each_step_is_a_fresh_shell():
    scan = read_pipeline_fixture("sam-pipeline-bitbucket")
    assert [(p.name, p.system, str(p.location)) for p in scan.pipelines] == [
        ("bitbucket-pipelines.yml [branches: feature]", "bitbucket-pipelines", "bitbucket-pipelines.yml:8"),
        ("bitbucket-pipelines.yml [branches: main]", "bitbucket-pipelines", "bitbucket-pipelines.yml:45"),
    ]
    feature, main = scan.pipelines
    assert rows(feature) == [("bitbucket-pipelines.yml:33", "Build and Package", "template.yaml", "test-stack", "us-east-2", ())]
    # the deploy steps export their own variables; the packaged template comes from the build step's `sam package`
    assert rows(main) == [
        ("bitbucket-pipelines.yml:101", "Deploy to Test", "template.yaml", "test-stack", "us-east-2", ()),
        ("bitbucket-pipelines.yml:131", "Deploy to Prod", "template.yaml", "prod-stack", "us-west-2", ()),
    ]


def test_a_jenkinsfile_reads_its_environment_block_and_each_stages_sh_steps():
    scan = read_pipeline_fixture("sam-pipeline-jenkins")
    (pipeline,) = scan.pipelines
    assert (pipeline.name, pipeline.system, str(pipeline.location)) == ("Jenkinsfile", "jenkins", "Jenkinsfile:1")
    assert rows(pipeline) == [
        (
            "Jenkinsfile:53",
            "build-and-deploy-feature",
            "template.yaml",
            "$(echo ${BRANCH_NAME} | tr -cd '[a-zA-Z0-9-]')",
            "us-east-2",
            ("stack_name",),
        ),
        ("Jenkinsfile:131", "deploy-testing", "template.yaml", "test-stack", "us-east-2", ()),
        ("Jenkinsfile:178", "deploy-prod", "template.yaml", "prod-stack", "us-west-2", ()),
    ]


def test_a_samstacks_manifest_deploys_its_stacks_in_order_and_stack_outputs_are_deploy_time_references():
    scan = read_pipeline_fixture("samstacks")
    (pipeline,) = scan.pipelines
    assert (pipeline.name, pipeline.system) == ("bootstrap_test_project-pipeline", "samstacks")
    assert [(str(d.location), d.template, d.stack_name) for d in pipeline.deployments] == [
        ("pipeline.yml:12", "vpc-stack/template.yaml", "vpc-stack"),
        ("pipeline.yml:14", "app-stack/template.yaml", "app-stack"),
    ]
    vpc = DeployTimeRef("stack_output", "vpc-stack/VpcId", Location("pipeline.yml", 17))
    assert pipeline.deployments[1].parameter_map["VpcId"].from_ref == vpc
    assert parameters_of(pipeline.deployments[1]) == {
        "VpcId": ("${{ stacks.vpc-stack.outputs.VpcId }}", "pipeline.yml:17", False)
    }
    assert pipeline.deploy_time_refs == (vpc,)
