"""GitLab CI: local includes, extends templates, changes-filter groups as pipelines, needs as order."""

from __future__ import annotations

from .helpers import parameters_of, read_pipeline_fixture

ROOT = ".gitlab-ci.yml"
INFRA = ".gitlab-ci.yml [infra/**/*]"
ORDERS = "services/orders/.gitlab-ci.yml [services/orders/**/*]"
BILLING = "services/billing/.gitlab-ci.yml [services/billing/**/*]"


def test_jobs_sharing_a_changes_filter_form_a_pipeline_ordered_by_needs():
    scan = read_pipeline_fixture("gitlab-monorepo")
    rows = [(p.name, p.system, str(p.location), p.paths, p.after) for p in scan.pipelines]
    assert rows == [
        (INFRA, "gitlab-ci", ".gitlab-ci.yml:16", ("infra/**/*",), ()),
        (ORDERS, "gitlab-ci", "services/orders/.gitlab-ci.yml:1", ("services/orders/**/*",), (INFRA,)),
        (BILLING, "gitlab-ci", "services/billing/.gitlab-ci.yml:1", ("services/billing/**/*",), ()),
    ]
    assert [str(note) for note in scan.notes] == [
        ".gitlab-ci.yml:13: include of a project file is not readable offline; not read"
    ]


def test_an_extends_template_runs_at_its_own_lines_in_the_jobs_directory_with_job_variables():
    scan = read_pipeline_fixture("gitlab-monorepo")
    infra, orders, _ = scan.pipelines
    rows = [
        (str(d.location), d.job, d.environment, d.working_directory, d.template, d.stack_name, d.region)
        for d in (*infra.deployments, *orders.deployments)
    ]
    assert rows == [
        ("ci/templates.yml:10", "deploy-infra", "prod", "infra", "infra/template.yaml", "shop-infra-prod", "eu-central-1"),
        (
            "ci/templates.yml:10",
            "deploy-orders",
            "prod",
            "services/orders",
            "services/orders/template.yaml",
            "shop-orders-prod",
            "eu-central-1",
        ),
    ]
    # a folded scalar (`- >`) is one command, and each of its words keeps the line it is written on
    assert parameters_of(orders.deployments[0]) == {"Stage": ("prod", "ci/templates.yml:12", True)}


def test_an_ssm_read_in_one_script_line_flows_into_a_serverless_param_of_the_next():
    scan = read_pipeline_fixture("gitlab-monorepo")
    (deployment,) = scan.pipelines[2].deployments
    assert (deployment.tool, deployment.working_directory, deployment.stage) == ("serverless", "services/billing", "prod")
    value = deployment.parameter_map["queueUrl"]
    assert (value.from_ref.how, value.from_ref.key, str(value.from_ref.location)) == (
        "ssm",
        "/shop/prod/orders-queue-url",
        "services/billing/.gitlab-ci.yml:8",
    )
    assert str(value.location) == "services/billing/.gitlab-ci.yml:9"


def test_the_official_sam_pipeline_gitlab_file_deploys_its_template_to_both_stages():

    from pytest_serverless_arch.config import LoadConfig
    from pytest_serverless_arch.pipelines import read_pipelines

    from .helpers import PIPELINE_FIXTURES

    (pipeline,) = read_pipelines(PIPELINE_FIXTURES / "sam-pipeline-gitlab", LoadConfig()).pipelines
    assert (pipeline.name, str(pipeline.location)) == (ROOT, ".gitlab-ci.yml:1")
    assert [(str(d.location), d.job, d.template, d.stack_name, d.region) for d in pipeline.deployments] == [
        (
            ".gitlab-ci.yml:63",
            "build-and-deploy-feature",
            "template.yaml",
            "$(echo ${CI_COMMIT_REF_NAME} | tr -cd '[a-zA-Z0-9-]')",
            "us-east-2",
        ),
        (".gitlab-ci.yml:109", "deploy-testing", "template.yaml", "test-stack", "us-east-2"),
        (".gitlab-ci.yml:138", "deploy-prod", "template.yaml", "prod-stack", "us-west-2"),
    ]
