// Cook the order, then tell the rest of the system it is ready.
const { EventBridgeClient, PutEventsCommand } = require("@aws-sdk/client-eventbridge");

const events = new EventBridgeClient({});

exports.handler = async (event) => {
  for (const record of event.Records) {
    const order = JSON.parse(record.body);
    await events.send(new PutEventsCommand({
      Entries: [{
        EventBusName: process.env.EVENT_BUS_NAME,
        Source: "food.kitchen",
        DetailType: "OrderReady",
        Detail: JSON.stringify({ orderId: order.orderId }),
      }],
    }));
  }
};
