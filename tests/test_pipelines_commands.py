"""Each deploy command form is read with its template, stack, parameters and exact lines.

The fixture repository ``tests/fixtures/pipelines/tools`` deploys with every
tool the way real repositories do: a workflow calling ``make``, a deploy
script, an npm script, terraform with a saved plan, cdk, rain, and the AWS
CLI with inline and ``file://`` parameters.
"""

from __future__ import annotations

import pytest

from pytest_serverless_arch.model import Location
from pytest_serverless_arch.pipelines import DeployTimeRef

from .helpers import parameters_of, read_pipeline_fixture

WORKFLOW = ".github/workflows/deploy.yml"


@pytest.fixture(scope="module")
def scan():
    return read_pipeline_fixture("tools")


@pytest.fixture(scope="module")
def deployments(scan):
    (pipeline,) = scan.pipelines
    return {(d.stack_name or d.working_directory): d for d in pipeline.deployments}


def test_every_deploy_command_of_the_workflow_is_read_in_order(scan):
    (pipeline,) = scan.pipelines
    assert [(d.tool, str(d.location)) for d in pipeline.deployments] == [
        ("sam", "Makefile:11"),
        ("sam", "scripts/deploy.sh:11"),
        ("serverless", "services/notifications/package.json:8"),
        ("terraform", f"{WORKFLOW}:21"),
        ("cdk", f"{WORKFLOW}:24"),
        ("cdk", f"{WORKFLOW}:24"),
        ("rain", f"{WORKFLOW}:26"),
        ("cloudformation", f"{WORKFLOW}:29"),
        ("cloudformation", f"{WORKFLOW}:31"),
        ("cloudformation", f"{WORKFLOW}:33"),
        ("cloudformation", f"{WORKFLOW}:35"),
        ("cloudformation", f"{WORKFLOW}:37"),
    ]
    assert scan.notes == ()


def test_make_target_runs_its_prerequisite_build_and_command_line_variables_beat_conditional_defaults(deployments):
    deployment = deployments["shop-infra-prod"]
    assert deployment.template == "infra/template.yaml"  # sam build --template-file, then the built template
    assert deployment.region == "us-east-1"
    assert parameters_of(deployment) == {"Stage": ("prod", "Makefile:13", True)}
    assert deployment.via == (Location(WORKFLOW, 11),)


def test_a_deploy_script_gets_its_arguments_cd_config_env_and_an_export_read(deployments):
    deployment = deployments["shop-orders-prod"]
    assert deployment.working_directory == "services/orders"
    assert deployment.template == "services/orders/template.yaml"
    assert (deployment.config_env, deployment.config_file) == ("prod", "services/orders/samconfig.toml")
    assert deployment.via == (Location(WORKFLOW, 13),)
    topic = deployment.parameter_map["TopicArn"]
    assert topic.from_ref == DeployTimeRef("import", "shop-infra-TopicArn", Location("scripts/deploy.sh", 8))
    assert (str(topic.location), topic.resolved) == ("scripts/deploy.sh:15", False)
    assert parameters_of(deployment)["Stage"] == ("prod", "scripts/deploy.sh:15", True)


def test_npm_run_follows_the_package_json_script_with_extra_arguments(deployments):
    deployment = deployments["services/notifications"]
    assert (deployment.tool, deployment.stage, deployment.region) == ("serverless", "prod", "eu-west-1")
    assert parameters_of(deployment) == {"queueName": ("orders", "services/notifications/package.json:8", True)}


def test_terraform_apply_of_a_saved_plan_takes_the_plans_vars_and_var_files_under_chdir(deployments):
    deployment = deployments["terraform"]
    assert deployment.var_files == ("terraform/prod.tfvars",)
    assert parameters_of(deployment) == {"env": ("prod", f"{WORKFLOW}:20", True)}


def test_cdk_deploy_names_each_stack_and_gives_stack_scoped_parameters_only_to_their_stack(deployments):
    assert deployments["WebStack"].parameters == ()
    assert parameters_of(deployments["ApiStack"]) == {"Stage": ("prod", f"{WORKFLOW}:24", True)}
    assert deployments["ApiStack"].working_directory == "cdk"


def test_rain_deploy_reads_template_stack_and_comma_separated_params(deployments):
    deployment = deployments["shop-monitoring"]
    assert deployment.template == "monitoring/template.yaml"
    assert parameters_of(deployment) == {
        "AlarmEmail": ("ops@example.com", f"{WORKFLOW}:26", True),
        "Stage": ("prod", f"{WORKFLOW}:26", True),
    }


def test_aws_cloudformation_inline_parameters_in_both_forms(deployments):
    assert deployments["shop-bucket"].template == "legacy/bucket.yaml"
    assert parameters_of(deployments["shop-bucket"]) == {
        "BucketName": ("shop-assets", f"{WORKFLOW}:30", True),
        "Stage": ("prod", f"{WORKFLOW}:30", True),
    }
    assert deployments["shop-dns"].template == "legacy/dns.yaml"  # --template-body file://
    assert parameters_of(deployments["shop-dns"]) == {
        "Zone": ("example.com", f"{WORKFLOW}:32", True),
        "Ttl": ("300", f"{WORKFLOW}:32", True),
    }


def test_parameter_files_in_each_of_the_three_formats_give_values_at_their_own_lines(deployments, scan):
    assert parameters_of(deployments["shop-alerts"]) == {
        "Email": ("ops@example.com", "legacy/params/alerts.json:4", True),
        "Threshold": ("5", "legacy/params/alerts.json:8", True),
    }
    assert parameters_of(deployments["shop-cache"]) == {
        "NodeType": ("cache.t3.micro", "legacy/params/cache.json:2", True),
        "Nodes": ("2", "legacy/params/cache.json:3", True),
    }
    assert parameters_of(deployments["shop-queue"]) == {
        "QueueName": ("shop-orders", "legacy/params/queue-config.json:3", True),
        "RetentionSeconds": ("1209600", "legacy/params/queue-config.json:4", True),
    }
    assert deployments["shop-queue"].region == "eu-west-1"  # aws --region before the service
    assert {"legacy/params/alerts.json", "legacy/params/cache.json", "legacy/params/queue-config.json"} <= set(scan.files_read)


def test_less_common_forms_actions_reusable_workflows_compose_roots_and_tool_defaults():
    scan = read_pipeline_fixture("forms")
    # the reusable workflow runs only where it is called, with the caller's inputs
    (pipeline,) = scan.pipelines
    release = ".github/workflows/release.yml"
    rows = [
        (d.tool, str(d.location), d.working_directory, d.template, d.stack_name, d.stage, d.config_file, d.all_stacks)
        for d in pipeline.deployments
    ]
    assert rows == [
        ("serverless", ".github/workflows/deploy-service.yml:14", ".", None, None, "live", None, True),  # compose root
        ("cloudformation", f"{release}:19", ".", "edge/template.yaml", "shop-edge", None, None, False),
        (
            "serverless",
            f"{release}:27",
            "services/billing",
            None,
            None,
            "live",
            "services/billing/serverless.billing.yml",
            False,
        ),
        ("cdk", f"{release}:29", "cdk", None, None, None, None, True),
        ("terraform", f"{release}:31", "network", None, None, None, None, False),
        ("rain", f"{release}:32", ".", "dns/template.yaml", "template", None, None, False),  # rain names it after the file
        ("sam", f"{release}:33", ".", "services/orders/template.yaml", "shop-orders-dev", None, None, False),
    ]
    assert pipeline.deployments[0].environment == "live"
    assert parameters_of(pipeline.deployments[1]) == {
        "Domain": ("shop.example.com", f"{release}:23", True),
        "CertificateArn": ("${{ secrets.CERT_ARN }}", f"{release}:23", False),
    }
    assert parameters_of(pipeline.deployments[4]) == {
        "domain": ("shop.example.com", f"{release}:31", True),  # TF_VAR_domain from the job's env
        "env": ("live", f"{release}:31", True),
    }
