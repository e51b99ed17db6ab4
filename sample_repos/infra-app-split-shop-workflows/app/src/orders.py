def process(event, context):
    return {"batchItemFailures": []}


def get(event, context):
    return {"statusCode": 200, "body": "{}"}
