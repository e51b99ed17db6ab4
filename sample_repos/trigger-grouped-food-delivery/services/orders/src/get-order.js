// GET /orders/{id}
const { DynamoDBClient, GetItemCommand } = require("@aws-sdk/client-dynamodb");

const dynamodb = new DynamoDBClient({});

exports.handler = async (event) => {
  const { Item } = await dynamodb.send(new GetItemCommand({
    TableName: process.env.ORDERS_TABLE,
    Key: { orderId: { S: event.pathParameters.id } },
  }));
  return Item ? { statusCode: 200, body: Item.body.S } : { statusCode: 404, body: "{}" };
};
