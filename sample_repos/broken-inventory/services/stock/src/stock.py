"""Apply one stock change message."""

import json


def apply_change(event, context):
    for record in event["Records"]:
        change = json.loads(record["body"])
        print(f"{change['sku']}: {change['delta']:+d}")
