"""Write every settled payment to the ledger table."""

import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["LEDGER_TABLE"])


def record_payment(event, context):
    for record in event["Records"]:
        TABLE.put_item(Item=json.loads(record["body"]))
