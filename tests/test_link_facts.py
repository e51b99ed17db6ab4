"""The per-unit link facts (link_facts.py): what a unit offers and asks, and the provider index built from them."""

from __future__ import annotations

from pytest_serverless_arch.config import LoadConfig
from pytest_serverless_arch.link import ProviderIndex
from pytest_serverless_arch.link_facts import NamedResource, OfferedOutput, UnitLinkFacts, unit_asks, unit_link_facts
from pytest_serverless_arch.model import Edge, Export, ForeignRef, LoadedUnit, Location, PropertyRef, Resource, StackRef

AT = Location("orders/template.yaml", 3)


def orders_unit() -> LoadedUnit:
    unit = LoadedUnit("orders", "cloudformation", "orders/template.yaml", region="eu-west-1", stack_name="orders-prod")
    unit.deployed_as = ("orders-dev",)
    unit.implicit_outputs = "ServiceEndpoint.*"
    unit.resources += [
        Resource("orders", "Queue", "AWS::SQS::Queue", "queue", Location("orders/template.yaml", 4), physical_name="jobs"),
        Resource("orders", "Worker", "AWS::Lambda::Function", "function", Location("orders/template.yaml", 8)),
        Resource(
            "orders",
            "QueueParam",
            "AWS::SSM::Parameter",
            "parameter",
            Location("orders/template.yaml", 12),
            physical_name="/orders/queue",
            value_target="Queue",
        ),
    ]
    unit.exports += [
        Export("QueueArn", "orders-queue", "Queue", Location("orders/template.yaml", 20)),
        Export("Version", None, None, Location("orders/template.yaml", 23)),
    ]
    return unit


def test_a_units_facts_hold_its_names_outputs_and_the_resource_each_parameter_names():
    facts = unit_link_facts(orders_unit())

    assert facts == UnitLinkFacts(
        unit="orders",
        format="cloudformation",
        path="orders/template.yaml",
        region="eu-west-1",
        stack_names=("orders-prod", "orders-dev"),
        implicit_outputs="ServiceEndpoint.*",
        named=(
            NamedResource("orders:Queue", "queue", "jobs", Location("orders/template.yaml", 4)),
            NamedResource("orders:QueueParam", "parameter", "/orders/queue", Location("orders/template.yaml", 12)),
        ),
        parameter_values=(("orders:QueueParam", "orders:Queue"),),
        outputs=(
            OfferedOutput("QueueArn", "orders:Queue", "orders-queue", Location("orders/template.yaml", 20)),
            OfferedOutput("Version", "unit:orders", None, Location("orders/template.yaml", 23)),
        ),
    )


def test_a_units_asks_are_its_foreign_references_once_each_in_the_order_met():
    unit = LoadedUnit("billing", "cloudformation", "billing/template.yaml")
    imported = ForeignRef("import", "orders-queue", "queue")
    unit.edges += [
        Edge("triggers", imported, "Worker", AT),
        Edge("accesses", "Worker", ForeignRef("arn", "arn:aws:sqs:eu-west-1:1:jobs", "queue"), AT),
        Edge("triggers", imported, "Other", AT),
        Edge("references", "Worker", "Other", AT),
    ]
    unit.property_refs.append(PropertyRef("Worker", ForeignRef("ssm", "/orders/queue"), AT))
    unit.stack_refs.append(StackRef(ForeignRef("unit", "orders-prod"), AT, "dependsOn"))

    assert unit_asks(unit) == (
        imported,
        ForeignRef("arn", "arn:aws:sqs:eu-west-1:1:jobs", "queue"),
        ForeignRef("ssm", "/orders/queue"),
        ForeignRef("unit", "orders-prod"),
    )
    assert unit_link_facts(unit).asks == ()
    assert unit_link_facts(unit, asks=True).asks == unit_asks(unit)


def test_the_index_from_facts_resolves_exports_stack_names_and_parameters_to_the_offering_unit():
    index = ProviderIndex([unit_link_facts(orders_unit())], LoadConfig())

    found = index.resolve(ForeignRef("import", "orders-queue"))
    assert (found.node, found.unit, found.link_kind) == ("orders:Queue", "orders", "imports")
    parameter = index.resolve(ForeignRef("ssm", "orders/queue"))
    assert (parameter.node, parameter.unit, parameter.value_node) == ("orders:QueueParam", "orders", "orders:Queue")
    output = index.resolve(ForeignRef("stack_output", "orders-dev/Version"))
    assert (output.node, output.unit, output.missing) == ("unit:orders", "orders", None)
    implicit = index.resolve(ForeignRef("stack_output", "orders-prod/ServiceEndpointWebsocket"))
    assert (implicit.node, implicit.missing) == ("unit:orders", None)
    assert index.resolve(ForeignRef("stack_output", "orders/Missing")).missing == (
        "unit 'orders' (stack 'orders') declares no output 'Missing'"
    )


def test_the_first_unit_to_export_a_name_keeps_it_and_a_physical_name_two_units_hold_resolves_to_neither():
    first = orders_unit()
    second = LoadedUnit("copy", "cloudformation", "copy/template.yaml")
    second.resources.append(
        Resource("copy", "Queue", "AWS::SQS::Queue", "queue", Location("copy/template.yaml", 4), physical_name="jobs")
    )
    second.exports.append(Export("QueueArn", "orders-queue", "Queue", Location("copy/template.yaml", 9)))

    index = ProviderIndex([unit_link_facts(first), unit_link_facts(second)], LoadConfig())

    assert index.resolve(ForeignRef("import", "orders-queue")).unit == "orders"
    assert [str(note) for note in index.notes] == [
        "copy/template.yaml:9: export name 'orders-queue' is also exported by unit 'orders'; links go to 'orders'"
    ]
    assert index.resolve(ForeignRef("name", "jobs")) is None
    assert index.resolve(ForeignRef("name", "jobs", "queue")).node == "orders:Queue"
