"""The ticketing application's functions (deployed with `serverless deploy`)."""

import json
import os

import boto3


def reserve_seat(event, context):
    order = json.loads(event["body"])
    boto3.client("sqs").send_message(QueueUrl=os.environ["ORDERS_QUEUE_URL"], MessageBody=json.dumps(order))
    return {"statusCode": 202, "body": json.dumps({"reserved": order["seat"]})}


def issue_ticket(event, context):
    topic = os.environ["TICKET_ISSUED_TOPIC_ARN"]
    for record in event["Records"]:
        boto3.client("sns").publish(TopicArn=topic, Message=record["body"])


def email_ticket(event, context):
    for record in event["Records"]:
        print("emailing ticket", json.loads(record["Sns"]["Message"]))
