"""ARNs and queue URLs: which resource of which kind an AWS identifier names.

AWS's own naming, shared by every format: the linker uses it to find the
resource of another unit that an ARN or a URL names.
"""

from __future__ import annotations

import re

from .pseudo import arn_fields, split_fields

__all__ = ["SQS_URL", "arn_resource_name"]

# https://sqs.<region>.amazonaws.com/<account>/<queue> and its legacy spellings
# (the region and account may be placeholders: ``https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/q``)
SQS_URL = re.compile(
    r"https://(?:sqs\.)?(?:[a-z0-9-]+\.)?(?:queue|sqs)(?:[a-z0-9.-]|[$#]\{[^}]*\})*amazonaws\.com/(\d+|[^/]*)/([^/?#]+)"
)


def arn_resource_name(arn: str) -> tuple[str, str, str, str] | None:
    """``(kind, physical name, region, account)`` of an ARN that names a resource by its name.

    >>> arn_resource_name("arn:aws:sqs:eu-west-1:123456789012:orders")
    ('queue', 'orders', 'eu-west-1', '123456789012')
    >>> arn_resource_name("arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024")
    ('table', 'Orders', 'us-east-1', '123456789012')
    >>> arn_resource_name("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders")
    ('queue', 'orders', '${AWS::Region}', '${AWS::AccountId}')
    """
    parts = arn_fields(arn)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    service, region, account, rest = parts[2], parts[3], parts[4], parts[5]
    kind: str | None = None
    name = ""
    if service == "sqs":
        kind, name = "queue", rest
    elif service == "sns":
        kind, name = "topic", split_fields(rest, ":", 1)[0]
    elif service == "s3":
        kind, name = "bucket", rest.split("/", 1)[0]
    elif service == "lambda" and rest.startswith("function:"):
        kind, name = "function", split_fields(rest[len("function:") :], ":", 1)[0]
    elif service == "states" and rest.startswith("stateMachine:"):
        kind, name = "state_machine", split_fields(rest[len("stateMachine:") :], ":", 1)[0]
    elif service == "ssm" and rest.startswith("parameter"):
        kind, name = "parameter", rest[len("parameter") :]
    elif service == "kafka" and rest.startswith("cluster/"):
        kind, name = "stream", rest.split("/")[1]
    elif service == "mq" and rest.startswith("broker:"):
        kind, name = "queue", split_fields(rest, ":")[1]
    else:
        prefixes = {
            ("dynamodb", "table/"): "table",
            ("kinesis", "stream/"): "stream",
            ("firehose", "deliverystream/"): "stream",
            ("events", "event-bus/"): "event_bus",
            ("events", "rule/"): "event_rule",
            ("scheduler", "schedule/"): "schedule",
            ("logs", "log-group:"): "other",
            ("secretsmanager", "secret:"): "other",
        }
        for (arn_service, prefix), prefix_kind in prefixes.items():
            if service == arn_service and rest.startswith(prefix):
                kind, name = prefix_kind, rest[len(prefix) :]
                if prefix == "log-group:":
                    name = split_fields(name, ":", 1)[0]
                elif prefix == "secret:":
                    name = re.sub(r"-[A-Za-z0-9]{6}$", "", name)
                else:
                    pieces = split_fields(name, "/")
                    name = pieces[-1] if prefix in ("rule/", "schedule/") else pieces[0]
                break
    if kind is None or not name or "*" in name:
        return None
    return kind, name, region, account
