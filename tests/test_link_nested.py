"""Nested stacks join their parent's unit, with their parameters wired to the parent's resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.discover import nested_template_path
from pytest_serverless_arch.graph import DeploymentGraph
from pytest_serverless_arch.model import Location

FIXTURES = Path(__file__).parent / "fixtures" / "link"


@pytest.fixture(scope="module")
def graph() -> DeploymentGraph:
    return load(FIXTURES / "nested")


def test_a_nested_stack_is_not_a_unit_of_its_own(graph):
    assert [unit.name for unit in graph.units()] == ["reporting", "shop"]
    assert graph.unit("shop").resource_count == 4


def test_the_child_resources_keep_their_own_file_and_line(graph):
    function = graph.resource("shop:OrdersStack/OrdersFunction")
    assert function.location == Location("shop/stacks/orders.yaml", 9)
    assert function.unit == "shop"


def test_a_literal_parameter_of_the_parent_reaches_the_child(graph):
    # the child's default Stage is dev; the parent passes its own Stage (prod)
    assert graph.resource("shop:OrdersStack/OrdersFunction").physical_name == "orders-prod"


def test_a_parameter_wired_to_a_parent_resource_makes_the_child_trigger_local(graph):
    [trigger] = [t for t in graph.triggers_of("shop:OrdersStack/OrdersFunction") if t.source_kind == "queue"]
    assert (trigger.source, trigger.cross_unit, trigger.location) == (
        "shop:OrdersQueue",
        False,
        Location("shop/stacks/orders.yaml", 17),
    )
    assert graph.externals() == []


def test_the_stack_resource_points_at_every_child_resource_and_makes_no_cross_unit_link(graph):
    assert [edge.target for edge in graph.edges_from("shop:OrdersStack", "nested_stack")] == [
        "shop:OrdersStack/OrdersFunction",
        "shop:OrdersStack/QueueMapping",
    ]
    assert all(link.from_unit != "shop" for link in graph.cross_unit_links())


def test_a_childs_export_is_importable_from_other_units(graph):
    assert [(link.kind, link.source, link.target) for link in graph.cross_unit_links()] == [
        ("imports", "reporting:NightlyReport", "shop:OrdersStack/OrdersFunction")
    ]
    assert graph.deploy_order() == [["shop"], ["reporting"]]


def test_a_missing_child_template_is_a_load_error_at_the_template_url(tmp_path):
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: child.yaml\n"
    )
    graph = load(tmp_path)
    assert [str(error) for error in graph.errors] == ["template.yaml:5: nested stack template child.yaml does not exist"]
    assert [unit.name for unit in graph.units()] == [tmp_path.name]


def test_nested_stacks_that_include_each_other_are_refused_with_a_load_error(tmp_path):
    def nesting(child: str) -> str:
        return f"Resources:\n  Child:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: ./{child}\n"

    (tmp_path / "template.yaml").write_text(nesting("a.yaml"))
    (tmp_path / "a.yaml").write_text(nesting("b.yaml"))
    (tmp_path / "b.yaml").write_text(nesting("a.yaml"))
    graph = load(tmp_path)
    assert [str(error) for error in graph.errors] == [
        "b.yaml:5: nested stack Child: a.yaml includes itself (directly or through other nested stacks); not read"
    ]
    assert [resource.logical_id for resource in graph.resources()] == ["Child", "Child/Child", "Child/Child/Child"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("stacks/orders.yaml", "shop/stacks/orders.yaml"),
        ("../shared/queue.yml", "shared/queue.yml"),
        ("https://s3.amazonaws.com/bucket/orders.yaml", None),
        ("s3://bucket/orders.yaml", None),
        ("../../../etc/passwd.yaml", None),
        ("String", None),
    ],
)
def test_only_a_local_template_file_is_a_nested_template(value, expected):
    assert nested_template_path("shop/template.yaml", value) == expected
