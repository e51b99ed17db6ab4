"""Deploy-time inputs flow into units: stack names, parameter overrides, deploy-time reads, stages.

The pipelines here are built as the pipeline readers report them (``tests/helpers.py``),
so these tests pin what the loader and the linker do with a :class:`PipelineScan`.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch import load
from pytest_serverless_arch.model import Location, Note
from pytest_serverless_arch.pipelines.inputs import BoundDeployment, plan_deployments
from pytest_serverless_arch.pipelines.model import Deployment, DeployTimeRef, PipelineScan

from .helpers import sam_deploy, scan, workflow
from .hypothesis_support import property_settings

FIXTURES = Path(__file__).parent / "fixtures" / "pipelines"
SPLIT = FIXTURES / "deploy_inputs"
OUTPUTS = FIXTURES / "outputs"
INFRA_YML = ".github/workflows/infra.yml"
APP_YML = ".github/workflows/app.yml"
DEPLOY_YML = ".github/workflows/deploy.yml"

SPLIT_SCAN = scan(
    workflow("deploy-infra", INFRA_YML, sam_deploy(INFRA_YML, 11, template="infra/template.yaml", stack_name="shop-infra")),
    workflow(
        "deploy-app",
        APP_YML,
        sam_deploy(
            APP_YML,
            13,
            template="app/template.yaml",
            stack_name="shop-app",
            parameters={"OrdersQueueArn": "/shop/orders-queue-arn", "Stage": "prod"},
        ),
    ),
)


def test_the_stack_name_a_pipeline_deploys_names_the_unit():
    graph = load(SPLIT, pipelines=SPLIT_SCAN)
    assert [(unit.name, unit.path) for unit in graph.units()] == [
        ("shop-app", "app/template.yaml"),
        ("shop-infra", "infra/template.yaml"),
    ]


def test_an_ssm_typed_parameter_passed_by_the_workflow_links_the_app_to_the_infra_queue():
    graph = load(SPLIT, pipelines=SPLIT_SCAN)
    [trigger] = graph.trigger_edges()
    assert (trigger.source, trigger.function, str(trigger.location)) == (
        "shop-infra:OrdersQueue",
        "shop-app:PlaceOrderFunction",
        "app/template.yaml:17",
    )
    assert (trigger.cross_unit, trigger.cross_pipeline) == (True, True)
    assert [(link.kind, link.from_unit, link.to_unit, link.target, str(link.location)) for link in graph.cross_unit_links()] == [
        ("ssm_parameter", "shop-app", "shop-infra", "shop-infra:OrdersQueueArnParameter", "app/template.yaml:17")
    ]
    assert graph.deploy_order() == [["shop-infra"], ["shop-app"]]


def test_without_pipelines_the_unsupplied_parameters_are_notes_at_their_lines():
    graph = load(SPLIT, pipelines=PipelineScan())
    assert [str(note) for note in graph.notes if "no Default" in note.message] == [
        "app/template.yaml:5: parameter OrdersQueueArn has no Default and no pipeline, samconfig or "
        "serverless_arch_params value supplies one; what it names stays unresolved",
        "app/template.yaml:7: parameter Stage has no Default and no pipeline, samconfig or "
        "serverless_arch_params value supplies one; what it names stays unresolved",
    ]
    assert graph.cross_unit_links() == []


def test_supplied_parameters_leave_no_note():
    graph = load(SPLIT, pipelines=SPLIT_SCAN)
    assert [note for note in graph.notes if "no Default" in note.message] == []


def test_the_params_option_gives_template_parameters_per_unit_or_for_all():
    graph = load(
        SPLIT, pipelines=PipelineScan(), params={"app/template.yaml:OrdersQueueArn": "/shop/orders-queue-arn", "Stage": "dev"}
    )
    assert [note for note in graph.notes if "no Default" in note.message] == []
    assert [(link.from_unit, link.to_unit) for link in graph.cross_unit_links()] == [("app", "infra")]


def test_the_params_option_wins_over_the_pipeline_and_a_unit_entry_over_a_plain_one():
    graph = load(
        SPLIT,
        pipelines=SPLIT_SCAN,
        params={"OrdersQueueArn": "/elsewhere/a", "shop-app:OrdersQueueArn": "/elsewhere/b"},
    )
    assert [(link.to_unit, link.target) for link in graph.cross_unit_links()] == [(None, "external:ssm:/elsewhere/b")]


def test_a_value_read_from_another_stacks_output_resolves_like_cf_and_links_there():
    makefile = "Makefile"
    read = DeployTimeRef("stack_output", "jobs-infra/JobsQueueArn", Location(makefile, 6))
    pipelines = scan(
        workflow(
            "release",
            makefile,
            sam_deploy(makefile, 3, template="infra/template.yaml", stack_name="jobs-infra"),
            sam_deploy(makefile, 7, template="app/template.yaml", stack_name="jobs-app", refs={"JobsQueueArn": read}),
        )
    )
    graph = load(OUTPUTS, pipelines=pipelines)
    [trigger] = graph.trigger_edges()
    assert (trigger.source, trigger.function, trigger.cross_unit, trigger.cross_pipeline) == (
        "jobs-infra:JobsQueue",
        "jobs-app:WorkerFunction",
        True,
        False,
    )
    assert [(link.kind, link.from_unit, link.to_unit, str(link.location)) for link in graph.cross_unit_links()] == [
        ("stack_output", "jobs-app", "jobs-infra", "app/template.yaml:20")
    ]


def test_a_deploy_time_read_no_resource_uses_still_links_the_unit_at_the_pipeline_line():
    makefile = "Makefile"
    read = DeployTimeRef("stack_output", "jobs-infra/JobsQueueArn", Location(makefile, 6))
    pipelines = scan(
        workflow(
            "release",
            makefile,
            sam_deploy(makefile, 3, template="infra/template.yaml", stack_name="jobs-infra"),
            sam_deploy(
                makefile,
                7,
                template="app/template.yaml",
                stack_name="jobs-app",
                parameters={"JobsQueueArn": "arn:aws:sqs:us-east-1:123456789012:fixed"},
                refs={"LogLevel": read},
            ),
        )
    )
    graph = load(OUTPUTS, pipelines=pipelines)
    assert [(link.kind, link.source, link.target, str(link.location)) for link in graph.cross_unit_links()] == [
        ("stack_output", "unit:jobs-app", "jobs-infra:JobsQueue", "Makefile:6")
    ]


def test_every_deployment_of_a_template_is_kept_and_the_stage_picks_one():
    deploys = workflow(
        "release",
        DEPLOY_YML,
        sam_deploy(DEPLOY_YML, 10, template="infra/template.yaml", stack_name="shop-infra-int", environment="int"),
        sam_deploy(DEPLOY_YML, 20, template="infra/template.yaml", stack_name="shop-infra-live", environment="live"),
    )
    assert [unit.name for unit in load(SPLIT, pipelines=scan(deploys)).units()] == ["app", "shop-infra-int"]
    assert [unit.name for unit in load(SPLIT, pipelines=scan(deploys), stage="live").units()] == ["app", "shop-infra-live"]
    # the stack name alone picks it too: "live" is a word of shop-infra-live
    plain = workflow(
        "release",
        DEPLOY_YML,
        sam_deploy(DEPLOY_YML, 10, template="infra/template.yaml", stack_name="shop-infra-int"),
        sam_deploy(DEPLOY_YML, 20, template="infra/template.yaml", stack_name="shop-infra-live"),
    )
    graph = load(SPLIT, pipelines=scan(plain), stage="live")
    assert graph.unit("shop-infra-live").path == "infra/template.yaml"
    assert [pipeline.units for pipeline in graph.pipelines()] == [("shop-infra-live",)]


def test_a_cf_reference_to_any_deployed_stack_name_finds_the_unit():
    deploys = workflow(
        "release",
        DEPLOY_YML,
        sam_deploy(DEPLOY_YML, 10, template="infra/template.yaml", stack_name="jobs-int"),
        sam_deploy(DEPLOY_YML, 20, template="infra/template.yaml", stack_name="jobs-live"),
        sam_deploy(
            DEPLOY_YML,
            30,
            template="app/template.yaml",
            stack_name="jobs-app",
            refs={"JobsQueueArn": DeployTimeRef("stack_output", "jobs-live/JobsQueueArn", Location(DEPLOY_YML, 29))},
        ),
    )
    graph = load(OUTPUTS, pipelines=scan(deploys))
    assert [(link.from_unit, link.to_unit) for link in graph.cross_unit_links()] == [("jobs-app", "jobs-int")]


def test_a_bare_sam_deploy_deploys_the_template_in_its_working_directory():
    deploy = sam_deploy("ci.yml", 8, stack_name="shop-app", working_directory="app", parameters={"Stage": "prod"})
    plan = plan_deployments(
        scan(workflow("ci", "ci.yml", deploy)), [("app/template.yaml", "sam"), ("infra/template.yaml", "sam")]
    )
    assert dict(plan.by_path) == {"app/template.yaml": (BoundDeployment("ci", deploy),)}


def test_a_deployment_of_a_template_that_is_not_there_is_a_note_at_its_line():
    deploy = sam_deploy("ci.yml", 8, template="gone/template.yaml", stack_name="gone")
    graph = load(SPLIT, pipelines=scan(workflow("ci", "ci.yml", deploy)))
    assert (
        Note(Location("ci.yml", 8), "sam deploy gone/template.yaml: no template was found at that path; its inputs are not used")
        in graph.notes
    )
    assert [pipeline.units for pipeline in graph.pipelines()] == [()]


def test_serverless_deploy_with_a_stage_resolves_the_service_at_that_stage(tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "serverless.yml").write_text(
        "service: orders\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  hello:\n    handler: h.h\n"
    )
    deploy = Deployment("serverless", Location("ci.yml", 5), working_directory="svc", stage="prod")
    graph = load(tmp_path, pipelines=scan(workflow("ci", "ci.yml", deploy)))
    assert [unit.name for unit in graph.units()] == ["orders-prod"]
    assert [pipeline.units for pipeline in graph.pipelines()] == [("orders-prod",)]


def test_the_graph_keeps_every_deployment_of_a_unit_and_marks_the_chosen_one():
    deploys = workflow(
        "release",
        DEPLOY_YML,
        sam_deploy(DEPLOY_YML, 10, template="infra/template.yaml", stack_name="shop-infra-int", environment="int"),
        sam_deploy(DEPLOY_YML, 20, template="infra/template.yaml", stack_name="shop-infra-live", environment="live"),
    )
    graph = load(SPLIT, pipelines=scan(deploys), stage="live")
    assert [
        (d.pipeline, str(d.location), d.stack_name, d.environment, d.chosen) for d in graph.deployments_of("shop-infra-live")
    ] == [
        ("release", ".github/workflows/deploy.yml:10", "shop-infra-int", "int", False),
        ("release", ".github/workflows/deploy.yml:20", "shop-infra-live", "live", True),
    ]
    assert graph.deployments_of("app/template.yaml") == []


@property_settings
@given(st.text(alphabet="ab./\\", max_size=12))
def test_a_paths_folder_is_the_one_pathlib_gives_whatever_the_path_spells(relpath: str) -> None:
    from pathlib import PurePosixPath

    from pytest_serverless_arch.pipelines.inputs import _parent

    parent = PurePosixPath(relpath).parent.as_posix()
    assert _parent(relpath) == ("." if parent in ("", ".") else parent)
