"""Tell the customer their order has shipped."""

import json


def handler(event, context):
    for record in event["Records"]:
        shipped = json.loads(record["Sns"]["Message"])
        print(f"order {shipped['orderId']} shipped")
