"""Fulfil queued orders and announce each shipment on the topic."""

import json
import os

import boto3

SNS = boto3.client("sns")


def handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        SNS.publish(TopicArn=os.environ["SHIPPED_TOPIC_ARN"], Message=json.dumps({"orderId": order["orderId"]}))
