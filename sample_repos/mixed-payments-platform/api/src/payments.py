"""POST /payments and GET /payments/{paymentId}."""

import json
import os
import uuid

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["PAYMENTS_TABLE"])


def create(event, context):
    payment = {**json.loads(event["body"]), "paymentId": str(uuid.uuid4())}
    TABLE.put_item(Item=payment)
    boto3.client("sqs").send_message(QueueUrl=os.environ["LEDGER_QUEUE_URL"], MessageBody=json.dumps(payment))
    return {"statusCode": 201, "body": json.dumps({"paymentId": payment["paymentId"]})}


def get(event, context):
    item = TABLE.get_item(Key={"paymentId": event["pathParameters"]["paymentId"]}).get("Item")
    return {"statusCode": 200 if item else 404, "body": json.dumps(item or {})}
