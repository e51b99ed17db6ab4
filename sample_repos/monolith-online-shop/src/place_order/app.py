"""POST /orders: store a new order; the table's stream starts fulfilment."""

import json
import os
import uuid

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def handler(event, context):
    order = json.loads(event["body"])
    order["orderId"] = str(uuid.uuid4())
    TABLE.put_item(Item=order)
    return {"statusCode": 201, "body": json.dumps({"orderId": order["orderId"]})}
