"""Kinesis enhanced fan-out: ``consumer:`` on a ``stream`` event, and a mapping that reads through a consumer."""

from __future__ import annotations

from pathlib import Path

from pytest_serverless_arch import load

from .helpers import FIXTURES
from .test_serverless import edges, write_service

SERVICE = FIXTURES / "serverless" / "stream-consumer"
CLICKS = "fanout-dev:Clicks"
VIEWS = "external:arn:arn:aws:kinesis:${AWS::Region}:${AWS::AccountId}:stream/views"  # Fn::Join with pseudo-parameters
ORDERS = "external:arn:arn:aws:kinesis:us-east-1:123456789012:stream/orders"


def test_a_consumer_stream_event_still_triggers_from_the_stream():
    graph = load(SERVICE, root=SERVICE)
    assert edges(graph, "triggers") == sorted(
        [
            (CLICKS, "fanout-dev:reader", "serverless.yml:11", "stream"),
            (VIEWS, "fanout-dev:joined", "serverless.yml:19", "stream"),
            (ORDERS, "fanout-dev:external", "serverless.yml:34", "stream"),
            (CLICKS, "fanout-dev:plain", "serverless.yml:40", "stream"),
        ]
    )


def test_consumer_true_adds_the_framework_named_consumer_that_refers_to_its_stream():
    graph = load(SERVICE, root=SERVICE)
    consumers = sorted(
        (r.logical_id, r.type, r.physical_name, str(r.location))
        for r in graph.resources()
        if r.type == "AWS::Kinesis::StreamConsumer"
    )
    # the names osls 3 gives them when it packages this service
    assert consumers == [
        ("JoinedviewsConsumerStreamConsumer", "AWS::Kinesis::StreamConsumer", "joinedviewsConsumer", "serverless.yml:19"),
        ("ReaderClicksConsumerStreamConsumer", "AWS::Kinesis::StreamConsumer", "readerClicksConsumer", "serverless.yml:11"),
    ]
    assert edges(graph, "references") == sorted(
        [
            ("fanout-dev:JoinedviewsConsumerStreamConsumer", VIEWS, "serverless.yml:19", "stream consumer"),
            ("fanout-dev:ReaderClicksConsumerStreamConsumer", CLICKS, "serverless.yml:11", "stream consumer"),
        ]
    )


def test_the_service_specific_naming_mode_puts_service_and_stage_in_the_consumer_name(tmp_path: Path):
    write_service(
        tmp_path,
        """\
        service: svc
        provider: {name: aws, stage: prod, kinesis: {consumerNamingMode: serviceSpecific}}
        functions:
          fn:
            handler: h.fn
            events:
              - stream: {type: kinesis, arn: {Fn::GetAtt: [S, Arn]}, consumer: true}
        resources:
          Resources:
            S: {Type: AWS::Kinesis::Stream, Properties: {ShardCount: 1}}
        """,
    )
    graph = load(tmp_path, root=tmp_path)
    assert [r.logical_id for r in graph.resources() if r.type == "AWS::Kinesis::StreamConsumer"] == [
        "FnSsvcprodConsumerStreamConsumer"
    ]


def test_a_cloudformation_mapping_reading_through_a_consumer_is_triggered_by_the_consumers_stream(tmp_path: Path):
    (tmp_path / "template.yaml").write_text(
        """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Stream:
    Type: AWS::Kinesis::Stream
    Properties: {ShardCount: 1}
  Consumer:
    Type: AWS::Kinesis::StreamConsumer
    Properties: {StreamARN: !GetAtt Stream.Arn, ConsumerName: c}
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Handler: h.h, Runtime: python3.12, Role: arn:aws:iam::1:role/r, Code: {ZipFile: x}}
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {EventSourceArn: !Ref Consumer, FunctionName: !Ref Fn, StartingPosition: LATEST}
  External:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: arn:aws:kinesis:eu-west-1:123456789012:stream/orders/consumer/mine:1
      FunctionName: !Ref Fn
      StartingPosition: LATEST
""",
        encoding="utf-8",
    )
    graph = load(tmp_path, root=tmp_path)
    assert sorted((e.source.split(":", 1)[1], str(e.location)) for e in graph.edges("triggers")) == [
        ("Stream", "template.yaml:12"),
        ("arn:arn:aws:kinesis:eu-west-1:123456789012:stream/orders", "template.yaml:15"),
    ]
