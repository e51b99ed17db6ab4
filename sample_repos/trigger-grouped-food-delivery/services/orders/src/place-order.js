// POST /orders: store the order and announce it on the OrderPlaced topic.
const { DynamoDBClient, PutItemCommand } = require("@aws-sdk/client-dynamodb");
const { SNSClient, PublishCommand } = require("@aws-sdk/client-sns");
const { randomUUID } = require("node:crypto");

const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});

exports.handler = async (event) => {
  const order = { ...JSON.parse(event.body), orderId: randomUUID() };
  await dynamodb.send(new PutItemCommand({
    TableName: process.env.ORDERS_TABLE,
    Item: { orderId: { S: order.orderId }, body: { S: JSON.stringify(order) } },
  }));
  await sns.send(new PublishCommand({ TopicArn: process.env.ORDER_PLACED_TOPIC_ARN, Message: JSON.stringify(order) }));
  return { statusCode: 201, body: JSON.stringify({ orderId: order.orderId }) };
};
