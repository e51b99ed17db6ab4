"""CodePipeline pipelines in the repository's templates, and CodeBuild buildspecs, standalone or run by a pipeline."""

from __future__ import annotations

from pytest_serverless_arch.model import Location
from pytest_serverless_arch.pipelines import DeployTimeRef

from .helpers import parameters_of, read_pipeline_fixture


def test_a_cloudformation_action_deploys_its_template_path_with_configuration_file_then_overrides():
    scan = read_pipeline_fixture("codepipeline-cfn")
    pipeline = scan.pipelines[0]
    assert (pipeline.name, pipeline.system, str(pipeline.location)) == (
        "shop-release-prod",
        "codepipeline",
        "ci/pipeline.yaml:12",
    )
    (deployment,) = pipeline.deployments  # CHANGE_SET_EXECUTE carries out the change set; it is not a second deploy
    assert (deployment.tool, str(deployment.location), deployment.job) == (
        "cloudformation",
        "ci/pipeline.yaml:33",
        "Deploy/PrepareApp",
    )
    assert (deployment.template, deployment.stack_name) == ("app/template.yaml", "shop-app-prod")
    assert [key for key, _ in deployment.parameters] == ["MemorySize", "Stage", "Stage", "AlertTopicArn", "ArtifactKey"]
    assert parameters_of(deployment) == {
        "MemorySize": ("512", "config/app-prod.json:3", True),
        "Stage": ("prod", "ci/pipeline.yaml:42", True),  # ParameterOverrides beat TemplateConfiguration
        "AlertTopicArn": ("${AlertTopicArn}", "ci/pipeline.yaml:42", False),  # no Default: known at deploy time
        "ArtifactKey": ('{"Fn::GetParam": ["Src", "build.json", "key"]}', "ci/pipeline.yaml:42", False),
    }


def test_a_standalone_buildspec_is_a_pipeline_whose_parameter_store_variables_are_ssm_reads():
    scan = read_pipeline_fixture("codepipeline-cfn")
    buildspec = scan.pipelines[1]
    assert (buildspec.name, buildspec.system, str(buildspec.location)) == ("buildspec.yml", "buildspec", "buildspec.yml:1")
    (deployment,) = buildspec.deployments
    assert (str(deployment.location), deployment.working_directory, deployment.template, deployment.stack_name) == (
        "buildspec.yml:18",
        "app",  # the cd of the build phase lasts into post_build
        "app/template.yaml",
        "shop-worker-prod",
    )
    queue = DeployTimeRef("ssm", "/shop/prod/orders-queue-arn", Location("buildspec.yml", 6))
    assert deployment.parameter_map["QueueArn"].from_ref == queue
    assert str(deployment.parameter_map["QueueArn"].location) == "buildspec.yml:19"
    assert buildspec.deploy_time_refs == (queue,)


def test_the_official_sam_codepipeline_runs_its_deploy_buildspec_per_stage_with_the_actions_variables():
    scan = read_pipeline_fixture("sam-pipeline-codepipeline")
    assert [(p.name, p.system) for p in scan.pipelines] == [("Pipeline", "codepipeline")]
    (pipeline,) = scan.pipelines
    rows = [
        (str(d.location), d.job, d.template, d.stack_name, d.region, tuple(str(v) for v in d.via)) for d in pipeline.deployments
    ]
    assert rows == [
        ("codepipeline.yaml:177", "UpdatePipeline/CreateChangeSet", "codepipeline.yaml", "${AWS::StackName}", None, ()),
        # packaged-test.yaml was written by `sam package` in buildspec_build_package.yml from template.yaml
        (
            "pipeline/buildspec_deploy.yml:12",
            "DeployTest/DeployTest",
            "template.yaml",
            "test-stack",
            "us-east-2",
            ("codepipeline.yaml:265",),
        ),
        (
            "pipeline/buildspec_deploy.yml:12",
            "DeployProd/DeployProd",
            "template.yaml",
            "prod-stack",
            "us-west-2",
            ("codepipeline.yaml:312",),
        ),
    ]
    assert pipeline.deployments[0].unresolved == ("stack_name",)
    assert "codepipeline.yaml:231: buildspec pipeline/buildspec_feature.yml not read: does not exist" in [
        str(note) for note in scan.notes
    ]
