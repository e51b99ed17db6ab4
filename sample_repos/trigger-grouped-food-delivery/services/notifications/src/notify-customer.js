// OrderReady / CourierAssigned: push a notification to the customer's phone.
exports.handler = async (event) => {
  console.log(`order ${event.detail.orderId}: ${event["detail-type"]}`);
};
