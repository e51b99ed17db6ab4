"""``serverless_arch_unit_level``: the classifier and four rules at the stack or the pipeline level."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.levels import at_unit_level, pipeline_groups
from pytest_serverless_arch.patterns import classify_pattern
from pytest_serverless_arch.report import build_report, render_text
from pytest_serverless_arch.rules import trigger_colocated

from .helpers import sam_deploy, scan, workflow

SPLIT = Path(__file__).parent / "fixtures" / "pipelines" / "deploy_inputs"
DEPLOY_YML = ".github/workflows/deploy.yml"
APP_PARAMETERS = {"OrdersQueueArn": "/shop/orders-queue-arn", "Stage": "prod"}
ONE_WORKFLOW = scan(
    workflow(
        "deploy",
        DEPLOY_YML,
        sam_deploy(DEPLOY_YML, 11, template="infra/template.yaml", stack_name="shop-infra"),
        sam_deploy(DEPLOY_YML, 14, template="app/template.yaml", stack_name="shop-app", parameters=APP_PARAMETERS),
    )
)


def test_one_workflow_deploying_infra_then_app_is_a_monolith_at_the_pipeline_level():
    graph = load(SPLIT, pipelines=ONE_WORKFLOW)
    level = graph.unit_level()
    assert (level.level, level.reason) == (
        "pipeline",
        "auto: the 1 pipeline deploys every unit holding a function (1 unit)",
    )
    verdict = classify_pattern(graph)
    assert (verdict.repo, verdict.reason) == ("monolith", "unit deploy holds the 1 function and the 1 trigger edge")
    assert trigger_colocated(graph) == []


def test_at_the_stack_level_the_same_repository_is_an_infra_app_split():
    graph = load(SPLIT, pipelines=ONE_WORKFLOW, unit_level="stack")
    assert graph.unit_level().reason == "serverless_arch_unit_level = stack"
    assert classify_pattern(graph).repo == "infra-app-split"
    assert [str(v.location) for v in trigger_colocated(graph)] == ["app/template.yaml:17"]


def test_auto_stays_at_the_stack_level_when_a_unit_holding_a_function_has_no_pipeline():
    infra_only = scan(workflow("deploy", DEPLOY_YML, sam_deploy(DEPLOY_YML, 11, template="infra/template.yaml")))
    level = load(SPLIT, pipelines=infra_only, params={"OrdersQueueArn": "/x"}).unit_level()
    assert (level.level, level.reason) == (
        "stack",
        "auto: no pipeline deploys unit app, which holds functions",
    )


def test_the_pipeline_level_merges_stacks_and_keeps_lone_stacks_as_they_are():
    infra_only = scan(workflow("deploy", DEPLOY_YML, sam_deploy(DEPLOY_YML, 11, template="infra/template.yaml")))
    graph = load(SPLIT, pipelines=infra_only, unit_level="pipeline", params={"OrdersQueueArn": "/shop/orders-queue-arn"})
    assert pipeline_groups(graph) == {"app": "app", "infra": "deploy"}
    merged = at_unit_level(graph)
    assert [unit.name for unit in merged.units()] == ["app", "deploy"]
    assert [resource.id for resource in merged.resources()] == [
        "app:PlaceOrderFunction",
        "deploy:OrdersQueue",
        "deploy:OrdersQueueArnParameter",
    ]
    assert [(t.source, t.function, t.cross_unit) for t in merged.trigger_edges()] == [
        ("deploy:OrdersQueue", "app:PlaceOrderFunction", True)
    ]


def test_a_pipeline_named_like_a_stack_it_does_not_deploy_gets_its_own_name():
    pipelines = scan(workflow("app", DEPLOY_YML, sam_deploy(DEPLOY_YML, 11, template="infra/template.yaml")))
    graph = load(SPLIT, pipelines=pipelines, unit_level="pipeline")
    assert pipeline_groups(graph) == {"app": "app", "infra": "app (pipeline)"}


def test_the_report_says_the_level_and_why():
    report = build_report(load(SPLIT, pipelines=ONE_WORKFLOW))
    assert report["unit_level"] == {
        "level": "pipeline",
        "reason": "auto: the 1 pipeline deploys every unit holding a function (1 unit)",
    }
    assert report["pipelines"] == [
        {
            "name": "deploy",
            "system": "github-actions",
            "location": ".github/workflows/deploy.yml:1",
            "units": ["shop-infra", "shop-app"],
            "after": [],
            "paths": [],
        }
    ]
    assert [(unit["name"], unit["pipelines"]) for unit in report["units"]] == [
        ("shop-app", ["deploy"]),
        ("shop-infra", ["deploy"]),
    ]
    assert [trigger["cross_pipeline"] for trigger in report["triggers"]] == [False]
    assert [link["cross_pipeline"] for link in report["links"]] == [False]
    text = render_text(report)
    assert (
        "pipelines:\n"
        "  deploy (github-actions, .github/workflows/deploy.yml:1): shop-infra -> shop-app\n"
        "unit level: pipeline (auto: the 1 pipeline deploys every unit holding a function (1 unit))\n"
    ) in text


def test_without_pipelines_cross_pipeline_is_null_and_the_text_report_has_no_pipelines_section():
    report = build_report(load(SPLIT, pipelines=scan(), params={"OrdersQueueArn": "/shop/orders-queue-arn"}))
    assert report["pipelines"] == []
    assert report["unit_level"] == {"level": "stack", "reason": "auto: no pipeline was found"}
    assert [trigger["cross_pipeline"] for trigger in report["triggers"]] == [None]
    assert "pipelines:" not in render_text(report)


@pytest.mark.parametrize("level", ["stack", "pipeline", "auto"])
def test_the_graph_api_lists_pipelines_and_the_pipelines_of_a_unit(level):
    graph = load(SPLIT, pipelines=ONE_WORKFLOW, unit_level=level)
    assert [pipeline.name for pipeline in graph.pipelines()] == ["deploy"]
    assert [pipeline.name for pipeline in graph.pipelines_of("shop-app")] == ["deploy"]
    assert graph.pipeline("deploy").location_of("shop-app").line == 14


def test_the_unit_level_option_and_flag_reach_the_load_config(pytester: pytest.Pytester) -> None:
    from pytest_serverless_arch.options import read_settings

    pytester.makeini("[pytest]\nserverless_arch_unit_level = stack\n")
    assert read_settings(pytester.parseconfigure()).load_config.unit_level == "stack"
    assert read_settings(pytester.parseconfigure("--arch-unit-level", "pipeline")).load_config.unit_level == "pipeline"


def test_an_unknown_unit_level_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nserverless_arch_unit_level = service\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*serverless-arch: serverless_arch_unit_level: expected one of auto, stack, pipeline, got 'service'"]
    )


def test_the_summary_line_names_the_pipelines_and_the_unit_level():
    assert load(SPLIT, pipelines=ONE_WORKFLOW).summary().endswith(", 1 pipeline (unit level pipeline)")
    assert "pipeline" not in load(SPLIT, pipelines=scan()).summary()
