def request(event, context):
    return {"statusCode": 202}


def confirm(event, context):
    return {"batchItemFailures": []}
