"""Endpoints several formats name the same way: the default event bus, log groups, Kafka, Lambda ARNs.

The CloudFormation reader, the serverless.yml events and step functions, and the
Terraform wiring all point at these; one definition each, so the formats agree.

>>> LAMBDA_ARN.fullmatch("arn:aws:lambda:eu-west-1:123456789012:function:orders-dev-worker:live").group("name")
'orders-dev-worker'
>>> LAMBDA_ARN.fullmatch("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:worker").group("name")
'worker'
>>> LAMBDA_ARN.fullmatch("arn:aws:lambda:#{AWS::Region}:#{AWS::AccountId}:function:shop-dev-notify").group("name")
'shop-dev-notify'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..model import ForeignRef

if TYPE_CHECKING:
    from .cloudformation.template import TemplateReader

__all__ = ["DEFAULT_EVENT_BUS", "LAMBDA_ARN", "event_bus_endpoint", "log_group_endpoint", "self_managed_kafka"]

# One part of an ARN: letters, digits and dashes, or a placeholder standing for one: ``${AWS::Region}``
# (CloudFormation's Sub), ``#{AWS::Region}`` (serverless-pseudo-parameters, the step-functions plugin's docs).
_ARN_PART = r"(?:[$#]\{[^}]*\}|[\w-])*"
# A Lambda function ARN (with an optional version or alias), its function name as ``name``.
LAMBDA_ARN = re.compile(rf"arn:{_ARN_PART}:lambda:{_ARN_PART}:{_ARN_PART}:function:(?P<name>[\w-]+)(?::[\w$-]+)?")


DEFAULT_EVENT_BUS = ForeignRef("external", "default event bus", "event_bus")


def event_bus_endpoint(reader: TemplateReader, value: Any) -> Any:
    """An event bus named by name or ARN; ``default`` is the account's default bus."""
    resolved = reader.resolve(value)
    if resolved == "default" or (resolved or "").endswith(":event-bus/default"):
        return DEFAULT_EVENT_BUS
    return reader.endpoint(value, "event_bus")


def log_group_endpoint(reader: TemplateReader, value: Any) -> Any:
    local = reader.local_target(value)
    if local is not None:
        return local
    name = reader.resolve(value)
    if name is not None:
        found = reader.local_by_physical_name(name, "other")
        return found or ForeignRef("name", name, "other")
    return reader.endpoint(value)


def self_managed_kafka(source: Mapping[str, Any]) -> ForeignRef:
    endpoints = source.get("Endpoints")
    servers = endpoints.get("KafkaBootstrapServers") if isinstance(endpoints, Mapping) else None
    names = sorted(str(item) for item in servers) if isinstance(servers, list) else []
    return ForeignRef("external", "kafka " + ",".join(names) if names else "kafka", "stream")
