"""Build small deployment graphs by hand for the rule tests.

Cross-unit situations need the linker; building the graph directly keeps the
rule tests about the rules. Each unit's template is ``<unit>/template.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pytest_serverless_arch.graph import DeploymentGraph
from pytest_serverless_arch.model import LINK_KINDS, Edge, Location, Resource, Unit

from .helpers import FIXTURES

RULE_FIXTURES = FIXTURES / "rules"

_TYPES = {
    "function": "AWS::Lambda::Function",
    "queue": "AWS::SQS::Queue",
    "topic": "AWS::SNS::Topic",
    "bucket": "AWS::S3::Bucket",
    "table": "AWS::DynamoDB::Table",
    "stream": "AWS::Kinesis::Stream",
    "api": "AWS::ApiGateway::RestApi",
    "event_rule": "AWS::Events::Rule",
    "schedule": "AWS::Scheduler::Schedule",
    "event_bus": "AWS::Events::EventBus",
    "state_machine": "AWS::StepFunctions::StateMachine",
    "parameter": "AWS::SSM::Parameter",
    "other": "AWS::CloudFormation::WaitConditionHandle",
}


def template(unit: str) -> str:
    return f"{unit}/template.yaml"


@dataclass
class GraphBuilder:
    """``GraphBuilder().unit("orders").resource("orders", "Worker", "function", 5)...``"""

    graph: DeploymentGraph = field(default_factory=lambda: DeploymentGraph(root="/repo"))

    def unit(self, name: str, *, domain: str | None = None, tags: dict[str, str] | None = None) -> GraphBuilder:
        self.graph.add_unit(
            Unit(
                name,
                "cloudformation",
                template(name),
                domain=domain,
                tags=tuple(sorted((tags or {}).items())),
                location=Location(template(name), 1),
            )
        )
        return self

    def resource(
        self,
        unit: str,
        logical_id: str,
        kind: str,
        line: int,
        *,
        domain: str | None = None,
        code_source: str | None = None,
        type: str | None = None,
        tags: dict[str, str] | None = None,
        configures_function: bool | None = None,
    ) -> GraphBuilder:
        if unit not in self.graph.units_by_name:
            self.unit(unit)
        self.graph.add_resource(
            Resource(
                unit,
                logical_id,
                type or _TYPES[kind],
                kind,
                Location(template(unit), line),
                name=logical_id,
                domain=domain,
                code_source=code_source,
                tags=tuple(sorted((tags or {}).items())),
                # as the loaders set it: permissions, aliases, mappings... configure the function they name
                configures_function=(type or "").startswith("AWS::Lambda::") and type != "AWS::Lambda::Function"
                if configures_function is None
                else configures_function,
            )
        )
        return self

    def edge(
        self, kind: str, source: str, target: str, line: int, *, wired_in: str | None = None, detail: str = ""
    ) -> GraphBuilder:
        """An edge from ``source`` to ``target`` (``unit:LogicalId``), written in ``wired_in``'s template."""
        source_unit = self.graph.unit_of(source)
        target_unit = self.graph.unit_of(target)
        path = template(wired_in or source_unit or str(target_unit))
        cross = source_unit != target_unit if kind == "triggers" else kind in LINK_KINDS
        self.graph.add_edge(Edge(kind, source, target, Location(path, line), detail, cross_unit=cross))
        return self
