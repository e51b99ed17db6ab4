"""Which kind of node a CloudFormation type is, and what names it physically."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...pseudo import arn_fields, split_fields, without_pseudo

__all__ = ["CONFIGURING_TYPES", "KIND_BY_TYPE", "NAME_PROPERTIES", "kind_from_arn", "kind_of", "name_in_arn"]

# Resources that configure the function they point at: a function another unit configures is a placeholder.
CONFIGURING_TYPES = frozenset(
    {
        "AWS::Lambda::Permission",
        "AWS::Lambda::Alias",
        "AWS::Lambda::Version",
        "AWS::Lambda::EventInvokeConfig",
        "AWS::Lambda::Url",
        "AWS::Lambda::EventSourceMapping",
        "AWS::CodeDeploy::DeploymentGroup",
    }
)

KIND_BY_TYPE: dict[str, str] = {
    "AWS::Lambda::Function": "function",
    "AWS::Serverless::Function": "function",
    "AWS::SQS::Queue": "queue",
    "AWS::AmazonMQ::Broker": "queue",
    "AWS::SNS::Topic": "topic",
    "AWS::S3::Bucket": "bucket",
    "AWS::DynamoDB::Table": "table",
    "AWS::DynamoDB::GlobalTable": "table",
    "AWS::Serverless::SimpleTable": "table",
    "AWS::DocDB::DBCluster": "table",
    "AWS::Kinesis::Stream": "stream",
    "AWS::MSK::Cluster": "stream",
    "AWS::MSK::ServerlessCluster": "stream",
    "AWS::KinesisFirehose::DeliveryStream": "stream",
    "AWS::ApiGateway::RestApi": "api",
    "AWS::ApiGatewayV2::Api": "api",
    "AWS::Serverless::Api": "api",
    "AWS::Serverless::HttpApi": "api",
    "AWS::AppSync::GraphQLApi": "api",
    "AWS::Serverless::GraphQLApi": "api",
    "AWS::Serverless::WebSocketApi": "api",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "api",
    "AWS::Lambda::Url": "api",
    "AWS::Events::Rule": "event_rule",
    "AWS::Scheduler::Schedule": "schedule",
    "AWS::Events::EventBus": "event_bus",
    "AWS::StepFunctions::StateMachine": "state_machine",
    "AWS::Serverless::StateMachine": "state_machine",
    "AWS::SSM::Parameter": "parameter",
}

# The property that carries a resource's physical name, per type.
NAME_PROPERTIES: dict[str, str] = {
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::DynamoDB::GlobalTable": "TableName",
    "AWS::Serverless::SimpleTable": "TableName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::KinesisFirehose::DeliveryStream": "DeliveryStreamName",
    "AWS::MSK::Cluster": "ClusterName",
    "AWS::ApiGateway::RestApi": "Name",
    "AWS::ApiGatewayV2::Api": "Name",
    "AWS::Serverless::Api": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::Events::EventBus": "Name",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::Serverless::StateMachine": "Name",
    "AWS::SSM::Parameter": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::AmazonMQ::Broker": "BrokerName",
    "AWS::Cognito::UserPool": "UserPoolName",
    "AWS::DocDB::DBCluster": "DBClusterIdentifier",
    "AWS::SecretsManager::Secret": "Name",
}

_KIND_BY_ARN_SERVICE = {
    "lambda": "function",
    "sqs": "queue",
    "sns": "topic",
    "s3": "bucket",
    "dynamodb": "table",
    "kinesis": "stream",
    "kafka": "stream",
    "firehose": "stream",
    "execute-api": "api",
    "apigateway": "api",
    "appsync": "api",
    "states": "state_machine",
    "ssm": "parameter",
    "mq": "queue",
    "rds": "table",
    "scheduler": "schedule",
}


def kind_of(type_name: str, properties: Any = None) -> str:
    """The node kind of a resource type (an event rule with a schedule is a ``schedule``)."""
    kind = KIND_BY_TYPE.get(type_name, "other")
    if kind == "event_rule" and isinstance(properties, Mapping) and properties.get("ScheduleExpression"):
        return "schedule"
    return kind


def kind_from_arn(arn: str) -> str:
    """The node kind an ARN names, from its service (``arn:aws:sqs:...`` -> ``queue``)."""
    parts = arn_fields(arn)
    if len(parts) < 3 or parts[0] != "arn":
        return "other"
    service = parts[2]
    if service == "events":
        resource = parts[5] if len(parts) > 5 else ""
        if resource.startswith("event-bus"):
            return "event_bus"
        return "event_rule"
    if service == "logs":
        return "other"
    return _KIND_BY_ARN_SERVICE.get(service, "other")


def name_in_arn(arn: str) -> str | None:
    """The resource name an ARN carries, for the services whose ARNs hold the physical name.

    >>> name_in_arn("arn:aws:lambda:us-east-1:123456789012:function:resize:live")
    'resize'
    >>> name_in_arn("arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024")
    'Orders'
    >>> name_in_arn("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders-${AWS::Region}")
    'orders-${AWS::Region}'
    """
    parts = arn_fields(arn)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    service, resource = parts[2], parts[5]
    resource_parts = split_fields(resource)
    if service in ("sqs", "sns", "s3"):
        name = resource
    elif (service, resource_parts[0]) in (("lambda", "function"), ("states", "stateMachine")):
        name = resource_parts[1] if len(resource_parts) > 1 else ""
    elif service in ("dynamodb", "kinesis", "events", "firehose") and "/" in resource:
        name = split_fields(resource, "/")[1]
    else:
        return None
    # a pseudo-parameter is part of a name (a wildcard when matched); another placeholder is unknown
    return name if name and "*" not in name and "$" not in without_pseudo(name) else None
