"""GitHub Actions workflows are read as pipelines: order, filters, working directories, env and deploy-time reads."""

from __future__ import annotations

from pytest_serverless_arch.model import Location
from pytest_serverless_arch.pipelines import DeployTimeRef

from .helpers import parameters_of, read_pipeline_fixture


def pipelines_by_name(name: str):
    scan = read_pipeline_fixture(name)
    return {pipeline.name: pipeline for pipeline in scan.pipelines}, scan


def test_each_workflow_is_a_pipeline_named_by_its_name_with_its_path_filters_and_order():
    pipelines, scan = pipelines_by_name("split")
    assert sorted(pipelines) == ["app", "infra"]
    infra, app = pipelines["infra"], pipelines["app"]
    assert (infra.system, str(infra.location), infra.paths, infra.after) == (
        "github-actions",
        ".github/workflows/infra.yml:1",
        ("infra/**",),
        (),
    )
    assert (app.paths, app.after) == (("app/**",), ("infra",))
    assert set(scan.files_read) == {".github/workflows/app.yml", ".github/workflows/infra.yml"}


def test_a_build_then_deploy_deploys_the_built_source_with_workflow_env_and_secrets_left_unresolved():
    pipelines, _ = pipelines_by_name("split")
    (deployment,) = pipelines["infra"].deployments
    assert deployment.tool == "sam"
    assert deployment.location == Location(".github/workflows/infra.yml", 30)
    assert deployment.template == "infra/template.yaml"
    assert deployment.stack_name == "shop-infra-prod"
    assert deployment.region == "eu-west-1"
    assert (deployment.job, deployment.environment) == ("deploy", "production")
    assert parameters_of(deployment) == {
        "Stage": ("prod", ".github/workflows/infra.yml:33", True),
        "AlertEmail": ("${{ secrets.ALERT_EMAIL }}", ".github/workflows/infra.yml:33", False),
    }


def test_values_read_from_stack_outputs_and_ssm_are_deploy_time_references_bound_to_their_parameter():
    pipelines, _ = pipelines_by_name("split")
    app = pipelines["app"]
    (deployment,) = app.deployments
    assert deployment.working_directory == "app"
    assert deployment.template == "app/template.yaml"
    assert deployment.location == Location(".github/workflows/app.yml", 38)
    assert deployment.stack_name == "shop-app-${{ matrix.env }}"
    assert deployment.unresolved == ("stack_name",)
    assert deployment.environment == "${{ matrix.env }}"
    queue = DeployTimeRef("stack_output", "shop-infra-prod/OrdersQueueArn", Location(".github/workflows/app.yml", 34))
    table = DeployTimeRef("ssm", "/shop/prod/table-name", Location(".github/workflows/app.yml", 36))
    parameters = deployment.parameter_map
    assert parameters["QueueArn"].from_ref == queue
    assert parameters["TableName"].from_ref == table
    assert str(parameters["QueueArn"].location) == ".github/workflows/app.yml:40"
    assert parameters["QueueArn"].resolved is False
    assert app.deploy_time_refs == (queue, table)


def test_the_official_sam_pipeline_workflow_deploys_the_packaged_template_of_its_source_per_environment():
    scan = read_pipeline_fixture("sam-pipeline-github")
    (pipeline,) = scan.pipelines
    assert pipeline.name == "Pipeline"
    rows = [(str(d.location), d.job, d.template, d.stack_name, d.region, d.unresolved) for d in pipeline.deployments]
    workflow = ".github/workflows/pipeline.yaml"
    assert rows == [
        (
            f"{workflow}:96",
            "build-and-deploy-feature",
            "template.yaml",
            "$(echo ${GITHUB_REF##*/} | tr -cd '[a-zA-Z0-9-]')",
            "us-east-2",
            ("stack_name",),
        ),
        # `sam package --output-template-file packaged-testing.yaml` in another job maps back to template.yaml
        (f"{workflow}:191", "deploy-testing", "template.yaml", "test-stack", "us-east-2", ()),
        (f"{workflow}:238", "deploy-prod", "template.yaml", "prod-stack", "us-west-2", ()),
    ]


def test_values_written_to_github_env_and_github_output_reach_later_steps_and_needing_jobs():
    scan = read_pipeline_fixture("gha-outputs")
    (pipeline,) = scan.pipelines
    workflow = ".github/workflows/deploy.yml"
    bus = DeployTimeRef("stack_output", "shop-infra/BusArn", Location(workflow, 13))
    topic = DeployTimeRef("ssm", "/shop/topic-arn", Location(workflow, 14))
    assert [(str(d.location), d.job, d.stack_name) for d in pipeline.deployments] == [
        (f"{workflow}:10", "infra", "shop-infra"),
        (f"{workflow}:15", "infra", "shop-notify"),
        (f"{workflow}:22", "app", "shop-app"),
    ]
    notify, app = pipeline.deployments[1], pipeline.deployments[2]
    assert notify.parameter_map["TopicArn"].from_ref == topic  # echo "TOPIC_ARN=..." >> $GITHUB_ENV
    # >> "$GITHUB_OUTPUT", a job output, then needs.infra.outputs.bus in a folded (>-) run
    assert app.parameter_map["BusArn"].from_ref == bus
    assert str(app.parameter_map["BusArn"].location) == f"{workflow}:23"
    assert pipeline.deploy_time_refs == (bus, topic)
