"""SAM policy templates: which resource each one grants access to, and how.

A policy template such as ``SQSSendMessagePolicy: {QueueName: !GetAtt Q.QueueName}``
expands (in the SAM transform) to an IAM statement on an ARN built from its
parameters. :data:`POLICY_TEMPLATES` records, for the templates that name a
resource, the ARN pattern SAM builds and the access mode, so the reader can
add the same ``accesses`` edge the expanded statement gives. Templates that
only grant account-wide actions (``VPCAccessPolicy``, ``AMIDescribePolicy``,
``TextractPolicy``...) name no resource and give no edge.

>>> POLICY_TEMPLATES["SQSPollerPolicy"].mode
'read'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["POLICY_TEMPLATES", "RESOURCELESS_TEMPLATES", "PolicyTemplate"]

_ARN = "arn:${AWS::Partition}:"
_REGIONAL = "${AWS::Region}:${AWS::AccountId}:"


@dataclass(frozen=True)
class PolicyTemplate:
    """What one SAM policy template grants: ``arn`` uses ``${Parameter}`` placeholders."""

    arn: str
    mode: str  # read | write | readwrite | invoke
    kind: str = "other"

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(re.findall(r"\$\{(?!AWS::)([^}]+)\}", self.arn)))


def _regional(service: str, rest: str, mode: str, kind: str = "other") -> PolicyTemplate:
    return PolicyTemplate(_ARN + service + ":" + _REGIONAL + rest, mode, kind)


def _table(mode: str) -> PolicyTemplate:
    return _regional("dynamodb", "table/${TableName}", mode, "table")


def _bucket(mode: str) -> PolicyTemplate:
    return PolicyTemplate(_ARN + "s3:::${BucketName}", mode, "bucket")


POLICY_TEMPLATES: dict[str, PolicyTemplate] = {
    # queues and topics
    "SQSSendMessagePolicy": _regional("sqs", "${QueueName}", "write", "queue"),
    "SQSPollerPolicy": _regional("sqs", "${QueueName}", "read", "queue"),
    "SNSPublishMessagePolicy": _regional("sns", "${TopicName}", "write", "topic"),
    "SNSCrudPolicy": _regional("sns", "${TopicName}*", "readwrite", "topic"),
    # tables
    "DynamoDBCrudPolicy": _table("readwrite"),
    "DynamoDBReadPolicy": _table("read"),
    "DynamoDBWritePolicy": _table("write"),
    "DynamoDBReconfigurePolicy": _table("write"),
    "DynamoDBRestoreFromBackupPolicy": _table("readwrite"),
    "DynamoDBBackupFullAccessPolicy": _table("readwrite"),
    "DynamoDBStreamReadPolicy": _regional("dynamodb", "table/${TableName}/stream/${StreamName}", "read", "table"),
    # buckets
    "S3ReadPolicy": _bucket("read"),
    "S3WritePolicy": _bucket("write"),
    "S3CrudPolicy": _bucket("readwrite"),
    "S3FullAccessPolicy": _bucket("readwrite"),
    # streams
    "KinesisStreamReadPolicy": _regional("kinesis", "stream/${StreamName}", "read", "stream"),
    "KinesisCrudPolicy": _regional("kinesis", "stream/${StreamName}", "readwrite", "stream"),
    "FirehoseWritePolicy": _regional("firehose", "deliverystream/${DeliveryStreamName}", "write", "stream"),
    "FirehoseCrudPolicy": _regional("firehose", "deliverystream/${DeliveryStreamName}", "readwrite", "stream"),
    # functions, state machines, buses, parameters
    # SAM grants the function and its versions and aliases (``name*``)
    "LambdaInvokePolicy": _regional("lambda", "function:${FunctionName}*", "invoke", "function"),
    "StepFunctionsExecutionPolicy": _regional("states", "stateMachine:${StateMachineName}", "write", "state_machine"),
    "StepFunctionsExecutionPolicy_v2": _regional("states", "stateMachine:${StateMachineName}", "write", "state_machine"),
    "StepFunctionsCallbackPolicy": _regional("states", "stateMachine:${StateMachineName}", "write", "state_machine"),
    "EventBridgePutEventsPolicy": _regional("events", "event-bus/${EventBusName}", "write", "event_bus"),
    "SSMParameterReadPolicy": _regional("ssm", "parameter/${ParameterName}", "read", "parameter"),
    "SSMParameterWithSlashPrefixReadPolicy": _regional("ssm", "parameter${ParameterName}", "read", "parameter"),
    # other resources (edges only when the parameter names a resource of this unit with a known kind)
    "AWSSecretsManagerGetSecretValuePolicy": PolicyTemplate("${SecretArn}", "read"),
    "AcmGetCertificatePolicy": PolicyTemplate("${CertificateArn}", "read"),
    "KMSDecryptPolicy": _regional("kms", "key/${KeyId}", "read"),
    "KMSEncryptPolicy": _regional("kms", "key/${KeyId}", "write"),
    "KMSEncryptPolicy_v2": _regional("kms", "key/${KeyId}", "write"),
    "FilterLogEventsPolicy": _regional("logs", "log-group:${LogGroupName}:log-stream:*", "read"),
    "ElasticsearchHttpPostPolicy": _regional("es", "domain/${DomainName}/*", "write"),
    "SESCrudPolicy": _regional("ses", "identity/${IdentityName}", "write"),
    "SESSendBouncePolicy": _regional("ses", "identity/${IdentityName}", "write"),
    "SESBulkTemplatedCrudPolicy": _regional("ses", "identity/${IdentityName}", "write"),
    "SESBulkTemplatedCrudPolicy_v2": _regional("ses", "identity/${IdentityName}", "write"),
    "CodeCommitCrudPolicy": _regional("codecommit", "${RepositoryName}", "readwrite"),
    "CodeCommitReadPolicy": _regional("codecommit", "${RepositoryName}", "read"),
    "CodePipelineReadOnlyPolicy": _regional("codepipeline", "${PipelineName}", "read"),
    "AthenaQueryPolicy": _regional("athena", "workgroup/${WorkGroupName}", "readwrite"),
    "EFSWriteAccessPolicy": _regional("elasticfilesystem", "file-system/${FileSystem}", "write"),
    "EcsRunTaskPolicy": _regional("ecs", "task-definition/${TaskDefinition}", "write"),
    "EC2CopyImagePolicy": _regional("ec2", "image/${ImageId}", "read"),
    "PinpointEndpointAccessPolicy": _regional("mobiletargeting", "apps/${PinpointApplicationId}/endpoints/*", "readwrite"),
    "PollyFullAccessPolicy": _regional("polly", "lexicon/${LexiconName}", "readwrite"),
    "RekognitionFacesManagementPolicy": _regional("rekognition", "collection/${CollectionId}", "readwrite"),
    "RekognitionNoDataAccessPolicy": _regional("rekognition", "collection/${CollectionId}", "read"),
    "RekognitionReadPolicy": _regional("rekognition", "collection/${CollectionId}", "read"),
    "RekognitionWriteOnlyAccessPolicy": _regional("rekognition", "collection/${CollectionId}", "write"),
    "Route53ChangeResourceRecordSetsPolicy": PolicyTemplate(_ARN + "route53:::hostedzone/${HostedZoneId}", "write"),
    "SageMakerCreateEndpointConfigPolicy": _regional("sagemaker", "endpoint-config/${EndpointConfigName}", "write"),
    "SageMakerCreateEndpointPolicy": _regional("sagemaker", "endpoint/${EndpointName}", "write"),
    "ElasticMapReduceAddJobFlowStepsPolicy": _regional("elasticmapreduce", "cluster/${ClusterId}", "write"),
    "ElasticMapReduceCancelStepsPolicy": _regional("elasticmapreduce", "cluster/${ClusterId}", "write"),
    "ElasticMapReduceModifyInstanceFleetPolicy": _regional("elasticmapreduce", "cluster/${ClusterId}", "write"),
    "ElasticMapReduceModifyInstanceGroupsPolicy": _regional("elasticmapreduce", "cluster/${ClusterId}", "write"),
    "ElasticMapReduceSetTerminationProtectionPolicy": _regional("elasticmapreduce", "cluster/${ClusterId}", "write"),
    "ElasticMapReduceTerminateJobFlowsPolicy": _regional("elasticmapreduce", "cluster/${ClusterId}", "write"),
}

# Templates that take no resource parameter (or only one that is not an access):
# they are known, so the reader does not note them as unknown.
RESOURCELESS_TEMPLATES = frozenset(
    {
        "AMIDescribePolicy",
        "AWSSecretsManagerRotationPolicy",
        "CloudFormationDescribeStacksPolicy",
        "CloudWatchDashboardPolicy",
        "CloudWatchDescribeAlarmHistoryPolicy",
        "CloudWatchPutMetricPolicy",
        "CodePipelineLambdaExecutionPolicy",
        "ComprehendBasicAccessPolicy",
        "CostExplorerReadOnlyPolicy",
        "EC2DescribePolicy",
        "EKSDescribePolicy",
        "MobileAnalyticsWriteOnlyAccessPolicy",
        "OrganizationsListAccountsPolicy",
        "RekognitionDetectOnlyPolicy",
        "RekognitionFacesPolicy",
        "RekognitionLabelsPolicy",
        "SESEmailTemplateCrudPolicy",
        "ServerlessRepoReadWriteAccessPolicy",
        "TextractDetectAnalyzePolicy",
        "TextractGetResultPolicy",
        "TextractPolicy",
        "VPCAccessPolicy",
    }
)
