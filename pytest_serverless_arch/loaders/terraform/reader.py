"""Shared state for reading one Terraform root module into a :class:`LoadedUnit`.

:class:`TerraformReader` records every managed resource (addressed
``aws_sqs_queue.q`` or ``module.x.aws_sqs_queue.q``), turns attribute values
into graph endpoints (a resource of this unit, or a :class:`ForeignRef` for a
data source lookup, a remote state output, a literal ARN or name) and adds
edges with their file:line. The wiring readers in
:mod:`.terraform_wiring` go through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...config import LoadConfig
from ...model import Endpoint, ForeignRef, LoadedUnit, Location, Note, Resource
from ..cloudformation.kinds import kind_from_arn
from ..edges import UnitEdges
from .hcl import Block
from .modules import DataTarget, ExternalTarget, Module, ResourceTarget, Target

__all__ = ["CONFIGURING_TYPES", "DATA_LOOKUPS", "KIND_BY_TERRAFORM_TYPE", "NAME_ATTRIBUTES", "TerraformReader", "block_values"]

# Resources that configure the function they point at: a function another unit configures is a placeholder.
CONFIGURING_TYPES = frozenset(
    {
        "aws_lambda_permission",
        "aws_lambda_alias",
        "aws_lambda_event_source_mapping",
        "aws_lambda_function_event_invoke_config",
        "aws_lambda_function_url",
        "aws_lambda_provisioned_concurrency_config",
    }
)
KIND_BY_TERRAFORM_TYPE: dict[str, str] = {
    "aws_lambda_function": "function",
    "aws_sqs_queue": "queue",
    "aws_mq_broker": "queue",
    "aws_sns_topic": "topic",
    "aws_s3_bucket": "bucket",
    "aws_dynamodb_table": "table",
    "aws_docdb_cluster": "table",
    "aws_kinesis_stream": "stream",
    "aws_kinesis_firehose_delivery_stream": "stream",
    "aws_msk_cluster": "stream",
    "aws_msk_serverless_cluster": "stream",
    "aws_api_gateway_rest_api": "api",
    "aws_apigatewayv2_api": "api",
    "aws_appsync_graphql_api": "api",
    "aws_lb": "api",
    "aws_alb": "api",
    "aws_lambda_function_url": "api",
    "aws_cloudwatch_event_rule": "event_rule",
    "aws_scheduler_schedule": "schedule",
    "aws_cloudwatch_event_bus": "event_bus",
    "aws_sfn_state_machine": "state_machine",
    "aws_ssm_parameter": "parameter",
}

# The attribute that carries a resource's physical name, per type.
NAME_ATTRIBUTES: dict[str, str] = {
    "aws_lambda_function": "function_name",
    "aws_s3_bucket": "bucket",
    "aws_msk_cluster": "cluster_name",
    "aws_msk_serverless_cluster": "cluster_name",
    "aws_mq_broker": "broker_name",
    "aws_docdb_cluster": "cluster_identifier",
    "aws_cognito_user_pool": "name",
}

# Data sources that look something up by name: (type) -> (name attribute, kind).
DATA_LOOKUPS: dict[str, tuple[str, str]] = {
    "aws_sqs_queue": ("name", "queue"),
    "aws_sns_topic": ("name", "topic"),
    "aws_lambda_function": ("function_name", "function"),
    "aws_dynamodb_table": ("name", "table"),
    "aws_s3_bucket": ("bucket", "bucket"),
    "aws_kinesis_stream": ("name", "stream"),
    "aws_kinesis_firehose_delivery_stream": ("name", "stream"),
    "aws_msk_cluster": ("cluster_name", "stream"),
    "aws_cloudwatch_event_bus": ("name", "event_bus"),
    "aws_sfn_state_machine": ("name", "state_machine"),
    "aws_api_gateway_rest_api": ("name", "api"),
    "aws_apigatewayv2_api": ("api_id", "api"),
    "aws_cloudwatch_log_group": ("name", "other"),
    "aws_secretsmanager_secret": ("name", "other"),
    "aws_mq_broker": ("broker_name", "queue"),
}

# Data sources that are facts about the account, not lookups of resources.
_ACCOUNT_FACTS = frozenset(
    {
        "aws_region",
        "aws_caller_identity",
        "aws_partition",
        "aws_availability_zones",
        "aws_iam_policy_document",
        "aws_vpc",
        "aws_subnets",
        "aws_subnet",
        "aws_ami",
        "archive_file",
        "aws_iam_policy",
        "aws_iam_role",
        "aws_default_tags",
        "aws_security_group",
        "aws_kms_key",
        "aws_route53_zone",
        "aws_acm_certificate",
    }
)

_FUNCTION_WRAPPERS = (
    "aws_lambda_alias",
    "aws_lambda_permission",
    "aws_lambda_provisioned_concurrency_config",
    "aws_lambda_function_event_invoke_config",
)


def block_values(block: Block, prefix: str = "") -> Iterator[tuple[str, Any, int]]:
    """Every attribute of a block and its nested blocks: (dotted name, value, line)."""
    for name, attribute in block.attributes.items():
        yield prefix + name, attribute.value, attribute.line
    for child in block.blocks:
        if child.type in ("lifecycle", "provisioner", "connection"):
            continue
        yield from block_values(child, f"{prefix}{child.type}.")


class TerraformReader:
    """Reads the resources of a root module (and its local children) into ``unit``."""

    def __init__(
        self, unit: LoadedUnit, root: Module, config: LoadConfig, *, remote_states: dict[str, str] | None = None
    ) -> None:
        self.unit = unit
        self.root = root
        self.config = config
        self.records: dict[str, Resource] = {}
        self.blocks: dict[str, tuple[Block, Module]] = {}  # address -> (block, module instance)
        self.remote_states = remote_states or {}  # "data.terraform_remote_state.x" in a module -> unit name
        self.edges = UnitEdges(unit)
        self._noted: set[tuple[str, int]] = set()

    # --- locations and edges ------------------------------------------------

    def note(self, path: str, line: int, message: str) -> None:
        if (message, line) in self._noted:
            return
        self._noted.add((message, line))
        self.unit.notes.append(Note(Location(path, line), message))

    def edge(self, kind: str, source: Endpoint | None, target: Endpoint | None, path: str, line: int, detail: str = "") -> None:
        """Add an edge once per (kind, source, target, detail)."""
        self.edges.add(kind, source, target, Location(path, line), detail)

    def has_trigger(self, source: Endpoint, function: Endpoint) -> bool:
        return self.edges.has("triggers", source, function)

    # --- resources ------------------------------------------------------------

    def add_resource(self, resource: Resource, block: Block, module: Module) -> None:
        self.records[resource.logical_id] = resource
        self.blocks[resource.logical_id] = (block, module)
        self.unit.resources.append(resource)

    def kind(self, address: str) -> str | None:
        record = self.records.get(address)
        return record.kind if record is not None else None

    def type_of(self, address: str) -> str | None:
        record = self.records.get(address)
        return record.type if record is not None else None

    def local_by_physical_name(self, name: str, kind_hint: str) -> str | None:
        for address, record in self.records.items():
            if record.physical_name == name and (kind_hint == "other" or record.kind == kind_hint):
                return address
        return None

    # --- endpoints ------------------------------------------------------------

    def endpoint(self, value: Any, module: Module, kind_hint: str = "other") -> Endpoint | None:
        """What an ARN- or name-valued attribute points at: a node here or a foreign reference."""
        if value is None or value == "":
            return None
        targets = module.targets(value)
        endpoints = [
            endpoint for endpoint in (self.endpoint_of_target(target, kind_hint) for target in targets) if endpoint is not None
        ]
        if endpoints:
            if kind_hint != "other":
                for endpoint in endpoints:
                    if self._kind_of_endpoint(endpoint) == kind_hint:
                        return endpoint
            return endpoints[0]
        text = module.resolve(value)
        if text is None:
            return None
        return self.endpoint_of_text(text, kind_hint)

    def _kind_of_endpoint(self, endpoint: Endpoint) -> str | None:
        return self.kind(endpoint) if isinstance(endpoint, str) else endpoint.kind_hint

    def endpoint_of_text(self, text: str, kind_hint: str = "other") -> Endpoint | None:
        text = text.strip()
        if not text or text == "*":
            return None
        if text.startswith("arn:"):
            return ForeignRef("arn", text, kind_from_arn(text) if kind_hint == "other" else kind_hint)
        local = self.local_by_physical_name(text, kind_hint)
        if local is not None:
            return local
        return ForeignRef("name", text, kind_hint)

    def endpoint_of_target(self, target: Target, kind_hint: str = "other") -> Endpoint | None:
        if isinstance(target, ResourceTarget):
            return target.address if target.address in self.records else None
        if isinstance(target, ExternalTarget):
            if target.address in self.records:
                return target.address
            return ForeignRef("external", f"module {target.source}", kind_hint)
        return self.data_endpoint(target, kind_hint)

    def data_endpoint(self, target: DataTarget, kind_hint: str = "other") -> Endpoint | None:
        """The foreign reference a data source lookup stands for."""
        block = target.block
        type_name, name = block.labels
        address = f"{target.module.prefix}data.{type_name}.{name}"
        if type_name == "terraform_remote_state":
            output = target.attribute.split(".", 1)[1] if target.attribute.startswith("outputs.") else ""
            if not output:
                return None
            state = self.remote_states.get(address) or _state_key(block, target.module)
            return ForeignRef("remote_state", f"{state}/{output.split('.')[0]}", kind_hint)
        if type_name == "aws_ssm_parameter":
            parameter = target.module.resolve(block.get("name"))
            if parameter is None:
                self.note(block.path, block.line_of("name"), f"{address}: the parameter name cannot be resolved offline")
                return ForeignRef("external", f"unresolved {address}", kind_hint)
            return ForeignRef("ssm", parameter, kind_hint)
        lookup = DATA_LOOKUPS.get(type_name)
        if lookup is None:
            return None
        attribute, kind = lookup
        if "arn" in block.attributes:
            arn = target.module.resolve(block.get("arn"))
            if arn:
                return ForeignRef("arn", arn, kind)
        value = target.module.resolve(block.get(attribute))
        if value is None:
            if block.get(attribute) is not None or block.get("arn") is not None:
                self.note(
                    block.path, block.line_of(attribute), f"{address}: the {attribute} it looks up cannot be resolved offline"
                )
            return ForeignRef("external", f"unresolved {address}", kind)
        if attribute == "api_id":
            return ForeignRef("external", f"api {value}", kind)
        local = self.local_by_physical_name(value, kind)
        return local if local is not None else ForeignRef("name", value, kind)

    def function_endpoint(self, value: Any, module: Module) -> Endpoint | None:
        """The function an attribute names, through aliases, permissions and ARNs."""
        if value is None:
            return None
        for target in module.targets(value):
            if isinstance(target, ResourceTarget) and target.address in self.records:
                resolved = self._through_wrappers(target.address)
                if resolved is not None:
                    return resolved
            elif isinstance(target, DataTarget):
                endpoint = self.data_endpoint(target, "function")
                if endpoint is not None and (
                    isinstance(endpoint, str)
                    and self.kind(endpoint) == "function"
                    or isinstance(endpoint, ForeignRef)
                    and endpoint.kind_hint == "function"
                ):
                    return endpoint
                if isinstance(endpoint, ForeignRef) and endpoint.how in ("ssm", "stack_output", "remote_state"):
                    return ForeignRef(endpoint.how, endpoint.key, "function")
            elif isinstance(target, ExternalTarget):
                return ForeignRef("external", f"module {target.source}", "function")
        text = module.resolve(value)
        if not text:
            return None
        if text.startswith("arn:"):
            if ":lambda:" not in text or ":function:" not in text:
                return None
            if "/functions/" in text:  # an API Gateway invocation URI
                text = text.split("/functions/", 1)[1].split("/invocations", 1)[0]
            return ForeignRef("arn", text, "function")
        local = self.local_by_physical_name(text, "function")
        return local if local is not None else ForeignRef("name", text, "function")

    def _through_wrappers(self, address: str) -> str | None:
        seen: set[str] = set()
        while address not in seen:
            seen.add(address)
            type_name = self.type_of(address)
            if type_name == "aws_lambda_function":
                return address
            if type_name in _FUNCTION_WRAPPERS:
                block, module = self.blocks[address]
                for target in module.targets(block.get("function_name")):
                    if isinstance(target, ResourceTarget) and target.address in self.records:
                        address = target.address
                        break
                else:
                    return None
                continue
            return None
        return None

    def references_of(self, block: Block, module: Module) -> Iterator[tuple[Endpoint, int, str]]:
        """Every node or foreign lookup a resource's attributes mention, with the line."""
        for name, value, line in block_values(block):
            if name == "depends_on":
                continue
            for target in module.targets(value):
                if isinstance(target, DataTarget) and target.block.labels[0] in _ACCOUNT_FACTS:
                    continue
                endpoint = self.endpoint_of_target(target)
                if endpoint is not None:
                    yield endpoint, line, name


def _state_key(block: Block, module: Module) -> str:
    """A stable name for a remote state that no root module in the repository writes."""
    backend = module.resolve(block.get("backend")) or "remote"
    config = block.get("config")
    if isinstance(config, dict):
        if "path" in config:
            return f"{backend}:{module.resolve(config['path']) or '?'}"
        bucket = module.resolve(config.get("bucket")) or "?"
        key = module.resolve(config.get("key")) or "?"
        return f"{backend}:{bucket}:{key}"
    return f"{backend}:{block.labels[1]}"
