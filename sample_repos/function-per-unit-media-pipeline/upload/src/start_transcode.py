"""A new upload: ask the transcoder to produce the renditions."""

import json
import os

import boto3


def handler(event, context):
    for record in event["Records"]:
        job = {"bucket": record["s3"]["bucket"]["name"], "key": record["s3"]["object"]["key"]}
        boto3.client("sqs").send_message(QueueUrl=os.environ["TRANSCODE_QUEUE_URL"], MessageBody=json.dumps(job))
