"""``pipeline-order``: a unit's pipeline must run after the pipelines deploying what it needs."""

from __future__ import annotations

from pathlib import Path

from pytest_serverless_arch import load
from pytest_serverless_arch.rules import pipeline_order, run_builtin_rules

from .helpers import sam_deploy, scan, workflow

SPLIT = Path(__file__).parent / "fixtures" / "pipelines" / "deploy_inputs"
INFRA_YML = ".github/workflows/infra.yml"
APP_YML = ".github/workflows/app.yml"
APP_PARAMETERS = {"OrdersQueueArn": "/shop/orders-queue-arn", "Stage": "prod"}


def split_pipelines(*, app_after: tuple[str, ...] = (), infra_after: tuple[str, ...] = (), extra=()):
    infra = workflow(
        "deploy-infra",
        INFRA_YML,
        sam_deploy(INFRA_YML, 11, template="infra/template.yaml", stack_name="shop-infra"),
        after=infra_after,
    )
    app = workflow(
        "deploy-app",
        APP_YML,
        sam_deploy(APP_YML, 13, template="app/template.yaml", stack_name="shop-app", parameters=APP_PARAMETERS),
        after=app_after,
    )
    return scan(infra, app, *extra)


def test_two_unordered_pipelines_fail_at_the_consumers_deploy_line_naming_the_providers():
    [violation] = pipeline_order(load(SPLIT, pipelines=split_pipelines()))
    assert str(violation) == (
        ".github/workflows/app.yml:13: pipeline-order: pipeline deploy-app deploys unit shop-app at "
        ".github/workflows/app.yml:13, which needs unit shop-infra (ssm parameter of parameter "
        "OrdersQueueArnParameter (unit shop-infra) at app/template.yaml:17); shop-infra is deployed by pipeline "
        "deploy-infra at .github/workflows/infra.yml:11, and deploy-app is not ordered after it (workflow_run, needs, stages)"
    )
    assert violation.units == ("shop-app", "shop-infra")


def test_a_consumer_ordered_after_the_provider_passes():
    assert pipeline_order(load(SPLIT, pipelines=split_pipelines(app_after=("deploy-infra",)))) == []


def test_the_order_is_followed_through_pipelines_in_between():
    build = workflow("build", "ci.yml", after=("deploy-infra",))
    graph = load(SPLIT, pipelines=split_pipelines(app_after=("build",), extra=(build,)))
    assert pipeline_order(graph) == []


def test_the_provider_ordered_after_the_consumer_is_the_wrong_way_round():
    graph = load(SPLIT, pipelines=split_pipelines(infra_after=("deploy-app",)))
    assert [str(v.location) for v in pipeline_order(graph)] == [".github/workflows/app.yml:13"]


def test_one_pipeline_deploying_both_units_has_no_order_to_check():
    both = workflow(
        "deploy",
        ".github/workflows/deploy.yml",
        sam_deploy(".github/workflows/deploy.yml", 11, template="infra/template.yaml", stack_name="shop-infra"),
        sam_deploy(
            ".github/workflows/deploy.yml", 14, template="app/template.yaml", stack_name="shop-app", parameters=APP_PARAMETERS
        ),
    )
    assert pipeline_order(load(SPLIT, pipelines=scan(both))) == []


def test_a_unit_no_pipeline_deploys_is_not_judged():
    app_only = workflow(
        "deploy-app",
        APP_YML,
        sam_deploy(APP_YML, 13, template="app/template.yaml", stack_name="shop-app", parameters=APP_PARAMETERS),
    )
    graph = load(SPLIT, pipelines=scan(app_only))
    assert [link.cross_pipeline for link in graph.cross_unit_links()] == [None]
    assert pipeline_order(graph) == []


def test_it_is_a_builtin_rule_and_scoped_views_judge_their_own_units():
    graph = load(SPLIT, pipelines=split_pipelines())
    assert [v.rule for v in run_builtin_rules(graph) if v.rule == "pipeline-order"] == ["pipeline-order"]
    assert pipeline_order(graph.where(unit="shop-infra")) == []
    assert len(pipeline_order(graph.where(unit="shop-app"))) == 1
