"""New orders on the table stream are queued for fulfilment."""

import json
import os

import boto3

SQS = boto3.client("sqs")


def handler(event, context):
    for record in event["Records"]:
        if record["eventName"] == "INSERT":
            order_id = record["dynamodb"]["Keys"]["orderId"]["S"]
            SQS.send_message(QueueUrl=os.environ["FULFILMENT_QUEUE_URL"], MessageBody=json.dumps({"orderId": order_id}))
