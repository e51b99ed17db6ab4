"""CDK cloud assemblies: one unit per synthesized stack, stack dependencies as deploy order.

``tests/fixtures/cdk/shop/cdk.out`` was synthesized once from the ``app.js``
beside it with aws-cdk-lib 2.276 (``node app.js``): a ``Shared`` stack (queue,
topic) and an ``Orders`` stack (a function triggered by both and by a nightly
rule), and the same two stacks again in a ``Prod`` stage (a nested assembly).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pytest_serverless_arch import load
from pytest_serverless_arch.graph import DeploymentGraph
from pytest_serverless_arch.model import Location

from .helpers import FIXTURES

SHOP = FIXTURES / "cdk" / "shop"


@pytest.fixture(scope="module")
def graph() -> DeploymentGraph:
    return load(SHOP)


def test_every_stack_of_the_assembly_and_its_stages_is_a_cdk_unit_named_by_its_stack_name(graph: DeploymentGraph) -> None:
    units = {(u.name, u.format, u.path, u.region) for u in graph.units()}
    assert units == {
        ("shop-shared", "cdk", "cdk.out/Shared.template.json", None),  # aws://unknown-account/unknown-region
        ("shop-orders", "cdk", "cdk.out/Orders.template.json", None),
        ("Prod-Shared", "cdk", "cdk.out/assembly-Prod/ProdShared93D7F332.template.json", "eu-west-1"),
        ("Prod-Orders", "cdk", "cdk.out/assembly-Prod/ProdOrders525171E2.template.json", "eu-west-1"),
    }
    assert graph.unit("shop-orders").location == Location("cdk.out/manifest.json", 55)
    assert graph.errors == [] and graph.notes == []


def test_resources_keep_their_template_line_and_are_named_by_construct_path(graph: DeploymentGraph) -> None:
    handler = graph.resource("shop-orders:Handler886CB40B")
    assert (handler.kind, handler.name, handler.physical_name) == ("function", "Orders/Handler", "shop-dev-order-handler")
    assert handler.location == Location("cdk.out/Orders.template.json", 69)
    assert graph.resource("Prod-Shared:OrdersQueue3DFA1D51").name == "Prod/Shared/OrdersQueue"


def test_triggers_from_the_shared_stack_cross_units_and_the_schedule_stays_inside(graph: DeploymentGraph) -> None:
    found = {
        (t.source, t.function, str(t.location), t.detail, t.cross_unit)
        for t in graph.trigger_edges()
        if t.function.startswith("shop-")
    }
    template = "cdk.out/Orders.template.json"
    assert found == {
        ("shop-shared:OrdersQueue3DFA1D51", "shop-orders:Handler886CB40B", f"{template}:93", "EventSourceMapping", True),
        ("shop-shared:EventsD32975C2", "shop-orders:Handler886CB40B", f"{template}:126", "SNS", True),
        ("shop-orders:NightlyC44EE0A7", "shop-orders:Handler886CB40B", f"{template}:150", "EventBridge", False),
    }


def test_manifest_dependencies_are_depends_on_links_at_their_manifest_line(graph: DeploymentGraph) -> None:
    depends = {
        (link.from_unit, link.to_unit, str(link.location)) for link in graph.cross_unit_links() if link.kind == "depends_on"
    }
    assert depends == {
        ("shop-orders", "shop-shared", "cdk.out/manifest.json:77"),
        ("Prod-Orders", "Prod-Shared", "cdk.out/assembly-Prod/manifest.json:70"),
    }
    assert {(link.kind, link.from_unit, link.to_unit) for link in graph.cross_unit_links()} == {
        ("depends_on", "shop-orders", "shop-shared"),
        ("imports", "shop-orders", "shop-shared"),
        ("depends_on", "Prod-Orders", "Prod-Shared"),
        ("imports", "Prod-Orders", "Prod-Shared"),
    }


def test_stack_dependencies_give_the_deploy_order(graph: DeploymentGraph) -> None:
    assert graph.deploy_order() == [["Prod-Shared", "shop-shared"], ["Prod-Orders", "shop-orders"]]


def test_dependencies_alone_order_the_stacks_when_nothing_else_links_them(tmp_path: Path) -> None:
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    empty = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    for name in ("A", "B", "C"):
        (assembly / f"{name}.template.json").write_text(json.dumps(empty))
    artifacts = {
        name: {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{name}.template.json"}, "dependencies": deps}
        for name, deps in (("A", []), ("B", ["A", "B.assets"]), ("C", ["B"]))
    }
    (assembly / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": artifacts}, indent=1))
    assert load(tmp_path).deploy_order() == [["A"], ["B"], ["C"]]


def test_an_unreadable_template_is_a_load_error_and_the_other_stacks_still_load(tmp_path: Path) -> None:
    shutil.copytree(SHOP / "cdk.out", tmp_path / "cdk.out")
    (tmp_path / "cdk.out" / "Shared.template.json").write_text('{\n  "Resources": {\n    "Queue": \n}\n')
    manifest = json.loads((tmp_path / "cdk.out" / "manifest.json").read_text())
    del manifest["artifacts"]["Orders"]["properties"]["templateFile"]
    (tmp_path / "cdk.out" / "manifest.json").write_text(json.dumps(manifest, indent=2))
    graph = load(tmp_path)
    errors = sorted(str(error) for error in graph.errors)
    assert len(errors) == 2
    assert errors[0].startswith("cdk.out/Shared.template.json:4: ")
    assert errors[1] == "cdk.out/manifest.json:55: stack Orders: no `properties.templateFile`"
    assert sorted(u.name for u in graph.units()) == ["Prod-Orders", "Prod-Shared", "shop-shared"]


def test_a_cdk_app_without_a_cloud_assembly_gets_a_note_to_synthesize_it(tmp_path: Path) -> None:
    (tmp_path / "cdk.json").write_text('{"app": "node app.js"}')
    graph = load(tmp_path)
    assert graph.units() == []
    assert [str(note) for note in graph.notes] == [
        "cdk.json: a CDK app without a cdk.out cloud assembly: run `cdk synth` first so its stacks can be read"
    ]


def test_the_loaded_unit_keeps_every_construct_path_and_the_stack_dependencies() -> None:
    from pytest_serverless_arch.config import LoadConfig
    from pytest_serverless_arch.discover import discover
    from pytest_serverless_arch.loading import load_units
    from pytest_serverless_arch.model import ForeignRef, StackRef

    units = {unit.name: unit for unit in load_units(discover([SHOP], SHOP), LoadConfig())}
    orders = units["shop-orders"]
    handler = next(resource for resource in orders.resources if resource.logical_id == "Handler886CB40B")
    assert handler.name == "Orders/Handler"
    assert "cdk.out/manifest.json" in orders.files_read
    assert orders.stack_refs == [
        StackRef(ForeignRef("unit", "shop-shared"), Location("cdk.out/manifest.json", 77), "depends on shop-shared")
    ]
    assert units["Prod-Orders"].stack_refs == [
        StackRef(ForeignRef("unit", "Prod-Shared"), Location("cdk.out/assembly-Prod/manifest.json", 70), "depends on Prod-Shared")
    ]
