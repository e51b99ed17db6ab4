"""The logical ids the Serverless Framework (v3) gives the resources it creates.

They follow the framework's own naming module, so a person can find the
node of ``SNSTopicOrders`` or ``AvScanLambdaFunction`` in the graph under
the id they see in the deployed stack.

>>> function_logical_id("av-scan_v2")
'AvDashscanUnderscorev2LambdaFunction'
>>> topic_logical_id("orders-created")
'SNSTopicOrderscreated'
"""

from __future__ import annotations

import re

__all__ = [
    "IMPLICIT_OUTPUTS",
    "alphanumeric",
    "bucket_logical_id",
    "cognito_pool_logical_id",
    "event_bus_logical_id",
    "event_bridge_rule_logical_id",
    "function_logical_id",
    "normalized_name",
    "topic_logical_id",
]

HTTP_API = "HttpApi"
REST_API = "ApiGatewayRestApi"
WEBSOCKETS_API = "WebsocketsApi"
CLOUDFRONT_DISTRIBUTION = "CloudFrontDistribution"

_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]")


def _upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def normalized_name(name: str) -> str:
    """``-`` -> ``Dash``, ``_`` -> ``Underscore``, first letter upper-cased."""
    return _upper_first(name.replace("-", "Dash").replace("_", "Underscore"))


def alphanumeric(name: str) -> str:
    """Only letters and digits, first letter upper-cased."""
    return _upper_first(_NOT_ALPHANUMERIC.sub("", name))


def function_logical_id(key: str) -> str:
    return f"{normalized_name(key)}LambdaFunction"


def function_url_logical_id(key: str) -> str:
    return f"{normalized_name(key)}LambdaFunctionUrl"


def topic_logical_id(topic_name: str) -> str:
    return f"SNSTopic{alphanumeric(topic_name)}"


def bucket_logical_id(bucket: str) -> str:
    return f"S3Bucket{alphanumeric(bucket)}"


def schedule_logical_id(key: str, index: int) -> str:
    return f"{normalized_name(key)}EventsRuleSchedule{index}"


def scheduler_logical_id(key: str, index: int) -> str:
    return f"{normalized_name(key)}SchedulerSchedule{index}"


def cloudwatch_event_logical_id(key: str, index: int) -> str:
    return f"{normalized_name(key)}EventsRuleCloudWatchEvent{index}"


def cloudwatch_log_logical_id(key: str, index: int) -> str:
    return f"{normalized_name(key)}LogsSubscriptionFilterCloudWatchLog{index}"


def iot_rule_logical_id(key: str, index: int) -> str:
    return f"{normalized_name(key)}IotTopicRule{index}"


def iot_provisioning_logical_id(key: str) -> str:
    return f"{normalized_name(key)}IotProvisioningTemplate"


def cognito_pool_logical_id(pool: str) -> str:
    return f"CognitoUserPool{alphanumeric(pool)}"


def event_bus_logical_id(bus_name: str) -> str:
    return f"{normalized_name(bus_name)}EventBridgeEventBus"


def event_bridge_rule_logical_id(function_physical_name: str, position: int) -> str:
    """The rule of the ``position``-th event (1-based, among all events) of a function."""
    return f"{alphanumeric(f'{function_physical_name}-rule-{position}')}EventBridgeRule"


def alb_target_group_logical_id(key: str, alb_id: str, multi_value_headers: bool) -> str:
    return f"{normalized_name(key)}Alb{'MultiValue' if multi_value_headers else ''}TargetGroup{alb_id}"


def stream_consumer_name(key: str, stream_name: str, service_specific: str | None = None) -> str:
    """The Kinesis consumer a ``stream`` event with ``consumer: true`` registers.

    ``service_specific`` is ``<service><stage>`` under ``provider.kinesis.consumerNamingMode``.
    """
    return f"{key}{stream_name}{service_specific or ''}Consumer"


def stream_consumer_logical_id(consumer_name: str) -> str:
    return f"{normalized_name(consumer_name)}StreamConsumer"


# Outputs the Serverless Framework adds to every service's stack without a line in serverless.yml.
IMPLICIT_OUTPUTS = (
    r"ServiceEndpoint(?:Websocket)?|ServerlessDeploymentBucketName|HttpApiId|HttpApiUrl"
    r"|\w+LambdaFunctionQualifiedArn|\w+LambdaLayer(?:QualifiedArn|HashOutput|S3Key)"
)
