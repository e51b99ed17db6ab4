"""Tell subscribers that new renditions are ready."""

import json


def handler(event, context):
    for record in event["Records"]:
        ready = json.loads(record["Sns"]["Message"])
        print(f"{ready['source']} is ready in {len(ready['renditions'])} renditions")
