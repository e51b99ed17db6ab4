"""Count yesterday's orders (runs at 02:00 UTC)."""

import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ.get("ORDERS_TABLE", "online-shop-orders"))


def handler(event, context):
    return {"orders": TABLE.scan(Select="COUNT")["Count"]}
